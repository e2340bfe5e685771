package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/store"
)

// testGroupsOf checks store.GroupLister: GroupsOf gives, for each id, the
// groups whose members list it, once each, with their displayName, the
// same as List finds with a members[value eq …] filter; ids no group lists
// are absent; a member leaving, a rename and a group's deletion show at
// once.
func (k *kit) testGroupsOf(t tb) {
	s := t.Store()
	gl, ok := s.(store.GroupLister)
	if !ok {
		t.Skipf("the store does not implement store.GroupLister")
	}
	ctx := context.Background()
	var u []string
	for i := range 3 {
		u = append(u, mustCreate(t, s, k.newUser(fmt.Sprintf("gl%d", i))).ID)
	}
	a := mustCreate(t, s, k.newGroup("Alpha", u[0], u[1]))
	b := mustCreate(t, s, k.newGroup("Beta", u[0]))
	want := map[string][]store.GroupRef{
		u[0]: {{ID: a.ID, Display: "Alpha"}, {ID: b.ID, Display: "Beta"}},
		u[1]: {{ID: a.ID, Display: "Alpha"}},
	}
	if !k.cfg.NoNestedGroups {
		c := mustCreate(t, s, k.with(&store.Resource{Type: "Group"}, map[string]any{"displayName": "Gamma",
			"members": []any{map[string]any{"value": a.ID, "type": "Group"}}}))
		want[a.ID] = []store.GroupRef{{ID: c.ID, Display: "Gamma"}}
	}
	check := func(what string, want map[string][]store.GroupRef, ids ...string) {
		t.Helper()
		got, err := gl.GroupsOf(ctx, ids)
		if err != nil {
			t.Fatalf("%s: GroupsOf: %v", what, err)
		}
		for _, id := range ids {
			g := slices.Clone(got[id])
			slices.SortFunc(g, func(x, y store.GroupRef) int { return strings.Compare(x.Display, y.Display) })
			if fmt.Sprint(g) != fmt.Sprint(want[id]) {
				t.Errorf("%s: GroupsOf(%s) = %v, want %v", what, id, g, want[id])
			}
		}
		for id := range got {
			if !slices.Contains(ids, id) {
				t.Errorf("%s: GroupsOf answered for %s, which was not asked", what, id)
			}
		}
	}
	ids := append(slices.Clone(u), a.ID, b.ID, "no-such-id")
	check("memberships", want, ids...)
	if _, err := s.Replace(ctx, k.with(b, map[string]any{"displayName": "Bravo", "members": []any{map[string]any{"value": u[2]}}}), ""); err != nil {
		t.Fatalf("Replace: %v", err)
	}
	want[u[0]] = []store.GroupRef{{ID: a.ID, Display: "Alpha"}}
	want[u[2]] = []store.GroupRef{{ID: b.ID, Display: "Bravo"}}
	check("after a rename and a member change", want, ids...)
	if err := s.Delete(ctx, "Group", a.ID, ""); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	delete(want, u[1])
	want[u[0]] = nil
	delete(want, a.ID)
	check("after a group's deletion", want, u...)
}
