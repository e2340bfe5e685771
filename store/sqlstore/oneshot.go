package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scimkit/store"
)

// One-statement writes. In PostgreSQL the simple writes (a Create of a
// type without further unique attributes, a Replace of a type without
// members or further unique attributes, a PatchMembers that only adds
// members) are one statement of data-modifying CTEs, which PostgreSQL runs
// atomically on its own: one round trip instead of BEGIN, the statements
// and COMMIT. Each keeps the guarantees of the transaction it replaces:
// the compare-and-swap on the version is the UPDATE's condition; the
// member references are read FOR KEY SHARE in the same statement, and a
// missing one makes it fail (scim_bad_reference) before anything commits;
// a taken unique key fails the INSERT or UPDATE. Writes whose steps must
// see each other's effects (a removal of members, which must see members a
// concurrent write committed after the statement began; a Replace of the
// members; a Delete, which cascades to the groups) keep their transaction.

// badReferenceState is the SQLSTATE scim_bad_reference raises.
const badReferenceState = "SCMR1"

// pgBadReference is the statement that creates scim_bad_reference(i),
// which fails the statement calling it, naming the 1-based position i of
// the member element whose reference is missing.
const pgBadReference = `CREATE OR REPLACE FUNCTION scim_bad_reference(i bigint) RETURNS bigint LANGUAGE plpgsql AS $bad$
BEGIN
	RAISE EXCEPTION 'scimkit: member element % names no resource of its type', i USING ERRCODE = '` + badReferenceState + `';
END
$bad$`

// oneStatement builds one statement of CTEs.
type oneStatement struct {
	b    *builder
	ctes []string
}

func newOneStatement(d Dialect) *oneStatement { return &oneStatement{b: &builder{d: d}} }

// with adds the CTE name AS (body).
func (w *oneStatement) with(name, body string) {
	w.ctes = append(w.ctes, name+" AS ("+body+")")
}

// sql returns the statement: the CTEs, then final.
func (w *oneStatement) sql(final string) string {
	return "WITH " + strings.Join(w.ctes, ",\n") + "\n" + final
}

// memberRows are the member elements a write adds, as the columns of the
// rows the statement inserts, in order: those with a non-empty string
// "value".
type memberRows struct {
	values                []string
	displays, types, refs []*string
	// elems are the elements, by position in values.
	elems []map[string]any
}

func optPtr(m map[string]any, k string) *string {
	if v, ok := m[k].(string); ok {
		return &v
	}
	return nil
}

func newMemberRows(elems []any) *memberRows {
	a := &memberRows{}
	for _, e := range elems {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		v, ok := m["value"].(string)
		if !ok || v == "" {
			continue
		}
		a.values = append(a.values, v)
		a.displays = append(a.displays, optPtr(m, "display"))
		a.types = append(a.types, optPtr(m, "type"))
		a.refs = append(a.refs, optPtr(m, "$ref"))
		a.elems = append(a.elems, m)
	}
	return a
}

// addMembers adds to w the CTEs that check the references of a's elements
// (refs, read FOR KEY SHARE, which a Delete of the row waits for, and bad, the position of the first element whose
// value names no resource of its type: "User" a user, "Group" a group, no
// type either) and insert them into the group whose id the FROM item
// group gives as id, in order, skipping values already listed (ins,
// returning the values added). tenant is the tenant's placeholder. The
// elements are a VALUES list of scalar arguments rather than arrays, so
// that the plan PostgreSQL caches for the statement (a generic plan, made
// without the arguments) is the one it would make for them: the common
// delta, one member, is then planned once per connection.
func (w *oneStatement) addMembers(tenant, group string, a *memberRows) {
	b := w.b
	var rows, ids strings.Builder
	for i, v := range a.values {
		if i > 0 {
			rows.WriteString(", ")
			ids.WriteString(", ")
		}
		ph := b.arg(v)
		ids.WriteString(ph)
		rows.WriteString("(" + ph + "::text, " + b.arg(a.displays[i]) + "::text, " + b.arg(a.types[i]) + "::text, " + b.arg(a.refs[i]) + "::text, " + strconv.Itoa(i+1) + ")")
	}
	w.with("x(v, d, t, r, o)", "VALUES "+rows.String())
	w.with("refs", "SELECT id, type FROM scim_resources WHERE tenant = "+tenant+" AND id IN ("+ids.String()+") FOR KEY SHARE")
	w.with("bad", "SELECT min(x.o) AS o FROM x LEFT JOIN refs ON refs.id = x.v"+
		" WHERE refs.id IS NULL OR CASE WHEN coalesce(x.t, '') = '' THEN refs.type NOT IN ('"+userType+"', '"+groupType+"') ELSE refs.type <> x.t END")
	w.with("ins", "INSERT INTO scim_members (tenant, group_id, value, display, type, ref)"+
		" SELECT "+tenant+", g.id, x.v, x.d, x.t, x.r FROM "+group+" g, x ORDER BY x.o ON CONFLICT (tenant, group_id, value) DO NOTHING RETURNING value, ord")
}

