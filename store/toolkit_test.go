package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// TestListSliceIsMemoryList checks that ListSlice gives the memory store's
// answers (one filter, sort and paging rule for both) over users chosen to
// tie, fold and miss values, for filters, sorts both ways and pages.
func TestListSliceIsMemoryList(t *testing.T) {
	s := deterministic()
	ctx := context.Background()
	email := func(v string, primary bool) any { return map[string]any{"value": v, "primary": primary} }
	names := []string{"carol", "Alice", "bob", "dave", "ſam", "samuel", "\u212Aelvin", "kelly", "İrem", "irem"}
	var all []*store.Resource
	for i, n := range names {
		kv := []any{"active", i%3 != 0}
		if i%2 == 0 {
			kv = append(kv, "title", []string{"b", "A", "a", "ẞ", "ß"}[i%5])
		}
		if i%4 != 1 {
			kv = append(kv, "emails", []any{email(fmt.Sprintf("%c@x", 'z'-i), false), email(n+"@x", i%3 == 0)})
		}
		all = append(all, mustCreate(t, s, user(n, kv...)))
	}
	rt := schema.UserResourceType(schema.EnterpriseUserSchema())
	filters := []string{"", `userName eq "sam"`, `userName sw "k"`, `title eq "a"`, `title pr`, `emails[value co "@X"]`, `not (active eq true)`, `userName gt "c"`, `title eq "SS"`}
	sorts := []string{"", "userName", "title", "emails.value", "active", "meta.created"}
	for _, f := range filters {
		for _, sb := range sorts {
			for _, desc := range []bool{false, true} {
				for _, page := range [][2]int{{1, 100}, {2, 3}, {9, 5}, {1, 0}} {
					q := store.Query{StartIndex: page[0], Count: page[1], Descending: desc}
					if f != "" {
						q.Filter = parse(t, "User", f)
					}
					if sb != "" {
						p, err := filter.Parser{Schema: rt}.ParseAttrPath(sb)
						if err != nil {
							t.Fatal(err)
						}
						q.SortBy = p
					}
					want, err := s.List(ctx, "User", q)
					if err != nil {
						t.Fatal(err)
					}
					got, err := store.ListSlice(ctx, all, q)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("filter %q sortBy %q desc %v page %v (-memory +ListSlice):\n%s", f, sb, desc, page, diff)
					}
				}
			}
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	many := make([]*store.Resource, 5000)
	for i := range many {
		many[i] = all[i%len(all)]
	}
	if _, err := store.ListSlice(cctx, many, store.Query{StartIndex: 1, Count: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

func TestContentVersion(t *testing.T) {
	a := store.ContentVersion("ada@example.com", "Ada", true, "2026-01-02T03:04:05Z")
	if len(a) != 16 || a != store.ContentVersion("ada@example.com", "Ada", true, "2026-01-02T03:04:05Z") {
		t.Errorf("version %q is not stable or not 16 characters", a)
	}
	for _, other := range [][]any{
		{"ada@example.com", "Ada", false, "2026-01-02T03:04:05Z"},
		{"ada@example.com", "Ada ", true, "2026-01-02T03:04:05Z"},
		{"ada@example.comAda", "", true, "2026-01-02T03:04:05Z"},
	} {
		if store.ContentVersion(other...) == a {
			t.Errorf("%v has the version of different content", other)
		}
	}
}

func TestCheckMembers(t *testing.T) {
	names := func(id string) (string, error) {
		switch id {
		case "u1":
			return "User", nil
		case "g1":
			return "Group", nil
		case "boom":
			return "", errors.New("database down")
		}
		return "", nil
	}
	m := func(v, typ string) any {
		if typ == "" {
			return map[string]any{"value": v}
		}
		return map[string]any{"value": v, "type": typ}
	}
	tests := []struct {
		name    string
		members []any
		bad     string
		err     bool
	}{
		{"users and groups", []any{m("u1", ""), m("u1", "User"), m("g1", "Group"), m("g1", "")}, "", false},
		{"unknown", []any{m("u1", ""), m("nobody", "")}, "nobody", true},
		{"user as group", []any{m("u1", "Group")}, "u1", true},
		{"store error", []any{m("boom", "")}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := store.CheckMembers(map[string]any{"members": tc.members}, names)
			var re *store.ReferenceError
			switch {
			case !tc.err && err != nil, tc.err && err == nil:
				t.Fatalf("err = %v", err)
			case tc.bad != "" && (!errors.As(err, &re) || re.Value != tc.bad || !errors.Is(err, store.ErrInvalidReference)):
				t.Errorf("err = %v, want a ReferenceError naming %s", err, tc.bad)
			}
		})
	}
	if diff := cmp.Diff([]string{"u1", "g1"}, store.MemberValues(map[string]any{"members": []any{m("u1", ""), m("g1", "Group")}})); diff != "" {
		t.Errorf("MemberValues (-want +got):\n%s", diff)
	}
}

func TestEqualityTerm(t *testing.T) {
	tests := []struct {
		filter, want string
		ok           bool
	}{
		{`userName eq "Ada@x"`, "Ada@x", true},
		{`active eq true and userName eq "b"`, "b", true},
		{`userName eq "a" or userName eq "b"`, "", false},
		{`userName co "a"`, "", false},
		{`not (userName eq "a")`, "", false},
		{`name.givenName eq "a"`, "", false},
		{`emails[value eq "a"]`, "", false},
	}
	for _, tc := range tests {
		got, ok := store.EqualityTerm(parse(t, "User", tc.filter), "userName")
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: %q, %v; want %q, %v", tc.filter, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := store.EqualityTerm(nil, "userName"); ok {
		t.Errorf("no filter has an equality term")
	}
}
