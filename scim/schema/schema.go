// Package schema is the SCIM attribute model of RFC 7643: attribute
// definitions, schemas, resource types, the core User, Group and Enterprise
// User schemas, and the functions that turn client input into canonical
// resource data and canonical data into responses.
//
// It is the leaf of scimkit: the filter, patch, store and scim packages all
// import it, and it imports nothing of theirs (nor net/http).
//
// # Canonical data
//
// A resource is held as a map[string]any in canonical form:
//
//   - keys are the attribute names exactly as the schema spells them
//     ("userName", not "username");
//   - attributes of the resource type's core schema are top-level keys;
//     attributes of an extension schema live in a nested object under the
//     extension's URN key;
//   - "id", "meta" and "schemas" are not part of the data (stores keep them
//     as fields);
//   - strings are string, booleans bool, integers and decimals json.Number,
//     dateTimes string in RFC 3339 form, complex values map[string]any and
//     multi-valued attributes []any;
//   - absent, null and empty values are not stored at all.
//
// [ResourceType.Normalize] produces canonical data from whatever a client
// sent, and [ResourceType.Render] turns canonical data back into a response
// body.
//
// # Typed views
//
// [User] (with [EnterpriseUser]) and [Group] are typed views of canonical
// data for hosts: [UserFrom] and [GroupFrom] read canonical data (a
// store.Resource's Attributes, an OnChange hook's c.Resource.User()), and
// [User.Attributes] and [Group.Attributes] write it back through
// [ResourceType.Normalize], so the result is what a POST would store.
// Nothing is lost either way: extensions without a Go type stay in
// [Extensions] by URN, readable by name or into a host struct, integers
// exact. The map stays the source of truth; the views are copies. Absent
// "active" means active ([User.IsActive]). [Schema.Keep] trims a schema to
// the attributes a host's own tables hold.
//
// # Value rules
//
// How two values of an attribute compare is defined once, in this package,
// and used by filters, PATCH, uniqueness, sorting and every store:
// [Attribute.CaseSensitive], [Fold] (the case-insensitive key, Unicode
// simple case folding as strings.EqualFold applies it, for hosts' own
// unique indexes too), [Attribute.Equal], [IsEmpty], [Identical] and the
// sort order [Attribute.SortKey] with [CompareSortKeys].
package schema

import (
	"strings"
)

// Type is an attribute's data type (RFC 7643 §2.3).
type Type string

// The attribute data types of RFC 7643 §2.3.
const (
	String    Type = "string"
	Boolean   Type = "boolean"
	Decimal   Type = "decimal"
	Integer   Type = "integer"
	DateTime  Type = "dateTime"
	Binary    Type = "binary"
	Reference Type = "reference"
	Complex   Type = "complex"
)

// Mutability says whether and how an attribute may be written (RFC 7643 §7).
// The zero value means [ReadWrite].
type Mutability string

// The mutability values of RFC 7643 §7.
const (
	ReadWrite Mutability = "readWrite"
	ReadOnly  Mutability = "readOnly"
	Immutable Mutability = "immutable"
	WriteOnly Mutability = "writeOnly"
)

// Returned says when an attribute appears in responses (RFC 7643 §7).
// The zero value means [ReturnedDefault].
type Returned string

// The returned values of RFC 7643 §7.
const (
	ReturnedDefault Returned = "default"
	Always          Returned = "always"
	Never           Returned = "never"
	Request         Returned = "request"
)

// Uniqueness says how unique an attribute's value must be (RFC 7643 §7).
// The zero value means [UniqueNone].
type Uniqueness string

// The uniqueness values of RFC 7643 §7.
const (
	UniqueNone   Uniqueness = "none"
	UniqueServer Uniqueness = "server"
	UniqueGlobal Uniqueness = "global"
)

// Attribute defines one attribute or sub-attribute (RFC 7643 §7).
// Zero values of the enumerated fields mean the RFC defaults: readWrite,
// returned default, uniqueness none, caseExact false.
type Attribute struct {
	Name            string
	Type            Type
	MultiValued     bool
	Description     string
	Required        bool
	CaseExact       bool
	CanonicalValues []string
	Mutability      Mutability
	Returned        Returned
	Uniqueness      Uniqueness
	ReferenceTypes  []string
	SubAttributes   []*Attribute

	// Grant marks an attribute that holds grants an identity provider
	// gives a user: RoleGrant on the core User's "roles", EntitlementGrant
	// on its "entitlements" (as UserSchema sets them; not part of the
	// attribute's RFC 7643 §7 definition, and not shown in /Schemas).
	// Normalization treats their elements the way identity providers send
	// them: a "value" that is a JSON object encoded as a string (Entra's
	// AppRoleAssignmentsComplex,
	// {"id":…,"value":"Admin","displayName":"Admin"}) is replaced by that
	// object's "value", its "displayName" becoming the element's "display"
	// when none is given; "displayName" is accepted for "display"; and
	// roles are identified by their value ([Attribute.KeyedByValue]). The
	// handler checks grants against the app's catalogs
	// (scim.Config.Catalogs). Zero is NoGrant.
	Grant GrantKind
}

