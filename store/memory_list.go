package store

import (
	"context"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

// List returns the page of resources of type typ that match q.Filter, in
// creation order. See [Memory] for when it uses an index.
func (m *Memory) List(ctx context.Context, typ string, q Query) (*Page, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	start := max(q.StartIndex, 1) - 1
	count := max(q.Count, 0)
	tenant := m.tenantOf(ctx)
	m.mu.RLock()
	defer m.mu.RUnlock()
	t := m.table(tenant, typ)
	if t == nil {
		return &Page{Resources: []*Resource{}}, nil
	}
	candidates, indexed := t.candidates(q.Filter)
	if !indexed && q.Filter == nil && t.holes == 0 && q.SortBy.Name == "" {
		// Every resource matches: the page is a slice of the order.
		total := len(t.order)
		lo := min(start, total)
		hi := min(lo+count, total)
		page := make([]*Resource, hi-lo)
		for i, rec := range t.order[lo:hi] {
			page[i] = rec.current().res
		}
		return &Page{Resources: page, Total: total}, nil
	}
	if !indexed {
		candidates = t.order
	}
	if q.SortBy.Name != "" {
		matched, err := sortMatches(ctx, candidates, q)
		if err != nil {
			return nil, err
		}
		lo := min(start, len(matched))
		hi := min(lo+count, len(matched))
		page := make([]*Resource, hi-lo)
		for i, k := range matched[lo:hi] {
			page[i] = k.rec.current().res
		}
		return &Page{Resources: page, Total: len(matched)}, nil
	}
	page := make([]*Resource, 0, min(count, len(candidates)))
	total := 0
	err := scan(ctx, candidates, q.Filter, func(_ *record, v *view) {
		if total >= start && len(page) < count {
			page = append(page, v.res)
		}
		total++
	})
	if err != nil {
		return nil, err
	}
	return &Page{Resources: page, Total: total}, nil
}

// scan calls visit, in order, for each live record of candidates whose
// current resource matches f (all when f is nil), and checks ctx every
// scanCheckEvery records.
func scan(ctx context.Context, candidates []*record, f filter.Expr, visit func(rec *record, v *view)) error {
	for i, rec := range candidates {
		if i%scanCheckEvery == scanCheckEvery-1 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if rec == nil {
			continue
		}
		v := rec.current()
		if f != nil && !filter.Match(f, v.obj) {
			continue
		}
		visit(rec, v)
	}
	return nil
}

// keyed is a matching record with its sort key.
type keyed struct {
	rec *record
	key schema.SortKey
}

// sortMatches evaluates q.Filter on candidates (in creation order) and
// returns the matches sorted by q.SortBy, ties in creation order.
func sortMatches(ctx context.Context, candidates []*record, q Query) ([]keyed, error) {
	var matched []keyed
	err := scan(ctx, candidates, q.Filter, func(rec *record, v *view) {
		matched = append(matched, keyed{rec: rec, key: sortKeyOf(v.obj, q.SortBy)})
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(matched, func(a, b keyed) int {
		return schema.CompareSortKeys(a.key, b.key, q.Descending)
	})
	return matched, nil
}

// sortKeyOf returns the sort key of the attribute at p in obj: of a
// multi-valued attribute its primary value, else its first, keyed by
// schema's sort order.
func sortKeyOf(obj map[string]any, p filter.AttrPath) schema.SortKey {
	bound := p.Attr != nil
	m := obj
	if p.URN != "" {
		if ext, ok := field(obj, p.URN, bound).(map[string]any); ok {
			m = ext
		} else if bound {
			return schema.SortKey{}
		}
	}
	v := representative(field(m, p.Name, bound))
	if p.Sub != "" {
		sub, ok := v.(map[string]any)
		if !ok {
			return schema.SortKey{}
		}
		v = representative(field(sub, p.Sub, bound))
	}
	return p.Leaf().SortKey(v)
}

// field returns m[key], or when the path is unbound the value of the first
// key equal to key case-insensitively.
func field(m map[string]any, key string, bound bool) any {
	if v, ok := m[key]; ok || bound {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// representative returns the value a multi-valued attribute sorts by: the
// element whose "primary" is true, else the first; other values as they are.
func representative(v any) any {
	arr, ok := v.([]any)
	if !ok {
		return v
	}
	for _, el := range arr {
		if m, ok := el.(map[string]any); ok && m["primary"] == true {
			return el
		}
	}
	if len(arr) == 0 {
		return nil
	}
	return arr[0]
}
