// Package store defines the persistence contract of scimkit: the [Store]
// interface a host implements over its own database, the sentinel errors
// that carry HTTP meaning, optional capabilities found by type assertion, and
// an in-memory implementation ([NewMemory]).
//
// Stores hold canonical resource data (see package
// github.com/scimkit/scimkit/scim/schema): they never see HTTP, raw JSON or
// client spelling. Schema validation, PATCH and filter parsing happen before
// a Store is called. The conformance kit in store/storetest checks any Store
// against the contract written here.
//
// # Implementing a Store
//
// A host's own store needs the five methods of [Store]; everything else is
// an optional capability that the handler finds by type assertion and
// falls back from when it is missing:
//
//   - [MemberPatcher]: group membership changes as deltas, in time
//     independent of the group's size (Okta and Entra ID push membership
//     one member at a time). Fallback: Get, patch.Apply, Replace.
//   - [FilterSplitter]: evaluate only part of a filter (say, what maps to
//     indexed columns); the handler evaluates the rest. Fallback: List
//     applies the whole filter (filter.Match is a complete evaluator).
//   - [CursorLister]: cursor pagination (RFC 9865). Fallback: index paging
//     only.
//   - [GroupLister]: the groups that list given members, from the store's
//     member index, for User.groups. Fallback: one List with a
//     members[value eq …] filter per page of users, which reads each such
//     group.
//   - [Feed]: a durable change feed, each write's [Event] recorded in the
//     write's own atomic step; package store/feed delivers it to the
//     host. A store records [ChangeFor] the context of each write, which
//     carries the Change scim.Handler computed ([WithChange]). Fallback:
//     none (scim.Config.OnChange only).
//
// Run storetest.Run against it in a test (storetest.RunWith for a store
// that keeps only some attributes). The package
// github.com/scimkit/scimkit/store/sqlstore (a separate module, for
// PostgreSQL and SQLite) implements all of the above over tables of its
// own; [Memory] is the embedded default.
//
// # Serving a host's existing tables
//
// A host that already has users and teams maps SCIM onto its own columns
// (examples/existing-app does, in under 300 lines). What such a store must
// know:
//
//   - Ids are the store's, as strings, and must be unique across resource
//     types: a group member's value names a user or a group by id alone. A
//     store whose users and teams are numbered separately prefixes one of
//     them.
//   - Meta.Version must change on every write of the resource, the host
//     application's own writes included, or clients holding an ETag will
//     overwrite them. [ContentVersion] computes a version from the row's
//     content, so no version column or trigger is needed.
//   - userName is unique case-insensitively with [schema.Fold] (Unicode
//     simple case folding). SQLite's NOCASE and PostgreSQL's lower() fold
//     differently; index schema.Fold's key, for instance with an SQL
//     function that calls it.
//   - List answers filters, sorting and paging; [ListSlice] does all three
//     over the resources a store read, with the rules of every other store.
//   - Group members must name existing resources, checked in the same
//     atomic step as the write: [CheckMembers].
//   - A store receives the password a client wrote (it is write-only:
//     never returned, filtered or sorted on) in clear text in the
//     "password" attribute. Hash it or drop it; never store it as it is.
//   - Trim the schemas to what the tables hold (schema.Schema.Keep), so
//     that /Schemas tells clients the truth: attributes outside them are
//     ignored on input, and filters and sorts on them are refused.
//   - The handler calls Config.OnChange after the store committed; work
//     that must be atomic with the write (the default role of a user an
//     identity provider creates, ending a deactivated user's sessions
//     kept in the same database) belongs in the store's own transaction,
//     which sees the request's context. Work outside that database (a
//     cache, another service, an e-mail) belongs to a change feed: to
//     offer [Feed], insert ChangeFor(ctx, …) into an outbox table in each
//     write's transaction, with the tenant's next position taken from a
//     counter row updated in the same transaction.
//   - The typed views (Resource.User, Resource.Group) read canonical data
//     without map type assertions.
package store

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"github.com/scimkit/scimkit/filter"
)

