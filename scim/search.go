package scim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// readSearch decodes a SearchRequest body (RFC 7644 §3.4.3). Member names
// are matched case-insensitively; attributes and excludedAttributes may be
// arrays or comma-separated strings; startIndex and count may be numbers or
// numeric strings.
func (h *Handler) readSearch(w http.ResponseWriter, r *http.Request) (searchParams, error) {
	var sp searchParams
	obj, err := h.readObject(w, r)
	if err != nil {
		return sp, err
	}
	for k, v := range obj {
		if v == nil {
			continue // null is the same as absent
		}
		var dst *string
		switch strings.ToLower(k) {
		case "schemas":
			continue
		case "filter":
			dst, sp.hasFilter = &sp.filter, true
		case "startindex":
			dst = &sp.startIndex
		case "count":
			dst = &sp.count
		case "sortby":
			dst = &sp.sortBy
		case "sortorder":
			dst = &sp.sortOrder
		case "attributes":
			dst = &sp.attributes
		case "excludedattributes":
			dst = &sp.excluded
		case "cursor":
			dst, sp.hasCursor = &sp.cursor, true
		default:
			continue
		}
		s, ok := searchValue(v)
		if !ok {
			return sp, badParam("SearchRequest member %q has a value of the wrong type", k)
		}
		*dst = s
	}
	return sp, nil
}

func searchValue(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ","), true
	}
	return "", false
}

// serveSearch answers POST /{endpoint}/.search like the GET list.
func (h *Handler) serveSearch(w http.ResponseWriter, r *http.Request, rt *resourceType) error {
	sp, err := h.readSearch(w, r)
	if err != nil {
		return err
	}
	return h.serveSearchParams(w, r, rt, sp)
}

// serveRootSearch answers POST /.search.
func (h *Handler) serveRootSearch(w http.ResponseWriter, r *http.Request) error {
	sp, err := h.readSearch(w, r)
	if err != nil {
		return err
	}
	req, err := sp.request()
	if err != nil {
		return err
	}
	l, err := h.rootSearch(r.Context(), req)
	if err != nil {
		return err
	}
	return h.writeListed(w, r, l)
}

// rootSearch searches across every resource type (RFC 7644 §3.4.3), in
// configuration order. A resource type whose schema lacks an attribute the
// filter names is skipped; if that is every type, the filter error is
// answered.
func (h *Handler) rootSearch(ctx context.Context, req SearchRequest) (listed, error) {
	if strings.TrimSpace(req.SortBy) != "" {
		return listed{}, badParam("sortBy is not supported across resource types; search one resource type's endpoint")
	}
	if req.Cursor != nil {
		return listed{}, badParam("cursor pagination is not supported across resource types; search one resource type's endpoint")
	}
	type part struct {
		rt      *resourceType
		q       store.Query
		p       *schema.Projection
		total   int
		unbound filter.Expr // the filter, when it names attributes rt lacks
	}
	var parts []part
	var firstErr error
	var start, count int
	for _, rt := range h.types {
		q, err := h.storeQuery(rt, req)
		var unbound filter.Expr
		var fe *filter.Error
		if errors.As(err, &fe) && fe.Unknown {
			if firstErr == nil {
				firstErr = err
			}
			// An attribute a resource type does not define is unassigned
			// in its resources (RFC 7644 §3.4.2.1): evaluate the filter so.
			if unbound, err = (filter.Parser{Strict: h.cfg.StrictFilters}).Parse(strings.TrimSpace(req.Filter)); err == nil {
				rest := req
				rest.Filter = ""
				q, err = h.storeQuery(rt, rest)
			}
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		p, err := rt.projection(req)
		if err != nil {
			return listed{}, err
		}
		start, count = q.StartIndex, q.Count
		totals := q
		totals.StartIndex, totals.Count = 1, 0
		page, err := h.queryEither(ctx, rt, totals, unbound)
		if err != nil {
			return listed{}, err
		}
		parts = append(parts, part{rt: rt, q: q, p: p, total: page.Total, unbound: unbound})
	}
	if !slices.ContainsFunc(parts, func(pt part) bool { return pt.unbound == nil }) {
		// No resource type defines every attribute the filter names: it
		// is an error, not a filter that matches nothing.
		return listed{}, firstErr
	}
	l := listed{start: start}
	for _, pt := range parts {
		l.total += pt.total
	}
	offset := start - 1 // of the first wanted resource across all types
	for _, pt := range parts {
		if len(l.items) >= count {
			break
		}
		if offset >= pt.total {
			offset -= pt.total
			continue
		}
		q := pt.q
		q.StartIndex, q.Count = offset+1, count-len(l.items)
		page, err := h.queryEither(ctx, pt.rt, q, pt.unbound)
		if err != nil {
			return listed{}, err
		}
		for _, res := range page.Resources {
			l.items = append(l.items, listItem{rt: pt.rt, res: res, p: pt.p})
		}
		offset = 0
	}
	return l, nil
}

// queryEither is query, or, when unbound is not nil, the evaluation of
// unbound (a filter naming attributes rt does not define) on rt's resources
// with filter.Match, over at most MaxFilterCandidates of them.
func (h *Handler) queryEither(ctx context.Context, rt *resourceType, sq store.Query, unbound filter.Expr) (*store.Page, error) {
	if unbound == nil {
		return h.query(ctx, rt, sq)
	}
	cand, err := h.candidates(ctx, sq, nil, unbound, func(q store.Query) (*store.Page, error) { return h.store.List(ctx, rt.Name, q) })
	if err != nil {
		return nil, err
	}
	return pageMatching(cand, sq, func(i int) bool { return filter.Match(unbound, cand[i].Object()) }), nil
}
