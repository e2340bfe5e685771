package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// userType is the resource type whose deletion removes the deleted
// resource from the members of every group, as in the memory store.
// Members without a type must name a resource of userType or groupType.
const (
	userType  = "User"
	groupType = "Group"
)

// membersAttr is the attribute a resource type keeps in the members table
// when its core schema defines it as multi-valued and complex with a
// "value" sub-attribute (the Group schema does).
const membersAttr = "members"

// patchResultMembers is the largest member count for which PatchMembers
// returns the whole resource; bigger groups get a nil Resource.
const patchResultMembers = 100

// insertBatch is how many rows one multi-row INSERT writes.
const insertBatch = 1000

// Config configures [New].
type Config struct {
	// Dialect is Postgres or SQLite; required.
	Dialect Dialect
	// ResourceTypes are the resource types whose rules the store applies:
	// uniqueness of the core schema's single-valued string attributes
	// whose Uniqueness is server or global (userName), compared
	// case-insensitively unless the attribute is caseExact; members in the
	// members table for a core "members" attribute; and the attribute
	// definitions used when a filter path is not bound. Resources of other
	// types are stored too, without such rules. Nil means
	// schema.UserResourceType(schema.EnterpriseUserSchema()) and
	// schema.GroupResourceType().
	ResourceTypes []*schema.ResourceType
	// Tenant returns the tenant of a call from its context; every row
	// carries it and every statement is scoped by it. Nil means a single
	// tenant, "".
	Tenant func(ctx context.Context) string
	// Now returns the current time for Meta.Created and Meta.LastModified;
	// it is converted to UTC and truncated to microseconds (the precision
	// of PostgreSQL timestamps). Nil means time.Now.
	Now func() time.Time
	// NewID returns the id of a new resource, unique in its tenant across
	// all types. Nil means a random UUID (version 4).
	NewID func() string
	// MaxScan bounds the resources one List or ListAfter reads to
	// evaluate the terms of a filter the SQL cannot translate (see
	// Filters in the package documentation): when more than MaxScan resources match the
	// rest of the filter, the call fails with an error wrapping
	// [ErrTooMany] (store.ErrTooMany: 400 tooMany) instead of reading them. Counting them reads
	// no attributes. 0 means [DefaultMaxScan] (10,000); a negative value
	// means no bound.
	MaxScan int
	// StatementTimeout bounds the time one call spends in the database
	// (a context deadline on its statements, which both drivers honour
	// by cancelling the statement): a List or ListAfter with a filter
	// that outlasts it fails with an error wrapping [ErrTooMany] (400
	// tooMany), any other call with one wrapping [ErrTimeout] (and
	// store.ErrUnavailable: 503). 0 means [DefaultStatementTimeout] (5s); a negative
	// value means no bound beyond the caller's context.
	StatementTimeout time.Duration

	// Feed turns on the change feed (store.Feed, read with package
	// github.com/scimkit/scimkit/store/feed): every write records its
	// event in the outbox table scim_feed in its own transaction. Off, the
	// Feed methods return an error wrapping errors.ErrUnsupported and
	// writes record nothing. See Change feed in the package documentation.
	Feed bool
	// FeedRetention bounds the events PruneFeed keeps per tenant; the
	// zero value means a MaxAge of [DefaultFeedMaxAge] (7 days).
	FeedRetention store.Retention
	// FeedPoll is the longest WaitFeed waits before it returns, so the
	// latency at which a consumer sees the writes of other processes
	// (writes of its own process wake it at once). 0 means
	// [DefaultFeedPoll] (250ms).
	FeedPoll time.Duration
}

// Store is a [store.Store] over a SQL database. Create it with [New] and
// call [Store.Migrate] once before use. It is safe for concurrent use as
// far as the database is: PostgreSQL serializes the writes of one resource
// with row locks; with SQLite the store runs one write transaction at a
// time and, in WAL mode with several connections (see [OpenSQLite]), reads
// beside it.
type Store struct {
	db     *sql.DB
	d      Dialect
	tenant func(context.Context) string
	now    func() time.Time
	newID  func() string
	types  map[string]*typeInfo

	maxScan int
	timeout time.Duration
	// traceQuery, when set (by tests), sees each list statement before
	// it runs.
	traceQuery func(q string, args []any)
	// writes serialises the write transactions of an SQLite store, so
	// that they never contend for SQLite's single write lock inside one
	// process (readers run beside them in WAL mode).
	writes sync.Mutex

	feed      bool
	retention store.Retention
	poll      time.Duration
	// waiting is closed, and set to nil, by the next commit; WaitFeed
	// makes it. waitMu guards it.
	waitMu  sync.Mutex
	waiting chan struct{}

	// insertSQL is the statement inserting a resource row (insertArgs).
	insertSQL string
}

