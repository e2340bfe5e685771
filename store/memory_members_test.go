package store_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

func patcher(t *testing.T, s *store.Memory, id string, d store.MemberDelta, ifVersion string) *store.MemberResult {
	t.Helper()
	if d.Attribute == "" {
		d.Attribute = "members"
	}
	res, err := s.PatchMembers(context.Background(), "Group", id, d, ifVersion)
	if err != nil {
		t.Fatalf("PatchMembers: %v", err)
	}
	return res
}

func adds(ids ...string) []map[string]any {
	out := make([]map[string]any, len(ids))
	for i, id := range ids {
		out[i] = map[string]any{"value": id, "type": "User"}
	}
	return out
}

func memberValues(r *store.Resource) []string {
	var out []string
	list, _ := r.Attributes["members"].([]any)
	for _, m := range list {
		out = append(out, m.(map[string]any)["value"].(string))
	}
	return out
}

// withUsers returns a deterministic store holding users with the given
// ids (and userNames), created at t0, t0+1s, … with versions 1, 2, …; the
// resources created afterwards get the ids "g1", "g2", ….
func withUsers(t *testing.T, ids ...string) *store.Memory {
	t.Helper()
	n := 0
	s := store.NewMemoryWith(store.MemoryConfig{Now: clock(), NewID: func() string {
		n++
		if n <= len(ids) {
			return ids[n-1]
		}
		return fmt.Sprintf("g%d", n-len(ids))
	}})
	for _, id := range ids {
		if u := mustCreate(t, s, user(id)); u.ID != id {
			t.Fatalf("user %q got the id %q", id, u.ID)
		}
	}
	return s
}

