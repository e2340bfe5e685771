package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

func optString(m map[string]any, k string) sql.NullString {
	if v, ok := m[k].(string); ok {
		return sql.NullString{String: v, Valid: true}
	}
	return sql.NullString{}
}

// addMembers inserts the elements (canonical member objects) that have a
// string "value" and are not yet members, in order, and returns the values
// really added.
func (s *Store) addMembers(ctx context.Context, tx *sql.Tx, tenant, gid string, elems []any) ([]string, error) {
	var added []string
	for lo := 0; lo < len(elems); lo += insertBatch {
		hi := min(lo+insertBatch, len(elems))
		b := &builder{d: s.d}
		b.write("INSERT INTO scim_members (tenant, group_id, value, display, type, ref) VALUES ")
		n := 0
		for _, e := range elems[lo:hi] {
			m, ok := e.(map[string]any)
			if !ok {
				continue
			}
			v, ok := m["value"].(string)
			if !ok || v == "" {
				continue
			}
			if n > 0 {
				b.write(",")
			}
			n++
			b.write("(", b.arg(tenant), ",", b.arg(gid), ",", b.arg(v), ",", b.arg(optString(m, "display")), ",", b.arg(optString(m, "type")), ",", b.arg(optString(m, "$ref")), ")")
		}
		if n == 0 {
			continue
		}
		b.write(" ON CONFLICT (tenant, group_id, value) DO NOTHING RETURNING value")
		rows, err := tx.QueryContext(ctx, b.sb.String(), b.args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, err
			}
			added = append(added, v)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return added, nil
}

// checkRefs returns a *store.ReferenceError for the first member element
// whose value names no resource of its type: "User" a user, "Group" a
// group, no type either (any other type that type). Elements the group gid
// already lists with the same type are skipped (gid "": none). It runs inside the write's
// transaction after its first write, and in PostgreSQL locks the rows it
// finds (FOR KEY SHARE), so a concurrent Delete of a referenced user either
// waits for this write and then removes the member, or wins and makes the
// check fail: a member never outlives its user.
func (s *Store) checkRefs(ctx context.Context, tx *sql.Tx, tenant, gid string, elems []any) error {
	for lo := 0; lo < len(elems); lo += insertBatch {
		batch := elems[lo:min(lo+insertBatch, len(elems))]
		values := make([]string, 0, len(batch))
		for _, e := range batch {
			if m, ok := e.(map[string]any); ok {
				if v, ok := m["value"].(string); ok && v != "" {
					values = append(values, v)
				}
			}
		}
		if len(values) == 0 {
			continue
		}
		found := make(map[string]string, len(values))  // id -> type
		listed := make(map[string]string, len(values)) // value -> stored member type
		b := &builder{d: s.d}
		b.write("SELECT id, type FROM scim_resources WHERE tenant = ", b.arg(tenant), " AND id IN (")
		for i, v := range values {
			if i > 0 {
				b.write(",")
			}
			b.write(b.arg(v))
		}
		b.write(")")
		if _, pg := s.d.(postgres); pg {
			b.write(" FOR KEY SHARE")
		}
		if err := s.scanPairs(ctx, tx, b, found); err != nil {
			return err
		}
		if gid != "" {
			b := &builder{d: s.d}
			b.write("SELECT value, COALESCE(type, '') FROM scim_members WHERE tenant = ", b.arg(tenant), " AND group_id = ", b.arg(gid), " AND value IN (")
			for i, v := range values {
				if i > 0 {
					b.write(",")
				}
				b.write(b.arg(v))
			}
			b.write(")")
			if err := s.scanPairs(ctx, tx, b, listed); err != nil {
				return err
			}
		}
		for _, e := range batch {
			m, ok := e.(map[string]any)
			if !ok {
				continue
			}
			v, ok := m["value"].(string)
			if !ok || v == "" {
				continue
			}
			want, _ := m["type"].(string)
			if typ, ok := listed[v]; ok && typ == want {
				continue
			}
			got, exists := found[v]
			switch {
			case !exists:
			case want == "" && (got == userType || got == groupType):
				continue
			case want != "" && got == want:
				continue
			}
			return &store.ReferenceError{Attribute: membersAttr, Value: v}
		}
	}
	return nil
}

// scanPairs runs the two-column query of b in tx into m.
func (s *Store) scanPairs(ctx context.Context, tx *sql.Tx, b *builder, m map[string]string) error {
	rows, err := tx.QueryContext(ctx, b.sb.String(), b.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		m[k] = v
	}
	return rows.Err()
}

// PatchMembers applies d to the members of typ/id in one transaction that
// also gives the resource a new version and lastModified, with single-row
// inserts and deletes in the members table: its cost does not grow with
// the group. The result's Resource is nil when the group has more than 100
// members, and when d.SkipResource is set (then the member list is not
// read; in PostgreSQL a delta that only adds members is then one
// statement). It returns an error wrapping errors.ErrUnsupported when typ keeps
// no members table, d.Attribute is not "members", or d.Set names members.
func (s *Store) PatchMembers(ctx context.Context, typ, id string, d store.MemberDelta, ifVersion string) (_ *store.MemberResult, err error) {
	ti := s.info(typ)
	if ti.members == nil || d.Attribute != membersAttr {
		return nil, fmt.Errorf("sqlstore: %s has no members table for %q: %w", typ, d.Attribute, errors.ErrUnsupported)
	}
	if _, ok := d.Set[membersAttr]; ok {
		return nil, fmt.Errorf("sqlstore: Set names %q: %w", membersAttr, errors.ErrUnsupported)
	}
	if !validText(id) {
		return nil, notFound(typ, id)
	}
	if err := checkText("", d.Set); err != nil {
		return nil, err
	}
	for _, m := range d.Add {
		if v, ok := m["value"].(string); ok && !validText(v) {
			return nil, &store.ReferenceError{Attribute: membersAttr, Value: v}
		}
		if err := checkText(membersAttr, m); err != nil {
			return nil, err
		}
	}
	// A value that is not valid text is no member's.
	remove := make([]string, 0, len(d.Remove))
	for _, v := range d.Remove {
		if validText(v) {
			remove = append(remove, v)
		}
	}
	d.Remove = remove
	ctx, done := s.bound(ctx, false)
	defer done(&err)
	tenant := s.tenant(ctx)
	now := s.stamp()
	out := &store.MemberResult{}
	// With a change feed the event names the members added, known only
	// once they are: the transaction below records it.
	if d.SkipResource && len(d.Set) == 0 && !d.RemoveAll && len(d.Remove) == 0 && len(d.Add) <= insertBatch && s.oneShot(ti) && !s.feed {
		elems := make([]any, len(d.Add))
		for i, m := range d.Add {
			elems[i] = m
		}
		a, _ := oneShotMembers(elems)
		version, _, added, found, err := s.addMembersOne(ctx, tenant, typ, id, ifVersion, now, a)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, s.missingOrStale(ctx, s.db, tenant, typ, id, ifVersion)
		}
		out.Version, out.Added = strconv.FormatInt(version, 10), added
		return out, nil
	}
	var (
		version int64
		created time.Time
		attrs   map[string]any
	)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if len(d.Set) == 0 {
			version, created, err = s.bump(ctx, tx, tenant, typ, id, ifVersion, now, "")
		} else {
			version, created, attrs, out.Changed, err = s.patchAttrs(ctx, tx, ti, tenant, typ, id, ifVersion, now, d.Set)
		}
		if err != nil {
			return err
		}
		if d.RemoveAll {
			if out.Removed, err = s.queryStrings(ctx, tx, rebind(s.d, `DELETE FROM scim_members WHERE tenant = ? AND group_id = ? RETURNING value`), tenant, id); err != nil {
				return err
			}
		} else if len(d.Remove) > 0 {
			for lo := 0; lo < len(d.Remove); lo += insertBatch {
				hi := min(lo+insertBatch, len(d.Remove))
				b := &builder{d: s.d}
				b.write("DELETE FROM scim_members WHERE tenant = ", b.arg(tenant), " AND group_id = ", b.arg(id), " AND value IN (")
				for i, v := range d.Remove[lo:hi] {
					if i > 0 {
						b.write(",")
					}
					b.write(b.arg(v))
				}
				b.write(") RETURNING value")
				vs, err := s.queryStrings(ctx, tx, b.sb.String(), b.args...)
				if err != nil {
					return err
				}
				out.Removed = append(out.Removed, vs...)
			}
		}
		if len(d.Add) > 0 {
			elems := make([]any, len(d.Add))
			for i, m := range d.Add {
				elems[i] = m
			}
			if err := s.checkRefs(ctx, tx, tenant, "", elems); err != nil {
				return err
			}
			if out.Added, err = s.addMembers(ctx, tx, tenant, id, elems); err != nil {
				return err
			}
		}
		out.Version = strconv.FormatInt(version, 10)
		if c, ok := out.Change(typ, id, d); ok {
			if err := s.record(ctx, tx, tenant, c, now); err != nil {
				return err
			}
		}
		if d.SkipResource {
			attrs = nil
			return nil
		}
		// Small groups come back whole; a bounded read tells which.
		q := rebind(s.d, `SELECT value, display, type, ref FROM scim_members WHERE tenant = ? AND group_id = ? ORDER BY ord LIMIT `+strconv.Itoa(patchResultMembers+1))
		ms, err := s.readMembers(ctx, tx, q, patchResultMembers, tenant, id)
		if errors.Is(err, errTooMany) {
			attrs = nil
			return nil
		}
		if err != nil {
			return err
		}
		if attrs == nil {
			var raw []byte
			if err := tx.QueryRowContext(ctx, rebind(s.d, `SELECT attrs FROM scim_resources WHERE tenant = ? AND id = ?`), tenant, id).Scan(&raw); err != nil {
				return err
			}
			if attrs, err = decodeObject(raw); err != nil {
				return err
			}
		}
		if len(ms) > 0 {
			attrs[membersAttr] = ms
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Version = strconv.FormatInt(version, 10)
	if attrs != nil {
		out.Resource = &store.Resource{Type: typ, ID: id, Attributes: attrs,
			Meta: store.Meta{Created: created, LastModified: now, Version: out.Version}}
	}
	return out, nil
}

// patchAttrs applies set to the stored attributes of typ/id (not its
// members) under the ifVersion rule and returns the new attributes.
func (s *Store) patchAttrs(ctx context.Context, tx *sql.Tx, ti *typeInfo, tenant, typ, id, ifVersion string, now time.Time, set map[string]any) (version int64, created time.Time, attrs map[string]any, changed []string, err error) {
	// Lock the row and read it; the version check comes with the write.
	var raw []byte
	q := rebind(s.d, `SELECT attrs FROM scim_resources WHERE tenant = ? AND id = ? AND `+typeOfID(s.d, "type", "?"))
	if _, ok := s.d.(postgres); ok {
		q += " FOR UPDATE"
	}
	err = tx.QueryRowContext(ctx, q, tenant, id, typ).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil, nil, notFound(typ, id)
	}
	if err != nil {
		return 0, time.Time{}, nil, nil, err
	}
	if attrs, err = decodeObject(raw); err != nil {
		return 0, time.Time{}, nil, nil, err
	}
	for k, v := range set {
		old, had := attrs[k]
		if v == nil {
			delete(attrs, k)
		} else {
			attrs[k] = v
		}
		if had != (v != nil) || (had && !schema.Identical(old, v)) {
			changed = append(changed, k)
		}
	}
	slices.Sort(changed)
	rw, err := s.split(ti, attrs)
	if err != nil {
		return 0, time.Time{}, nil, nil, err
	}
	version, created, err = s.writeAttrs(ctx, tx, ti, tenant, typ, id, ifVersion, now, rw, attrs)
	return version, created, attrs, changed, err
}