// Sentinel errors. Stores return errors that wrap these (fmt.Errorf with
// %w adds context); the handler tests them with errors.Is. Any other error
// is answered with 500 and a generic detail, and logged.
var (
	// ErrNotFound: no resource of that type has that id. HTTP 404.
	ErrNotFound = errors.New("store: resource not found")
	// ErrConflict: a uniqueness constraint failed (for example a second
	// user with the same userName, compared case-insensitively).
	// HTTP 409 with scimType "uniqueness".
	ErrConflict = errors.New("store: uniqueness violation")
	// ErrVersionMismatch: the resource's current version is not the
	// ifVersion given. HTTP 412 when the client sent If-Match; for a PUT or
	// PATCH without one the handler re-reads and retries instead (and
	// answers 409 if the resource keeps changing).
	ErrVersionMismatch = errors.New("store: version mismatch")
	// ErrInvalidReference: a write names a resource that does not exist,
	// such as a group member whose value is the id of no user or group (of
	// the caller's tenant). HTTP 400 with scimType "invalidValue". Stores
	// check it in the same atomic step as the write, so that a member can
	// never outlive its user: Delete of a user removes it from every group,
	// and no write can add it back afterwards.
	ErrInvalidReference = errors.New("store: reference to a missing resource")
	// ErrTooMany: answering would make the store read more than it allows
	// for one request (a filter it cannot evaluate from an index, over too
	// many rows). HTTP 400 with scimType "tooMany" (RFC 7644 §3.12).
	ErrTooMany = errors.New("store: the request would read too many resources")
	// ErrUnavailable: the store could not answer in time. HTTP 503.
	ErrUnavailable = errors.New("store: unavailable")
	// ErrInvalidPosition: CursorLister.ListAfter was given a position this
	// store did not hand out for this query. HTTP 400 with scimType
	// "invalidCursor" (RFC 9865 §6).
	ErrInvalidPosition = errors.New("store: not a position of this query")
)

// DetailError gives an error wrapping one of the sentinels above a detail
// for the client: the handler answers with the sentinel's status and
// Detail (which must reveal nothing secret) instead of a generic text.
type DetailError struct {
	// Detail is sent to the client.
	Detail string
	// Err wraps the sentinel that decides the status.
	Err error
}

func (e *DetailError) Error() string { return "store: " + e.Detail + ": " + e.Err.Error() }

// Unwrap returns Err.
func (e *DetailError) Unwrap() error { return e.Err }

// Meta is the server-maintained metadata of a resource (RFC 7643 §3.1).
type Meta struct {
	Created      time.Time
	LastModified time.Time
	// Version is opaque; it is served as meta.version and the ETag, and must
	// change on every write of the resource, including writes a host makes
	// to its own tables without scimkit (see ContentVersion).
	Version string
}

// Resource is one stored resource.
//
// A Resource is a value: once passed to or returned by a Store, nobody
// modifies it (or any map or slice reachable from Attributes). The handler
// never does, a Store may keep and return the very pointer it was given, and
// writers build a new Resource instead.
type Resource struct {
	// Type is the resource type name, e.g. "User" or "Group".
	Type string
	// ID is the server-assigned id; empty in the argument of Create.
	ID string
	// Attributes is the canonical data (schema package): every attribute
	// except id, meta and schemas, with extension attributes nested under
	// their URN key and externalId at the top level.
	Attributes map[string]any
	// Meta is set by the store in Create, Replace and every other write.
	Meta Meta
}

// Object returns the resource as the object a filter is evaluated against
// (the form filter.Match takes): a new map holding the keys of Attributes
// plus "id" and "meta", where meta holds "resourceType" (Type), "created"
// and "lastModified" (RFC 3339 in UTC with fractional seconds, the
// time.RFC3339Nano layout) and "version". Empty or zero fields are left
// out, as canonical data leaves out empty values. The values of Attributes
// are shared, not copied, so the result must not be modified either.
func (r *Resource) Object() map[string]any {
	obj := make(map[string]any, len(r.Attributes)+2)
	for k, v := range r.Attributes {
		obj[k] = v
	}
	if r.ID != "" {
		obj["id"] = r.ID
	}
	meta := make(map[string]any, 4)
	if r.Type != "" {
		meta["resourceType"] = r.Type
	}
	if !r.Meta.Created.IsZero() {
		meta["created"] = r.Meta.Created.UTC().Format(time.RFC3339Nano)
	}
	if !r.Meta.LastModified.IsZero() {
		meta["lastModified"] = r.Meta.LastModified.UTC().Format(time.RFC3339Nano)
	}
	if r.Meta.Version != "" {
		meta["version"] = r.Meta.Version
	}
	if len(meta) > 0 {
		obj["meta"] = meta
	}
	return obj
}

// Query is a list request that the handler has parsed and validated.
type Query struct {
	// Filter selects resources; nil means all of the type. It has been
	// parsed and bound to the resource type's schema, so attribute names are
	// canonical. filter.Match is a complete, correct evaluator for it.
	Filter filter.Expr
	// StartIndex is 1-based and at least 1 (RFC 7644 §3.4.2.4).
	StartIndex int
	// Count is the page size, at least 0. Zero asks only for Total.
	Count int
	// SortBy, when its Name is not empty, orders the results by that
	// attribute (RFC 7644 §3.4.2.3), bound to the schema like Filter's
	// paths, in the order of schema.CompareSortKeys over
	// schema.Attribute.SortKey: strings by code point, folded with
	// schema.Fold unless the attribute is CaseSensitive, numbers
	// numerically, dateTimes as instants, booleans false first; a
	// multi-valued attribute sorts by its primary value, else its first;
	// resources without a value sort after every value (last ascending,
	// first descending); ties keep the store's default order. Empty SortBy.Name means the default order.
	SortBy filter.AttrPath
	// Descending reverses the SortBy order; values that are missing come
	// last when ascending and first when descending (RFC 7644 §3.4.2.3).
	Descending bool
	// Groups says the caller will ask GroupLister.GroupsOf for the ids
	// of the page's resources (to return User.groups): a GroupLister
	// may answer that with the page, in Page.Groups, and save the caller
	// a second call. Stores may ignore it.
	Groups bool
}

