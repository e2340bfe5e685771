package store

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/scimkit/scimkit/scim/schema"
)

// ChangeKind says what kind of write a [Change] reports.
type ChangeKind string

// The kinds of change.
const (
	Created  ChangeKind = "created"  // POST (Store.Create)
	Replaced ChangeKind = "replaced" // PUT (Store.Replace)
	Patched  ChangeKind = "patched"  // PATCH that changed something
	Deleted  ChangeKind = "deleted"  // DELETE (Store.Delete)
)

// Change describes one committed write of one resource: what scim.Config.OnChange
// reports and what a change feed ([Feed]) records. It names what changed,
// not the values: a consumer that needs the resource reads it, and
// compares Version to tell whether what it read is at least as new.
type Change struct {
	Kind ChangeKind `json:"kind"`
	// Type is the resource type name ("User", "Group"); ID the resource id.
	Type string `json:"type"`
	ID   string `json:"id"`
	// Version is the resource's Meta.Version after the write; "" for
	// Deleted.
	Version string `json:"version,omitempty"`
	// Changed lists the top-level attributes whose value changed, in
	// canonical form and sorted ("active", "name",
	// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department");
	// see [Diff]. For Created it lists every attribute set; for Deleted
	// none.
	Changed []string `json:"changed,omitempty"`
	// MembersAdded and MembersRemoved are the member values (ids) a write
	// of a group's "members" added and removed.
	MembersAdded   []string `json:"membersAdded,omitempty"`
	MembersRemoved []string `json:"membersRemoved,omitempty"`
	// Granted and Revoked are the roles and entitlements a write of a
	// user's "roles" or "entitlements" added and removed (for Created,
	// every one it holds), sorted by attribute, value and type. The handler
	// computes them from the schema (scim.Grant); a store working out a
	// change itself leaves them empty.
	Granted []Grant `json:"granted,omitempty"`
	Revoked []Grant `json:"revoked,omitempty"`
}

// Grant is one role or entitlement a write gave a user or took away: an
// element of the user's "roles" or "entitlements" (RFC 7643 §4.1.2), as
// stored after the write (for a revocation, as it was stored before).
type Grant struct {
	// Attribute is "roles" or "entitlements".
	Attribute string `json:"attribute"`
	// Value is the role's or entitlement's id: a catalog entry's id when
	// the handler has catalogs of that kind (scim.Config.Catalogs),
	// otherwise the value as sent.
	Value string `json:"value"`
	// Display is the element's display name, as sent or filled in from the
	// catalog.
	Display string `json:"display,omitempty"`
	// Type is the element's type: for entitlements the name of the catalog
	// serving it ("License"); for roles as sent (Entra sends
	// "WindowsAzureActiveDirectoryRole"), often "".
	Type string `json:"type,omitempty"`
}

// Diff returns the top-level attributes whose values differ between two
// canonical data maps (schema.Identical), sorted. An extension object
// (under its schema URN, the only keys that contain ":") is compared
// attribute by attribute and reported as "urn:...:attr". old nil means
// the resource is new: every attribute of next is listed.
func Diff(old, next map[string]any) []string {
	return diff(old, next, true)
}

func diff(old, next map[string]any, top bool) []string {
	var out []string
	visit := func(k string) {
		if top && strings.Contains(k, ":") {
			o, _ := old[k].(map[string]any)
			n, _ := next[k].(map[string]any)
			for _, p := range diff(o, n, false) {
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
		if _, seen := old[k]; !seen {
			visit(k)
		}
	}
	sort.Strings(out)
	return out
}

// MemberDiff returns the "members" values (ids) in next but not in old,
// and in old but not in next, each sorted.
func MemberDiff(old, next map[string]any) (added, removed []string) {
	ov, nv := valueSet(old), valueSet(next)
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

func valueSet(attrs map[string]any) map[string]bool {
	vs := MemberValues(attrs)
	out := make(map[string]bool, len(vs))
	for _, v := range vs {
		out[v] = true
	}
	return out
}

// ChangeOf returns the Change of a write of typ/id that made old into
// next (old nil for Created, next nil for Deleted), with version the
// resource's version after it: Changed is Diff(old, next) (nothing for
// Deleted) and the member deltas MemberDiff(old, next).
func ChangeOf(kind ChangeKind, typ, id, version string, old, next map[string]any) Change {
	c := Change{Kind: kind, Type: typ, ID: id, Version: version}
	if kind == Deleted {
		return c
	}
	c.Changed = Diff(old, next)
	c.MembersAdded, c.MembersRemoved = MemberDiff(old, next)
	return c
}

// Change returns the Change of a MemberPatcher write that applied d with
// this result: Changed lists r.Changed and d.Attribute if a member was
// added or removed. It reports ok false when nothing changed.
func (r *MemberResult) Change(typ, id string, d MemberDelta) (c Change, ok bool) {
	changed := slices.Clone(r.Changed)
	if len(r.Added) > 0 || len(r.Removed) > 0 {
		changed = append(changed, d.Attribute)
	}
	if len(changed) == 0 {
		return Change{}, false
	}
	sort.Strings(changed)
	return Change{Kind: Patched, Type: typ, ID: id, Version: r.Version, Changed: changed,
		MembersAdded: r.Added, MembersRemoved: r.Removed}, true
}

type changeKey struct{}

// WithChange returns a copy of ctx that tells a store with a change feed
// what the write it is about to make through ctx changes: scim.Handler
// computes the Change of each write (from the resource it read and the
// one it writes, or from patch.Apply) and passes it this way, so that the
// feed records exactly what Config.OnChange reports, and stores need not
// read the old resource to know. ID is empty for Created; Version is the
// store's to fill in.
func WithChange(ctx context.Context, c Change) context.Context {
	return context.WithValue(ctx, changeKey{}, c)
}

// ChangeFor returns the Change a store records for a write of typ/id of
// the given kind (Replaced for Store.Replace, which the handler also uses
// for PATCH) that produced version: the one WithChange put in ctx when it
// names this write (kind, type and id, any id for Created), with id and
// version filled in; otherwise ChangeOf(kind, typ, id, version, old,
// next). A store that does not read the old resource passes old nil, so
// a Replace made directly on it (not through scim.Handler) lists every
// attribute the resource has after the write.
func ChangeFor(ctx context.Context, kind ChangeKind, typ, id, version string, old, next map[string]any) Change {
	if c, ok := hinted(ctx, kind, typ, id, version); ok {
		return c
	}
	return ChangeOf(kind, typ, id, version, old, next)
}

// hinted returns the Change WithChange put in ctx if it names this write.
func hinted(ctx context.Context, kind ChangeKind, typ, id, version string) (Change, bool) {
	c, ok := ctx.Value(changeKey{}).(Change)
	if !ok || c.Type != typ || c.ID != id && !(kind == Created && c.ID == "") ||
		c.Kind != kind && !(kind == Replaced && c.Kind == Patched) {
		return Change{}, false
	}
	c.ID, c.Version = id, version
	return c, true
}
