package sqlstore

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

// translator turns a bound filter into a SQL condition on the resource row
// aliased r, with its arguments in b. Every condition it produces is true
// or false, never NULL, so that NOT means filter "not".
type translator struct {
	d    Dialect
	b    *builder
	ti   *typeInfo
	typ  string
	tabs int // aliases handed out
	// cost estimates the work of the condition built so far per row:
	// arrayCost for each subquery over a JSON array or the members
	// table, 1 for each JSON value read. sqlSplit keeps it under
	// maxSQLCost.
	cost int
	// neg counts the NOTs around the condition being built. Only under
	// one does a NULL differ from false, so only there are leaf
	// conditions wrapped in COALESCE, which would keep indexes out.
	neg int
}

// scope is where the attribute paths of a (sub-)filter are resolved: the
// resource row, the elements of a JSON array (inside a value path), or the
// rows of the members table.
type scope struct {
	kind  int
	base  string   // JSON base of an element's keys (element scope)
	keys  []string // JSON keys of the elements' attribute (element scope)
	alias string   // element or member row alias
}

// row returns the base and keys at which filters and sorts read the value
// at keys below the row's attributes: attrs_key for a top-level attribute
// that folding changes, attrs otherwise (dialect.rowDoc, appendKeyDoc).
func (t *translator) row(keys []string) (string, []string) { return t.d.rowDoc(keys) }

const (
	rowScope = iota
	elemScope
	memberScope
)

// Costs of a translated condition per row, and the most sqlSplit pushes
// to SQL in one statement: about 8 subqueries over a JSON array, or 64
// JSON values read (measured: a subquery over a one-element JSON array
// costs about 2.5µs a row in SQLite and PostgreSQL, so 20,000 rows with
// 110 of them take 5s, with 8 of them 0.4s).
const (
	arrayCost  = 8
	maxSQLCost = 64
)

func (t *translator) alias(prefix string) string {
	t.cost += arrayCost
	t.tabs++
	return prefix + strconv.Itoa(t.tabs)
}

// cond returns the SQL of e, or false if e (or part of it) cannot be
// translated exactly.
func (t *translator) cond(e filter.Expr, sc scope) (string, bool) {
	switch e := e.(type) {
	case *filter.And:
		l, ok := t.cond(e.Left, sc)
		if !ok {
			return "", false
		}
		r, ok := t.cond(e.Right, sc)
		return "(" + l + " AND " + r + ")", ok
	case *filter.Or:
		terms := orTerms(e)
		parts := make([]string, len(terms))
		for i, x := range terms {
			c, ok := t.cond(x, sc)
			if !ok {
				return "", false
			}
			parts[i] = c
		}
		if len(parts) == 1 {
			return parts[0], true
		}
		return "(" + strings.Join(parts, " OR ") + ")", true
	case *filter.Not:
		t.neg++
		x, ok := t.cond(e.X, sc)
		t.neg--
		return "(NOT " + x + ")", ok
	case *filter.Compare:
		if sc.kind != rowScope {
			return t.innerCompare(e, sc)
		}
		return t.compare(e)
	case *filter.Present:
		if sc.kind != rowScope {
			return t.innerPresent(e.Path, sc)
		}
		return t.present(e)
	case *filter.ValuePath:
		if sc.kind != rowScope {
			return "", false
		}
		return t.valuePath(e)
	}
	return "", false
}

const (
	sqlTrue  = "(1=1)"
	sqlFalse = "(1=0)"
)

func constant(b bool) string {
	if b {
		return sqlTrue
	}
	return sqlFalse
}

// coalesce makes a leaf condition two-valued.
func coalesce(c string) string { return "COALESCE((" + c + "), FALSE)" }

// leaf returns c, made two-valued when it is under a NOT.
func (t *translator) leaf(c string) string {
	if t.neg > 0 {
		return coalesce(c)
	}
	return "(" + c + ")"
}

// resourceTypeObj is what a filter sees of meta besides the columns.
func (t *translator) metaConstant(e filter.Expr) string {
	return constant(filter.Match(e, map[string]any{"meta": map[string]any{"resourceType": t.typ}}))
}

// isMembers reports whether p names the members table.
func (t *translator) isMembers(p *filter.AttrPath) bool {
	return t.ti.members != nil && p.URN == "" && p.Name == t.ti.members.Name
}

