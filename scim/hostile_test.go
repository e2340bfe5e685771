package scim_test

import (
	"strings"
	"testing"
)

// TestValuesNoStoreCanHold checks that input no store may receive is decided
// above the store, with the same answer whatever the store: a NUL character
// in any string value is 400 invalidValue naming the attribute, a number
// longer than MaxValueBytes likewise, and an id that can name no resource
// (NUL, invalid UTF-8, too long) is 404 without a store call. (The SQL
// store's tests send the same input to SQLite and PostgreSQL.)
func TestValuesNoStoreCanHold(t *testing.T) {
	s := newServer(t, nil)
	s.do("POST", "/Users", `{"userName":"alice@example.com"}`).expect(t, 201, "")
	s.do("POST", "/Groups", `{"displayName":"Eng"}`).expect(t, 201, "")
	long := strings.Repeat("9", 70000)
	tests := []struct {
		name, reason, method, target, body string
		status                             int
		detail                             string
	}{
		{"NUL in userName", "PostgreSQL text cannot hold NUL", "POST", "/Users", `{"userName":"a\u0000b"}`, 400, `"userName" has a value containing a NUL`},
		{"NUL in a sub-attribute", "the detail names the value's path", "POST", "/Users", `{"userName":"b@x","emails":[{"value":"x\u0000"}]}`, 400, `"emails[0].value"`},
		{"NUL in an extension string", "", "POST", "/Users", `{"userName":"c@x","` + acmeURN + `":{"costCenter":"\u0000"}}`, 400, `costCenter`},
		{"NUL in externalId", "", "POST", "/Users", `{"userName":"d@x","externalId":"\u0000"}`, 400, `"externalId"`},
		{"NUL in a group name", "", "POST", "/Groups", `{"displayName":"\u0000"}`, 400, `"displayName"`},
		{"NUL in a member value", "", "POST", "/Groups", `{"displayName":"g","members":[{"value":"\u0000"}]}`, 400, `"members[0].value"`},
		{"NUL in PUT", "", "PUT", "/Users/id-1", `{"userName":"alice@example.com","displayName":"\u0000"}`, 400, `"displayName"`},
		{"NUL in a PATCH value", "", "PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","path":"title","value":"\u0000"}]}`, 400, `operation 0: attribute "value"`},
		{"NUL in a path-less PATCH value", "", "PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","value":{"nickName":"\u0000"}}]}`, 400, `"nickName"`},
		{"NUL in a member PATCH", "the membership delta path too", "PATCH", "/Groups/id-2", `{"Operations":[{"op":"add","path":"members","value":[{"value":"\u0000"}]}]}`, 400, `"[0].value"`},
		{"member without value", "a member must name a resource", "POST", "/Groups", `{"displayName":"g","members":[{"display":"x"}]}`, 400, `"members[0].value": is required`},
		{"member with an empty value", "", "POST", "/Groups", `{"displayName":"g","members":[{"value":"","display":"x"}]}`, 400, `"members[0].value": is required`},
		{"PATCH adding a member without value", "", "PATCH", "/Groups/id-2", `{"Operations":[{"op":"add","path":"members","value":[{"display":"x"}]}]}`, 400, `is required`},
		{"huge number", "numbers obey MaxValueBytes as strings do", "POST", "/Users", `{"userName":"e@x","` + acmeURN + `":{"badgeNumber":` + long + `}}`, 400, `badgeNumber`},
		{"NUL id GET", "an id that can name nothing is 404", "GET", "/Users/%00", ``, 404, `not found`},
		{"invalid UTF-8 id GET", "", "GET", "/Users/%FF", ``, 404, `not found`},
		{"overlong UTF-8 id GET", "", "GET", "/Users/x%C0%AF", ``, 404, `not found`},
		{"NUL id PUT", "", "PUT", "/Users/%00", `{"userName":"z@x"}`, 404, `not found`},
		{"NUL id PATCH", "", "PATCH", "/Groups/%00", `{"Operations":[{"op":"add","path":"members","value":[{"value":"id-1"}]}]}`, 404, `not found`},
		{"NUL id DELETE", "", "DELETE", "/Users/%00", ``, 404, `not found`},
		{"long id DELETE", "", "DELETE", "/Users/" + strings.Repeat("x", 2000), ``, 404, `not found`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(tc.method, tc.target, tc.body)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d (%s); body %s", r.status, tc.status, tc.reason, r.raw)
			}
			e := r.body.(map[string]any)
			if d, _ := e["detail"].(string); !strings.Contains(d, tc.detail) {
				t.Errorf("detail = %q, want it to contain %q (%s)", d, tc.detail, tc.reason)
			}
			if tc.status == 400 && e["scimType"] != "invalidValue" {
				t.Errorf("scimType = %v, want invalidValue", e["scimType"])
			}
		})
	}
	s.expectStored("User", "id-1", `{"userName":"alice@example.com"}`)
	s.expectStored("Group", "id-2", `{"displayName":"Eng"}`)
}
