package store_test

import (
	"context"
	"fmt"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// A host reads stored users through the typed view, as an OnChange hook
// reads c.Resource.User().
func ExampleResource_User() {
	ctx := context.Background()
	s := store.NewMemory()
	u := &schema.User{
		UserName: "alice@example.com",
		Active:   new(false),
		Emails:   []schema.Email{{Value: "alice@example.com", Type: "work", Primary: new(true)}},
	}
	attrs, err := u.Attributes(schema.UserResourceType())
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := s.Create(ctx, &store.Resource{Type: "User", Attributes: attrs})
	if err != nil {
		fmt.Println(err)
		return
	}

	got, err := r.User()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(got.ID == r.ID, got.UserName, got.PrimaryEmail(), "active:", got.IsActive())
	// Output:
	// true alice@example.com alice@example.com active: false
}