// GrantKind says whether an attribute holds grants an identity provider
// gives a user, and of which kind.
type GrantKind uint8

// The kinds of grant: the core User's "roles" and "entitlements" (RFC 7643
// §4.1.2). Okta Identity Governance carries the ids of the app's roles and
// entitlements in them, Entra ID its app role assignments in "roles"
// (Okta, "Build a SCIM 2.0 server with entitlements"; Microsoft Learn,
// "Customize application attributes").
const (
	NoGrant          GrantKind = iota
	RoleGrant                  // "roles": elements are identified by their value
	EntitlementGrant           // "entitlements": identified by type and value
)

// Sub returns the sub-attribute called name, compared case-insensitively,
// or nil.
func (a *Attribute) Sub(name string) *Attribute {
	return find(a.SubAttributes, name)
}

// EffectiveMutability returns a.Mutability, or ReadWrite when it is unset.
func (a *Attribute) EffectiveMutability() Mutability {
	if a.Mutability == "" {
		return ReadWrite
	}
	return a.Mutability
}

// EffectiveReturned returns a.Returned, or ReturnedDefault when it is unset.
func (a *Attribute) EffectiveReturned() Returned {
	if a.Returned == "" {
		return ReturnedDefault
	}
	return a.Returned
}

// IsReadOnly reports whether clients cannot write the attribute.
func (a *Attribute) IsReadOnly() bool { return a.Mutability == ReadOnly }

// Hollow reports whether m, an element of the multi-valued complex
// attribute a, holds nothing worth keeping: no "value" when a has that
// sub-attribute, otherwise nothing but "type" and "primary". A PATCH that
// removes an element's last meaningful sub-attribute drops the element.
func (a *Attribute) Hollow(m map[string]any) bool {
	if len(m) == 0 {
		return true
	}
	if a.Sub("value") != nil {
		_, ok := m["value"]
		return !ok
	}
	for name := range m {
		if name != "type" && name != "primary" {
			return false
		}
	}
	return true
}

// IdentifiedByValue reports whether the elements of the multi-valued
// complex attribute a are identified by their "value" (its "value"
// sub-attribute is an immutable string, as for Group "members"), so that two
// elements with one value are the same element; and whether values compare
// case-insensitively.
//
// See [Attribute.KeyedByValue] for attributes whose elements are identified
// by a value that may change.
func (a *Attribute) IdentifiedByValue() (ok, fold bool) {
	if a.Type != Complex {
		return false, false
	}
	sub := a.Sub("value")
	if sub == nil || sub.Mutability != Immutable || sub.Type != String {
		return false, false
	}
	return true, !sub.CaseSensitive()
}

// KeyedByValue reports whether two elements of the multi-valued complex
// attribute a with one "value" are one element: when a is
// [Attribute.IdentifiedByValue] (Group "members"), and for the core User's
// "roles", whose value is the role's key for every identity provider but
// may be rewritten in place (Entra's `roles[primary eq "True"].value`).
// Such a list holds each value once, and adding an element whose value is
// there already adds nothing. fold reports whether values compare
// case-insensitively.
func (a *Attribute) KeyedByValue() (ok, fold bool) {
	if ok, fold := a.IdentifiedByValue(); ok {
		return ok, fold
	}
	if a.Grant == RoleGrant {
		if sub := a.Sub("value"); sub != nil && sub.Type == String {
			return true, !sub.CaseSensitive()
		}
	}
	return false, false
}

