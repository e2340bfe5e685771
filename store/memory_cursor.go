package store

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scimkit/scim/schema"
)

// ListAfter returns up to q.Count resources matching q.Filter, in List's
// order, that come after the position after. It implements
// [CursorLister].
//
// A position is the creation sequence number of the last resource
// returned, in decimal; with q.SortBy it is followed by a comma and that
// resource's sort key (a letter for its kind and the value). Neither
// depends on the resource still existing, so positions survive any
// creates, changes and deletes: the next page holds the resources that
// sort after the position at the time it is asked for. Page.Next is ""
// when no resource follows the page, and when q.Count is 0. A position
// this store did not give for the kind of query (sorted or not) is an
// error.
func (m *Memory) ListAfter(ctx context.Context, typ string, q Query, after string) (*Page, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sorted := q.SortBy.Name != ""
	pos, err := parsePosition(after, sorted)
	if err != nil {
		return nil, err
	}
	count := max(q.Count, 0)
	tenant := m.tenantOf(ctx)
	m.mu.RLock()
	defer m.mu.RUnlock()
	t := m.table(tenant, typ)
	if t == nil {
		return &Page{Resources: []*Resource{}}, nil
	}
	candidates, indexed := t.candidates(q.Filter)
	if sorted {
		if !indexed {
			candidates = t.order
		}
		matched, err := sortMatches(ctx, candidates, q)
		if err != nil {
			return nil, err
		}
		lo := 0
		if pos.given {
			lo = sort.Search(len(matched), func(i int) bool {
				c := schema.CompareSortKeys(matched[i].key, pos.key, q.Descending)
				return c > 0 || c == 0 && matched[i].rec.seq > pos.seq
			})
		}
		hi := min(lo+count, len(matched))
		page := &Page{Resources: make([]*Resource, hi-lo), Total: len(matched)}
		for i, k := range matched[lo:hi] {
			page.Resources[i] = k.rec.current().res
		}
		if hi > lo && hi < len(matched) {
			page.Next = encodePosition(matched[hi-1].rec.seq, &matched[hi-1].key)
		}
		return page, nil
	}

	page := &Page{Resources: make([]*Resource, 0, min(count, 64))}
	var last *record
	follows := false
	if !indexed && q.Filter == nil {
		// Every resource matches: start at the position.
		page.Total = len(t.order) - t.holes
		i := sort.Search(len(t.seqs), func(i int) bool { return t.seqs[i] > pos.seq })
		for ; i < len(t.order); i++ {
			rec := t.order[i]
			if rec == nil {
				continue
			}
			if len(page.Resources) == count {
				follows = true
				break
			}
			page.Resources = append(page.Resources, rec.current().res)
			last = rec
		}
	} else {
		if !indexed {
			candidates = t.order
		}
		err := scan(ctx, candidates, q.Filter, func(rec *record, v *view) {
			page.Total++
			switch {
			case rec.seq <= pos.seq:
			case len(page.Resources) < count:
				page.Resources = append(page.Resources, v.res)
				last = rec
			default:
				follows = true
			}
		})
		if err != nil {
			return nil, err
		}
	}
	if follows && last != nil {
		page.Next = encodePosition(last.seq, nil)
	}
	return page, nil
}

// position is a decoded ListAfter position.
type position struct {
	given bool
	seq   uint64
	key   schema.SortKey
}

// The letters of the kinds of sort keys in a position.
const (
	posMissing = 'm'
	posBool    = 'b'
	posNumber  = 'n'
	posTime    = 't'
	posString  = 's'
)

// encodePosition returns the position of the resource with sequence
// number seq, and with key its sort key in a sorted list.
func encodePosition(seq uint64, key *schema.SortKey) string {
	b := strconv.AppendUint(make([]byte, 0, 24), seq, 10)
	if key == nil {
		return string(b)
	}
	b = append(b, ',')
	switch key.Kind {
	case schema.SortBool:
		b = append(b, posBool)
		if key.Bool {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
	case schema.SortNumber:
		b = strconv.AppendFloat(append(b, posNumber), key.Number, 'g', -1, 64)
	case schema.SortTime:
		b = key.Time.UTC().AppendFormat(append(b, posTime), time.RFC3339Nano)
	case schema.SortString:
		b = append(append(b, posString), key.Text...)
	default:
		b = append(b, posMissing)
	}
	return string(b)
}

// parsePosition decodes a position given by encodePosition for a sorted
// list or not; "" is the position before the first resource.
func parsePosition(s string, sorted bool) (position, error) {
	if s == "" {
		return position{}, nil
	}
	bad := func() (position, error) {
		return position{}, positionError(s)
	}
	num, rest, hasKey := strings.Cut(s, ",")
	seq, err := strconv.ParseUint(num, 10, 64)
	if err != nil || hasKey != sorted || sorted && rest == "" {
		return bad()
	}
	p := position{given: true, seq: seq}
	if !sorted {
		return p, nil
	}
	payload := rest[1:]
	switch rest[0] {
	case posMissing:
		if payload != "" {
			return bad()
		}
	case posBool:
		if payload != "0" && payload != "1" {
			return bad()
		}
		p.key = schema.SortKey{Kind: schema.SortBool, Bool: payload == "1"}
	case posNumber:
		f, err := strconv.ParseFloat(payload, 64)
		if err != nil {
			return bad()
		}
		p.key = schema.SortKey{Kind: schema.SortNumber, Number: f}
	case posTime:
		tm, err := time.Parse(time.RFC3339Nano, payload)
		if err != nil {
			return bad()
		}
		p.key = schema.SortKey{Kind: schema.SortTime, Time: tm}
	case posString:
		p.key = schema.SortKey{Kind: schema.SortString, Text: payload}
	default:
		return bad()
	}
	return p, nil
}

// positionError is a position this store did not hand out; it wraps
// ErrInvalidPosition (400 invalidCursor).
type positionError string

func (p positionError) Error() string {
	return fmt.Sprintf("store: %q is not a list position this store gave for this query", string(p))
}

func (positionError) Unwrap() error { return ErrInvalidPosition }
