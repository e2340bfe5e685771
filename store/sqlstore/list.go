package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
)

// listWhere returns the condition selecting the resources of typ that
// match the part of f that translates to SQL, the translator holding its
// arguments, and the rest of f, to apply with filter.Match.
func (s *Store) listWhere(ctx context.Context, typ string, ti *typeInfo, f filter.Expr) (*translator, string, filter.Expr) {
	t, where, residual, _ := s.listPlan(ctx, typ, ti, f, false)
	return t, where, residual
}

// listPlan is listWhere, also telling, when keyed and the whole filter
// translates, how List's statement should reach the rows (see keyLookup);
// otherwise the plan reads the resources table in seq order.
func (s *Store) listPlan(ctx context.Context, typ string, ti *typeInfo, f filter.Expr, keyed bool) (*translator, string, filter.Expr, lookupPlan) {
	pushed, residual := s.sqlSplit(typ, f)
	t := &translator{d: s.d, b: &builder{d: s.d}, ti: ti, typ: typ}
	b := t.b
	tenant, typeArg := b.arg(s.tenant(ctx)), b.arg(typ)
	where := "r.tenant = " + tenant + " AND r.type = " + typeArg
	if pushed == nil {
		return t, where, residual, lookupPlan{from: resourcesFrom}
	}
	c, ok := t.cond(pushed, scope{})
	if !ok {
		// sqlSplit pushed only what translates; drop the arguments
		// of the attempt.
		b.args = b.args[:2]
		return t, where, f, lookupPlan{from: resourcesFrom}
	}
	key := lookupPlan{from: resourcesFrom}
	if keyed && residual == nil {
		// The lookup may add arguments that only its FROM item uses.
		key = t.lookup(pushed)
	}
	if key.kind != noKey && !key.typeInKey {
		// The key's index serves the type condition (see keyLookup).
		where = "r.tenant = " + tenant + " AND " + typeOfID(s.d, "r.type", typeArg)
	}
	return t, where + " AND " + c, residual, key
}

// resourcesFrom is the FROM item of a list that reads the resources
// table directly.
const resourcesFrom = "scim_resources r"

// keyLookup says how the rows a filter selects are best found: through
// the paging index (type, tenant, seq; SQLite: tenant, type, seq), in
// order, or through the index of a key
// the filter compares with "eq" in a top-level "and" term. Identity
// providers send such lookups before every write (userName, externalId,
// id, displayName, members.value eq), on tables of every size and in
// every state of their statistics (a new tenant, a bulk import not yet
// analysed), so List writes their statements in a shape whose plan does
// not depend on the statistics: no other index serves them as well as the
// key's, whatever the planner estimates. TestLookupPlans checks the plans
// on an empty, a fresh and an analysed table.
type keyLookup int

const (
	// noKey: no such term; rows are read in seq order.
	noKey keyLookup = iota
	// indexedKey: eq on externalId, displayName or members.value: the
	// statement orders by an expression no index provides (r.seq + 0),
	// so the planner picks the index by the condition alone; or it reads
	// the rows through the key first (see lookupPlan.from).
	indexedKey
	// uniqueKey: eq on id or on the name key (userName), unique in the
	// tenant and type: at most one row matches, so the statement has no
	// ORDER BY, LIMIT or window, and the total is the rows it returns.
	uniqueKey
)

// lookupPlan is how a list statement reaches its rows: kind, and the FROM
// item giving the rows as r. typeInKey is set when the key's index is
// unique and ends with the type: the statement then compares the type as
// the index does, so that its equalities cover the whole unique index and
// the planner knows, with or without statistics, that at most one row
// matches (an index scan; with an estimate from a table never analysed,
// it would otherwise build a bitmap for one row).
type lookupPlan struct {
	kind      keyLookup
	from      string
	typeInKey bool
}