// Page is one page of a list result.
type Page struct {
	// Resources of this page, in the store's stable order.
	Resources []*Resource
	// Total is the number of resources matching the filter, before paging.
	Total int
	// Next is set only by CursorLister.ListAfter: see there.
	Next string
	// Groups, when not nil, is what GroupLister.GroupsOf returns for the
	// ids of Resources (see Query.Groups): their groups, by member id,
	// ids no group lists being absent. Nil means the store did not say.
	Groups map[string][]GroupRef
}

// Store persists resources. The handler calls it with the request context,
// which carries whatever the host's middleware put there (tenant,
// principal); a multi-tenant store scopes every call by it. Methods must be
// safe for concurrent use and should return early when ctx is done.
type Store interface {
	// Create stores a new resource (r.ID is empty) and returns it with ID
	// and Meta set. It returns an error wrapping ErrConflict if a unique
	// attribute is taken (userName, case-insensitively, for users), and one
	// wrapping ErrInvalidReference (a *ReferenceError) if a group member
	// names no existing resource: type "User" must name a user, type
	// "Group" a group, and a member without type either. RFC 7644 §3.3.
	Create(ctx context.Context, r *Resource) (*Resource, error)

	// Get returns the resource of type typ with that id, or an error
	// wrapping ErrNotFound. RFC 7644 §3.4.1.
	Get(ctx context.Context, typ, id string) (*Resource, error)

	// Replace overwrites the resource r.Type/r.ID with r and returns the
	// stored result with a new Meta.Version (Meta.Created kept). If ifVersion
	// is not empty and differs from the current version it returns an error
	// wrapping ErrVersionMismatch and changes nothing. It returns
	// ErrNotFound for an unknown resource, and ErrConflict and
	// ErrInvalidReference as Create does (members the stored group already
	// lists are not checked again, so a deleted nested group does not block
	// writes that keep it). RFC 7644 §3.5.1.
	Replace(ctx context.Context, r *Resource, ifVersion string) (*Resource, error)

	// Delete removes the resource, with the ifVersion rule of Replace. It
	// returns ErrNotFound for an unknown resource. A deleted user is also
	// removed from every group's members. RFC 7644 §3.6.
	Delete(ctx context.Context, typ, id, ifVersion string) error

	// List returns the page of resources of type typ that match q.Filter,
	// in a stable order (the same for every page of one result), or in
	// q.SortBy's order, and the total count. RFC 7644 §3.4.2. ListSlice
	// implements all of it over resources a store has read.
	List(ctx context.Context, typ string, q Query) (*Page, error)
}

// ConflictError describes a uniqueness violation. Stores may return one
// (it wraps ErrConflict) so the client's error detail can name the attribute.
type ConflictError struct {
	// Attribute is the canonical name of the unique attribute, e.g. "userName".
	Attribute string
	// Value is the value that is taken.
	Value string
}

func (e *ConflictError) Error() string {
	return "store: uniqueness violation: " + e.Attribute + " " + `"` + e.Value + `" is taken`
}

// Unwrap returns ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// MemberDelta is a change to the members of a group-like resource
// expressed as a delta, so that a store can apply it without reading or
// rewriting the whole member list. The handler builds it from a PATCH (see
// MemberPatcher); values are canonical.
type MemberDelta struct {
	// Attribute is the multi-valued attribute holding the members,
	// "members" for groups.
	Attribute string
	// RemoveAll removes every element before Add is applied (a PATCH
	// "replace" of the whole attribute).
	RemoveAll bool
	// Remove lists the "value"s of elements to remove; absent ones are
	// ignored.
	Remove []string
	// Add lists elements to append, each a canonical object with at least
	// "value"; an element whose value is already present is ignored.
	// Removals are applied before additions.
	Add []map[string]any
	// Set replaces top-level single-valued attributes other than
	// Attribute (e.g. "displayName" on a rename); a nil value removes one.
	Set map[string]any
	// SkipResource says the caller does not use MemberResult.Resource
	// (the handler answers the PATCH with 204 and has no OnChange hook):
	// a store may then leave it nil instead of reading the member list.
	SkipResource bool
}

