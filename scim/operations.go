package scim

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"math/rand/v2"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// This file holds the resource operations: create, get, replace, patch,
// delete, list and search, each taking a context and decoded input. The
// exported methods are the Go API; the HTTP handler, /Bulk and /Me call the
// unexported ones, so that validation, uniqueness, immutability, member
// references, If-Match, retries, membership deltas and OnChange are the same
// whichever way a request arrives.

// Create validates data as a new resource of the named resource type and
// stores it, exactly as POST /{endpoint} does (RFC 7644 §3.3): attribute
// names are matched case-insensitively, values normalized, read-only
// attributes ignored, required ones and uniqueness checked, group members
// checked to name existing resources, and Config.OnChange called with a
// Created change after the store committed.
//
// resourceType is a configured resource type's name ("User", "Group"),
// matched case-insensitively. data is a map[string]any as a client would
// send it, a typed view (*schema.User, *schema.Group: written through their
// Attributes method, extensions included), or any other value that
// encoding/json encodes as a JSON object. The result is the resource as a GET would return it
// (see [Handler.Get]).
//
// Every error is an *Error carrying the HTTP status and scimType the same
// input gets over HTTP (400 invalidValue, invalidSyntax; 409 uniqueness;
// 404 for an unknown resource type); errors.Is still finds the store's
// sentinels (store.ErrConflict) through it.
func (h *Handler) Create(ctx context.Context, resourceType string, data any) (*store.Resource, error) {
	rt, err := h.resourceTypeNamed(resourceType)
	if err != nil {
		return nil, err
	}
	in, err := h.encodeObject(rt, data)
	if err != nil {
		return nil, toError(err)
	}
	res, err := h.create(ctx, rt, in)
	if err != nil {
		return nil, toError(err)
	}
	return h.returned(ctx, rt, res)
}

// Get returns the resource of the named type with the given id, as
// GET /{endpoint}/{id} does (RFC 7644 §3.4.1).
//
// The result holds what a client would be returned: Attributes without
// never-returned attributes (password) and without returned=request ones,
// Meta as stored (no location: the Go API has no base URL). It must not be
// modified. A missing resource is an *Error with Status 404 that wraps
// store.ErrNotFound.
func (h *Handler) Get(ctx context.Context, resourceType, id string) (*store.Resource, error) {
	rt, err := h.resourceTypeNamed(resourceType)
	if err != nil {
		return nil, err
	}
	res, err := h.get(ctx, rt, id)
	if err != nil {
		return nil, toError(err)
	}
	return h.returned(ctx, rt, res)
}

// Replace replaces the attributes of a resource with data (as for
// [Handler.Create]), as
// PUT /{endpoint}/{id} does (RFC 7644 §3.5.1): immutable attributes must
// keep their values, write-only ones (password) that data leaves out are
// kept, and Config.OnChange gets a Replaced change.
//
// ifMatch is the value of an If-Match header: "" for an unconditional write
// (re-read and re-applied when another writer wins a race, and answered 409
// after 64 lost races), "*", or entity tags such as `W/"3"` (the write is
// answered 412 — an *Error wrapping store.ErrVersionMismatch — when the
// resource is at another version, including after a lost race).
func (h *Handler) Replace(ctx context.Context, resourceType, id string, data any, ifMatch string) (*store.Resource, error) {
	rt, err := h.resourceTypeNamed(resourceType)
	if err != nil {
		return nil, err
	}
	in, err := h.encodeObject(rt, data)
	if err != nil {
		return nil, toError(err)
	}
	res, err := h.replace(ctx, rt, id, in, ifMatch)
	if err != nil {
		return nil, toError(err)
	}
	return h.returned(ctx, rt, res)
}

