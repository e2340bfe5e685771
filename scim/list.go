package scim

import (
	"fmt"
	"math"
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

func newList(total, start int, items []any) listResponse {
	if items == nil {
		items = []any{}
	}
	return listResponse{Schemas: []string{schema.ListResponseURN}, TotalResults: total, StartIndex: start,
		ItemsPerPage: len(items), Resources: items}
}

// searchParams are the list parameters of RFC 7644 §3.4.2, from a query
// string or a SearchRequest body (§3.4.3).
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

func badParam(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidValue, Detail: fmt.Sprintf(format, args...)}
}

// storeQuery turns the parameters into a store.Query for rt
// (RFC 7644 §3.4.2.2–§3.4.2.4).
func (h *Handler) storeQuery(rt *resourceType, sp searchParams) (store.Query, error) {
	sq := store.Query{StartIndex: 1, Count: h.maxCount}
	if f := strings.TrimSpace(sp.filter); f != "" {
		e, err := rt.parser.Parse(f)
		if err != nil {
			return sq, err
		}
		if name := neverReturned(e); name != "" {
			return sq, &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidFilter,
				Detail: "attribute " + strconv.Quote(name) + " is never returned and cannot be filtered on"}
		}
		sq.Filter = e
	} else if sp.hasFilter {
		return sq, &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidFilter, Detail: "filter is empty"}
	}
	if s := strings.TrimSpace(sp.startIndex); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return sq, badParam("startIndex must be an integer, got %q", sp.startIndex)
		}
		if n > 1 { // less than 1 is interpreted as 1 (RFC 7644 §3.4.2.4)
			sq.StartIndex = n
		}
	}
	if s := strings.TrimSpace(sp.count); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return sq, badParam("count must be a non-negative integer, got %q", sp.count)
		}
		sq.Count = min(n, h.maxCount)
	}
	if s := strings.TrimSpace(sp.sortBy); s != "" {
		p, err := rt.parser.ParseAttrPath(s)
		if err != nil {
			return sq, badParam("sortBy %q is not an attribute of %s: %v", s, rt.Name, err)
		}
		if isNever(p.Attr) || isNever(p.Leaf()) {
			return sq, badParam("sortBy %q names an attribute that is never returned and cannot be sorted on", s)
		}
		if p.Leaf() != nil && p.Leaf().Type == schema.Complex {
			return sq, badParam("sortBy %q names a complex attribute; name one of its sub-attributes", s)
		}
		sq.SortBy = p
	}
	switch strings.ToLower(strings.TrimSpace(sp.sortOrder)) {
	case "", "ascending":
	case "descending":
		sq.Descending = true
	default:
		return sq, badParam(`sortOrder must be "ascending" or "descending", got %q`, sp.sortOrder)
	}
	return sq, nil
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request, rt *resourceType) {
	q, err := query(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.answerList(w, r, rt, paramsFromQuery(q))
}

func (h *Handler) answerList(w http.ResponseWriter, r *http.Request, rt *resourceType, sp searchParams) {
	if sp.hasCursor {
		h.answerCursor(w, r, rt, sp)
		return
	}
	sq, err := h.storeQuery(rt, sp)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := parseProjection(rt, sp.attributes, sp.excluded)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page, err := h.query(r, rt, sq)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items := make([]any, 0, len(page.Resources))
	for _, res := range page.Resources {
		items = append(items, h.render(r, rt, res, p))
	}
	h.writeJSON(w, r, http.StatusOK, newList(page.Total, sq.StartIndex, items))
}

// query runs sq against the store. When the store evaluates only part of
// the filter (store.FilterSplitter), the handler fetches every candidate,
// evaluates the rest with filter.Match and pages the result itself, so the
// answer is the same either way.
func (h *Handler) query(r *http.Request, rt *resourceType, sq store.Query) (*store.Page, error) {
	fs, ok := h.store.(store.FilterSplitter)
	if !ok || sq.Filter == nil {
		return h.store.List(r.Context(), rt.Name, sq)
	}
	pushed, residual := fs.SplitFilter(rt.Name, sq.Filter)
	if residual == nil {
		sq.Filter = pushed
		return h.store.List(r.Context(), rt.Name, sq)
	}
	all := sq
	all.Filter, all.StartIndex, all.Count = pushed, 1, math.MaxInt32
	cand, err := h.store.List(r.Context(), rt.Name, all)
	if err != nil {
		return nil, err
	}
	var matched []*store.Resource
	for _, res := range cand.Resources {
		if filter.Match(residual, res.Object()) {
			matched = append(matched, res)
		}
	}
	page := &store.Page{Total: len(matched)}
	if from := sq.StartIndex - 1; from < len(matched) {
		page.Resources = matched[from:min(len(matched), from+sq.Count)]
	}
	return page, nil
}

func isNever(a *schema.Attribute) bool { return a != nil && a.Returned == schema.Never }

// neverReturned returns the name of the first attribute in e whose values
// are never returned (password): filtering on it would let a client test
// guesses against stored secrets, so such filters are refused. It returns ""
// when there is none.
func neverReturned(e filter.Expr) string {
	switch e := e.(type) {
	case *filter.Compare:
		if isNever(e.Path.Attr) || isNever(e.Path.SubAttr) {
			return e.Path.String()
		}
	case *filter.Present:
		if isNever(e.Path.Attr) || isNever(e.Path.SubAttr) {
			return e.Path.String()
		}
	case *filter.And:
		if n := neverReturned(e.Left); n != "" {
			return n
		}
		return neverReturned(e.Right)
	case *filter.Or:
		if n := neverReturned(e.Left); n != "" {
			return n
		}
		return neverReturned(e.Right)
	case *filter.Not:
		return neverReturned(e.X)
	case *filter.ValuePath:
		if isNever(e.Path.Attr) {
			return e.Path.String()
		}
		return neverReturned(e.Filter)
	}
	return ""
}
