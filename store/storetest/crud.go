package storetest

import (
	"context"
	"errors"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
)

// newUser returns a User with the given userName and further attributes
// given as name, value pairs.
func newUser(userName string, kv ...any) *store.Resource {
	attrs := map[string]any{"userName": userName}
	for i := 0; i+1 < len(kv); i += 2 {
		attrs[kv[i].(string)] = kv[i+1]
	}
	return &store.Resource{Type: "User", Attributes: attrs}
}

// newGroup returns a Group with the given displayName and members (ids of
// users).
func newGroup(displayName string, memberIDs ...string) *store.Resource {
	attrs := map[string]any{"displayName": displayName}
	if len(memberIDs) > 0 {
		members := make([]any, len(memberIDs))
		for i, id := range memberIDs {
			members[i] = map[string]any{"value": id, "type": "User"}
		}
		attrs["members"] = members
	}
	return &store.Resource{Type: "Group", Attributes: attrs}
}

// with returns a copy of r's type and id with new attributes.
func with(r *store.Resource, attrs map[string]any) *store.Resource {
	return &store.Resource{Type: r.Type, ID: r.ID, Attributes: attrs}
}

func mustCreate(t tb, s store.Store, r *store.Resource) *store.Resource {
	t.Helper()
	got, err := s.Create(context.Background(), r)
	if err != nil {
		t.Fatalf("Create(%s %v): %v", r.Type, r.Attributes, err)
	}
	if got == nil {
		t.Fatalf("Create(%s %v) returned a nil resource and no error", r.Type, r.Attributes)
	}
	return got
}

func mustGet(t tb, s store.Store, typ, id string) *store.Resource {
	t.Helper()
	got, err := s.Get(context.Background(), typ, id)
	if err != nil {
		t.Fatalf("Get(%s, %q): %v", typ, id, err)
	}
	if got == nil {
		t.Fatalf("Get(%s, %q) returned a nil resource and no error", typ, id)
	}
	return got
}

// checkErr reports an error unless err wraps want.
func checkErr(t tb, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error %v, want one wrapping %v", what, err, want)
	}
}

// checkSame reports a difference between two states of a resource.
func checkSame(t tb, what string, want, got *store.Resource) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: resource mismatch (-want +got):\n%s", what, diff)
	}
}

func testCreate(t tb) {
	s := t.Store()
	ctx := context.Background()
	in := newUser("bjensen",
		"name", map[string]any{"givenName": "Barbara", "familyName": "Jensen"},
		"emails", []any{map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true}},
		"active", true,
		"externalId", "ext-1")
	inCopy := *in
	got, err := s.Create(ctx, in)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if got == nil {
		t.Fatalf("Create returned a nil resource and no error")
	}
	if diff := cmp.Diff(&inCopy, in); diff != "" {
		t.Errorf("Create modified its argument (-before +after):\n%s", diff)
	}
	if got.ID == "" {
		t.Errorf("Create: ID is empty")
	}
	if got.Type != "User" {
		t.Errorf("Create: Type = %q, want %q", got.Type, "User")
	}
	if diff := cmp.Diff(in.Attributes, got.Attributes); diff != "" {
		t.Errorf("Create: attributes mismatch (-want +got):\n%s", diff)
	}
	if got.Meta.Created.IsZero() {
		t.Errorf("Create: Meta.Created is zero")
	}
	if !got.Meta.LastModified.Equal(got.Meta.Created) {
		t.Errorf("Create: Meta.LastModified = %v, want Meta.Created %v", got.Meta.LastModified, got.Meta.Created)
	}
	if got.Meta.Version == "" {
		t.Errorf("Create: Meta.Version is empty")
	}
	checkSame(t, "Get after Create", got, mustGet(t, s, "User", got.ID))

	second := mustCreate(t, s, newUser("jsmith"))
	if second.ID == got.ID {
		t.Errorf("two Creates gave the same id %q", got.ID)
	}
	g := mustCreate(t, s, newGroup("Admins", got.ID))
	if g.ID == "" || g.Meta.Version == "" || g.Type != "Group" {
		t.Errorf("Create(Group) = %+v, want Type Group with ID and Meta.Version set", g)
	}
}