// Patch applies PATCH operations to a resource, as PATCH /{endpoint}/{id}
// does (RFC 7644 §3.5.2): atomically, with every identity provider dialect
// the HTTP side accepts, membership changes sent to the store as deltas when
// it supports them, and Config.OnChange called with a Patched change when
// something changed. ifMatch is as for [Handler.Replace].
//
// Operation values may be any Go values that encoding/json encodes (they
// are read as the same JSON a client would send). More operations than
// Config.MaxPatchOperations is a 413 *Error.
func (h *Handler) Patch(ctx context.Context, resourceType, id string, ops []patch.Operation, ifMatch string) (*store.Resource, error) {
	rt, err := h.resourceTypeNamed(resourceType)
	if err != nil {
		return nil, err
	}
	decoded, err := h.encodePatch(ops)
	if err != nil {
		return nil, toError(err)
	}
	res, _, err := h.patch(ctx, rt, id, decoded, ifMatch, true)
	if err != nil {
		return nil, toError(err)
	}
	return h.returned(ctx, rt, res)
}

// Delete deletes a resource, as DELETE /{endpoint}/{id} does
// (RFC 7644 §3.6), and calls Config.OnChange with a Deleted change. ifMatch
// is as for [Handler.Replace]. A missing resource is a 404 *Error wrapping
// store.ErrNotFound.
func (h *Handler) Delete(ctx context.Context, resourceType, id, ifMatch string) error {
	rt, err := h.resourceTypeNamed(resourceType)
	if err != nil {
		return err
	}
	if err := h.delete(ctx, rt, id, ifMatch); err != nil {
		return toError(err)
	}
	return nil
}

// SearchRequest holds the list parameters of RFC 7644 §3.4.2 (the members
// of a SearchRequest message, §3.4.3) and the cursor of RFC 9865.
type SearchRequest struct {
	// Filter is a SCIM filter (RFC 7644 §3.4.2.2); "" selects every
	// resource.
	Filter string
	// SortBy names the attribute to sort by; "" keeps the store's stable
	// order. SortOrder is "ascending" (the default) or "descending".
	SortBy, SortOrder string
	// StartIndex is the 1-based index of the first result; less than 1
	// means 1.
	StartIndex int
	// Count is the page size, capped at Config.MaxResults; nil means
	// Config.MaxResults, and 0 (or less: RFC 7644 §3.4.2.4) asks only for
	// TotalResults.
	Count *int
	// Attributes and ExcludedAttributes select the attributes returned
	// (RFC 7644 §3.4.2.5); each element may itself be a comma-separated
	// list.
	Attributes, ExcludedAttributes []string
	// Cursor, when not nil, asks for cursor pagination (RFC 9865): ""
	// for the first page, then ListResult.NextCursor. StartIndex must then
	// be 0.
	Cursor *string
}

// ListResult is one page of a list or search (RFC 7644 §3.4.2, RFC 9865).
type ListResult struct {
	// TotalResults is the number of resources matching the filter.
	TotalResults int
	// StartIndex is the 1-based index of Resources[0] in index pagination,
	// and 0 in cursor pagination.
	StartIndex int
	// Resources are the page's resources, each as [Handler.Get] returns
	// them, reduced to the requested attributes.
	Resources []*store.Resource
	// NextCursor is the cursor of the next page in cursor pagination, ""
	// on the last page.
	NextCursor string
}

// List returns one page of the resources of the named type that match
// req, as GET /{endpoint} and POST /{endpoint}/.search do
// (RFC 7644 §3.4.2, §3.4.3). Invalid parameters are 400 *Errors
// (invalidFilter, invalidValue, invalidCursor, expiredCursor).
func (h *Handler) List(ctx context.Context, resourceType string, req SearchRequest) (*ListResult, error) {
	rt, err := h.resourceTypeNamed(resourceType)
	if err != nil {
		return nil, err
	}
	l, err := h.list(ctx, rt, req)
	if err != nil {
		return nil, toError(err)
	}
	out, err := h.listResult(ctx, l)
	if err != nil {
		return nil, toError(err)
	}
	return out, nil
}

