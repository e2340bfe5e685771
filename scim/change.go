package scim

import (
	"context"
	"sort"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// ChangeKind says what kind of write a Change reports.
type ChangeKind string

// The kinds of change reported to Config.OnChange.
const (
	Created  ChangeKind = "created"  // POST
	Replaced ChangeKind = "replaced" // PUT
	Patched  ChangeKind = "patched"  // PATCH that changed something
	Deleted  ChangeKind = "deleted"  // DELETE
)

// Change reports one committed write, for Config.OnChange: a host gives a
// SCIM-created user its default role, sends an invitation, ends the sessions
// of a deactivated user, and so on.
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

func (h *Handler) report(ctx context.Context, c Change) {
	if h.cfg.OnChange != nil {
		h.cfg.OnChange(ctx, c)
	}
}

// changedPaths compares two canonical data maps top-level attribute by
// attribute; extension objects are compared attribute by attribute and
// reported as "urn:...:attr".
func changedPaths(old, next map[string]any, isExtension func(string) bool) []string {
	var out []string
	seen := map[string]bool{}
	visit := func(k string) {
		if seen[k] {
			return
		}
		seen[k] = true
		if isExtension(k) {
			o, _ := old[k].(map[string]any)
			n, _ := next[k].(map[string]any)
			for _, p := range changedPaths(o, n, func(string) bool { return false }) {
				out = append(out, k+":"+p)
			}
			return
		}
		if !schema.Identical(old[k], next[k]) {
			out = append(out, k)
		}
	}
	for k := range old {
		visit(k)
	}
	for k := range next {
		visit(k)
	}
	sort.Strings(out)
	return out
}

// memberDelta returns the member values in next but not in old, and in old
// but not in next.
func memberDelta(old, next map[string]any) (added, removed []string) {
	ov, nv := memberValues(old), memberValues(next)
	for v := range nv {
		if !ov[v] {
			added = append(added, v)
		}
	}
	for v := range ov {
		if !nv[v] {
			removed = append(removed, v)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	return added, removed
}

func memberValues(attrs map[string]any) map[string]bool {
	out := map[string]bool{}
	list, _ := attrs["members"].([]any)
	for _, m := range list {
		if mm, ok := m.(map[string]any); ok {
			if v, ok := mm["value"].(string); ok {
				out[v] = true
			}
		}
	}
	return out
}
