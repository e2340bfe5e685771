package store_test

import (
	"context"
	"fmt"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// A store over a host's own rows builds Resources and lets ListSlice
// filter, sort, page and count them with scimkit's rules.
func ExampleListSlice() {
	rows := []struct{ email, first string }{{"carol@example.com", "Carol"}, {"ada@example.com", "Ada"}, {"bob@example.com", "Bob"}}
	var users []*store.Resource
	for i, r := range rows {
		users = append(users, &store.Resource{Type: "User", ID: fmt.Sprint(i + 1),
			Attributes: map[string]any{"userName": r.email, "name": map[string]any{"givenName": r.first}}})
	}
	rt := schema.UserResourceType()
	f, _ := filter.Parser{Schema: rt}.Parse(`userName ew "@EXAMPLE.com"`)
	sortBy, _ := filter.Parser{Schema: rt}.ParseAttrPath("name.givenName")
	page, err := store.ListSlice(context.Background(), users, store.Query{Filter: f, SortBy: sortBy, StartIndex: 1, Count: 2})
	if err != nil {
		panic(err)
	}
	fmt.Println(page.Total)
	for _, u := range page.Resources {
		fmt.Println(u.ID, u.Attributes["userName"])
	}
	// Output:
	// 3
	// 2 ada@example.com
	// 3 bob@example.com
}

// A version from the row's content changes with every write of the row,
// the host's own included.
func ExampleContentVersion() {
	before := store.ContentVersion("ada@example.com", "Ada", true)
	after := store.ContentVersion("ada@example.com", "Ada", false)
	fmt.Println(len(before), before == after)
	// Output:
	// 16 false
}

// CheckMembers runs inside the write's transaction with a lookup of what
// an id names.
func ExampleCheckMembers() {
	users := map[string]bool{"1": true, "2": true}
	names := func(id string) (string, error) {
		if users[id] {
			return "User", nil
		}
		return "", nil // this store's groups hold users only
	}
	err := store.CheckMembers(map[string]any{"members": []any{
		map[string]any{"value": "1"}, map[string]any{"value": "7"},
	}}, names)
	fmt.Println(err)
	// Output:
	// store: members names "7", which does not exist
}
