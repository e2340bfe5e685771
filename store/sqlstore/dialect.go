package sqlstore

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scimkit/scimkit/scim/schema"
)

// Dialect is the SQL flavour of the database a [Store] talks to: [Postgres]
// or [SQLite]. It covers what differs between them: placeholders ($1 or ?),
// the table definitions, JSON access (jsonb operators or the JSON1
// functions), case folding, how times are stored, and which driver errors
// mean a uniqueness violation. It has unexported methods only, so the two
// values below are the only dialects.
type Dialect interface {
	// name is "postgres" or "sqlite", for messages.
	name() string
	// placeholder returns the placeholder of the n-th argument (1-based).
	placeholder(n int) string
	// schema returns the statements that create the tables and indexes;
	// each is idempotent.
	schema() []string

	// rowDoc returns the base and keys below it at which filters and
	// sorts read the value at keys below the row's attributes: the
	// top-level attribute keys[0] from attrs_key when the row has it
	// there, else from attrs (see appendKeyDoc). A key that cannot be written
	// safely is left in the keys, where the path functions refuse it.
	rowDoc(keys []string) (base string, rest []string)

	// jsonValue returns an expression of the JSON value at keys below
	// base (a jsonb column or element in PostgreSQL; JSON text in
	// SQLite), or "" when the keys cannot be written safely.
	jsonValue(base string, keys []string) string
	// jsonText is the value as SQL text (strings unquoted), NULL when
	// missing.
	jsonText(base string, keys []string) string
	// jsonType is the JSON type name of the value, NULL when missing;
	// typeString, typeNumber, typeTrue and typeObject etc. name its
	// results.
	jsonType(base string, keys []string) string
	// elements returns a FROM item that ranges over the elements of the
	// JSON array at keys below base, aliased alias; the expression of an
	// element's value; the base to use for an element's own keys (NULL
	// unless the element is an object); and the element's position.
	elements(base string, keys []string, alias string) (from, elem, obj, pos string)
	// elemType is the JSON type of an element produced by elements.
	elemType(alias, elem string) string
	// elemText is an element's value as SQL text.
	elemText(alias, elem string) string

	typeString() string
	typeArray() string
	typeObject() string
	typeNull() string
	// isBool returns a condition that the JSON value is the boolean v.
	isBool(base string, keys []string, v bool) string
	isBoolElem(alias, elem string, v bool) string
	// numeric returns an expression of the value as a number, NULL when it
	// is not a number; numericArg converts a filter number for it.
	numeric(base string, keys []string) string
	numericElem(alias, elem string) string
	numericArg(s string) (any, error)
	// instant returns an expression ordering dateTime text as instants;
	// instantArg converts a time for comparison with it.
	instant(text string) string
	instantArg(t time.Time) any
	// timeArg and scanTime convert the created and last_modified columns.
	timeArg(t time.Time) any
	scanTime(v any) (time.Time, error)

	// fold returns an expression giving schema.Fold of text (scim_fold),
	// for the columns that hold no key (members' display and type).
	fold(text string) string
	// textOrder wraps a text expression so it orders by code point.
	textOrder(text string) string
	// like returns the condition that text contains (op co), starts with
	// (sw) or ends with (ew) the non-empty needle; folded compares both
	// folded, otherwise exactly.
	like(b *builder, op string, text, needle string, folded bool) string
	// anyOf returns the condition that text equals (op eq), contains
	// (co), starts with (sw) or ends with (ew) one of the non-empty
	// needles, compared exactly.
	anyOf(b *builder, op string, text string, needles []string) string
	// jsonArg wraps the placeholder of a JSON text argument.
	jsonArg(ph string) string
	// membersJSON returns an expression of the members of the group row
	// alias r as a JSON array in member order, NULL when it has none.
	membersJSON() string
	// groupsJSON returns an expression of the groups whose members list
	// the row alias r, as a JSON array of [id, displayName] in id order,
	// NULL or empty when there are none (what GroupsOf answers for r.id).
	groupsJSON() string

	// uniqueViolation reports whether err is a unique-constraint failure.
	uniqueViolation(err error) bool
}