// keyColumn returns the indexed column holding the keys of p's attribute,
// if it has one whose case rule is the one the filter was bound with.
func (t *translator) keyColumn(p *filter.AttrPath) (string, bool) {
	if p.URN != "" || p.Sub != "" || p.Attr == nil || p.Attr.MultiValued {
		return "", false
	}
	if a := t.ti.nameKey; a != nil && p.Name == a.Name && a.CaseSensitive() == p.Attr.CaseSensitive() {
		return "r.name_key", true
	}
	if a := t.ti.display; a != nil && p.Name == a.Name && a.CaseSensitive() == p.Attr.CaseSensitive() {
		return "r.display_key", true
	}
	return "", false
}

// keys returns the JSON keys of p's attribute below the row.
func keys(p *filter.AttrPath) []string {
	if p.URN != "" {
		return []string{p.URN, p.Name}
	}
	return []string{p.Name}
}

func (t *translator) compare(c *filter.Compare) (string, bool) {
	p := &c.Path
	if p.Attr == nil {
		return "", false
	}
	if isPrimary(p.Leaf()) {
		return "", false
	}
	if x, ok, done := t.nullOrNe(c, func() (string, bool) { return t.present(&filter.Present{Path: c.Path}) }, t.compare); done {
		return x, ok
	}
	if p.URN == "" {
		switch p.Name {
		case "id":
			if p.Sub != "" {
				return "", false
			}
			return t.stringCond("r.id", true, false, c.Op, c.Value)
		case "externalId":
			if p.Sub != "" {
				return "", false
			}
			return t.stringCond("r.external_id", p.Attr.CaseSensitive(), false, c.Op, c.Value)
		case "meta":
			return t.metaCompare(c)
		}
		if col, ok := t.keyColumn(p); ok {
			return t.stringCond(col, p.Attr.CaseSensitive(), true, c.Op, c.Value)
		}
	}
	if t.isMembers(p) {
		sub := p.Sub
		if sub == "" {
			sub = "value"
		}
		a := p.Attr.Sub(sub)
		if a == nil {
			return "", false
		}
		col, ok := memberColumn(a.Name)
		if !ok {
			return "", false
		}
		m := t.alias("m")
		x, ok := t.stringCond(m+"."+col, a.CaseSensitive(), false, c.Op, c.Value)
		return "EXISTS (SELECT 1 FROM scim_members " + m + " WHERE " + m + ".tenant = r.tenant AND " + m + ".group_id = r.id AND " + x + ")", ok
	}
	leaf, sub, ok := leafOf(p)
	if !ok {
		return "", false
	}
	if p.Attr.MultiValued {
		e := t.alias("e")
		base, ks := t.row(keys(p))
		from, elem, obj, _ := t.d.elements(base, ks, e)
		if from == "" {
			return "", false
		}
		var x string
		if p.Attr.Type == schema.Complex {
			x, ok = t.jsonCond(obj, []string{sub}, append(keys(p), sub), leaf, c.Op, c.Value)
		} else {
			x, ok = t.elemCond(e, elem, keys(p), leaf, c.Op, c.Value)
		}
		return "EXISTS (SELECT 1 FROM " + from + " WHERE " + x + ")", ok
	}
	ks := keys(p)
	if sub != "" {
		ks = append(ks, sub)
	}
	base, rest := t.row(ks)
	return t.jsonCond(base, rest, ks, leaf, c.Op, c.Value)
}

// leafOf returns the attribute a comparison of p compares and the
// sub-attribute key to reach it ("" for a simple attribute): the value of
// a complex attribute compared without a sub-attribute.
func leafOf(p *filter.AttrPath) (*schema.Attribute, string, bool) {
	if p.Attr.Type != schema.Complex {
		if p.Sub != "" {
			return nil, "", false
		}
		return p.Attr, "", true
	}
	sub := p.Sub
	leaf := p.SubAttr
	if sub == "" {
		sub = "value"
		leaf = p.Attr.Sub("value")
	}
	if leaf == nil || leaf.MultiValued || leaf.Type == schema.Complex {
		return nil, "", false
	}
	return leaf, leaf.Name, true
}

