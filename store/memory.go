package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

// The resource type names the memory store gives membership meaning to:
// deleting a resource of type userType removes it from the "members" of
// every resource of type groupType.
const (
	userType  = "User"
	groupType = "Group"
)

// scanCheckEvery is how many resources a List scan visits between checks of
// its context.
const scanCheckEvery = 4096

// membersAttr is the attribute of groupType whose elements the reverse
// member index follows.
const membersAttr = "members"

// MemoryConfig configures [NewMemoryWith]. The zero value is valid.
type MemoryConfig struct {
	// ResourceTypes are the resource types the store enforces uniqueness
	// for. Every single-valued attribute of a type's core schema whose
	// Uniqueness is server or global (userName for User) must be unique
	// among the resources of that type, compared by their
	// schema.Attribute.Key (schema.Fold unless the attribute is
	// CaseSensitive), as filter.Match compares them. Uniqueness of extension or
	// multi-valued attributes is not enforced. Resources of a type not
	// listed here are stored too, with no uniqueness rule besides their id.
	//
	// Nil means schema.UserResourceType(schema.EnterpriseUserSchema()) and
	// schema.GroupResourceType().
	ResourceTypes []*schema.ResourceType
	// Now returns the current time for Meta.Created and Meta.LastModified;
	// it is converted to UTC. Nil means time.Now.
	Now func() time.Time
	// NewID returns the id of a new resource. It must not repeat an id in
	// use; Create fails if it does. Nil means a random UUID (version 4,
	// from crypto/rand).
	NewID func() string
	// Tenant returns the tenant a request belongs to, from whatever the
	// host's middleware put in its context. Every method works within the
	// tenant of its context only: each tenant has its own resources,
	// indexes and uniqueness, and the id of another tenant's resource is
	// unknown (ErrNotFound). Ids are unique per tenant. Nil means a single
	// tenant, "".
	Tenant func(ctx context.Context) string
}

// Memory is a [Store] that keeps everything in memory. It is complete and
// fast enough for examples, tests, demos and small deployments; its data
// is lost when the process ends. Create one with [NewMemory] or
// [NewMemoryWith]; the zero value is not usable.
//
// Memory is safe for concurrent use: one read-write lock guards it, so
// reads run in parallel and writes are atomic. It follows the Store
// contract and in particular:
//
//   - Resources are values. Create and Replace store a new *Resource (a
//     copy of the argument's struct with ID and Meta set; Attributes is
//     shared, not copied), and Get and List return stored pointers.
//     Nothing reachable from them is ever modified afterwards: a write
//     makes a new Resource.
//   - Meta.Version is a store-wide counter, written as a decimal string,
//     that grows on every write, so every write gives a new version.
//     Replace keeps Meta.Created.
//   - Deleting a User removes it from the "members" of every Group (members
//     whose "type" is "Group" are left alone), which writes each group
//     touched: new version and lastModified. A reverse index from member to
//     groups finds them without scanning.
//   - Uniqueness follows [MemoryConfig.ResourceTypes]: a taken value gives
//     a [*ConflictError] (which wraps [ErrConflict]) naming the attribute
//     and value.
//     externalId is not unique.
//   - List returns resources in creation order (Replace keeps a resource's
//     place), or sorted by Query.SortBy with ties in creation order. Sorting
//     evaluates the filter on every candidate and sorts all matches.
//   - Tenants, when [MemoryConfig.Tenant] is set, are kept apart entirely.
//
// Memory also implements the optional capabilities [MemberPatcher] (see
// [Memory.PatchMembers]) and [CursorLister] (see [Memory.ListAfter]).
//
// Lookups by id, by each unique attribute, by externalId and by Group
// displayName use indexes. List uses them when the filter, or one of its
// top-level "and" terms, is an "eq" comparison of one of those attributes
// with a string, and evaluates the whole filter with [filter.Match] only on
// the resources the index yields. Any other filter is evaluated with
// filter.Match on every resource of the type, in order.
type Memory struct {
	mu      sync.RWMutex
	now     func() time.Time
	newID   func() string
	tenant  func(context.Context) string
	types   map[string]*typeRules
	spaces  map[string]*space // by tenant
	seq     uint64            // creation counter: the list order
	version uint64            // write counter: Meta.Version
}

var (
	_ Store         = (*Memory)(nil)
	_ MemberPatcher = (*Memory)(nil)
	_ CursorLister  = (*Memory)(nil)
)

// space holds the resources of one tenant.
type space struct {
	tables map[string]*table
	// memberOf maps a member id to the set of ids of the groups (resources
	// of type groupType) whose "members" name it.
	memberOf map[string]map[string]struct{}
}

// typeRules are the indexed attributes of one resource type.
type typeRules struct {
	unique []indexRule // unique attributes of the core schema
	multi  []indexRule // non-unique indexed attributes
}

type indexRule struct {
	name string
	attr *schema.Attribute // whose Key the index holds
}

// table holds the resources of one type.
type table struct {
	byID  map[string]*record
	order []*record // creation order; deleted entries are nil
	seqs  []uint64  // seqs[i] is the seq of order[i], kept for deleted ones
	holes int       // number of nil entries in order
	// unique[i] indexes rules.unique[i]; multi[i] indexes rules.multi[i].
	unique []map[string]*record
	multi  []map[string][]*record
	rules  *typeRules
}

