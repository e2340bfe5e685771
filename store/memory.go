package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

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

// MemoryConfig configures [NewMemoryWith]. The zero value is valid.
type MemoryConfig struct {
	// ResourceTypes are the resource types the store enforces uniqueness
	// for. Every single-valued attribute of a type's core schema whose
	// Uniqueness is server or global (userName for User) must be unique
	// among the resources of that type, compared case-insensitively (as
	// strings.EqualFold does) unless the attribute is CaseExact, a reference
	// or binary, as filter.Match compares them. Uniqueness of extension or
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
//     shared, not copied), and Get and List return the stored pointers.
//     Nothing reachable from them is ever modified afterwards.
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
	types   map[string]*typeRules
	tables  map[string]*table
	seq     uint64 // creation counter: the list order
	version uint64 // write counter: Meta.Version
	// memberOf maps a member id to the set of ids of the groups (resources
	// of type groupType) whose "members" name it.
	memberOf map[string]map[string]struct{}
}

var _ Store = (*Memory)(nil)

// typeRules are the indexed attributes of one resource type.
type typeRules struct {
	unique []indexRule // unique attributes of the core schema
	multi  []indexRule // non-unique indexed attributes
}

type indexRule struct {
	name      string
	caseExact bool
}

// table holds the resources of one type.
type table struct {
	byID  map[string]*record
	order []*record // creation order; deleted entries are nil
	holes int       // number of nil entries in order
	// unique[i] indexes rules.unique[i]; multi[i] indexes rules.multi[i].
	unique []map[string]*record
	multi  []map[string][]*record
	rules  *typeRules
}