// memberColumn maps a member sub-attribute to its column.
func memberColumn(sub string) (string, bool) {
	switch sub {
	case "value":
		return "value", true
	case "display":
		return "display", true
	case "type":
		return "type", true
	case "$ref":
		return "ref", true
	}
	return "", false
}

// stringCond compares the text column or expression col with a string
// filter value. keyCol says col holds keys made by key() (folded unless
// exact), which are compared with the folded value directly.
func (t *translator) stringCond(col string, exact, keyCol bool, op filter.Operator, v any) (string, bool) {
	if ns, ok := v.(needles); ok {
		return t.anyOp(col, ns, op, !exact, !exact && !keyCol)
	}
	s, ok := v.(string)
	if !ok || !validText(s) {
		return "", false
	}
	switch {
	case keyCol && !exact:
		return t.textOp(col, schema.Fold(s), op, true, false)
	case exact:
		return t.textOp(col, s, op, true, false)
	}
	return t.textOp(col, s, op, false, true)
}

// textOp compares text with s: exactly (plain), or folded on both sides
// (folded): s with schema.Fold, text with the dialect's scim_fold.
func (t *translator) textOp(text, s string, op filter.Operator, plain, folded bool) (string, bool) {
	b := t.b
	switch op {
	case filter.Eq:
		if folded {
			return t.leaf(t.d.fold(text) + " = " + b.arg(schema.Fold(s))), true
		}
		return t.leaf(text + " = " + b.arg(s)), true
	case filter.Co, filter.Sw, filter.Ew:
		if s == "" {
			return t.leaf(text + " IS NOT NULL"), true
		}
		return t.leaf(t.d.like(b, string(op), text, s, folded)), true
	case filter.Gt, filter.Ge, filter.Lt, filter.Le:
		sym := orderSym(op)
		if folded {
			return t.leaf(t.d.textOrder(t.d.fold(text)) + sym + b.arg(schema.Fold(s))), true
		}
		return t.leaf(t.d.textOrder(text) + sym + b.arg(s)), true
	}
	return "", false
}

// anyOp is textOp for several needles: text matches one of them, the
// needles folded when foldNeedles and the text too when foldText.
func (t *translator) anyOp(text string, ns needles, op filter.Operator, foldNeedles, foldText bool) (string, bool) {
	switch op {
	case filter.Eq, filter.Co, filter.Sw, filter.Ew:
	default:
		return "", false
	}
	vs := make([]string, len(ns))
	for i, n := range ns {
		if foldNeedles {
			n = schema.Fold(n)
		}
		vs[i] = n
	}
	if foldText {
		text = t.d.fold(text)
	}
	return t.leaf(t.d.anyOf(t.b, string(op), text, vs)), true
}

func orderSym(op filter.Operator) string {
	switch op {
	case filter.Gt:
		return " > "
	case filter.Ge:
		return " >= "
	case filter.Lt:
		return " < "
	case filter.Le:
		return " <= "
	}
	return " = "
}

// jsonCond compares the JSON value at ks below base, whose definition is
// leaf, with v; path is its keys below the row's attributes.
func (t *translator) jsonCond(base string, ks, path []string, leaf *schema.Attribute, op filter.Operator, v any) (string, bool) {
	sc, ok := t.jsonScalar(base, ks, path)
	if !ok {
		return "", false
	}
	return t.scalarCond(sc, leaf, op, v)
}

// jsonScalar returns the scalar at ks below base; path is its keys below
// the row's attributes.
func (t *translator) jsonScalar(base string, ks, path []string) (scalar, bool) {
	t.cost++
	typ := t.d.jsonType(base, ks)
	if typ == "" {
		return scalar{}, false
	}
	return scalar{path: path, typ: typ, text: t.d.jsonText(base, ks), numeric: t.d.numeric(base, ks),
		isBool: func(b bool) string { return t.d.isBool(base, ks, b) }}, true
}

// elemScalar returns the scalar array element elem of alias; path is the
// keys of the array below the row's attributes.
func (t *translator) elemScalar(alias, elem string, path []string) scalar {
	return scalar{path: path, typ: t.d.elemType(alias, elem), text: t.d.elemText(alias, elem), numeric: t.d.numericElem(alias, elem),
		isBool: func(b bool) string { return t.d.isBoolElem(alias, elem, b) }}
}