// checked is the select-list item that fails the statement when bad names
// an element.
const checked = "(SELECT scim_bad_reference(o) FROM bad WHERE o IS NOT NULL)"

// addedValues is the select-list item giving the values ins added, in
// order, as a JSON array (NULL for none).
const addedValues = "(SELECT json_agg(value ORDER BY ord) FROM ins)"

// badReference turns the error of a statement that scim_bad_reference
// failed into the *store.ReferenceError of the element it names.
func badReference(err error, a *memberRows) error {
	var e interface{ SQLState() string }
	if a == nil || !errors.As(err, &e) || e.SQLState() != badReferenceState {
		return err
	}
	msg := err.Error()
	_, rest, _ := strings.Cut(msg, "member element ")
	num, _, _ := strings.Cut(rest, " ")
	i, convErr := strconv.Atoi(num)
	if convErr != nil || i < 1 || i > len(a.values) {
		return err
	}
	return &store.ReferenceError{Attribute: membersAttr, Value: a.values[i-1]}
}

// createOne is Create's one statement: the resource row and its members
// a (nil for a type without members).
func (s *Store) createOne(ctx context.Context, tenant, typ, id string, now time.Time, rw *row, a *memberRows, c store.Change) error {
	if (a == nil || len(a.values) == 0) && !s.feed {
		// The row alone: the plain INSERT, whose text never changes.
		_, err := s.db.ExecContext(ctx, s.insertSQL, s.insertArgs(tenant, id, typ, now, rw)...)
		return err
	}
	w := newOneStatement(s.d)
	b := w.b
	t := b.arg(tenant)
	w.with("res", "INSERT INTO scim_resources (tenant, id, type, version, created, last_modified, attrs, attrs_key, external_id, name_key, display_key) VALUES ("+
		t+", "+b.arg(id)+", "+b.arg(typ)+", 1, "+b.arg(s.d.timeArg(now))+", "+b.arg(s.d.timeArg(now))+", "+s.d.jsonArg(b.arg(rw.attrs))+", "+s.d.jsonArg(b.arg(rw.attrsKey))+", "+
		b.arg(rw.externalID)+", "+b.arg(rw.nameKey)+", "+b.arg(rw.displayKey)+") RETURNING id")
	check := "NULL"
	if a != nil && len(a.values) > 0 {
		w.addMembers(t, "res", a)
		check = checked
	}
	// Statements that must commit with the write go here, as further
	// CTEs of w.
	if err := s.recordOne(w, t, "res", c, now, ""); err != nil {
		return err
	}
	// Exec, not QueryRow: nothing is read back, and database/sql gives
	// every Rows a goroutine watching the context.
	_, err := s.db.ExecContext(ctx, w.sql("SELECT (SELECT count(*) FROM res), "+check), b.args...)
	if err == nil && s.feed {
		s.wake()
	}
	return badReference(err, a)
}

// addMembersOne is PatchMembers' one statement for a delta that only adds
// members: the version bump (the compare-and-swap when ifVersion is set)
// and the insertion of the new members. found is false when no row has
// that id, type and version.
func (s *Store) addMembersOne(ctx context.Context, tenant, typ, id, ifVersion string, now time.Time, a *memberRows) (version int64, created time.Time, added []string, found bool, err error) {
	w := newOneStatement(s.d)
	b := w.b
	t := b.arg(tenant)
	bump := "UPDATE scim_resources SET version = version + 1, last_modified = " + b.arg(s.d.timeArg(now)) +
		" WHERE tenant = " + t + " AND id = " + b.arg(id) + " AND " + typeOfID(s.d, "type", b.arg(typ))
	if ifVersion != "" {
		bump += " AND version = " + b.arg(parseVersion(ifVersion))
	}
	w.with("bump", bump+" RETURNING id, version, created")
	check, list := "NULL", "NULL"
	if len(a.values) > 0 {
		w.addMembers(t, "bump", a)
		check, list = checked, addedValues
	}
	// Statements that must commit with the write go here, as further
	// CTEs of w.
	q := w.sql("SELECT version, created, " + check + ", " + list + " FROM bump")
	var (
		c   any
		raw []byte
	)
	err = s.readRow(ctx, q, b.args, &version, &c, new(any), &raw)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, nil, false, nil
	}
	if err != nil {
		return 0, time.Time{}, nil, false, badReference(err, a)
	}
	if raw != nil {
		if err := json.Unmarshal(raw, &added); err != nil {
			return 0, time.Time{}, nil, false, err
		}
	}
	created, err = s.d.scanTime(c)
	return version, created, added, true, err
}

