package scim

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// maxRetries bounds how often a PATCH or PUT without If-Match re-reads and
// re-applies after another writer changed the resource in between.
const maxRetries = 64

// backoff sleeps a short random time that grows with the attempt, so that
// writers racing on one resource spread out. It returns false if the
// request was cancelled meanwhile.
func backoff(r *http.Request, attempt int) bool {
	d := time.Duration(rand.Int64N(int64(min(attempt, 20))*int64(100*time.Microsecond) + 1))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// patchDelta applies a membership PATCH through the store's MemberPatcher.
// It returns false, having written nothing, when the store declines with
// errors.ErrUnsupported, so that the caller takes the general path.
func (h *Handler) patchDelta(w http.ResponseWriter, r *http.Request, rt *resourceType, id string, d store.MemberDelta, p *schema.Projection) bool {
	res, err := h.members.PatchMembers(r.Context(), rt.Name, id, d, "")
	if errors.Is(err, errors.ErrUnsupported) {
		return false
	}
	if err != nil {
		h.fail(w, r, notFoundAs(err, rt, id))
		return true
	}
	changed := append([]string(nil), res.Changed...)
	if len(res.Added) > 0 || len(res.Removed) > 0 {
		changed = append(changed, d.Attribute)
	}
	sort.Strings(changed)
	if len(changed) > 0 {
		h.report(r.Context(), Change{Kind: Patched, Type: rt.Name, ID: id, Resource: res.Resource, Changed: changed,
			MembersAdded: res.Added, MembersRemoved: res.Removed})
	}
	if rt.noContent && p == nil {
		w.Header().Set("ETag", etag(res.Version))
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	out := res.Resource
	if out == nil {
		if out, err = h.store.Get(r.Context(), rt.Name, id); err != nil {
			h.fail(w, r, notFoundAs(err, rt, id))
			return true
		}
	}
	h.writeResource(w, r, http.StatusOK, rt, out, p)
	return true
}

// query returns the request's query parameters with lower-cased names
// (Microsoft sends "startindex"), decoded with form rules ("+" is a space).
// A trailing "?" or "&" is harmless.
func query(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidValue, Detail: "malformed query string: " + err.Error(), Err: err}
	}
	out := make(url.Values, len(q))
	for k, v := range q {
		lk := strings.ToLower(k)
		out[lk] = append(out[lk], v...)
	}
	return out, nil
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
	obj := res.Object()
	meta, _ := obj["meta"].(map[string]any)
	m := make(map[string]any, len(meta)+1)
	for k, v := range meta {
		m[k] = v
	}
	m["version"] = etag(res.Meta.Version)
	m["location"] = h.location(r, rt, res.ID)
	obj["meta"] = m
	return resourceJSON{rt: rt, obj: rt.Render(obj, p)}
}

func (h *Handler) location(r *http.Request, rt *resourceType, id string) string {
	return h.baseURL(r) + "/" + strings.Trim(rt.Endpoint, "/") + "/" + url.PathEscape(id)
}

// etag renders a store version as a weak entity tag (RFC 7644 §3.14).
func etag(version string) string { return `W/"` + version + `"` }

// ifMatch reads an If-Match header (RFC 9110 §13.1.1). cond is nil when
// there is none; otherwise it reports whether a current version satisfies
// it: "*" any existing resource, else any of the listed tags (compared
// weakly). strict is true when tags were listed: a write that then loses a
// race is answered 412, where an unconditional one (or "*") is re-applied.
func ifMatch(r *http.Request) (cond func(version string) bool, strict bool) {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	if v == "" {
		return nil, false
	}
	var tags []string
	for _, t := range strings.Split(v, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return func(string) bool { return true }, false
		}
		tags = append(tags, strings.Trim(strings.TrimPrefix(t, "W/"), `"`))
	}
	return func(version string) bool { return slices.Contains(tags, version) }, true
}