// scalar is the SQL for one JSON scalar of a row's attributes: its keys below the
// row's attributes (array indexes left out), its JSON type, its text, its
// numeric value, and a test for a boolean.
type scalar struct {
	path               []string
	typ, text, numeric string
	isBool             func(bool) string
}

// scalarCond compares a JSON scalar with v, by the attribute's type.
func (t *translator) scalarCond(sc scalar, leaf *schema.Attribute, op filter.Operator, v any) (string, bool) {
	switch leaf.Type {
	case schema.String, schema.Reference, schema.Binary:
		if !t.ti.keyRule(sc.path, leaf) {
			return "", false
		}
		// The text is a key: folded at write time unless leaf is
		// case-sensitive.
		x, ok := t.stringCond(sc.text, leaf.CaseSensitive(), true, op, v)
		return "(" + t.leaf(sc.typ+" = "+t.d.typeString()) + " AND " + x + ")", ok
	case schema.DateTime:
		x, ok := t.instantCond(t.d.instant(sc.text), op, v, false)
		return "(" + t.leaf(sc.typ+" = "+t.d.typeString()) + " AND " + x + ")", ok
	case schema.Boolean:
		bv, ok := v.(bool)
		if !ok || op != filter.Eq {
			return "", false
		}
		return t.leaf(sc.isBool(bv)), true
	case schema.Integer, schema.Decimal:
		return t.numberCond(sc.numeric, op, v)
	}
	return "", false
}

// elemCond compares a scalar array element with v; path is the keys of
// the array below the row's attributes.
func (t *translator) elemCond(alias, elem string, path []string, leaf *schema.Attribute, op filter.Operator, v any) (string, bool) {
	return t.scalarCond(t.elemScalar(alias, elem, path), leaf, op, v)
}

func (t *translator) numberCond(num string, op filter.Operator, v any) (string, bool) {
	n, ok := v.(json.Number)
	if !ok || num == "" {
		return "", false
	}
	switch op {
	case filter.Eq, filter.Gt, filter.Ge, filter.Lt, filter.Le:
	default:
		return "", false
	}
	if _, pg := t.d.(postgres); pg {
		return t.pgNumberCond(num, op, string(n))
	}
	a, err := t.d.numericArg(string(n))
	if err != nil {
		return "", false
	}
	return t.leaf(num + orderSym(op) + t.b.arg(a)), true
}

// pgNumberCond compares num, a numeric expression (NULL when the value is
// no number), with the filter number n as schema.CompareNumbers and
// filter.Match do: exactly when both are integers that fit in 64 bits, as
// float64 otherwise (SQLite's INTEGER and REAL compare so too). PostgreSQL
// would compare numerics exactly, which differs from float64 for numbers
// of more than 15 significant digits. A stored number nearer 0 than half
// the least float64, which strconv.ParseFloat reads as 0 and the cast to
// float8 refuses, compares as 0; schema.Normalize refuses decimals beyond
// float64's range and integers beyond int64's.
func (t *translator) pgNumberCond(num string, op filter.Operator, n string) (string, bool) {
	f, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return "", false
	}
	sym := orderSym(op)
	asFloat := "(CASE WHEN abs(" + num + ") <= 2.4703282292062327e-324 THEN 0::float8 ELSE (" + num + ")::float8 END)" + sym + t.b.arg(f) + "::float8"
	i, err := strconv.ParseInt(n, 10, 64)
	if err != nil {
		return t.leaf(asFloat), true
	}
	isInt := "(" + num + ")::text ~ '^-?[0-9]+$' AND " + num + " BETWEEN -9223372036854775808 AND 9223372036854775807"
	return t.leaf("(CASE WHEN " + isInt + " THEN " + num + sym + t.b.arg(strconv.FormatInt(i, 10)) + "::numeric ELSE " + asFloat + " END)"), true
}

