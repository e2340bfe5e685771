package scim

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/scimkit/scimkit/store"
)

// serveMe serves /Me (RFC 7644 §3.11): the resource of the authenticated
// principal, found through Config.Me, with the same operations as at its own
// URL (GET, PUT, PATCH, DELETE). Answers that carry the resource (and a
// PATCH answered 204) also carry a Location header naming its own URL, as
// meta.location does. Creating through /Me (POST) is not supported: 405.
func (h *Handler) serveMe(w http.ResponseWriter, r *http.Request, rest string) error {
	if h.cfg.Me == nil {
		return &Error{Status: http.StatusNotImplemented, Detail: "/Me is not supported by this service provider"}
	}
	if rest != "" {
		return notFound("no such endpoint: /Me/" + rest)
	}
	switch r.Method {
	case http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return h.notAllowed(w, r, "GET, PUT, PATCH, DELETE")
	}
	typ, id, err := h.cfg.Me(r.Context())
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			err = &Error{Status: http.StatusNotFound, Detail: "the authenticated subject has no resource here", Err: err}
		}
		return err
	}
	rt, _ := h.resourceTypeNamed(typ)
	if rt == nil || id == "" {
		return &Error{Status: http.StatusInternalServerError, Detail: "internal server error",
			Err: errors.New("scim: Config.Me returned an unknown resource type " + strconv.Quote(typ) + " or an empty id")}
	}
	t := target{rt: rt, id: id, me: true}
	switch r.Method {
	case http.MethodGet:
		return h.serveGet(w, r, t)
	case http.MethodPut:
		return h.serveReplace(w, r, t)
	case http.MethodPatch:
		return h.servePatch(w, r, t)
	default:
		return h.serveDelete(w, r, t)
	}
}