// record is the memory store's state of one resource.
//
// Its current state is base, plus the elements of set when set is not nil:
// then base.Attributes lacks set.attr, whose elements set holds in a form
// that adds and removes one in constant time (see PatchMembers). The
// Resource handed out, and its Object, are built from that state: at once
// when there is no set, else when first asked for after a write.
type record struct {
	base *Resource
	set  *memberSet
	// view is the resource handed out and its Object, nil when it must be
	// built anew. Writers (holding Memory.mu for writing) store it; readers
	// (holding Memory.mu for reading) build a missing one under mu.
	view atomic.Pointer[view]
	mu   sync.Mutex
	seq  uint64
	pos  int // index in table.order
	// self holds the record itself, so that an index lookup that finds
	// one record can return it as a slice without allocating.
	self [1]*record
}

// view is a record's state as handed out.
type view struct {
	res *Resource
	obj map[string]any // res.Object()
}

// current returns the record's view, building it if a write left none.
// Memory.mu must be held.
func (rec *record) current() *view {
	if v := rec.view.Load(); v != nil {
		return v
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if v := rec.view.Load(); v != nil {
		return v
	}
	res := rec.base
	if rec.set != nil {
		attrs := make(map[string]any, len(rec.base.Attributes)+1)
		for k, v := range rec.base.Attributes {
			attrs[k] = v
		}
		if rec.set.len() > 0 {
			attrs[rec.set.attr] = rec.set.list()
		}
		res = &Resource{Type: rec.base.Type, ID: rec.base.ID, Attributes: attrs, Meta: rec.base.Meta}
	}
	v := &view{res: res, obj: res.Object()}
	rec.view.Store(v)
	return v
}

// setWhole makes res the whole state of the record, dropping its member
// set. Memory.mu must be held for writing.
func (rec *record) setWhole(res *Resource) {
	rec.base = res
	rec.set = nil
	rec.view.Store(&view{res: res, obj: res.Object()})
}

// attrs returns the current attributes other than the set's attribute.
func (rec *record) attrs() map[string]any { return rec.base.Attributes }

// members calls f with every element of the current "members" of rec.
func (rec *record) members(f func(el any)) {
	if rec.set != nil && rec.set.attr == membersAttr {
		for _, el := range rec.set.elems {
			if el != nil {
				f(el)
			}
		}
		return
	}
	list, _ := rec.base.Attributes[membersAttr].([]any)
	for _, el := range list {
		f(el)
	}
}

// NewMemory returns an empty memory store for the User (with the
// Enterprise User extension) and Group resource types, with the current
// time and random UUIDs. It is NewMemoryWith(MemoryConfig{}).
func NewMemory() *Memory {
	return NewMemoryWith(MemoryConfig{})
}

// NewMemoryWith returns an empty memory store configured by cfg.
func NewMemoryWith(cfg MemoryConfig) *Memory {
	m := &Memory{
		now:    cfg.Now,
		newID:  cfg.NewID,
		tenant: cfg.Tenant,
		types:  make(map[string]*typeRules),
		spaces: make(map[string]*space),
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.newID == nil {
		m.newID = NewID
	}
	rts := cfg.ResourceTypes
	if rts == nil {
		rts = []*schema.ResourceType{
			schema.UserResourceType(schema.EnterpriseUserSchema()),
			schema.GroupResourceType(),
		}
	}
	for _, rt := range rts {
		if rt == nil {
			continue
		}
		m.types[rt.Name] = rulesFor(rt)
	}
	return m
}

// rulesFor derives the indexes of a resource type from its core schema.
func rulesFor(rt *schema.ResourceType) *typeRules {
	r := &typeRules{}
	if rt.Schema != nil {
		for _, a := range rt.Schema.Attributes {
			if a == nil || a.MultiValued || !stringLike(a.Type) {
				continue
			}
			if a.Uniqueness == schema.UniqueServer || a.Uniqueness == schema.UniqueGlobal {
				r.unique = append(r.unique, indexRule{name: a.Name, attr: a})
			}
		}
	}
	r.multi = append(r.multi, indexRule{name: "externalId", attr: schema.Common("externalId")})
	if rt.Name == groupType && rt.Schema != nil {
		if a := rt.Schema.Attr("displayName"); a != nil && !a.MultiValued && stringLike(a.Type) && !r.isUnique(a.Name) {
			r.multi = append(r.multi, indexRule{name: a.Name, attr: a})
		}
	}
	return r
}

func (r *typeRules) isUnique(name string) bool {
	for _, u := range r.unique {
		if u.name == name {
			return true
		}
	}
	return false
}

// indexes reports whether name is an indexed attribute.
func (r *typeRules) indexes(name string) bool {
	for _, rules := range [][]indexRule{r.unique, r.multi} {
		for _, u := range rules {
			if u.name == name {
				return true
			}
		}
	}
	return false
}

// defaultRules apply to resource types missing from MemoryConfig.
var defaultRules = &typeRules{multi: []indexRule{{name: "externalId", attr: schema.Common("externalId")}}}

func stringLike(t schema.Type) bool {
	switch t {
	case "", schema.String, schema.Reference, schema.Binary:
		return true
	}
	return false
}

// tenantOf returns the tenant of ctx.
func (m *Memory) tenantOf(ctx context.Context) string {
	if m.tenant == nil {
		return ""
	}
	return m.tenant(ctx)
}

// spaceFor returns the space of tenant, creating it when create is set; it
// returns nil otherwise if the tenant has no resources yet. m.mu must be
// held (for writing if create is set).
func (m *Memory) spaceFor(tenant string, create bool) *space {
	sp := m.spaces[tenant]
	if sp != nil || !create {
		return sp
	}
	sp = &space{tables: make(map[string]*table), memberOf: make(map[string]map[string]struct{})}
	m.spaces[tenant] = sp
	return sp
}

// table returns the table of typ in tenant, or nil if there is none.
// m.mu must be held.
func (m *Memory) table(tenant, typ string) *table {
	if sp := m.spaces[tenant]; sp != nil {
		return sp.tables[typ]
	}
	return nil
}

// tableFor returns the table of typ in sp, creating it. m.mu must be held
// for writing.
func (m *Memory) tableFor(sp *space, typ string) *table {
	if t := sp.tables[typ]; t != nil {
		return t
	}
	rules := m.types[typ]
	if rules == nil {
		rules = defaultRules
	}
	t := &table{
		byID:   make(map[string]*record),
		unique: make([]map[string]*record, len(rules.unique)),
		multi:  make([]map[string][]*record, len(rules.multi)),
		rules:  rules,
	}
	for i := range t.unique {
		t.unique[i] = make(map[string]*record)
	}
	for i := range t.multi {
		t.multi[i] = make(map[string][]*record)
	}
	sp.tables[typ] = t
	return t
}

// Create stores a copy of r with a new ID and Meta (Created equal to
// LastModified) and returns it. The ID and Meta of r are ignored. It returns
// an error wrapping ErrConflict if a unique attribute's value is taken.
func (m *Memory) Create(ctx context.Context, r *Resource) (*Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r == nil || r.Type == "" {
		return nil, errors.New("store: Create needs a resource with a type")
	}
	tenant := m.tenantOf(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	sp := m.spaceFor(tenant, true)
	t := m.tableFor(sp, r.Type)
	if err := t.checkUnique(r.Attributes, nil); err != nil {
		return nil, err
	}
	if r.Type == groupType {
		if err := sp.checkMembers(r.Attributes[membersAttr], ""); err != nil {
			return nil, err
		}
	}
	id := m.newID()
	if id == "" {
		return nil, errors.New("store: the id generator returned an empty id")
	}
	if _, taken := t.byID[id]; taken {
		return nil, fmt.Errorf("store: the id generator returned %q, which is in use", id)
	}
	now := m.now().UTC()
	res := &Resource{
		Type:       r.Type,
		ID:         id,
		Attributes: r.Attributes,
		Meta:       Meta{Created: now, LastModified: now, Version: m.nextVersion()},
	}
	m.seq++
	rec := &record{seq: m.seq, pos: len(t.order)}
	rec.self[0] = rec
	rec.setWhole(res)
	t.byID[id] = rec
	t.order = append(t.order, rec)
	t.seqs = append(t.seqs, rec.seq)
	t.index(rec)
	if r.Type == groupType {
		sp.link(id, rec)
	}
	return res, nil
}

// Get returns the stored resource, or an error wrapping ErrNotFound.
func (m *Memory) Get(ctx context.Context, typ, id string) (*Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tenant := m.tenantOf(ctx)
	m.mu.RLock()
	defer m.mu.RUnlock()
	rec, err := m.lookup(tenant, typ, id)
	if err != nil {
		return nil, err
	}
	return rec.current().res, nil
}

// lookup returns the record of typ/id or an error wrapping ErrNotFound.
// m.mu must be held.
func (m *Memory) lookup(tenant, typ, id string) (*record, error) {
	if t := m.table(tenant, typ); t != nil {
		if rec := t.byID[id]; rec != nil {
			return rec, nil
		}
	}
	return nil, fmt.Errorf("%w: %s %q", ErrNotFound, typ, id)
}

// checkVersion returns an error wrapping ErrVersionMismatch unless
// ifVersion is empty or the version of rec.
func checkVersion(rec *record, ifVersion string) error {
	if cur := rec.base.Meta.Version; ifVersion != "" && ifVersion != cur {
		return fmt.Errorf("%w: %s %q is at version %q, not %q", ErrVersionMismatch, rec.base.Type, rec.base.ID, cur, ifVersion)
	}
	return nil
}

// Replace stores a copy of r in place of the resource r.Type/r.ID, with
// Meta.Created kept, a new LastModified and a new Version, and returns it.
// The Meta of r is ignored. See [Store] for the ifVersion rule and errors.
func (m *Memory) Replace(ctx context.Context, r *Resource, ifVersion string) (*Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, errors.New("store: Replace needs a resource")
	}
	tenant := m.tenantOf(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, err := m.lookup(tenant, r.Type, r.ID)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(rec, ifVersion); err != nil {
		return nil, err
	}
	sp := m.spaces[tenant]
	t := sp.tables[r.Type]
	if err := t.checkUnique(r.Attributes, rec); err != nil {
		return nil, err
	}
	if r.Type == groupType {
		// Only members the group does not list yet are checked: a nested
		// group deleted since it was added stays listed until a write
		// drops it, and must not block writes that keep it.
		typed := func(el any) (string, bool) {
			v, ok := elementValue(el)
			if !ok {
				return "", false
			}
			typ, _ := el.(map[string]any)["type"].(string)
			return v + "\x00" + typ, true
		}
		have := map[string]bool{}
		rec.members(func(el any) {
			if k, ok := typed(el); ok {
				have[k] = true
			}
		})
		l, _ := r.Attributes[membersAttr].([]any)
		for _, el := range l {
			if k, ok := typed(el); ok && have[k] {
				continue
			}
			if err := sp.checkMember(el, r.ID); err != nil {
				return nil, err
			}
		}
	}
	old := rec.base
	res := &Resource{
		Type:       old.Type,
		ID:         old.ID,
		Attributes: r.Attributes,
		Meta:       Meta{Created: old.Meta.Created, LastModified: m.now().UTC(), Version: m.nextVersion()},
	}
	if r.Type == groupType {
		sp.unlink(old.ID, rec)
	}
	t.unindex(rec)
	rec.setWhole(res)
	t.index(rec)
	if r.Type == groupType {
		sp.link(old.ID, rec)
	}
	return res, nil
}

// Delete removes the resource typ/id. See [Store] for the ifVersion rule
// and errors. Deleting a User also removes it from the members of every
// Group.
func (m *Memory) Delete(ctx context.Context, typ, id, ifVersion string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tenant := m.tenantOf(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, err := m.lookup(tenant, typ, id)
	if err != nil {
		return err
	}
	if err := checkVersion(rec, ifVersion); err != nil {
		return err
	}
	sp := m.spaces[tenant]
	t := sp.tables[typ]
	t.unindex(rec)
	delete(t.byID, id)
	t.order[rec.pos] = nil
	t.holes++
	t.compact()
	switch typ {
	case groupType:
		sp.unlink(id, rec)
	case userType:
		m.dropMember(sp, id)
	}
	return nil
}

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

// candidates returns, when e or one of its top-level "and" terms is an
// "eq" comparison on an indexed attribute, the resources the index yields
// for it in creation order, and true; otherwise nil and false.
func (t *table) candidates(e filter.Expr) ([]*record, bool) {
	switch e.(type) {
	case nil:
		return nil, false
	case *filter.Compare:
		return t.lookupEq(e)
	}
	var best []*record
	found := false
	for _, c := range filter.Conjuncts(e) {
		recs, ok := t.lookupEq(c)
		if !ok {
			continue
		}
		if !found || len(recs) < len(best) {
			best, found = recs, true
		}
		if len(best) <= 1 {
			break
		}
	}
	return best, found
}

// lookupEq returns the resources whose indexed attribute equals the value
// of the comparison e, if e is an "eq" comparison of an indexed attribute
// with a string whose case rule is the index's.
func (t *table) lookupEq(e filter.Expr) ([]*record, bool) {
	c, ok := e.(*filter.Compare)
	if !ok || c.Op != filter.Eq || c.Path.URN != "" || c.Path.Sub != "" {
		return nil, false
	}
	v, ok := c.Value.(string)
	if !ok {
		return nil, false
	}
	// Only a bound path tells how filter.Match compares: unbound ones are
	// looked up and compared more loosely than any index.
	a := c.Path.Attr
	if a == nil || a.MultiValued || !stringLike(a.Type) {
		return nil, false
	}
	exact := a.CaseSensitive()
	if c.Path.Name == "id" {
		if !exact {
			return nil, false
		}
		if rec := t.byID[v]; rec != nil {
			return rec.self[:], true
		}
		return nil, true
	}
	for i, r := range t.rules.unique {
		if r.name == c.Path.Name && r.attr.CaseSensitive() == exact {
			if rec := t.unique[i][r.attr.Key(v)]; rec != nil {
				return rec.self[:], true
			}
			return nil, true
		}
	}
	for i, r := range t.rules.multi {
		if r.name == c.Path.Name && r.attr.CaseSensitive() == exact {
			recs := t.multi[i][r.attr.Key(v)]
			if !slices.IsSortedFunc(recs, bySeq) {
				recs = slices.SortedFunc(slices.Values(recs), bySeq)
			}
			return recs, true
		}
	}
	return nil, false
}

func bySeq(a, b *record) int {
	switch {
	case a.seq < b.seq:
		return -1
	case a.seq > b.seq:
		return 1
	}
	return strings.Compare(a.base.ID, b.base.ID)
}

// checkUnique returns a *ConflictError (which wraps ErrConflict) if a
// unique attribute in attrs has a value that a resource other than self
// holds.
func (t *table) checkUnique(attrs map[string]any, self *record) error {
	for i, rule := range t.rules.unique {
		v, ok := attrs[rule.name].(string)
		if !ok {
			continue
		}
		if other := t.unique[i][rule.attr.Key(v)]; other != nil && other != self {
			return &ConflictError{Attribute: rule.name, Value: v}
		}
	}
	return nil
}

// index adds rec to the attribute indexes. Indexed attributes are never
// held in a member set, so rec.attrs() has them all.
func (t *table) index(rec *record) {
	attrs := rec.attrs()
	for i, rule := range t.rules.unique {
		if v, ok := attrs[rule.name].(string); ok {
			t.unique[i][rule.attr.Key(v)] = rec
		}
	}
	for i, rule := range t.rules.multi {
		if v, ok := attrs[rule.name].(string); ok {
			k := rule.attr.Key(v)
			t.multi[i][k] = append(t.multi[i][k], rec)
		}
	}
}

// unindex removes rec from the attribute indexes.
func (t *table) unindex(rec *record) {
	attrs := rec.attrs()
	for i, rule := range t.rules.unique {
		if v, ok := attrs[rule.name].(string); ok {
			k := rule.attr.Key(v)
			if t.unique[i][k] == rec {
				delete(t.unique[i], k)
			}
		}
	}
	for i, rule := range t.rules.multi {
		if v, ok := attrs[rule.name].(string); ok {
			k := rule.attr.Key(v)
			recs := slices.DeleteFunc(t.multi[i][k], func(x *record) bool { return x == rec })
			if len(recs) == 0 {
				delete(t.multi[i], k)
			} else {
				t.multi[i][k] = recs
			}
		}
	}
}

// compact drops the deleted entries of t.order once they are a good part
// of it, so deletes cost amortized constant time and scans stay short.
func (t *table) compact() {
	if t.holes < 64 || t.holes*4 < len(t.order) {
		return
	}
	live := make([]*record, 0, len(t.order)-t.holes)
	seqs := make([]uint64, 0, len(t.order)-t.holes)
	for _, rec := range t.order {
		if rec != nil {
			rec.pos = len(live)
			live = append(live, rec)
			seqs = append(seqs, rec.seq)
		}
	}
	t.order = live
	t.seqs = seqs
	t.holes = 0
}

// userMember returns the value of a member element that may name a user:
// one whose "type" is absent or not "Group".
func userMember(el any) (string, bool) {
	mm, ok := el.(map[string]any)
	if !ok {
		return "", false
	}
	if typ, _ := mm["type"].(string); typ == groupType {
		return "", false
	}
	v, ok := mm["value"].(string)
	return v, ok && v != ""
}

// sameMember reports whether the listed element have (nil if none) has the
// value and type of el.
func sameMember(have any, el map[string]any) bool {
	h, ok := have.(map[string]any)
	if !ok {
		return false
	}
	ht, _ := h["type"].(string)
	et, _ := el["type"].(string)
	return h["value"] == el["value"] && ht == et
}

// checkMembers returns an error wrapping ErrInvalidReference if a member
// in list (a new group's "members") names no existing resource of sp. self
// is the id of the group being written, which may list itself.
func (sp *space) checkMembers(list any, self string) error {
	l, _ := list.([]any)
	for _, el := range l {
		if err := sp.checkMember(el, self); err != nil {
			return err
		}
	}
	return nil
}

// checkMember checks one member element: type "Group" must name a group,
// type "User" a user, and no type either.
func (sp *space) checkMember(el any, self string) error {
	mm, ok := el.(map[string]any)
	if !ok {
		return nil
	}
	v, ok := mm["value"].(string)
	if !ok || v == self {
		return nil
	}
	exists := func(typ string) bool {
		t := sp.tables[typ]
		if t == nil {
			return false
		}
		_, ok := t.byID[v]
		return ok
	}
	typ, _ := mm["type"].(string)
	switch {
	case typ == groupType && exists(groupType),
		typ == userType && exists(userType),
		typ != groupType && typ != userType && (exists(userType) || exists(groupType)):
		return nil
	}
	return &ReferenceError{Attribute: membersAttr, Value: v}
}

// linkOne records that group gid has the member el, if el may name a user.
func (sp *space) linkOne(gid string, el any) {
	uid, ok := userMember(el)
	if !ok {
		return
	}
	set := sp.memberOf[uid]
	if set == nil {
		set = make(map[string]struct{}, 1)
		sp.memberOf[uid] = set
	}
	set[gid] = struct{}{}
}

// unlinkOne forgets that group gid has the member el.
func (sp *space) unlinkOne(gid string, el any) {
	uid, ok := userMember(el)
	if !ok {
		return
	}
	if set := sp.memberOf[uid]; set != nil {
		delete(set, gid)
		if len(set) == 0 {
			delete(sp.memberOf, uid)
		}
	}
}

// link records the members of the group rec (with id gid).
func (sp *space) link(gid string, rec *record) {
	rec.members(func(el any) { sp.linkOne(gid, el) })
}

// unlink forgets the members of the group rec (with id gid).
func (sp *space) unlink(gid string, rec *record) {
	rec.members(func(el any) { sp.unlinkOne(gid, el) })
}

// dropMember removes the deleted user uid from the members of every group
// of sp that has it, writing each such group anew. A group whose members
// can be held in a member set is converted to one, so that the removal
// (and the next ones) cost constant time; the others get a new list.
func (m *Memory) dropMember(sp *space, uid string) {
	gids := sp.memberOf[uid]
	if len(gids) == 0 {
		return
	}
	delete(sp.memberOf, uid)
	groups := sp.tables[groupType]
	if groups == nil {
		return
	}
	now := m.now().UTC()
	for gid := range gids {
		rec := groups.byID[gid]
		if rec == nil {
			continue
		}
		if rec.set == nil || rec.set.attr != membersAttr {
			rec.toSet(membersAttr)
		}
		old := rec.base
		if rec.set != nil && rec.set.attr == membersAttr {
			if _, ok := userMember(rec.set.get(uid)); !ok {
				continue
			}
			rec.set.remove(uid)
			rec.base = &Resource{Type: old.Type, ID: old.ID, Attributes: old.Attributes,
				Meta: Meta{Created: old.Meta.Created, LastModified: now, Version: m.nextVersion()}}
			rec.view.Store(nil)
			continue
		}
		// Members in a form no member set holds (repeated values):
		// rebuild the list without the user.
		members, _ := old.Attributes[membersAttr].([]any)
		kept := make([]any, 0, len(members))
		for _, mv := range members {
			if v, ok := userMember(mv); ok && v == uid {
				continue
			}
			kept = append(kept, mv)
		}
		attrs := make(map[string]any, len(old.Attributes))
		for k, v := range old.Attributes {
			attrs[k] = v
		}
		if len(kept) == 0 {
			delete(attrs, membersAttr)
		} else {
			attrs[membersAttr] = kept
		}
		// Only members changed: the attribute indexes stay valid.
		rec.setWhole(&Resource{Type: old.Type, ID: old.ID, Attributes: attrs,
			Meta: Meta{Created: old.Meta.Created, LastModified: now, Version: m.nextVersion()}})
	}
}

// nextVersion returns a version no write has had. m.mu must be held for
// writing.
func (m *Memory) nextVersion() string {
	m.version++
	return strconv.FormatUint(m.version, 10)
}

// memberSet holds the elements of one multi-valued attribute of a record
// (its members) so that adding, finding and removing an element by its
// "value" takes constant time: the elements in order, with nil where one
// was removed, and the index of each value. The removed entries are
// dropped once they outnumber the others.
type memberSet struct {
	attr  string
	elems []any          // map[string]any elements in order; nil: removed
	pos   map[string]int // value -> index in elems
}

// compactMin is the fewest removed entries a member set compacts.
const compactMin = 32

// newMemberSet returns the set of the elements of list, which must be
// objects with distinct, non-empty string values; it returns false if they
// are not, and such lists stay as they are.
func newMemberSet(attr string, list []any) (*memberSet, bool) {
	s := &memberSet{attr: attr, elems: make([]any, 0, len(list)), pos: make(map[string]int, len(list))}
	for _, el := range list {
		v, ok := elementValue(el)
		if !ok {
			return nil, false
		}
		if _, dup := s.pos[v]; dup {
			return nil, false
		}
		s.pos[v] = len(s.elems)
		s.elems = append(s.elems, el)
	}
	return s, true
}

// elementValue returns the "value" of a member element, if it is an object
// with a non-empty string value.
func elementValue(el any) (string, bool) {
	mm, ok := el.(map[string]any)
	if !ok {
		return "", false
	}
	v, ok := mm["value"].(string)
	return v, ok && v != ""
}

func (s *memberSet) len() int { return len(s.pos) }

// get returns the element with value v, or nil.
func (s *memberSet) get(v string) any {
	if i, ok := s.pos[v]; ok {
		return s.elems[i]
	}
	return nil
}

// add appends el, whose value v is not in the set.
func (s *memberSet) add(v string, el map[string]any) {
	s.pos[v] = len(s.elems)
	s.elems = append(s.elems, el)
}

// remove removes the element with value v, if any.
func (s *memberSet) remove(v string) {
	i, ok := s.pos[v]
	if !ok {
		return
	}
	delete(s.pos, v)
	s.elems[i] = nil
	if dead := len(s.elems) - len(s.pos); dead >= compactMin && dead > len(s.pos) {
		live := make([]any, 0, 2*len(s.pos))
		for _, el := range s.elems {
			if el != nil {
				v, _ := elementValue(el)
				s.pos[v] = len(live)
				live = append(live, el)
			}
		}
		s.elems = live
	}
}

// reset makes the set hold list, whose values are distinct.
func (s *memberSet) reset(list []map[string]any) {
	s.elems = make([]any, len(list))
	s.pos = make(map[string]int, len(list))
	for i, el := range list {
		v, _ := elementValue(el)
		s.pos[v] = i
		s.elems[i] = el
	}
}

// list returns the elements in order, in a new slice.
func (s *memberSet) list() []any {
	out := make([]any, 0, len(s.pos))
	for _, el := range s.elems {
		if el != nil {
			out = append(out, el)
		}
	}
	return out
}

// toSet makes rec hold the elements of attr in a member set, if they are
// absent or a list that newMemberSet accepts, and reports whether it does.
// Nothing visible changes: the current view stays valid. Memory.mu must be
// held for writing.
func (rec *record) toSet(attr string) bool {
	if rec.set != nil && rec.set.attr == attr {
		return true
	}
	if rec.set != nil {
		// Another attribute is in a set: return to a whole resource first.
		rec.base = rec.current().res
		rec.set = nil
	}
	var list []any
	if raw, present := rec.base.Attributes[attr]; present {
		l, ok := raw.([]any)
		if !ok {
			return false
		}
		list = l
	}
	s, ok := newMemberSet(attr, list)
	if !ok {
		return false
	}
	attrs := make(map[string]any, len(rec.base.Attributes))
	for k, v := range rec.base.Attributes {
		if k != attr {
			attrs[k] = v
		}
	}
	old := rec.base
	rec.base = &Resource{Type: old.Type, ID: old.ID, Attributes: attrs, Meta: old.Meta}
	rec.set = s
	return true
}

// PatchMembers applies d to the resource typ/id atomically, in time that
// does not depend on the number of its members (amortized; a RemoveAll
// costs the members removed and added). It implements [MemberPatcher].
//
// Removals are applied before additions. A removal of a value that is
// added back with an equal element, and an addition of a value already
// present, change nothing; with RemoveAll, a new list holding the same
// elements as before (in any order) changes nothing. Added and Removed
// list the values really added and removed; a value whose element is
// replaced by a different one is in both. Changed lists, sorted, the
// attributes of d.Set whose value really changed (compared with
// reflect.DeepEqual); a nil value in d.Set removes the attribute. Values
// taken by a unique attribute give a [*ConflictError] and change nothing.
//
// When something changed the resource gets a new version and
// lastModified, and the result's Resource is nil: the resource with its
// members is built when Get or List first asks for it. When nothing
// changed the version is kept and Resource is the stored resource if it
// is at hand.
//
// The elements of d.Add are stored as they are, not copied, and must not
// be modified afterwards (as for a Resource). It returns an error wrapping
// ErrNotFound or ErrVersionMismatch as Replace does, one wrapping
// errors.ErrUnsupported when d.Set names d.Attribute, d.Attribute is an
// indexed single-valued attribute, or the stored elements of d.Attribute
// are not objects with distinct string values (the handler then falls back
// to Replace), and a plain error when d.Attribute is empty or an element
// of d.Add has no "value" string.
func (m *Memory) PatchMembers(ctx context.Context, typ, id string, d MemberDelta, ifVersion string) (*MemberResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if d.Attribute == "" {
		return nil, errors.New("store: MemberDelta.Attribute is empty")
	}
	if _, ok := d.Set[d.Attribute]; ok {
		return nil, fmt.Errorf("store: MemberDelta.Set names the member attribute %q: %w", d.Attribute, errors.ErrUnsupported)
	}
	for i, el := range d.Add {
		if _, ok := elementValue(el); !ok {
			return nil, fmt.Errorf("store: MemberDelta.Add[%d] of %q has no non-empty \"value\" string", i, d.Attribute)
		}
	}
	tenant := m.tenantOf(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, err := m.lookup(tenant, typ, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(rec, ifVersion); err != nil {
		return nil, err
	}
	sp := m.spaces[tenant]
	t := sp.tables[typ]
	if t.rules.indexes(d.Attribute) {
		return nil, fmt.Errorf("store: %q of %s is an indexed attribute, not a member list: %w", d.Attribute, typ, errors.ErrUnsupported)
	}
	if !rec.toSet(d.Attribute) {
		return nil, fmt.Errorf("store: %q of %s %q is not a list of objects with distinct values: %w", d.Attribute, typ, id, errors.ErrUnsupported)
	}
	if typ == groupType && d.Attribute == membersAttr {
		// Adds of a value the group lists are ignored (so not checked);
		// after RemoveAll, as in Replace, members listed with the same
		// value and type are not checked again.
		for _, el := range d.Add {
			v := el["value"].(string)
			have := rec.set.get(v)
			replaced := d.RemoveAll || slices.Contains(d.Remove, v)
			if have != nil && (!replaced || sameMember(have, el)) {
				continue
			}
			if err := sp.checkMember(el, id); err != nil {
				return nil, err
			}
		}
	}

	attrs := rec.base.Attributes
	var changed []string
	for k, v := range d.Set {
		old, had := attrs[k]
		if v == nil && had || v != nil && (!had || !reflect.DeepEqual(old, v)) {
			changed = append(changed, k)
		}
	}
	if len(changed) > 0 {
		slices.Sort(changed)
		next := make(map[string]any, len(attrs)+len(changed))
		for k, v := range attrs {
			next[k] = v
		}
		for _, k := range changed {
			if v := d.Set[k]; v == nil {
				delete(next, k)
			} else {
				next[k] = v
			}
		}
		if err := t.checkUnique(next, rec); err != nil {
			return nil, err
		}
		attrs = next
	}

	out := &MemberResult{Changed: changed}
	track := typ == groupType && d.Attribute == membersAttr
	s := rec.set
	if d.RemoveAll {
		out.Removed, out.Added = replaceMembers(sp, track, id, s, d.Add)
	} else {
		var addBy map[string]map[string]any // first element of each added value
		for _, v := range d.Remove {
			old := s.get(v)
			if old == nil {
				continue
			}
			if len(d.Add) > 0 {
				if addBy == nil {
					addBy = make(map[string]map[string]any, len(d.Add))
					for _, el := range d.Add {
						v, _ := elementValue(el)
						if _, seen := addBy[v]; !seen {
							addBy[v] = el
						}
					}
				}
				if el, ok := addBy[v]; ok && reflect.DeepEqual(old, el) {
					continue // removed and added back as it was
				}
			}
			s.remove(v)
			out.Removed = append(out.Removed, v)
			if track {
				sp.unlinkOne(id, old)
			}
		}
		for _, el := range d.Add {
			v, _ := elementValue(el)
			if s.get(v) != nil {
				continue
			}
			s.add(v, el)
			out.Added = append(out.Added, v)
			if track {
				sp.linkOne(id, el)
			}
		}
	}

	old := rec.base
	if len(changed) == 0 && len(out.Added) == 0 && len(out.Removed) == 0 {
		out.Version = old.Meta.Version
		if v := rec.view.Load(); v != nil {
			out.Resource = v.res
		}
		return out, nil
	}
	next := &Resource{Type: old.Type, ID: old.ID, Attributes: attrs,
		Meta: Meta{Created: old.Meta.Created, LastModified: m.now().UTC(), Version: m.nextVersion()}}
	if len(changed) > 0 {
		t.unindex(rec)
		rec.base = next
		t.index(rec)
	} else {
		rec.base = next
	}
	rec.view.Store(nil)
	out.Version = next.Meta.Version
	return out, nil
}

// replaceMembers makes s hold the elements of add (the first of each
// value) unless it holds the same elements already, and returns the values
// removed and added. With track set it keeps the reverse member index of
// the group gid up to date.
func replaceMembers(sp *space, track bool, gid string, s *memberSet, add []map[string]any) (removed, added []string) {
	newPos := make(map[string]int, len(add))
	list := make([]map[string]any, 0, len(add))
	for _, el := range add {
		v, _ := elementValue(el)
		if _, dup := newPos[v]; !dup {
			newPos[v] = len(list)
			list = append(list, el)
		}
	}
	same := len(list) == s.len()
	for i := 0; same && i < len(list); i++ {
		v, _ := elementValue(list[i])
		old := s.get(v)
		same = old != nil && reflect.DeepEqual(old, list[i])
	}
	if same {
		return nil, nil
	}
	for _, old := range s.elems {
		if old == nil {
			continue
		}
		v, _ := elementValue(old)
		if i, ok := newPos[v]; !ok || !reflect.DeepEqual(old, list[i]) {
			removed = append(removed, v)
		}
		if track {
			sp.unlinkOne(gid, old)
		}
	}
	for _, el := range list {
		v, _ := elementValue(el)
		if old := s.get(v); old == nil || !reflect.DeepEqual(old, el) {
			added = append(added, v)
		}
	}
	s.reset(list)
	if track {
		for _, el := range list {
			sp.linkOne(gid, el)
		}
	}
	return removed, added
}

// ListAfter returns up to q.Count resources matching q.Filter, in List's
// order, that come after the position after. It implements
// [CursorLister].
//
// A position is the creation sequence number of the last resource
// returned, in decimal; with q.SortBy it is followed by a comma and that
// resource's sort key (a letter for its kind and the value). Neither
// depends on the resource still existing, so positions survive any
// creates, changes and deletes: the next page holds the resources that
// sort after the position at the time it is asked for. Page.Next is ""
// when no resource follows the page, and when q.Count is 0. A position
// this store did not give for the kind of query (sorted or not) is an
// error.
func (m *Memory) ListAfter(ctx context.Context, typ string, q Query, after string) (*Page, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sorted := q.SortBy.Name != ""
	pos, err := parsePosition(after, sorted)
	if err != nil {
		return nil, err
	}
	count := max(q.Count, 0)
	tenant := m.tenantOf(ctx)
	m.mu.RLock()
	defer m.mu.RUnlock()
	t := m.table(tenant, typ)
	if t == nil {
		return &Page{Resources: []*Resource{}}, nil
	}
	candidates, indexed := t.candidates(q.Filter)
	if sorted {
		if !indexed {
			candidates = t.order
		}
		matched, err := sortMatches(ctx, candidates, q)
		if err != nil {
			return nil, err
		}
		lo := 0
		if pos.given {
			lo = sort.Search(len(matched), func(i int) bool {
				c := schema.CompareSortKeys(matched[i].key, pos.key, q.Descending)
				return c > 0 || c == 0 && matched[i].rec.seq > pos.seq
			})
		}
		hi := min(lo+count, len(matched))
		page := &Page{Resources: make([]*Resource, hi-lo), Total: len(matched)}
		for i, k := range matched[lo:hi] {
			page.Resources[i] = k.rec.current().res
		}
		if hi > lo && hi < len(matched) {
			page.Next = encodePosition(matched[hi-1].rec.seq, &matched[hi-1].key)
		}
		return page, nil
	}

	page := &Page{Resources: make([]*Resource, 0, min(count, 64))}
	var last *record
	follows := false
	if !indexed && q.Filter == nil {
		// Every resource matches: start at the position.
		page.Total = len(t.order) - t.holes
		i := sort.Search(len(t.seqs), func(i int) bool { return t.seqs[i] > pos.seq })
		for ; i < len(t.order); i++ {
			rec := t.order[i]
			if rec == nil {
				continue
			}
			if len(page.Resources) == count {
				follows = true
				break
			}
			page.Resources = append(page.Resources, rec.current().res)
			last = rec
		}
	} else {
		if !indexed {
			candidates = t.order
		}
		err := scan(ctx, candidates, q.Filter, func(rec *record, v *view) {
			page.Total++
			switch {
			case rec.seq <= pos.seq:
			case len(page.Resources) < count:
				page.Resources = append(page.Resources, v.res)
				last = rec
			default:
				follows = true
			}
		})
		if err != nil {
			return nil, err
		}
	}
	if follows && last != nil {
		page.Next = encodePosition(last.seq, nil)
	}
	return page, nil
}

// position is a decoded ListAfter position.
type position struct {
	given bool
	seq   uint64
	key   schema.SortKey
}

// The letters of the kinds of sort keys in a position.
const (
	posMissing = 'm'
	posBool    = 'b'
	posNumber  = 'n'
	posTime    = 't'
	posString  = 's'
)

// encodePosition returns the position of the resource with sequence
// number seq, and with key its sort key in a sorted list.
func encodePosition(seq uint64, key *schema.SortKey) string {
	b := strconv.AppendUint(make([]byte, 0, 24), seq, 10)
	if key == nil {
		return string(b)
	}
	b = append(b, ',')
	switch key.Kind {
	case schema.SortBool:
		b = append(b, posBool)
		if key.Bool {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
	case schema.SortNumber:
		b = strconv.AppendFloat(append(b, posNumber), key.Number, 'g', -1, 64)
	case schema.SortTime:
		b = key.Time.UTC().AppendFormat(append(b, posTime), time.RFC3339Nano)
	case schema.SortString:
		b = append(append(b, posString), key.Text...)
	default:
		b = append(b, posMissing)
	}
	return string(b)
}

// parsePosition decodes a position given by encodePosition for a sorted
// list or not; "" is the position before the first resource.
func parsePosition(s string, sorted bool) (position, error) {
	if s == "" {
		return position{}, nil
	}
	bad := func() (position, error) {
		return position{}, fmt.Errorf("store: %q is not a list position this store gave for this query", s)
	}
	num, rest, hasKey := strings.Cut(s, ",")
	seq, err := strconv.ParseUint(num, 10, 64)
	if err != nil || hasKey != sorted || sorted && rest == "" {
		return bad()
	}
	p := position{given: true, seq: seq}
	if !sorted {
		return p, nil
	}
	payload := rest[1:]
	switch rest[0] {
	case posMissing:
		if payload != "" {
			return bad()
		}
	case posBool:
		if payload != "0" && payload != "1" {
			return bad()
		}
		p.key = schema.SortKey{Kind: schema.SortBool, Bool: payload == "1"}
	case posNumber:
		f, err := strconv.ParseFloat(payload, 64)
		if err != nil {
			return bad()
		}
		p.key = schema.SortKey{Kind: schema.SortNumber, Number: f}
	case posTime:
		tm, err := time.Parse(time.RFC3339Nano, payload)
		if err != nil {
			return bad()
		}
		p.key = schema.SortKey{Kind: schema.SortTime, Time: tm}
	case posString:
		p.key = schema.SortKey{Kind: schema.SortString, Text: payload}
	default:
		return bad()
	}
	return p, nil
}