func TestMemoryPatchMembers(t *testing.T) {
	s := withUsers(t, "a", "b", "c", "d") // versions 1 to 4, t0 to t0+3s
	ctx := context.Background()
	g := mustCreate(t, s, group("g", member("a"), member("b"))) // version 5, t0+4s
	snap := fmt.Sprint(g.Attributes)

	res := patcher(t, s, g.ID, store.MemberDelta{Add: adds("c")}, g.Meta.Version)
	if diff := cmp.Diff(&store.MemberResult{Version: "6", Added: []string{"c"}}, res); diff != "" {
		t.Errorf("add (-want +got):\n%s", diff)
	}
	got1, _ := s.Get(ctx, "Group", g.ID)
	want1 := &store.Resource{Type: "Group", ID: g.ID,
		Attributes: map[string]any{"displayName": "g", "members": []any{member("a"), member("b"), member("c")}},
		Meta:       store.Meta{Created: t0.Add(4 * time.Second), LastModified: t0.Add(5 * time.Second), Version: "6"}}
	if diff := cmp.Diff(want1, got1); diff != "" {
		t.Errorf("Get after add (-want +got):\n%s", diff)
	}
	if again, _ := s.Get(ctx, "Group", g.ID); again != got1 {
		t.Errorf("a second Get built the resource again")
	}

	// Nothing changes: the version is kept and the stored resource returned.
	res = patcher(t, s, g.ID, store.MemberDelta{Set: map[string]any{"displayName": "g"}, Add: adds("a"), Remove: []string{"zz"}}, "")
	if diff := cmp.Diff(&store.MemberResult{Version: "6", Resource: got1}, res); diff != "" {
		t.Errorf("no change (-want +got):\n%s", diff)
	}
	// Removed and added back as it was: nothing changes either.
	res = patcher(t, s, g.ID, store.MemberDelta{Remove: []string{"b"}, Add: adds("b")}, "")
	if res.Version != "6" || len(res.Added)+len(res.Removed) > 0 {
		t.Errorf("remove and add back = %+v, want no change", res)
	}
	// Added back different: both.
	res = patcher(t, s, g.ID, store.MemberDelta{Remove: []string{"b"}, Add: []map[string]any{{"value": "b", "display": "Bee"}}}, "")
	if diff := cmp.Diff(&store.MemberResult{Version: "7", Added: []string{"b"}, Removed: []string{"b"}}, res); diff != "" {
		t.Errorf("replace an element (-want +got):\n%s", diff)
	}
	got3, _ := s.Get(ctx, "Group", g.ID)
	if diff := cmp.Diff([]any{member("a"), member("c"), map[string]any{"value": "b", "display": "Bee"}}, got3.Attributes["members"]); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	// Old snapshots never change.
	if after := fmt.Sprint(g.Attributes); after != snap {
		t.Errorf("the created resource changed: %s, was %s", after, snap)
	}
	if diff := cmp.Diff(want1, got1); diff != "" {
		t.Errorf("an earlier Get result changed (-want +got):\n%s", diff)
	}

	// RemoveAll with the same elements in another order changes nothing.
	res = patcher(t, s, g.ID, store.MemberDelta{RemoveAll: true, Add: []map[string]any{{"value": "b", "display": "Bee"}, member("c").(map[string]any), member("a").(map[string]any)}}, "")
	if res.Version != "7" || len(res.Added)+len(res.Removed) > 0 {
		t.Errorf("RemoveAll with the same elements = %+v, want no change", res)
	}
	res = patcher(t, s, g.ID, store.MemberDelta{RemoveAll: true, Add: adds("c", "d", "d")}, "")
	if diff := cmp.Diff(&store.MemberResult{Version: "8", Added: []string{"d"}, Removed: []string{"a", "b"}}, res); diff != "" {
		t.Errorf("RemoveAll (-want +got):\n%s", diff)
	}
	// Set and members together.
	res = patcher(t, s, g.ID, store.MemberDelta{Set: map[string]any{"displayName": "h", "externalId": "x"}, Remove: []string{"c"}}, "")
	if diff := cmp.Diff(&store.MemberResult{Version: "9", Removed: []string{"c"}, Changed: []string{"displayName", "externalId"}}, res); diff != "" {
		t.Errorf("Set (-want +got):\n%s", diff)
	}
	// The indexes follow Set.
	page, err := s.List(ctx, "Group", store.Query{Filter: parse(t, "Group", `displayName eq "H" and externalId eq "x"`), StartIndex: 1, Count: 10})
	if err != nil || page.Total != 1 || memberValues(page.Resources[0])[0] != "d" {
		t.Errorf("List by the new displayName = %+v, %v", page, err)
	}
	page, _ = s.List(ctx, "Group", store.Query{Filter: parse(t, "Group", `displayName eq "g"`), StartIndex: 1, Count: 10})
	if page.Total != 0 {
		t.Errorf("the old displayName still finds the group")
	}
	res = patcher(t, s, g.ID, store.MemberDelta{RemoveAll: true}, "")
	got, _ := s.Get(ctx, "Group", g.ID)
	if _, ok := got.Attributes["members"]; ok || res.Version != got.Meta.Version {
		t.Errorf("after RemoveAll: %+v, version %q", got, res.Version)
	}
}