func (s *Store) queryStrings(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// errTooMany is readMembers' answer for more than limit members.
var errTooMany = errors.New("sqlstore: more members than asked for")

// readMembers reads the members q selects (value, display, type, ref) as
// canonical member objects. When there are more than limit it returns
// errTooMany, having made no objects: the rows are first read into one
// buffer, so a large group costs no allocation per row.
func (s *Store) readMembers(ctx context.Context, tx *sql.Tx, q string, limit int, args ...any) ([]any, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// Each row keeps four fields in buf: their ends, -1 for NULL.
	var (
		buf  []byte
		ends []int
		raw  [4]sql.RawBytes
	)
	n := 0
	for rows.Next() {
		if n == limit {
			return nil, errTooMany
		}
		n++
		if err := rows.Scan(&raw[0], &raw[1], &raw[2], &raw[3]); err != nil {
			return nil, err
		}
		for _, f := range raw {
			if f == nil {
				ends = append(ends, -1)
				continue
			}
			buf = append(buf, f...)
			ends = append(ends, len(buf))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]any, 0, n)
	start := 0
	for r := range n {
		el := make(map[string]any, 4)
		for i, k := range [4]string{"value", "display", "type", "$ref"} {
			end := ends[r*4+i]
			if end < 0 {
				continue
			}
			el[k] = string(buf[start:end])
			start = end
		}
		out = append(out, el)
	}
	return out, nil
}
