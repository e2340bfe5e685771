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
