package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// userType is the resource type whose deletion removes the deleted
// resource from the members of every group, as in the memory store.
// Members without a type must name a resource of userType or groupType.
const (
	userType  = "User"
	groupType = "Group"
)

// membersAttr is the attribute a resource type keeps in the members table
// when its core schema defines it as multi-valued and complex with a
// "value" sub-attribute (the Group schema does).
const membersAttr = "members"

// patchResultMembers is the largest member count for which PatchMembers
// returns the whole resource; bigger groups get a nil Resource.
const patchResultMembers = 100

// insertBatch is how many rows one multi-row INSERT writes.
const insertBatch = 1000

// Config configures [New].
type Config struct {
	// Dialect is Postgres or SQLite; required.
	Dialect Dialect
	// ResourceTypes are the resource types whose rules the store applies:
	// uniqueness of the core schema's single-valued string attributes
	// whose Uniqueness is server or global (userName), compared
	// case-insensitively unless the attribute is caseExact; members in the
	// members table for a core "members" attribute; and the attribute
	// definitions used when a filter path is not bound. Resources of other
	// types are stored too, without such rules. Nil means
	// schema.UserResourceType(schema.EnterpriseUserSchema()) and
	// schema.GroupResourceType().
	ResourceTypes []*schema.ResourceType
	// Tenant returns the tenant of a call from its context; every row
	// carries it and every statement is scoped by it. Nil means a single
	// tenant, "".
	Tenant func(ctx context.Context) string
	// Now returns the current time for Meta.Created and Meta.LastModified;
	// it is converted to UTC and truncated to microseconds (the precision
	// of PostgreSQL timestamps). Nil means time.Now.
	Now func() time.Time
	// NewID returns the id of a new resource, unique in its tenant across
	// all types. Nil means a random UUID (version 4).
	NewID func() string
}

// Store is a [store.Store] over a SQL database. Create it with [New] and
// call [Store.Migrate] once before use. It is safe for concurrent use as
// far as the database is: PostgreSQL serializes the writes of one resource
// with row locks; with SQLite, give the *sql.DB a single connection
// (db.SetMaxOpenConns(1)) or a busy timeout.
type Store struct {
	db     *sql.DB
	d      Dialect
	tenant func(context.Context) string
	now    func() time.Time
	newID  func() string
	types  map[string]*typeInfo
}

var (
	_ store.Store          = (*Store)(nil)
	_ store.MemberPatcher  = (*Store)(nil)
	_ store.FilterSplitter = (*Store)(nil)
)

// typeInfo is what the store derived from one resource type.
type typeInfo struct {
	rt *schema.ResourceType
	// nameKey is the unique attribute kept in the name_key column, or
	// nil; extraUnique are the further unique attributes, kept in the
	// scim_unique table.
	nameKey     *schema.Attribute
	extraUnique []*schema.Attribute
	// display is the "displayName" attribute kept in the display_key
	// column, or nil.
	display *schema.Attribute
	// members is the core "members" attribute kept in the members table,
	// or nil.
	members *schema.Attribute
}

// defaultInfo applies to types missing from Config.ResourceTypes.
var defaultInfo = &typeInfo{}

// New returns a store over db. It does not touch the database; call
// Migrate to create the tables.
func New(db *sql.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: New needs a database")
	}
	if cfg.Dialect == nil {
		return nil, errors.New("sqlstore: Config.Dialect is required (sqlstore.Postgres or sqlstore.SQLite)")
	}
	s := &Store{db: db, d: cfg.Dialect, tenant: cfg.Tenant, now: cfg.Now, newID: cfg.NewID, types: map[string]*typeInfo{}}
	if s.tenant == nil {
		s.tenant = func(context.Context) string { return "" }
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = store.NewID
	}
	rts := cfg.ResourceTypes
	if rts == nil {
		rts = []*schema.ResourceType{schema.UserResourceType(schema.EnterpriseUserSchema()), schema.GroupResourceType()}
	}
	for _, rt := range rts {
		if rt == nil || rt.Schema == nil {
			continue
		}
		if _, dup := s.types[rt.Name]; dup {
			return nil, fmt.Errorf("sqlstore: resource type %q is configured twice", rt.Name)
		}
		s.types[rt.Name] = infoFor(rt)
	}
	return s, nil
}

