// Package oauth is an OAuth 2.0 token endpoint and a matching bearer-token
// middleware for a SCIM service, so that identity providers that
// authenticate with the client credentials grant can provision it:
// Microsoft Entra ID's app gallery accepts only OAuth 2.0 client
// credentials or workload identity federation for new SCIM listings (2026
// requirements).
//
// # The flow
//
// The host registers one client per customer tenant (Config.Clients) and
// gives the customer's administrator four values to enter in Entra ID
// (Provisioning › Admin credentials › OAuth 2.0 client credentials): the
// client id, a client secret, the token endpoint URL (where the host
// mounts the Server) and, optionally, a scope. Entra ID then asks for a
// token (RFC 6749 §4.4):
//
//	POST /oauth/token HTTP/1.1
//	Content-Type: application/x-www-form-urlencoded
//	Authorization: Basic base64(client_id:client_secret)   (client_secret_basic), or
//
//	grant_type=client_credentials&client_id=…&client_secret=…&scope=scim   (client_secret_post)
//
// and gets
//
//	HTTP/1.1 200 OK
//	Content-Type: application/json
//	Cache-Control: no-store
//
//	{"access_token":"eyJ…","token_type":"Bearer","expires_in":3600,"scope":"scim"}
//
// which it sends as "Authorization: Bearer eyJ…" on every SCIM request until
// it expires. Server.Wrap admits such requests, and puts the client's tenant
// in the request context (Tenant, or package scim/tenant), where the store,
// the rate limiter (scim/ratelimit) and telemetry (scim/otelscim) find it.
//
// With workload identity federation Entra ID authenticates with a JWT it
// signed itself instead of a secret (RFC 7523 §2.2):
//
//	grant_type=client_credentials&client_id=…
//	&client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer
//	&client_assertion=eyJ…&scope=scim
//
// The assertion is checked against the client's Assertion: its issuer
// ("https://login.microsoftonline.com/<customer tenant id>/v2.0"), subject,
// audience, extra claims such as "tid", and a signature by a key from the
// configured JWKS URL ("https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys")
// or static keys. Microsoft's documents disagree on the exact issuer and
// audience forms (with or without "/v2.0", with or without "api://"), so
// each is configured, never guessed. The JWKS is cached by key id, fetched
// again when an unknown key id arrives (at most once a minute) and every 24
// hours, and the cached keys keep working while the JWKS URL is down.
//
// # Access tokens
//
// Access tokens are JWTs (RFC 9068 "at+jwt") signed with HMAC-SHA256 under
// Config.Keys, so every instance configured with the same keys accepts the
// tokens of the others with no shared state. They carry the issuer, the
// audience, the client id, the tenant, the scope, the issue and expiry
// times and a random id. Their lifetime is Config.TokenLifetime: one hour by
// default; Entra ID requires 60 to 360 minutes. To revoke tokens: remove a
// client (its tokens are refused at once), change its tenant (likewise), or
// rotate the signing keys (every token signed by a removed key is refused).
//
// # Client secrets
//
// Secrets are stored hashed (HashSecret, NewSecret): SHA-256 of a secret of
// at least 32 characters. A random secret of that size (NewSecret makes
// 256 bits) cannot be guessed from its hash, so a slow password hash (a KDF)
// would add cost to every token request and no security; the length floor
// keeps human-chosen passwords out. Each client may have several secrets at
// once, each with an expiry (Entra ID requires secrets to live 1 to 3 years
// and rotation to be possible): add the new secret, let the administrator
// enter it, then remove the old one. A presented secret is compared in
// constant time with every secret of the client.
//
// # Errors
//
// The token endpoint answers errors as RFC 6749 §5.2 JSON with
// Cache-Control: no-store:
//
//	400 invalid_request          a missing, repeated or malformed parameter, or
//	                             more than one client authentication method
//	401 invalid_client           unknown client, wrong or expired secret, or an
//	                             assertion that is invalid, expired, not yet valid,
//	                             for another audience, issuer or subject; with
//	                             WWW-Authenticate: Basic when Basic was used
//	400 unsupported_grant_type   a grant type other than client_credentials
//	400 invalid_scope            a scope the client may not have
//	400 unauthorized_client      a client authentication method the client has
//	                             no credentials for
//	405                          a method other than POST
//
// The middleware answers a missing or invalid access token with 401, a SCIM
// Error body and RFC 6750 §3 "WWW-Authenticate: Bearer realm=\"scim\"",
// with error="invalid_token" when a token was presented but is expired,
// revoked or malformed.
//
// # What is not here
//
// Other grants (authorization code, refresh tokens, JWT bearer grants): Okta
// uses the authorization code grant for OAuth provisioning and Entra ID
// no longer accepts it for new gallery apps. Replay detection of client
// assertions by "jti" (RFC 7523 §3 item 7 makes it optional) needs shared
// state across instances. Token introspection and revocation endpoints
// (RFC 7662, RFC 7009): revocation is by configuration, above.
package oauth
