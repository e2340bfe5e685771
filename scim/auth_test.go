package scim_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scimkit/scimkit/scim"
)

func TestBearerAuth(t *testing.T) {
	auth := scim.NewBearerAuth("alpha", "", "beta")
	var admitted string
	h := auth.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		admitted, _ = scim.TokenName(r.Context())
	}))
	tests := []struct {
		name, reason, header string
		want                 int
		wantName             string
	}{
		{"first token", "any configured token is accepted", "Bearer alpha", 200, "0"},
		{"second token", "empty tokens are skipped but keep positions", "Bearer beta", 200, "2"},
		{"scheme case", "the scheme is case-insensitive (RFC 7235)", "bearer alpha", 200, "0"},
		{"extra spaces", "surrounding whitespace is tolerated", "  Bearer   alpha ", 200, "0"},
		{"wrong token", "unknown tokens are refused", "Bearer gamma", 401, ""},
		{"prefix of token", "no prefix matches", "Bearer alph", 401, ""},
		{"empty token", "an empty token never matches", "Bearer ", 401, ""},
		{"basic", "other schemes are refused", "Basic YWxwaGE6", 401, ""},
		{"raw token", "Okta's HTTP Header auth sends the pasted text as it is", "alpha", 200, "0"},
		{"raw token with spaces", "surrounding whitespace is tolerated", "  beta ", 200, "2"},
		{"raw wrong token", "unknown raw tokens are refused", "gamma", 401, ""},
		{"pasted Bearer behind Bearer", "an admin pasted \"Bearer alpha\" where Okta adds Bearer itself", "Bearer Bearer alpha", 200, "0"},
		{"Bearer only", "the scheme alone is no token", "Bearer", 401, ""},
		{"missing", "no header is refused", "", 401, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			admitted = ""
			req := httptest.NewRequest("GET", "/Users", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.want || admitted != tc.wantName {
				t.Errorf("status %d, token %q; want %d, %q (%s)", rec.Code, admitted, tc.want, tc.wantName, tc.reason)
			}
			if tc.want == 401 && rec.Header().Get("WWW-Authenticate") != `Bearer realm="scim"` {
				t.Errorf("WWW-Authenticate = %q", rec.Header().Get("WWW-Authenticate"))
			}
		})
	}

	// Rotation: the old token stops working at once.
	auth.SetNamedTokens(map[string]string{"okta": "delta"})
	for header, want := range map[string]int{"Bearer alpha": 401, "Bearer delta": 200} {
		req := httptest.NewRequest("GET", "/Users", nil)
		req.Header.Set("Authorization", header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("after rotation, %q: status %d, want %d", header, rec.Code, want)
		}
	}
	if admitted != "okta" {
		t.Errorf("token name = %q, want okta", admitted)
	}
}

// TestBearerAuthConfiguredWithScheme checks that a token configured as
// "Bearer <token>" (copied with its scheme) is the token itself.
func TestBearerAuthConfiguredWithScheme(t *testing.T) {
	h := scim.NewBearerAuth("Bearer s3cret").Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for header, want := range map[string]int{"Bearer s3cret": 200, "s3cret": 200, "Bearer Bearer s3cret": 200, "Bearer": 401, "Bearer x": 401} {
		req := httptest.NewRequest("GET", "/Users", nil)
		req.Header.Set("Authorization", header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("%q: status %d, want %d", header, rec.Code, want)
		}
	}
}

// TestBasicAuth checks HTTP Basic authentication (RFC 7617) as Okta's
// custom app integrations send it: several credentials, rotation, the
// credential's name for tenant selection, 401 with a Basic challenge.
func TestBasicAuth(t *testing.T) {
	auth := scim.NewBasicAuth(
		scim.BasicCredential{Name: "acme", Username: "okta", Password: "pw1"},
		scim.BasicCredential{Username: "other", Password: "pw2"},
		scim.BasicCredential{Username: "nopass"},
	)
	var admitted string
	h := auth.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		admitted, _ = scim.TokenName(r.Context())
	}))
	do := func(set func(*http.Request)) int {
		admitted = ""
		req := httptest.NewRequest("GET", "/Users", nil)
		set(req)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == 401 && rec.Header().Get("WWW-Authenticate") != `Basic realm="scim", charset="UTF-8"` {
			t.Errorf("WWW-Authenticate = %q", rec.Header().Get("WWW-Authenticate"))
		}
		return rec.Code
	}
	tests := []struct {
		name, reason, user, pass string
		want                     int
		wantName                 string
	}{
		{"named", "the credential's name is reported", "okta", "pw1", 200, "acme"},
		{"unnamed", "the user name is the name by default", "other", "pw2", 200, "other"},
		{"wrong password", "", "okta", "pw2", 401, ""},
		{"crossed pair", "user and password must belong to one credential", "other", "pw1", 401, ""},
		{"no password configured", "a credential without password is ignored", "nopass", "", 401, ""},
		{"user case", "user names are exact", "OKTA", "pw1", 401, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := do(func(r *http.Request) { r.SetBasicAuth(tc.user, tc.pass) })
			if got != tc.want || admitted != tc.wantName {
				t.Errorf("status %d, name %q; want %d, %q (%s)", got, admitted, tc.want, tc.wantName, tc.reason)
			}
		})
	}
	if got := do(func(r *http.Request) { r.Header.Set("Authorization", "Bearer pw1") }); got != 401 {
		t.Errorf("a bearer token: status %d, want 401", got)
	}
	if got := do(func(*http.Request) {}); got != 401 {
		t.Errorf("no header: status %d, want 401", got)
	}
	auth.SetCredentials(scim.BasicCredential{Username: "okta", Password: "pw3"})
	if got := do(func(r *http.Request) { r.SetBasicAuth("okta", "pw1") }); got != 401 {
		t.Errorf("after rotation the old password gives %d, want 401", got)
	}
	if got := do(func(r *http.Request) { r.SetBasicAuth("okta", "pw3") }); got != 200 || admitted != "okta" {
		t.Errorf("after rotation the new password gives %d (%q), want 200", got, admitted)
	}
}
