package oauth

import (
	"crypto"
	"log/slog"
	"net/http"
	"time"

	"github.com/scimkit/scimkit/scim"
)

// Config configures a Server. Issuer, Keys and Clients are required.
type Config struct {
	// Issuer is the "iss" of the access tokens issued, conventionally the
	// service's base URL, e.g. "https://app.example.com". Required.
	Issuer string

	// Audience is the "aud" of the access tokens issued and the only
	// audience Wrap accepts, e.g. "https://app.example.com/scim/v2". Empty
	// means Issuer.
	Audience string

	// Keys sign and verify access tokens (HMAC-SHA256). Keys[0] signs new
	// tokens; every key verifies. Every instance behind a load balancer
	// needs the same keys. Rotate by putting a new key first, and remove
	// the old one once the tokens it signed have expired (or at once, to
	// revoke them). Required: at least one.
	Keys []Key

	// Clients are the registered OAuth clients, one per customer tenant.
	// Replace them while serving with Server.SetClients.
	Clients []Client

	// Static, if not nil, is also accepted by Wrap: a request with one of
	// its static bearer tokens is admitted as scim.BearerAuth admits it
	// (scim.TokenName is the token's name, which tenant.FromContext
	// returns). Use it for identity providers that send a long-lived
	// token (Okta, OneLogin, JumpCloud, Entra ID's non-gallery apps).
	Static *scim.BearerAuth

	// TokenLifetime is the lifetime of the access tokens issued, between
	// one minute and 24 hours. Zero means one hour. Microsoft Entra ID's
	// gallery requires 60 to 360 minutes.
	TokenLifetime time.Duration

	// Leeway is the clock skew tolerated when checking the times in client
	// assertions and access tokens (exp, nbf, iat). Zero means one minute.
	Leeway time.Duration

	// HTTPClient fetches the JWKS of client assertions. Nil means a client
	// with a 10-second timeout.
	HTTPClient *http.Client

	// Logger receives why a client or a token was refused (never secrets
	// or tokens) at debug level, and JWKS fetch failures at warn level.
	// Nil discards them.
	Logger *slog.Logger

	// Now returns the current time. Nil means time.Now. For tests.
	Now func() time.Time
}

// Key is an access-token signing key.
type Key struct {
	// ID names the key in the tokens it signs (the JWS "kid"); unique,
	// not empty.
	ID string
	// Secret is at least 32 random bytes, the same on every instance.
	Secret []byte
}

// Client is a registered OAuth client: the identity provider of one
// customer tenant.
type Client struct {
	// ID is the client id, as the administrator enters it in the identity
	// provider. Required, unique.
	ID string

	// Tenant is the tenant the client's tokens are bound to: every request
	// bearing one of its access tokens has this tenant in its context
	// (Tenant, tenant.FromContext). Empty means the client id.
	Tenant string

	// Secrets are the client's secrets (client_secret_basic and
	// client_secret_post), hashed with HashSecret. Several may be active
	// at once, for rotation.
	Secrets []Secret

	// Assertion, if not nil, lets the client authenticate with a signed
	// JWT (RFC 7523 §2.2), as Entra ID's workload identity federation
	// does.
	Assertion *Assertion

	// Scopes are the scopes the client may ask for. A request without a
	// scope is granted all of them. Nil means any requested scope is
	// granted as asked (Entra ID's scope field is free text the
	// administrator types); use an empty non-nil slice to refuse every
	// scope.
	Scopes []string
}

// Secret is a stored client secret.
type Secret struct {
	// Hash is HashSecret of the secret.
	Hash string
	// NotAfter is when the secret stops working; zero means never.
	// Entra ID requires client secrets to live 1 to 3 years and refuses
	// tokens issued on expired credentials.
	NotAfter time.Time
}

// Assertion is how a client's RFC 7523 client assertions are checked. The
// assertion must be a JWT signed with RS256, RS384, RS512, PS256, PS384,
// PS512, ES256, ES384, ES512 or EdDSA by one of the keys below, carry
// "exp", and match Issuer, Subject, Audience and Claims.
type Assertion struct {
	// Issuer is the required "iss", e.g. Entra ID's
	// "https://login.microsoftonline.com/<customer tenant id>/v2.0".
	// Required.
	Issuer string

	// Subject is the required "sub": for Entra ID's workload identity
	// federation the object id it shows as Subject. Empty means the
	// client id (RFC 7523 §3).
	Subject string

	// Audience must be one of the assertion's "aud" values, e.g.
	// "api://<app id>" as Entra ID shows it. Required.
	Audience string

	// Claims are further claims the assertion must carry with exactly
	// these string values, e.g. {"tid": "<customer tenant id>"}.
	Claims map[string]string

	// JWKSURL is where the signing keys are published, e.g.
	// "https://login.microsoftonline.com/<tenant id>/discovery/v2.0/keys".
	// It must be https, or http on a loopback address (tests).
	JWKSURL string

	// Keys are static verification keys by key id ("kid"), used before
	// the JWKS: *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey. A key
	// under "" verifies assertions without a key id. At least one of
	// JWKSURL and Keys is required.
	Keys map[string]crypto.PublicKey
}
