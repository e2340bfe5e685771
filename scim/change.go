package scim

import (
	"context"

	"github.com/scimkit/scimkit/store"
)

// ChangeKind says what kind of write a Change reports (store.ChangeKind).
type ChangeKind = store.ChangeKind

// The kinds of change reported to Config.OnChange.
const (
	Created  = store.Created  // POST
	Replaced = store.Replaced // PUT
	Patched  = store.Patched  // PATCH that changed something
	Deleted  = store.Deleted  // DELETE
)

// Change reports one committed write, for Config.OnChange: a host gives a
// SCIM-created user its default role, sends an invitation, ends the sessions
// of a deactivated user, and so on. It is the store.Change that a store
// with a change feed (store.Feed) records in the same transaction, plus
// the resource.
type Change struct {
	Kind ChangeKind
	// Type is the resource type name ("User", "Group").
	Type string
	// ID is the resource id.
	ID string
	// Resource is the resource as stored after the change; nil for Deleted,
	// and for a membership PATCH that a store.MemberPatcher applied without
	// loading the group (see store.MemberResult).
	Resource *store.Resource
	// Changed lists the top-level attributes whose value changed, in
	// canonical form and sorted ("active", "name",
	// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department").
	// For Created it lists every attribute set.
	Changed []string
	// MembersAdded and MembersRemoved are the member values (ids) a write
	// of a group's "members" added and removed.
	MembersAdded, MembersRemoved []string
	// Granted and Revoked are the roles and entitlements a write of a
	// user's "roles" or "entitlements" added and removed (for Created,
	// every one it holds), sorted by attribute, value and type. A full-set
	// PUT (Okta Identity Governance) revokes what it omits; Entra ID's
	// AppRoleAssignmentsComplex only adds, AssertiveAppRoleAssignmentsComplex
	// replaces the whole list.
	Granted, Revoked []Grant
}

// report calls Config.OnChange with c and the resource res.
func (h *Handler) report(ctx context.Context, c store.Change, res *store.Resource) {
	if h.cfg.OnChange != nil {
		h.cfg.OnChange(ctx, Change{Kind: c.Kind, Type: c.Type, ID: c.ID, Resource: res, Changed: c.Changed,
			MembersAdded: c.MembersAdded, MembersRemoved: c.MembersRemoved, Granted: c.Granted, Revoked: c.Revoked})
	}
}
