package scim_test

import (
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim"
)

// TestRejectUndefinedAttributes checks Config.RejectUndefinedAttributes:
// attributes no schema defines are 400 invalidSyntax naming them on POST,
// PUT and PATCH (path-less values too), while read-only attributes stay
// ignored and identity providers' dialects stay accepted; without the
// switch they are ignored.
func TestRejectUndefinedAttributes(t *testing.T) {
	strict := newServer(t, func(c *scim.Config) { c.RejectUndefinedAttributes = true })
	lenient := newServer(t, nil)
	for _, s := range []*server{strict, lenient} {
		s.do("POST", "/Users", `{"userName":"a@x"}`).expect(t, 201, "")
	}
	tests := []struct {
		name, method, target, body, undefined string
	}{
		{"typo in POST", "POST", "/Users", `{"userName":"b@x","userNmae":"x"}`, "userNmae"},
		{"unknown sub-attribute", "POST", "/Users", `{"userName":"b2@x","name":{"givenName":"B","nickname":"x"}}`, "name.nickname"},
		{"unknown extension", "POST", "/Users", `{"userName":"b3@x","urn:example:ext:2.0:User":{"a":1}}`, "urn:example:ext:2.0:User"},
		{"unknown extension attribute", "PUT", "/Users/id-1", `{"userName":"a@x","` + acmeURN + `":{"floor":3}}`, acmeURN + ":floor"},
		{"path-less PATCH", "PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","value":{"activ":false}}]}`, "activ"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := strict.do(tc.method, tc.target, tc.body)
			if r.status != 400 || r.body.(map[string]any)["scimType"] != "invalidSyntax" ||
				!strings.Contains(r.body.(map[string]any)["detail"].(string), `"`+tc.undefined+`"`) {
				t.Errorf("strict: %d %s; want 400 invalidSyntax naming %q", r.status, r.raw, tc.undefined)
			}
			if r := lenient.do(tc.method, tc.target, tc.body); r.status >= 400 {
				t.Errorf("lenient: %d %s", r.status, r.raw)
			}
		})
	}
	// Accepted in strict mode: read-only attributes, "schemas", Okta's id
	// inside a PATCH value, the core schema URN as a key.
	for _, ok := range []struct{ method, target, body string }{
		{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"c@x","groups":[{"value":"g"}],"meta":{"resourceType":"User"},"id":"x"}`},
		{"PUT", "/Users/id-1", `{"Schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a@x","urn:ietf:params:scim:schemas:core:2.0:User":{"displayName":"A"}}`},
		{"PATCH", "/Users/id-1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"id-1","active":false,"schemas":["x"]}}]}`},
		{"PATCH", "/Users/id-1", `{"Operations":[{"op":"add","value":{"` + acmeURN + `":{"costCenter":"C"}}}]}`},
	} {
		if r := strict.do(ok.method, ok.target, ok.body); r.status >= 400 {
			t.Errorf("strict %s %s: %d %s", ok.method, ok.body, r.status, r.raw)
		}
	}
}