// record is the memory store's state of one resource.
type record struct {
	res *Resource
	obj map[string]any // res.Object(), built once per write
	seq uint64
	pos int // index in table.order
	// self holds the record itself, so that an index lookup that finds
	// one record can return it as a slice without allocating.
	self [1]*record
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
		now:      cfg.Now,
		newID:    cfg.NewID,
		types:    make(map[string]*typeRules),
		tables:   make(map[string]*table),
		memberOf: make(map[string]map[string]struct{}),
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.newID == nil {
		m.newID = randomUUID
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
				r.unique = append(r.unique, indexRule{name: a.Name, caseExact: caseExact(a)})
			}
		}
	}
	r.multi = append(r.multi, indexRule{name: "externalId", caseExact: caseExact(schema.Common("externalId"))})
	if rt.Name == groupType && rt.Schema != nil {
		if a := rt.Schema.Attr("displayName"); a != nil && !a.MultiValued && stringLike(a.Type) && !r.isUnique(a.Name) {
			r.multi = append(r.multi, indexRule{name: a.Name, caseExact: caseExact(a)})
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

// defaultRules apply to resource types missing from MemoryConfig.
var defaultRules = &typeRules{multi: []indexRule{{name: "externalId", caseExact: true}}}

func stringLike(t schema.Type) bool {
	switch t {
	case "", schema.String, schema.Reference, schema.Binary:
		return true
	}
	return false
}

// tableFor returns the table of typ, creating it when create is set; it
// returns nil otherwise if the type has no resources yet. m.mu must be held
// (for writing if create is set).
func (m *Memory) tableFor(typ string, create bool) *table {
	t := m.tables[typ]
	if t != nil || !create {
		return t
	}
	rules := m.types[typ]
	if rules == nil {
		rules = defaultRules
	}
	t = &table{
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
	m.tables[typ] = t
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
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.tableFor(r.Type, true)
	if err := t.checkUnique(r, nil); err != nil {
		return nil, err
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
	rec := &record{res: res, obj: res.Object(), seq: m.seq, pos: len(t.order)}
	rec.self[0] = rec
	t.byID[id] = rec
	t.order = append(t.order, rec)
	t.index(rec)
	if r.Type == groupType {
		m.addMembers(id, r.Attributes)
	}
	return res, nil
}

// Get returns the stored resource, or an error wrapping ErrNotFound.
func (m *Memory) Get(ctx context.Context, typ, id string) (*Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	rec, err := m.lookup(typ, id)
	if err != nil {
		return nil, err
	}
	return rec.res, nil
}

// lookup returns the record of typ/id or an error wrapping ErrNotFound.
// m.mu must be held.
func (m *Memory) lookup(typ, id string) (*record, error) {
	if t := m.tables[typ]; t != nil {
		if rec := t.byID[id]; rec != nil {
			return rec, nil
		}
	}
	return nil, fmt.Errorf("%w: %s %q", ErrNotFound, typ, id)
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
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, err := m.lookup(r.Type, r.ID)
	if err != nil {
		return nil, err
	}
	old := rec.res
	if ifVersion != "" && ifVersion != old.Meta.Version {
		return nil, fmt.Errorf("%w: %s %q is at version %q, not %q", ErrVersionMismatch, r.Type, r.ID, old.Meta.Version, ifVersion)
	}
	t := m.tables[r.Type]
	if err := t.checkUnique(r, rec); err != nil {
		return nil, err
	}
	res := &Resource{
		Type:       old.Type,
		ID:         old.ID,
		Attributes: r.Attributes,
		Meta:       Meta{Created: old.Meta.Created, LastModified: m.now().UTC(), Version: m.nextVersion()},
	}
	t.unindex(rec)
	rec.res = res
	rec.obj = res.Object()
	t.index(rec)
	if r.Type == groupType {
		m.removeMembers(old.ID, old.Attributes)
		m.addMembers(old.ID, res.Attributes)
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
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, err := m.lookup(typ, id)
	if err != nil {
		return err
	}
	if ifVersion != "" && ifVersion != rec.res.Meta.Version {
		return fmt.Errorf("%w: %s %q is at version %q, not %q", ErrVersionMismatch, typ, id, rec.res.Meta.Version, ifVersion)
	}
	t := m.tables[typ]
	t.unindex(rec)
	delete(t.byID, id)
	t.order[rec.pos] = nil
	t.holes++
	t.compact()
	switch typ {
	case groupType:
		m.removeMembers(id, rec.res.Attributes)
	case userType:
		m.dropMember(id)
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
	m.mu.RLock()
	defer m.mu.RUnlock()
	t := m.tables[typ]
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
			page[i] = rec.res
		}
		return &Page{Resources: page, Total: total}, nil
	}
	if !indexed {
		candidates = t.order
	}
	if q.SortBy.Name != "" {
		return sortedPage(ctx, candidates, q, start, count)
	}
	page := make([]*Resource, 0, min(count, len(candidates)))
	total := 0
	for i, rec := range candidates {
		if i%scanCheckEvery == scanCheckEvery-1 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if rec == nil || (q.Filter != nil && !filter.Match(q.Filter, rec.obj)) {
			continue
		}
		if total >= start && len(page) < count {
			page = append(page, rec.res)
		}
		total++
	}
	return &Page{Resources: page, Total: total}, nil
}

// sortedPage evaluates q.Filter on candidates (in creation order), sorts
// the matches by q.SortBy and returns the page from start of count.
func sortedPage(ctx context.Context, candidates []*record, q Query, start, count int) (*Page, error) {
	type keyed struct {
		rec *record
		key sortKey
	}
	var matched []keyed
	for i, rec := range candidates {
		if i%scanCheckEvery == scanCheckEvery-1 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if rec == nil || (q.Filter != nil && !filter.Match(q.Filter, rec.obj)) {
			continue
		}
		matched = append(matched, keyed{rec: rec, key: sortKeyOf(rec.obj, q.SortBy)})
	}
	slices.SortStableFunc(matched, func(a, b keyed) int {
		return compareKeys(a.key, b.key, q.Descending)
	})
	lo := min(start, len(matched))
	hi := min(lo+count, len(matched))
	page := make([]*Resource, hi-lo)
	for i, k := range matched[lo:hi] {
		page[i] = k.rec.res
	}
	return &Page{Resources: page, Total: len(matched)}, nil
}

// The kinds of sort keys, in the order values of different kinds sort.
const (
	keyMissing = iota
	keyBool
	keyNumber
	keyTime
	keyString
)

// sortKey is the value a resource sorts by (RFC 7644 §3.4.2.3).
type sortKey struct {
	kind int
	s    string
	f    float64
	t    time.Time
	b    bool
}

// sortKeyOf returns the sort key of the attribute at p in obj: of a
// multi-valued attribute its primary value, else its first; strings
// folded to lower case unless the attribute is case-exact.
func sortKeyOf(obj map[string]any, p filter.AttrPath) sortKey {
	bound := p.Attr != nil
	m := obj
	if p.URN != "" {
		if ext, ok := field(obj, p.URN, bound).(map[string]any); ok {
			m = ext
		} else if bound {
			return sortKey{}
		}
	}
	v := representative(field(m, p.Name, bound))
	if p.Sub != "" {
		sub, ok := v.(map[string]any)
		if !ok {
			return sortKey{}
		}
		v = representative(field(sub, p.Sub, bound))
	}
	leaf := p.Leaf()
	switch x := v.(type) {
	case string:
		if x == "" {
			return sortKey{}
		}
		if leaf != nil && leaf.Type == schema.DateTime {
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return sortKey{kind: keyTime, t: t}
			}
		}
		if leaf == nil || !caseExact(leaf) {
			x = strings.ToLower(x)
		}
		return sortKey{kind: keyString, s: x}
	case bool:
		return sortKey{kind: keyBool, b: x}
	case json.Number:
		if f, err := strconv.ParseFloat(string(x), 64); err == nil {
			return sortKey{kind: keyNumber, f: f}
		}
		return sortKey{kind: keyString, s: string(x)}
	case float64:
		return sortKey{kind: keyNumber, f: x}
	case int:
		return sortKey{kind: keyNumber, f: float64(x)}
	}
	return sortKey{}
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

// compareKeys orders a before b (negative) or after (positive); missing
// values come last in either direction.
func compareKeys(a, b sortKey, descending bool) int {
	switch {
	case a.kind == keyMissing && b.kind == keyMissing:
		return 0
	case a.kind == keyMissing:
		return 1
	case b.kind == keyMissing:
		return -1
	}
	c := 0
	switch {
	case a.kind != b.kind:
		c = a.kind - b.kind
	case a.kind == keyBool && a.b != b.b:
		c = 1
		if b.b {
			c = -1
		}
	case a.kind == keyNumber:
		c = cmp.Compare(a.f, b.f)
	case a.kind == keyTime:
		c = a.t.Compare(b.t)
	case a.kind == keyString:
		c = strings.Compare(a.s, b.s)
	}
	if descending {
		return -c
	}
	return c
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
	exact := caseExact(a)
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
		if r.name == c.Path.Name && r.caseExact == exact {
			if rec := t.unique[i][key(v, r.caseExact)]; rec != nil {
				return rec.self[:], true
			}
			return nil, true
		}
	}
	for i, r := range t.rules.multi {
		if r.name == c.Path.Name && r.caseExact == exact {
			recs := t.multi[i][key(v, r.caseExact)]
			if !slices.IsSortedFunc(recs, bySeq) {
				recs = slices.SortedFunc(slices.Values(recs), bySeq)
			}
			return recs, true
		}
	}
	return nil, false
}

// caseExact reports whether filter.Match compares values of a
// case-sensitively, and so whether its index keys are the values themselves.
func caseExact(a *schema.Attribute) bool {
	return a.CaseExact || a.Type == schema.Reference || a.Type == schema.Binary
}

func bySeq(a, b *record) int {
	switch {
	case a.seq < b.seq:
		return -1
	case a.seq > b.seq:
		return 1
	}
	return strings.Compare(a.res.ID, b.res.ID)
}

// checkUnique returns a *ConflictError (which wraps ErrConflict) if a
// unique attribute of r has a value that a resource other than self holds.
func (t *table) checkUnique(r *Resource, self *record) error {
	for i, rule := range t.rules.unique {
		v, ok := r.Attributes[rule.name].(string)
		if !ok {
			continue
		}
		if other := t.unique[i][key(v, rule.caseExact)]; other != nil && other != self {
			return &ConflictError{Attribute: rule.name, Value: v}
		}
	}
	return nil
}

// index adds rec to the attribute indexes.
func (t *table) index(rec *record) {
	attrs := rec.res.Attributes
	for i, rule := range t.rules.unique {
		if v, ok := attrs[rule.name].(string); ok {
			t.unique[i][key(v, rule.caseExact)] = rec
		}
	}
	for i, rule := range t.rules.multi {
		if v, ok := attrs[rule.name].(string); ok {
			k := key(v, rule.caseExact)
			t.multi[i][k] = append(t.multi[i][k], rec)
		}
	}
}

// unindex removes rec from the attribute indexes.
func (t *table) unindex(rec *record) {
	attrs := rec.res.Attributes
	for i, rule := range t.rules.unique {
		if v, ok := attrs[rule.name].(string); ok {
			k := key(v, rule.caseExact)
			if t.unique[i][k] == rec {
				delete(t.unique[i], k)
			}
		}
	}
	for i, rule := range t.rules.multi {
		if v, ok := attrs[rule.name].(string); ok {
			k := key(v, rule.caseExact)
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
	for _, rec := range t.order {
		if rec != nil {
			rec.pos = len(live)
			live = append(live, rec)
		}
	}
	t.order = live
	t.holes = 0
}

// memberIDs yields the values of the members of a group that may name a
// user: those whose "type" is absent or not "Group".
func memberIDs(attrs map[string]any, yield func(string)) {
	members, _ := attrs["members"].([]any)
	for _, mv := range members {
		mm, ok := mv.(map[string]any)
		if !ok {
			continue
		}
		if typ, _ := mm["type"].(string); typ == groupType {
			continue
		}
		if v, ok := mm["value"].(string); ok && v != "" {
			yield(v)
		}
	}
}

// addMembers records that group gid has the members in attrs.
func (m *Memory) addMembers(gid string, attrs map[string]any) {
	memberIDs(attrs, func(uid string) {
		set := m.memberOf[uid]
		if set == nil {
			set = make(map[string]struct{}, 1)
			m.memberOf[uid] = set
		}
		set[gid] = struct{}{}
	})
}

// removeMembers forgets that group gid has the members in attrs.
func (m *Memory) removeMembers(gid string, attrs map[string]any) {
	memberIDs(attrs, func(uid string) {
		if set := m.memberOf[uid]; set != nil {
			delete(set, gid)
			if len(set) == 0 {
				delete(m.memberOf, uid)
			}
		}
	})
}

// dropMember removes the deleted user uid from the members of every group
// that has it, writing each such group anew.
func (m *Memory) dropMember(uid string) {
	gids := m.memberOf[uid]
	if len(gids) == 0 {
		return
	}
	delete(m.memberOf, uid)
	groups := m.tables[groupType]
	if groups == nil {
		return
	}
	now := m.now().UTC()
	for gid := range gids {
		rec := groups.byID[gid]
		if rec == nil {
			continue
		}
		old := rec.res
		members, _ := old.Attributes["members"].([]any)
		kept := make([]any, 0, len(members))
		for _, mv := range members {
			if mm, ok := mv.(map[string]any); ok {
				v, _ := mm["value"].(string)
				typ, _ := mm["type"].(string)
				if v == uid && typ != groupType {
					continue
				}
			}
			kept = append(kept, mv)
		}
		attrs := make(map[string]any, len(old.Attributes))
		for k, v := range old.Attributes {
			attrs[k] = v
		}
		if len(kept) == 0 {
			delete(attrs, "members")
		} else {
			attrs["members"] = kept
		}
		res := &Resource{
			Type:       old.Type,
			ID:         old.ID,
			Attributes: attrs,
			Meta:       Meta{Created: old.Meta.Created, LastModified: now, Version: m.nextVersion()},
		}
		// Only members changed: the attribute indexes stay valid.
		rec.res = res
		rec.obj = res.Object()
	}
}

// nextVersion returns a version no write has had. m.mu must be held for
// writing.
func (m *Memory) nextVersion() string {
	m.version++
	return strconv.FormatUint(m.version, 10)
}

// key returns the index key of the value v: v itself when the attribute is
// case-exact, otherwise its case fold, under which two strings are equal
// exactly when strings.EqualFold says they are.
func key(v string, caseExact bool) string {
	if caseExact {
		return v
	}
	return fold(v)
}

// fold maps every rune of s to the smallest rune of its Unicode simple
// case-folding orbit (the relation strings.EqualFold uses); for ASCII that
// is the upper case letter.
func fold(s string) string {
	lower := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return foldUnicode(s)
		}
		if 'a' <= c && c <= 'z' {
			lower = true
		}
	}
	if !lower {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func foldUnicode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}

// randomUUID returns a random UUID (RFC 9562 version 4) in its 36-character
// text form.
func randomUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails (it aborts the program instead)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	const hexdigits = "0123456789abcdef"
	var b [36]byte
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j] = hexdigits[c>>4]
		b[j+1] = hexdigits[c&0x0f]
		j += 2
	}
	return string(b[:])
}
