package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

func TestMemorySortBy(t *testing.T) {
	s := deterministic() // lastModified grows with every write
	ctx := context.Background()
	email := func(v string, primary bool) any { return map[string]any{"value": v, "primary": primary} }
	mustCreate(t, s, user("carol", "title", "b", "active", true, "emails", []any{email("z@x", false), email("a@x", true)}))
	mustCreate(t, s, user("Alice", "active", false, "emails", []any{email("m@x", false)}))
	mustCreate(t, s, user("bob", "title", "A", "active", true))
	mustCreate(t, s, user("dave", "title", "a"))
	rt := schema.UserResourceType(schema.EnterpriseUserSchema())
	tests := []struct {
		name, reason string
		sortBy       string
		descending   bool
		filter       string
		start, count int
		want         []string
	}{
		{name: "userName", reason: "case-insensitive", sortBy: "userName", want: []string{"Alice", "bob", "carol", "dave"}},
		{name: "userName descending", reason: "reversed", sortBy: "userName", descending: true, want: []string{"dave", "carol", "bob", "Alice"}},
		{name: "missing last", reason: "ties (A, a) keep creation order; no title sorts last", sortBy: "title", want: []string{"bob", "dave", "carol", "Alice"}},
		{name: "missing first descending", reason: "missing values come first when descending (RFC 7644 §3.4.2.3)", sortBy: "title", descending: true, want: []string{"Alice", "carol", "bob", "dave"}},
		{name: "multi-valued primary", reason: "carol sorts by her primary email a@x", sortBy: "emails.value", want: []string{"carol", "Alice", "bob", "dave"}},
		{name: "boolean", reason: "false first, absent last", sortBy: "active", want: []string{"Alice", "carol", "bob", "dave"}},
		{name: "dateTime descending", reason: "meta.lastModified as instants", sortBy: "meta.lastModified", descending: true, want: []string{"dave", "bob", "Alice", "carol"}},
		{name: "filtered page", reason: "sort the matches, then page", sortBy: "userName", descending: true, filter: `active eq true`, start: 2, count: 1, want: []string{"bob"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := filter.Parser{Schema: rt}.ParseAttrPath(tc.sortBy)
			if err != nil {
				t.Fatal(err)
			}
			q := store.Query{SortBy: p, Descending: tc.descending, StartIndex: max(tc.start, 1), Count: 10}
			if tc.count > 0 {
				q.Count = tc.count
			}
			if tc.filter != "" {
				q.Filter = parse(t, "User", tc.filter)
			}
			page, err := s.List(ctx, "User", q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range page.Resources {
				got = append(got, r.Attributes["userName"].(string))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("sorted List (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
		})
	}
}
