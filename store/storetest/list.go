package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

func mustList(t tb, s store.Store, typ string, q store.Query) *store.Page {
	t.Helper()
	page, err := s.List(context.Background(), typ, q)
	if err != nil {
		t.Fatalf("List(%s, %v): %v", typ, q, err)
	}
	if page == nil {
		t.Fatalf("List(%s, %v) returned a nil page and no error", typ, q)
	}
	return page
}

// all lists every resource of typ that matches e (nil: all) in one page.
func all(t tb, s store.Store, typ string, e filter.Expr) []*store.Resource {
	t.Helper()
	page := mustList(t, s, typ, store.Query{Filter: e, StartIndex: 1, Count: 1 << 20})
	if page.Total != len(page.Resources) {
		t.Errorf("List(%s) of everything: Total %d but %d resources", typ, page.Total, len(page.Resources))
	}
	return page.Resources
}

func ids(rs []*store.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func (k *kit) testList(t tb) {
	s := t.Store()
	var created []string
	for _, name := range []string{"u1", "u2", "u3", "u4", "u5", "u6", "u7"} {
		created = append(created, mustCreate(t, s, k.newUser(name)).ID)
	}
	mustCreate(t, s, k.newGroup("not a user"))

	full := all(t, s, "User", nil)
	if diff := diffStrings(slices.Sorted(slices.Values(created)), slices.Sorted(slices.Values(ids(full)))); diff != "" {
		t.Fatalf("List of all users: ids mismatch:\n%s", diff)
	}
	for _, r := range full {
		if r.Type != "User" {
			t.Errorf("List(User) returned a %s", r.Type)
		}
	}
	if diff := diffStrings(ids(full), ids(all(t, s, "User", nil))); diff != "" {
		t.Errorf("two Lists of the same data differ in order (want: first, got: second):\n%s", diff)
	}

	tests := []struct {
		name, reason      string
		startIndex, count int
		lo, hi            int // the expected page is full[lo:hi]
	}{
		{name: "first page", reason: "StartIndex is 1-based", startIndex: 1, count: 3, lo: 0, hi: 3},
		{name: "second page", reason: "pages follow each other", startIndex: 4, count: 3, lo: 3, hi: 6},
		{name: "last page", reason: "the last page is short", startIndex: 7, count: 3, lo: 6, hi: 7},
		{name: "unaligned", reason: "StartIndex need not be a multiple of Count", startIndex: 2, count: 2, lo: 1, hi: 3},
		{name: "count 0", reason: "Count 0 asks only for Total", startIndex: 1, count: 0, lo: 0, hi: 0},
		{name: "past the end", reason: "a StartIndex past the end gives an empty page", startIndex: 8, count: 5, lo: 7, hi: 7},
		{name: "far past the end", reason: "a StartIndex past the end gives an empty page", startIndex: 1000, count: 5, lo: 7, hi: 7},
		{name: "count beyond total", reason: "a page never holds more than there is", startIndex: 1, count: 100, lo: 0, hi: 7},
	}
	for _, tc := range tests {
		page := mustList(t, s, "User", store.Query{StartIndex: tc.startIndex, Count: tc.count})
		if page.Total != len(full) {
			t.Errorf("%s: Total %d, want %d (%s)", tc.name, page.Total, len(full), tc.reason)
		}
		if diff := diffStrings(ids(full[tc.lo:tc.hi]), ids(page.Resources)); diff != "" {
			t.Errorf("%s: page mismatch:\n%s\nreason: %s", tc.name, diff, tc.reason)
		}
	}

	// Deleting a resource leaves the others in their order.
	if err := s.Delete(context.Background(), "User", full[2].ID, ""); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	want := slices.Delete(slices.Clone(ids(full)), 2, 3)
	var got []string
	for start := 1; start <= len(want)+1; start += 2 {
		page := mustList(t, s, "User", store.Query{StartIndex: start, Count: 2})
		if page.Total != len(want) {
			t.Errorf("after Delete, page at %d: Total %d, want %d", start, page.Total, len(want))
		}
		got = append(got, ids(page.Resources)...)
	}
	if diff := diffStrings(want, got); diff != "" {
		t.Errorf("after Delete, pages of 2:\n%s", diff)
	}

	if page := mustList(t, s, "Nothing", store.Query{StartIndex: 1, Count: 10}); page.Total != 0 || len(page.Resources) != 0 {
		t.Errorf("List of a type with no resources: Total %d and %d resources, want none", page.Total, len(page.Resources))
	}
}

// quote returns s as a filter string literal.
func quote(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

func (k *kit) testFilter(t tb) {
	s := t.Store()
	const ent = schema.EnterpriseUserURN
	name := map[string]string{} // id -> userName or displayName
	idOf := map[string]string{} // userName or displayName -> id
	add := func(r *store.Resource, label string) {
		got := mustCreate(t, s, r)
		name[got.ID], idOf[label] = label, got.ID
	}
	add(k.newUser("bjensen",
		"name", map[string]any{"givenName": "Barbara", "familyName": "Jensen"},
		"title", "Tour Guide",
		"active", true,
		"emails", []any{
			map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
			map[string]any{"value": "babs@jensen.org", "type": "home"},
		},
		"externalId", "ext-1",
		ent, map[string]any{"employeeNumber": "701984", "department": "Tour Operations"},
	), "bjensen")
	add(k.newUser("jsmith",
		"name", map[string]any{"givenName": "John", "familyName": "Smith"},
		"active", false,
		"emails", []any{map[string]any{"value": "john@example.org", "type": "work"}},
		"externalId", "ext-2",
	), "jsmith")
	add(k.newUser("Jane.Smith",
		"name", map[string]any{"givenName": "Jane", "familyName": "Smith"},
		"title", "Engineer",
		"active", true,
		"emails", []any{map[string]any{"value": "jane@example.com", "type": "home"}},
		"externalId", "ext-2",
	), "Jane.Smith")
	add(k.newUser("alice", "active", true, ent, map[string]any{"employeeNumber": "42"}), "alice")
	add(k.newUser("zoë"), "zoë")
	add(k.newGroup("Admins", idOf["bjensen"], idOf["alice"]), "Admins")
	add(k.newGroup("Tour Guides", idOf["bjensen"]), "Tour Guides")
	add(k.newGroup("Empty"), "Empty")
	// Give the resources more than one version.
	if _, err := s.Replace(context.Background(), k.with(&store.Resource{Type: "User", ID: idOf["alice"]},
		map[string]any{"userName": "alice", "active": true, ent: map[string]any{"employeeNumber": "42"}}), ""); err != nil {
		t.Fatalf("Replace: %v", err)
	}
	var pairs []string
	for label, id := range idOf {
		pairs = append(pairs, "{"+label+"}", quote(id))
	}
	expand := strings.NewReplacer(pairs...)

	tests := []struct {
		name, reason string
		typ, filter  string
		want         []string // userNames or displayNames, in any order
	}{
		{name: "eq", reason: "eq on the unique attribute", typ: "User", filter: `userName eq "bjensen"`, want: []string{"bjensen"}},
		{name: "eq case", reason: "userName is not caseExact", typ: "User", filter: `userName eq "BJENSEN"`, want: []string{"bjensen"}},
		{name: "eq attribute case", reason: "attribute names are case-insensitive", typ: "User", filter: `USERNAME eq "bjensen"`, want: []string{"bjensen"}},
		{name: "eq non-ASCII case", reason: "case-insensitive beyond ASCII", typ: "User", filter: `userName eq "ZOË"`, want: []string{"zoë"}},
		{name: "eq none", reason: "no such user", typ: "User", filter: `userName eq "nobody"`, want: nil},
		{name: "ne", reason: "every other user", typ: "User", filter: `userName ne "bjensen"`, want: []string{"jsmith", "Jane.Smith", "alice", "zoë"}},
		{name: "co", reason: "co is case-insensitive here", typ: "User", filter: `userName co "smith"`, want: []string{"jsmith", "Jane.Smith"}},
		{name: "sw", reason: "prefix", typ: "User", filter: `userName sw "J"`, want: []string{"jsmith", "Jane.Smith"}},
		{name: "ew", reason: "suffix", typ: "User", filter: `userName ew "SMITH"`, want: []string{"jsmith", "Jane.Smith"}},
		{name: "pr", reason: "presence", typ: "User", filter: `title pr`, want: []string{"bjensen", "Jane.Smith"}},
		{name: "not", reason: "negation of presence", typ: "User", filter: `not (title pr)`, want: []string{"jsmith", "alice", "zoë"}},
		{name: "sub-attribute", reason: "name.familyName, case-insensitive", typ: "User", filter: `name.familyName eq "smith"`, want: []string{"jsmith", "Jane.Smith"}},
		{name: "value path", reason: "both conditions on one email", typ: "User", filter: `emails[type eq "work" and value co "example"]`, want: []string{"bjensen", "jsmith"}},
		{name: "value path no match", reason: "the conditions hold on different emails only", typ: "User", filter: `emails[type eq "home" and value ew "example.com" and primary eq true]`, want: nil},
		{name: "multi-valued sub-attribute", reason: "any email", typ: "User", filter: `emails.value ew ".org"`, want: []string{"bjensen", "jsmith"}},
		{name: "boolean true", reason: "active", typ: "User", filter: `active eq true`, want: []string{"bjensen", "Jane.Smith", "alice"}},
		{name: "boolean false", reason: "inactive", typ: "User", filter: `active eq false`, want: []string{"jsmith"}},
		{name: "or", reason: "either", typ: "User", filter: `userName eq "bjensen" or userName eq "alice"`, want: []string{"bjensen", "alice"}},
		{name: "and", reason: "both", typ: "User", filter: `active eq true and title pr`, want: []string{"bjensen", "Jane.Smith"}},
		{name: "and with indexed eq failing", reason: "an indexed term narrows, the rest still applies", typ: "User", filter: `userName eq "jsmith" and active eq true`, want: nil},
		{name: "grouping", reason: "parentheses and not", typ: "User", filter: `(userName eq "bjensen" or userName eq "jsmith") and not (active eq false)`, want: []string{"bjensen"}},
		{name: "externalId", reason: "externalId is shared by two users", typ: "User", filter: `externalId eq "ext-2"`, want: []string{"jsmith", "Jane.Smith"}},
		{name: "externalId case", reason: "externalId is caseExact", typ: "User", filter: `externalId eq "EXT-2"`, want: nil},
		{name: "id", reason: "lookup by id", typ: "User", filter: `id eq {alice}`, want: []string{"alice"}},
		{name: "id and", reason: "id narrows, the rest still applies", typ: "User", filter: `id eq {alice} and active eq false`, want: nil},
		{name: "id of another type", reason: "a Group id is no User", typ: "User", filter: `id eq {Admins}`, want: nil},
		{name: "extension", reason: "URN-qualified extension attribute", typ: "User", filter: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "42"`, want: []string{"alice"}},
		{name: "extension sw", reason: "extension attribute, case-insensitive", typ: "User", filter: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department sw "tour"`, want: []string{"bjensen"}},
		{name: "meta.resourceType", reason: "meta is filterable", typ: "User", filter: `meta.resourceType eq "User"`, want: []string{"bjensen", "jsmith", "Jane.Smith", "alice", "zoë"}},
		{name: "meta.created", reason: "every resource has meta.created", typ: "User", filter: `meta.created pr and meta.lastModified pr and meta.version pr`, want: []string{"bjensen", "jsmith", "Jane.Smith", "alice", "zoë"}},
		{name: "group displayName", reason: "displayName is not caseExact", typ: "Group", filter: `displayName eq "admins"`, want: []string{"Admins"}},
		{name: "group sw", reason: "prefix", typ: "Group", filter: `displayName sw "t"`, want: []string{"Tour Guides"}},
		{name: "members value path", reason: "membership probe", typ: "Group", filter: `members[value eq {alice}]`, want: []string{"Admins"}},
		{name: "members.value", reason: "membership probe", typ: "Group", filter: `members.value eq {bjensen}`, want: []string{"Admins", "Tour Guides"}},
		{name: "id and members", reason: "the Entra membership probe", typ: "Group", filter: `id eq {Admins} and members[value eq {jsmith}]`, want: nil},
		{name: "members pr", reason: "empty groups have no members", typ: "Group", filter: `members pr`, want: []string{"Admins", "Tour Guides"}},
	}
	everything := map[string][]*store.Resource{"User": all(t, s, "User", nil), "Group": all(t, s, "Group", nil)}
	for _, tc := range tests {
		text := strings.ReplaceAll(expand.Replace(tc.filter), "title", k.title)
		e, ok := k.declaredFilter(t, tc.typ, text)
		if !ok {
			continue // names an attribute the store does not declare
		}
		var oracle []string
		for _, r := range everything[tc.typ] {
			if filter.Match(e, r.Object()) {
				oracle = append(oracle, name[r.ID])
			}
		}
		page := mustList(t, s, tc.typ, store.Query{Filter: e, StartIndex: 1, Count: 100})
		var got []string
		for _, r := range page.Resources {
			got = append(got, name[r.ID])
		}
		if page.Total != len(page.Resources) {
			t.Errorf("%s: List(%s): Total %d but %d resources", tc.name, text, page.Total, len(page.Resources))
		}
		if diff := diffStrings(sorted(oracle), sorted(got)); diff != "" {
			t.Errorf("%s: List(%s) differs from filter.Match over all resources (want: match, got: list):\n%s", tc.name, text, diff)
		}
		if diff := diffStrings(sorted(tc.want), sorted(got)); diff != "" && !k.defaulted(tc.typ, text) {
			t.Errorf("%s: List(%s):\n%s\nreason: %s", tc.name, text, diff, tc.reason)
		}
		// Paging a filtered result follows the same order.
		for i := range page.Resources {
			p := mustList(t, s, tc.typ, store.Query{Filter: e, StartIndex: i + 1, Count: 1})
			if p.Total != page.Total || len(p.Resources) != 1 || p.Resources[0].ID != page.Resources[i].ID {
				t.Errorf("%s: List(%s) page %d of 1: Total %d, ids %v; want Total %d, id %s", tc.name, text, i+1, p.Total, ids(p.Resources), page.Total, page.Resources[i].ID)
			}
		}
		if p := mustList(t, s, tc.typ, store.Query{Filter: e, StartIndex: 1, Count: 0}); p.Total != page.Total || len(p.Resources) != 0 {
			t.Errorf("%s: List(%s) with Count 0: Total %d and %d resources, want Total %d and none", tc.name, text, p.Total, len(p.Resources), page.Total)
		}
	}
}

// sorted returns a sorted copy of s, nil when s is empty.
func sorted(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Sorted(slices.Values(s))
}
