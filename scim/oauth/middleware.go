package oauth

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/scim/tenant"
)

// Wrap returns next guarded by an access-token check: a request bearing an
// access token this Server (or one configured alike) issued is admitted
// with the client's tenant in its context (Tenant, tenant.FromContext) and
// the token's details (FromContext). With Config.Static, a request bearing
// one of its static tokens is admitted as scim.BearerAuth admits it. Any
// other request is answered 401 with a SCIM Error body and
// "WWW-Authenticate: Bearer" (RFC 6750 §3), with error="invalid_token" when
// a token was presented but refused.
func (s *Server) Wrap(next http.Handler) http.Handler {
	var static http.Handler
	if s.static != nil {
		static = s.static.Wrap(next)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			if static != nil {
				static.ServeHTTP(w, r) // answers the 401 itself
				return
			}
			unauthorized(w, "", "authentication required: send a valid bearer token in the Authorization header")
			return
		}
		info, err := s.Verify(token)
		if errors.Is(err, errNotOurs) && static != nil {
			static.ServeHTTP(w, r)
			return
		}
		if err != nil {
			s.log.DebugContext(r.Context(), "oauth: access token refused", "error", err)
			desc := "the access token is not valid"
			if errors.Is(err, jwt.ErrExpired) {
				desc = "the access token expired"
			}
			unauthorized(w, desc, desc+"; request a new one from the token endpoint")
			return
		}
		ctx := tenant.NewContext(r.Context(), info.Tenant)
		ctx = context.WithValue(ctx, infoKey{}, info)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func unauthorized(w http.ResponseWriter, tokenError, detail string) {
	challenge := `Bearer realm="scim"`
	if tokenError != "" {
		challenge += `, error="invalid_token", error_description="` + tokenError + `"`
	}
	h := w.Header()
	h.Set("WWW-Authenticate", challenge)
	h.Set("Content-Type", "application/scim+json; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(`{"schemas":["` + schema.ErrorURN + `"],"status":"401","detail":"` + detail + `"}`))
}
