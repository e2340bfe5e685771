package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
)

var _ store.CursorLister = (*Store)(nil)

// position is a decoded ListAfter position: the seq of the last resource
// of a page and, in a sorted list, its sort key (kind keyMissing when it
// had none) as the argument to compare the key expression with.
type position struct {
	given bool
	seq   int64
	kind  byte
	key   any
}

// errPosition is the error of a position this store did not give for the
// kind of query it is used with: a 400 invalidCursor (RFC 9865 §6).
func errPosition(s string) error {
	return &store.DetailError{Detail: "the cursor names no position of this query in this store; start again without one",
		Err: fmt.Errorf("sqlstore: %q is not a list position this store gave for this query: %w", s, store.ErrInvalidPosition)}
}

// parsePosition decodes a position that encodePosition made for a list
// sorted by a key of kind kind (0: the default order); "" is the position
// before the first resource.
func (s *Store) parsePosition(pos string, kind byte) (position, error) {
	if pos == "" {
		return position{}, nil
	}
	num, rest, hasKey := strings.Cut(pos, ",")
	seq, err := strconv.ParseInt(num, 10, 64)
	if err != nil || seq < 0 || hasKey != (kind != 0) || hasKey && rest == "" {
		return position{}, errPosition(pos)
	}
	p := position{given: true, seq: seq}
	if kind == 0 {
		return p, nil
	}
	p.kind, rest = rest[0], rest[1:]
	switch p.kind {
	case keyMissing:
		if rest != "" {
			return position{}, errPosition(pos)
		}
		return p, nil
	case kind:
	default:
		return position{}, errPosition(pos)
	}
	switch kind {
	case keyText:
		if !validText(rest) {
			return position{}, errPosition(pos)
		}
		p.key = rest
	case keyNumber:
		if p.key, err = s.d.numericArg(rest); err != nil {
			return position{}, errPosition(pos)
		}
	case keyInteger:
		if p.key, err = strconv.ParseInt(rest, 10, 64); err != nil {
			return position{}, errPosition(pos)
		}
	case keyTime:
		tm, err := time.Parse(time.RFC3339Nano, rest)
		if err != nil {
			return position{}, errPosition(pos)
		}
		p.key = s.d.timeArg(tm)
	}
	return p, nil
}

// encodePosition returns the position of the resource with sequence
// number seq and, when kind is not 0, the sort key v of that kind as the
// driver returned it (nil when the resource has no value).
func (s *Store) encodePosition(seq int64, kind byte, v any) (string, error) {
	b := strconv.AppendInt(make([]byte, 0, 48), seq, 10)
	if kind == 0 {
		return string(b), nil
	}
	b = append(b, ',')
	if v == nil {
		return string(append(b, keyMissing)), nil
	}
	b = append(b, kind)
	switch x := v.(type) {
	case string:
		if kind == keyTime {
			tm, err := s.d.scanTime(x)
			if err != nil {
				return "", err
			}
			return string(tm.UTC().AppendFormat(b, time.RFC3339Nano)), nil
		}
		b = append(b, x...)
	case []byte:
		b = append(b, x...)
	case int64:
		b = strconv.AppendInt(b, x, 10)
	case float64:
		b = strconv.AppendFloat(b, x, 'g', -1, 64)
	case time.Time:
		b = x.UTC().AppendFormat(b, time.RFC3339Nano)
	default:
		return "", fmt.Errorf("sqlstore: unexpected sort key %T", v)
	}
	return string(b), nil
}

