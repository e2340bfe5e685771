// Package storetest checks that an implementation of store.Store honours
// the contract documented in package store, the way testing/fstest.TestFS
// checks an fs.FS.
//
// A host that keeps SCIM resources in its own database runs the kit from
// one of its tests:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			return newEmptyTestStore(t) // e.g. a fresh schema or tenant
//		})
//	}
//
// and runs it under the race detector (go test -race). Run needs the store
// to hold resources of the "User" type (core User schema with the
// Enterprise User extension) and the "Group" type (core Group schema), with
// userName unique among users, compared case-insensitively, externalId
// kept and not unique, and groups that may list groups.
//
// # Stores that keep part of SCIM
//
// A store that maps SCIM onto a host's own tables keeps only some
// attributes, and may not nest groups. [RunWith] takes a [Config] that
// declares what the store keeps, and checks every point of the contract
// with data the store can hold; an attribute the store declares and loses
// still fails. For tables users(id, email UNIQUE, first_name, last_name,
// display_name, active), groups(id, name) and group_members(group_id,
// user_id):
//
//	user := schema.UserResourceType()
//	user.Schema = user.Schema.Keep("userName", "name.givenName", "name.familyName", "displayName", "active")
//	group := schema.GroupResourceType()
//	group.Schema = group.Schema.Keep("displayName", "members.value")
//	storetest.RunWith(t, storetest.Config{
//		ResourceTypes:  []*schema.ResourceType{user, group},
//		NoNestedGroups: true,
//		NoExternalID:   true,
//	}, newEmptyTestStore)
//
// (userName holds the email column.) The kit writes only what Config
// declares:
//
//   - Every writable attribute and sub-attribute of the declared schemas
//     and extensions gets a generated value of its type (a string,
//     canonical value, boolean, integer, decimal, dateTime, reference,
//     base64 binary, complex value or two-element list; read-only and
//     never-returned attributes such as password are left out) in a
//     "rich" resource that Create, Get and Replace must give back exactly.
//   - Group members carry "type" and "display" only when the Group
//     schema's members has them, and name users only with NoNestedGroups.
//   - Checks of filters, sort orders and cursors that name an attribute
//     the store does not declare are left out: the handler refuses such a
//     filter before a store sees it. The other rows still compare List
//     with filter.Match over the same data. The kit assumes the declared
//     attributes keep the definitions (type, caseExact) of RFC 7643.
//   - The checks that need a string to write (Replace, the concurrency and
//     lost-update checks) use the payload attribute: the first writable,
//     single-valued, optional, non-unique string attribute of the User
//     core schema other than userName (displayName by default); else such
//     a sub-attribute of a single-valued complex attribute
//     (name.givenName); else userName itself, suffixed. When the payload
//     is a top-level attribute that compares case-insensitively, the
//     filter, sort and cursor data hold their "title" values in it.
//   - Subtests that cannot apply are skipped, saying why:
//     ExternalIDNotUnique with NoExternalID; PatchMembers and
//     PatchMembersConcurrent without store.MemberPatcher; ListAfter and
//     ListAfterChanges without store.CursorLister. Without nested groups
//     the checks of groups listing groups (themselves included) become
//     checks that such writes are refused.
//
// What Run checks, each in its own subtest:
//
//   - Create: ID and Meta are set (Created equal to LastModified, a
//     non-empty Version), every declared attribute is kept, the argument is
//     not modified, ids are distinct.
//   - Get: the stored resource; an unknown id or another type's id gives an
//     error wrapping store.ErrNotFound.
//   - Replace: every declared attribute replaced, a new Version, Created
//     kept, the ifVersion rule (store.ErrVersionMismatch and nothing
//     changed), store.ErrNotFound, store.ErrConflict.
//   - Delete: the ifVersion rule, store.ErrNotFound, and removal of a
//     deleted user from the members of every group.
//   - MemberReferences: Create and Replace of a group naming a member that
//     is no existing resource (members without "type" or of type "User"
//     must be users, of type "Group" groups) fail with an error wrapping
//     store.ErrInvalidReference that is a *store.ReferenceError naming
//     "members" and the value, and change nothing; so does
//     store.MemberPatcher.PatchMembers adding one, when the store has it.
//     A group may list itself. A deleted user cannot be added back to a
//     group by any of these writes. With Config.NoNestedGroups members
//     name users only: a group id as a member, with or without type
//     "Group", is refused the same way (it names no user).
//   - Uniqueness: userName is unique case-insensitively on Create and
//     Replace, freed by a rename or a delete; externalId is not unique
//     (skipped with Config.NoExternalID).
//   - List: a stable order across pages, StartIndex, Count, Total, Count 0
//     and a StartIndex past the end; only resources of the listed type.
//   - Filter: List with filters using every operator, and, or, not, value
//     paths, sub-attributes, extension URNs, id, externalId and meta gives
//     the resources that filter.Match selects from all of them.
//   - Concurrency: concurrent creates, creates racing for one userName,
//     replaces and deletes racing with one ifVersion, and read-modify-write
//     loops that must not lose updates.
//   - SortBy: Query.SortBy and Descending order strings by their caseExact
//     rule, dateTimes as instants, booleans false first, multi-valued
//     attributes by their primary value, sub-attributes and extension
//     attributes; missing values sort last both ways and ties keep the
//     default order. (The User and Group schemas have no numeric
//     attribute, so numbers are not checked.)
//
// For the optional capabilities, found by type assertion as the handler
// finds them (each subtest is skipped, saying so, when the store lacks it):
//
//   - store.MemberPatcher: additions (appended, ones already present
//     ignored, duplicates in one delta added once), removals, RemoveAll,
//     Set (a nil value removes), exact MemberResult.Added, Removed and
//     Changed, a new version for every change (a store may keep the
//     version when nothing changed), Version equal to Get's, resources
//     handed out earlier unchanged, the ifVersion rule, store.ErrNotFound,
//     a later user delete removing the member, and 8 goroutines adding 250
//     distinct (existing) users each without losing one.
//   - store.GroupLister: GroupsOf gives each id's groups (direct members
//     only, each once, with displayName), nothing for ids no group lists,
//     and follows renames, member changes and group deletions at once.
//   - store.CursorLister: pages walked with ListAfter give List's order
//     (with filters, index lookups and SortBy; a store may refuse SortBy
//     with errors.ErrUnsupported), Total as List, Next "" at the end, and
//     positions that survive the deletion of the resource they were taken
//     from, deletes further on and creates in between.
//   - store.Feed (skipped too when ReadFeed wraps errors.ErrUnsupported):
//     each committed Create, Replace, PatchMembers (that changed
//     something) and Delete is one event, and failed writes none, with
//     positions 1, 2, 3, … and distinct ids; the Change of each
//     (store.ChangeOf for Create, the one store.WithChange put in the
//     context, Changed naming at least the changed attribute for a
//     direct Replace); ReadFeed's limit and after; 8 writers' events in
//     their commit order per resource with contiguous positions; leases
//     (held, renewed, run out, taken over, released) and checkpoints
//     that never move back; WaitFeed waking on a write; and, when
//     PruneFeed removes events, a *store.TruncatedError for a consumer
//     behind them.
//
// Run uses only the Store interface and the behaviour documented in package
// store.
package storetest