// instantCond compares the instant expression x with a dateTime filter
// value. micro says x is a created or last_modified column, which holds
// whole microseconds, so a finer value is rounded the way that keeps the
// comparison exact.
func (t *translator) instantCond(x string, op filter.Operator, v any, micro bool) (string, bool) {
	s, ok := v.(string)
	if !ok || !validText(s) {
		return "", false
	}
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return "", false
	}
	if micro && tm.Nanosecond()%1000 != 0 {
		floor := tm.Truncate(time.Microsecond)
		ceil := floor.Add(time.Microsecond)
		switch op {
		case filter.Eq:
			return sqlFalse, true
		case filter.Gt, filter.Le:
			tm = floor
		case filter.Ge, filter.Lt:
			tm = ceil
		}
	}
	arg := t.d.instantArg(tm)
	if micro {
		arg = t.d.timeArg(tm)
	}
	switch op {
	case filter.Eq, filter.Gt, filter.Ge, filter.Lt, filter.Le:
		return t.leaf(x + orderSym(op) + t.b.arg(arg)), true
	}
	return "", false
}

// metaCompare compares a meta sub-attribute: created and lastModified
// and version are columns, resourceType and location are the same for
// every row.
func (t *translator) metaCompare(c *filter.Compare) (string, bool) {
	switch c.Path.Sub {
	case "created":
		return t.instantCond("r.created", c.Op, c.Value, true)
	case "lastModified":
		return t.instantCond("r.last_modified", c.Op, c.Value, true)
	case "version":
		s, ok := c.Value.(string)
		if !ok || c.Op != filter.Eq {
			return "", false
		}
		n := parseVersion(s)
		if n < 0 {
			return sqlFalse, true
		}
		return "(r.version = " + t.b.arg(n) + ")", true
	case "resourceType", "location":
		return t.metaConstant(c), true
	}
	return "", false
}

// nonEmpty returns the condition that the JSON value at ks below base is
// present and not empty: not null, "", [] or {}.
func (t *translator) nonEmpty(base string, ks []string) (string, bool) {
	t.cost++
	typ := t.d.jsonType(base, ks)
	v := t.d.jsonValue(base, ks)
	if typ == "" || v == "" {
		return "", false
	}
	if _, pg := t.d.(postgres); pg {
		return t.leaf(typ + " <> 'null' AND " + v + " NOT IN ('\"\"'::jsonb, '[]'::jsonb, '{}'::jsonb)"), true
	}
	return t.leaf("CASE " + typ + " WHEN 'null' THEN 0 WHEN 'text' THEN " + v + " <> '' WHEN 'array' THEN json_array_length(" + base + "," + sqlitePath(ks) + ") > 0 WHEN 'object' THEN " + v + " <> '{}' ELSE " + typ + " IS NOT NULL END"), true
}

func (t *translator) present(e *filter.Present) (string, bool) {
	p := &e.Path
	if p.Attr == nil {
		return "", false
	}
	if p.URN == "" {
		switch {
		case p.Name == "id":
			return sqlTrue, p.Sub == ""
		case p.Name == "externalId":
			return t.leaf("r.external_id <> ''"), p.Sub == ""
		case p.Name == "meta":
			switch p.Sub {
			case "", "created", "lastModified", "version":
				return sqlTrue, true
			}
			return t.metaConstant(e), true
		}
	}
	if t.isMembers(p) {
		m := t.alias("m")
		x := sqlTrue
		if p.Sub != "" {
			col, ok := memberColumn(p.Sub)
			if !ok {
				return "", false
			}
			x = t.leaf(m + "." + col + " <> ''")
		}
		return "EXISTS (SELECT 1 FROM scim_members " + m + " WHERE " + m + ".tenant = r.tenant AND " + m + ".group_id = r.id AND " + x + ")", true
	}
	if p.Sub == "" {
		return t.nonEmpty(t.row(keys(p)))
	}
	if p.Attr.Type != schema.Complex {
		return "", false
	}
	if p.Attr.MultiValued {
		el := t.alias("e")
		base, ks := t.row(keys(p))
		from, _, obj, _ := t.d.elements(base, ks, el)
		if from == "" {
			return "", false
		}
		x, ok := t.nonEmpty(obj, []string{p.Sub})
		return "EXISTS (SELECT 1 FROM " + from + " WHERE " + x + ")", ok
	}
	return t.nonEmpty(t.row(append(keys(p), p.Sub)))
}

