package scim_test

import (
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// TestBadInput sends malformed and hostile requests: each gets a 4xx SCIM
// Error with the expected status and scimType, never a 5xx.
func TestBadInput(t *testing.T) {
	s := newServer(t, func(c *scim.Config) { c.MaxBodyBytes = 4096; c.MaxPatchOperations = 2; c.MaxValueBytes = 100 })
	s.do("POST", "/Users", `{"userName":"a@example.com"}`).expect(t, 201, "")
	s.do("POST", "/Groups", `{"displayName":"G"}`).expect(t, 201, "")
	tests := []struct {
		name, reason         string
		method, target, body string
		status               int
		scimType             string
		detail               string // substring of detail
	}{
		{"bad json", "syntax errors are 400 invalidSyntax with the offset", "POST", "/Users", `{"userName":`, 400, "invalidSyntax", "not valid JSON"},
		{"not an object", "a resource must be a JSON object", "POST", "/Users", `["a"]`, 400, "invalidSyntax", "JSON object"},
		{"empty body", "POST needs a body", "POST", "/Users", ``, 400, "invalidSyntax", "empty"},
		{"trailing data", "one JSON value only", "POST", "/Users", `{"userName":"x"} {}`, 400, "invalidSyntax", "after the JSON object"},
		{"missing userName", "userName is required", "POST", "/Users", `{"active":true}`, 400, "invalidValue", "userName"},
		{"wrong type", "active must be a boolean", "POST", "/Users", `{"userName":"b@example.com","active":"maybe"}`, 400, "invalidValue", "active"},
		{"wrong extension type", "badgeNumber is an integer", "POST", "/Users", `{"userName":"c@example.com","urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"badgeNumber":"twelve"}}`, 400, "invalidValue", "badgeNumber"},
		{"too large", "bodies are bounded", "POST", "/Users", `{"userName":"` + strings.Repeat("x", 5000) + `"}`, 413, "", "exceeds"},
		{"unknown endpoint", "404 as SCIM JSON", "GET", "/Widgets", "", 404, "", "no such endpoint"},
		{"deep path", "no nested resources", "GET", "/Users/id-1/x", "", 404, "", "no such endpoint"},
		{"unknown user", "404 names the resource", "GET", "/Users/nope", "", 404, "", `User "nope" not found`},
		{"method not allowed", "405 with Allow", "DELETE", "/Users", "", 405, "", "not allowed"},
		{"discovery write", "405 before reading the body", "PUT", "/Schemas", "garbage", 405, "", "not allowed"},
		{"bad filter", "400 invalidFilter", "GET", "/Users?filter=userName%20eqq%20%22x%22", "", 400, "invalidFilter", "offset"},
		{"empty filter", "an empty filter is malformed", "GET", "/Users?filter=", "", 400, "invalidFilter", "empty"},
		{"bad count", "count must be a number", "GET", "/Users?count=abc", "", 400, "invalidValue", "count"},
		{"bad startIndex", "startIndex must be a number", "GET", "/Users?startIndex=abc", "", 400, "invalidValue", "startIndex"},
		{"patch bad json", "PATCH body must be JSON", "PATCH", "/Users/id-1", `{"Operations":[`, 400, "invalidSyntax", ""},
		{"patch bad op", "unknown op", "PATCH", "/Users/id-1", `{"Operations":[{"op":"move","path":"active","value":true}]}`, 400, "invalidSyntax", ""},
		{"patch bad path", "unknown attribute path", "PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","path":"nosuch","value":1}]}`, 400, "invalidPath", ""},
		{"patch unknown user", "404", "PATCH", "/Users/nope", `{"Operations":[{"op":"replace","path":"active","value":false}]}`, 404, "", "not found"},
		{"put unknown user", "404", "PUT", "/Users/nope", `{"userName":"z@example.com"}`, 404, "", "not found"},
		{"delete unknown", "404", "DELETE", "/Users/nope", "", 404, "", "not found"},
		{"duplicate member", "a repeated member name is refused, not silently overwritten", "POST", "/Users", `{"userName":"d@example.com","userName":"admin@example.com"}`, 400, "invalidSyntax", `repeats the member "userName"`},
		{"escaped duplicate member", "a member name spelled with an escape is the same name", "POST", "/Users", `{"userName":"f@example.com","\u0075serName":"admin@example.com"}`, 400, "invalidSyntax", `repeats the member "userName"`},
		{"duplicate among many members", "objects with many members are checked as well", "POST", "/Users", `{"userName":"g@example.com","a1":1,"a2":2,"a3":3,"a4":4,"a5":5,"a6":6,"a7":7,"a8":8,"a9":9,"b1":1,"b2":2,"b3":3,"b4":4,"b5":5,"b6":6,"b7":7,"b8":8,"b9":9,"a5":0}`, 400, "invalidSyntax", `repeats the member "a5"`},
		{"same name in nested objects", "only one object's members must differ", "POST", "/Users", `{"userName":"h@example.com","name":{"givenName":"x"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"x"}},"emails":[{"value":"a@x","type":"work"},{"value":"b@x","type":"home"}],"active":"maybe"}`, 400, "invalidValue", "active"},
		{"long value", "string values are bounded", "POST", "/Users", `{"userName":"i@example.com","emails":[{"value":"` + strings.Repeat("e", 101) + `@x"}]}`, 400, "invalidValue", `"emails[0].value" has a value longer than 100 bytes`},
		{"long patch value", "PATCH values are bounded too", "PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","value":{"name":{"givenName":"` + strings.Repeat("g", 101) + `"}}}]}`, 400, "invalidValue", `operation 0: attribute "name.givenName"`},
		{"deep nesting", "nesting is bounded", "POST", "/Users", `{"userName":"e@example.com","x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, 400, "invalidSyntax", "nests deeper"},
		{"patch deep nesting", "PATCH bodies are checked too", "PATCH", "/Users/id-1", `{"Operations":[{"op":"add","path":"x","value":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}]}`, 400, "invalidSyntax", "nests deeper"},
		{"too many operations", "PATCH operation count is bounded", "PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","path":"active","value":true},{"op":"replace","path":"active","value":true},{"op":"replace","path":"active","value":true}]}`, 413, "", "at most 2"},
		{"stale if-match", "412 on version mismatch", "PUT", "/Groups/id-2", `{"displayName":"H"}`, 412, "", "version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r response
			if tc.name == "stale if-match" {
				r = s.do(tc.method, tc.target, tc.body, "If-Match", `W/"stale"`)
			} else {
				r = s.do(tc.method, tc.target, tc.body)
			}
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d (%s); body %s", r.status, tc.status, tc.reason, r.raw)
			}
			e, ok := r.body.(map[string]any)
			if !ok {
				t.Fatalf("no error body (%s)", tc.reason)
			}
			if got, _ := e["scimType"].(string); got != tc.scimType {
				t.Errorf("scimType = %q, want %q (%s)", got, tc.scimType, tc.reason)
			}
			if d, _ := e["detail"].(string); !strings.Contains(d, tc.detail) {
				t.Errorf("detail = %q, want it to contain %q (%s)", d, tc.detail, tc.reason)
			}
			if sc, _ := e["schemas"].([]any); len(sc) != 1 || sc[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
				t.Errorf("schemas = %v", e["schemas"])
			}
		})
	}
	if got := len(s.changes); got != 2 {
		t.Errorf("%d changes reported, want only the 2 setup creates", got)
	}
	var _ store.Store = s.store
}