func find(attrs []*Attribute, name string) *Attribute {
	for _, a := range attrs {
		if a.Name == name {
			return a
		}
	}
	for _, a := range attrs {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// Schema is a SCIM schema (RFC 7643 §7): a URN and its attributes.
type Schema struct {
	ID          string // the schema URN
	Name        string
	Description string
	Attributes  []*Attribute
}

// Attr returns the attribute called name, compared case-insensitively, or nil.
func (s *Schema) Attr(name string) *Attribute {
	return find(s.Attributes, name)
}

// Extension is a schema extension of a resource type (RFC 7643 §6).
type Extension struct {
	Schema   *Schema
	Required bool
}

// ResourceType is a SCIM resource type (RFC 7643 §6): its name, endpoint,
// core schema and extensions.
type ResourceType struct {
	// Name is the resource type name, e.g. "User"; it is also its id.
	Name string
	// Endpoint is the path relative to the service root, e.g. "/Users".
	Endpoint    string
	Description string
	// Schema is the core schema.
	Schema     *Schema
	Extensions []Extension
}

// Extension returns the extension whose URN is urn, compared
// case-insensitively, or nil.
func (rt *ResourceType) Extension(urn string) *Schema {
	for _, e := range rt.Extensions {
		if strings.EqualFold(e.Schema.ID, urn) {
			return e.Schema
		}
	}
	return nil
}

// SchemaByURN returns the core schema or extension whose URN is urn
// (case-insensitive), and whether it is an extension. It returns nil if the
// resource type has no such schema.
func (rt *ResourceType) SchemaByURN(urn string) (s *Schema, isExtension bool) {
	if strings.EqualFold(rt.Schema.ID, urn) {
		return rt.Schema, false
	}
	if e := rt.Extension(urn); e != nil {
		return e, true
	}
	return nil, false
}

// Common returns the definition of the attributes every resource has
// (RFC 7643 §3.1): "id", "externalId" and "meta", by name
// (case-insensitive), or nil.
func Common(name string) *Attribute {
	return find(commonAttributes, name)
}

// CommonAttributes returns the definitions of "id", "externalId" and "meta".
// The slice must not be modified.
func CommonAttributes() []*Attribute { return commonAttributes }

// Resolved is an attribute found by [ResourceType.Lookup].
type Resolved struct {
	// URN is the canonical URN of the extension schema holding the
	// attribute, or "" for an attribute of the core schema or a common one.
	URN string
	// Attr is the attribute definition.
	Attr *Attribute
}

// Lookup resolves an attribute given by an optional schema URN and a name,
// both compared case-insensitively. With urn empty, the name is looked up in
// the common attributes, then the core schema, then every extension in order.
// The boolean is false if no schema of the resource type defines it.
func (rt *ResourceType) Lookup(urn, name string) (Resolved, bool) {
	if urn != "" {
		s, ext := rt.SchemaByURN(urn)
		if s == nil {
			return Resolved{}, false
		}
		a := s.Attr(name)
		if a == nil {
			return Resolved{}, false
		}
		if ext {
			return Resolved{URN: s.ID, Attr: a}, true
		}
		return Resolved{Attr: a}, true
	}
	if a := Common(name); a != nil {
		return Resolved{Attr: a}, true
	}
	if a := rt.Schema.Attr(name); a != nil {
		return Resolved{Attr: a}, true
	}
	for _, e := range rt.Extensions {
		if a := e.Schema.Attr(name); a != nil {
			return Resolved{URN: e.Schema.ID, Attr: a}, true
		}
	}
	return Resolved{}, false
}

// SplitURN splits a URN-qualified attribute path such as
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"
// into the schema URN and the rest ("manager.value"). When known is not nil,
// the longest known schema URN (case-insensitive) that is a prefix wins;
// otherwise, and when none is a prefix, the URN ends at the last colon. A path
// that does not start with "urn:" is returned as rest with an empty urn.
func SplitURN(path string, known func(yield func(string) bool)) (urn, rest string) {
	if len(path) < 4 || !strings.EqualFold(path[:4], "urn:") {
		return "", path
	}
	best := ""
	if known != nil {
		for u := range known {
			if len(u) > len(best) && len(path) > len(u) && path[len(u)] == ':' && strings.EqualFold(path[:len(u)], u) {
				best = u
			}
		}
	}
	if best != "" {
		return path[:len(best)], path[len(best)+1:]
	}
	// The attribute name cannot contain a colon; a dot after the last
	// colon starts a sub-attribute.
	i := strings.LastIndexByte(path, ':')
	return path[:i], path[i+1:]
}

// URNs yields the URNs of the core schema and every extension, for
// [SplitURN].
func (rt *ResourceType) URNs(yield func(string) bool) {
	if !yield(rt.Schema.ID) {
		return
	}
	for _, e := range rt.Extensions {
		if !yield(e.Schema.ID) {
			return
		}
	}
}

// exactAttr returns the attribute whose name is exactly name, or nil.
func exactAttr(attrs []*Attribute, name string) *Attribute {
	for _, a := range attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}
