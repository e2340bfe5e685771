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
