package scim_test

import (
	"context"
	"errors"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// canonicalGroup is a stored group with its members sorted by value, so
// that the two PATCH paths can be compared (the delta path may keep an
// order the general path rewrites).
func canonicalGroup(t *testing.T, s *server, id string) any {
	t.Helper()
	g := normalizeJSON(t, s.stored("Group", id)).(map[string]any)
	if ms, ok := g["members"].([]any); ok {
		sort.Slice(ms, func(i, j int) bool {
			return ms[i].(map[string]any)["value"].(string) < ms[j].(map[string]any)["value"].(string)
		})
	}
	return g
}

// TestDeltaMatchesGeneralPath sends the same group PATCHes to a store with
// store.MemberPatcher (membership deltas) and to one with only the five
// Store methods (Get, patch.Apply, Replace): the answers and the stored
// groups must agree.
func TestDeltaMatchesGeneralPath(t *testing.T) {
	const patchOp = `"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],`
	bodies := []struct{ name, body string }{
		{"okta push", `{` + patchOp + `"Operations":[{"op":"remove","path":"members[value eq \"id-9\"]"},{"op":"add","path":"members","value":[{"value":"id-3","display":"c"}]}]}`},
		{"okta rename", `{` + patchOp + `"Operations":[{"op":"replace","value":{"id":"id-6","displayName":"Renamed"}}]}`},
		{"other id", `{` + patchOp + `"Operations":[{"op":"replace","value":{"id":"id-1","displayName":"x"}}]}`},
		{"replace all", `{` + patchOp + `"Operations":[{"op":"replace","path":"members","value":[{"value":"id-2"},{"value":"id-4","type":"User"}]}]}`},
		{"replace empty", `{` + patchOp + `"Operations":[{"op":"replace","path":"members","value":[]}]}`},
		{"entra add", `{` + patchOp + `"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"id-1"},{"$ref":null,"value":"id-3"}]}]}`},
		{"entra remove", `{` + patchOp + `"Operations":[{"op":"Remove","path":"members","value":[{"value":"id-1"}]}]}`},
		{"remove all", `{` + patchOp + `"Operations":[{"op":"remove","path":"members"}]}`},
		{"bare strings", `{` + patchOp + `"Operations":[{"op":"add","path":"members","value":["id-3","id-4"]}]}`},
		{"same member twice", `{` + patchOp + `"Operations":[{"op":"add","path":"members","value":[{"value":"id-3","display":"x"}]},{"op":"add","path":"members","value":[{"value":"id-3","display":"y"}]}]}`},
		{"same member two types", `{` + patchOp + `"Operations":[{"op":"add","path":"members","value":[{"value":"id-3","type":"User"}]},{"op":"add","path":"members","value":[{"value":"id-3","type":"Group"}]}]}`},
		{"add then remove", `{` + patchOp + `"Operations":[{"op":"add","path":"members","value":[{"value":"id-3"}]},{"op":"remove","path":"members[value eq \"id-3\"]"}]}`},
		{"remove then add", `{` + patchOp + `"Operations":[{"op":"remove","path":"members[value eq \"id-1\"]"},{"op":"add","path":"members","value":[{"value":"id-1","display":"back"}]}]}`},
		{"missing member", `{` + patchOp + `"Operations":[{"op":"add","path":"members","value":[{"value":"nobody"}]}]}`},
		{"user as group", `{` + patchOp + `"Operations":[{"op":"add","path":"members","value":[{"value":"id-3","type":"Group"}]}]}`},
		{"re-add present member as group", `{` + patchOp + `"Operations":[{"op":"add","path":"members","value":[{"value":"id-1","type":"Group"}]}]}`},
		{"re-add deleted nested group", `{` + patchOp + `"Operations":[{"op":"add","path":"members","value":[{"value":"id-5","type":"Group"}]}]}`},
		{"full push keeping deleted nested group", `{` + patchOp + `"Operations":[{"op":"replace","path":"members","value":[{"value":"id-1","display":"one"},{"value":"id-2","type":"User"},{"value":"id-5","type":"Group"}]}]}`},
		{"key twice in one value", `{` + patchOp + `"Operations":[{"op":"replace","value":{"displayname":"New","displayName":"Other"}}]}`},
		{"remove displayName", `{` + patchOp + `"Operations":[{"op":"remove","path":"displayName"}]}`},
		{"rename with empty", `{` + patchOp + `"Operations":[{"op":"replace","path":"displayName","value":""}]}`},
		{"rewrite member value", `{` + patchOp + `"Operations":[{"op":"replace","path":"members[value eq \"id-1\"].value","value":"id-3"}]}`},
		{"externalId", `{` + patchOp + `"Operations":[{"op":"add","path":"externalId","value":"ext-1"}]}`},
		{"empty operations", `{` + patchOp + `"Operations":[]}`},
		{"or-ed removal", `{` + patchOp + `"Operations":[{"op":"remove","path":"members[value eq \"id-1\" or value eq \"nobody\" or value eq \"id-2\"]"}]}`},
		{"or-ed removal of nobody", `{` + patchOp + `"Operations":[{"op":"remove","path":"members[value eq \"x\" or value eq \"y\"]"}]}`},
		{"or-ed removal with another attribute", `{` + patchOp + `"Operations":[{"op":"remove","path":"members[value eq \"id-1\" or display eq \"one\"]"}]}`},
		{"or-ed removal in case", `{` + patchOp + `"Operations":[{"op":"remove","path":"members[VALUE eq \"id-1\" OR value eq \"ID-2\"]"}]}`},
	}
	setup := func(t *testing.T, wrap bool) *server {
		return newServer(t, func(c *scim.Config) {
			if wrap {
				c.Store = &basicStore{s: c.Store}
			}
		})
	}
	for _, tc := range bodies {
		t.Run(tc.name, func(t *testing.T) {
			var got [2]struct {
				status int
				group  any
			}
			for i, wrap := range []bool{false, true} {
				s := setup(t, wrap)
				for _, u := range []string{"a", "b", "c", "d"} { // id-1 … id-4
					s.do("POST", "/Users", `{"userName":"`+u+`@example.com"}`).expect(t, 201, "")
				}
				s.do("POST", "/Groups", `{"displayName":"Nested"}`).expect(t, 201, "") // id-5
				s.do("POST", "/Groups", `{"displayName":"G","members":[{"value":"id-1","display":"one"},{"value":"id-2","type":"User"},{"value":"id-5","type":"Group"}]}`).expect(t, 201, "")
				s.do("DELETE", "/Groups/id-5", "").expect(t, 204, "")
				r := s.do("PATCH", "/Groups/id-6", tc.body)
				got[i].status, got[i].group = r.status, canonicalGroup(t, s, "id-6")
			}
			if got[0].status != got[1].status {
				t.Errorf("status: delta path %d, general path %d", got[0].status, got[1].status)
			}
			if diff := cmp.Diff(got[1].group, got[0].group); diff != "" {
				t.Errorf("stored group (-general path +delta path):\n%s", diff)
			}
		})
	}
}

// flakyStore loses every Replace race: another writer always got there
// first.
type flakyStore struct {
	store.Store
	losses int
}

func (f *flakyStore) Replace(ctx context.Context, r *store.Resource, ifVersion string) (*store.Resource, error) {
	if f.losses > 0 {
		f.losses--
		cur, err := f.Store.Get(ctx, r.Type, r.ID)
		if err != nil {
			return nil, err
		}
		if _, err := f.Store.Replace(ctx, cur, cur.Meta.Version); err != nil { // the other writer
			return nil, err
		}
	}
	return f.Store.Replace(ctx, r, ifVersion)
}

// TestIfMatch covers the If-Match rules (RFC 7644 §3.14, RFC 9110
// §13.1.1): any listed tag may match, "*" only requires the resource to
// exist (so a lost race is retried, not answered 412), and a write that
// keeps losing races gets a retryable 409 rather than a 412 the client
// never asked for.
func TestIfMatch(t *testing.T) {
	var fs *flakyStore
	s := newServer(t, func(c *scim.Config) { fs = &flakyStore{Store: &basicStore{s: c.Store}}; c.Store = fs })
	s.do("POST", "/Users", `{"userName":"a@example.com"}`).expect(t, 201, "")
	etag := s.do("GET", "/Users/id-1", "").header.Get("ETag")
	put := `{"userName":"a@example.com","nickName":"n"}`

	s.do("PUT", "/Users/id-1", put, "If-Match", `W/"999", `+etag).expect(t, 200, "")
	s.do("PUT", "/Users/id-1", put, "If-Match", `W/"998", W/"999"`).expect(t, 412, "")

	fs.losses = 1
	s.do("PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","path":"nickName","value":"m"}]}`, "If-Match", "*").expect(t, 200, "")
	fs.losses = 1
	s.do("PUT", "/Users/id-1", put, "If-Match", "*").expect(t, 200, "")
	cur := s.do("GET", "/Users/id-1", "").header.Get("ETag")
	fs.losses = 1
	s.do("PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","path":"nickName","value":"o"}]}`, "If-Match", cur).expect(t, 412, "")

	fs.losses = 1 << 30
	r := s.do("PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","path":"nickName","value":"p"}]}`)
	r.expect(t, 409, "")
	if d, _ := r.body.(map[string]any)["detail"].(string); d == "" || errors.Is(nil, store.ErrVersionMismatch) {
		t.Errorf("409 detail = %q", d)
	}
	fs.losses = 0
	s.do("DELETE", "/Users/id-1", "", "If-Match", `W/"1", W/"nope"`).expect(t, 412, "")
	s.do("DELETE", "/Users/id-1", "", "If-Match", "*").expect(t, 204, "")
	s.do("DELETE", "/Users/id-1", "", "If-Match", "*").expect(t, 404, "")
}