func testGet(t tb) {
	s := t.Store()
	ctx := context.Background()
	u := mustCreate(t, s, newUser("bjensen"))
	checkSame(t, "Get", u, mustGet(t, s, "User", u.ID))
	tests := []struct {
		name, reason string
		typ, id      string
	}{
		{name: "unknown id", reason: "no resource has this id", typ: "User", id: "no-such-id"},
		{name: "empty id", reason: "no resource has the empty id", typ: "User", id: ""},
		{name: "other type", reason: "ids are looked up within one resource type", typ: "Group", id: u.ID},
	}
	for _, tc := range tests {
		got, err := s.Get(ctx, tc.typ, tc.id)
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: Get(%s, %q) = %v, %v; want an error wrapping ErrNotFound (%s)", tc.name, tc.typ, tc.id, got, err, tc.reason)
		}
	}
}

func testReplace(t tb) {
	s := t.Store()
	ctx := context.Background()
	u := mustCreate(t, s, newUser("bjensen", "title", "Tour Guide"))

	// A Meta in the argument is the store's to set, not the caller's.
	in := with(u, map[string]any{"userName": "bjensen", "title": "Manager"})
	in.Meta = store.Meta{Created: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), Version: "bogus"}
	r1, err := s.Replace(ctx, in, "")
	if err != nil {
		t.Fatalf("Replace without ifVersion: %v", err)
	}
	if r1.ID != u.ID || r1.Type != u.Type {
		t.Errorf("Replace returned %s %q, want %s %q", r1.Type, r1.ID, u.Type, u.ID)
	}
	if r1.Meta.Version == "" || r1.Meta.Version == u.Meta.Version {
		t.Errorf("Replace: Meta.Version = %q, want a new version (was %q)", r1.Meta.Version, u.Meta.Version)
	}
	if !r1.Meta.Created.Equal(u.Meta.Created) {
		t.Errorf("Replace: Meta.Created = %v, want it kept at %v", r1.Meta.Created, u.Meta.Created)
	}
	if r1.Meta.LastModified.Before(r1.Meta.Created) {
		t.Errorf("Replace: Meta.LastModified %v is before Meta.Created %v", r1.Meta.LastModified, r1.Meta.Created)
	}
	if diff := cmp.Diff(in.Attributes, r1.Attributes); diff != "" {
		t.Errorf("Replace: attributes mismatch (-want +got):\n%s", diff)
	}
	checkSame(t, "Get after Replace", r1, mustGet(t, s, "User", u.ID))

	// ifVersion equal to the current version.
	r2, err := s.Replace(ctx, with(u, map[string]any{"userName": "bjensen", "title": "Director"}), r1.Meta.Version)
	if err != nil {
		t.Fatalf("Replace with the current version: %v", err)
	}
	if r2.Meta.Version == r1.Meta.Version || r2.Meta.Version == u.Meta.Version {
		t.Errorf("Replace: Meta.Version %q repeats an earlier version (%q, %q)", r2.Meta.Version, u.Meta.Version, r1.Meta.Version)
	}

	// A stale ifVersion changes nothing.
	_, err = s.Replace(ctx, with(u, map[string]any{"userName": "bjensen", "title": "Stale"}), r1.Meta.Version)
	checkErr(t, "Replace with a stale version", err, store.ErrVersionMismatch)
	checkSame(t, "Get after a stale Replace", r2, mustGet(t, s, "User", u.ID))

	_, err = s.Replace(ctx, &store.Resource{Type: "User", ID: "no-such-id", Attributes: map[string]any{"userName": "x"}}, "")
	checkErr(t, "Replace of an unknown id", err, store.ErrNotFound)
	_, err = s.Replace(ctx, &store.Resource{Type: "Group", ID: u.ID, Attributes: map[string]any{"displayName": "x"}}, "")
	checkErr(t, "Replace of a user id as a Group", err, store.ErrNotFound)
	checkSame(t, "Get after failed Replaces", r2, mustGet(t, s, "User", u.ID))

	other := mustCreate(t, s, newUser("jsmith"))
	_, err = s.Replace(ctx, with(other, map[string]any{"userName": "BJensen"}), "")
	checkErr(t, "Replace taking another user's userName", err, store.ErrConflict)
	checkSame(t, "Get after a conflicting Replace", other, mustGet(t, s, "User", other.ID))
}

