package schema

import (
	"reflect"
)

// Group is a typed view of the canonical data of a Group resource (RFC 7643
// §4.2). Like [User], it is converted from canonical data with [GroupFrom]
// and back with [Group.Attributes] without losing anything; the canonical
// map stays the source of truth.
type Group struct {
	// ID is the server-assigned "id" (RFC 7643 §3.1), not part of canonical
	// data: [GroupFrom] reads it only if attrs has one, [Group.Attributes]
	// leaves it out, store.Resource.Group sets it.
	ID string `json:"id,omitempty"`
	// ExternalID is the provisioning client's identifier (RFC 7643 §3.1).
	ExternalID string `json:"externalId,omitempty"`
	// DisplayName is the group's name; required.
	DisplayName string `json:"displayName,omitempty"`
	// Members lists the group's members, users or groups, in stored order.
	// Canonical data names a member (by Value) at most once.
	Members []Member `json:"members,omitempty"`
	// Extensions holds the group's extension objects, by URN.
	Extensions Extensions `json:"-"`
}

// Member is an element of a group's "members" (RFC 7643 §4.2).
type Member struct {
	// Value is the member's id (compared exactly); immutable: to change a
	// member, remove it and add another.
	Value string `json:"value,omitempty"`
	// Ref is the URI of the member's resource.
	Ref string `json:"$ref,omitempty"`
	// Display is the member's display name, kept as the client sent it.
	Display string `json:"display,omitempty"`
	// Type is "User" or "Group"; often absent (Okta and Entra send users
	// only and leave it out).
	Type string `json:"type,omitempty"`
}

// GroupFrom returns the typed view of canonical Group data attrs, such as
// store.Resource.Attributes of a Group: core attributes at the top level,
// extension objects under their URN in Extensions (copied). An "id" is
// read into ID; "schemas" and "meta" are skipped.
//
// The error is a *Error with ScimType "invalidValue" naming the first
// attribute at fault: a value of the wrong Go type, or a name the core
// Group schema does not define. attrs is not modified.
func GroupFrom(attrs map[string]any) (*Group, error) {
	g := &Group{}
	id, exts, err := decodeResource(g, attrs, nil)
	if err != nil {
		return nil, err
	}
	g.ID, g.Extensions = id, exts
	return g, nil
}

// Attributes returns g as canonical data of resource type rt (typically
// GroupResourceType): what a POST of the same values would store, through
// [ResourceType.Normalize] (canonical names and forms, empty values and
// members with nothing but a Type left out, a member named twice kept
// once), except
// that read-only values of host extensions are kept and anything rt does
// not define is an error. ID is left out.
//
// The error is a *Error with ScimType "invalidValue" naming the attribute:
// a missing DisplayName, an invalid extension value, an attribute rt does
// not define. The result shares no maps or slices with g.
func (g *Group) Attributes(rt *ResourceType) (map[string]any, error) {
	raw := encodeStruct(reflect.ValueOf(g).Elem())
	if raw == nil {
		raw = make(map[string]any)
	}
	if err := addExtensions(raw, g.Extensions); err != nil {
		return nil, err
	}
	return canonical(rt, raw)
}

// ExtensionValue returns the value of attribute name of the extension urn,
// both compared case-insensitively, and whether it is set; see
// [Extensions.Value].
func (g *Group) ExtensionValue(urn, name string) (any, bool) {
	return g.Extensions.Value(urn, name)
}

// MemberIDs returns the ids (Value) of the group's members in stored order,
// users and groups alike, or nil when it has none.
func (g *Group) MemberIDs() []string {
	var ids []string
	for _, m := range g.Members {
		if m.Value != "" {
			ids = append(ids, m.Value)
		}
	}
	return ids
}
