package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"

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
