package scim

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/scimkit/scimkit/scim/schema"
)

// BearerAuth is a middleware that admits requests carrying one of a set of
// bearer tokens (RFC 6750), such as the API key an administrator pastes into
// Okta or Microsoft Entra ID. Tokens are compared in constant time, and every
// configured token is compared on every request, so timing reveals neither a
// token nor which one matched. Rotate with SetTokens: accept the old and the
// new token together, switch the identity provider over, then drop the old
// one.
//
// The token is accepted with or without the scheme: "Authorization: Bearer
// <token>" (scheme in any case), and "Authorization: <token>" as Okta's
// "HTTP Header" authentication sends the text the administrator pasted
// (Okta's OIN Wizard defines Header auth as "Authorization: {API token}").
// An administrator who pastes "Bearer <token>" into that field works too.
// A configured token that itself starts with "Bearer " is read the same
// way.
//
// A request without a valid token is answered 401 with a SCIM Error body and
// "WWW-Authenticate: Bearer". Tokens are never logged.
//
// BearerAuth is one way to authenticate; the Handler itself authenticates
// nothing, so any middleware the host already has will do.
type BearerAuth struct {
	tokens atomic.Pointer[[]bearerToken]
}

type bearerToken struct {
	sum  [sha256.Size]byte
	name string
}

type tokenNameKey struct{}

// NewBearerAuth returns a BearerAuth accepting the given tokens. Empty
// tokens are ignored; with no token at all every request is refused.
func NewBearerAuth(tokens ...string) *BearerAuth {
	b := &BearerAuth{}
	b.SetTokens(tokens...)
	return b
}

// SetTokens replaces the accepted tokens. It is safe to call while requests
// are served. Each token's name in TokenName is its position ("0", "1", …);
// use SetNamedTokens to give them names.
func (b *BearerAuth) SetTokens(tokens ...string) {
	named := make(map[string]string, len(tokens))
	for i, t := range tokens {
		named[itoa(int64(i))] = t
	}
	b.SetNamedTokens(named)
}

// SetNamedTokens replaces the accepted tokens with a map from a name (a
// tenant, a client, "okta-2026") to its token. The name of the token a
// request presented is available to later handlers through TokenName, for
// example to choose a tenant.
func (b *BearerAuth) SetNamedTokens(tokens map[string]string) {
	list := make([]bearerToken, 0, len(tokens))
	for name, t := range tokens {
		if t == "" {
			continue
		}
		t = credential(t)
		if t == "" {
			continue
		}
		list = append(list, bearerToken{sum: sha256.Sum256([]byte(t)), name: name})
	}
	b.tokens.Store(&list)
}

// WithTokenName returns a copy of ctx in which TokenName reports name. An
// authentication middleware other than BearerAuth and BasicAuth (an OAuth
// token check, the host's own) calls it so that the tenant selection built
// on TokenName works alike for every credential.
func WithTokenName(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, tokenNameKey{}, name)
}

// TokenName returns the name of the credential that BearerAuth or BasicAuth
// accepted (or WithTokenName recorded) for the request whose context is
// ctx, and false if there is none.
func TokenName(ctx context.Context) (string, bool) {
	name, ok := ctx.Value(tokenNameKey{}).(string)
	return name, ok
}

// Wrap returns next guarded by the token check.
func (b *BearerAuth) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := b.check(r.Header.Get("Authorization"))
		if !ok {
			unauthorized(w, `Bearer realm="scim"`, "send a valid bearer token in the Authorization header")
			return
		}
		next.ServeHTTP(w, r.WithContext(WithTokenName(r.Context(), name)))
	})
}

// unauthorized answers 401 with a SCIM Error body (RFC 7644 §3.12) and the
// challenge of RFC 9110 §11.6.1.
func unauthorized(w http.ResponseWriter, challenge, hint string) {
	w.Header().Set("WWW-Authenticate", challenge)
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(`{"schemas":["` + schema.ErrorURN + `"],"status":"401","detail":"authentication required: ` + hint + `"}`))
}

