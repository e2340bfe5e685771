package sqlstore

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

func TestSortSuite(t *testing.T) {
	str := func(path ...string) func(r *store.Resource) sortValue {
		return func(r *store.Resource) sortValue {
			var v any = r.Attributes
			for _, k := range path {
				m, ok := v.(map[string]any)
				if !ok {
					return sortValue{missing: true}
				}
				v = m[k]
			}
			s, ok := v.(string)
			if !ok || s == "" { // "" is missing, as in schema.SortKey
				return sortValue{missing: true}
			}
			return sortValue{s: strings.ToLower(s)}
		}
	}
	number := func(path ...string) func(r *store.Resource) sortValue {
		return func(r *store.Resource) sortValue {
			var v any = r.Attributes
			for _, k := range path {
				m, ok := v.(map[string]any)
				if !ok {
					return sortValue{missing: true}
				}
				v = m[k]
			}
			n, ok := v.(json.Number)
			if !ok {
				return sortValue{missing: true}
			}
			f, _ := n.Float64()
			return sortValue{n: f}
		}
	}
	primaryEmail := func(r *store.Resource) sortValue {
		es, _ := r.Attributes["emails"].([]any)
		if len(es) == 0 {
			return sortValue{missing: true}
		}
		pick := es[0].(map[string]any)
		for _, e := range es {
			if m := e.(map[string]any); m["primary"] == true {
				pick = m
				break
			}
		}
		return sortValue{s: strings.ToLower(pick["value"].(string))}
	}
	tests := []struct {
		name, reason string
		typ, sortBy  string
		descending   bool
		key          func(r *store.Resource) sortValue
	}{
		{name: "userName", reason: "key column, folded", typ: "User", sortBy: "userName", key: str("userName")},
		{name: "userName desc", reason: "descending", typ: "User", sortBy: "userName", descending: true, key: str("userName")},
		{name: "title", reason: "missing values last", typ: "User", sortBy: "title", key: str("title")},
		{name: "title desc", reason: "missing values first (RFC 7644 §3.4.2.3)", typ: "User", sortBy: "title", descending: true, key: str("title")},
		{name: "name.familyName", reason: "sub-attribute; ties in creation order", typ: "User", sortBy: "name.familyName", key: str("name", "familyName")},
		{name: "badge", reason: "numbers numerically", typ: "User", sortBy: "badge", key: number(testURN, "badge")},
		{name: "score desc", reason: "decimals numerically", typ: "User", sortBy: "score", descending: true, key: number(testURN, "score")},
		{name: "emails", reason: "primary value, else the first", typ: "User", sortBy: "emails", key: primaryEmail},
		{name: "group displayName", reason: "key column", typ: "Group", sortBy: "displayName", key: str("displayName")},
		{name: "user displayName", reason: "no key column for a type with a unique attribute", typ: "User", sortBy: "displayName", key: str("displayName")},
		{name: "user displayName desc", reason: "no key column, descending", typ: "User", sortBy: "displayName", descending: true, key: str("displayName")},
	}
	rts := map[string]*schema.ResourceType{}
	for _, rt := range filterTypes() {
		rts[rt.Name] = rt
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			for _, keys := range keyLayouts {
				t.Run(keys, func(t *testing.T) {
					f := newFixture(t, be.open)
					if keys == fullKeys {
						f.fullKeyDocs(t)
					}
					for _, tc := range tests {
						path, err := filter.Parser{Schema: rts[tc.typ]}.ParseAttrPath(tc.sortBy)
						if err != nil {
							t.Fatal(err)
						}
						want := slices.Clone(f.all[tc.typ])
						slices.SortStableFunc(want, func(a, b *store.Resource) int {
							x, y := tc.key(a), tc.key(b)
							switch {
							case x.missing || y.missing: // after every value: last ascending, first descending
								c := cmp.Compare(btoi(x.missing), btoi(y.missing))
								if tc.descending {
									c = -c
								}
								return c
							case tc.descending:
								return cmp.Or(cmp.Compare(y.s, x.s), cmp.Compare(y.n, x.n))
							}
							return cmp.Or(cmp.Compare(x.s, y.s), cmp.Compare(x.n, y.n))
						})
						var got []*store.Resource
						for start := 1; start <= len(want); start += 4 {
							page, err := f.s.List(context.Background(), tc.typ, store.Query{StartIndex: start, Count: 4, SortBy: path, Descending: tc.descending})
							if err != nil {
								t.Fatalf("%s: %v", tc.name, err)
							}
							got = append(got, page.Resources...)
						}
						label := func(rs []*store.Resource) []string {
							out := make([]string, len(rs))
							for i, r := range rs {
								out[i] = f.label[r.ID]
							}
							return out
						}
						if diff := gocmp.Diff(label(want), label(got)); diff != "" {
							t.Errorf("%s: sorted pages (-want +got):\n%s\nreason: %s", tc.name, diff, tc.reason)
						}
					}
				})
			}
		})
	}
}
