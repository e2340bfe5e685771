package sqlstore

import (
	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

// The kinds of sort keys, as sortExpr reports them and positions carry
// them: how a key's value is read from a row and given back as an
// argument.
const (
	keyText    = 's' // text
	keyNumber  = 'n' // numeric (PostgreSQL), integer or real (SQLite)
	keyInteger = 'i' // integer: meta.version, booleans as 0 and 1
	keyTime    = 't' // the created and last_modified columns
	keyMissing = 'm' // in a position only: the resource had no value
)

// nullKey is the sort key of a path no resource has a value for.
const nullKey = "CAST(NULL AS text)"

// sortExpr returns the ORDER BY expression of the sort path p, NULL for
// resources without a value, and the kind of its values.
func (t *translator) sortExpr(p *filter.AttrPath) (string, byte, bool) {
	if p.Attr == nil {
		return "", 0, false
	}
	if p.URN == "" {
		switch {
		case p.Name == "id":
			return "r.id", keyText, true
		case p.Name == "externalId":
			return t.d.textOrder("r.external_id"), keyText, true
		case p.Name == "meta":
			switch p.Sub {
			case "created":
				return "r.created", keyTime, true
			case "lastModified":
				return "r.last_modified", keyTime, true
			case "version":
				return "r.version", keyInteger, true
			}
			return nullKey, keyText, true
		}
		if col, ok := t.keyColumn(p); ok {
			if !p.Attr.Required { // a required attribute is never ""
				col = "NULLIF(" + col + ", '')" // "" is missing, as in schema.SortKey
			}
			return t.d.textOrder(col), keyText, true
		}
	}
	leaf, sub, ok := leafOf(p)
	if !ok {
		return "", 0, false
	}
	if t.isMembers(p) {
		col, ok := memberColumn(leaf.Name)
		if !ok {
			return "", 0, false
		}
		m := t.alias("m")
		return "(SELECT " + t.textSortKey(m+"."+col, leaf) + " FROM scim_members " + m + " WHERE " + m + ".tenant = r.tenant AND " + m + ".group_id = r.id ORDER BY " + m + ".ord LIMIT 1)", keyText, true
	}
	if p.Attr.MultiValued {
		e := t.alias("e")
		base, ks := t.row(keys(p))
		from, elem, obj, pos := t.d.elements(base, ks, e)
		if from == "" {
			return "", 0, false
		}
		var (
			x    string
			kind byte
		)
		if p.Attr.Type == schema.Complex {
			x, kind, ok = t.jsonSortKey(obj, []string{sub}, append(keys(p), sub), leaf)
		} else {
			x, kind, ok = t.scalarSortKey(t.elemScalar(e, elem, keys(p)), leaf)
		}
		primary := sqlFalse
		if p.Attr.Type == schema.Complex && p.Attr.Sub("primary") != nil {
			primary = coalesce(t.d.isBool(obj, []string{"primary"}, true))
		}
		return "(SELECT " + x + " FROM " + from + " ORDER BY CASE WHEN " + primary + " THEN 0 ELSE 1 END, " + pos + " LIMIT 1)", kind, ok
	}
	ks := keys(p)
	if sub != "" {
		ks = append(ks, sub)
	}
	base, rest := t.row(ks)
	return t.jsonSortKey(base, rest, ks, leaf)
}

// textSortKey orders the text of a member column by code point, folded
// unless leaf is case-sensitive; "" (also what the column holds for an
// absent value) is missing, as in schema.SortKey.
func (t *translator) textSortKey(text string, leaf *schema.Attribute) string {
	text = "NULLIF(" + text + ", '')"
	if leaf.CaseSensitive() {
		return t.d.textOrder(text)
	}
	return t.d.textOrder(t.d.fold(text))
}

// scalarSortKey returns the sort key of a JSON scalar of a row whose
// definition is leaf: strings are keys already (see appendKeyDoc), ordered by
// code point, "" missing; dateTimes as instants, booleans false first,
// numbers numerically.
func (t *translator) scalarSortKey(sc scalar, leaf *schema.Attribute) (string, byte, bool) {
	switch leaf.Type {
	case schema.String, schema.Reference, schema.Binary:
		if !t.ti.keyRule(sc.path, leaf) {
			return "", 0, false
		}
		// "" sorts as a missing value, as in schema.SortKey.
		return "CASE WHEN " + sc.typ + " = " + t.d.typeString() + " AND " + sc.text + " <> '' THEN " + t.d.textOrder(sc.text) + " END", keyText, true
	case schema.DateTime:
		return "CASE WHEN " + sc.typ + " = " + t.d.typeString() + " THEN " + t.d.instant(sc.text) + " END", keyText, true
	case schema.Boolean:
		return "CASE WHEN " + sc.isBool(false) + " THEN 0 WHEN " + sc.isBool(true) + " THEN 1 END", keyInteger, true
	case schema.Integer, schema.Decimal:
		return sc.numeric, keyNumber, sc.numeric != ""
	}
	return "", 0, false
}

// jsonSortKey returns the sort key of the JSON value at ks below base, at
// path below the row's attributes.
func (t *translator) jsonSortKey(base string, ks, path []string, leaf *schema.Attribute) (string, byte, bool) {
	sc, ok := t.jsonScalar(base, ks, path)
	if !ok {
		return "", 0, false
	}
	return t.scalarSortKey(sc, leaf)
}