import (
	"testing"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// Config declares what a store keeps and what it cannot do. The zero
// Config is what [Run] assumes: the core User schema with the Enterprise
// User extension, the core Group schema, nested groups and externalId.
type Config struct {
	// ResourceTypes are the "User" and "Group" resource types the store
	// keeps, their schemas possibly trimmed with schema.Schema.Keep to the
	// attributes the store holds (extensions too: a User type without
	// extensions keeps no Enterprise attributes). A type not listed is the
	// default one; nil means both defaults. The User schema must have
	// userName; the Group schema displayName and members with value.
	ResourceTypes []*schema.ResourceType
	// NoNestedGroups says that group members name users only. The kit then
	// never writes a group as a member, and checks that a group id as a
	// member (with or without type "Group") is refused with an error
	// wrapping store.ErrInvalidReference that is a *store.ReferenceError,
	// as a member naming no user is. False: groups may list groups.
	NoNestedGroups bool
	// NoExternalID says that the store does not keep externalId (a common
	// attribute, outside the schemas). The kit then never writes it and
	// skips its checks. False: externalId is kept, and not unique.
	NoExternalID bool
	// Defaults are the values the store gives top-level attributes of a
	// resource type that a write leaves out, by type and attribute, e.g.
	// {"User": {"active": true}} for a NOT NULL column with a default. The
	// kit then writes those attributes explicitly whenever its data leaves
	// them out, and so never expects their absence. Nil: the store keeps
	// absent attributes absent.
	Defaults map[string]map[string]any
	// Fixed are values for top-level attributes whose values the store
	// restricts to a small set, by type and attribute, e.g. {"User":
	// {"roles": []any{map[string]any{"value": "member"}}}} for a role
	// column that holds the ids of the app's role catalog (the handler
	// refuses others, see scim.Config.Catalogs). The kit then writes that
	// value for the attribute in all its data, and skips filters and sorts
	// on it. Nil: every declared attribute keeps any valid value.
	Fixed map[string]map[string]any
}

// Run checks that the Store returned by newStore honours the documented
// contract of package store, with the zero [Config]. newStore is called once
// per subtest (with that subtest's t) and must return an empty store; it
// may register cleanups with t. Run it under -race.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	RunWith(t, Config{}, newStore)
}

