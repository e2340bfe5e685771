package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"
)

// ExampleStore_ListAfter pages through users sorted by userName, two at a
// time, with the position each page gives for the next.
func ExampleStore_ListAfter() {
	ctx := context.Background()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one in-memory database, one writer
	st, err := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.SQLite})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := st.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range []string{"carol", "alice", "erin", "bob", "dave"} {
		if _, err := st.Create(ctx, &store.Resource{Type: "User", Attributes: map[string]any{"userName": name}}); err != nil {
			fmt.Println(err)
			return
		}
	}
	byName, err := filter.Parser{Schema: schema.UserResourceType()}.ParseAttrPath("userName")
	if err != nil {
		fmt.Println(err)
		return
	}
	q := store.Query{SortBy: byName, StartIndex: 1, Count: 2}
	after := ""
	for {
		page, err := st.ListAfter(ctx, "User", q, after)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, r := range page.Resources {
			fmt.Print(r.Attributes["userName"], " ")
		}
		fmt.Println("of", page.Total)
		if page.Next == "" {
			return
		}
		after = page.Next
	}
	// Output:
	// alice bob of 5
	// carol dave of 5
	// erin of 5
}

// openExample opens an in-memory SQLite store with its tables.
func openExample(ctx context.Context) (*sqlstore.Store, func(), error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(1) // one in-memory database, one writer
	st, err := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.SQLite})
	if err == nil {
		err = st.Migrate(ctx)
	}
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return st, func() { db.Close() }, nil
}

// ExampleStore_List_groups answers Okta's userName lookup and the groups
// of the users found (User.groups) with one call: Query.Groups asks the
// store for them with the page, in Page.Groups.
func ExampleStore_List_groups() {
	ctx := context.Background()
	st, done, err := openExample(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	u, err := st.Create(ctx, &store.Resource{Type: "User", Attributes: map[string]any{"userName": "alice@example.com"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range []string{"Engineering", "Admins"} {
		_, err := st.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": name,
			"members": []any{map[string]any{"value": u.ID}}}})
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	f, err := filter.Parser{Schema: schema.UserResourceType()}.Parse(`userName eq "ALICE@example.com"`)
	if err != nil {
		fmt.Println(err)
		return
	}
	page, err := st.List(ctx, "User", store.Query{Filter: f, StartIndex: 1, Count: 1, Groups: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range page.Resources {
		var names []string
		for _, g := range page.Groups[r.ID] {
			names = append(names, g.Display)
		}
		slices.Sort(names) // in no particular order
		fmt.Println(r.Attributes["userName"], "is in", names)
	}
	// Output:
	// alice@example.com is in [Admins Engineering]
}

// ExampleStore_PatchMembers adds a member to a group as Okta's group push
// does, answered with 204 No Content: MemberDelta.SkipResource says the
// caller will not read the group back, so the store neither reads its
// member list nor returns it.
func ExampleStore_PatchMembers() {
	ctx := context.Background()
	st, done, err := openExample(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer done()
	u, err := st.Create(ctx, &store.Resource{Type: "User", Attributes: map[string]any{"userName": "bob@example.com"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := st.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "Engineering"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := st.PatchMembers(ctx, "Group", g.ID, store.MemberDelta{Attribute: "members",
		Add: []map[string]any{{"value": u.ID}}, SkipResource: true}, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("added:", len(res.Added), "| group returned:", res.Resource != nil, "| new version:", res.Version != g.Meta.Version)
	g, err = st.Get(ctx, "Group", g.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("members:", len(g.Attributes["members"].([]any)))
	// Output:
	// added: 1 | group returned: false | new version: true
	// members: 1
}