// MemberResult is what MemberPatcher.PatchMembers did.
type MemberResult struct {
	// Resource is the resource after the change. A store may leave it nil
	// when producing it would mean loading a large member list; the
	// handler then calls Get if it must answer with the resource.
	Resource *Resource
	// Version is the new Meta.Version (set even when Resource is nil).
	Version string
	// Added and Removed are the member values really added and removed
	// (not those that were already present or absent).
	Added, Removed []string
	// Changed lists the attributes of MemberDelta.Set whose value really
	// changed. When nothing changed at all (no member added or removed, no
	// attribute changed) the store may keep the version.
	Changed []string
}

// MemberPatcher is an optional Store capability for group membership
// changes in time independent of the group's size: the handler uses it for
// PATCH requests that only add or remove members by value and set simple
// attributes (Okta's and Entra ID's membership pushes). Without it, the
// handler falls back to Get, patch.Apply and Replace with the version,
// retrying on ErrVersionMismatch.
type MemberPatcher interface {
	// PatchMembers applies d to the resource typ/id atomically and gives
	// it a new version. ifVersion follows the rule of Store.Replace. It
	// returns ErrNotFound for an unknown resource, and ErrInvalidReference
	// (a *ReferenceError) when an element of d.Add names no existing
	// resource, as Store.Create does. An error wrapping
	// errors.ErrUnsupported makes the handler use the fallback instead.
	PatchMembers(ctx context.Context, typ, id string, d MemberDelta, ifVersion string) (*MemberResult, error)
}

// FilterSplitter is an optional Store capability for stores that can
// evaluate only part of a filter themselves (for example a SQL store that
// translates some constructs and not others).
//
// Without it, Store.List receives the whole filter and must apply all of
// it (filter.Match is a complete evaluator to fall back on). With it, the
// handler calls SplitFilter first: List then receives pushed, and when
// residual is not nil the handler asks List for every match of pushed
// (StartIndex 1, Count of all) and evaluates residual itself with
// filter.Match before paging, so results are identical either way.
type FilterSplitter interface {
	// SplitFilter returns the part of f the store evaluates (nil: none,
	// every resource is a candidate) and the rest (nil: none). The
	// conjunction of the two must be equivalent to f; filter.Conjuncts
	// and filter.AndOf help to split on top-level "and".
	SplitFilter(typ string, f filter.Expr) (pushed, residual filter.Expr)
}

// GroupLister is an optional Store capability that answers, from the
// store's member index, which groups list given resources as members. The
// handler maintains User.groups with it (RFC 7643 §4.1.2: "groups" is
// read-only and computed by the service provider): the groups a user is a
// direct member of, and the groups those are members of. Without it the
// handler asks List for the groups whose members name the ids (a
// "members[value eq …]" filter), which costs a read of each such group.
type GroupLister interface {
	// GroupsOf returns, for each of ids (users or groups of the caller's
	// tenant), the groups whose "members" list it, each once; ids no group
	// lists are absent from the map. Display is the group's displayName.
	GroupsOf(ctx context.Context, ids []string) (map[string][]GroupRef, error)
}

// GroupRef is a group that lists a member (see GroupLister).
type GroupRef struct {
	// ID is the group's id; Display its displayName ("" if none).
	ID, Display string
}

// CursorLister is an optional Store capability for cursor pagination
// (RFC 9865): pages that stay correct while other clients create and delete
// resources between requests, which index pagination cannot promise. The
// handler advertises cursor pagination only for stores that have it, and
// seals the positions it hands out so clients cannot forge them.
type CursorLister interface {
	// ListAfter returns up to q.Count resources matching q.Filter, in the
	// order List would give them, that come strictly after the position
	// after ("" means from the first). q.StartIndex is 1 and ignored.
	// Page.Total is as for List. Page.Next is the position of the last
	// resource returned, or "" when no resource follows it. A position
	// stays valid when resources are created, changed or deleted,
	// including the one it was taken from. An error wrapping
	// errors.ErrUnsupported (for example for a q.SortBy the store cannot
	// page by position) is answered 400.
	ListAfter(ctx context.Context, typ string, q Query, after string) (*Page, error)
}

// ReferenceError names the missing resource of an ErrInvalidReference.
type ReferenceError struct {
	// Attribute is the canonical name of the referring attribute, e.g.
	// "members".
	Attribute string
	// Value is the id that names no resource.
	Value string
}

func (e *ReferenceError) Error() string {
	return "store: " + e.Attribute + " names " + `"` + e.Value + `", which does not exist`
}

// Unwrap returns ErrInvalidReference.
func (e *ReferenceError) Unwrap() error { return ErrInvalidReference }

// NewID returns a random UUID (RFC 9562 version 4) in its 36-character text
// form: the default id generator of the memory store, and a sound one for
// any store (ids must not reveal how many resources exist).
func NewID() string {
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
