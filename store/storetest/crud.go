package storetest

import (
	"context"
	"errors"
	"time"

	"github.com/scimkit/scimkit/store"
)

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
	if diff := diffResources(want, got); diff != "" {
		t.Errorf("%s: resource mismatch:\n%s", what, diff)
	}
}

// checkAttrs reports the differences between the attributes written and
// those the store gives back.
func checkAttrs(t tb, what string, want, got map[string]any) {
	t.Helper()
	if diff := diffValues(want, got); diff != "" {
		t.Errorf("%s: attributes mismatch (every attribute the store declares must be kept as written):\n%s", what, diff)
	}
}

func (k *kit) testCreate(t tb) {
	s := t.Store()
	ctx := context.Background()
	in := k.rich("User", 1)
	inCopy := *in
	inAttrs := deepCopy(in.Attributes)
	got, err := s.Create(ctx, in)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if got == nil {
		t.Fatalf("Create returned a nil resource and no error")
	}
	if diff := diffResources(&inCopy, in); diff != "" {
		t.Errorf("Create modified its argument:\n%s", diff)
	}
	if diff := diffValues(inAttrs, in.Attributes); diff != "" {
		t.Errorf("Create modified the attributes of its argument:\n%s", diff)
	}
	if got.ID == "" {
		t.Errorf("Create: ID is empty")
	}
	if got.Type != "User" {
		t.Errorf("Create: Type = %q, want %q", got.Type, "User")
	}
	checkAttrs(t, "Create", inAttrs.(map[string]any), got.Attributes)
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

	second := mustCreate(t, s, k.newUser("jsmith"))
	if second.ID == got.ID {
		t.Errorf("two Creates gave the same id %q", got.ID)
	}
	gin := k.rich("Group", 1, got.ID, second.ID)
	g := mustCreate(t, s, gin)
	if g.ID == "" || g.Meta.Version == "" || g.Type != "Group" {
		t.Errorf("Create(Group) = %+v, want Type Group with ID and Meta.Version set", g)
	}
	checkAttrs(t, "Create(Group)", gin.Attributes, g.Attributes)
	checkSame(t, "Get(Group) after Create", g, mustGet(t, s, "Group", g.ID))
}

