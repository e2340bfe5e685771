package scim_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// TestUserGroups checks User.groups (RFC 7643 §4.1.2), maintained by the
// service provider from group memberships: direct and indirect groups with
// value, $ref, display and type; returned by default and projectable;
// filterable; never writable; the same over a store with a member index
// (store.GroupLister) and one without.
func TestUserGroups(t *testing.T) {
	for _, indexed := range []bool{true, false} {
		name := "member index"
		if !indexed {
			name = "List fallback"
		}
		t.Run(name, func(t *testing.T) {
			s := newServer(t, func(c *scim.Config) {
				if !indexed {
					c.Store = struct{ store.Store }{c.Store}
				}
			})
			s.do("POST", "/Users", `{"userName":"ada@x"}`).expect(t, 201, "")                                                                     // id-1
			s.do("POST", "/Users", `{"userName":"bob@x","groups":[{"value":"forged"}]}`).expect(t, 201, "")                                       // id-2
			s.do("POST", "/Groups", `{"displayName":"Engineering","members":[{"value":"id-1"}]}`).expect(t, 201, "")                              // id-3
			s.do("POST", "/Groups", `{"displayName":"Everyone","members":[{"value":"id-3","type":"Group"},{"value":"id-2"}]}`).expect(t, 201, "") // id-4
			s.do("POST", "/Groups", `{"displayName":"Loop","members":[{"value":"id-4","type":"Group"}]}`).expect(t, 201, "")                      // id-5
			s.do("PATCH", "/Groups/id-4", `{"Operations":[{"op":"add","path":"members","value":[{"value":"id-5","type":"Group"}]}]}`).expect(t, 204, "")
			ref := func(id string) string { return testBase + "/Groups/" + id }
			ada := []any{
				map[string]any{"value": "id-3", "$ref": ref("id-3"), "display": "Engineering", "type": "direct"},
				map[string]any{"value": "id-4", "$ref": ref("id-4"), "display": "Everyone", "type": "indirect"},
				map[string]any{"value": "id-5", "$ref": ref("id-5"), "display": "Loop", "type": "indirect"},
			}
			r := s.do("GET", "/Users/id-1", "")
			r.expect(t, 200, "")
			if diff := cmp.Diff(ada, r.body.(map[string]any)["groups"]); diff != "" {
				t.Errorf("ada's groups (-want +got):\n%s", diff)
			}
			r = s.do("GET", "/Users/id-2?attributes=groups", "")
			want := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"id-2","groups":[` +
				`{"value":"id-4","$ref":"` + ref("id-4") + `","display":"Everyone","type":"direct"},` +
				`{"value":"id-5","$ref":"` + ref("id-5") + `","display":"Loop","type":"indirect"}]}`
			r.expect(t, 200, want)
			if r := s.do("GET", "/Users/id-1?excludedAttributes=groups", ""); r.body.(map[string]any)["groups"] != nil {
				t.Errorf("excluded groups returned: %s", r.raw)
			}
			if _, ok := s.stored("User", "id-2")["groups"]; ok {
				t.Errorf("a client's groups were stored")
			}
			for filter, ids := range map[string][]any{
				`groups.value eq "id-3"`:                       {"id-1"},
				`groups.value eq "id-5"`:                       {"id-1", "id-2"},
				`groups[display sw "eng"]`:                     {"id-1"},
				`groups[value eq "id-4" and type eq "direct"]`: {"id-2"},
				`userName eq "bob@x" and groups pr`:            {"id-2"},
				`not (groups pr)`:                              nil,
			} {
				r := s.do("GET", "/Users?attributes=id&filter="+url.QueryEscape(filter), "")
				r.expect(t, 200, "")
				var got []any
				for _, res := range r.body.(map[string]any)["Resources"].([]any) {
					got = append(got, res.(map[string]any)["id"])
				}
				if diff := cmp.Diff(ids, got); diff != "" {
					t.Errorf("filter %s (-want +got):\n%s", filter, diff)
				}
			}
			if r := s.do("GET", "/Users?sortBy=groups.value", ""); r.status != 400 {
				t.Errorf("sortBy groups: %d", r.status)
			}
			if r := s.do("GET", "/Users?cursor=&filter="+url.QueryEscape(`groups.value eq "id-3"`), ""); r.status != 400 && indexed {
				t.Errorf("cursor with a groups filter: %d", r.status)
			}
			u, err := s.h.Get(context.Background(), "User", "id-1")
			if err != nil {
				t.Fatal(err)
			}
			typed, _ := u.User()
			if len(typed.Groups) != 3 || typed.Groups[0].Value != "id-3" || typed.Groups[1].Type != "indirect" {
				t.Errorf("Go API groups = %+v", typed.Groups)
			}
			// Leaving a group shows at once.
			s.do("PATCH", "/Groups/id-3", `{"Operations":[{"op":"remove","path":"members[value eq \"id-1\"]"}]}`).expect(t, 204, "")
			if r := s.do("GET", "/Users/id-1", ""); r.body.(map[string]any)["groups"] != nil {
				t.Errorf("groups after leaving: %s", r.raw)
			}
		})
	}
}