// ListAfter returns up to q.Count resources matching q.Filter, in List's
// order, that come after the position after; it implements
// store.CursorLister with keyset pagination, so each page costs what its
// first page would, however deep it is.
//
// A position is the seq of the last resource returned, in decimal; with
// q.SortBy it is followed by a comma, a letter for the kind of the sort
// key and that resource's key (or the letter alone when it had none).
// Neither needs the resource to still exist, so positions survive creates,
// changes and deletes: the next page holds the resources that sort after
// the position when it is asked for. In SQL that is "seq > position" in
// the default order, and with SortBy "key after the position's key, or
// the same key and a greater seq, or no key", mirrored for Descending and
// restricted to resources without a key when the position had none
// (missing values come last in both directions).
//
// Page.Total is the number of matches, as List gives it. Page.Next is ""
// when no resource follows the page, and when q.Count is 0. When q.Filter
// has terms that do not translate to SQL, the resources after the position
// are read in order and filter.Match applied to them, as List does. A
// position this store did not give for the kind of query (sorted or not,
// and by a key of the same kind) is an error.
func (s *Store) ListAfter(ctx context.Context, typ string, q store.Query, after string) (_ *store.Page, err error) {
	ctx, done := s.bound(ctx, q.Filter != nil)
	defer done(&err)
	ti := s.info(typ)
	count := max(q.Count, 0)
	t, where, residual := s.listWhere(ctx, typ, ti, q.Filter)
	b := t.b
	filterArgs := len(b.args)

	var (
		kind byte
		key  = nullKey
	)
	if q.SortBy.Name != "" {
		kind = keyText
		if x, k, ok := t.sortExpr(&q.SortBy); ok {
			key, kind = x, k
		}
		// A sort path List cannot translate leaves List in the default
		// order; a NULL key for every resource gives the same order.
	}
	pos, err := s.parsePosition(after, kind)
	if err != nil {
		return nil, err
	}

	page := &store.Page{Resources: make([]*store.Resource, 0, min(count, 64))}
	if residual != nil {
		// The total needs every match, in any order; listResidual
		// counts them. Both it and the page read at most maxScan rows.
		if err := s.scanLimit(ctx, where, b.args[:filterArgs]); err != nil {
			return nil, err
		}
		all, err := s.listResidual(ctx, typ, ti, &builder{d: s.d, args: b.args[:filterArgs]}, where, "r.seq", residual, 0, 0)
		if err != nil {
			return nil, err
		}
		page.Total = all.Total
	} else {
		if err := s.readRow(ctx, "SELECT count(*) FROM scim_resources r WHERE "+where, b.args[:filterArgs], &page.Total); err != nil {
			return nil, err
		}
	}
	if count == 0 || page.Total == 0 {
		return page, nil
	}

	query := s.afterQuery(b, ti, where, key, kind, q.Descending, pos)
	if residual == nil {
		query += " LIMIT " + b.arg(count+1)
	}
	var (
		lastSeq int64
		lastKey any
		follows bool
	)
	err = s.read(ctx, query, b.args, func(sc scanner) error {
		var seq int64
		var sk any
		res, err := s.scanResource(sc, typ, &seq, &sk)
		if err != nil {
			return err
		}
		if residual != nil && !filter.Match(residual, res.Object()) {
			return nil
		}
		if len(page.Resources) == count {
			follows = true
			return errStop
		}
		page.Resources = append(page.Resources, res)
		lastSeq, lastKey = seq, sk
		return nil
	})
	if err != nil && err != errStop {
		return nil, err
	}
	if follows {
		if page.Next, err = s.encodePosition(lastSeq, kind, lastKey); err != nil {
			return nil, err
		}
	}
	return page, nil
}

// keyOrder is the ORDER BY clause of a list sorted by the key expression.
func (s *Store) keyOrder(key string, desc bool) string {
	if desc { // missing values order after every value (RFC 7644 §3.4.2.3)
		return key + " DESC NULLS FIRST, r.seq"
	}
	return key + " ASC NULLS LAST, r.seq"
}

// afterQuery returns the statement reading, in order, the resources that
// match where and come after pos, with their seq and sort key after the
// resource's columns.
func (s *Store) afterQuery(b *builder, ti *typeInfo, where, key string, kind byte, desc bool, pos position) string {
	keyCol := key
	if _, pg := s.d.(postgres); pg && kind == keyNumber {
		// numeric comes back as text, which the position keeps exactly.
		keyCol = "(" + key + ")::text"
	}
	var sb strings.Builder
	sb.WriteString("SELECT ")
	sb.WriteString(s.selectList(ti))
	sb.WriteString(", r.seq, ")
	sb.WriteString(keyCol)
	sb.WriteString(" FROM scim_resources r WHERE ")
	sb.WriteString(where)
	if pos.given {
		switch {
		case kind == 0:
			sb.WriteString(" AND r.seq > " + b.arg(pos.seq))
		case pos.kind == keyMissing && desc: // missing values come first
			sb.WriteString(" AND ((" + key + " IS NULL AND r.seq > " + b.arg(pos.seq) + ") OR " + key + " IS NOT NULL)")
		case pos.kind == keyMissing:
			sb.WriteString(" AND " + key + " IS NULL AND r.seq > " + b.arg(pos.seq))
		default:
			cmp := " > "
			if desc {
				cmp = " < "
			}
			// Placeholders are written in the order of their arguments;
			// PostgreSQL's numbered ones let the key be given once.
			k1 := b.arg(pos.key)
			k2 := k1
			if s.d.placeholder(1) == "?" {
				k2 = b.arg(pos.key)
			}
			if _, pg := s.d.(postgres); pg && kind == keyNumber {
				k1 += "::numeric"
				k2 += "::numeric"
			}
			missingAfter := " OR " + key + " IS NULL" // ascending: missing values come last
			if desc {
				missingAfter = ""
			}
			sb.WriteString(" AND (" + key + cmp + k1 + " OR (" + key + " = " + k2 + " AND r.seq > " + b.arg(pos.seq) + ")" + missingAfter + ")")
		}
	}
	sb.WriteString(" ORDER BY ")
	if kind == 0 {
		sb.WriteString("r.seq")
	} else {
		sb.WriteString(s.keyOrder(key, desc))
	}
	return sb.String()
}