// lookup returns the lookupPlan of the translated filter pushed: the
// first top-level "and" term on a unique key, else on an indexed key.
func (t *translator) lookup(pushed filter.Expr) lookupPlan {
	best := lookupPlan{from: resourcesFrom}
	for _, c := range filter.Conjuncts(pushed) {
		if p := t.termKey(c); p.kind > best.kind {
			best = p
		}
		if best.kind == uniqueKey {
			break
		}
	}
	return best
}

// termKey returns the lookupPlan of one top-level "and" term. In
// PostgreSQL, a lookup by id reads the row by the primary key (tenant, id)
// before any other condition, and one by members.value reads the member
// rows by (tenant, value) and then each group by its primary key: fenced
// subqueries (OFFSET 0) that the planner cannot turn into a walk of
// another index.
func (t *translator) termKey(e filter.Expr) lookupPlan {
	_, pg := t.d.(postgres)
	plain := lookupPlan{from: resourcesFrom}
	switch e := e.(type) {
	case *filter.Compare:
		s, ok := e.Value.(string)
		if !ok || e.Op != filter.Eq || !validText(s) || e.Path.Attr == nil {
			return plain
		}
		p := &e.Path
		switch {
		case p.URN == "" && p.Name == "id" && p.Sub == "":
			if pg {
				return lookupPlan{kind: uniqueKey, from: "(SELECT * FROM scim_resources WHERE tenant = $1 AND id = " + t.b.arg(s) + " AND " + typeOfID(t.d, "type", "$2") + " OFFSET 0) r"}
			}
			return lookupPlan{kind: uniqueKey, from: resourcesFrom}
		case p.URN == "" && p.Name == "externalId" && p.Sub == "":
			if p.Attr.CaseSensitive() {
				return lookupPlan{kind: indexedKey, from: resourcesFrom}
			}
		case t.isMembers(p) && (p.Sub == "" || p.Sub == "value"):
			if v := p.Attr.Sub("value"); v != nil && v.CaseSensitive() {
				return t.memberKey(s)
			}
		default:
			switch col, _ := t.keyColumn(p); col {
			case "r.name_key":
				return lookupPlan{kind: uniqueKey, from: resourcesFrom, typeInKey: true}
			case "r.display_key":
				return lookupPlan{kind: indexedKey, from: resourcesFrom}
			}
		}
	case *filter.ValuePath:
		if !t.isMembers(&e.Path) || e.Path.Sub != "" {
			return plain
		}
		for _, c := range filter.Conjuncts(e.Filter) {
			if x, ok := c.(*filter.Compare); ok && x.Op == filter.Eq && x.Path.URN == "" && x.Path.Name == "value" && x.Path.Sub == "" &&
				x.Path.Attr != nil && x.Path.Attr.CaseSensitive() {
				if s, ok := x.Value.(string); ok && validText(s) {
					return t.memberKey(s)
				}
			}
		}
	}
	return plain
}