// Search searches every resource type, as POST /.search does
// (RFC 7644 §3.4.3): in configuration order, skipping resource types whose
// schema lacks an attribute the filter names. SortBy and Cursor are not
// supported across resource types (400).
func (h *Handler) Search(ctx context.Context, req SearchRequest) (*ListResult, error) {
	l, err := h.rootSearch(ctx, req)
	if err != nil {
		return nil, toError(err)
	}
	out, err := h.listResult(ctx, l)
	if err != nil {
		return nil, toError(err)
	}
	return out, nil
}

// listed is a page of resources with what rendering them needs.
type listed struct {
	total, start int
	next         string
	cursor       bool
	items        []listItem
	// groups, when not nil, are the groups of the items' ids, as the
	// store gave them with the page (store.Page.Groups).
	groups map[string][]store.GroupRef
}

type listItem struct {
	rt  *resourceType
	res *store.Resource
	p   *schema.Projection
}

func (h *Handler) listResult(ctx context.Context, l listed) (*ListResult, error) {
	if err := h.listedGroups(ctx, l, nil); err != nil {
		return nil, err
	}
	out := &ListResult{TotalResults: l.total, StartIndex: l.start, NextCursor: l.next,
		Resources: make([]*store.Resource, 0, len(l.items))}
	for _, it := range l.items {
		out.Resources = append(out.Resources, h.projected(it.rt, it.res, it.p))
	}
	return out, nil
}

// listedGroups sets the groups of the users of a page that return them,
// one lookup per resource type; ref gives a group's $ref (nil for none).
func (h *Handler) listedGroups(ctx context.Context, l listed, ref func(string) string) error {
	for _, rt := range h.types {
		var idx []int
		var res []*store.Resource
		returns, asked := false, false // a page has one projection per resource type
		for i, it := range l.items {
			if it.rt != rt {
				continue
			}
			if !asked {
				returns, asked = rt.returnsGroups(it.p), true
			}
			if returns {
				idx, res = append(idx, i), append(res, it.res)
			}
		}
		if len(res) == 0 {
			continue
		}
		with, err := h.withGroups(ctx, rt, res, ref, l.groups)
		if err != nil {
			return err
		}
		for j, i := range idx {
			l.items[i].res = with[j]
		}
	}
	return nil
}

// returned is res as a client is returned it by default (groups included),
// without location.
func (h *Handler) returned(ctx context.Context, rt *resourceType, res *store.Resource) (*store.Resource, error) {
	if rt.returnsGroups(nil) {
		with, err := h.withGroups(ctx, rt, []*store.Resource{res}, nil, nil)
		if err != nil {
			return nil, toError(err)
		}
		res = with[0]
	}
	return h.projected(rt, res, nil), nil
}

// projected is res rendered with projection p (nil for the default set),
// as canonical data.
func (h *Handler) projected(rt *resourceType, res *store.Resource, p *schema.Projection) *store.Resource {
	obj := rt.Render(res.Object(), p)
	attrs := make(map[string]any, len(obj))
	for k, v := range obj {
		switch k {
		case "schemas", "id", "meta":
			continue
		}
		attrs[k] = v
	}
	return &store.Resource{Type: res.Type, ID: res.ID, Attributes: attrs, Meta: res.Meta}
}

// resourceTypeNamed finds a configured resource type by name.
func (h *Handler) resourceTypeNamed(name string) (*resourceType, error) {
	for _, rt := range h.types {
		if strings.EqualFold(rt.Name, name) {
			return rt, nil
		}
	}
	return nil, notFound("no resource type named " + strconv.Quote(name))
}

// canonical is a typed resource view (*schema.User, *schema.Group) that
// writes itself as canonical data.
type canonical interface {
	Attributes(rt *schema.ResourceType) (map[string]any, error)
}