// replaceOne is Replace's one statement for a type without members or
// further unique attributes: the compare-and-swap of the attributes.
func (s *Store) replaceOne(ctx context.Context, tenant, typ, id, ifVersion string, now time.Time, rw *row, c store.Change) (version int64, created time.Time, found bool, err error) {
	w := newOneStatement(s.d)
	b := w.b
	t := b.arg(tenant)
	upd := "UPDATE scim_resources SET version = version + 1, last_modified = " + b.arg(s.d.timeArg(now)) +
		", attrs = " + s.d.jsonArg(b.arg(rw.attrs)) + ", attrs_key = " + s.d.jsonArg(b.arg(rw.attrsKey)) +
		", external_id = " + b.arg(rw.externalID) + ", name_key = " + b.arg(rw.nameKey) + ", display_key = " + b.arg(rw.displayKey) +
		" WHERE tenant = " + t + " AND id = " + b.arg(id) + " AND " + typeOfID(s.d, "type", b.arg(typ))
	if ifVersion != "" {
		upd += " AND version = " + b.arg(parseVersion(ifVersion))
	}
	w.with("upd", upd+" RETURNING version, created")
	// Statements that must commit with the write go here, as further
	// CTEs of w.
	if err := s.recordOne(w, t, "upd", c, now, "upd.version"); err != nil {
		return 0, time.Time{}, false, err
	}
	var cr any
	err = s.readRow(ctx, w.sql("SELECT version, created FROM upd"), b.args, &version, &cr)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, false, nil
	}
	if err != nil {
		return 0, time.Time{}, false, err
	}
	if s.feed {
		s.wake()
	}
	created, err = s.d.scanTime(cr)
	return version, created, true, err
}

// recordOne adds to w, when the store keeps a change feed, the CTEs that
// record c as record does in a transaction: the tenant's head position
// moves on once for each row of from (the write's CTE, which has none when
// the write changed nothing: a compare-and-swap that failed), and the event
// takes that position. The head row stays locked until the statement
// commits, so the tenant's positions still commit in order without gaps,
// and the lock is held only inside the server. version, if not "", is the
// SQL expression of the resource's new version, written into the change.
func (s *Store) recordOne(w *oneStatement, t, from string, c store.Change, now time.Time, version string) error {
	if !s.feed {
		return nil
	}
	change, err := json.Marshal(c)
	if err != nil {
		return err
	}
	b := w.b
	w.with("feed_head", "INSERT INTO scim_feed_heads (tenant, position) SELECT "+t+", 1 FROM "+from+
		" ON CONFLICT (tenant) DO UPDATE SET position = scim_feed_heads.position + 1 RETURNING position")
	expr, src := b.arg(string(change)), "feed_head"
	if version != "" {
		expr = "jsonb_set(CAST(" + expr + " AS text)::jsonb, '{version}', to_jsonb(CAST(" + version + " AS text)))::text"
		src = "feed_head, " + from
	}
	w.with("feed_event", "INSERT INTO scim_feed (tenant, position, id, at, change) SELECT "+t+", feed_head.position, "+
		b.arg(store.NewID())+", CAST("+b.arg(now.UnixMicro())+" AS bigint), "+expr+" FROM "+src)
	return nil
}

// oneShot reports whether the store's writes of ti may be one statement.
func (s *Store) oneShot(ti *typeInfo) bool {
	_, pg := s.d.(postgres)
	return pg && len(ti.extraUnique) == 0
}

// oneShotMembers returns the members elems of a write as the rows of one
// statement, or nil when they are too many for one (more than insertBatch,
// which keeps the statement's arguments far below PostgreSQL's bound).
func oneShotMembers(elems []any) (*memberRows, bool) {
	a := newMemberRows(elems)
	return a, len(a.values) <= insertBatch
}