// Postgres is the dialect of PostgreSQL 12 and later, used through any
// database/sql driver for it (github.com/jackc/pgx/v5/stdlib is tested).
// Attributes are stored as jsonb. Case-insensitive comparisons fold both
// sides with schema.Fold: the filter value in Go, stored text with the SQL
// function scim_fold that Migrate creates (translate() over Fold's table),
// so the database must use the UTF8 encoding; its locale does not matter.
var Postgres Dialect = postgres{}

// SQLite is the dialect of SQLite 3.38 and later through the pure Go driver
// modernc.org/sqlite (driver name "sqlite"), which this package imports to
// register the functions the translated filters call: scim_fold (Unicode
// case folding) and scim_instant (dateTime text to a sortable UTC instant).
// Attributes are stored as JSON text; created and last_modified are stored
// as fixed-width UTC text, which orders as the instants do.
var SQLite Dialect = sqlite{}

// quoteLiteral returns s as an SQL string literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// safeKey reports whether a JSON key may be written into SQL text: schema
// names and URNs always are; the check keeps out quotes and control
// characters.
func safeKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c < 0x20 || c == '"' || c == '\'' || c == '\\' || c == 0x7f {
			return false
		}
	}
	return true
}

// likePattern is the LIKE pattern (backslash escapes) matching the values
// that contain needle (op "co"), start with it ("sw") or end with it ("ew").
func likePattern(op, needle string) string {
	p := likeEscape(needle)
	switch op {
	case "co":
		return "%" + p + "%"
	case "sw":
		return p + "%"
	}
	return "%" + p
}

// likeEscape escapes the LIKE wildcards of s with backslashes.
func likeEscape(s string) string {
	if !strings.ContainsAny(s, `%_\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%', '_', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// instantLayout is the fixed-width UTC layout SQLite stores times in and
// scim_instant produces: it orders lexically as the instants do for years
// 0000 to 9999.
const instantLayout = "2006-01-02T15:04:05.000000000Z"

// pgInstantLayout is the layout of the PostgreSQL dialect's instant keys.
const pgInstantLayout = "2006-01-02T15:04:05.000000000"

type postgres struct{}

func (postgres) name() string { return "postgres" }

func (postgres) placeholder(n int) string { return "$" + strconv.Itoa(n) }

func (postgres) schema() []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS scim_resources (
	tenant text NOT NULL,
	id text NOT NULL,
	type text NOT NULL,
	seq bigint GENERATED ALWAYS AS IDENTITY,
	version bigint NOT NULL,
	created timestamptz NOT NULL,
	last_modified timestamptz NOT NULL,
	attrs jsonb NOT NULL,
	attrs_key jsonb,
	external_id text COLLATE "C",
	name_key text COLLATE "C",
	display_key text COLLATE "C",
	PRIMARY KEY (tenant, id)
)`,
		`ALTER TABLE scim_resources ADD COLUMN IF NOT EXISTS attrs_key jsonb`,
		// The key indexes put the key before the type, and the
		// lookups by a key compare the type under the C collation
		// (typeOfID), which no index serves: so only a key index has
		// two equality conditions of such a lookup, whatever the
		// planner's statistics. The paging index leads with the type,
		// so it serves none of those lookups, nor a read of a row by
		// tenant and id, which only the primary key can serve: on an
		// empty or never-analysed table, where every index looks
		// equally cheap, the planner cannot pick it for them (with a
		// leading tenant it did, once no other index tied with it).
		`CREATE UNIQUE INDEX IF NOT EXISTS scim_resources_by_name ON scim_resources (tenant, name_key, type) WHERE name_key IS NOT NULL`,
		`DROP INDEX IF EXISTS scim_resources_name_key`,
		`CREATE INDEX IF NOT EXISTS scim_resources_by_type ON scim_resources (type, tenant, seq)`,
		`DROP INDEX IF EXISTS scim_resources_seq`,
		`CREATE INDEX IF NOT EXISTS scim_resources_by_external_id ON scim_resources (tenant, external_id, type) WHERE external_id IS NOT NULL`,
		`DROP INDEX IF EXISTS scim_resources_external_id`,
		`CREATE INDEX IF NOT EXISTS scim_resources_by_display ON scim_resources (tenant, display_key, type) WHERE display_key IS NOT NULL`,
		`DROP INDEX IF EXISTS scim_resources_display_key`,
		// No index on last_modified: every write changes it, and an
		// index on it would make every write rewrite every index of
		// the row (no heap-only update). None on created either: no
		// identity provider filters or sorts by it, and every create
		// would pay for it (about 2µs of PostgreSQL's time per
		// INSERT). Filters and sorts on meta.created and
		// meta.lastModified read the type's rows in seq order,
		// bounded by Config.StatementTimeout and MaxScan.
		`DROP INDEX IF EXISTS scim_resources_created`,
		`DROP INDEX IF EXISTS scim_resources_last_modified`,
		`CREATE TABLE IF NOT EXISTS scim_members (
	tenant text NOT NULL,
	group_id text NOT NULL,
	value text NOT NULL,
	display text,
	type text,
	ref text,
	ord bigint GENERATED ALWAYS AS IDENTITY,
	PRIMARY KEY (tenant, group_id, value)
)`,
		// The groups listing a member: (tenant, value) with the group's
		// id, so that the lookup reads the index alone and no estimate
		// can make the primary key (tenant, group_id, value) look as
		// cheap.
		`CREATE INDEX IF NOT EXISTS scim_members_value_group ON scim_members (tenant, value, group_id)`,
		`DROP INDEX IF EXISTS scim_members_value`,
		`CREATE INDEX IF NOT EXISTS scim_members_order ON scim_members (tenant, group_id, ord)`,
		`CREATE TABLE IF NOT EXISTS scim_unique (
	tenant text NOT NULL,
	type text NOT NULL,
	attr text NOT NULL,
	key text NOT NULL,
	id text NOT NULL,
	PRIMARY KEY (tenant, type, attr, key)
)`,
		`CREATE INDEX IF NOT EXISTS scim_unique_id ON scim_unique (tenant, id)`,
		`CREATE TABLE IF NOT EXISTS scim_settings (
	name text PRIMARY KEY,
	value text NOT NULL
)`,
		pgFold(),
		pgBadReference,
	}
}

