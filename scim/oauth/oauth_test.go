package oauth_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/oauth"
	"github.com/scimkit/scimkit/scim/tenant"
	"github.com/scimkit/scimkit/store"
)

// Values an Entra ID administrator would see and enter.
const (
	entraIssuer   = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"
	entraSubject  = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
	entraAudience = "api://99999999-8888-7777-6666-555555555555"
	entraTID      = "11111111-2222-3333-4444-555555555555"

	secretOld = "old-secret-0123456789abcdefghijklmnopqrstuvwxyz"
	secretNew = "new-secret-0123456789abcdefghijklmnopqrstuvwxyz"
)

// clock is a settable test clock, safe for concurrent use.
type clock struct{ t atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(0, c.t.Load()) }
func (c *clock) advance(d time.Duration) { c.t.Add(int64(d)) }
func newClock() *clock {
	c := &clock{}
	c.t.Store(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}

// jwksServer serves the public keys of a test identity provider on
// loopback, as https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys
// does; its keys can be rotated and it can be taken down.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	keys    map[string]*ecdsa.PrivateKey
	down    bool
	fetches atomic.Int32
}

func newJWKSServer(t *testing.T) *jwksServer {
	j := &jwksServer{keys: map[string]*ecdsa.PrivateKey{}}
	j.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j.fetches.Add(1)
		j.mu.Lock()
		defer j.mu.Unlock()
		if j.down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		var set jose.JSONWebKeySet
		for kid, k := range j.keys {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Algorithm: "ES256", Use: "sig"})
		}
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(j.Close)
	j.addKey(t, "k1")
	return j
}

func (j *jwksServer) addKey(t *testing.T, kid string) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	j.mu.Lock()
	j.keys[kid] = k
	j.mu.Unlock()
}

func (j *jwksServer) setDown(down bool) {
	j.mu.Lock()
	j.down = down
	j.mu.Unlock()
}

// assertion is a client assertion as Entra ID signs it for workload
// identity federation.
type assertion struct {
	kid      string
	issuer   string
	subject  string
	audience string
	tid      string
	issued   time.Time
	lifetime time.Duration
}

