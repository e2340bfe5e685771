package scim_test

import (
	"context"
	"net/url"
	"strings"
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
	forGroupStores(t, func(t *testing.T, s *server, indexed bool) {
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

// TestUserGroupsVersion checks that the version of a user returned with
// its groups covers them (RFC 7644 §3.14): a change to the groups listing
// the user changes the ETag and meta.version that GET serves, so
// If-None-Match with a copy whose groups are stale is answered 200, not
// 304; a projection without groups keeps the user's own version; and
// If-Match accepts a tag served with groups as the user's version.
func TestUserGroupsVersion(t *testing.T) {
	forGroupStores(t, func(t *testing.T, s *server, indexed bool) {
		s.do("POST", "/Users", `{"userName":"ada@x"}`).expect(t, 201, "")                                     // id-1
		s.do("POST", "/Groups", `{"displayName":"Engineering"}`).expect(t, 201, "")                           // id-2
		s.do("POST", "/Groups", `{"displayName":"Everyone","members":[{"value":"id-2"}]}`).expect(t, 201, "") // id-3
		get := func(target string, header ...string) (status int, etag string) {
			t.Helper()
			r := s.do("GET", target, "", header...)
			if r.status == 200 {
				if v := r.body.(map[string]any)["meta"].(map[string]any)["version"]; v != r.header.Get("ETag") {
					t.Errorf("GET %s: meta.version %v, ETag %q: want equal", target, v, r.header.Get("ETag"))
				}
			}
			return r.status, r.header.Get("ETag")
		}
		_, alone := get("/Users/id-1")
		_, aloneNoGroups := get("/Users/id-1?excludedAttributes=groups")
		if alone != aloneNoGroups {
			t.Errorf("a user in no group: ETag %q, without groups %q: want the user's own version for both", alone, aloneNoGroups)
		}

		// Added to a group: the user's own version is unchanged, the
		// representation with groups is not.
		s.do("PATCH", "/Groups/id-2", `{"Operations":[{"op":"add","path":"members","value":[{"value":"id-1"}]}]}`).expect(t, 204, "")
		if status, _ := get("/Users/id-1", "If-None-Match", alone); status != 200 {
			t.Errorf("If-None-Match with the tag from before the user joined a group: %d, want 200", status)
		}
		_, member := get("/Users/id-1")
		if member == alone {
			t.Fatalf("ETag %q unchanged after the user joined a group", member)
		}
		if status, _ := get("/Users/id-1", "If-None-Match", member); status != 304 {
			t.Errorf("If-None-Match with the current tag: %d, want 304", status)
		}
		if status, tag := get("/Users/id-1?excludedAttributes=groups", "If-None-Match", alone); status != 304 || tag != alone {
			t.Errorf("without groups, If-None-Match with the user's own version: %d %q, want 304 %q", status, tag, alone)
		}

		// A group the user is in indirectly is renamed: the display
		// in its groups changes, so does the version.
		s.do("PATCH", "/Groups/id-3", `{"Operations":[{"op":"replace","path":"displayName","value":"All staff"}]}`).expect(t, 204, "")
		if status, _ := get("/Users/id-1", "If-None-Match", member); status != 200 {
			t.Errorf("If-None-Match after an indirect group was renamed: %d, want 200", status)
		}
		_, renamed := get("/Users/id-1")
		if renamed == member {
			t.Errorf("ETag %q unchanged after an indirect group was renamed", renamed)
		}
		list := s.do("GET", "/Users?filter="+url.QueryEscape(`userName eq "ada@x"`), "")
		list.expect(t, 200, "")
		if v := list.body.(map[string]any)["Resources"].([]any)[0].(map[string]any)["meta"].(map[string]any)["version"]; v != renamed {
			t.Errorf("meta.version in a list: %v, want %q as GET serves", v, renamed)
		}

		// If-Match: the tag served with groups names the user's
		// version; once the user changed, it is stale.
		s.do("PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","path":"displayName","value":"Ada"}]}`, "If-Match", renamed).expect(t, 200, "")
		s.do("PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","path":"displayName","value":"Ada L"}]}`, "If-Match", renamed).expect(t, 412, "")
		_, changed := get("/Users/id-1")
		s.do("PUT", "/Users/id-1", `{"userName":"ada@x","displayName":"Ada"}`, "If-Match", changed).expect(t, 200, "")

		// A group maintains no groups: a tag with a groups digest is
		// not its version.
		_, group := get("/Groups/id-2?excludedAttributes=members")
		s.do("PATCH", "/Groups/id-2", `{"Operations":[{"op":"replace","path":"displayName","value":"Eng"}]}`, "If-Match", strings.TrimSuffix(group, `"`)+`.gAAAAAAAAAAAAAAAA"`).expect(t, 412, "")

		// Out of every group: the user's own version again.
		s.do("PATCH", "/Groups/id-2", `{"Operations":[{"op":"remove","path":"members[value eq \"id-1\"]"}]}`).expect(t, 204, "")
		_, left := get("/Users/id-1")
		_, own := get("/Users/id-1?excludedAttributes=groups")
		if left != own {
			t.Errorf("a user in no group again: ETag %q, want its own version %q", left, own)
		}
	})
}

// forGroupStores runs test over a server on the memory store with its
// member index (store.GroupLister), and over one on a store without it,
// whose groups the handler finds with List (indexed false).
func forGroupStores(t *testing.T, test func(t *testing.T, s *server, indexed bool)) {
	for _, indexed := range []bool{true, false} {
		name := "member index"
		if !indexed {
			name = "List fallback"
		}
		t.Run(name, func(t *testing.T) {
			test(t, newServer(t, func(c *scim.Config) {
				if !indexed {
					c.Store = struct{ store.Store }{c.Store}
				}
			}), indexed)
		})
	}
}