func pgPath(base string, keys []string, lastText bool) string {
	var b strings.Builder
	b.WriteString(base)
	for i, k := range keys {
		if !safeKey(k) {
			return ""
		}
		if lastText && i == len(keys)-1 {
			b.WriteString("->>")
		} else {
			b.WriteString("->")
		}
		b.WriteString(quoteLiteral(k))
	}
	return b.String()
}

func (postgres) rowDoc(keys []string) (string, []string) {
	if len(keys) == 0 || !safeKey(keys[0]) {
		return "r.attrs", keys
	}
	k := quoteLiteral(keys[0])
	return "COALESCE(r.attrs_key->" + k + ", r.attrs->" + k + ")", keys[1:]
}

func (postgres) jsonValue(base string, keys []string) string { return pgPath(base, keys, false) }

func (postgres) jsonText(base string, keys []string) string {
	if len(keys) == 0 {
		return "(" + base + "#>>'{}')"
	}
	return pgPath(base, keys, true)
}

func (postgres) jsonType(base string, keys []string) string {
	p := pgPath(base, keys, false)
	if p == "" {
		return ""
	}
	return "jsonb_typeof(" + p + ")"
}

func (postgres) elements(base string, keys []string, alias string) (from, elem, obj, pos string) {
	p := pgPath(base, keys, false)
	if p == "" {
		return "", "", "", ""
	}
	v := alias + ".v"
	return "jsonb_array_elements(CASE WHEN jsonb_typeof(" + p + ")='array' THEN " + p + " END) WITH ORDINALITY AS " + alias + "(v,i)", v, v, alias + ".i"
}

func (postgres) elemType(_, elem string) string { return "jsonb_typeof(" + elem + ")" }
func (postgres) elemText(_, elem string) string { return "(" + elem + "#>>'{}')" }
func (postgres) typeString() string             { return "'string'" }
func (postgres) typeArray() string              { return "'array'" }
func (postgres) typeObject() string             { return "'object'" }
func (postgres) typeNull() string               { return "'null'" }