// encodeObject reads Go data as the JSON object a client would send, with
// the checks a request body gets. A typed view is first written as
// canonical data, so that its extensions come along.
func (h *Handler) encodeObject(rt *resourceType, data any) (map[string]any, error) {
	if c, ok := data.(canonical); ok && !isNilPointer(c) {
		attrs, err := c.Attributes(rt.ResourceType)
		if err != nil {
			return nil, err
		}
		data = attrs
	}
	if m, ok := data.(map[string]any); ok && m == nil {
		data = nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidSyntax, Detail: "data cannot be encoded as JSON: " + err.Error(), Err: err}
	}
	if string(b) == "null" {
		b = nil
	}
	if int64(len(b)) > h.maxBody {
		return nil, &http.MaxBytesError{Limit: h.maxBody}
	}
	return decodeObject(b)
}

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// encodePatch reads Go PATCH operations as the PatchOp body a client would
// send.
func (h *Handler) encodePatch(ops []patch.Operation) ([]patch.Operation, error) {
	list := make([]map[string]any, 0, len(ops))
	for _, o := range ops {
		m := map[string]any{"op": o.Op}
		if o.Path != "" {
			m["path"] = o.Path
		}
		if o.Value != nil || !strings.EqualFold(o.Op, "remove") {
			m["value"] = o.Value
		}
		list = append(list, m)
	}
	b, err := json.Marshal(map[string]any{"schemas": []string{schema.PatchOpURN}, "Operations": list})
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidSyntax, Detail: "operations cannot be encoded as JSON: " + err.Error(), Err: err}
	}
	if int64(len(b)) > h.maxBody {
		return nil, &http.MaxBytesError{Limit: h.maxBody}
	}
	return decodePatch(b)
}

// decodePatch reads a PatchOp body (RFC 7644 §3.5.2): one JSON object, by
// the rules of every request body (decodeObject), whose operations
// patch.Operations reads.
func decodePatch(body []byte) ([]patch.Operation, error) {
	obj, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	return patch.Operations(obj)
}

// maxRetries bounds how often a PATCH or PUT without If-Match re-reads and
// re-applies after another writer changed the resource in between.
const maxRetries = 64

// backoff sleeps a short random time that grows with the attempt, so that
// writers racing on one resource spread out. It returns false if ctx was
// cancelled meanwhile.
func backoff(ctx context.Context, attempt int) bool {
	d := time.Duration(rand.Int64N(int64(min(attempt, 20))*int64(100*time.Microsecond) + 1))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// parseIfMatch reads an If-Match value (RFC 9110 §13.1.1). cond is nil when
// it is empty; otherwise it reports whether a current version satisfies it:
// "*" any existing resource, else any of the listed tags (compared
// weakly); for a resource type that maintains "groups" (groups true), a
// tag of a representation with groups names the version of its resource
// (see groupsMark). strict is true when tags were listed: a write that
// then loses a race is answered 412, where an unconditional one (or "*")
// is re-applied.
func parseIfMatch(v string, groups bool) (cond func(version string) bool, strict bool) {
	v = strings.TrimSpace(v)
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
	return func(version string) bool {
		return slices.ContainsFunc(tags, func(tag string) bool {
			if tag == version {
				return true
			}
			if !groups {
				return false
			}
			v, ok := resourceVersion(tag)
			return ok && v == version
		})
	}, true
}

// current reads the resource for one attempt of a write: it backs off
// after a few lost races, and answers 412 when an If-Match condition does
// not hold.
func (h *Handler) current(ctx context.Context, rt *resourceType, id string, attempt int, cond func(string) bool) (*store.Resource, error) {
	if attempt > 2 && !backoff(ctx, attempt) {
		return nil, ctx.Err()
	}
	old, err := h.get(ctx, rt, id)
	if err != nil {
		return nil, err
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

// notFoundAs names the resource in the detail of a not-found error.
func notFoundAs(err error, rt *resourceType, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Status: http.StatusNotFound, Detail: rt.Name + " " + strconv.Quote(id) + " not found", Err: err}
	}
	return err
}

// maxIDBytes bounds the ids the operations pass to a store; a longer one
// names no resource.
const maxIDBytes = 1024

// checkID answers an id that can name no resource (empty, longer than
// maxIDBytes, not UTF-8, or holding a NUL character, as /Users/%00 or
// /Users/%FF do) with 404 before any store sees it, so that every store
// answers alike.
func checkID(rt *resourceType, id string) error {
	if id == "" || len(id) > maxIDBytes || !utf8.ValidString(id) || strings.IndexByte(id, 0) >= 0 {
		return notFoundAs(store.ErrNotFound, rt, id)
	}
	return nil
}

func (h *Handler) get(ctx context.Context, rt *resourceType, id string) (*store.Resource, error) {
	if err := checkID(rt, id); err != nil {
		return nil, err
	}
	if rt.catalog != nil {
		return catalogGet(ctx, rt, id)
	}
	res, err := h.store.Get(ctx, rt.Name, id)
	if err != nil {
		return nil, notFoundAs(err, rt, id)
	}
	return res, nil
}

// normalize checks and normalizes a resource body (POST, PUT) for rt;
// ignored attributes are logged at debug level.
func (h *Handler) normalize(ctx context.Context, rt *resourceType, in map[string]any) (map[string]any, error) {
	if err := h.checkValues(in); err != nil {
		return nil, err
	}
	attrs, ignored, err := rt.Normalize(in)
	if err != nil {
		return nil, err
	}
	if err := h.checkDefined(rt, ignored); err != nil {
		return nil, err
	}
	if len(ignored) > 0 {
		h.log.DebugContext(ctx, "scim: ignored attributes", "resourceType", rt.Name, "attributes", ignored)
	}
	return attrs, nil
}

// checkDefined answers, when Config.RejectUndefinedAttributes is set, the
// first of the ignored paths of a write that no schema of rt defines (as
// opposed to read-only attributes, which are ignored by rule) with 400
// invalidSyntax naming it.
func (h *Handler) checkDefined(rt *resourceType, ignored []string) error {
	if !h.cfg.RejectUndefinedAttributes {
		return nil
	}
	for _, p := range ignored {
		urn, rest := schema.SplitURN(p, rt.URNs)
		name, sub, dotted := strings.Cut(rest, ".")
		if r, ok := rt.Lookup(urn, name); ok && (!dotted || r.Attr.Sub(sub) != nil) {
			continue
		}
		return &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidSyntax,
			Detail: "attribute " + strconv.Quote(p) + " is not defined by the schemas of " + rt.Name}
	}
	return nil
}