// current reads the resource for one attempt of a write: it backs off
// after a few lost races, and answers 412 when an If-Match condition does
// not hold.
func (h *Handler) current(r *http.Request, rt *resourceType, id string, attempt int, cond func(string) bool) (*store.Resource, error) {
	if attempt > 2 && !backoff(r, attempt) {
		return nil, r.Context().Err()
	}
	old, err := h.store.Get(r.Context(), rt.Name, id)
	if err != nil {
		return nil, notFoundAs(err, rt, id)
	}
	if cond != nil && !cond(old.Meta.Version) {
		return nil, store.ErrVersionMismatch
	}
	return old, nil
}

// tooManyRetries answers a write that kept losing races with other writers
// to the same resource.
var tooManyRetries = &Error{Status: http.StatusConflict,
	Detail: "the resource kept changing while this request was applied; retry the request"}

// retry reports whether a write that failed with err should be re-read
// and applied again, and returns the error to answer when it should not.
func retry(err error, strict bool, attempt int) (bool, error) {
	if !errors.Is(err, store.ErrVersionMismatch) || strict {
		return false, err
	}
	if attempt < maxRetries {
		return true, nil
	}
	return false, tooManyRetries
}

func (h *Handler) writeResource(w http.ResponseWriter, r *http.Request, status int, rt *resourceType, res *store.Resource, p *schema.Projection) {
	w.Header().Set("ETag", etag(res.Meta.Version))
	if status == http.StatusCreated {
		w.Header().Set("Location", h.location(r, rt, res.ID))
	}
	h.writeJSON(w, r, status, h.render(r, rt, res, p))
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request, rt *resourceType, id string) {
	p, err := projectionOf(r, rt)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.store.Get(r.Context(), rt.Name, id)
	if err != nil {
		h.fail(w, r, notFoundAs(err, rt, id))
		return
	}
	if noneMatch(r, res.Meta.Version) {
		w.Header().Set("ETag", etag(res.Meta.Version))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.writeResource(w, r, http.StatusOK, rt, res, p)
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

// notFoundAs names the resource in the detail of a not-found error.
func notFoundAs(err error, rt *resourceType, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Status: http.StatusNotFound, Detail: rt.Name + " " + strconv.Quote(id) + " not found", Err: err}
	}
	return err
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request, rt *resourceType) {
	p, err := projectionOf(r, rt)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	attrs, err := h.readResource(w, r, rt)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.store.Create(r.Context(), &store.Resource{Type: rt.Name, Attributes: attrs})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c := Change{Kind: Created, Type: rt.Name, ID: res.ID, Resource: res,
		Changed: changedPaths(nil, res.Attributes, rt.isExtension)}
	c.MembersAdded, _ = memberDelta(nil, res.Attributes)
	h.report(r.Context(), c)
	h.writeResource(w, r, http.StatusCreated, rt, res, p)
}

func (rt *resourceType) isExtension(key string) bool { return rt.Extension(key) != nil }

// readResource reads a resource body (POST, PUT) and normalizes it for rt;
// ignored attributes are logged at debug level.
func (h *Handler) readResource(w http.ResponseWriter, r *http.Request, rt *resourceType) (map[string]any, error) {
	in, err := h.readObject(w, r)
	if err != nil {
		return nil, err
	}
	if err := h.checkValueSizes(in); err != nil {
		return nil, err
	}
	attrs, ignored, err := rt.Normalize(in)
	if err != nil {
		return nil, err
	}
	if len(ignored) > 0 {
		h.log.DebugContext(r.Context(), "scim: ignored attributes", "resourceType", rt.Name, "attributes", ignored)
	}
	return attrs, nil
}

func (h *Handler) replace(w http.ResponseWriter, r *http.Request, rt *resourceType, id string) {
	p, err := projectionOf(r, rt)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	attrs, err := h.readResource(w, r, rt)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cond, strict := ifMatch(r)
	for attempt := 0; ; attempt++ {
		old, err := h.current(r, rt, id, attempt, cond)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if err := rt.CheckImmutable(old.Attributes, attrs); err != nil {
			h.fail(w, r, err)
			return
		}
		next := keepWriteOnly(rt, old.Attributes, attrs)
		res, err := h.store.Replace(r.Context(), &store.Resource{Type: rt.Name, ID: id, Attributes: next}, old.Meta.Version)
		again, err := retry(err, strict, attempt)
		if again {
			continue
		}
		if err != nil {
			h.fail(w, r, notFoundAs(err, rt, id))
			return
		}
		c := Change{Kind: Replaced, Type: rt.Name, ID: id, Resource: res,
			Changed: changedPaths(old.Attributes, res.Attributes, rt.isExtension)}
		c.MembersAdded, c.MembersRemoved = memberDelta(old.Attributes, res.Attributes)
		h.report(r.Context(), c)
		h.writeResource(w, r, http.StatusOK, rt, res, p)
		return
	}
}