// credential is the token in an Authorization header value (or a
// configured token): the text after a "Bearer" scheme, or the whole value
// when it names no scheme. Other schemes (Basic) give "".
//
// "Bearer Bearer <token>" (a pasted "Bearer <token>" behind Okta's own
// Bearer prefix) is read as <token> too.
func credential(header string) string {
	header = strings.TrimSpace(header)
	for range 2 {
		scheme, rest, found := strings.Cut(header, " ")
		if !found {
			return header
		}
		switch {
		case strings.EqualFold(scheme, "Bearer"):
			header = strings.TrimSpace(rest)
		case strings.EqualFold(scheme, "Basic"), strings.EqualFold(scheme, "Digest"):
			return ""
		default:
			return header
		}
	}
	return header
}

func (b *BearerAuth) check(header string) (string, bool) {
	token := credential(header)
	if token == "" {
		return "", false
	}
	sum := sha256.Sum256([]byte(token))
	list := b.tokens.Load()
	if list == nil {
		return "", false
	}
	match := -1
	for i := range *list {
		if subtle.ConstantTimeCompare(sum[:], (*list)[i].sum[:]) == 1 {
			match = i
		}
	}
	if match < 0 {
		return "", false
	}
	return (*list)[match].name, true
}

// BasicAuth is a middleware that admits requests carrying one of a set of
// user name and password pairs in HTTP Basic authentication (RFC 7617), as
// Okta's custom app integrations can send ("Basic Auth"; Okta's OIN Wizard
// does not offer it for new catalog apps). Like BearerAuth it compares in
// constant time against every configured credential, keeps several for
// rotation (SetCredentials while serving), never logs them, and reports the
// accepted credential's name through TokenName. A request without valid
// credentials is answered 401 with a SCIM Error body and
// `WWW-Authenticate: Basic realm="scim"`.
type BasicAuth struct {
	creds atomic.Pointer[[]basicCredential]
}

// BasicCredential is one accepted user name and password, with the name
// TokenName reports for it (a tenant, "okta-2026"); an empty Name means the
// user name.
type BasicCredential struct {
	Name, Username, Password string
}

type basicCredential struct {
	user, pass [sha256.Size]byte
	name       string
}

// NewBasicAuth returns a BasicAuth accepting the given credentials.
// Credentials with an empty user name or password are ignored; with none at
// all every request is refused.
func NewBasicAuth(creds ...BasicCredential) *BasicAuth {
	b := &BasicAuth{}
	b.SetCredentials(creds...)
	return b
}

// SetCredentials replaces the accepted credentials. It is safe to call while
// requests are served.
func (b *BasicAuth) SetCredentials(creds ...BasicCredential) {
	list := make([]basicCredential, 0, len(creds))
	for _, c := range creds {
		if c.Username == "" || c.Password == "" {
			continue
		}
		name := c.Name
		if name == "" {
			name = c.Username
		}
		list = append(list, basicCredential{user: sha256.Sum256([]byte(c.Username)), pass: sha256.Sum256([]byte(c.Password)), name: name})
	}
	b.creds.Store(&list)
}

// Wrap returns next guarded by the credential check.
func (b *BasicAuth) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := b.check(r)
		if !ok {
			unauthorized(w, `Basic realm="scim", charset="UTF-8"`, "send valid Basic credentials in the Authorization header")
			return
		}
		next.ServeHTTP(w, r.WithContext(WithTokenName(r.Context(), name)))
	})
}

func (b *BasicAuth) check(r *http.Request) (string, bool) {
	user, pass, ok := r.BasicAuth()
	if !ok || user == "" || pass == "" {
		return "", false
	}
	us, ps := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
	list := b.creds.Load()
	if list == nil {
		return "", false
	}
	match := -1
	for i := range *list {
		c := &(*list)[i]
		if subtle.ConstantTimeCompare(us[:], c.user[:])&subtle.ConstantTimeCompare(ps[:], c.pass[:]) == 1 {
			match = i
		}
	}
	if match < 0 {
		return "", false
	}
	return (*list)[match].name, true
}
