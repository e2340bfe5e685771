package oauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scimkit/scimkit/scim"
)

// Server is an OAuth 2.0 token endpoint (its ServeHTTP) and the middleware
// that admits the access tokens it issues (Wrap). Create one with New; it is
// safe for concurrent use.
type Server struct {
	issuer, audience string
	static           *scim.BearerAuth
	lifetime, leeway time.Duration
	httpClient       *http.Client
	log              *slog.Logger
	now              func() time.Time

	keys    atomic.Pointer[[]signingKey]
	clients atomic.Pointer[map[string]*client]

	jwksMu sync.Mutex
	jwks   map[string]*jwksCache // by URL, kept across SetClients
}

type signingKey struct {
	id     string
	secret []byte
}

// client is a Client as the Server uses it.
type client struct {
	Client
	tenant  string
	secrets []secret
	jwks    *jwksCache // nil without Assertion.JWKSURL
}

type secret struct {
	sum      [sha256.Size]byte
	notAfter time.Time
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("oauth: Config.Issuer is empty")
	}
	s := &Server{issuer: cfg.Issuer, audience: cfg.Audience, lifetime: cfg.TokenLifetime,
		leeway: cfg.Leeway, httpClient: cfg.HTTPClient, log: cfg.Logger, now: cfg.Now,
		static: cfg.Static, jwks: map[string]*jwksCache{}}
	if s.audience == "" {
		s.audience = s.issuer
	}
	if s.lifetime == 0 {
		s.lifetime = time.Hour
	}
	if s.lifetime < time.Minute || s.lifetime > 24*time.Hour {
		return nil, fmt.Errorf("oauth: Config.TokenLifetime %v is outside one minute to 24 hours", s.lifetime)
	}
	if s.leeway <= 0 {
		s.leeway = time.Minute
	}
	if s.httpClient == nil {
		s.httpClient = &http.Client{Timeout: 10 * time.Second}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.SetKeys(cfg.Keys); err != nil {
		return nil, err
	}
	if err := s.SetClients(cfg.Clients); err != nil {
		return nil, err
	}
	return s, nil
}

// SetKeys replaces the access-token signing keys while serving (see
// Config.Keys). Tokens signed by a key no longer listed are refused from
// then on.
func (s *Server) SetKeys(keys []Key) error {
	if len(keys) == 0 {
		return errors.New("oauth: no signing key: Config.Keys needs at least one")
	}
	list := make([]signingKey, 0, len(keys))
	for _, k := range keys {
		if k.ID == "" || len(k.Secret) < 32 {
			return fmt.Errorf("oauth: signing key %q: the id must not be empty and the secret needs at least 32 random bytes", k.ID)
		}
		for _, o := range list {
			if o.id == k.ID {
				return fmt.Errorf("oauth: signing key id %q is used twice", k.ID)
			}
		}
		list = append(list, signingKey{id: k.ID, secret: slices.Clone(k.Secret)})
	}
	s.keys.Store(&list)
	return nil
}

// SetClients replaces the registered clients while serving. Access tokens
// of a client no longer listed, or whose tenant changed, are refused from
// then on; to rotate a secret, call it with the new secret added, then
// again with the old one removed.
func (s *Server) SetClients(clients []Client) error {
	m := make(map[string]*client, len(clients))
	for _, c := range clients {
		if c.ID == "" {
			return errors.New("oauth: a client has an empty id")
		}
		if m[c.ID] != nil {
			return fmt.Errorf("oauth: client id %q is used twice", c.ID)
		}
		cc := &client{Client: c, tenant: c.Tenant}
		if cc.tenant == "" {
			cc.tenant = c.ID
		}
		for i, sec := range c.Secrets {
			sum, err := parseHash(sec.Hash)
			if err != nil {
				return fmt.Errorf("oauth: client %q: secret %d: %v", c.ID, i, err)
			}
			cc.secrets = append(cc.secrets, secret{sum: sum, notAfter: sec.NotAfter})
		}
		if a := c.Assertion; a != nil {
			if a.Issuer == "" || a.Audience == "" {
				return fmt.Errorf("oauth: client %q: Assertion needs an Issuer and an Audience", c.ID)
			}
			if a.JWKSURL == "" && len(a.Keys) == 0 {
				return fmt.Errorf("oauth: client %q: Assertion needs a JWKSURL or Keys", c.ID)
			}
			if a.JWKSURL != "" {
				if err := checkJWKSURL(a.JWKSURL); err != nil {
					return fmt.Errorf("oauth: client %q: %v", c.ID, err)
				}
				cc.jwks = s.jwksFor(a.JWKSURL)
			}
		}
		m[c.ID] = cc
	}
	s.clients.Store(&m)
	return nil
}

func checkJWKSURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("JWKSURL %q is not an absolute URL", raw)
	}
	if u.Scheme == "https" {
		return nil
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); u.Scheme == "http" && (host == "localhost" || ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("JWKSURL %q must be https (http only on a loopback address)", raw)
}

func (s *Server) jwksFor(u string) *jwksCache {
	s.jwksMu.Lock()
	defer s.jwksMu.Unlock()
	c := s.jwks[u]
	if c == nil {
		c = &jwksCache{url: u, client: s.httpClient, now: s.now, log: s.log}
		s.jwks[u] = c
	}
	return c
}

func (s *Server) client(id string) *client {
	return (*s.clients.Load())[id]
}

// Error is an OAuth 2.0 error response (RFC 6749 §5.2).
type Error struct {
	// Code is the "error" value: invalid_request, invalid_client,
	// invalid_grant, unauthorized_client, unsupported_grant_type or
	// invalid_scope.
	Code string
	// Description is the "error_description": what a human needs to fix
	// the request. It never includes secrets.
	Description string
}

func (e *Error) Error() string { return "oauth: " + e.Code + ": " + e.Description }

// The error codes of RFC 6749 §5.2.
const (
	InvalidRequest       = "invalid_request"
	InvalidClient        = "invalid_client"
	InvalidGrant         = "invalid_grant"
	UnauthorizedClient   = "unauthorized_client"
	UnsupportedGrantType = "unsupported_grant_type"
	InvalidScope         = "invalid_scope"
)

func oauthErr(code, format string, args ...any) *Error {
	return &Error{Code: code, Description: fmt.Sprintf(format, args...)}
}

// TokenResponse is the successful token response (RFC 6749 §5.1).
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"` // always "Bearer"
	ExpiresIn   int64  `json:"expires_in"` // seconds
	Scope       string `json:"scope,omitempty"`
}

const maxTokenRequest = 64 << 10

// ServeHTTP is the token endpoint: mount it where the identity provider is
// told the token URL is, outside the SCIM authentication, e.g.
//
//	mux.Handle("POST /oauth/token", srv)
//
// It serves the client credentials grant (RFC 6749 §4.4) with
// client_secret_basic, client_secret_post or an RFC 7523 client assertion.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": InvalidRequest, "error_description": "the token endpoint accepts only POST"})
		return
	}
	basicUsed := false
	if scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " "); strings.EqualFold(scheme, "Basic") {
		basicUsed = true
	}
	resp, err := s.token(r)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = oauthErr(InvalidRequest, "%v", err)
		}
		status := http.StatusBadRequest
		if e.Code == InvalidClient {
			status = http.StatusUnauthorized
			if basicUsed {
				w.Header().Set("WWW-Authenticate", `Basic realm="oauth", charset="UTF-8"`)
			}
		}
		s.log.DebugContext(r.Context(), "oauth: token request refused", "error", e.Code, "detail", e.Description)
		writeJSON(w, status, map[string]string{"error": e.Code, "error_description": e.Description})
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// token reads and answers one token request.
func (s *Server) token(r *http.Request) (*TokenResponse, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, oauthErr(InvalidRequest, "the request body must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxTokenRequest)
	if err := r.ParseForm(); err != nil {
		return nil, oauthErr(InvalidRequest, "the request body is not a valid form or is too large")
	}
	form := r.PostForm
	for k, v := range form {
		if len(v) > 1 {
			return nil, oauthErr(InvalidRequest, "parameter %s is repeated", k)
		}
	}
	for _, k := range []string{"client_secret", "client_assertion"} {
		if r.URL.Query().Has(k) {
			return nil, oauthErr(InvalidRequest, "%s must be in the request body, not the URL", k)
		}
	}
	switch gt := form.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		return nil, oauthErr(InvalidRequest, "grant_type is missing")
	default:
		return nil, oauthErr(UnsupportedGrantType, "grant type %q is not supported; use client_credentials", gt)
	}
	c, err := s.authenticate(r, form)
	if err != nil {
		return nil, err
	}
	scope, err := grantScope(c, form)
	if err != nil {
		return nil, err
	}
	return s.issue(c, scope)
}

