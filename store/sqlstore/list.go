package sqlstore

import (
	"context"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
)

// listWhere returns the condition selecting the resources of typ that
// match the part of f that translates to SQL, the translator holding its
// arguments, and the rest of f, to apply with filter.Match.
func (s *Store) listWhere(ctx context.Context, typ string, ti *typeInfo, f filter.Expr) (*translator, string, filter.Expr) {
	pushed, residual := s.sqlSplit(typ, f)
	t := &translator{d: s.d, b: &builder{d: s.d}, ti: ti, typ: typ}
	b := t.b
	where := "r.tenant = " + b.arg(s.tenant(ctx)) + " AND r.type = " + b.arg(typ)
	if pushed != nil {
		c, ok := t.cond(pushed, scope{})
		if !ok {
			// sqlSplit pushed only what translates; drop the
			// arguments of the attempt.
			b.args = b.args[:2]
			return t, where, f
		}
		where += " AND " + c
	}
	return t, where, residual
}

// List returns the page of resources of type typ that match q.Filter, in
// creation order or by q.SortBy (missing values last, ties in creation
// order). The parts of the filter that translate to SQL run there with
// the paging; when the filter has other terms, List reads every match of
// the translated part in order, evaluates the rest with filter.Match and
// pages the result itself, keeping only the page; it fails with
// [ErrTooMany] when more than Config.MaxScan resources match that part.
func (s *Store) List(ctx context.Context, typ string, q store.Query) (_ *store.Page, err error) {
	ctx, done := s.bound(ctx, q.Filter != nil)
	defer done(&err)
	ti := s.info(typ)
	start := max(q.StartIndex, 1) - 1
	count := max(q.Count, 0)
	t, where, residual := s.listWhere(ctx, typ, ti, q.Filter)
	b := t.b
	order := "r.seq"
	if q.SortBy.Name != "" {
		if x, _, ok := t.sortExpr(&q.SortBy); ok {
			order = s.keyOrder(x, q.Descending)
		}
	}
	if residual != nil {
		if err := s.scanLimit(ctx, where, b.args); err != nil {
			return nil, err
		}
		return s.listResidual(ctx, typ, ti, b, where, order, residual, start, count)
	}
	if count == 0 {
		var total int
		err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM scim_resources r WHERE "+where, b.args...).Scan(&total)
		if err != nil {
			return nil, err
		}
		return &store.Page{Resources: []*store.Resource{}, Total: total}, nil
	}
	countArgs := len(b.args)
	query := "SELECT " + s.selectList(ti) + ", count(*) OVER () FROM scim_resources r WHERE " + where +
		" ORDER BY " + order + " LIMIT " + b.arg(count) + " OFFSET " + b.arg(start)
	rows, err := s.db.QueryContext(ctx, query, b.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page := &store.Page{Resources: make([]*store.Resource, 0, min(count, 64))}
	for rows.Next() {
		res, err := s.scanResource(rows, typ, &page.Total)
		if err != nil {
			return nil, err
		}
		page.Resources = append(page.Resources, res)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(page.Resources) == 0 && start > 0 {
		// Past the end: the window gave no row to carry the total.
		err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM scim_resources r WHERE "+where, b.args[:countArgs]...).Scan(&page.Total)
		if err != nil {
			return nil, err
		}
	}
	return page, nil
}

// listResidual lists every match of where in order, keeps those that
// satisfy residual and pages them.
func (s *Store) listResidual(ctx context.Context, typ string, ti *typeInfo, b *builder, where, order string, residual filter.Expr, start, count int) (*store.Page, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+s.selectList(ti)+" FROM scim_resources r WHERE "+where+" ORDER BY "+order, b.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page := &store.Page{Resources: make([]*store.Resource, 0, min(count, 64))}
	for rows.Next() {
		res, err := s.scanResource(rows, typ)
		if err != nil {
			return nil, err
		}
		if !filter.Match(residual, res.Object()) {
			continue
		}
		if page.Total >= start && len(page.Resources) < count {
			page.Resources = append(page.Resources, res)
		}
		page.Total++
	}
	return page, rows.Err()
}