// keepWriteOnly carries write-only attributes (password) of the stored
// resource over into a PUT that does not set them: clients never see those
// values, so a PUT that echoes what a GET returned must not clear them.
func keepWriteOnly(rt *resourceType, old, next map[string]any) map[string]any {
	var out map[string]any
	for _, a := range rt.Schema.Attributes {
		if a.Mutability != schema.WriteOnly {
			continue
		}
		v, ok := old[a.Name]
		if !ok {
			continue
		}
		if _, set := next[a.Name]; set {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(next)+1)
			for k, v := range next {
				out[k] = v
			}
		}
		out[a.Name] = v
	}
	if out == nil {
		return next
	}
	return out
}

func (h *Handler) patch(w http.ResponseWriter, r *http.Request, rt *resourceType, id string) {
	p, err := projectionOf(r, rt)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	body, err := h.readBody(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := checkJSON(body); err != nil {
		h.fail(w, r, err)
		return
	}
	ops, err := patch.Decode(body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for i, op := range ops {
		if err := h.checkValueSizes(op.Value); err != nil {
			e := err.(*Error)
			e.Detail = "operation " + strconv.Itoa(i) + ": " + e.Detail
			h.fail(w, r, e)
			return
		}
	}
	if len(ops) > h.maxOps {
		h.fail(w, r, &Error{Status: http.StatusRequestEntityTooLarge,
			Detail: "PATCH has " + strconv.Itoa(len(ops)) + " operations; at most " + strconv.Itoa(h.maxOps) + " are accepted"})
		return
	}
	cond, strict := ifMatch(r)
	if h.members != nil && !strict {
		if d, ok := memberDeltaOf(rt, id, ops); ok {
			if done := h.patchDelta(w, r, rt, id, d, p); done {
				return
			}
		}
	}
	for attempt := 0; ; attempt++ {
		old, err := h.current(r, rt, id, attempt, cond)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		result, err := patch.Apply(rt.ResourceType, id, old.Attributes, ops)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		res := old
		if len(result.Changed) > 0 {
			res, err = h.store.Replace(r.Context(), &store.Resource{Type: rt.Name, ID: id, Attributes: result.Attributes}, old.Meta.Version)
			var again bool
			if again, err = retry(err, strict, attempt); again {
				continue
			}
			if err != nil {
				h.fail(w, r, notFoundAs(err, rt, id))
				return
			}
			h.report(r.Context(), Change{Kind: Patched, Type: rt.Name, ID: id, Resource: res, Changed: result.Changed,
				MembersAdded: result.MembersAdded, MembersRemoved: result.MembersRemoved})
		}
		if rt.noContent && p == nil {
			w.Header().Set("ETag", etag(res.Meta.Version))
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.writeResource(w, r, http.StatusOK, rt, res, p)
		return
	}
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request, rt *resourceType, id string) {
	ifVersion := ""
	if cond, strict := ifMatch(r); cond != nil {
		cur, err := h.store.Get(r.Context(), rt.Name, id)
		if err != nil {
			h.fail(w, r, notFoundAs(err, rt, id))
			return
		}
		if !cond(cur.Meta.Version) {
			h.fail(w, r, store.ErrVersionMismatch)
			return
		}
		if strict {
			ifVersion = cur.Meta.Version
		}
	}
	if err := h.store.Delete(r.Context(), rt.Name, id, ifVersion); err != nil {
		h.fail(w, r, notFoundAs(err, rt, id))
		return
	}
	h.report(r.Context(), Change{Kind: Deleted, Type: rt.Name, ID: id})
	w.WriteHeader(http.StatusNoContent)
}