func infoFor(rt *schema.ResourceType) *typeInfo {
	ti := &typeInfo{rt: rt}
	for _, a := range rt.Schema.Attributes {
		if a == nil {
			continue
		}
		if !a.MultiValued && stringLike(a.Type) && (a.Uniqueness == schema.UniqueServer || a.Uniqueness == schema.UniqueGlobal) {
			if ti.nameKey == nil {
				ti.nameKey = a
			} else {
				ti.extraUnique = append(ti.extraUnique, a)
			}
		}
	}
	if a := rt.Schema.Attr("displayName"); a != nil && !a.MultiValued && stringLike(a.Type) && a != ti.nameKey {
		ti.display = a
	}
	if a := rt.Schema.Attr(membersAttr); a != nil && a.Name == membersAttr && a.MultiValued && a.Type == schema.Complex && a.Sub("value") != nil {
		ti.members = a
	}
	return ti
}

func (s *Store) info(typ string) *typeInfo {
	if ti := s.types[typ]; ti != nil {
		return ti
	}
	return defaultInfo
}

func stringLike(t schema.Type) bool {
	switch t {
	case schema.String, schema.Reference, schema.Binary:
		return true
	}
	return false
}

// builder accumulates SQL text and its arguments.
type builder struct {
	d    Dialect
	sb   strings.Builder
	args []any
}

// arg adds an argument and returns its placeholder.
func (b *builder) arg(v any) string {
	b.args = append(b.args, v)
	return b.d.placeholder(len(b.args))
}

func (b *builder) write(parts ...string) {
	for _, p := range parts {
		b.sb.WriteString(p)
	}
}

