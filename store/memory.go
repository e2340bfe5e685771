package store

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

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
	// CaseSensitive), as filter.Match compares them. Uniqueness of
	// extension or multi-valued attributes is not enforced. Resources of a
	// type not listed here are stored too, with no uniqueness rule besides
	// their id.
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
	// Feed switches the change feed ([Feed]) on: every write then records
	// its event, and the handler works out what each write changed. Off
	// (the default, as with sqlstore.Config.Feed), the Feed methods return
	// an error wrapping errors.ErrUnsupported and writes record nothing.
	Feed bool
	// FeedRetention bounds the change feed (see [Memory.ReadFeed]) of each
	// tenant, which the store prunes as it writes. MaxEvents 0 means
	// [DefaultMemoryFeedEvents]; each event holds its Change (the names of
	// the attributes changed and the member ids added and removed). The
	// feed is lost with the process like everything else in the store.
	FeedRetention Retention
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
//   - Meta.Version is a per-tenant counter, written as a decimal string,
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
// [Memory.PatchMembers]), [CursorLister] (see [Memory.ListAfter]),
// [GroupLister] and [Feed]: with [MemoryConfig.Feed] on, every write
// appends its event to the tenant's change feed under the same lock, which
// keeps the last [MemoryConfig.FeedRetention] events, and wakes WaitFeed
// at once.
//
// Lookups by id, by each unique attribute, by externalId and by Group
// displayName use indexes. List uses them when the filter, or one of its
// top-level "and" terms, is an "eq" comparison of one of those attributes
// with a string, and evaluates the whole filter with [filter.Match] only on
// the resources the index yields. Any other filter is evaluated with
// filter.Match on every resource of the type, in order.
type Memory struct {
	mu     sync.RWMutex
	now    func() time.Time
	newID  func() string
	tenant func(context.Context) string
	types  map[string]*typeRules
	spaces map[string]*space // by tenant
	seq    uint64            // creation counter: the list order

	feed      bool // MemoryConfig.Feed
	retention Retention
	// wake is closed, and set to nil, by the next write; WaitFeed makes it.
	wake chan struct{}
}

var (
	_ Store         = (*Memory)(nil)
	_ MemberPatcher = (*Memory)(nil)
	_ CursorLister  = (*Memory)(nil)
	_ GroupLister   = (*Memory)(nil)
)

// space holds the resources of one tenant.
type space struct {
	tables  map[string]*table
	version uint64 // write counter of the tenant: Meta.Version
	// memberOf maps a member id to the set of ids of the groups (resources
	// of type groupType) whose "members" name it.
	memberOf map[string]map[string]struct{}
	// nestedIn maps the id of a member typed "Group" to the set of ids of
	// the groups that list it (memberOf holds all other members).
	nestedIn map[string]map[string]struct{}
	feed     feedLog
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
// set. Memory.mu must be held for writing. The view is built by the first
// read that needs it, so a resource written several times between reads
// builds it once.
func (rec *record) setWhole(res *Resource) {
	rec.base = res
	rec.set = nil
	rec.view.Store(nil)
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

		feed:      cfg.Feed,
		retention: cfg.FeedRetention,
	}
	if m.retention.MaxEvents <= 0 {
		m.retention.MaxEvents = DefaultMemoryFeedEvents
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
	sp = &space{tables: make(map[string]*table), memberOf: make(map[string]map[string]struct{}),
		nestedIn: make(map[string]map[string]struct{})}
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

// nextVersion returns a version no write in the tenant has had. Each
// tenant counts its own writes, so that no tenant sees the pace of
// another's in its ETags. m.mu must be held for writing.
func (sp *space) nextVersion() string {
	sp.version++
	return strconv.FormatUint(sp.version, 10)
}
