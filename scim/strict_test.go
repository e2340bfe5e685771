package scim_test

import (
	"net/url"
	"testing"

	"github.com/scimkit/scimkit/scim"
)

// TestStrictFilters: the IdP leniencies are on by default and
// Config.StrictFilters turns them off (RFC 7644 §3.4.2.2 grammar only).
func TestStrictFilters(t *testing.T) {
	lenient := newServer(t, nil)
	strict := newServer(t, func(c *scim.Config) { c.StrictFilters = true })
	for _, s := range []*server{lenient, strict} {
		s.do("POST", "/Users", `{"userName":"jyoung","externalId":"jyoung","active":true}`).expect(t, 201, "")
		s.do("POST", "/Groups", `{"displayName":"g","members":[{"value":"id-1"}]}`).expect(t, 201, "")
	}
	tests := []struct {
		name, reason, target string
		strictOK             bool
	}{
		{"unquoted literal", "older Entra docs send externalId eq jyoung", `/Users?filter=` + url.QueryEscape(`externalId eq jyoung`), false},
		{"string boolean", "Entra sends \"True\" for booleans", `/Users?filter=` + url.QueryEscape(`active eq "True"`), false},
		{"members eq", "members eq id means members.value", `/Groups?filter=` + url.QueryEscape(`members eq "id-1"`), false},
		{"RFC filter", "plain RFC filters work either way", `/Users?filter=` + url.QueryEscape(`externalId eq "jyoung" and active eq true`), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := lenient.do("GET", tc.target, "")
			r.expect(t, 200, "")
			if n := r.body.(map[string]any)["totalResults"]; n.(interface{ String() string }).String() != "1" {
				t.Errorf("lenient: totalResults %v, want 1 (%s)", n, tc.reason)
			}
			want := 400
			if tc.strictOK {
				want = 200
			}
			if got := strict.do("GET", tc.target, ""); got.status != want {
				t.Errorf("strict: status %d, want %d (%s): %s", got.status, want, tc.reason, got.raw)
			}
		})
	}
}