func pgBool(v bool) string {
	if v {
		return "'true'::jsonb"
	}
	return "'false'::jsonb"
}

func (postgres) isBool(base string, keys []string, v bool) string {
	p := pgPath(base, keys, false)
	if p == "" {
		return ""
	}
	return "(" + p + "=" + pgBool(v) + ")"
}

func (postgres) isBoolElem(_, elem string, v bool) string { return "(" + elem + "=" + pgBool(v) + ")" }

func (d postgres) numeric(base string, keys []string) string {
	p := pgPath(base, keys, false)
	if p == "" {
		return ""
	}
	return "(CASE WHEN jsonb_typeof(" + p + ")='number' THEN (" + p + "#>>'{}')::numeric END)"
}

func (postgres) numericElem(_, elem string) string {
	return "(CASE WHEN jsonb_typeof(" + elem + ")='number' THEN (" + elem + "#>>'{}')::numeric END)"
}

func (postgres) numericArg(s string) (any, error) {
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		return nil, err
	}
	return s, nil
}

// instant maps dateTime text to fixed-width UTC text with nanoseconds, so
// that instants compare exactly: timestamptz keeps only microseconds, so the
// digits beyond them are cut off before the cast and appended after it.
func (postgres) instant(text string) string {
	return "(to_char((regexp_replace(" + text + `, '(\.\d{6})\d+', '\1'))::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')` +
		" || rpad(substr(coalesce(substring(" + text + ` from '\.(\d+)'), ''), 7, 3), 3, '0')) COLLATE "C"`
}

func (postgres) instantArg(t time.Time) any   { return t.UTC().Format(pgInstantLayout) }
func (postgres) timeArg(t time.Time) any      { return t.UTC() }
func (postgres) fold(text string) string      { return "scim_fold(" + text + ")" }
func (postgres) textOrder(text string) string { return "(" + text + ") COLLATE \"C\"" }
func (postgres) scanTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case string:
		return time.Parse(time.RFC3339Nano, t)
	}
	return time.Time{}, errors.New("sqlstore: unexpected time value")
}

func (postgres) like(b *builder, op string, text, needle string, folded bool) string {
	if folded {
		text = "scim_fold(" + text + ")"
		needle = schema.Fold(needle)
	}
	ph := b.arg(likePattern(op, needle))
	return "(" + text + ") LIKE " + ph + ` ESCAPE '\'`
}

func (postgres) anyOf(b *builder, op string, text string, needles []string) string {
	if op == "eq" {
		return "(" + text + ") = ANY (" + b.arg(needles) + "::text[])"
	}
	patterns := make([]string, len(needles))
	for i, n := range needles {
		patterns[i] = likePattern(op, n)
	}
	// LIKE ANY takes no ESCAPE clause; the backslash is the default.
	return "(" + text + ") LIKE ANY (" + b.arg(patterns) + "::text[])"
}

func (postgres) jsonArg(ph string) string { return ph + "::text::jsonb" }

func (postgres) membersJSON() string {
	return `(SELECT jsonb_agg(jsonb_build_object('value',m.value,'display',m.display,'type',m.type,'$ref',m.ref) ORDER BY m.ord) FROM scim_members m WHERE m.tenant=r.tenant AND m.group_id=r.id)`
}

func (postgres) groupsJSON() string {
	return `(SELECT jsonb_agg(jsonb_build_array(m.group_id, g.attrs->>'displayName') ORDER BY m.group_id) FROM scim_members m` +
		` JOIN scim_resources g ON g.tenant = m.tenant AND g.id = m.group_id AND ` + typeOfID(Postgres, "g.type", "'"+groupType+"'") + ` WHERE m.tenant = r.tenant AND m.value = r.id)`
}

func (postgres) uniqueViolation(err error) bool {
	var e interface{ SQLState() string }
	return errors.As(err, &e) && e.SQLState() == "23505"
}

type sqlite struct{}

func (sqlite) name() string { return "sqlite" }

func (sqlite) placeholder(int) string { return "?" }