func (t *translator) valuePath(v *filter.ValuePath) (string, bool) {
	p := &v.Path
	if p.Attr == nil || p.Sub != "" || p.Attr.Type != schema.Complex {
		return "", false
	}
	if t.isMembers(p) {
		m := t.alias("m")
		x, ok := t.cond(v.Filter, scope{kind: memberScope, alias: m})
		return "EXISTS (SELECT 1 FROM scim_members " + m + " WHERE " + m + ".tenant = r.tenant AND " + m + ".group_id = r.id AND " + x + ")", ok
	}
	if p.URN == "" && p.Name == "meta" {
		return "", false
	}
	if p.Attr.MultiValued {
		e := t.alias("e")
		base, ks := t.row(keys(p))
		from, _, obj, _ := t.d.elements(base, ks, e)
		if from == "" {
			return "", false
		}
		x, ok := t.cond(v.Filter, scope{kind: elemScope, base: obj, keys: keys(p), alias: e})
		return "EXISTS (SELECT 1 FROM " + from + " WHERE " + t.d.elemType(e, obj) + " = " + t.d.typeObject() + " AND " + x + ")", ok
	}
	t.cost++
	base, ks := t.row(keys(p))
	typ := t.d.jsonType(base, ks)
	obj := t.d.jsonValue(base, ks)
	if typ == "" {
		return "", false
	}
	x, ok := t.cond(v.Filter, scope{kind: elemScope, base: obj, keys: keys(p)})
	return "(" + t.leaf(typ+" = "+t.d.typeObject()) + " AND " + x + ")", ok
}

// nullOrNe translates the comparisons defined through others: "eq null"
// is absence and "ne null" presence (through present), and "ne v" is
// "not (eq v)" (through compare); both are under a negation. done is false
// for every other comparison.
func (t *translator) nullOrNe(c *filter.Compare, present func() (string, bool), compare func(*filter.Compare) (string, bool)) (x string, ok, done bool) {
	if c.Value == nil {
		t.neg++
		pr, ok := present()
		t.neg--
		switch {
		case !ok:
			return "", false, true
		case c.Op == filter.Eq:
			return "(NOT " + pr + ")", true, true
		case c.Op == filter.Ne:
			return pr, true, true
		}
		return sqlFalse, true, true
	}
	if c.Op == filter.Ne {
		t.neg++
		eq, ok := compare(&filter.Compare{Path: c.Path, Op: filter.Eq, Value: c.Value})
		t.neg--
		return "(NOT " + eq + ")", ok, true
	}
	return "", false, false
}

// innerCompare translates a comparison inside a value path: its path
// names a sub-attribute of the element.
func (t *translator) innerCompare(c *filter.Compare, sc scope) (string, bool) {
	p := &c.Path
	if p.Attr == nil || p.Sub != "" || p.URN != "" || p.Attr.MultiValued || p.Attr.Type == schema.Complex {
		return "", false
	}
	if isPrimary(p.Attr) && c.Value == false {
		// Inside one element, "eq true" and "ne true" read the stored
		// JSON right; a comparison with false also holds for an
		// element without "primary".
		return "", false
	}
	if x, ok, done := t.nullOrNe(c, func() (string, bool) { return t.innerPresent(c.Path, sc) },
		func(c *filter.Compare) (string, bool) { return t.innerCompare(c, sc) }); done {
		return x, ok
	}
	if sc.kind == memberScope {
		col, ok := memberColumn(p.Name)
		if !ok {
			return "", false
		}
		return t.stringCond(sc.alias+"."+col, p.Attr.CaseSensitive(), false, c.Op, c.Value)
	}
	return t.jsonCond(sc.base, []string{p.Name}, append(slices.Clip(sc.keys), p.Name), p.Attr, c.Op, c.Value)
}

// isPrimary reports whether leaf, the attribute a comparison is bound to,
// is the "primary" of a multi-valued attribute's elements, which an
// element without it has as false (RFC 7643 §2.4), which the stored JSON
// cannot say: filter.Match decides the comparisons that depend on it.
func isPrimary(leaf *schema.Attribute) bool {
	return leaf != nil && leaf.Type == schema.Boolean && strings.EqualFold(leaf.Name, "primary")
}

