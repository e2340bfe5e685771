package scim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// listResponse is the ListResponse message of RFC 7644 §3.4.2. Resources is
// never null.
type listResponse struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	StartIndex   int      `json:"startIndex"`
	ItemsPerPage int      `json:"itemsPerPage"`
	Resources    []any    `json:"Resources"`
}

// listSchemas is the "schemas" of every ListResponse; it is never
// modified.
var listSchemas = []string{schema.ListResponseURN}

func newList(total, start int, items []any) listResponse {
	if items == nil {
		items = []any{}
	}
	return listResponse{Schemas: listSchemas, TotalResults: total, StartIndex: start,
		ItemsPerPage: len(items), Resources: items}
}

// searchParams are the list parameters of RFC 7644 §3.4.2 as they arrive
// over HTTP, from a query string or a SearchRequest body (§3.4.3).
type searchParams struct {
	filter               string
	hasFilter            bool
	startIndex, count    string
	sortBy, sortOrder    string
	attributes, excluded string
	cursor               string
	hasCursor            bool
}

func paramsFromQuery(q url.Values) searchParams {
	_, hasFilter := q["filter"]
	_, hasCursor := q["cursor"]
	return searchParams{
		cursor: q.Get("cursor"), hasCursor: hasCursor,
		filter: q.Get("filter"), hasFilter: hasFilter,
		startIndex: q.Get("startindex"), count: q.Get("count"),
		sortBy: q.Get("sortby"), sortOrder: q.Get("sortorder"),
		attributes: q.Get("attributes"), excluded: q.Get("excludedattributes"),
	}
}

// request turns the parameters into a SearchRequest, refusing what has no
// typed form: an empty filter and numbers that are not integers.
func (sp searchParams) request() (SearchRequest, error) {
	req := SearchRequest{Filter: sp.filter, SortBy: sp.sortBy, SortOrder: sp.sortOrder}
	if sp.hasFilter && strings.TrimSpace(sp.filter) == "" {
		return req, &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidFilter, Detail: "filter is empty"}
	}
	if s := strings.TrimSpace(sp.startIndex); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return req, badParam("startIndex must be an integer, got %q", sp.startIndex)
		}
		req.StartIndex = n
	}
	if s := strings.TrimSpace(sp.count); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return req, badParam("count must be an integer, got %q", sp.count)
		}
		req.Count = &n
	}
	if sp.attributes != "" {
		req.Attributes = []string{sp.attributes}
	}
	if sp.excluded != "" {
		req.ExcludedAttributes = []string{sp.excluded}
	}
	if sp.hasCursor {
		c := sp.cursor
		req.Cursor = &c
	}
	return req, nil
}

func badParam(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidValue, Detail: fmt.Sprintf(format, args...)}
}

// storeQuery turns a search request into a store.Query for rt
// (RFC 7644 §3.4.2.2–§3.4.2.4).
func (h *Handler) storeQuery(rt *resourceType, req SearchRequest) (store.Query, error) {
	sq := store.Query{StartIndex: 1, Count: h.maxCount}
	if f := strings.TrimSpace(req.Filter); f != "" {
		e, err := rt.parser.Parse(f)
		if err != nil {
			return sq, err
		}
		if name := neverReturned(e); name != "" {
			return sq, &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidFilter,
				Detail: "attribute " + strconv.Quote(name) + " is never returned and cannot be filtered on"}
		}
		sq.Filter = e
	}
	if req.StartIndex > 1 { // less than 1 is interpreted as 1 (RFC 7644 §3.4.2.4)
		sq.StartIndex = req.StartIndex
	}
	if req.Count != nil { // a negative count is interpreted as 0 (RFC 7644 §3.4.2.4)
		sq.Count = min(max(*req.Count, 0), h.maxCount)
	}
	if s := strings.TrimSpace(req.SortBy); s != "" {
		p, err := rt.parser.ParseAttrPath(s)
		if err == nil && p.Sub == "" && p.Attr != nil && p.Attr.MultiValued && p.Attr.Type == schema.Complex && p.Attr.Sub("value") != nil {
			// A multi-valued attribute sorts by its primary value, else
			// its first (RFC 7644 §3.4.2.3): for a complex one, the
			// "value" sub-attribute of that element, which is what
			// sorting by <attribute>.value means to every store. The
			// checks below apply to that path.
			p, err = rt.parser.ParseAttrPath(s + ".value")
		}
		if err != nil {
			return sq, badParam("sortBy %q is not an attribute of %s: %s", s, rt.Name, pathError(err))
		}
		if isNever(p.Attr) || isNever(p.Leaf()) {
			return sq, badParam("sortBy %q names an attribute that is never returned and cannot be sorted on", s)
		}
		if rt.groups && p.URN == "" && p.Name == "groups" {
			return sq, badParam("sortBy %q: groups are computed from memberships and cannot be sorted on", s)
		}
		if p.Leaf() != nil && p.Leaf().Type == schema.Complex {
			return sq, badParam("sortBy %q names a complex attribute; name one of its sub-attributes", s)
		}
		sq.SortBy = p
	}
	switch strings.ToLower(strings.TrimSpace(req.SortOrder)) {
	case "", "ascending":
	case "descending":
		sq.Descending = true
	default:
		return sq, badParam(`sortOrder must be "ascending" or "descending", got %q`, req.SortOrder)
	}
	return sq, nil
}