// memberKey is the lookupPlan of groups with a member whose value is v.
func (t *translator) memberKey(v string) lookupPlan {
	if _, pg := t.d.(postgres); !pg {
		return lookupPlan{kind: indexedKey, from: resourcesFrom}
	}
	return lookupPlan{kind: indexedKey, from: "(SELECT group_id FROM scim_members WHERE tenant = $1 AND value = " + t.b.arg(v) + " OFFSET 0) k" +
		" CROSS JOIN LATERAL (SELECT * FROM scim_resources WHERE tenant = $1 AND id = k.group_id OFFSET 0) r"}
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
	t, where, residual, key := s.listPlan(ctx, typ, ti, q.Filter, true)
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
	from := key.from
	groups := ""
	if q.Groups {
		groups = ", " + s.d.groupsJSON()
	}
	switch key.kind {
	case uniqueKey:
		return s.listOne(ctx, typ, ti, b, from, where, groups, start, count)
	case indexedKey:
		if order == "r.seq" {
			order = "r.seq + 0"
		}
	}
	if count == 0 {
		var total int
		err := s.readRow(ctx, "SELECT count(*) FROM "+from+" WHERE "+where, b.args, &total)
		if err != nil {
			return nil, err
		}
		return &store.Page{Resources: []*store.Resource{}, Total: total}, nil
	}
	countArgs := len(b.args)
	query := "SELECT " + s.selectList(ti) + groups + ", count(*) OVER () FROM " + from + " WHERE " + where +
		" ORDER BY " + order + " LIMIT " + b.arg(count) + " OFFSET " + b.arg(start)
	page := &store.Page{Resources: make([]*store.Resource, 0, min(count, 64))}
	err = s.read(ctx, query, b.args, func(sc scanner) error {
		var (
			res *store.Resource
			gs  []byte
			err error
		)
		if groups != "" {
			res, err = s.scanResource(sc, typ, &gs, &page.Total)
		} else {
			res, err = s.scanResource(sc, typ, &page.Total)
		}
		if err != nil {
			return err
		}
		page.Resources = append(page.Resources, res)
		if groups != "" {
			return addGroups(page, res.ID, gs)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(page.Resources) == 0 && start > 0 {
		// Past the end: the window gave no row to carry the total.
		err := s.readRow(ctx, "SELECT count(*) FROM "+from+" WHERE "+where, b.args[:countArgs], &page.Total)
		if err != nil {
			return nil, err
		}
	}
	return page, nil
}

// listResidual lists every match of where in order, keeps those that
// satisfy residual and pages them.
func (s *Store) listResidual(ctx context.Context, typ string, ti *typeInfo, b *builder, where, order string, residual filter.Expr, start, count int) (*store.Page, error) {
	page := &store.Page{Resources: make([]*store.Resource, 0, min(count, 64))}
	err := s.read(ctx, "SELECT "+s.selectList(ti)+" FROM scim_resources r WHERE "+where+" ORDER BY "+order, b.args, func(sc scanner) error {
		res, err := s.scanResource(sc, typ)
		if err != nil {
			return err
		}
		if !filter.Match(residual, res.Object()) {
			return nil
		}
		if page.Total >= start && len(page.Resources) < count {
			page.Resources = append(page.Resources, res)
		}
		page.Total++
		return nil
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// listOne lists the resources where selects when it selects at most one
// (a uniqueKey lookup): one statement whose only useful index is the
// key's, with no window; the total is the number of rows.
// groups is "" or the select-list item of the rows' groups.
func (s *Store) listOne(ctx context.Context, typ string, ti *typeInfo, b *builder, from, where, groups string, start, count int) (*store.Page, error) {
	page := &store.Page{Resources: []*store.Resource{}}
	err := s.read(ctx, "SELECT "+s.selectList(ti)+groups+" FROM "+from+" WHERE "+where, b.args, func(sc scanner) error {
		var (
			res *store.Resource
			gs  []byte
			err error
		)
		if groups != "" {
			res, err = s.scanResource(sc, typ, &gs)
		} else {
			res, err = s.scanResource(sc, typ)
		}
		if err != nil {
			return err
		}
		if page.Total >= start && len(page.Resources) < count {
			page.Resources = append(page.Resources, res)
			if groups != "" {
				if err := addGroups(page, res.ID, gs); err != nil {
					return err
				}
			}
		}
		page.Total++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if groups != "" && page.Groups == nil {
		page.Groups = map[string][]store.GroupRef{}
	}
	return page, nil
}

// addGroups records in page.Groups the groups of id, read as groupsJSON
// gives them.
func addGroups(page *store.Page, id string, raw []byte) error {
	if page.Groups == nil {
		page.Groups = map[string][]store.GroupRef{}
	}
	if len(raw) == 0 {
		return nil
	}
	var pairs [][2]*string
	if err := json.Unmarshal(raw, &pairs); err != nil {
		return fmt.Errorf("sqlstore: decoding the groups of %q: %w", id, err)
	}
	for _, p := range pairs {
		if p[0] == nil {
			continue
		}
		g := store.GroupRef{ID: *p[0]}
		if p[1] != nil {
			g.Display = *p[1]
		}
		page.Groups[id] = append(page.Groups[id], g)
	}
	return nil
}