func (t *translator) innerPresent(p filter.AttrPath, sc scope) (string, bool) {
	if p.Attr == nil || p.Sub != "" || p.URN != "" {
		return "", false
	}
	if sc.kind == memberScope {
		col, ok := memberColumn(p.Name)
		if !ok {
			return "", false
		}
		return t.leaf(sc.alias + "." + col + " <> ''"), true
	}
	return t.nonEmpty(sc.base, []string{p.Name})
}

// mergeNegations replaces the conjuncts "not (x)" whose x is a value path
// or a comparison orTerms merges, and translates, by one conjunct
// "not (x1 or x2 …)": the same condition, in which orTerms merges the
// value paths on one attribute into one subquery.
func (s *Store) mergeNegations(typ string, conj []filter.Expr) []filter.Expr {
	var (
		xs    []filter.Expr
		first = -1
		out   = make([]filter.Expr, 0, len(conj))
	)
	for _, c := range conj {
		if n, ok := c.(*filter.Not); ok && mergeable(n.X) {
			t := &translator{d: s.d, b: &builder{d: s.d}, ti: s.info(typ), typ: typ}
			if _, ok := t.cond(n, scope{}); ok {
				if first < 0 {
					first = len(out)
					out = append(out, nil)
				}
				xs = append(xs, n.X)
				continue
			}
		}
		out = append(out, c)
	}
	switch len(xs) {
	case 0:
		return conj
	case 1:
		out[first] = &filter.Not{X: xs[0]}
		return out
	}
	x := xs[0]
	for _, y := range xs[1:] {
		x = &filter.Or{Left: x, Right: y}
	}
	out[first] = &filter.Not{X: x}
	return out
}

// mergeable reports whether orTerms may merge x with other terms.
func mergeable(x filter.Expr) bool {
	switch x := x.(type) {
	case *filter.ValuePath:
		return x.Path.Attr != nil
	case *filter.Compare:
		_, ok := groupable(x)
		return ok
	}
	return false
}

// SplitFilter implements store.FilterSplitter: it returns f as pushed and
// no residual, because List and ListAfter evaluate every filter whole.
// They run in SQL the top-level "and" terms that translate (see
// sqlSplit for those that do not) and apply filter.Match to the matches
// of those for the others, reading at most Config.MaxScan resources and
// keeping only the page; so the handler never asks for every candidate.
func (s *Store) SplitFilter(typ string, f filter.Expr) (pushed, residual filter.Expr) {
	return f, nil
}

// sqlSplit returns the top-level "and" terms of f that the store
// translates to SQL as pushed and the others as residual. A term stays
// residual when it (or any part of it) is one of:
//
//   - a path the parser did not bind to an attribute definition (the
//     unbound rules of filter.Match look keys up case-insensitively and
//     guess types from values);
//   - a comparison whose value does not have the attribute's type (a
//     string compared with a number or a boolean attribute, a number
//     with a string attribute), which the bound, lenient parser does not
//     produce but filter.Match defines;
//   - a string value with a NUL character or invalid UTF-8, which
//     PostgreSQL cannot take as text;
//   - co, sw or ew on a number or dateTime attribute, and gt, ge, lt or le
//     on a boolean one (filter.Match mixes text and typed rules there);
//   - a dateTime comparison with a value that is not an RFC 3339
//     dateTime (filter.Match then compares text);
//   - meta.version compared with anything but eq;
//   - a value path on a simple attribute or on meta, and a
//     multi-valued or complex sub-attribute;
//   - a JSON key that cannot be written into SQL text (quotes or control
//     characters; schema names never have them);
//   - a term that would make the statement read more than about 64 JSON
//     values or 8 JSON arrays per row (maxSQLCost), counting the terms
//     before it, so that a long filter costs the database no more than a
//     short one: what is left is evaluated under Config.MaxScan.
func (s *Store) sqlSplit(typ string, f filter.Expr) (pushed, residual filter.Expr) {
	var in, out []filter.Expr
	cost := 0
	for _, c := range s.mergeNegations(typ, filter.Conjuncts(f)) {
		t := &translator{d: s.d, b: &builder{d: s.d}, ti: s.info(typ), typ: typ}
		if _, ok := t.cond(c, scope{}); ok && cost+t.cost <= maxSQLCost {
			in = append(in, c)
			cost += t.cost
		} else {
			out = append(out, c)
		}
	}
	return filter.AndOf(in...), filter.AndOf(out...)
}
