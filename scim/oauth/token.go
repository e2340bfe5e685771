package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/scimkit/scimkit/scim/tenant"
)

// accessClaims are the claims of an access token beyond the registered
// ones (RFC 9068 §2.2).
type accessClaims struct {
	ClientID string `json:"client_id"`
	Tenant   string `json:"tenant"`
	Scope    string `json:"scope,omitempty"`
}

const accessTokenType = "at+jwt"

// TokenInfo describes the access token a request was admitted with.
type TokenInfo struct {
	// ClientID is the client the token was issued to.
	ClientID string
	// Tenant is the client's tenant.
	Tenant string
	// Scope is the granted scope (space-separated), possibly empty.
	Scope string
	// Expiry is when the token expires.
	Expiry time.Time
}

type infoKey struct{}

// FromContext returns the access token Wrap admitted the request with, and
// false if the request was admitted otherwise (a static token) or not by
// Wrap.
func FromContext(ctx context.Context) (TokenInfo, bool) {
	i, ok := ctx.Value(infoKey{}).(TokenInfo)
	return i, ok
}

// Tenant returns the tenant of the request: the bound tenant of the OAuth
// client whose access token Wrap admitted, or else the name of the static
// token scim.BearerAuth admitted (scim.TokenName). It is
// tenant.FromContext, repeated here for discoverability.
func Tenant(ctx context.Context) (string, bool) {
	return tenant.FromContext(ctx)
}

func (s *Server) issue(c *client, scope string) (*TokenResponse, error) {
	key := (*s.keys.Load())[0]
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: key.secret},
		(&jose.SignerOptions{}).WithType(accessTokenType).WithHeader(jose.HeaderKey("kid"), key.id))
	if err != nil {
		return nil, err
	}
	now := s.now()
	var jti [16]byte
	_, _ = rand.Read(jti[:])
	tok, err := jwt.Signed(signer).Claims(jwt.Claims{
		Issuer:   s.issuer,
		Subject:  c.ID,
		Audience: jwt.Audience{s.audience},
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(s.lifetime)),
		ID:       base64.RawURLEncoding.EncodeToString(jti[:]),
	}).Claims(accessClaims{ClientID: c.ID, Tenant: c.tenant, Scope: scope}).Serialize()
	if err != nil {
		return nil, err
	}
	return &TokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int64(s.lifetime / time.Second), Scope: scope}, nil
}

// errNotOurs marks a bearer token that is not an access token of this
// server (so it may be a static token).
var errNotOurs = errors.New("not an access token issued here")

// Verify checks an access token issued by this Server (or another
// configured alike) and returns what it grants. It refuses a token that is
// expired, signed by a key no longer configured, for another issuer or
// audience, of a client no longer registered, or whose client's tenant
// changed.
func (s *Server) Verify(token string) (TokenInfo, error) {
	if strings.Count(token, ".") != 2 {
		return TokenInfo{}, errNotOurs
	}
	t, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil || len(t.Headers) != 1 {
		return TokenInfo{}, errNotOurs
	}
	h := t.Headers[0]
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); !strings.EqualFold(typ, accessTokenType) {
		return TokenInfo{}, errNotOurs
	}
	var key []byte
	for _, k := range *s.keys.Load() {
		if k.id == h.KeyID {
			key = k.secret
		}
	}
	if key == nil {
		return TokenInfo{}, errors.New("signed by an unknown or retired key")
	}
	var std jwt.Claims
	var ext accessClaims
	if err := t.Claims(key, &std, &ext); err != nil {
		return TokenInfo{}, errors.New("bad signature")
	}
	if std.Expiry == nil {
		return TokenInfo{}, errors.New("no expiry")
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: s.issuer, AnyAudience: jwt.Audience{s.audience}, Time: s.now()}, s.leeway); err != nil {
		return TokenInfo{}, err
	}
	c := s.client(ext.ClientID)
	if c == nil || c.tenant != ext.Tenant || std.Subject != ext.ClientID {
		return TokenInfo{}, errors.New("the client is no longer registered for this tenant")
	}
	return TokenInfo{ClientID: ext.ClientID, Tenant: ext.Tenant, Scope: ext.Scope, Expiry: std.Expiry.Time()}, nil
}
