package scim_test

import (
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// TestMemberTypeCorrected checks that a member whose "type" label does not
// match what its id names is accepted and stored with the right label, on
// POST, PUT, PATCH (membership delta and general path) and in /Bulk, and
// that an id naming nothing is refused with a detail saying which type was
// expected.
func TestMemberTypeCorrected(t *testing.T) {
	for _, general := range []bool{false, true} {
		name := "delta"
		if general {
			name = "general"
		}
		t.Run(name, func(t *testing.T) {
			s := newServer(t, func(c *scim.Config) {
				if general { // only the five Store methods: no membership deltas
					c.Store = struct{ store.Store }{c.Store}
				}
			})
			s.do("POST", "/Users", `{"userName":"u@x"}`).expect(t, 201, "")       // id-1
			s.do("POST", "/Groups", `{"displayName":"Inner"}`).expect(t, 201, "") // id-2
			s.do("POST", "/Groups", `{"displayName":"G","members":[{"value":"id-1","type":"Group"},{"value":"id-2","type":"User"}]}`).expect(t, 201, "")
			s.expectStored("Group", "id-3", `{"displayName":"G","members":[{"value":"id-1","type":"User"},{"value":"id-2","type":"Group"}]}`)
			s.do("PUT", "/Groups/id-3", `{"displayName":"G","members":[{"value":"id-1","type":"Group"}]}`).expect(t, 200, "")
			s.expectStored("Group", "id-3", `{"displayName":"G","members":[{"value":"id-1","type":"User"}]}`)
			s.do("PATCH", "/Groups/id-3", `{"Operations":[{"op":"add","path":"members","value":[{"value":"id-2","type":"User"}]}]}`).expect(t, 204, "")
			s.expectStored("Group", "id-3", `{"displayName":"G","members":[{"value":"id-1","type":"User"},{"value":"id-2","type":"Group"}]}`)
			r := s.do("POST", "/Bulk", `{"Operations":[{"method":"POST","path":"/Groups","bulkId":"b","data":{"displayName":"B","members":[{"value":"id-2","type":"User"}]}}]}`)
			r.expect(t, 200, "")
			if got := statuses(bulkOps(t, r)); len(got) != 1 || got[0] != "b POST 201" {
				t.Errorf("bulk: %v", got)
			}
			s.expectStored("Group", "id-4", `{"displayName":"B","members":[{"value":"id-2","type":"Group"}]}`)
			for body, want := range map[string]string{
				`{"displayName":"X","members":[{"value":"nobody","type":"Group"}]}`: `"nobody" is the id of no existing Group (or User)`,
				`{"displayName":"X","members":[{"value":"nobody","type":"User"}]}`:  `"nobody" is the id of no existing User (or Group)`,
				`{"displayName":"X","members":[{"value":"nobody"}]}`:                `"nobody" is the id of no existing User or Group`,
			} {
				r := s.do("POST", "/Groups", body)
				if d, _ := r.body.(map[string]any)["detail"].(string); r.status != 400 || !strings.Contains(d, want) {
					t.Errorf("%s: %d %s, want 400 saying %s", body, r.status, r.raw, want)
				}
			}
			r = s.do("PATCH", "/Groups/id-3", `{"Operations":[{"op":"add","path":"members","value":[{"value":"nobody","type":"User"}]}]}`)
			if d, _ := r.body.(map[string]any)["detail"].(string); r.status != 400 || !strings.Contains(d, "no existing User") {
				t.Errorf("PATCH adding nobody: %d %s", r.status, r.raw)
			}
		})
	}
}