func TestMemoryPatchMembersReverseIndex(t *testing.T) {
	s := deterministic()
	ctx := context.Background()
	u1 := mustCreate(t, s, user("u1"))
	u2 := mustCreate(t, s, user("u2"))
	sub := mustCreate(t, s, group("sub"))
	g := mustCreate(t, s, group("g", member(u1.ID)))
	patcher(t, s, g.ID, store.MemberDelta{Add: append(adds(u2.ID), map[string]any{"value": sub.ID, "type": "Group"})}, "")
	patcher(t, s, g.ID, store.MemberDelta{Remove: []string{u1.ID}}, "")
	before, _ := s.Get(ctx, "Group", g.ID)
	// u1 left the group by a delta: deleting it does not write the group.
	if err := s.Delete(ctx, "User", u1.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, "Group", g.ID); got != before {
		t.Errorf("deleting a former member wrote the group: %+v", got)
	}
	if err := s.Delete(ctx, "User", u2.ID, ""); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, "Group", g.ID)
	if diff := cmp.Diff([]string{sub.ID}, memberValues(got)); diff != "" {
		t.Errorf("members after deleting a member added by a delta (-want +got):\n%s", diff)
	}
	if got.Meta.Version == before.Meta.Version {
		t.Errorf("the group's version did not change")
	}
	// Replace resets the member set and the reverse index.
	u3 := mustCreate(t, s, user("u3"))
	u4 := mustCreate(t, s, user("u4"))
	if _, err := s.Replace(ctx, &store.Resource{Type: "Group", ID: g.ID, Attributes: map[string]any{"displayName": "g", "members": []any{member(u3.ID)}}}, ""); err != nil {
		t.Fatal(err)
	}
	res := patcher(t, s, g.ID, store.MemberDelta{Add: adds(u3.ID, u4.ID)}, "")
	if diff := cmp.Diff([]string{u4.ID}, res.Added); diff != "" {
		t.Errorf("Added after Replace (-want +got):\n%s", diff)
	}
	if err := s.Delete(ctx, "User", u3.ID, ""); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Get(ctx, "Group", g.ID)
	if diff := cmp.Diff([]string{u4.ID}, memberValues(got)); diff != "" {
		t.Errorf("members after Replace, a delta and a delete (-want +got):\n%s", diff)
	}
}

func TestMemoryPatchMembersCompaction(t *testing.T) {
	ids := make([]string, 0, 1001)
	for i := range 1000 {
		ids = append(ids, strconv.Itoa(i))
	}
	s := withUsers(t, append(ids, "new")...)
	ctx := context.Background()
	g := mustCreate(t, s, group("g"))
	var want []string
	for i := range 1000 {
		v := strconv.Itoa(i)
		patcher(t, s, g.ID, store.MemberDelta{Add: adds(v)}, "")
		if i%10 == 3 {
			want = append(want, v)
		}
	}
	for i := range 1000 {
		if i%10 != 3 {
			patcher(t, s, g.ID, store.MemberDelta{Remove: []string{strconv.Itoa(i)}}, "")
		}
	}
	got, _ := s.Get(ctx, "Group", g.ID)
	if diff := cmp.Diff(want, memberValues(got)); diff != "" {
		t.Errorf("members after many removals (-want +got):\n%s", diff)
	}
	res := patcher(t, s, g.ID, store.MemberDelta{Add: adds("3", "new")}, "")
	if diff := cmp.Diff([]string{"new"}, res.Added); diff != "" {
		t.Errorf("Added after compaction (-want +got):\n%s", diff)
	}
}