// RunWith is [Run] for a store that keeps what cfg declares: it checks
// every point of the contract with data the store can hold.
func RunWith(t *testing.T, cfg Config, newStore func(t *testing.T) store.Store) {
	t.Helper()
	k, err := newKit(cfg)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	runAll(stdT{T: t, newStore: newStore}, k)
}

// tb is the part of *testing.T the checks use, plus a factory of empty
// stores. The package's own tests implement it with a recorder to prove
// that the checks catch broken stores.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	// Skipf ends the test as skipped, with a reason.
	Skipf(format string, args ...any)
	// Run runs f as a subtest called name and reports whether it passed.
	Run(name string, f func(t tb)) bool
	// Store returns a new, empty store for this test.
	Store() store.Store
}

// stdT adapts *testing.T to tb.
type stdT struct {
	*testing.T
	newStore func(t *testing.T) store.Store
}

func (t stdT) Run(name string, f func(t tb)) bool {
	return t.T.Run(name, func(tt *testing.T) { f(stdT{T: tt, newStore: t.newStore}) })
}

func (t stdT) Store() store.Store {
	t.Helper()
	s := t.newStore(t.T)
	if s == nil {
		t.Fatalf("newStore returned nil")
	}
	return s
}

// runAll runs every check as a subtest of t.
func runAll(t tb, k *kit) {
	t.Run("Create", k.testCreate)
	t.Run("Get", k.testGet)
	t.Run("Replace", k.testReplace)
	t.Run("Delete", k.testDelete)
	t.Run("DeleteUserLeavesGroups", k.testDeleteMembers)
	t.Run("MemberReferences", k.testMemberReferences)
	t.Run("Uniqueness", k.testUniqueness)
	t.Run("ExternalIDNotUnique", k.testExternalID)
	t.Run("List", k.testList)
	t.Run("Filter", k.testFilter)
	t.Run("ConcurrentCreate", k.testConcurrentCreate)
	t.Run("ConcurrentCreateSameUserName", k.testConcurrentSameUserName)
	t.Run("ConcurrentReplaceSameVersion", k.testConcurrentReplace)
	t.Run("ConcurrentDeleteSameVersion", k.testConcurrentDelete)
	t.Run("NoLostUpdates", k.testNoLostUpdates)
	t.Run("SortBy", k.testSortBy)
	t.Run("PatchMembers", k.testPatchMembers)
	t.Run("PatchMembersConcurrent", k.testPatchMembersConcurrent)
	t.Run("ListAfter", k.testListAfter)
	t.Run("ListAfterChanges", k.testListAfterChanges)
	t.Run("GroupsOf", k.testGroupsOf)
	t.Run("Feed", k.testFeed)
	t.Run("FeedConcurrent", k.testFeedConcurrent)
	t.Run("FeedLease", k.testFeedLease)
	t.Run("FeedWait", k.testFeedWait)
	t.Run("FeedPrune", k.testFeedPrune)
}
