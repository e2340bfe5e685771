package tenant_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/tenant"
)

func TestFromContext(t *testing.T) {
	if got, ok := tenant.FromContext(context.Background()); ok || got != "" {
		t.Errorf("empty context: got %q, %v; want \"\", false", got, ok)
	}
	ctx := tenant.NewContext(context.Background(), "acme")
	if got, ok := tenant.FromContext(ctx); !ok || got != "acme" {
		t.Errorf("NewContext: got %q, %v; want acme, true", got, ok)
	}
}

// TestFallsBackToTokenName shows that the name of the token scim.BearerAuth
// accepted is the tenant when no other middleware set one.
func TestFallsBackToTokenName(t *testing.T) {
	auth := scim.NewBearerAuth()
	auth.SetNamedTokens(map[string]string{"globex": "token-g"})
	var got string
	h := auth.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = tenant.FromRequest(r)
	}))
	req := httptest.NewRequest("GET", "/Users", nil)
	req.Header.Set("Authorization", "Bearer token-g")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got != "globex" {
		t.Errorf("tenant = %q, want globex", got)
	}
}

func ExampleFromContext() {
	ctx := tenant.NewContext(context.Background(), "acme")
	t, ok := tenant.FromContext(ctx)
	fmt.Println(t, ok)
	// Output: acme true
}

// An authentication middleware of the host's own puts the tenant in the
// context; the store and the scimkit middlewares read it.
func ExampleNewContext() {
	auth := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// ... authenticate, then:
			next.ServeHTTP(w, r.WithContext(tenant.NewContext(r.Context(), "acme")))
		})
	}
	h := auth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(tenant.FromRequest(r))
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/Users", nil))
	// Output: acme
}