func testDelete(t tb) {
	s := t.Store()
	ctx := context.Background()
	u := mustCreate(t, s, newUser("bjensen"))
	r1, err := s.Replace(ctx, with(u, map[string]any{"userName": "bjensen", "title": "x"}), "")
	if err != nil {
		t.Fatalf("Replace: %v", err)
	}

	checkErr(t, "Delete with a stale version", s.Delete(ctx, "User", u.ID, u.Meta.Version), store.ErrVersionMismatch)
	checkSame(t, "Get after a stale Delete", r1, mustGet(t, s, "User", u.ID))
	checkErr(t, "Delete of a user id as a Group", s.Delete(ctx, "Group", u.ID, ""), store.ErrNotFound)
	checkErr(t, "Delete of an unknown id", s.Delete(ctx, "User", "no-such-id", ""), store.ErrNotFound)
	checkSame(t, "Get after failed Deletes", r1, mustGet(t, s, "User", u.ID))

	if err := s.Delete(ctx, "User", u.ID, r1.Meta.Version); err != nil {
		t.Fatalf("Delete with the current version: %v", err)
	}
	_, err = s.Get(ctx, "User", u.ID)
	checkErr(t, "Get after Delete", err, store.ErrNotFound)
	checkErr(t, "second Delete", s.Delete(ctx, "User", u.ID, ""), store.ErrNotFound)
	_, err = s.Replace(ctx, with(u, map[string]any{"userName": "bjensen"}), "")
	checkErr(t, "Replace after Delete", err, store.ErrNotFound)

	v := mustCreate(t, s, newUser("jsmith"))
	if err := s.Delete(ctx, "User", v.ID, ""); err != nil {
		t.Fatalf("Delete without ifVersion: %v", err)
	}
	g := mustCreate(t, s, newGroup("Admins"))
	if err := s.Delete(ctx, "Group", g.ID, g.Meta.Version); err != nil {
		t.Fatalf("Delete(Group): %v", err)
	}
	page, err := s.List(ctx, "User", store.Query{StartIndex: 1, Count: 10})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if page.Total != 0 || len(page.Resources) != 0 {
		t.Errorf("List after deleting every user: Total %d and %d resources, want none", page.Total, len(page.Resources))
	}
}

// memberValues returns the "value" of every member of a group.
func memberValues(g *store.Resource) []string {
	var out []string
	members, _ := g.Attributes["members"].([]any)
	for _, m := range members {
		if mm, ok := m.(map[string]any); ok {
			v, _ := mm["value"].(string)
			out = append(out, v)
		}
	}
	return out
}

