package storetest

import (
	"context"
	"errors"

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
	if want := (store.ReferenceError{Attribute: "members", Value: value}); *re != want {
		t.Errorf("%s: ReferenceError %+v, want %+v", what, *re, want)
	}
}

// member returns a member element; typ "" leaves "type" out, and so
// does a store that keeps no member types.
func (k *kit) member(value, typ string) any {
	m := map[string]any{"value": value}
	if typ != "" && k.memberType {
		m["type"] = typ
	}
	return m
}

// testMemberReferences checks that no write names a group member that is
// not an existing resource: members without "type" or of type "User" must
// be users, members of type "Group" groups; a group may list itself; and a
// deleted user cannot be added back. Without nested groups, a group is no
// member at all.
func (k *kit) testMemberReferences(t tb) {
	s := t.Store()
	ctx := context.Background()
	nested := !k.cfg.NoNestedGroups
	u1 := mustCreate(t, s, k.newUser("u1"))
	u2 := mustCreate(t, s, k.newUser("u2"))
	u3 := mustCreate(t, s, k.newUser("u3")) // never a member of g
	sub := mustCreate(t, s, k.newGroup("sub"))
	g := mustCreate(t, s, k.newGroup("g", u1.ID, u2.ID))
	const missing = "no-such-resource"
	ifNested := func(v string) string {
		if nested {
			return ""
		}
		return v
	}
	m := k.member

	creates := []struct {
		name, reason string
		members      []any
		bad          string // the member value refused; "" for none
		skip         bool   // the row needs member types the store does not keep
	}{
		{name: "missing", reason: "a member must exist", members: []any{m(u1.ID, "User"), m(missing, "User")}, bad: missing},
		{name: "missing untyped", reason: "a member without type must be an existing user", members: []any{m(missing, "")}, bad: missing},
		{name: "user as a group", reason: "a member of type Group must be a group", members: []any{m(u1.ID, "Group")}, bad: u1.ID, skip: !k.memberType},
		{name: "group as a user", reason: "a member of type User must be a user", members: []any{m(sub.ID, "User")}, bad: sub.ID, skip: !k.memberType && nested},
		{name: "users and a group", reason: "existing users and groups are fine, unless groups cannot be members (Config.NoNestedGroups)",
			members: []any{m(u1.ID, ""), m(u2.ID, "User"), m(sub.ID, "Group")}, bad: ifNested(sub.ID)},
		{name: "group untyped", reason: "a member without type may be a group, unless groups cannot be members (Config.NoNestedGroups)",
			members: []any{m(sub.ID, "")}, bad: ifNested(sub.ID)},
		{name: "users", reason: "existing users are fine", members: []any{m(u1.ID, "User"), m(u2.ID, "")}},
	}
	for _, tc := range creates {
		if tc.skip {
			continue
		}
		before := ids(all(t, s, "Group", nil))
		r, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": tc.name, "members": tc.members}})
		if tc.bad == "" {
			if err != nil {
				t.Errorf("Create(Group) %s: %v (%s)", tc.name, err, tc.reason)
			} else if diff := diffValues(tc.members, mustGet(t, s, "Group", r.ID).Attributes["members"]); diff != "" {
				t.Errorf("Create(Group) %s: members:\n%s", tc.name, diff)
			}
			continue
		}
		checkReference(t, "Create(Group) "+tc.name+" ("+tc.reason+")", err, tc.bad)
		if diff := diffStrings(before, ids(all(t, s, "Group", nil))); diff != "" {
			t.Errorf("Create(Group) %s failed but the groups changed (want: before, got: after):\n%s", tc.name, diff)
		}
	}

	cur := mustGet(t, s, "Group", g.ID)
	for _, tc := range creates {
		if tc.bad == "" || tc.skip {
			continue
		}
		_, err := s.Replace(ctx, k.with(g, map[string]any{"displayName": "g", "members": tc.members}), "")
		checkReference(t, "Replace(Group) "+tc.name+" ("+tc.reason+")", err, tc.bad)
		checkSame(t, "Get after Replace(Group) "+tc.name, cur, mustGet(t, s, "Group", g.ID))
	}
	self := []any{m(u1.ID, "User"), m(u2.ID, "User"), m(g.ID, "Group")}
	if !nested {
		_, err := s.Replace(ctx, k.with(g, map[string]any{"displayName": "g", "members": self}), "")
		checkReference(t, "Replace of a group listing itself (groups cannot be members: Config.NoNestedGroups)", err, g.ID)
		checkSame(t, "Get after Replace of a group listing itself", cur, mustGet(t, s, "Group", g.ID))
		self = self[:2]
	}
	cur, err := s.Replace(ctx, k.with(g, map[string]any{"displayName": "g", "members": self}), cur.Meta.Version)
	if err != nil {
		t.Fatalf("Replace of a group listing itself: %v", err)
	}
	if diff := diffValues(self, mustGet(t, s, "Group", g.ID).Attributes["members"]); diff != "" {
		t.Errorf("members of a group listing itself:\n%s", diff)
	}

	mp, _ := s.(store.MemberPatcher)
	if mp != nil {
		el := func(value, typ string) map[string]any { return k.member(value, typ).(map[string]any) }
		deltas := []struct {
			name, reason string
			add          []map[string]any
			bad          string
			skip         bool
		}{
			{name: "missing", reason: "an added member must exist", add: append(k.adds(u1.ID), map[string]any{"value": missing}), bad: missing},
			{name: "user as a group", reason: "a member of type Group must be a group (adds of values the group lists are ignored, so a non-member)", add: []map[string]any{el(u3.ID, "Group")}, bad: u3.ID, skip: !k.memberType},
			{name: "group as a user", reason: "a member of type User must be a user", add: []map[string]any{el(sub.ID, "User")}, bad: sub.ID, skip: !k.memberType && nested},
			{name: "group", reason: "groups cannot be members (Config.NoNestedGroups)", add: []map[string]any{el(sub.ID, "Group")}, bad: sub.ID, skip: nested},
			{name: "after RemoveAll", reason: "RemoveAll does not lift the check", add: k.adds(missing), bad: missing},
		}
		for _, tc := range deltas {
			if tc.skip {
				continue
			}
			d := store.MemberDelta{Attribute: "members", Add: tc.add, RemoveAll: tc.name == "after RemoveAll"}
			_, err := mp.PatchMembers(ctx, "Group", g.ID, d, "")
			checkReference(t, "PatchMembers "+tc.name+" ("+tc.reason+")", err, tc.bad)
			checkSame(t, "Get after PatchMembers "+tc.name, cur, mustGet(t, s, "Group", g.ID))
		}
		if nested {
			res, err := mp.PatchMembers(ctx, "Group", sub.ID, store.MemberDelta{Attribute: "members", Add: []map[string]any{el(sub.ID, "Group"), el(g.ID, "Group")}}, "")
			if err != nil {
				t.Errorf("PatchMembers adding the group itself and another group: %v", err)
			} else if diff := diffStrings(sorted([]string{sub.ID, g.ID}), sorted(res.Added)); diff != "" {
				t.Errorf("PatchMembers adding groups: Added:\n%s", diff)
			}
		}
	}

	// A deleted user leaves the group and cannot come back.
	if err := s.Delete(ctx, "User", u2.ID, ""); err != nil {
		t.Fatalf("Delete(User): %v", err)
	}
	cur = mustGet(t, s, "Group", g.ID)
	want := []string{u1.ID, g.ID}
	if !nested {
		want = want[:1]
	}
	if diff := diffStrings(want, memberValues(cur)); diff != "" {
		t.Errorf("members after deleting a user:\n%s", diff)
	}
	_, err = s.Create(ctx, k.newGroup("late", u2.ID))
	checkReference(t, "Create(Group) naming a deleted user", err, u2.ID)
	_, err = s.Replace(ctx, k.with(g, map[string]any{"displayName": "g", "members": []any{m(u1.ID, "User"), m(u2.ID, "User")}}), "")
	checkReference(t, "Replace(Group) naming a deleted user", err, u2.ID)
	if mp != nil {
		_, err = mp.PatchMembers(ctx, "Group", g.ID, store.MemberDelta{Attribute: "members", Add: k.adds(u2.ID)}, "")
		checkReference(t, "PatchMembers adding a deleted user", err, u2.ID)
	}
	checkSame(t, "Get after writes naming a deleted user", cur, mustGet(t, s, "Group", g.ID))
	page := mustList(t, s, "Group", store.Query{Filter: k.mustParse(t, "Group", `members.value eq `+quote(u2.ID)), StartIndex: 1, Count: 10})
	if page.Total != 0 {
		t.Errorf("List(Group, members.value eq deleted user): Total %d, want 0", page.Total)
	}
}
