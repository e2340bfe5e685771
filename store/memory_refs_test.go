package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/store"
)

func TestMemoryDeleteUserUpdatesGroups(t *testing.T) {
	// Ids are unique per type: the group "u" shares the id of the user u.
	s := store.NewMemoryWith(store.MemoryConfig{Now: clock(), NewID: listIDs("u", "v", "u", "g1", "g2")})
	ctx := context.Background()
	u := mustCreate(t, s, user("u"))                               // t0, version 1
	v := mustCreate(t, s, user("v"))                               // t0+1s
	sub := mustCreate(t, s, group("sub"))                          // t0+2s
	g1 := mustCreate(t, s, group("g1", member(u.ID), member(v.ID), // t0+3s
		map[string]any{"value": sub.ID, "type": "Group"})) // the group that happens to share the id
	g2 := mustCreate(t, s, group("g2", member(v.ID)))       // t0+4s
	if err := s.Delete(ctx, "User", u.ID, ""); err != nil { // now t0+5s
		t.Fatal(err)
	}
	if sub.ID != u.ID {
		t.Fatalf("the group sub has the id %q, want the user's %q", sub.ID, u.ID)
	}
	got1, _ := s.Get(ctx, "Group", g1.ID)
	want1 := &store.Resource{Type: "Group", ID: g1.ID,
		Attributes: map[string]any{"displayName": "g1", "members": []any{member(v.ID), map[string]any{"value": u.ID, "type": "Group"}}},
		Meta:       store.Meta{Created: t0.Add(3 * time.Second), LastModified: t0.Add(5 * time.Second), Version: "6"}}
	if diff := cmp.Diff(want1, got1); diff != "" {
		t.Errorf("group with the deleted user (-want +got):\n%s", diff)
	}
	if got2, _ := s.Get(ctx, "Group", g2.ID); got2 != g2 {
		t.Errorf("a group without the deleted user was rewritten: %+v", got2)
	}
	if n := len(g1.Attributes["members"].([]any)); n != 3 {
		t.Errorf("the earlier group resource was modified: %d members", n)
	}
	page, err := s.List(ctx, "Group", store.Query{Filter: parse(t, "Group", `members[value eq "`+v.ID+`" and type eq "User"]`), StartIndex: 1, Count: 10})
	if err != nil || page.Total != 2 {
		t.Errorf("groups of the remaining user: %v, %v; want 2", page, err)
	}
}

// TestMemoryReferencesPerTenant checks that members are looked up in the
// caller's tenant: another tenant's user is no member candidate.
func TestMemoryReferencesPerTenant(t *testing.T) {
	s := store.NewMemoryWith(store.MemoryConfig{
		Tenant: func(ctx context.Context) string { v, _ := ctx.Value(tenantKey{}).(string); return v },
	})
	a := context.WithValue(context.Background(), tenantKey{}, "a")
	b := context.WithValue(context.Background(), tenantKey{}, "b")
	ua, err := s.Create(a, user("bjensen"))
	if err != nil {
		t.Fatal(err)
	}
	gb, err := s.Create(b, group("b"))
	if err != nil {
		t.Fatal(err)
	}
	want := &store.ReferenceError{Attribute: "members", Value: ua.ID}
	checks := []struct {
		name, reason string
		call         func() error
	}{
		{name: "Create", reason: "tenant a's user is unknown in tenant b", call: func() error {
			_, err := s.Create(b, group("g", member(ua.ID)))
			return err
		}},
		{name: "Replace", reason: "tenant a's user is unknown in tenant b", call: func() error {
			_, err := s.Replace(b, &store.Resource{Type: "Group", ID: gb.ID, Attributes: map[string]any{"displayName": "b", "members": []any{member(ua.ID)}}}, "")
			return err
		}},
		{name: "PatchMembers", reason: "tenant a's user is unknown in tenant b", call: func() error {
			_, err := s.PatchMembers(b, "Group", gb.ID, store.MemberDelta{Attribute: "members", Add: adds(ua.ID)}, "")
			return err
		}},
	}
	for _, c := range checks {
		err := c.call()
		var re *store.ReferenceError
		if !errors.Is(err, store.ErrInvalidReference) || !errors.As(err, &re) {
			t.Errorf("%s across tenants: error %v, want a *store.ReferenceError (%s)", c.name, err, c.reason)
			continue
		}
		if diff := cmp.Diff(want, re); diff != "" {
			t.Errorf("%s across tenants: ReferenceError (-want +got):\n%s", c.name, diff)
		}
	}
	if got, err := s.Get(b, "Group", gb.ID); err != nil {
		t.Errorf("tenant b's group: %v", err)
	} else if diff := cmp.Diff(gb, got); diff != "" {
		t.Errorf("failed writes changed tenant b's group (-before +after):\n%s", diff)
	}
	page, err := s.List(b, "Group", store.Query{StartIndex: 1, Count: 10})
	if err != nil || page.Total != 1 {
		t.Errorf("tenant b's groups = %+v, %v; want only b", page, err)
	}
	if _, err := s.Create(a, group("g", member(ua.ID))); err != nil {
		t.Errorf("Create in the user's own tenant: %v", err)
	}
}