// rebind rewrites the ? placeholders of a fixed statement for d.
func rebind(d Dialect, q string) string {
	if d.placeholder(1) == "?" {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString(d.placeholder(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// row is the stored form of a resource's attributes.
type row struct {
	attrs      string
	attrsKey   sql.NullString // attrs with the strings that fold folded (keyDoc); NULL for unknown types
	externalID sql.NullString
	nameKey    sql.NullString
	displayKey sql.NullString
	members    []any
	unique     map[string]string // attribute name -> key, for extraUnique
}

// split turns canonical attributes into their stored form.
func (s *Store) split(ti *typeInfo, attrs map[string]any) (*row, error) {
	r := &row{}
	body := attrs
	if ti.members != nil {
		if m, ok := attrs[membersAttr]; ok {
			r.members, _ = m.([]any)
			body = make(map[string]any, len(attrs))
			for k, v := range attrs {
				if k != membersAttr {
					body[k] = v
				}
			}
		}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: encoding attributes: %w", err)
	}
	r.attrs = string(b)
	if ti.rt != nil {
		if b, err = json.Marshal(keyDoc(ti.rt, body)); err != nil {
			return nil, fmt.Errorf("sqlstore: encoding attributes: %w", err)
		}
		r.attrsKey = sql.NullString{String: string(b), Valid: true}
	}
	if v, ok := attrs["externalId"].(string); ok {
		r.externalID = sql.NullString{String: v, Valid: true}
	}
	if ti.nameKey != nil {
		if v, ok := attrs[ti.nameKey.Name].(string); ok {
			r.nameKey = sql.NullString{String: ti.nameKey.Key(v), Valid: true}
		}
	}
	if ti.display != nil {
		if v, ok := attrs[ti.display.Name].(string); ok {
			r.displayKey = sql.NullString{String: ti.display.Key(v), Valid: true}
		}
	}
	for _, a := range ti.extraUnique {
		if v, ok := attrs[a.Name].(string); ok {
			if r.unique == nil {
				r.unique = map[string]string{}
			}
			r.unique[a.Name] = a.Key(v)
		}
	}
	return r, nil
}

// conflict returns the ConflictError of the unique attribute a.
func conflict(a *schema.Attribute, attrs map[string]any) error {
	v, _ := attrs[a.Name].(string)
	return &store.ConflictError{Attribute: a.Name, Value: v}
}

func (s *Store) stamp() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// Create stores r with a new id, version 1 and Created equal to
// LastModified. It returns an error wrapping store.ErrConflict (a
// *store.ConflictError) if a unique attribute's value is taken.
func (s *Store) Create(ctx context.Context, r *store.Resource) (*store.Resource, error) {
	if r == nil || r.Type == "" {
		return nil, errors.New("sqlstore: Create needs a resource with a type")
	}
	ti := s.info(r.Type)
	rw, err := s.split(ti, r.Attributes)
	if err != nil {
		return nil, err
	}
	id := s.newID()
	if id == "" {
		return nil, errors.New("sqlstore: the id generator returned an empty id")
	}
	tenant := s.tenant(ctx)
	now := s.stamp()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, rebind(s.d, `INSERT INTO scim_resources (tenant, id, type, version, created, last_modified, attrs, attrs_key, external_id, name_key, display_key) VALUES (?, ?, ?, 1, ?, ?, `+s.d.jsonArg("?")+`, `+s.d.jsonArg("?")+`, ?, ?, ?)`),
			tenant, id, r.Type, s.d.timeArg(now), s.d.timeArg(now), rw.attrs, rw.attrsKey, rw.externalID, rw.nameKey, rw.displayKey)
		if err != nil {
			if s.d.uniqueViolation(err) {
				if ti.nameKey != nil && rw.nameKey.Valid && s.taken(ctx, tx, tenant, r.Type, rw.nameKey.String) {
					return conflict(ti.nameKey, r.Attributes)
				}
				return fmt.Errorf("sqlstore: the id generator returned %q, which is in use: %w", id, err)
			}
			return err
		}
		if err := s.insertUnique(ctx, tx, ti, tenant, r.Type, id, rw, r.Attributes); err != nil {
			return err
		}
		if ti.members != nil {
			if err := s.checkRefs(ctx, tx, tenant, "", rw.members); err != nil {
				return err
			}
			_, err := s.addMembers(ctx, tx, tenant, id, rw.members)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &store.Resource{
		Type:       r.Type,
		ID:         id,
		Attributes: r.Attributes,
		Meta:       store.Meta{Created: now, LastModified: now, Version: "1"},
	}, nil
}

// taken reports whether the name key is held, after a unique violation.
// In PostgreSQL the failed statement aborted tx, so it asks outside it.
func (s *Store) taken(ctx context.Context, tx *sql.Tx, tenant, typ, k string) bool {
	if _, ok := s.d.(postgres); !ok {
		var n int
		err := tx.QueryRowContext(ctx, rebind(s.d, `SELECT count(*) FROM scim_resources WHERE tenant = ? AND type = ? AND name_key = ?`), tenant, typ, k).Scan(&n)
		return err == nil && n > 0
	}
	// A unique violation on the resources table is either the name key
	// or the primary key; ids come from a generator meant never to repeat,
	// so the name key is the overwhelmingly likely one. Confirm it.
	var n int
	err := s.db.QueryRowContext(ctx, rebind(s.d, `SELECT count(*) FROM scim_resources WHERE tenant = ? AND type = ? AND name_key = ?`), tenant, typ, k).Scan(&n)
	return err != nil || n > 0
}

// insertUnique records the further unique attributes of a resource.
func (s *Store) insertUnique(ctx context.Context, tx *sql.Tx, ti *typeInfo, tenant, typ, id string, rw *row, attrs map[string]any) error {
	for _, a := range ti.extraUnique {
		k, ok := rw.unique[a.Name]
		if !ok {
			continue
		}
		_, err := tx.ExecContext(ctx, rebind(s.d, `INSERT INTO scim_unique (tenant, type, attr, key, id) VALUES (?, ?, ?, ?, ?)`), tenant, typ, a.Name, k, id)
		if err != nil {
			if s.d.uniqueViolation(err) {
				return conflict(a, attrs)
			}
			return err
		}
	}
	return nil
}

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
// finds (FOR SHARE), so a concurrent Delete of a referenced user either
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
			b.write(" FOR SHARE")
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

// inTx runs f in a transaction, committing if it returns nil.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback() // the error of f is the one that matters
		return err
	}
	return tx.Commit()
}

// selectList is the column list every read uses, for the row alias r.
func (s *Store) selectList(ti *typeInfo) string {
	members := "NULL"
	if ti.members != nil {
		members = s.d.membersJSON()
	}
	return "r.id, r.version, r.created, r.last_modified, r.attrs, " + members
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanResource reads a row of selectList (plus extra destinations).
func (s *Store) scanResource(sc scanner, typ string, extra ...any) (*store.Resource, error) {
	var (
		id               string
		version          int64
		created, lastMod any
		attrs, members   []byte
	)
	dest := append([]any{&id, &version, &created, &lastMod, &attrs, &members}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	res := &store.Resource{Type: typ, ID: id, Meta: store.Meta{Version: strconv.FormatInt(version, 10)}}
	var err error
	if res.Meta.Created, err = s.d.scanTime(created); err != nil {
		return nil, err
	}
	if res.Meta.LastModified, err = s.d.scanTime(lastMod); err != nil {
		return nil, err
	}
	if res.Attributes, err = decodeObject(attrs); err != nil {
		return nil, err
	}
	if len(members) > 0 {
		ms, err := decodeMembers(members)
		if err != nil {
			return nil, err
		}
		if len(ms) > 0 {
			res.Attributes[membersAttr] = ms
		}
	}
	return res, nil
}

func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("sqlstore: decoding stored attributes: %w", err)
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// decodeMembers decodes the members JSON of a read, leaving out null
// fields.
func decodeMembers(b []byte) ([]any, error) {
	var ms []map[string]*string
	if err := json.Unmarshal(b, &ms); err != nil {
		return nil, fmt.Errorf("sqlstore: decoding stored members: %w", err)
	}
	out := make([]any, 0, len(ms))
	for _, m := range ms {
		el := make(map[string]any, len(m))
		for k, v := range m {
			if v != nil {
				el[k] = *v
			}
		}
		out = append(out, el)
	}
	return out, nil
}

func notFound(typ, id string) error {
	return fmt.Errorf("%w: %s %q", store.ErrNotFound, typ, id)
}

// Get returns the resource typ/id, or an error wrapping store.ErrNotFound.
func (s *Store) Get(ctx context.Context, typ, id string) (*store.Resource, error) {
	ti := s.info(typ)
	q := rebind(s.d, "SELECT "+s.selectList(ti)+" FROM scim_resources r WHERE r.tenant = ? AND r.id = ? AND r.type = ?")
	res, err := s.scanResource(s.db.QueryRowContext(ctx, q, s.tenant(ctx), id, typ), typ)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(typ, id)
	}
	return res, err
}

// parseVersion returns the stored version an ifVersion names, or -1 when
// it names none.
func parseVersion(v string) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 || strconv.FormatInt(n, 10) != v {
		return -1
	}
	return n
}

// missingOrStale explains why a compare-and-swap on typ/id changed no row.
func (s *Store) missingOrStale(ctx context.Context, tx *sql.Tx, tenant, typ, id, ifVersion string) error {
	var v int64
	err := tx.QueryRowContext(ctx, rebind(s.d, `SELECT version FROM scim_resources WHERE tenant = ? AND id = ? AND type = ?`), tenant, id, typ).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(typ, id)
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: %s %q is at version %q, not %q", store.ErrVersionMismatch, typ, id, strconv.FormatInt(v, 10), ifVersion)
}

// bump gives typ/id a new version and lastModified if its version is
// ifVersion (any when empty) and returns the new version and Created.
func (s *Store) bump(ctx context.Context, tx *sql.Tx, tenant, typ, id, ifVersion string, now time.Time, set string, setArgs ...any) (int64, time.Time, error) {
	b := &builder{d: s.d}
	b.write("UPDATE scim_resources SET version = version + 1, last_modified = ", b.arg(s.d.timeArg(now)))
	if set != "" {
		b.write(", ", set)
		b.args = append(b.args, setArgs...)
	}
	b.write(" WHERE tenant = ", b.arg(tenant), " AND id = ", b.arg(id), " AND type = ", b.arg(typ))
	if ifVersion != "" {
		b.write(" AND version = ", b.arg(parseVersion(ifVersion)))
	}
	b.write(" RETURNING version, created")
	var (
		v       int64
		created any
	)
	err := tx.QueryRowContext(ctx, b.sb.String(), b.args...).Scan(&v, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, s.missingOrStale(ctx, tx, tenant, typ, id, ifVersion)
	}
	if err != nil {
		return 0, time.Time{}, err
	}
	c, err := s.d.scanTime(created)
	return v, c, err
}

// Replace overwrites r.Type/r.ID with r's attributes, keeping Created and
// giving a new version. See store.Store for the ifVersion rule and errors.
func (s *Store) Replace(ctx context.Context, r *store.Resource, ifVersion string) (*store.Resource, error) {
	if r == nil {
		return nil, errors.New("sqlstore: Replace needs a resource")
	}
	ti := s.info(r.Type)
	rw, err := s.split(ti, r.Attributes)
	if err != nil {
		return nil, err
	}
	tenant := s.tenant(ctx)
	now := s.stamp()
	var (
		version int64
		created time.Time
	)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		version, created, err = s.writeAttrs(ctx, tx, ti, tenant, r.Type, r.ID, ifVersion, now, rw, r.Attributes)
		if err != nil {
			return err
		}
		if ti.members != nil {
			// Members the group already lists are not checked again.
			if err := s.checkRefs(ctx, tx, tenant, r.ID, rw.members); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, rebind(s.d, `DELETE FROM scim_members WHERE tenant = ? AND group_id = ?`), tenant, r.ID); err != nil {
				return err
			}
			_, err := s.addMembers(ctx, tx, tenant, r.ID, rw.members)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &store.Resource{
		Type:       r.Type,
		ID:         r.ID,
		Attributes: r.Attributes,
		Meta:       store.Meta{Created: created, LastModified: now, Version: strconv.FormatInt(version, 10)},
	}, nil
}

// writeAttrs replaces the attributes (not the members) of typ/id with rw
// under the ifVersion rule.
func (s *Store) writeAttrs(ctx context.Context, tx *sql.Tx, ti *typeInfo, tenant, typ, id, ifVersion string, now time.Time, rw *row, attrs map[string]any) (int64, time.Time, error) {
	ph := s.d.placeholder
	// The SET arguments follow last_modified, which is argument 1.
	set := "attrs = " + s.d.jsonArg(ph(2)) + ", attrs_key = " + s.d.jsonArg(ph(3)) + ", external_id = " + ph(4) + ", name_key = " + ph(5) + ", display_key = " + ph(6)
	version, created, err := s.bump(ctx, tx, tenant, typ, id, ifVersion, now, set, rw.attrs, rw.attrsKey, rw.externalID, rw.nameKey, rw.displayKey)
	if err != nil {
		if s.d.uniqueViolation(err) && ti.nameKey != nil {
			return 0, time.Time{}, conflict(ti.nameKey, attrs)
		}
		return 0, time.Time{}, err
	}
	if len(ti.extraUnique) > 0 {
		if _, err := tx.ExecContext(ctx, rebind(s.d, `DELETE FROM scim_unique WHERE tenant = ? AND id = ?`), tenant, id); err != nil {
			return 0, time.Time{}, err
		}
		if err := s.insertUnique(ctx, tx, ti, tenant, typ, id, rw, attrs); err != nil {
			return 0, time.Time{}, err
		}
	}
	return version, created, nil
}

// Delete removes typ/id under the ifVersion rule. Deleting a User removes
// it from the members of every group (members of type "Group" are left),
// giving each group touched a new version and lastModified.
func (s *Store) Delete(ctx context.Context, typ, id, ifVersion string) error {
	ti := s.info(typ)
	tenant := s.tenant(ctx)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		b := &builder{d: s.d}
		b.write("DELETE FROM scim_resources WHERE tenant = ", b.arg(tenant), " AND id = ", b.arg(id), " AND type = ", b.arg(typ))
		if ifVersion != "" {
			b.write(" AND version = ", b.arg(parseVersion(ifVersion)))
		}
		res, err := tx.ExecContext(ctx, b.sb.String(), b.args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return s.missingOrStale(ctx, tx, tenant, typ, id, ifVersion)
		}
		if ti.members != nil {
			if _, err := tx.ExecContext(ctx, rebind(s.d, `DELETE FROM scim_members WHERE tenant = ? AND group_id = ?`), tenant, id); err != nil {
				return err
			}
		}
		if len(ti.extraUnique) > 0 {
			if _, err := tx.ExecContext(ctx, rebind(s.d, `DELETE FROM scim_unique WHERE tenant = ? AND id = ?`), tenant, id); err != nil {
				return err
			}
		}
		if typ != userType {
			return nil
		}
		const held = `SELECT group_id FROM scim_members WHERE tenant = ? AND value = ? AND (type IS NULL OR type <> 'Group')`
		if _, err := tx.ExecContext(ctx, rebind(s.d, `UPDATE scim_resources SET version = version + 1, last_modified = ? WHERE tenant = ? AND id IN (`+held+`)`),
			s.d.timeArg(s.stamp()), tenant, tenant, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, rebind(s.d, `DELETE FROM scim_members WHERE tenant = ? AND value = ? AND (type IS NULL OR type <> 'Group')`), tenant, id)
		return err
	})
}