func (h *Handler) create(ctx context.Context, rt *resourceType, in map[string]any) (*store.Resource, error) {
	if rt.catalog != nil {
		return nil, readOnly(rt)
	}
	attrs, err := h.normalize(ctx, rt, in)
	if err != nil {
		return nil, err
	}
	if attrs, err = h.passwords(ctx, rt, attrs, nil, nil); err != nil {
		return nil, err
	}
	if attrs, err = h.checkGrants(ctx, rt, nil, attrs); err != nil {
		return nil, err
	}
	l := labels{}
	c := h.changeOf(rt, Created, "", nil, attrs)
	res, err := h.store.Create(h.withChange(ctx, c), &store.Resource{Type: rt.Name, Attributes: attrs})
	for err != nil {
		var again bool
		if again, err = l.learn(ctx, h.store, attrs["members"], err); !again {
			return nil, err
		}
		next := l.apply(attrs)
		c = h.changeOf(rt, Created, "", nil, next)
		res, err = h.store.Create(h.withChange(ctx, c), &store.Resource{Type: rt.Name, Attributes: next})
	}
	c.ID, c.Version = res.ID, res.Meta.Version
	h.report(ctx, c, res)
	return res, nil
}

func (h *Handler) replace(ctx context.Context, rt *resourceType, id string, in map[string]any, ifMatch string) (*store.Resource, error) {
	if rt.catalog != nil {
		return nil, readOnly(rt)
	}
	attrs, err := h.normalize(ctx, rt, in)
	if err != nil {
		return nil, err
	}
	if attrs, err = h.passwords(ctx, rt, attrs, nil, nil); err != nil {
		return nil, err
	}
	cond, strict := parseIfMatch(ifMatch, rt.groups)
	l := labels{}
	for attempt := 0; ; attempt++ {
		old, err := h.current(ctx, rt, id, attempt, cond)
		if err != nil {
			return nil, err
		}
		if err := rt.CheckImmutable(old.Attributes, attrs); err != nil {
			return nil, err
		}
		checked, err := h.checkGrants(ctx, rt, old.Attributes, keepUnsentGrants(rt, in, old.Attributes, attrs))
		if err != nil {
			return nil, err
		}
		next := keepWriteOnly(rt, old.Attributes, l.apply(checked))
		c := h.changeOf(rt, Replaced, id, old.Attributes, next)
		res, err := h.store.Replace(h.withChange(ctx, c), &store.Resource{Type: rt.Name, ID: id, Attributes: next}, old.Meta.Version)
		if err != nil {
			var relabel bool
			if relabel, err = l.learn(ctx, h.store, attrs["members"], err); relabel {
				continue
			}
		}
		again, err := retry(err, strict, attempt)
		if again {
			continue
		}
		if err != nil {
			return nil, notFoundAs(err, rt, id)
		}
		c.Version = res.Meta.Version
		h.report(ctx, c, res)
		return res, nil
	}
}