func (k *kit) testGet(t tb) {
	s := t.Store()
	ctx := context.Background()
	u := mustCreate(t, s, k.newUser("bjensen"))
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

func (k *kit) testReplace(t tb) {
	s := t.Store()
	ctx := context.Background()
	u := mustCreate(t, s, k.rich("User", 1))

	// Every declared attribute is replaced. A Meta in the argument is the
	// store's to set, not the caller's.
	in := k.rich("User", 2)
	in.ID = u.ID
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
	checkAttrs(t, "Replace", in.Attributes, r1.Attributes)
	checkSame(t, "Get after Replace", r1, mustGet(t, s, "User", u.ID))

	// ifVersion equal to the current version; attributes not written are
	// gone.
	r2, err := s.Replace(ctx, k.with(u, k.userP("bjensen", "Director")), r1.Meta.Version)
	if err != nil {
		t.Fatalf("Replace with the current version: %v", err)
	}
	if r2.Meta.Version == r1.Meta.Version || r2.Meta.Version == u.Meta.Version {
		t.Errorf("Replace: Meta.Version %q repeats an earlier version (%q, %q)", r2.Meta.Version, u.Meta.Version, r1.Meta.Version)
	}
	checkAttrs(t, "Replace with fewer attributes", k.trim("User", k.userP("bjensen", "Director")), mustGet(t, s, "User", u.ID).Attributes)

	// A stale ifVersion changes nothing.
	_, err = s.Replace(ctx, k.with(u, k.userP("bjensen", "Stale")), r1.Meta.Version)
	checkErr(t, "Replace with a stale version", err, store.ErrVersionMismatch)
	checkSame(t, "Get after a stale Replace", r2, mustGet(t, s, "User", u.ID))

	_, err = s.Replace(ctx, &store.Resource{Type: "User", ID: "no-such-id", Attributes: map[string]any{"userName": "x"}}, "")
	checkErr(t, "Replace of an unknown id", err, store.ErrNotFound)
	_, err = s.Replace(ctx, &store.Resource{Type: "Group", ID: u.ID, Attributes: map[string]any{"displayName": "x"}}, "")
	checkErr(t, "Replace of a user id as a Group", err, store.ErrNotFound)
	checkSame(t, "Get after failed Replaces", r2, mustGet(t, s, "User", u.ID))

	other := mustCreate(t, s, k.newUser("jsmith"))
	taken := "BJensen"
	if k.payload == "userName" {
		taken = "BJensen=Director" // userP appended the payload to the userName
	}
	_, err = s.Replace(ctx, k.with(other, map[string]any{"userName": taken}), "")
	checkErr(t, "Replace taking another user's userName", err, store.ErrConflict)
	checkSame(t, "Get after a conflicting Replace", other, mustGet(t, s, "User", other.ID))

	// Groups: every declared attribute is replaced.
	g := mustCreate(t, s, k.rich("Group", 1, u.ID))
	gin := k.rich("Group", 2, other.ID, u.ID)
	gin.ID = g.ID
	g2, err := s.Replace(ctx, gin, g.Meta.Version)
	if err != nil {
		t.Fatalf("Replace(Group): %v", err)
	}
	checkAttrs(t, "Replace(Group)", gin.Attributes, g2.Attributes)
	checkSame(t, "Get(Group) after Replace", g2, mustGet(t, s, "Group", g.ID))
}

func (k *kit) testDelete(t tb) {
	s := t.Store()
	ctx := context.Background()
	u := mustCreate(t, s, k.newUser("bjensen"))
	r1, err := s.Replace(ctx, k.with(u, k.userP("bjensen", "x")), "")
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
	_, err = s.Replace(ctx, k.with(u, map[string]any{"userName": "bjensen"}), "")
	checkErr(t, "Replace after Delete", err, store.ErrNotFound)

	v := mustCreate(t, s, k.newUser("jsmith"))
	if err := s.Delete(ctx, "User", v.ID, ""); err != nil {
		t.Fatalf("Delete without ifVersion: %v", err)
	}
	g := mustCreate(t, s, k.newGroup("Admins"))
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

func (k *kit) testDeleteMembers(t tb) {
	s := t.Store()
	ctx := context.Background()
	u1 := mustCreate(t, s, k.newUser("u1"))
	u2 := mustCreate(t, s, k.newUser("u2"))
	u3 := mustCreate(t, s, k.newUser("u3"))
	g1 := mustCreate(t, s, k.newGroup("both", u1.ID, u2.ID))
	g2 := mustCreate(t, s, k.newGroup("only-u1", u1.ID))
	g3 := mustCreate(t, s, k.newGroup("other", u3.ID))
	// A replaced group keeps its membership tracking up to date.
	g3, err := s.Replace(ctx, k.with(g3, map[string]any{
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
		if diff := diffStrings(tc.want, memberValues(got)); diff != "" {
			t.Errorf("%s: members after deleting a member:\n%s\nreason: %s", tc.name, diff, tc.reason)
		}
		if got.Meta.Version == tc.before.Meta.Version {
			t.Errorf("%s: Meta.Version %q did not change although the members did", tc.name, got.Meta.Version)
		}
		if got.Attributes["displayName"] != tc.before.Attributes["displayName"] {
			t.Errorf("%s: displayName = %v, want %v", tc.name, got.Attributes["displayName"], tc.before.Attributes["displayName"])
		}
	}
	page := mustList(t, s, "Group", store.Query{Filter: k.mustParse(t, "Group", `members.value eq "`+u1.ID+`"`), StartIndex: 1, Count: 10})
	if page.Total != 0 {
		t.Errorf("List(Group, members.value eq deleted user): Total %d, want 0", page.Total)
	}
}

func (k *kit) testUniqueness(t tb) {
	s := t.Store()
	ctx := context.Background()
	a := mustCreate(t, s, k.newUser("bjensen"))
	b := mustCreate(t, s, k.newUser("jsmith"))

	for _, name := range []string{"bjensen", "BJENSEN", "BJensen"} {
		_, err := s.Create(ctx, k.newUser(name))
		checkErr(t, "Create with taken userName "+name, err, store.ErrConflict)
	}
	_, err := s.Replace(ctx, k.with(b, map[string]any{"userName": "bJENSEN"}), "")
	checkErr(t, "Replace with another user's userName", err, store.ErrConflict)
	checkSame(t, "Get after a conflicting Replace", b, mustGet(t, s, "User", b.ID))

	// A user may change the case of its own userName.
	a2, err := s.Replace(ctx, k.with(a, map[string]any{"userName": "BJensen"}), "")
	if err != nil {
		t.Fatalf("Replace changing the case of the own userName: %v", err)
	}
	// A rename frees the old value, and takes the new one.
	if _, err := s.Replace(ctx, k.with(a2, map[string]any{"userName": "barbara"}), ""); err != nil {
		t.Fatalf("Replace renaming: %v", err)
	}
	mustCreate(t, s, k.newUser("bjensen"))
	_, err = s.Create(ctx, k.newUser("Barbara"))
	checkErr(t, "Create with a userName taken by a rename", err, store.ErrConflict)
	// A delete frees the value.
	if err := s.Delete(ctx, "User", b.ID, ""); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustCreate(t, s, k.newUser("JSMITH"))
	// Groups have no userName rule: the same displayName twice is fine.
	mustCreate(t, s, k.newGroup("bjensen"))
}

func (k *kit) testExternalID(t tb) {
	if k.cfg.NoExternalID {
		t.Skipf("the store does not keep externalId (Config.NoExternalID)")
	}
	s := t.Store()
	a := mustCreate(t, s, k.newUser("a", "externalId", "same"))
	b := mustCreate(t, s, k.newUser("b", "externalId", "same"))
	mustCreate(t, s, k.newUser("c", "externalId", "SAME"))
	g := k.newGroup("g", a.ID)
	g.Attributes["externalId"] = "same"
	mustCreate(t, s, g)
	if _, err := s.Replace(context.Background(), k.with(b, map[string]any{"userName": "b", "externalId": "same"}), ""); err != nil {
		t.Errorf("Replace keeping a shared externalId: %v", err)
	}
	page := mustList(t, s, "User", store.Query{Filter: k.mustParse(t, "User", `externalId eq "same"`), StartIndex: 1, Count: 10})
	if page.Total != 2 {
		t.Errorf(`List(externalId eq "same"): Total %d, want 2`, page.Total)
	}
}