func testDeleteMembers(t tb) {
	s := t.Store()
	ctx := context.Background()
	u1 := mustCreate(t, s, newUser("u1"))
	u2 := mustCreate(t, s, newUser("u2"))
	u3 := mustCreate(t, s, newUser("u3"))
	g1 := mustCreate(t, s, newGroup("both", u1.ID, u2.ID))
	g2 := mustCreate(t, s, newGroup("only-u1", u1.ID))
	g3 := mustCreate(t, s, newGroup("other", u3.ID))
	// A replaced group keeps its membership tracking up to date.
	g3, err := s.Replace(ctx, with(g3, map[string]any{
		"displayName": "other",
		"members":     []any{map[string]any{"value": u3.ID}, map[string]any{"value": u1.ID, "display": "u1"}},
	}), "")
	if err != nil {
		t.Fatalf("Replace(Group): %v", err)
	}

	if err := s.Delete(ctx, "User", u1.ID, ""); err != nil {
		t.Fatalf("Delete(User): %v", err)
	}
	tests := []struct {
		name, reason string
		before       *store.Resource
		want         []string
	}{
		{name: "both", reason: "the other member stays", before: g1, want: []string{u2.ID}},
		{name: "only-u1", reason: "the group becomes empty", before: g2, want: nil},
		{name: "replaced", reason: "membership added by Replace is tracked too", before: g3, want: []string{u3.ID}},
	}
	for _, tc := range tests {
		got := mustGet(t, s, "Group", tc.before.ID)
		if diff := cmp.Diff(tc.want, memberValues(got)); diff != "" {
			t.Errorf("%s: members after deleting a member (-want +got):\n%s\nreason: %s", tc.name, diff, tc.reason)
		}
		if got.Meta.Version == tc.before.Meta.Version {
			t.Errorf("%s: Meta.Version %q did not change although the members did", tc.name, got.Meta.Version)
		}
		if got.Attributes["displayName"] != tc.before.Attributes["displayName"] {
			t.Errorf("%s: displayName = %v, want %v", tc.name, got.Attributes["displayName"], tc.before.Attributes["displayName"])
		}
	}
	page := mustList(t, s, "Group", store.Query{Filter: mustParse(t, "Group", `members.value eq "`+u1.ID+`"`), StartIndex: 1, Count: 10})
	if page.Total != 0 {
		t.Errorf("List(Group, members.value eq deleted user): Total %d, want 0", page.Total)
	}
}

func testUniqueness(t tb) {
	s := t.Store()
	ctx := context.Background()
	a := mustCreate(t, s, newUser("bjensen"))
	b := mustCreate(t, s, newUser("jsmith"))

	for _, name := range []string{"bjensen", "BJENSEN", "BJensen"} {
		_, err := s.Create(ctx, newUser(name))
		checkErr(t, "Create with taken userName "+name, err, store.ErrConflict)
	}
	_, err := s.Replace(ctx, with(b, map[string]any{"userName": "bJENSEN"}), "")
	checkErr(t, "Replace with another user's userName", err, store.ErrConflict)
	checkSame(t, "Get after a conflicting Replace", b, mustGet(t, s, "User", b.ID))

	// A user may change the case of its own userName.
	a2, err := s.Replace(ctx, with(a, map[string]any{"userName": "BJensen"}), "")
	if err != nil {
		t.Fatalf("Replace changing the case of the own userName: %v", err)
	}
	// A rename frees the old value, and takes the new one.
	if _, err := s.Replace(ctx, with(a2, map[string]any{"userName": "barbara"}), ""); err != nil {
		t.Fatalf("Replace renaming: %v", err)
	}
	mustCreate(t, s, newUser("bjensen"))
	_, err = s.Create(ctx, newUser("Barbara"))
	checkErr(t, "Create with a userName taken by a rename", err, store.ErrConflict)
	// A delete frees the value.
	if err := s.Delete(ctx, "User", b.ID, ""); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustCreate(t, s, newUser("JSMITH"))
	// Groups have no userName rule: the same displayName twice is fine.
	mustCreate(t, s, newGroup("bjensen"))
}

func testExternalID(t tb) {
	s := t.Store()
	a := mustCreate(t, s, newUser("a", "externalId", "same"))
	b := mustCreate(t, s, newUser("b", "externalId", "same"))
	mustCreate(t, s, newUser("c", "externalId", "SAME"))
	g := newGroup("g", a.ID)
	g.Attributes["externalId"] = "same"
	mustCreate(t, s, g)
	if _, err := s.Replace(context.Background(), with(b, map[string]any{"userName": "b", "externalId": "same"}), ""); err != nil {
		t.Errorf("Replace keeping a shared externalId: %v", err)
	}
	page := mustList(t, s, "User", store.Query{Filter: mustParse(t, "User", `externalId eq "same"`), StartIndex: 1, Count: 10})
	if page.Total != 2 {
		t.Errorf(`List(externalId eq "same"): Total %d, want 2`, page.Total)
	}
}
