package scim

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/store"
)

// me serves /Me (RFC 7644 §3.11): the resource of the authenticated
// principal, found through Config.Me, with the same operations as at its own
// URL (GET, PUT, PATCH, DELETE). Answers that carry the resource also carry
// a Location header naming its own URL, as meta.location does. Creating
// through /Me (POST) is not supported: 405.
func (h *Handler) me(w http.ResponseWriter, r *http.Request, rest string) {
	if h.cfg.Me == nil {
		h.fail(w, r, &Error{Status: http.StatusNotImplemented, Detail: "/Me is not supported by this service provider"})
		return
	}
	if rest != "" {
		h.fail(w, r, notFound("no such endpoint: /Me/"+rest))
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		h.notAllowed(w, r, "GET, PUT, PATCH, DELETE")
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
			Err: errors.New("scim: Config.Me returned an unknown resource type " + strconv.Quote(typ) + " or an empty id")})
		return
	}
	if r.Method == http.MethodDelete {
		h.delete(w, r, rt, id)
		return
	}
	lw := &locationWriter{ResponseWriter: w, location: h.location(r, rt, id)}
	switch r.Method {
	case http.MethodGet:
		h.get(lw, r, rt, id)
	case http.MethodPut:
		h.replace(lw, r, rt, id)
	case http.MethodPatch:
		h.patch(lw, r, rt, id)
	}
}

// locationWriter adds a Location header to successful answers.
type locationWriter struct {
	http.ResponseWriter
	location string
}

func (w *locationWriter) WriteHeader(status int) {
	if status >= 200 && status < 300 {
		w.Header().Set("Location", w.location)
	}
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *locationWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
