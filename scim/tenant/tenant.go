// Package tenant carries the tenant of a SCIM request in its context, so
// that middlewares from different modules agree on it without depending on
// each other: an authentication middleware (scim/oauth, or the host's own)
// puts the tenant there with NewContext, and the rate limiter
// (scim/ratelimit), the telemetry middleware (scim/otelscim) and the host's
// store read it with FromContext.
//
// FromContext falls back to scim.TokenName, so hosts that authenticate with
// scim.BearerAuth and named tokens (one token per tenant) need nothing else:
//
//	auth := scim.NewBearerAuth()
//	auth.SetNamedTokens(map[string]string{"acme": tokenA, "globex": tokenB})
//	// tenant.FromContext(ctx) is "acme" for requests bearing tokenA.
//
// The package has no dependencies beyond the standard library and package
// scim.
package tenant

import (
	"context"
	"net/http"

	"github.com/scimkit/scimkit/scim"
)

type key struct{}

// NewContext returns a copy of ctx carrying tenant as the request's tenant.
// An authentication middleware calls it once it knows who is calling.
func NewContext(ctx context.Context, tenant string) context.Context {
	return context.WithValue(ctx, key{}, tenant)
}

// FromContext returns the tenant of the request whose context is ctx: the
// one set by NewContext, else the name of the token scim.BearerAuth
// accepted (scim.TokenName), and false if neither middleware ran.
func FromContext(ctx context.Context) (string, bool) {
	if t, ok := ctx.Value(key{}).(string); ok {
		return t, true
	}
	return scim.TokenName(ctx)
}

// FromRequest returns FromContext(r.Context()), or "" when there is no
// tenant. It is the default tenant key of scim/ratelimit and scim/otelscim.
func FromRequest(r *http.Request) string {
	t, _ := FromContext(r.Context())
	return t
}