func TestMemoryPatchMembersErrors(t *testing.T) {
	ctx := context.Background()
	uniqueName := schema.GroupResourceType()
	uniqueName.Schema.Attr("displayName").Uniqueness = schema.UniqueServer
	s := store.NewMemoryWith(store.MemoryConfig{ResourceTypes: []*schema.ResourceType{schema.UserResourceType(), uniqueName},
		NewID: listIDs("a", "b", "taken", "a", "g", "dup")})
	mustCreate(t, s, user("a"))
	mustCreate(t, s, user("b"))
	mustCreate(t, s, group("taken"))
	mustCreate(t, s, group("group a")) // a group with the id of the user a
	g := mustCreate(t, s, group("g", member("a")))
	dup := mustCreate(t, s, group("dup", member("a"), map[string]any{"value": "a", "type": "Group"}))
	tests := []struct {
		name, reason string
		id           string
		d            store.MemberDelta
		ifVersion    string
		wantIs       error
		wantMsg      string
	}{
		{name: "unique Set", reason: "uniqueness applies to Set", id: g.ID,
			d:      store.MemberDelta{Attribute: "members", Set: map[string]any{"displayName": "TAKEN"}, Add: adds("b")},
			wantIs: store.ErrConflict, wantMsg: `store: uniqueness violation: displayName "TAKEN" is taken`},
		{name: "stale version", reason: "ifVersion as Replace", id: g.ID, ifVersion: "1",
			d:      store.MemberDelta{Attribute: "members", Add: adds("b")},
			wantIs: store.ErrVersionMismatch, wantMsg: `store: version mismatch: Group "` + g.ID + `" is at version "` + g.Meta.Version + `", not "1"`},
		{name: "missing member", reason: "an added member must be an existing user", id: g.ID,
			d:      store.MemberDelta{Attribute: "members", Add: append(adds("b"), map[string]any{"value": "nobody"})},
			wantIs: store.ErrInvalidReference, wantMsg: `store: members names "nobody", which does not exist`},
		{name: "user as a group", reason: "a member of type Group must be an existing group", id: g.ID,
			d:      store.MemberDelta{Attribute: "members", Add: []map[string]any{{"value": "b", "type": "Group"}}},
			wantIs: store.ErrInvalidReference, wantMsg: `store: members names "b", which does not exist`},
		{name: "group as a user", reason: "a member of type User must be an existing user", id: g.ID,
			d:      store.MemberDelta{Attribute: "members", Add: []map[string]any{{"value": "taken", "type": "User"}}},
			wantIs: store.ErrInvalidReference, wantMsg: `store: members names "taken", which does not exist`},
		{name: "unknown", reason: "ErrNotFound", id: "nope",
			d:      store.MemberDelta{Attribute: "members"},
			wantIs: store.ErrNotFound, wantMsg: `store: resource not found: Group "nope"`},
		{name: "Set names members", reason: "members change by Add and Remove only", id: g.ID,
			d:      store.MemberDelta{Attribute: "members", Set: map[string]any{"members": nil}},
			wantIs: errors.ErrUnsupported, wantMsg: `store: MemberDelta.Set names the member attribute "members": unsupported operation`},
		{name: "indexed attribute", reason: "an indexed attribute holds no members", id: g.ID,
			d:      store.MemberDelta{Attribute: "externalId"},
			wantIs: errors.ErrUnsupported, wantMsg: `store: "externalId" of Group is an indexed attribute, not a member list: unsupported operation`},
		{name: "repeated values", reason: "the handler falls back to Replace", id: dup.ID,
			d:      store.MemberDelta{Attribute: "members", Add: adds("b")},
			wantIs: errors.ErrUnsupported, wantMsg: `store: "members" of Group "` + dup.ID + `" is not a list of objects with distinct values: unsupported operation`},
		{name: "no attribute", reason: "a delta names its attribute", id: g.ID,
			d: store.MemberDelta{Add: adds("b")}, wantMsg: `store: MemberDelta.Attribute is empty`},
		{name: "no value", reason: "elements need a value", id: g.ID,
			d:       store.MemberDelta{Attribute: "members", Add: []map[string]any{{"value": "b"}, {"display": "x"}}},
			wantMsg: `store: MemberDelta.Add[1] of "members" has no non-empty "value" string`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := s.Get(ctx, "Group", g.ID)
			_, err := s.PatchMembers(ctx, "Group", tc.id, tc.d, tc.ifVersion)
			if err == nil {
				t.Fatalf("no error, want %q (%s)", tc.wantMsg, tc.reason)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("error %v does not wrap %v", err, tc.wantIs)
			}
			if diff := cmp.Diff(tc.wantMsg, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
			if after, _ := s.Get(ctx, "Group", g.ID); after != before {
				t.Errorf("a failed PatchMembers changed the group: %+v", after)
			}
		})
	}
	ctxDone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.PatchMembers(ctxDone, "Group", g.ID, store.MemberDelta{Attribute: "members"}, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("PatchMembers with a canceled context: %v", err)
	}
	if _, err := s.ListAfter(ctxDone, "Group", store.Query{Count: 1}, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("ListAfter with a canceled context: %v", err)
	}
}