// authenticate finds the client and checks its credentials.
func (s *Server) authenticate(r *http.Request, form url.Values) (*client, error) {
	user, pass, basic := r.BasicAuth()
	_, postSecret := form["client_secret"]
	_, assertion := form["client_assertion"]
	_, assertionType := form["client_assertion_type"]
	methods := 0
	for _, used := range []bool{basic, postSecret, assertion || assertionType} {
		if used {
			methods++
		}
	}
	if methods > 1 {
		return nil, oauthErr(InvalidRequest, "use one client authentication method: Basic, client_secret or client_assertion")
	}
	id := form.Get("client_id")
	switch {
	case basic:
		// RFC 6749 §2.3.1: id and secret are form-encoded before Basic.
		var err1, err2 error
		user, err1 = url.QueryUnescape(user)
		pass, err2 = url.QueryUnescape(pass)
		if err1 != nil || err2 != nil {
			return nil, oauthErr(InvalidRequest, "the Basic credentials are not form-encoded")
		}
		if id != "" && id != user {
			return nil, oauthErr(InvalidRequest, "client_id differs from the client of the Authorization header")
		}
		return s.checkSecret(user, pass)
	case postSecret:
		if id == "" {
			return nil, oauthErr(InvalidRequest, "client_id is missing")
		}
		return s.checkSecret(id, form.Get("client_secret"))
	case assertion || assertionType:
		if t := form.Get("client_assertion_type"); t != assertionTypeJWT {
			return nil, oauthErr(InvalidRequest, "client_assertion_type must be %s", assertionTypeJWT)
		}
		if form.Get("client_assertion") == "" {
			return nil, oauthErr(InvalidRequest, "client_assertion is missing")
		}
		return s.checkAssertion(r.Context(), id, form.Get("client_assertion"))
	}
	if r.Header.Get("Authorization") != "" {
		return nil, oauthErr(InvalidClient, "the Authorization header is not valid Basic authentication")
	}
	return nil, oauthErr(InvalidClient, "client authentication is required: Basic, client_secret or client_assertion")
}

var dummySecrets = []secret{{}}

// checkSecret compares the presented secret in constant time with every
// secret of the client (and with a dummy for an unknown client, so that
// timing does not tell which client ids exist).
func (s *Server) checkSecret(id, presented string) (*client, error) {
	c := s.client(id)
	secrets := dummySecrets
	if c != nil {
		if len(c.secrets) == 0 {
			return nil, oauthErr(UnauthorizedClient, "client %q has no secret; authenticate with a client assertion", id)
		}
		secrets = c.secrets
	}
	sum := sha256.Sum256([]byte(presented))
	match := -1
	for i := range secrets {
		if subtle.ConstantTimeCompare(sum[:], secrets[i].sum[:]) == 1 {
			match = i
		}
	}
	if c == nil || match < 0 {
		return nil, oauthErr(InvalidClient, "unknown client or wrong secret")
	}
	if na := c.secrets[match].notAfter; !na.IsZero() && !s.now().Before(na) {
		return nil, oauthErr(InvalidClient, "the client secret expired on %s; ask for a new one", na.UTC().Format(time.DateOnly))
	}
	return c, nil
}

// grantScope returns the scope granted: the requested scope if the client
// may have all of it, the client's scopes if none was requested.
func grantScope(c *client, form url.Values) (string, error) {
	req := strings.Fields(form.Get("scope"))
	if len(req) == 0 {
		return strings.Join(c.Scopes, " "), nil
	}
	if c.Scopes != nil {
		for _, sc := range req {
			if !slices.Contains(c.Scopes, sc) {
				return "", oauthErr(InvalidScope, "scope %q is not allowed for this client", sc)
			}
		}
	}
	return strings.Join(req, " "), nil
}

// Issue returns a new access token for the client as the token endpoint
// would, for hosts that hand out tokens by other means (an admin page,
// a test harness).
func (s *Server) Issue(clientID, scope string) (*TokenResponse, error) {
	c := s.client(clientID)
	if c == nil {
		return nil, oauthErr(InvalidClient, "unknown client %q", clientID)
	}
	sc, err := grantScope(c, url.Values{"scope": {scope}})
	if err != nil {
		return nil, err
	}
	return s.issue(c, sc)
}
