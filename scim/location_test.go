package scim_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// TestLocation checks where Location and meta.location point (RFC 7644
// §3.1): the configured BaseURL, else the request's scheme, host and mount
// prefix, and forwarded headers only when the host trusts its proxy.
func TestLocation(t *testing.T) {
	tests := []struct {
		name, reason string
		cfg          scim.Config
		headers      map[string]string
		want         string
	}{
		{"from request", "scheme, Host and the StripPrefix mount", scim.Config{}, nil,
			"http://app.example.com/scim/v2/Users/"},
		{"forwarded ignored", "untrusted forwarded headers must not choose the host", scim.Config{},
			map[string]string{"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https", "Forwarded": "host=evil.example;proto=https"},
			"http://app.example.com/scim/v2/Users/"},
		{"x-forwarded trusted", "behind a trusted proxy", scim.Config{TrustForwardedHeaders: true},
			map[string]string{"X-Forwarded-Host": "id.example.com", "X-Forwarded-Proto": "https"},
			"https://id.example.com/scim/v2/Users/"},
		{"forwarded trusted", "RFC 7239 wins over X-Forwarded-*", scim.Config{TrustForwardedHeaders: true},
			map[string]string{"Forwarded": `for=10.0.0.1;proto=https;host="sso.example.com", for=10.0.0.2`, "X-Forwarded-Host": "other.example"},
			"https://sso.example.com/scim/v2/Users/"},
		{"odd forwarded host", "a host with a path or credentials is ignored", scim.Config{TrustForwardedHeaders: true},
			map[string]string{"X-Forwarded-Host": "evil.example/x", "X-Forwarded-Proto": "gopher"},
			"http://app.example.com/scim/v2/Users/"},
		{"base URL", "a configured BaseURL wins", scim.Config{BaseURL: "https://scim.example.net/v2/", TrustForwardedHeaders: true},
			map[string]string{"X-Forwarded-Host": "id.example.com"},
			"https://scim.example.net/v2/Users/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Store = store.NewMemory()
			h, err := scim.NewHandler(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
			req := httptest.NewRequest("POST", "http://app.example.com/scim/v2/Users", strings.NewReader(`{"userName":"a@example.com"}`))
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			loc := rec.Header().Get("Location")
			if rec.Code != 201 || !strings.HasPrefix(loc, tc.want) || !strings.Contains(rec.Body.String(), `"location":"`+loc+`"`) {
				t.Errorf("status %d, Location %q, want prefix %q and the same meta.location (%s)\n%s", rec.Code, loc, tc.want, tc.reason, rec.Body)
			}
		})
	}
}
