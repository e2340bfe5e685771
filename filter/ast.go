package filter

import (
	"github.com/scimkit/scimkit/scim/schema"
)

// Expr is a node of a parsed filter: one of *[Compare], *[Present],
// *[And], *[Or], *[Not] or *[ValuePath]. Its String method prints it as a
// SCIM filter that parses back to an equal tree.
type Expr interface {
	String() string
	expr()
}

// Operator is a comparison operator of RFC 7644 §3.4.2.2, always lower case.
type Operator string

// The comparison operators of RFC 7644 §3.4.2.2. Presence ("pr") is the
// separate node [Present].
const (
	Eq Operator = "eq"
	Ne Operator = "ne"
	Co Operator = "co"
	Sw Operator = "sw"
	Ew Operator = "ew"
	Gt Operator = "gt"
	Ge Operator = "ge"
	Lt Operator = "lt"
	Le Operator = "le"
)

// AttrPath is an attribute path: an optional schema URN, an attribute name
// and an optional sub-attribute name ("name.givenName",
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value").
//
// Inside the filter of a [ValuePath] an AttrPath names a sub-attribute of the
// value path's attribute and has no URN.
type AttrPath struct {
	// URN is the schema URN the path was qualified with, in canonical case
	// when bound; "" when unqualified (or qualified with the core schema,
	// when bound).
	URN string
	// Name is the attribute name, in canonical case when bound.
	Name string
	// Sub is the sub-attribute name, in canonical case when bound, or "".
	Sub string

	// Attr is the definition of Name (nil when the path was parsed without
	// a schema, or the attribute is unknown and leniency allowed it).
	Attr *schema.Attribute
	// SubAttr is the definition of Sub, or nil.
	SubAttr *schema.Attribute
}

// Leaf returns the definition of the attribute the path ends at: SubAttr if
// Sub is set, Attr otherwise. It may be nil.
func (p AttrPath) Leaf() *schema.Attribute {
	if p.Sub != "" {
		return p.SubAttr
	}
	return p.Attr
}

// Compare is "path op value".
type Compare struct {
	Path AttrPath
	Op   Operator
	// Value is the comparison value: string (JSON escapes decoded), bool,
	// json.Number, or nil for null.
	Value any
}

// Present is "path pr".
type Present struct {
	Path AttrPath
}

// And is "left and right".
type And struct {
	Left, Right Expr
}

// Or is "left or right".
type Or struct {
	Left, Right Expr
}

// Not is "not (x)".
type Not struct {
	X Expr
}

// ValuePath is "path[filter]": true if any value of the multi-valued (or
// complex) attribute at Path satisfies Filter, whose attribute paths name
// sub-attributes of Path.
type ValuePath struct {
	Path   AttrPath
	Filter Expr
}

func (*Compare) expr()   {}
func (*Present) expr()   {}
func (*And) expr()       {}
func (*Or) expr()        {}
func (*Not) expr()       {}
func (*ValuePath) expr() {}

// Path is a PATCH operation path (RFC 7644 §3.5.2): an attribute path,
// optionally with a value filter on the attribute's values, optionally
// followed by a sub-attribute: "members", "name.givenName",
// `members[value eq "2819c223"]`, `emails[type eq "work"].value`.
// When Filter is set, AttrPath.Sub is the sub-attribute after the brackets.
type Path struct {
	AttrPath
	Filter Expr
}