// passwords replaces the write-only attributes (password) that a write
// sets in attrs, its canonical data, by what Config.HashPassword returns
// for them, or drops them when there is no such hook, so that no store
// receives one in clear text. For a PATCH, changed lists what it set (the
// other write-only values in attrs are the stored forms, kept as they are);
// nil means every one is new. memo, if not nil, keeps the stored forms
// across a PATCH's retries, so the hook sees each password once. attrs is
// not modified.
func (h *Handler) passwords(ctx context.Context, rt *resourceType, attrs map[string]any, changed []string, memo map[string]string) (map[string]any, error) {
	var out map[string]any
	for _, a := range rt.Schema.Attributes {
		v, ok := attrs[a.Name].(string)
		if a.Mutability != schema.WriteOnly || !ok || (changed != nil && !slices.Contains(changed, a.Name)) {
			continue
		}
		if out == nil {
			out = maps.Clone(attrs)
		}
		if h.cfg.HashPassword == nil {
			delete(out, a.Name)
			continue
		}
		stored, done := memo[v]
		if !done {
			var err error
			if stored, err = h.cfg.HashPassword(ctx, v); err != nil {
				var e *Error
				if errors.As(err, &e) {
					return nil, e
				}
				return nil, &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidValue,
					Detail: "attribute " + strconv.Quote(a.Name) + ": the value was refused", Err: err}
			}
			if memo != nil {
				memo[v] = stored
			}
		}
		out[a.Name] = stored
	}
	if out == nil {
		return attrs, nil
	}
	return out, nil
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