// PatchMembers applies d to the members of typ/id in one transaction that
// also gives the resource a new version and lastModified, with single-row
// inserts and deletes in the members table: its cost does not grow with
// the group. The result's Resource is nil when the group has more than 100
// members. It returns an error wrapping errors.ErrUnsupported when typ keeps
// no members table, d.Attribute is not "members", or d.Set names members.
func (s *Store) PatchMembers(ctx context.Context, typ, id string, d store.MemberDelta, ifVersion string) (*store.MemberResult, error) {
	ti := s.info(typ)
	if ti.members == nil || d.Attribute != membersAttr {
		return nil, fmt.Errorf("sqlstore: %s has no members table for %q: %w", typ, d.Attribute, errors.ErrUnsupported)
	}
	if _, ok := d.Set[membersAttr]; ok {
		return nil, fmt.Errorf("sqlstore: Set names %q: %w", membersAttr, errors.ErrUnsupported)
	}
	tenant := s.tenant(ctx)
	now := s.stamp()
	out := &store.MemberResult{}
	var (
		version int64
		created time.Time
		attrs   map[string]any
	)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
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
	q := rebind(s.d, `SELECT attrs FROM scim_resources WHERE tenant = ? AND id = ? AND type = ?`)
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
		if had != (v != nil) || (had && !sameJSON(old, v)) {
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

// sameJSON reports whether two canonical values encode alike.
func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
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