// projection parses the attributes and excludedAttributes of a search
// request; both empty means the default set (nil).
func (rt *resourceType) projection(req SearchRequest) (*schema.Projection, error) {
	return parseProjection(rt, strings.Join(req.Attributes, ","), strings.Join(req.ExcludedAttributes, ","))
}

// serveList answers GET /{endpoint}.
func (h *Handler) serveList(w http.ResponseWriter, r *http.Request, rt *resourceType) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	return h.serveSearchParams(w, r, rt, paramsFromQuery(q))
}

// serveSearchParams answers a list of rt (GET or .search) with the given
// parameters.
func (h *Handler) serveSearchParams(w http.ResponseWriter, r *http.Request, rt *resourceType, sp searchParams) error {
	req, err := sp.request()
	if err != nil {
		return err
	}
	l, err := h.list(r.Context(), rt, req)
	if err != nil {
		return err
	}
	return h.writeListed(w, r, l)
}

// writeListed writes a page as a ListResponse (RFC 7644 §3.4.2), or with a
// nextCursor and no startIndex for cursor pagination (RFC 9865 §4).
func (h *Handler) writeListed(w http.ResponseWriter, r *http.Request, l listed) error {
	if err := h.listedGroups(r.Context(), l, h.groupRef(r)); err != nil {
		return err
	}
	items := make([]any, 0, len(l.items))
	for _, it := range l.items {
		items = append(items, h.render(r, it.rt, it.res, it.p))
	}
	if l.cursor {
		out := cursorList{Schemas: listSchemas, TotalResults: l.total, ItemsPerPage: len(items), Resources: items}
		if l.next != "" {
			out.NextCursor = l.next
		}
		h.writeJSON(w, r, http.StatusOK, out)
		return nil
	}
	h.writeJSON(w, r, http.StatusOK, newList(l.total, l.start, items))
	return nil
}

// list runs a search request over one resource type.
func (h *Handler) list(ctx context.Context, rt *resourceType, req SearchRequest) (listed, error) {
	if req.Cursor != nil {
		return h.cursorList(ctx, rt, req)
	}
	sq, err := h.storeQuery(rt, req)
	if err != nil {
		return listed{}, err
	}
	p, err := rt.projection(req)
	if err != nil {
		return listed{}, err
	}
	sq.Groups = rt.returnsGroups(p)
	page, err := h.query(ctx, rt, sq)
	if err != nil {
		return listed{}, err
	}
	l := listed{total: page.Total, start: sq.StartIndex, items: make([]listItem, 0, len(page.Resources)), groups: page.Groups}
	for _, res := range page.Resources {
		l.items = append(l.items, listItem{rt: rt, res: res, p: p})
	}
	return l, nil
}

