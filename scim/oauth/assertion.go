package oauth

import (
	"context"
	"crypto"
	"errors"
	"slices"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const assertionTypeJWT = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

var assertionAlgs = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
}

// checkAssertion authenticates a client by an RFC 7523 §2.2 client
// assertion. id is the client_id parameter, possibly empty: then the
// client is the one whose Assertion names the assertion's issuer and
// subject.
func (s *Server) checkAssertion(ctx context.Context, id, assertion string) (*client, error) {
	t, err := jwt.ParseSigned(assertion, assertionAlgs)
	if err != nil || len(t.Headers) != 1 {
		return nil, oauthErr(InvalidClient, "client_assertion is not a JWT signed with an accepted algorithm")
	}
	var unverified jwt.Claims
	if err := t.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return nil, oauthErr(InvalidClient, "client_assertion has malformed claims")
	}
	c := s.assertionClient(id, unverified)
	if c == nil {
		return nil, oauthErr(InvalidClient, "unknown client, or no client accepts assertions from this issuer and subject")
	}
	a := c.Assertion
	if a == nil {
		return nil, oauthErr(UnauthorizedClient, "client %q does not authenticate with client assertions", c.ID)
	}
	keys, err := s.assertionKeys(ctx, c, t.Headers[0].KeyID)
	if err != nil {
		return nil, err
	}
	var std jwt.Claims
	var extra map[string]any
	verified := false
	for _, k := range keys {
		if t.Claims(k, &std, &extra) == nil {
			verified = true
			break
		}
	}
	if !verified {
		return nil, oauthErr(InvalidClient, "client_assertion signature does not verify with the configured keys")
	}
	if std.Expiry == nil {
		return nil, oauthErr(InvalidClient, "client_assertion has no exp")
	}
	subject := a.Subject
	if subject == "" {
		subject = c.ID
	}
	err = std.ValidateWithLeeway(jwt.Expected{Issuer: a.Issuer, Subject: subject,
		AnyAudience: jwt.Audience{a.Audience}, Time: s.now()}, s.leeway)
	switch {
	case errors.Is(err, jwt.ErrExpired):
		return nil, oauthErr(InvalidClient, "client_assertion expired")
	case errors.Is(err, jwt.ErrInvalidAudience):
		return nil, oauthErr(InvalidClient, "client_assertion is not for this audience")
	case errors.Is(err, jwt.ErrInvalidIssuer):
		return nil, oauthErr(InvalidClient, "client_assertion has the wrong issuer")
	case errors.Is(err, jwt.ErrInvalidSubject):
		return nil, oauthErr(InvalidClient, "client_assertion has the wrong subject")
	case errors.Is(err, jwt.ErrNotValidYet), errors.Is(err, jwt.ErrIssuedInTheFuture):
		return nil, oauthErr(InvalidClient, "client_assertion is not valid yet")
	case err != nil:
		return nil, oauthErr(InvalidClient, "client_assertion is not valid")
	}
	for name, want := range a.Claims {
		if got, ok := extra[name].(string); !ok || got != want {
			return nil, oauthErr(InvalidClient, "client_assertion claim %s has the wrong value", name)
		}
	}
	return c, nil
}

func (s *Server) assertionClient(id string, claims jwt.Claims) *client {
	if id != "" {
		return s.client(id)
	}
	var found *client
	for _, c := range *s.clients.Load() {
		a := c.Assertion
		if a == nil || a.Issuer != claims.Issuer {
			continue
		}
		if a.Subject == claims.Subject || a.Subject == "" && c.ID == claims.Subject {
			if found != nil {
				return nil // ambiguous: the client must send client_id
			}
			found = c
		}
	}
	return found
}

// assertionKeys returns the keys that may have signed an assertion with key
// id kid: the static keys under kid (all of them when kid is empty), else
// the JWKS keys under kid.
func (s *Server) assertionKeys(ctx context.Context, c *client, kid string) ([]crypto.PublicKey, error) {
	var keys []crypto.PublicKey
	if kid == "" {
		for _, k := range c.Assertion.Keys {
			keys = append(keys, k)
		}
	} else if k, ok := c.Assertion.Keys[kid]; ok {
		keys = append(keys, k)
	}
	if len(keys) > 0 || c.jwks == nil {
		if len(keys) == 0 {
			return nil, oauthErr(InvalidClient, "client_assertion is signed by an unknown key %q", kid)
		}
		return keys, nil
	}
	jwks, err := c.jwks.get(ctx, kid)
	if err != nil {
		return nil, oauthErr(InvalidClient, "%v", err)
	}
	for _, k := range jwks {
		keys = append(keys, k.Key)
	}
	return slices.Clip(keys), nil
}