// patch applies ops to a resource. When needResource is false and the store
// applied a membership delta without loading the resource, res is nil and
// only version is set.
func (h *Handler) patch(ctx context.Context, rt *resourceType, id string, ops []patch.Operation, ifMatch string, needResource bool) (res *store.Resource, version string, err error) {
	if rt.catalog != nil {
		return nil, "", readOnly(rt)
	}
	if err := checkID(rt, id); err != nil {
		return nil, "", err
	}
	for i, op := range ops {
		if err := h.checkValues(op.Value); err != nil {
			e := err.(*Error)
			e.Detail = "operation " + strconv.Itoa(i) + ": " + e.Detail
			return nil, "", e
		}
	}
	if len(ops) > h.maxOps {
		return nil, "", &Error{Status: http.StatusRequestEntityTooLarge,
			Detail: "PATCH has " + strconv.Itoa(len(ops)) + " operations; at most " + strconv.Itoa(h.maxOps) + " are accepted"}
	}
	cond, strict := parseIfMatch(ifMatch, rt.groups)
	hashed := map[string]string{} // stored forms of the passwords written, across retries
	l := labels{}                 // member labels corrected, across retries
	if h.members != nil && !strict {
		if d, ok := memberDeltaOf(rt, id, ops); ok {
			res, version, err := h.patchDelta(ctx, rt, id, d, needResource, l)
			if !errors.Is(err, errors.ErrUnsupported) {
				return res, version, err
			}
		}
	}
	for attempt := 0; ; attempt++ {
		old, err := h.current(ctx, rt, id, attempt, cond)
		if err != nil {
			return nil, "", err
		}
		result, err := patch.Apply(rt.ResourceType, id, old.Attributes, ops)
		if err != nil {
			return nil, "", err
		}
		if err := h.checkDefined(rt, result.Ignored); err != nil {
			return nil, "", err
		}
		if result.Attributes, err = h.passwords(ctx, rt, result.Attributes, result.Changed, hashed); err != nil {
			return nil, "", err
		}
		if result.Attributes, err = h.checkGrants(ctx, rt, old.Attributes, result.Attributes); err != nil {
			return nil, "", err
		}
		res := old
		if len(result.Changed) > 0 {
			c := store.Change{Kind: Patched, Type: rt.Name, ID: id, Changed: result.Changed,
				MembersAdded: result.MembersAdded, MembersRemoved: result.MembersRemoved}
			if h.changes {
				c.Granted, c.Revoked = grantDelta(rt, old.Attributes, result.Attributes)
			}
			res, err = h.store.Replace(h.withChange(ctx, c), &store.Resource{Type: rt.Name, ID: id, Attributes: l.apply(result.Attributes)}, old.Meta.Version)
			if err != nil {
				var relabel bool
				if relabel, err = l.learn(ctx, h.store, result.Attributes["members"], err); relabel {
					continue
				}
			}
			var again bool
			if again, err = retry(err, strict, attempt); again {
				continue
			}
			if err != nil {
				return nil, "", notFoundAs(err, rt, id)
			}
			c.Version = res.Meta.Version
			h.report(ctx, c, res)
		}
		return res, res.Meta.Version, nil
	}
}

// patchDelta applies a membership PATCH through the store's MemberPatcher.
// It returns an error wrapping errors.ErrUnsupported, having written
// nothing, when the store declines, so that the caller takes the general
// path.
func (h *Handler) patchDelta(ctx context.Context, rt *resourceType, id string, d store.MemberDelta, needResource bool, l labels) (*store.Resource, string, error) {
	d.SkipResource = !needResource && h.cfg.OnChange == nil
	res, err := h.members.PatchMembers(ctx, rt.Name, id, d, "")
	for err != nil && !errors.Is(err, errors.ErrUnsupported) {
		add := make([]any, len(d.Add))
		for i, m := range d.Add {
			add[i] = m
		}
		var again bool
		if again, err = l.learn(ctx, h.store, add, err); !again {
			break
		}
		res, err = h.members.PatchMembers(ctx, rt.Name, id, l.applyDelta(d), "")
	}
	if errors.Is(err, errors.ErrUnsupported) {
		return nil, "", err
	}
	if err != nil {
		return nil, "", notFoundAs(err, rt, id)
	}
	if c, ok := res.Change(rt.Name, id, d); ok {
		h.report(ctx, c, res.Resource)
	}
	out := res.Resource
	if out == nil && needResource {
		if out, err = h.get(ctx, rt, id); err != nil {
			return nil, "", err
		}
	}
	return out, res.Version, nil
}

func (h *Handler) delete(ctx context.Context, rt *resourceType, id, ifMatch string) error {
	if rt.catalog != nil {
		return readOnly(rt)
	}
	if err := checkID(rt, id); err != nil {
		return err
	}
	ifVersion := ""
	if cond, strict := parseIfMatch(ifMatch, rt.groups); cond != nil {
		cur, err := h.get(ctx, rt, id)
		if err != nil {
			return err
		}
		if !cond(cur.Meta.Version) {
			return store.ErrVersionMismatch
		}
		if strict {
			ifVersion = cur.Meta.Version
		}
	}
	c := store.Change{Kind: Deleted, Type: rt.Name, ID: id}
	if err := h.store.Delete(h.withChange(ctx, c), rt.Name, id, ifVersion); err != nil {
		return notFoundAs(err, rt, id)
	}
	h.report(ctx, c, nil)
	return nil
}