var (
	_ store.Store          = (*Store)(nil)
	_ store.MemberPatcher  = (*Store)(nil)
	_ store.FilterSplitter = (*Store)(nil)
)

// typeInfo is what the store derived from one resource type.
type typeInfo struct {
	rt *schema.ResourceType
	// nameKey is the unique attribute kept in the name_key column, or
	// nil; extraUnique are the further unique attributes, kept in the
	// scim_unique table.
	nameKey     *schema.Attribute
	extraUnique []*schema.Attribute
	// display is the "displayName" attribute kept in the display_key
	// column, or nil: only for a type without a unique attribute
	// (Group), whose displayName is the name identity providers look
	// it up by (Okta's group push, Entra ID's group matching). A User's
	// displayName is in no lookup they send, so no index is kept for it.
	display *schema.Attribute
	// members is the core "members" attribute kept in the members table,
	// or nil.
	members *schema.Attribute
}

// defaultInfo applies to types missing from Config.ResourceTypes.
var defaultInfo = &typeInfo{}

// New returns a store over db. It does not touch the database; call
// Migrate to create the tables.
func New(db *sql.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: New needs a database")
	}
	if cfg.Dialect == nil {
		return nil, errors.New("sqlstore: Config.Dialect is required (sqlstore.Postgres or sqlstore.SQLite)")
	}
	s := &Store{db: db, d: cfg.Dialect, tenant: cfg.Tenant, now: cfg.Now, newID: cfg.NewID, types: map[string]*typeInfo{},
		maxScan: cfg.MaxScan, timeout: cfg.StatementTimeout,
		feed: cfg.Feed, retention: cfg.FeedRetention, poll: cfg.FeedPoll}
	s.insertSQL = rebind(s.d, `INSERT INTO scim_resources (tenant, id, type, version, created, last_modified, attrs, attrs_key, external_id, name_key, display_key) VALUES (?, ?, ?, 1, ?, ?, `+s.d.jsonArg("?")+`, `+s.d.jsonArg("?")+`, ?, ?, ?)`)
	if s.retention == (store.Retention{}) {
		s.retention.MaxAge = DefaultFeedMaxAge
	}
	if s.poll <= 0 {
		s.poll = DefaultFeedPoll
	}
	if s.maxScan == 0 {
		s.maxScan = DefaultMaxScan
	}
	if s.timeout == 0 {
		s.timeout = DefaultStatementTimeout
	}
	if s.tenant == nil {
		s.tenant = func(context.Context) string { return "" }
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = store.NewID
	}
	rts := cfg.ResourceTypes
	if rts == nil {
		rts = []*schema.ResourceType{schema.UserResourceType(schema.EnterpriseUserSchema()), schema.GroupResourceType()}
	}
	for _, rt := range rts {
		if rt == nil || rt.Schema == nil {
			continue
		}
		if _, dup := s.types[rt.Name]; dup {
			return nil, fmt.Errorf("sqlstore: resource type %q is configured twice", rt.Name)
		}
		s.types[rt.Name] = infoFor(rt)
	}
	return s, nil
}

func infoFor(rt *schema.ResourceType) *typeInfo {
	ti := &typeInfo{rt: rt}
	for _, a := range rt.Schema.Attributes {
		if a == nil {
			continue
		}
		if !a.MultiValued && stringLike(a.Type) && (a.Uniqueness == schema.UniqueServer || a.Uniqueness == schema.UniqueGlobal) {
			if ti.nameKey == nil {
				ti.nameKey = a
			} else {
				ti.extraUnique = append(ti.extraUnique, a)
			}
		}
	}
	if a := rt.Schema.Attr("displayName"); a != nil && !a.MultiValued && stringLike(a.Type) && ti.nameKey == nil {
		ti.display = a
	}
	if a := rt.Schema.Attr(membersAttr); a != nil && a.Name == membersAttr && a.MultiValued && a.Type == schema.Complex && a.Sub("value") != nil {
		ti.members = a
	}
	return ti
}

func (s *Store) info(typ string) *typeInfo {
	if ti := s.types[typ]; ti != nil {
		return ti
	}
	return defaultInfo
}

func stringLike(t schema.Type) bool {
	switch t {
	case schema.String, schema.Reference, schema.Binary:
		return true
	}
	return false
}

func (s *Store) stamp() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// inTx runs f in a transaction, committing if it returns nil.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	if _, lite := s.d.(sqlite); lite {
		s.writes.Lock()
		defer s.writes.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback() // the error of f is the one that matters
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if s.feed {
		s.wake()
	}
	return nil
}
