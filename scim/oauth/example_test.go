package oauth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/oauth"
	"github.com/scimkit/scimkit/scim/tenant"
	"github.com/scimkit/scimkit/store"
)

// The set-up Microsoft Entra ID's client credentials need: one client per
// customer tenant, the token endpoint at /oauth/token, SCIM behind Wrap
// over a store scoped by the client's tenant.
func ExampleNew() {
	secret, hash := oauth.NewSecret() // give secret to the administrator once; keep hash
	srv, err := oauth.New(oauth.Config{
		Issuer: "https://app.example.com",
		Keys:   []oauth.Key{{ID: "2026-11", Secret: []byte("load 32+ random bytes from your secret store")}},
		Clients: []oauth.Client{{
			ID: "acme-entra", Tenant: "acme",
			Secrets: []oauth.Secret{{Hash: hash, NotAfter: time.Now().AddDate(2, 0, 0)}},
		}},
	})
	if err != nil {
		panic(err)
	}
	h, err := scim.NewHandler(scim.Config{Store: store.NewMemoryWith(store.MemoryConfig{
		Tenant: func(ctx context.Context) string { t, _ := tenant.FromContext(ctx); return t },
	})})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/oauth/token", srv)
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", srv.Wrap(h)))

	// What Entra ID does: ask for a token, then use it.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/oauth/token", strings.NewReader("grant_type=client_credentials&scope=scim"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("acme-entra", url.QueryEscape(secret))
	mux.ServeHTTP(rec, req)
	var tok oauth.TokenResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil {
		panic(err)
	}
	fmt.Println(rec.Code, tok.TokenType, tok.ExpiresIn, tok.Scope)

	rec = httptest.NewRecorder()
	req = httptest.NewRequest("GET", "/scim/v2/Users", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// 200 Bearer 3600 scim
	// 200
}

func ExampleNewSecret() {
	secret, hash := oauth.NewSecret()
	fmt.Println(len(secret), strings.HasPrefix(hash, "sha256:"))
	// Output: 43 true
}

func ExampleHashSecret() {
	hash, err := oauth.HashSecret("a-secret-of-at-least-32-characters-from-a-vault")
	fmt.Println(hash[:7], err)
	_, err = oauth.HashSecret("password")
	fmt.Println(err != nil)
	// Output:
	// sha256: <nil>
	// true
}

// Wrap admits the access tokens the Server issued and, with Config.Static,
// the long-lived tokens that Okta, OneLogin and JumpCloud send; later
// handlers read the tenant with Tenant.
func ExampleServer_Wrap() {
	static := scim.NewBearerAuth()
	static.SetNamedTokens(map[string]string{"initech": "okta-token-for-initech"})
	srv, err := oauth.New(oauth.Config{
		Issuer:  "https://app.example.com",
		Keys:    []oauth.Key{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		Clients: []oauth.Client{{ID: "acme-entra", Tenant: "acme"}},
		Static:  static,
	})
	if err != nil {
		panic(err)
	}
	h := srv.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, _ := oauth.Tenant(r.Context())
		_, viaOAuth := oauth.FromContext(r.Context())
		fmt.Println("tenant", t, "oauth", viaOAuth)
	}))
	tok, err := srv.Issue("acme-entra", "")
	if err != nil {
		panic(err)
	}
	for _, bearer := range []string{tok.AccessToken, "okta-token-for-initech", "wrong"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/Users", nil)
		req.Header.Set("Authorization", "Bearer "+bearer)
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
		}
	}
	// Output:
	// tenant acme oauth true
	// tenant initech oauth false
	// 401 Bearer realm="scim"
}

// Issue hands out a token without the token endpoint, e.g. the long-lived
// token Microsoft's validation harness asks for (with a longer
// TokenLifetime on a dedicated Server).
func ExampleServer_Issue() {
	srv, err := oauth.New(oauth.Config{
		Issuer:        "https://app.example.com",
		Keys:          []oauth.Key{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		Clients:       []oauth.Client{{ID: "validation", Tenant: "entra-validation"}},
		TokenLifetime: 24 * time.Hour,
	})
	if err != nil {
		panic(err)
	}
	tok, err := srv.Issue("validation", "")
	if err != nil {
		panic(err)
	}
	info, err := srv.Verify(tok.AccessToken)
	fmt.Println(tok.ExpiresIn, info.ClientID, info.Tenant, err)
	// Output: 86400 validation entra-validation <nil>
}

// Rotating a client secret without downtime: add the new secret, let the
// administrator enter it in the identity provider, then drop the old one.
func ExampleServer_SetClients() {
	oldSecret, oldHash := oauth.NewSecret()
	newSecret, newHash := oauth.NewSecret()
	client := oauth.Client{ID: "acme-entra", Tenant: "acme", Secrets: []oauth.Secret{{Hash: oldHash}}}
	srv, err := oauth.New(oauth.Config{
		Issuer:  "https://app.example.com",
		Keys:    []oauth.Key{{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		Clients: []oauth.Client{client},
	})
	if err != nil {
		panic(err)
	}
	status := func(secret string) int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/oauth/token", strings.NewReader(url.Values{
			"grant_type": {"client_credentials"}, "client_id": {"acme-entra"}, "client_secret": {secret}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		srv.ServeHTTP(rec, req)
		return rec.Code
	}
	client.Secrets = append(client.Secrets, oauth.Secret{Hash: newHash, NotAfter: time.Now().AddDate(2, 0, 0)})
	if err := srv.SetClients([]oauth.Client{client}); err != nil {
		panic(err)
	}
	fmt.Println("both active:", status(oldSecret), status(newSecret))
	client.Secrets = client.Secrets[1:]
	if err := srv.SetClients([]oauth.Client{client}); err != nil {
		panic(err)
	}
	fmt.Println("old removed:", status(oldSecret), status(newSecret))
	// Output:
	// both active: 200 200
	// old removed: 401 200
}