func (sqlite) schema() []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS scim_resources (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	tenant TEXT NOT NULL,
	id TEXT NOT NULL,
	type TEXT NOT NULL,
	version INTEGER NOT NULL,
	created TEXT NOT NULL,
	last_modified TEXT NOT NULL,
	attrs TEXT NOT NULL,
	attrs_key TEXT,
	external_id TEXT,
	name_key TEXT,
	display_key TEXT,
	UNIQUE (tenant, id)
)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS scim_resources_name_key ON scim_resources (tenant, type, name_key) WHERE name_key IS NOT NULL`,
		`CREATE INDEX IF NOT EXISTS scim_resources_seq ON scim_resources (tenant, type, seq)`,
		`CREATE INDEX IF NOT EXISTS scim_resources_external_id ON scim_resources (tenant, type, external_id) WHERE external_id IS NOT NULL`,
		`CREATE INDEX IF NOT EXISTS scim_resources_display_key ON scim_resources (tenant, type, display_key) WHERE display_key IS NOT NULL`,
		`DROP INDEX IF EXISTS scim_resources_created`,
		`DROP INDEX IF EXISTS scim_resources_last_modified`,
		`CREATE TABLE IF NOT EXISTS scim_members (
	ord INTEGER PRIMARY KEY AUTOINCREMENT,
	tenant TEXT NOT NULL,
	group_id TEXT NOT NULL,
	value TEXT NOT NULL,
	display TEXT,
	type TEXT,
	ref TEXT,
	UNIQUE (tenant, group_id, value)
)`,
		`CREATE INDEX IF NOT EXISTS scim_members_value_group ON scim_members (tenant, value, group_id)`,
		`DROP INDEX IF EXISTS scim_members_value`,
		`CREATE INDEX IF NOT EXISTS scim_members_order ON scim_members (tenant, group_id, ord)`,
		`CREATE TABLE IF NOT EXISTS scim_unique (
	tenant TEXT NOT NULL,
	type TEXT NOT NULL,
	attr TEXT NOT NULL,
	key TEXT NOT NULL,
	id TEXT NOT NULL,
	PRIMARY KEY (tenant, type, attr, key)
)`,
		`CREATE INDEX IF NOT EXISTS scim_unique_id ON scim_unique (tenant, id)`,
		`CREATE TABLE IF NOT EXISTS scim_settings (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
)`,
	}
}

// sqlitePath returns a JSON path literal such as '$."name"."givenName"'.
func sqlitePath(keys []string) string {
	var b strings.Builder
	b.WriteString("'$")
	for _, k := range keys {
		if !safeKey(k) {
			return ""
		}
		b.WriteString(`."`)
		b.WriteString(k)
		b.WriteByte('"')
	}
	b.WriteByte('\'')
	return b.String()
}

func sqliteCall(fn, base string, keys []string) string {
	p := sqlitePath(keys)
	if p == "" {
		return ""
	}
	return fn + "(" + base + "," + p + ")"
}

func (sqlite) rowDoc(keys []string) (string, []string) {
	if len(keys) == 0 {
		return "r.attrs", keys
	}
	p := sqlitePath(keys[:1])
	if p == "" {
		return "r.attrs", keys
	}
	return "(CASE WHEN json_type(r.attrs_key," + p + ") IS NULL THEN r.attrs ELSE r.attrs_key END)", keys
}

func (sqlite) jsonValue(base string, keys []string) string {
	return sqliteCall("json_extract", base, keys)
}

func (sqlite) jsonText(base string, keys []string) string {
	return sqliteCall("json_extract", base, keys)
}

func (sqlite) jsonType(base string, keys []string) string {
	return sqliteCall("json_type", base, keys)
}

func (sqlite) elements(base string, keys []string, alias string) (from, elem, obj, pos string) {
	p := sqlitePath(keys)
	if p == "" {
		return "", "", "", ""
	}
	return "json_each(CASE WHEN json_type(" + base + "," + p + ")='array' THEN " + base + " END," + p + ") AS " + alias,
		alias + ".value", "(CASE WHEN " + alias + ".type='object' THEN " + alias + ".value END)", alias + ".key"
}

