package storetest

import (
	"context"
	"errors"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
)

// checkReference reports an error unless err wraps store.ErrInvalidReference
// and is a *store.ReferenceError naming value in "members".
func checkReference(t tb, what string, err error, value string) {
	t.Helper()
	if !errors.Is(err, store.ErrInvalidReference) {
		t.Errorf("%s: error %v, want one wrapping ErrInvalidReference", what, err)
		return
	}
	var re *store.ReferenceError
	if !errors.As(err, &re) {
		t.Errorf("%s: error %v wraps ErrInvalidReference but is no *store.ReferenceError", what, err)
		return
	}
	if diff := cmp.Diff(&store.ReferenceError{Attribute: "members", Value: value}, re); diff != "" {
		t.Errorf("%s: ReferenceError (-want +got):\n%s", what, diff)
	}
}

// member returns a member element; typ "" leaves "type" out.
func member(value, typ string) any {
	m := map[string]any{"value": value}
	if typ != "" {
		m["type"] = typ
	}
	return m
}

// testMemberReferences checks that no write names a group member that is
// not an existing resource: members without "type" or of type "User" must
// be users, members of type "Group" groups; a group may list itself; and a
// deleted user cannot be added back.
func testMemberReferences(t tb) {
	s := t.Store()
	ctx := context.Background()
	u1 := mustCreate(t, s, newUser("u1"))
	u2 := mustCreate(t, s, newUser("u2"))
	u3 := mustCreate(t, s, newUser("u3")) // never a member of g
	sub := mustCreate(t, s, newGroup("sub"))
	g := mustCreate(t, s, newGroup("g", u1.ID, u2.ID))
	const missing = "no-such-resource"

	creates := []struct {
		name, reason string
		members      []any
		bad          string // the member value refused; "" for none
	}{
		{name: "missing", reason: "a member must exist", members: []any{member(u1.ID, "User"), member(missing, "User")}, bad: missing},
		{name: "missing untyped", reason: "a member without type must be an existing user", members: []any{member(missing, "")}, bad: missing},
		{name: "user as a group", reason: "a member of type Group must be a group", members: []any{member(u1.ID, "Group")}, bad: u1.ID},
		{name: "group as a user", reason: "a member of type User must be a user", members: []any{member(sub.ID, "User")}, bad: sub.ID},
		{name: "users and a group", reason: "existing users and groups are fine", members: []any{member(u1.ID, ""), member(u2.ID, "User"), member(sub.ID, "Group")}},
	}
	for _, tc := range creates {
		before := ids(all(t, s, "Group", nil))
		r, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": tc.name, "members": tc.members}})
		if tc.bad == "" {
			if err != nil {
				t.Errorf("Create(Group) %s: %v (%s)", tc.name, err, tc.reason)
			} else if diff := cmp.Diff(tc.members, mustGet(t, s, "Group", r.ID).Attributes["members"]); diff != "" {
				t.Errorf("Create(Group) %s: members (-want +got):\n%s", tc.name, diff)
			}
			continue
		}
		checkReference(t, "Create(Group) "+tc.name+" ("+tc.reason+")", err, tc.bad)
		if diff := cmp.Diff(before, ids(all(t, s, "Group", nil))); diff != "" {
			t.Errorf("Create(Group) %s failed but the groups changed (-before +after):\n%s", tc.name, diff)
		}
	}

	cur := mustGet(t, s, "Group", g.ID)
	for _, tc := range creates {
		if tc.bad == "" {
			continue
		}
		_, err := s.Replace(ctx, with(g, map[string]any{"displayName": "g", "members": tc.members}), "")
		checkReference(t, "Replace(Group) "+tc.name+" ("+tc.reason+")", err, tc.bad)
		checkSame(t, "Get after Replace(Group) "+tc.name, cur, mustGet(t, s, "Group", g.ID))
	}
	self := []any{member(u1.ID, "User"), member(u2.ID, "User"), member(g.ID, "Group")}
	cur, err := s.Replace(ctx, with(g, map[string]any{"displayName": "g", "members": self}), cur.Meta.Version)
	if err != nil {
		t.Fatalf("Replace of a group listing itself: %v", err)
	}
	if diff := cmp.Diff(self, mustGet(t, s, "Group", g.ID).Attributes["members"]); diff != "" {
		t.Errorf("members of a group listing itself (-want +got):\n%s", diff)
	}

	mp, _ := s.(store.MemberPatcher)
	if mp != nil {
		deltas := []struct {
			name, reason string
			add          []map[string]any
			bad          string
		}{
			{name: "missing", reason: "an added member must exist", add: append(adds(u1.ID), map[string]any{"value": missing}), bad: missing},
			{name: "user as a group", reason: "a member of type Group must be a group (adds of values the group lists are ignored, so a non-member)", add: []map[string]any{{"value": u3.ID, "type": "Group"}}, bad: u3.ID},
			{name: "group as a user", reason: "a member of type User must be a user", add: []map[string]any{{"value": sub.ID, "type": "User"}}, bad: sub.ID},
			{name: "after RemoveAll", reason: "RemoveAll does not lift the check", add: adds(missing), bad: missing},
		}
		for _, tc := range deltas {
			d := store.MemberDelta{Attribute: "members", Add: tc.add, RemoveAll: tc.name == "after RemoveAll"}
			_, err := mp.PatchMembers(ctx, "Group", g.ID, d, "")
			checkReference(t, "PatchMembers "+tc.name+" ("+tc.reason+")", err, tc.bad)
			checkSame(t, "Get after PatchMembers "+tc.name, cur, mustGet(t, s, "Group", g.ID))
		}
		res, err := mp.PatchMembers(ctx, "Group", sub.ID, store.MemberDelta{Attribute: "members", Add: []map[string]any{{"value": sub.ID, "type": "Group"}, {"value": g.ID, "type": "Group"}}}, "")
		if err != nil {
			t.Errorf("PatchMembers adding the group itself and another group: %v", err)
		} else if diff := cmp.Diff(sorted([]string{sub.ID, g.ID}), sorted(res.Added)); diff != "" {
			t.Errorf("PatchMembers adding groups: Added (-want +got):\n%s", diff)
		}
	}

	// A deleted user leaves the group and cannot come back.
	if err := s.Delete(ctx, "User", u2.ID, ""); err != nil {
		t.Fatalf("Delete(User): %v", err)
	}
	cur = mustGet(t, s, "Group", g.ID)
	if diff := cmp.Diff([]string{u1.ID, g.ID}, memberValues(cur)); diff != "" {
		t.Errorf("members after deleting a user (-want +got):\n%s", diff)
	}
	_, err = s.Create(ctx, newGroup("late", u2.ID))
	checkReference(t, "Create(Group) naming a deleted user", err, u2.ID)
	_, err = s.Replace(ctx, with(g, map[string]any{"displayName": "g", "members": []any{member(u1.ID, "User"), member(u2.ID, "User")}}), "")
	checkReference(t, "Replace(Group) naming a deleted user", err, u2.ID)
	if mp != nil {
		_, err = mp.PatchMembers(ctx, "Group", g.ID, store.MemberDelta{Attribute: "members", Add: adds(u2.ID)}, "")
		checkReference(t, "PatchMembers adding a deleted user", err, u2.ID)
	}
	checkSame(t, "Get after writes naming a deleted user", cur, mustGet(t, s, "Group", g.ID))
	page := mustList(t, s, "Group", store.Query{Filter: mustParse(t, "Group", `members.value eq `+quote(u2.ID)), StartIndex: 1, Count: 10})
	if page.Total != 0 {
		t.Errorf("List(Group, members.value eq deleted user): Total %d, want 0", page.Total)
	}
}
