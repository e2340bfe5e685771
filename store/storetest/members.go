package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/scimkit/scimkit/store"
)

// memberPatcher returns s as a store.MemberPatcher, or skips the test.
func memberPatcher(t tb, s store.Store) store.MemberPatcher {
	t.Helper()
	mp, ok := s.(store.MemberPatcher)
	if !ok {
		t.Skipf("the store does not implement store.MemberPatcher")
	}
	return mp
}

// adds returns member elements for the ids of users, with type "User"
// when the store keeps member types.
func (k *kit) adds(ids ...string) []map[string]any {
	out := make([]map[string]any, len(ids))
	for i, id := range ids {
		out[i] = map[string]any{"value": id}
		if k.memberType {
			out[i]["type"] = "User"
		}
	}
	return out
}

// renameExtra returns m with its key "externalId" renamed to the optional
// Group attribute the store keeps, or left out when it keeps none.
func (k *kit) renameExtra(m map[string]any) map[string]any {
	if _, ok := m["externalId"]; !ok || k.groupExtra == "externalId" {
		return m
	}
	out := map[string]any{}
	for name, v := range m {
		if name != "externalId" {
			out[name] = v
		} else if k.groupExtra != "" {
			out[k.groupExtra] = v
		}
	}
	return out
}

// snapshot returns a deep copy of the attributes of r, to check later that
// r was not modified.
func snapshot(r *store.Resource) map[string]any {
	return deepCopy(r.Attributes).(map[string]any)
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// checkSubset reports the values of sub that are not in of.
func checkSubset(t tb, what string, sub, of []string) {
	t.Helper()
	for _, v := range sub {
		if !slices.Contains(of, v) {
			t.Errorf("%s: %q is missing from %q", what, v, of)
		}
	}
}

// setOf returns the sorted values, nil when empty.
func setOf(vs []string) []string { return sorted(vs) }

func (k *kit) testPatchMembers(t tb) {
	s := t.Store()
	mp := memberPatcher(t, s)
	ctx := context.Background()
	var u []string
	for i := range 5 {
		u = append(u, mustCreate(t, s, k.newUser(fmt.Sprintf("u%d", i))).ID)
	}
	g := mustCreate(t, s, k.with(&store.Resource{Type: "Group"}, k.renameExtra(map[string]any{
		"displayName": "team", "externalId": "ext-team",
		"members": []any{map[string]any{"value": u[0], "type": "User"}, map[string]any{"value": u[1], "type": "User"}},
	})))
	first := mustGet(t, s, "Group", g.ID)
	firstAttrs := snapshot(first)

	tests := []struct {
		name, reason string
		delta        store.MemberDelta
		want         []string // member values after, in order
		added        []string
		removed      []string
		changed      []string
		attrs        map[string]any // attributes besides members expected after
		noChange     bool
	}{
		{name: "add", reason: "a new member is appended",
			delta: store.MemberDelta{Add: k.adds(u[2])}, want: []string{u[0], u[1], u[2]}, added: []string{u[2]},
			attrs: map[string]any{"displayName": "team", "externalId": "ext-team"}},
		{name: "add present", reason: "members already present are ignored: nothing changes",
			delta: store.MemberDelta{Add: k.adds(u[0], u[2])}, want: []string{u[0], u[1], u[2]}, noChange: true,
			attrs: map[string]any{"displayName": "team", "externalId": "ext-team"}},
		{name: "same rename", reason: "Okta re-sends the name with every push: nothing changes",
			delta: store.MemberDelta{Set: map[string]any{"displayName": "team"}, Add: k.adds(u[1])}, want: []string{u[0], u[1], u[2]}, noChange: true,
			attrs: map[string]any{"displayName": "team", "externalId": "ext-team"}},
		{name: "remove", reason: "absent values are ignored",
			delta: store.MemberDelta{Remove: []string{u[1], "no-such-member"}}, want: []string{u[0], u[2]}, removed: []string{u[1]},
			attrs: map[string]any{"displayName": "team", "externalId": "ext-team"}},
		{name: "dedup", reason: "a value added twice in one delta is added once",
			delta: store.MemberDelta{Add: k.adds(u[3], u[3])}, want: []string{u[0], u[2], u[3]}, added: []string{u[3]},
			attrs: map[string]any{"displayName": "team", "externalId": "ext-team"}},
		{name: "rename", reason: "Set changes a single-valued attribute",
			delta: store.MemberDelta{Set: map[string]any{"displayName": "crew"}}, want: []string{u[0], u[2], u[3]}, changed: []string{"displayName"},
			attrs: map[string]any{"displayName": "crew", "externalId": "ext-team"}},
		{name: "unset", reason: "a nil value in Set removes the attribute",
			delta: store.MemberDelta{Set: map[string]any{"externalId": nil}, Remove: []string{u[0]}, Add: k.adds(u[4])},
			want:  []string{u[2], u[3], u[4]}, changed: []string{"externalId"}, removed: []string{u[0]}, added: []string{u[4]},
			attrs: map[string]any{"displayName": "crew"}},
		{name: "unset absent", reason: "removing an absent attribute changes nothing",
			delta: store.MemberDelta{Set: map[string]any{"externalId": nil}}, want: []string{u[2], u[3], u[4]}, noChange: true,
			attrs: map[string]any{"displayName": "crew"}},
		{name: "remove all", reason: "RemoveAll empties the attribute before additions",
			delta: store.MemberDelta{RemoveAll: true, Add: k.adds(u[4], u[0])}, want: []string{u[4], u[0]},
			removed: []string{u[2], u[3]}, added: []string{u[0]},
			attrs: map[string]any{"displayName": "crew"}},
		{name: "remove all alone", reason: "an empty group",
			delta: store.MemberDelta{RemoveAll: true}, want: nil, removed: []string{u[4], u[0]},
			attrs: map[string]any{"displayName": "crew"}},
		{name: "add to empty", reason: "members come back",
			delta: store.MemberDelta{Add: k.adds(u[1])}, want: []string{u[1]}, added: []string{u[1]},
			attrs: map[string]any{"displayName": "crew"}},
	}
	cur := first
	versions := map[string]bool{first.Meta.Version: true}
	for _, tc := range tests {
		if _, ok := tc.delta.Set["externalId"]; ok && k.groupExtra == "" {
			// The store keeps no optional Group attribute to remove.
			if tc.noChange {
				continue
			}
			tc.delta.Set, tc.changed = nil, nil
		}
		tc.delta.Set = k.renameExtra(tc.delta.Set)
		tc.changed = slices.Clone(tc.changed)
		for i, c := range tc.changed {
			if c == "externalId" {
				tc.changed[i] = k.groupExtra
			}
		}
		tc.attrs = k.renameExtra(tc.attrs)
		tc.delta.Attribute = "members"
		before := snapshot(cur)
		res, err := mp.PatchMembers(ctx, "Group", g.ID, tc.delta, "")
		if err != nil {
			t.Errorf("%s: PatchMembers: %v", tc.name, err)
			continue
		}
		if res == nil {
			t.Fatalf("%s: PatchMembers returned a nil result and no error", tc.name)
		}
		got := mustGet(t, s, "Group", g.ID)
		if diff := diffStrings(tc.want, memberValues(got)); diff != "" {
			t.Errorf("%s: members after PatchMembers:\n%s\nreason: %s", tc.name, diff, tc.reason)
		}
		rest := map[string]any{}
		for k, v := range got.Attributes {
			if k != "members" {
				rest[k] = v
			}
		}
		if diff := diffValues(tc.attrs, rest); diff != "" {
			t.Errorf("%s: attributes after PatchMembers:\n%s\nreason: %s", tc.name, diff, tc.reason)
		}
		if tc.want == nil && got.Attributes["members"] != nil {
			if l, _ := got.Attributes["members"].([]any); len(l) > 0 {
				t.Errorf("%s: members = %v, want none", tc.name, got.Attributes["members"])
			}
		}
		if res.Version != got.Meta.Version {
			t.Errorf("%s: MemberResult.Version %q, but Get gives version %q", tc.name, res.Version, got.Meta.Version)
		}
		if res.Resource != nil {
			checkSame(t, tc.name+": MemberResult.Resource against Get", got, res.Resource)
		}
		if tc.noChange {
			if len(res.Added)+len(res.Removed)+len(res.Changed) > 0 {
				t.Errorf("%s: nothing changed, but MemberResult says Added %q, Removed %q, Changed %q (%s)", tc.name, res.Added, res.Removed, res.Changed, tc.reason)
			}
			if got.Meta.Version != cur.Meta.Version && versions[got.Meta.Version] {
				t.Errorf("%s: version %q repeats an earlier version", tc.name, got.Meta.Version)
			}
		} else {
			if tc.delta.RemoveAll {
				// Added and Removed must hold every value that came and
				// left; a store may also list values it removed and added
				// back.
				checkSubset(t, tc.name+": values that joined, in MemberResult.Added", tc.added, res.Added)
				checkSubset(t, tc.name+": MemberResult.Added, in the new members", res.Added, tc.want)
				checkSubset(t, tc.name+": values that left, in MemberResult.Removed", tc.removed, res.Removed)
				checkSubset(t, tc.name+": MemberResult.Removed, in the old members", res.Removed, memberValues(cur))
			} else {
				if diff := diffStrings(setOf(tc.added), setOf(res.Added)); diff != "" {
					t.Errorf("%s: MemberResult.Added:\n%s\nreason: %s", tc.name, diff, tc.reason)
				}
				if diff := diffStrings(setOf(tc.removed), setOf(res.Removed)); diff != "" {
					t.Errorf("%s: MemberResult.Removed:\n%s\nreason: %s", tc.name, diff, tc.reason)
				}
			}
			if diff := diffStrings(setOf(tc.changed), setOf(res.Changed)); diff != "" {
				t.Errorf("%s: MemberResult.Changed:\n%s\nreason: %s", tc.name, diff, tc.reason)
			}
			if versions[got.Meta.Version] {
				t.Errorf("%s: something changed but the version %q is not new", tc.name, got.Meta.Version)
			}
			if !got.Meta.Created.Equal(first.Meta.Created) {
				t.Errorf("%s: Meta.Created changed from %v to %v", tc.name, first.Meta.Created, got.Meta.Created)
			}
			if got.Meta.LastModified.Before(cur.Meta.LastModified) {
				t.Errorf("%s: Meta.LastModified went back from %v to %v", tc.name, cur.Meta.LastModified, got.Meta.LastModified)
			}
		}
		versions[got.Meta.Version] = true
		if diff := diffValues(before, cur.Attributes); diff != "" {
			t.Errorf("%s: PatchMembers modified a resource handed out earlier (want: before, got: after):\n%s", tc.name, diff)
		}
		cur = got
	}
	if diff := diffValues(firstAttrs, first.Attributes); diff != "" {
		t.Errorf("PatchMembers modified the first resource handed out (want: before, got: after):\n%s", diff)
	}

	// ifVersion follows the rule of Replace.
	_, err := mp.PatchMembers(ctx, "Group", g.ID, store.MemberDelta{Attribute: "members", Add: k.adds(u[2])}, first.Meta.Version)
	checkErr(t, "PatchMembers with a stale version", err, store.ErrVersionMismatch)
	checkSame(t, "Get after a stale PatchMembers", cur, mustGet(t, s, "Group", g.ID))
	res, err := mp.PatchMembers(ctx, "Group", g.ID, store.MemberDelta{Attribute: "members", Add: k.adds(u[2])}, cur.Meta.Version)
	if err != nil {
		t.Fatalf("PatchMembers with the current version: %v", err)
	}
	if diff := diffStrings([]string{u[2]}, res.Added); diff != "" {
		t.Errorf("PatchMembers with the current version: Added:\n%s", diff)
	}
	_, err = mp.PatchMembers(ctx, "Group", "no-such-id", store.MemberDelta{Attribute: "members", Add: k.adds(u[2])}, "")
	checkErr(t, "PatchMembers of an unknown id", err, store.ErrNotFound)
	_, err = mp.PatchMembers(ctx, "Group", u[0], store.MemberDelta{Attribute: "members", Add: k.adds(u[2])}, "")
	checkErr(t, "PatchMembers of a user id as a Group", err, store.ErrNotFound)

	// Deleting a user afterwards removes it from the group.
	before := mustGet(t, s, "Group", g.ID)
	if err := s.Delete(ctx, "User", u[1], ""); err != nil {
		t.Fatalf("Delete(User): %v", err)
	}
	after := mustGet(t, s, "Group", g.ID)
	if diff := diffStrings([]string{u[2]}, memberValues(after)); diff != "" {
		t.Errorf("members after deleting a member added by PatchMembers:\n%s", diff)
	}
	if after.Meta.Version == before.Meta.Version {
		t.Errorf("deleting a member left the group's version at %q", after.Meta.Version)
	}
	page := mustList(t, s, "Group", store.Query{Filter: k.mustParse(t, "Group", `members.value eq `+quote(u[2])), StartIndex: 1, Count: 10})
	if diff := diffStrings([]string{g.ID}, ids(page.Resources)); diff != "" {
		t.Errorf("List by a member added by PatchMembers:\n%s", diff)
	}
}

// testPatchMembersConcurrent adds distinct members from several goroutines
// at once: none may be lost, and every change gets its own version.
func (k *kit) testPatchMembersConcurrent(t tb) {
	s := t.Store()
	mp := memberPatcher(t, s)
	ctx := context.Background()
	g := mustCreate(t, s, k.newGroup("big"))
	const writers, each = 8, 250
	// The members are existing users, created by the writers beforehand.
	users := make([][]string, writers)
	parallel(writers, func(w int) {
		for i := range each {
			u, err := s.Create(ctx, k.newUser(fmt.Sprintf("member-%d-%d", w, i)))
			if err != nil || u == nil {
				t.Errorf("Create(User): %v, %v", u, err)
				return
			}
			users[w] = append(users[w], u.ID)
		}
	})
	for w, us := range users {
		if len(us) != each {
			t.Fatalf("writer %d created %d of its %d users", w, len(us), each)
		}
	}
	var mu sync.Mutex
	versions := map[string]bool{}
	parallel(writers, func(w int) {
		for i := range each {
			v := users[w][i]
			res, err := mp.PatchMembers(ctx, "Group", g.ID, store.MemberDelta{Attribute: "members", Add: k.adds(v)}, "")
			if err != nil {
				t.Errorf("concurrent PatchMembers: %v", err)
				return
			}
			if !slices.Equal(res.Added, []string{v}) {
				t.Errorf("concurrent PatchMembers adding %q: Added %q", v, res.Added)
			}
			mu.Lock()
			if versions[res.Version] {
				t.Errorf("concurrent PatchMembers: version %q given twice", res.Version)
			}
			versions[res.Version] = true
			mu.Unlock()
		}
	})
	got := memberValues(mustGet(t, s, "Group", g.ID))
	if len(got) != writers*each {
		t.Errorf("after %d concurrent PatchMembers adding distinct members the group has %d: additions were lost", writers*each, len(got))
	}
	if n := len(slices.Compact(slices.Sorted(slices.Values(got)))); n != len(got) {
		t.Errorf("after concurrent PatchMembers the group has %d members but %d distinct values", len(got), n)
	}
}