func (j *jwksServer) sign(t *testing.T, a assertion) string {
	t.Helper()
	j.mu.Lock()
	key := j.keys[a.kid]
	j.mu.Unlock()
	if key == nil {
		t.Fatalf("no key %q", a.kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", a.kid))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.Signed(signer).Claims(jwt.Claims{
		Issuer: a.issuer, Subject: a.subject, Audience: jwt.Audience{a.audience},
		IssuedAt: jwt.NewNumericDate(a.issued), NotBefore: jwt.NewNumericDate(a.issued),
		Expiry: jwt.NewNumericDate(a.issued.Add(a.lifetime)),
	}).Claims(map[string]any{"tid": a.tid, "ver": "2.0"}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// signWithNewKey signs a with a key the JWKS server does not publish.
func signWithNewKey(t *testing.T, kid string, a assertion) string {
	t.Helper()
	other := &jwksServer{keys: map[string]*ecdsa.PrivateKey{}}
	other.addKey(t, kid)
	a.kid = kid
	return other.sign(t, a)
}

func hash(t *testing.T, secret string) string {
	h, err := oauth.HashSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// config is the configuration every instance of the service shares.
func config(t *testing.T, clk *clock, jwksURL string) oauth.Config {
	return oauth.Config{
		Issuer:   "https://app.example.com",
		Audience: "https://app.example.com/scim/v2",
		Keys:     []oauth.Key{{ID: "2026-11", Secret: []byte("0123456789abcdef0123456789abcdef")}},
		Clients: []oauth.Client{
			{
				ID: "acme-entra", Tenant: "acme",
				Secrets: []oauth.Secret{
					{Hash: hash(t, secretOld), NotAfter: clk.now().AddDate(1, 0, 0)},
					{Hash: hash(t, secretNew), NotAfter: clk.now().AddDate(2, 0, 0)},
				},
				Scopes: []string{"scim"},
			},
			{ID: "expired-client", Tenant: "acme", Secrets: []oauth.Secret{{Hash: hash(t, secretOld), NotAfter: clk.now().Add(-time.Hour)}}},
			{
				ID: "globex-wif", Tenant: "globex",
				Assertion: &oauth.Assertion{
					Issuer: entraIssuer, Subject: entraSubject, Audience: entraAudience,
					Claims: map[string]string{"tid": entraTID}, JWKSURL: jwksURL,
				},
			},
		},
		Static: scim.NewBearerAuth(),
		Now:    clk.now,
	}
}

// instance is one instance of the host behind a load balancer: the token
// endpoint at /oauth/token and SCIM at /scim/v2, over a memory store
// scoped by tenant.
type instance struct {
	*httptest.Server
	oauth *oauth.Server
}

func newInstance(t *testing.T, cfg oauth.Config, st store.Store) instance {
	t.Helper()
	srv, err := oauth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h, err := scim.NewHandler(scim.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/oauth/token", srv)
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", srv.Wrap(h)))
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return instance{Server: hs, oauth: srv}
}

func tenantStore() store.Store {
	return store.NewMemoryWith(store.MemoryConfig{Tenant: func(ctx context.Context) string {
		t, _ := tenant.FromContext(ctx)
		return t
	}})
}

// tokenRequest is one request to the token endpoint.
type tokenRequest struct {
	basic  [2]string // client id and secret for client_secret_basic
	form   url.Values
	method string
}

type reply struct {
	status  int
	header  http.Header
	body    map[string]any
	rawBody string
}

func (in instance) token(t *testing.T, tr tokenRequest) reply {
	t.Helper()
	method := tr.method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequest(method, in.URL+"/oauth/token", strings.NewReader(tr.form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if tr.basic[0] != "" {
		req.SetBasicAuth(url.QueryEscape(tr.basic[0]), url.QueryEscape(tr.basic[1]))
	}
	return do(t, in.Client(), req)
}

func do(t *testing.T, c *http.Client, req *http.Request) reply {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	rep := reply{status: resp.StatusCode, header: resp.Header, rawBody: string(b)}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &rep.body); err != nil {
			t.Fatalf("%s %s: body %q: %v", req.Method, req.URL, b, err)
		}
	}
	return rep
}

func (in instance) scim(t *testing.T, method, path, token, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, in.URL+"/scim/v2"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, in.Client(), req)
}

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// TestTokenEndpointAsEntra drives the token endpoint the way Entra ID does
// (client credentials with the secret in Basic and in the form, workload
// identity federation with an assertion signed by a key served from a local
// JWKS) and the ways it must refuse.
func TestTokenEndpointAsEntra(t *testing.T) {
	clk := newClock()
	jw := newJWKSServer(t)
	in := newInstance(t, config(t, clk, jw.URL), tenantStore())
	good := assertion{kid: "k1", issuer: entraIssuer, subject: entraSubject, audience: entraAudience,
		tid: entraTID, issued: clk.now(), lifetime: time.Hour}
	with := func(f func(*assertion)) string {
		a := good
		f(&a)
		return jw.sign(t, a)
	}
	tests := []struct {
		name       string
		reason     string
		req        tokenRequest
		wantStatus int
		wantError  string // "" for success
		wantScope  string
		wantBasic  bool // WWW-Authenticate: Basic
	}{
		{name: "basic", reason: "client_secret_basic with the newer secret",
			req:        tokenRequest{basic: [2]string{"acme-entra", secretNew}, form: form("grant_type", "client_credentials")},
			wantStatus: 200, wantScope: "scim"},
		{name: "post", reason: "client_secret_post with a scope",
			req:        tokenRequest{form: form("grant_type", "client_credentials", "client_id", "acme-entra", "client_secret", secretNew, "scope", "scim")},
			wantStatus: 200, wantScope: "scim"},
		{name: "post old secret", reason: "both secrets are active during rotation",
			req:        tokenRequest{form: form("grant_type", "client_credentials", "client_id", "acme-entra", "client_secret", secretOld)},
			wantStatus: 200, wantScope: "scim"},
		{name: "assertion", reason: "RFC 7523 client assertion signed by a JWKS key, with client_id",
			req:        tokenRequest{form: form("grant_type", "client_credentials", "client_id", "globex-wif", "client_assertion_type", jwtBearer, "client_assertion", with(func(*assertion) {}), "scope", "scim")},
			wantStatus: 200, wantScope: "scim"},
		{name: "assertion without client_id", reason: "the client is found by issuer and subject",
			req:        tokenRequest{form: form("grant_type", "client_credentials", "client_assertion_type", jwtBearer, "client_assertion", with(func(*assertion) {}))},
			wantStatus: 200},
		{name: "wrong secret basic", reason: "401 with a Basic challenge",
			req:        tokenRequest{basic: [2]string{"acme-entra", "wrong-secret-0123456789abcdefghijklmnopqrstuvwxyz"}, form: form("grant_type", "client_credentials")},
			wantStatus: 401, wantError: "invalid_client", wantBasic: true},
		{name: "wrong secret post", reason: "401 without a Basic challenge",
			req:        tokenRequest{form: form("grant_type", "client_credentials", "client_id", "acme-entra", "client_secret", "nope")},
			wantStatus: 401, wantError: "invalid_client"},
		{name: "unknown client", reason: "same answer as a wrong secret",
			req:        tokenRequest{form: form("grant_type", "client_credentials", "client_id", "nobody", "client_secret", secretNew)},
			wantStatus: 401, wantError: "invalid_client"},
		{name: "expired secret", reason: "no token on expired credentials (Entra requirement)",
			req:        tokenRequest{form: form("grant_type", "client_credentials", "client_id", "expired-client", "client_secret", secretOld)},
			wantStatus: 401, wantError: "invalid_client"},
		{name: "expired assertion", reason: "exp in the past beyond the leeway",
			req: tokenRequest{form: form("grant_type", "client_credentials", "client_id", "globex-wif", "client_assertion_type", jwtBearer,
				"client_assertion", with(func(a *assertion) { a.issued = clk.now().Add(-2 * time.Hour) }))},
			wantStatus: 401, wantError: "invalid_client"},
		{name: "wrong audience", reason: "aud must be the configured audience",
			req: tokenRequest{form: form("grant_type", "client_credentials", "client_id", "globex-wif", "client_assertion_type", jwtBearer,
				"client_assertion", with(func(a *assertion) { a.audience = "api://someone-else" }))},
			wantStatus: 401, wantError: "invalid_client"},
		{name: "wrong issuer", reason: "iss must be the configured issuer",
			req: tokenRequest{form: form("grant_type", "client_credentials", "client_id", "globex-wif", "client_assertion_type", jwtBearer,
				"client_assertion", with(func(a *assertion) { a.issuer = "https://login.microsoftonline.com/other/v2.0" }))},
			wantStatus: 401, wantError: "invalid_client"},
		{name: "wrong tid", reason: "configured extra claims must match",
			req: tokenRequest{form: form("grant_type", "client_credentials", "client_id", "globex-wif", "client_assertion_type", jwtBearer,
				"client_assertion", with(func(a *assertion) { a.tid = "other" }))},
			wantStatus: 401, wantError: "invalid_client"},
		{name: "assertion for a secret client", reason: "the client has no Assertion",
			req: tokenRequest{form: form("grant_type", "client_credentials", "client_id", "acme-entra", "client_assertion_type", jwtBearer,
				"client_assertion", with(func(*assertion) {}))},
			wantStatus: 400, wantError: "unauthorized_client"},
		{name: "forged assertion", reason: "a signature that does not verify",
			req: tokenRequest{form: form("grant_type", "client_credentials", "client_id", "globex-wif", "client_assertion_type", jwtBearer,
				"client_assertion", with(func(*assertion) {})[:40]+"x"+with(func(*assertion) {})[41:])},
			wantStatus: 401, wantError: "invalid_client"},
		{name: "unsupported grant", reason: "only client_credentials",
			req:        tokenRequest{form: form("grant_type", "password", "client_id", "acme-entra", "client_secret", secretNew)},
			wantStatus: 400, wantError: "unsupported_grant_type"},
		{name: "no grant type", reason: "grant_type is required",
			req:        tokenRequest{form: form("client_id", "acme-entra", "client_secret", secretNew)},
			wantStatus: 400, wantError: "invalid_request"},
		{name: "two methods", reason: "Basic and client_secret together",
			req:        tokenRequest{basic: [2]string{"acme-entra", secretNew}, form: form("grant_type", "client_credentials", "client_secret", secretNew)},
			wantStatus: 400, wantError: "invalid_request"},
		{name: "wrong assertion type", reason: "client_assertion_type must be jwt-bearer",
			req:        tokenRequest{form: form("grant_type", "client_credentials", "client_assertion_type", "saml", "client_assertion", "x")},
			wantStatus: 400, wantError: "invalid_request"},
		{name: "no authentication", reason: "client credentials need client authentication",
			req:        tokenRequest{form: form("grant_type", "client_credentials", "client_id", "acme-entra")},
			wantStatus: 401, wantError: "invalid_client"},
		{name: "scope not allowed", reason: "the client may have only scim",
			req:        tokenRequest{form: form("grant_type", "client_credentials", "client_id", "acme-entra", "client_secret", secretNew, "scope", "admin")},
			wantStatus: 400, wantError: "invalid_scope"},
		{name: "repeated parameter", reason: "RFC 6749 §3.2: parameters must not repeat",
			req:        tokenRequest{form: url.Values{"grant_type": {"client_credentials"}, "client_id": {"acme-entra"}, "client_secret": {secretNew, secretOld}}},
			wantStatus: 400, wantError: "invalid_request"},
		{name: "unknown key id", reason: "a kid the JWKS does not have",
			req: tokenRequest{form: form("grant_type", "client_credentials", "client_id", "globex-wif", "client_assertion_type", jwtBearer,
				"client_assertion", signWithNewKey(t, "k-unknown", good))},
			wantStatus: 401, wantError: "invalid_client"},
		{name: "GET", reason: "the token endpoint takes only POST",
			req:        tokenRequest{method: "GET", form: form("grant_type", "client_credentials")},
			wantStatus: 405, wantError: "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := in.token(t, tc.req)
			if got.status != tc.wantStatus {
				t.Fatalf("status = %d, want %d (%s); body %s", got.status, tc.wantStatus, tc.reason, got.rawBody)
			}
			if cc := got.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
			if gotBasic := strings.HasPrefix(got.header.Get("WWW-Authenticate"), "Basic"); gotBasic != tc.wantBasic {
				t.Errorf("WWW-Authenticate = %q, want Basic challenge: %v", got.header.Get("WWW-Authenticate"), tc.wantBasic)
			}
			if tc.wantError != "" {
				if got.body["error"] != tc.wantError || got.body["error_description"] == "" {
					t.Errorf("body = %v, want error %q with a description (%s)", got.body, tc.wantError, tc.reason)
				}
				return
			}
			tok, _ := got.body["access_token"].(string)
			delete(got.body, "access_token")
			want := map[string]any{"token_type": "Bearer", "expires_in": 3600.0}
			if tc.wantScope != "" {
				want["scope"] = tc.wantScope
			}
			if diff := cmp.Diff(want, got.body); diff != "" || tok == "" {
				t.Errorf("token response mismatch (-want +got):\n%s\naccess_token %q", diff, tok)
			}
		})
	}
}

func accessToken(t *testing.T, in instance, f url.Values) string {
	t.Helper()
	got := in.token(t, tokenRequest{form: f})
	tok, _ := got.body["access_token"].(string)
	if got.status != 200 || tok == "" {
		t.Fatalf("token request: %d %s", got.status, got.rawBody)
	}
	return tok
}

// TestTokenOnUsers uses the tokens on /Users: each client sees only its
// tenant, a token from instance A is accepted by instance B configured
// alike (no shared state), and a static bearer token still works.
func TestTokenOnUsers(t *testing.T) {
	clk := newClock()
	jw := newJWKSServer(t)
	cfg := config(t, clk, jw.URL)
	cfg.Static.SetNamedTokens(map[string]string{"initech": "static-token-initech"})
	st := tenantStore() // the database both instances share
	a, b := newInstance(t, cfg, st), newInstance(t, cfg, st)

	acme := accessToken(t, a, form("grant_type", "client_credentials", "client_id", "acme-entra", "client_secret", secretNew))
	good := assertion{kid: "k1", issuer: entraIssuer, subject: entraSubject, audience: entraAudience,
		tid: entraTID, issued: clk.now(), lifetime: time.Hour}
	globex := accessToken(t, a, form("grant_type", "client_credentials", "client_id", "globex-wif",
		"client_assertion_type", jwtBearer, "client_assertion", jw.sign(t, good)))

	if got := b.scim(t, "POST", "/Users", acme, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice@acme.example"}`); got.status != 201 {
		t.Fatalf("POST /Users on B with A's token: %d %s", got.status, got.rawBody)
	}
	if got := b.scim(t, "POST", "/Users", "static-token-initech", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ivan@initech.example"}`); got.status != 201 {
		t.Fatalf("POST /Users with a static token: %d %s", got.status, got.rawBody)
	}
	for _, tc := range []struct {
		name, token string
		want        float64
	}{{"acme on A", acme, 1}, {"acme on B", acme, 1}, {"globex on B", globex, 0}, {"initech static on A", "static-token-initech", 1}} {
		in := a
		if strings.HasSuffix(tc.name, "B") {
			in = b
		}
		got := in.scim(t, "GET", "/Users", tc.token, "")
		if got.status != 200 || got.body["totalResults"] != tc.want {
			t.Errorf("%s: GET /Users = %d totalResults %v, want 200 and %v", tc.name, got.status, got.body["totalResults"], tc.want)
		}
	}
}

// TestAccessTokenRefused covers the middleware's refusals: no token, a
// garbled token, an expired token, a token of a removed client, and keys
// rotated to revoke every token.
func TestAccessTokenRefused(t *testing.T) {
	clk := newClock()
	jw := newJWKSServer(t)
	cfg := config(t, clk, jw.URL)
	cfg.Static = nil
	in := newInstance(t, cfg, tenantStore())
	tok := func() string {
		return accessToken(t, in, form("grant_type", "client_credentials", "client_id", "acme-entra", "client_secret", secretNew))
	}
	wantRefused := func(name, token, wantErr string) {
		t.Helper()
		got := in.scim(t, "GET", "/Users", token, "")
		wa := got.header.Get("WWW-Authenticate")
		if got.status != 401 || got.body["status"] != "401" || !strings.HasPrefix(wa, `Bearer realm="scim"`) ||
			strings.Contains(wa, `error="invalid_token"`) != (wantErr != "") {
			t.Errorf("%s: %d, WWW-Authenticate %q, body %s; want 401 with a SCIM error and error=%q", name, got.status, wa, got.rawBody, wantErr)
		}
	}
	wantRefused("no token", "", "")
	wantRefused("garbled", "not-a-token", "invalid_token")

	expired := tok()
	clk.advance(time.Hour + 2*time.Minute)
	wantRefused("expired", expired, "invalid_token")

	fresh := tok()
	if got := in.scim(t, "GET", "/Users", fresh, ""); got.status != 200 {
		t.Fatalf("fresh token: %d %s", got.status, got.rawBody)
	}
	if err := in.oauth.SetKeys([]oauth.Key{{ID: "2026-12", Secret: []byte("fedcba9876543210fedcba9876543210")}}); err != nil {
		t.Fatal(err)
	}
	wantRefused("retired key", fresh, "invalid_token")

	fresh = tok()
	clients := config(t, clk, jw.URL).Clients[1:]
	if err := in.oauth.SetClients(clients); err != nil {
		t.Fatal(err)
	}
	wantRefused("client removed", fresh, "invalid_token")
}

// TestSecretRotation retires the old secret: it stops working, the new
// one goes on working.
func TestSecretRotation(t *testing.T) {
	clk := newClock()
	cfg := config(t, clk, "https://login.example.com/keys")
	in := newInstance(t, cfg, tenantStore())
	clients := cfg.Clients
	clients[0].Secrets = clients[0].Secrets[1:]
	if err := in.oauth.SetClients(clients); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		secret string
		want   int
	}{{secretOld, 401}, {secretNew, 200}} {
		got := in.token(t, tokenRequest{basic: [2]string{"acme-entra", tc.secret}, form: form("grant_type", "client_credentials")})
		if got.status != tc.want {
			t.Errorf("secret %.10s…: %d, want %d", tc.secret, got.status, tc.want)
		}
	}
}

// TestJWKSRotationAndOutage: a key id the cache does not know makes it
// fetch the JWKS again (keys rotate without notice), and while the JWKS
// URL is down the cached keys keep working.
func TestJWKSRotationAndOutage(t *testing.T) {
	clk := newClock()
	jw := newJWKSServer(t)
	in := newInstance(t, config(t, clk, jw.URL), tenantStore())
	req := func(kid string) int {
		a := assertion{kid: kid, issuer: entraIssuer, subject: entraSubject, audience: entraAudience,
			tid: entraTID, issued: clk.now(), lifetime: time.Hour}
		return in.token(t, tokenRequest{form: form("grant_type", "client_credentials", "client_id", "globex-wif",
			"client_assertion_type", jwtBearer, "client_assertion", jw.sign(t, a))}).status
	}
	if s := req("k1"); s != 200 {
		t.Fatalf("k1: %d", s)
	}
	jw.addKey(t, "k2")
	clk.advance(2 * time.Minute)
	if s := req("k2"); s != 200 {
		t.Fatalf("k2 after rotation: %d", s)
	}
	jw.setDown(true)
	clk.advance(25 * time.Hour) // the cache is stale and the refetch fails
	if s := req("k1"); s != 200 {
		t.Errorf("k1 while the JWKS is down: %d, want the cached key used", s)
	}
	if n := jw.fetches.Load(); n != 3 {
		t.Errorf("JWKS fetched %d times, want 3 (first use, unknown kid, stale)", n)
	}
}

func TestConfigErrors(t *testing.T) {
	clk := newClock()
	base := func() oauth.Config { return config(t, clk, "https://login.example.com/keys") }
	tests := []struct {
		name   string
		change func(*oauth.Config)
	}{
		{"no issuer", func(c *oauth.Config) { c.Issuer = "" }},
		{"no key", func(c *oauth.Config) { c.Keys = nil }},
		{"short key", func(c *oauth.Config) { c.Keys = []oauth.Key{{ID: "k", Secret: []byte("short")}} }},
		{"lifetime too long", func(c *oauth.Config) { c.TokenLifetime = 48 * time.Hour }},
		{"duplicate client", func(c *oauth.Config) { c.Clients = append(c.Clients, c.Clients[0]) }},
		{"bad hash", func(c *oauth.Config) { c.Clients[0].Secrets[0].Hash = "plain-text-secret" }},
		{"http JWKS", func(c *oauth.Config) { c.Clients[2].Assertion.JWKSURL = "http://login.example.com/keys" }},
		{"assertion without audience", func(c *oauth.Config) { c.Clients[2].Assertion.Audience = "" }},
	}
	for _, tc := range tests {
		cfg := base()
		tc.change(&cfg)
		if _, err := oauth.New(cfg); err == nil {
			t.Errorf("%s: New succeeded, want an error", tc.name)
		}
	}
	if _, err := oauth.HashSecret("too-short"); err == nil {
		t.Error("HashSecret accepted a 9-character secret")
	}
	if _, err := oauth.New(base()); err != nil {
		t.Errorf("base config: %v", err)
	}
}

// TestStaticKeysAssertion authenticates with an assertion verified by a
// static key instead of a JWKS, with the subject defaulting to the client
// id (RFC 7523 §3).
func TestStaticKeysAssertion(t *testing.T) {
	clk := newClock()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config(t, clk, "https://login.example.com/keys")
	cfg.Clients = append(cfg.Clients, oauth.Client{ID: "static-client", Tenant: "hooli", Assertion: &oauth.Assertion{
		Issuer: "static-client", Audience: "https://app.example.com/oauth/token",
		Keys: map[string]crypto.PublicKey{"s1": &k.PublicKey},
	}})
	in := newInstance(t, cfg, tenantStore())
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k}, (&jose.SignerOptions{}).WithHeader("kid", "s1"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := jwt.Signed(signer).Claims(jwt.Claims{Issuer: "static-client", Subject: "static-client",
		Audience: jwt.Audience{"https://app.example.com/oauth/token"}, Expiry: jwt.NewNumericDate(clk.now().Add(5 * time.Minute))}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	tok := accessToken(t, in, form("grant_type", "client_credentials", "client_id", "static-client", "client_assertion_type", jwtBearer, "client_assertion", a))
	info, err := in.oauth.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if info.Tenant != "hooli" || info.ClientID != "static-client" {
		t.Errorf("Verify = %+v, want client static-client of tenant hooli", info)
	}
}
