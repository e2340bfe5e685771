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
		list = append(list, bearerToken{sum: sha256.Sum256([]byte(t)), name: name})
	}
	b.tokens.Store(&list)
}

// TokenName returns the name of the bearer token that BearerAuth accepted
// for the request whose context is ctx, and false if there is none.
func TokenName(ctx context.Context) (string, bool) {
	name, ok := ctx.Value(tokenNameKey{}).(string)
	return name, ok
}

// Wrap returns next guarded by the token check.
func (b *BearerAuth) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := b.check(r.Header.Get("Authorization"))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"schemas":["` + schema.ErrorURN + `"],"status":"401","detail":"authentication required: send a valid bearer token in the Authorization header"}`))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), tokenNameKey{}, name)))
	})
}

func (b *BearerAuth) check(header string) (string, bool) {
	scheme, token, found := strings.Cut(strings.TrimSpace(header), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
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