// query runs sq against the store. When the store evaluates only part of
// the filter (store.FilterSplitter), the handler fetches every candidate,
// evaluates the rest with filter.Match and pages the result itself, so the
// answer is the same either way.
func (h *Handler) query(ctx context.Context, rt *resourceType, sq store.Query) (*store.Page, error) {
	if rt.catalog != nil {
		all, err := catalogResources(ctx, rt)
		if err != nil {
			return nil, err
		}
		return store.ListSlice(ctx, all, sq)
	}
	if rt.groups && sq.Filter != nil && namesGroups(sq.Filter) {
		return h.queryGroups(ctx, rt, sq)
	}
	fs, ok := h.store.(store.FilterSplitter)
	if !ok || sq.Filter == nil {
		return h.store.List(ctx, rt.Name, sq)
	}
	pushed, residual := fs.SplitFilter(rt.Name, sq.Filter)
	if residual == nil {
		sq.Filter = pushed
		return h.store.List(ctx, rt.Name, sq)
	}
	cand, err := h.candidates(ctx, sq, pushed, sq.Filter, func(q store.Query) (*store.Page, error) { return h.store.List(ctx, rt.Name, q) })
	if err != nil {
		return nil, err
	}
	return pageMatching(cand, sq, func(i int) bool { return filter.Match(residual, cand[i].Object()) }), nil
}

// candidates asks list for the resources that the filter pushed selects
// (all when nil), in sq's order, for evaluation in memory: at most
// MaxFilterCandidates of them, else the client's filter whole is answered
// 400 tooMany.
func (h *Handler) candidates(ctx context.Context, sq store.Query, pushed, whole filter.Expr, list func(store.Query) (*store.Page, error)) ([]*store.Resource, error) {
	all := sq
	all.Filter, all.StartIndex, all.Count, all.Groups = pushed, 1, h.maxCandidates+1, false
	cand, err := list(all)
	if err != nil {
		return nil, err
	}
	if len(cand.Resources) > h.maxCandidates || cand.Total > h.maxCandidates {
		return nil, h.tooMany(whole)
	}
	return cand.Resources, nil
}

// pageMatching returns the page sq asks for of the candidates for which
// match holds, in order.
func pageMatching(cand []*store.Resource, sq store.Query, match func(i int) bool) *store.Page {
	var matched []*store.Resource
	for i, res := range cand {
		if match(i) {
			matched = append(matched, res)
		}
	}
	page := &store.Page{Total: len(matched)}
	if from := sq.StartIndex - 1; from < len(matched) {
		page.Resources = matched[from:min(len(matched), from+sq.Count)]
	}
	return page
}

// tooMany answers a filter whose evaluation needs more candidates than
// Config.MaxFilterCandidates (RFC 7644 §3.12 "tooMany").
func (h *Handler) tooMany(f filter.Expr) *Error {
	return &Error{Status: http.StatusBadRequest, ScimType: schema.ScimTooMany,
		Detail: "the filter " + strconv.Quote(f.String()) + " needs more than " + strconv.Itoa(h.maxCandidates) +
			" resources evaluated; narrow it with a condition the store can look up, such as userName eq"}
}

func isNever(a *schema.Attribute) bool { return a != nil && a.Returned == schema.Never }

// neverReturned returns the name of the first attribute in e whose values
// are never returned (password): filtering on it would let a client test
// guesses against stored secrets, so such filters are refused. It returns ""
// when there is none.
func neverReturned(e filter.Expr) string {
	name := ""
	filter.AnyPath(e, func(p filter.AttrPath) bool {
		if isNever(p.Attr) || isNever(p.SubAttr) {
			name = p.String()
		}
		return name != ""
	})
	return name
}

// pathError is the message of err, an error from parsing an attribute path
// given as a parameter: a *filter.Error's own text calls the parameter a
// filter, which it is not, so this gives the message alone, with the byte
// offset in the parameter (counted from 0, as filter errors count) when
// the problem is past its start.
func pathError(err error) string {
	var fe *filter.Error
	if !errors.As(err, &fe) {
		return err.Error()
	}
	if fe.Offset > 0 {
		return "at offset " + strconv.Itoa(fe.Offset) + ": " + fe.Msg
	}
	return fe.Msg
}
