package scim

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// This file holds the HTTP side of the single-resource operations: each
// serveX decodes the request, calls the operation of operations.go and
// encodes its result. Errors are returned to ServeHTTP, which writes them.

// target is the resource a request addresses: /{endpoint}/{id}, or /Me,
// whose successful answers also carry a Location header naming the
// resource's own URL (RFC 7644 §3.11).
type target struct {
	rt *resourceType
	id string
	me bool
}

// query returns the request's query parameters with lower-cased names
// (Microsoft sends "startindex"), decoded with form rules ("+" is a space).
// A trailing "?" or "&" is harmless.
func query(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidValue, Detail: "malformed query string: " + err.Error(), Err: err}
	}
	lower := true
	for k := range q {
		if hasUpper(k) {
			lower = false
			break
		}
	}
	if lower {
		return q, nil
	}
	out := make(url.Values, len(q))
	for k, v := range q {
		lk := strings.ToLower(k)
		out[lk] = append(out[lk], v...)
	}
	return out, nil
}

// hasUpper reports whether s has a byte that strings.ToLower changes: an
// ASCII capital or any non-ASCII byte.
func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; ('A' <= c && c <= 'Z') || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// projectionOf parses the attributes and excludedAttributes query
// parameters of r.
func projectionOf(r *http.Request, rt *resourceType) (*schema.Projection, error) {
	q, err := query(r)
	if err != nil {
		return nil, err
	}
	return parseProjection(rt, q.Get("attributes"), q.Get("excludedattributes"))
}

// parseProjection parses attributes and excludedAttributes values; both
// empty means the default set (nil).
func parseProjection(rt *resourceType, attributes, excluded string) (*schema.Projection, error) {
	if attributes == "" && excluded == "" {
		return nil, nil
	}
	return rt.ParseProjection(attributes, excluded)
}

// render builds the response object of one resource.
func (h *Handler) render(r *http.Request, rt *resourceType, res *store.Resource, p *schema.Projection) resourceJSON {
	return resourceJSON{rt: rt, res: res, p: p, location: h.location(r, rt, res.ID)}
}

func (h *Handler) location(r *http.Request, rt *resourceType, id string) string {
	return h.baseURL(r) + "/" + strings.Trim(rt.Endpoint, "/") + "/" + url.PathEscape(id)
}

// setETag sets the ETag header to the version's entity tag, under the
// key's canonical form ("Etag", as Header.Set would make it on every call).
func setETag(w http.ResponseWriter, version string) {
	w.Header()["Etag"] = []string{etag(version)}
}

// etag renders a store version as a weak entity tag (RFC 7644 §3.14).
func etag(version string) string { return `W/"` + version + `"` }

// writeResource writes res with its ETag, and Location when it was created
// or addressed through /Me.
func (h *Handler) writeResource(w http.ResponseWriter, r *http.Request, status int, t target, res *store.Resource, p *schema.Projection) error {
	res, err := h.shown(r, status, t, res, p)
	if err != nil {
		return err
	}
	h.writeShown(w, r, status, t, res, p)
	return nil
}

// shown returns res as a response with status shows it with p: with its
// groups when p returns them, and the version of that representation
// (see groupsMark).
func (h *Handler) shown(r *http.Request, status int, t target, res *store.Resource, p *schema.Projection) (*store.Resource, error) {
	// A resource just created is listed by no group (a member names an
	// existing resource), so a 201 carries no groups and costs no lookup.
	if t.rt.returnsGroups(p) && status != http.StatusCreated {
		with, err := h.withGroups(r.Context(), t.rt, []*store.Resource{res}, h.groupRef(r), nil)
		if err != nil {
			return nil, err
		}
		res = with[0]
	}
	return res, nil
}

// writeShown writes res, as shown returned it, with its ETag, and
// Location when it was created or addressed through /Me.
func (h *Handler) writeShown(w http.ResponseWriter, r *http.Request, status int, t target, res *store.Resource, p *schema.Projection) {
	setETag(w, res.Meta.Version)
	out := h.render(r, t.rt, res, p)
	if status == http.StatusCreated || t.me {
		w.Header().Set("Location", out.location)
	}
	h.writeJSON(w, r, status, out)
}

// groupRef gives the $ref of a group in a response to r.
func (h *Handler) groupRef(r *http.Request) func(id string) string {
	if h.groupType == nil {
		return nil
	}
	return func(id string) string { return h.location(r, h.groupType, id) }
}

func (h *Handler) serveGet(w http.ResponseWriter, r *http.Request, t target) error {
	p, err := projectionOf(r, t.rt)
	if err != nil {
		return err
	}
	res, err := h.get(r.Context(), t.rt, t.id)
	if err != nil {
		return err
	}
	// The version to compare is that of the representation the client
	// would be sent, groups included.
	if res, err = h.shown(r, http.StatusOK, t, res, p); err != nil {
		return err
	}
	if noneMatch(r, res.Meta.Version) {
		setETag(w, res.Meta.Version)
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.writeShown(w, r, http.StatusOK, t, res, p)
	return nil
}

// noneMatch reports whether an If-None-Match header names the current
// version (or is "*"), so that a GET is answered 304 Not Modified
// (RFC 7644 §3.14, RFC 9110 §13.1.2). Weak comparison is used.
func noneMatch(r *http.Request, version string) bool {
	h := r.Header.Get("If-None-Match")
	if h == "" {
		return false
	}
	for _, tag := range strings.Split(h, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.Trim(strings.TrimPrefix(tag, "W/"), `"`) == version {
			return true
		}
	}
	return false
}

func (h *Handler) serveCreate(w http.ResponseWriter, r *http.Request, rt *resourceType) error {
	p, err := projectionOf(r, rt)
	if err != nil {
		return err
	}
	in, err := h.readObject(w, r)
	if err != nil {
		return err
	}
	res, err := h.create(r.Context(), rt, in)
	if err != nil {
		return err
	}
	return h.writeResource(w, r, http.StatusCreated, target{rt: rt}, res, p)
}

func (h *Handler) serveReplace(w http.ResponseWriter, r *http.Request, t target) error {
	p, err := projectionOf(r, t.rt)
	if err != nil {
		return err
	}
	in, err := h.readObject(w, r)
	if err != nil {
		return err
	}
	res, err := h.replace(r.Context(), t.rt, t.id, in, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	return h.writeResource(w, r, http.StatusOK, t, res, p)
}

func (h *Handler) servePatch(w http.ResponseWriter, r *http.Request, t target) error {
	p, err := projectionOf(r, t.rt)
	if err != nil {
		return err
	}
	body, err := h.readBody(w, r)
	if err != nil {
		return err
	}
	ops, err := decodePatch(body)
	if err != nil {
		return err
	}
	noContent := t.rt.noContent && p == nil
	res, version, err := h.patch(r.Context(), t.rt, t.id, ops, r.Header.Get("If-Match"), !noContent)
	if err != nil {
		return err
	}
	if noContent {
		setETag(w, version)
		if t.me {
			w.Header().Set("Location", h.location(r, t.rt, t.id))
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return h.writeResource(w, r, http.StatusOK, t, res, p)
}

func (h *Handler) serveDelete(w http.ResponseWriter, r *http.Request, t target) error {
	if err := h.delete(r.Context(), t.rt, t.id, r.Header.Get("If-Match")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
