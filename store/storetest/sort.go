package storetest

import (
	"context"
	"slices"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// inGroups returns the names of rs ordered as groups says: the groups in
// order, and within a group the order of rs (the store's default order).
// Names in no group are left out.
func inGroups(rs []*store.Resource, name func(*store.Resource) string, groups [][]string) []string {
	var out []string
	for _, g := range groups {
		for _, r := range rs {
			if slices.Contains(g, name(r)) {
				out = append(out, name(r))
			}
		}
	}
	return out
}

func userName(r *store.Resource) string {
	s, _ := r.Attributes["userName"].(string)
	return s
}

func email(v string, primary bool) map[string]any {
	m := map[string]any{"value": v, "type": "work"}
	if primary {
		m["primary"] = true
	}
	return m
}

func (k *kit) testSortBy(t tb) {
	s := t.Store()
	const ent = schema.EnterpriseUserURN
	mustCreate(t, s, k.newUser("carol", "title", "b", "active", true, "externalId", "b",
		"emails", []any{email("z@x.org", false), email("a@x.org", true)},
		"name", map[string]any{"familyName": "Xu"}, ent, map[string]any{"department": "Sales"}))
	mustCreate(t, s, k.newUser("Alice", "active", false, "externalId", "B",
		"emails", []any{email("m@x.org", false)}, "name", map[string]any{"familyName": "adams"}))
	mustCreate(t, s, k.newUser("bob", "title", "A", "active", true, "externalId", "a",
		ent, map[string]any{"department": "marketing"}))
	mustCreate(t, s, k.newUser("dave", "title", "a"))
	mustCreate(t, s, k.newUser("eve"))
	def := all(t, s, "User", nil) // the default order

	tests := []struct {
		name, reason string
		sortBy       string
		descending   bool
		filter       string
		start, count int
		want         [][]string // groups of equal keys, in order; each group in the default order
		needs        string     // another attribute the order depends on, or ""
	}{
		{name: "string", reason: "userName is not caseExact: Alice sorts first",
			sortBy: "userName", want: [][]string{{"Alice"}, {"bob"}, {"carol"}, {"dave"}, {"eve"}}},
		{name: "string descending", reason: "reversed",
			sortBy: "userName", descending: true, want: [][]string{{"eve"}, {"dave"}, {"carol"}, {"bob"}, {"Alice"}}},
		{name: "ties and missing", reason: "A and a tie (default order between them); users without a title sort last",
			sortBy: "title", want: [][]string{{"bob", "dave"}, {"carol"}, {"Alice", "eve"}}},
		{name: "ties and missing descending", reason: "ties keep the default order, missing values come first (RFC 7644 §3.4.2.3)",
			sortBy: "title", descending: true, want: [][]string{{"Alice", "eve"}, {"carol"}, {"bob", "dave"}}},
		{name: "caseExact", reason: "externalId is caseExact: B sorts before a and b",
			sortBy: "externalId", want: [][]string{{"Alice"}, {"bob"}, {"carol"}, {"dave", "eve"}}},
		{name: "caseExact descending", reason: "reversed, missing first",
			sortBy: "externalId", descending: true, want: [][]string{{"dave", "eve"}, {"carol"}, {"bob"}, {"Alice"}}},
		{name: "multi-valued by primary", reason: "carol sorts by her primary email a@x.org, not her first",
			sortBy: "emails.value", needs: "emails.primary", want: [][]string{{"carol"}, {"Alice"}, {"bob", "dave", "eve"}}},
		{name: "multi-valued descending", reason: "reversed, missing first",
			sortBy: "emails.value", needs: "emails.primary", descending: true, want: [][]string{{"bob", "dave", "eve"}, {"Alice"}, {"carol"}}},
		{name: "boolean", reason: "false before true, missing last",
			sortBy: "active", want: [][]string{{"Alice"}, {"carol", "bob"}, {"dave", "eve"}}},
		{name: "boolean descending", reason: "missing first, then true before false",
			sortBy: "active", descending: true, want: [][]string{{"dave", "eve"}, {"carol", "bob"}, {"Alice"}}},
		{name: "sub-attribute", reason: "name.familyName, case-insensitively",
			sortBy: "name.familyName", want: [][]string{{"Alice"}, {"carol"}, {"bob", "dave", "eve"}}},
		{name: "extension", reason: "an extension attribute, case-insensitively",
			sortBy: ent + ":department", want: [][]string{{"bob"}, {"carol"}, {"Alice", "dave", "eve"}}},
		{name: "filtered page", reason: "sort the matches, then take the page",
			sortBy: "userName", descending: true, filter: `active eq true`, start: 2, count: 1, want: [][]string{{"bob"}}},
	}
	for _, tc := range tests {
		if tc.sortBy == "title" {
			tc.sortBy = k.title
		}
		sortBy, ok := k.declaredPath(t, "User", tc.sortBy)
		if tc.needs != "" {
			_, needed := k.declaredPath(t, "User", tc.needs)
			ok = ok && needed
		}
		if !ok || k.defaulted("User", tc.sortBy+" "+tc.filter) {
			continue // the store does not declare the attribute, or gives it a default
		}
		q := store.Query{SortBy: sortBy, Descending: tc.descending, StartIndex: max(tc.start, 1), Count: 100}
		if tc.count > 0 {
			q.Count = tc.count
		}
		if tc.filter != "" {
			if q.Filter, ok = k.declaredFilter(t, "User", tc.filter); !ok {
				continue
			}
		}
		page := mustList(t, s, "User", q)
		var got []string
		for _, r := range page.Resources {
			got = append(got, userName(r))
		}
		if diff := diffStrings(inGroups(def, userName, tc.want), got); diff != "" {
			t.Errorf("%s: List sorted by %s (descending %v):\n%s\nreason: %s", tc.name, tc.sortBy, tc.descending, diff, tc.reason)
		}
		if tc.filter == "" && page.Total != len(def) {
			t.Errorf("%s: sorted List: Total %d, want %d", tc.name, page.Total, len(def))
		}
	}

	// dateTimes sort as instants; the expected order comes from the
	// resources' own meta.lastModified, ties in the default order.
	bob := def[slices.IndexFunc(def, func(r *store.Resource) bool { return userName(r) == "bob" })]
	if _, err := s.Replace(context.Background(), k.with(bob, map[string]any{"userName": "bob", "title": "A"}), ""); err != nil {
		t.Fatalf("Replace: %v", err)
	}
	def = all(t, s, "User", nil)
	for _, desc := range []bool{false, true} {
		want := slices.Clone(def)
		slices.SortStableFunc(want, func(a, b *store.Resource) int {
			c := a.Meta.LastModified.Compare(b.Meta.LastModified)
			if desc {
				return -c
			}
			return c
		})
		page := mustList(t, s, "User", store.Query{SortBy: k.mustParsePath(t, "User", "meta.lastModified"), Descending: desc, StartIndex: 1, Count: 100})
		if diff := diffStrings(ids(want), ids(page.Resources)); diff != "" {
			t.Errorf("List sorted by meta.lastModified (descending %v):\n%s", desc, diff)
		}
	}

	// Groups sort too, and sorting does not mix types.
	for _, n := range []string{"b-team", "A-team", "c-team"} {
		mustCreate(t, s, k.newGroup(n))
	}
	page := mustList(t, s, "Group", store.Query{SortBy: k.mustParsePath(t, "Group", "displayName"), StartIndex: 1, Count: 100})
	var got []string
	for _, r := range page.Resources {
		got = append(got, schema.Fold(r.Attributes["displayName"].(string)))
	}
	if diff := diffStrings([]string{"a-team", "b-team", "c-team"}, got); diff != "" {
		t.Errorf("Groups sorted by displayName:\n%s", diff)
	}
}