func (sqlite) elemType(alias, _ string) string { return alias + ".type" }
func (sqlite) elemText(_, elem string) string  { return elem }
func (sqlite) typeString() string              { return "'text'" }
func (sqlite) typeArray() string               { return "'array'" }
func (sqlite) typeObject() string              { return "'object'" }
func (sqlite) typeNull() string                { return "'null'" }

func (sqlite) isBool(base string, keys []string, v bool) string {
	t := sqliteCall("json_type", base, keys)
	if t == "" {
		return ""
	}
	return "(" + t + "='" + strconv.FormatBool(v) + "')"
}

func (sqlite) isBoolElem(alias, _ string, v bool) string {
	return "(" + alias + ".type='" + strconv.FormatBool(v) + "')"
}

func (sqlite) numeric(base string, keys []string) string {
	t := sqliteCall("json_type", base, keys)
	if t == "" {
		return ""
	}
	return "(CASE WHEN " + t + " IN ('integer','real') THEN " + sqliteCall("json_extract", base, keys) + " END)"
}

func (sqlite) numericElem(alias, elem string) string {
	return "(CASE WHEN " + alias + ".type IN ('integer','real') THEN " + elem + " END)"
}

func (sqlite) numericArg(s string) (any, error) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	return strconv.ParseFloat(s, 64)
}

func (sqlite) instant(text string) string   { return "scim_instant(" + text + ")" }
func (sqlite) instantArg(t time.Time) any   { return t.UTC().Format(instantLayout) }
func (sqlite) timeArg(t time.Time) any      { return t.UTC().Format(instantLayout) }
func (sqlite) fold(text string) string      { return "scim_fold(" + text + ")" }
func (sqlite) textOrder(text string) string { return text }
func (sqlite) scanTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case string:
		return time.Parse(time.RFC3339Nano, t)
	case []byte:
		return time.Parse(time.RFC3339Nano, string(t))
	case time.Time:
		return t.UTC(), nil
	}
	return time.Time{}, errors.New("sqlstore: unexpected time value")
}

// like avoids LIKE, which SQLite compares case-insensitively for ASCII
// unless a per-connection pragma says otherwise: it compares with instr and
// substr, which take no wildcards at all.
func (sqlite) like(b *builder, op string, text, needle string, folded bool) string {
	if folded {
		text = "scim_fold(" + text + ")"
		needle = schema.Fold(needle)
	}
	switch op {
	case "co":
		return "instr(" + text + "," + b.arg(needle) + ")>0"
	case "sw":
		return "substr(" + text + ",1," + strconv.Itoa(utf8.RuneCountInString(needle)) + ")=" + b.arg(needle)
	}
	return "substr(" + text + ",-" + strconv.Itoa(utf8.RuneCountInString(needle)) + ")=" + b.arg(needle)
}

func (sqlite) anyOf(b *builder, op string, text string, needles []string) string {
	if op == "eq" {
		ph := make([]string, len(needles))
		for i, n := range needles {
			ph[i] = b.arg(n)
		}
		return "(" + text + ") IN (" + strings.Join(ph, ",") + ")"
	}
	return "scim_any('" + op + "'," + text + "," + b.arg(joinNeedles(needles)) + ")"
}

func (sqlite) jsonArg(ph string) string { return ph }

func (sqlite) membersJSON() string {
	return `(SELECT json_group_array(json_object('value',m.value,'display',m.display,'type',m.type,'$ref',m.ref) ORDER BY m.ord) FROM scim_members m WHERE m.tenant=r.tenant AND m.group_id=r.id)`
}

func (sqlite) groupsJSON() string {
	return `(SELECT json_group_array(json_array(x.group_id, x.display)) FROM (SELECT m.group_id, json_extract(g.attrs, '$.displayName') AS display FROM scim_members m` +
		` JOIN scim_resources g ON g.tenant = m.tenant AND g.id = m.group_id AND g.type = '` + groupType + `' WHERE m.tenant = r.tenant AND m.value = r.id ORDER BY m.group_id) x)`
}

func (sqlite) uniqueViolation(err error) bool {
	var e interface{ Code() int }
	if !errors.As(err, &e) {
		return false
	}
	// SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY.
	return e.Code() == 2067 || e.Code() == 1555
}
