package scim

import (
	"errors"
	"net/http"
	"strings"

	"github.com/scimkit/scimkit/store"
)

// me serves /Me (RFC 7644 §3.11): the resource of the authenticated
// principal, found through Config.Me, with the same operations as at its own
// URL (GET, PUT, PATCH, DELETE); Location and meta.location name that URL.
func (h *Handler) me(w http.ResponseWriter, r *http.Request, rest string) {
	if h.cfg.Me == nil {
		h.fail(w, r, &Error{Status: http.StatusNotImplemented, Detail: "/Me is not supported by this service provider"})
		return
	}
	if rest != "" {
		h.fail(w, r, notFound("no such endpoint: /Me/"+rest))
		return
	}
	typ, id, err := h.cfg.Me(r.Context())
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			err = &Error{Status: http.StatusNotFound, Detail: "the authenticated subject has no resource here", Err: err}
		}
		h.fail(w, r, err)
		return
	}
	var rt *resourceType
	for _, t := range h.types {
		if strings.EqualFold(t.Name, typ) {
			rt = t
		}
	}
	if rt == nil || id == "" {
		h.fail(w, r, &Error{Status: http.StatusInternalServerError, Detail: "internal server error",
			Err: errors.New("scim: Config.Me returned an unknown resource type " + typ + " or an empty id")})
		return
	}
	switch r.Method {
	case http.MethodGet:
		h.get(w, r, rt, id)
	case http.MethodPut:
		h.replace(w, r, rt, id)
	case http.MethodPatch:
		h.patch(w, r, rt, id)
	case http.MethodDelete:
		h.delete(w, r, rt, id)
	default:
		h.notAllowed(w, r, "GET, PUT, PATCH, DELETE")
	}
}
