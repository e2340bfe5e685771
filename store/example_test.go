package store_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

func ExampleNewMemory() {
	ctx := context.Background()
	s := store.NewMemory()

	alice, err := s.Create(ctx, &store.Resource{Type: "User", Attributes: map[string]any{"userName": "alice", "active": true}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := s.Create(ctx, &store.Resource{Type: "User", Attributes: map[string]any{"userName": "bob", "active": false}}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created alice; Created equals LastModified:", alice.Meta.Created.Equal(alice.Meta.LastModified))

	// userName is unique, compared case-insensitively.
	_, err = s.Create(ctx, &store.Resource{Type: "User", Attributes: map[string]any{"userName": "ALICE"}})
	fmt.Println(err, "| conflict:", errors.Is(err, store.ErrConflict))

	// Replace with a stale version changes nothing.
	_, err = s.Replace(ctx, &store.Resource{Type: "User", ID: alice.ID, Attributes: map[string]any{"userName": "alice"}}, "stale")
	fmt.Println("version mismatch:", errors.Is(err, store.ErrVersionMismatch))

	f, err := filter.Parser{Schema: schema.UserResourceType()}.Parse(`active eq true or userName sw "B"`)
	if err != nil {
		fmt.Println(err)
		return
	}
	page, err := s.List(ctx, "User", store.Query{Filter: f, StartIndex: 1, Count: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range page.Resources {
		fmt.Println("listed:", r.Attributes["userName"])
	}
	fmt.Println("total:", page.Total)

	if err := s.Delete(ctx, "User", alice.ID, alice.Meta.Version); err != nil {
		fmt.Println(err)
		return
	}
	_, err = s.Get(ctx, "User", alice.ID)
	fmt.Println("after delete, not found:", errors.Is(err, store.ErrNotFound))
	// Output:
	// created alice; Created equals LastModified: true
	// store: uniqueness violation: userName "ALICE" is taken | conflict: true
	// version mismatch: true
	// listed: alice
	// listed: bob
	// total: 2
	// after delete, not found: true
}

func ExampleMemory_PatchMembers() {
	ctx := context.Background()
	ids := []string{"u1", "u2", "u3", "g1"}
	s := store.NewMemoryWith(store.MemoryConfig{NewID: func() string { id := ids[0]; ids = ids[1:]; return id }})
	// Members name existing users (or groups): create the users first.
	for _, name := range []string{"alice", "bob", "carol"} {
		if _, err := s.Create(ctx, &store.Resource{Type: "User", Attributes: map[string]any{"userName": name}}); err != nil {
			fmt.Println(err)
			return
		}
	}
	g, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "admins"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	add := func(vs ...string) []map[string]any {
		var out []map[string]any
		for _, v := range vs {
			out = append(out, map[string]any{"value": v})
		}
		return out
	}
	// Okta re-sends the name with every push; members already present
	// are ignored.
	for _, d := range []store.MemberDelta{
		{Attribute: "members", Set: map[string]any{"displayName": "admins"}, Add: add("u1", "u2")},
		{Attribute: "members", Set: map[string]any{"displayName": "admins"}, Add: add("u2")},
		{Attribute: "members", Remove: []string{"u1"}, Add: add("u3")},
	} {
		res, err := s.PatchMembers(ctx, "Group", g.ID, d, "")
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("added %v, removed %v, changed %v, new version: %v\n", res.Added, res.Removed, res.Changed, res.Version != g.Meta.Version)
		g, _ = s.Get(ctx, "Group", g.ID)
	}
	fmt.Println("members:", g.Attributes["members"])

	// A member that names no existing user is refused, and so is one
	// whose user was deleted: a deleted user leaves every group for good.
	if err := s.Delete(ctx, "User", "u3", ""); err != nil {
		fmt.Println(err)
		return
	}
	_, err = s.PatchMembers(ctx, "Group", g.ID, store.MemberDelta{Attribute: "members", Add: add("u3")}, "")
	var re *store.ReferenceError
	fmt.Println(err, "| invalid reference:", errors.Is(err, store.ErrInvalidReference), errors.As(err, &re) && re.Value == "u3")
	g, _ = s.Get(ctx, "Group", g.ID)
	fmt.Println("members:", g.Attributes["members"])
	// Output:
	// added [u1 u2], removed [], changed [], new version: true
	// added [], removed [], changed [], new version: false
	// added [u3], removed [u1], changed [], new version: true
	// members: [map[value:u2] map[value:u3]]
	// store: members names "u3", which does not exist | invalid reference: true true
	// members: [map[value:u2]]
}

func ExampleMemory_ListAfter() {
	ctx := context.Background()
	s := store.NewMemory()
	var ids []string
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		r, err := s.Create(ctx, &store.Resource{Type: "User", Attributes: map[string]any{"userName": name}})
		if err != nil {
			fmt.Println(err)
			return
		}
		ids = append(ids, r.ID)
	}
	page, _ := s.ListAfter(ctx, "User", store.Query{Count: 2}, "")
	for _, r := range page.Resources {
		fmt.Println("page 1:", r.Attributes["userName"])
	}
	// Deleting the last user of the page does not move the position.
	_ = s.Delete(ctx, "User", ids[1], "")
	for after := page.Next; after != ""; after = page.Next {
		page, _ = s.ListAfter(ctx, "User", store.Query{Count: 2}, after)
		for _, r := range page.Resources {
			fmt.Println("next:", r.Attributes["userName"])
		}
	}
	// Output:
	// page 1: a
	// page 1: b
	// next: c
	// next: d
	// next: e
}

// FeedOf tells a store that records a change feed from one that has the
// methods but whose feed is switched off, as the memory store's is by
// default.
func ExampleFeedOf() {
	for _, s := range []store.Store{store.NewMemory(), store.NewMemoryWith(store.MemoryConfig{Feed: true})} {
		_, ok := store.FeedOf(s)
		fmt.Println("records a change feed:", ok)
	}
	_, err := store.NewMemory().ReadFeed(context.Background(), 0, 10)
	fmt.Println(errors.Is(err, errors.ErrUnsupported))
	// Output:
	// records a change feed: false
	// records a change feed: true
	// true
}
