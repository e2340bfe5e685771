// Package sqlstore is a store.Store for scimkit over PostgreSQL or SQLite,
// through database/sql. It lives in its own module,
// github.com/scimkit/scimkit/store/sqlstore (go get it besides
// github.com/scimkit/scimkit), so that hosts that do not use it never
// download a database driver; a host that does gets both, pgx (tested
// with PostgreSQL, required by this module) and modernc.org/sqlite (which
// this package imports).
//
//	db, err := sql.Open("pgx", dsn) // import _ "github.com/jackc/pgx/v5/stdlib"
//	st, err := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.Postgres})
//	err = st.Migrate(ctx) // creates the tables; idempotent
//	h, err := scim.NewHandler(scim.Config{Store: st, ...})
//
// For SQLite open the database file with [OpenSQLite] (modernc.org/sqlite,
// driver "sqlite", which this package imports) and use [SQLite]: WAL mode,
// a busy timeout, BEGIN IMMEDIATE and 4 connections, so that lists and
// lookups run beside each other and beside the one write SQLite allows at
// a time (the store runs its own writes one at a time).
//
// # Tables
//
// Migrate creates four tables, the first three with a tenant column that
// leads every key and index and scopes every statement ([Config.Tenant]):
//
//   - scim_resources: one row per resource with its type, id, a seq column
//     that fixes the default order, the version (a counter compared and
//     swapped on every write), created and last_modified, the canonical
//     attributes as jsonb (PostgreSQL) or JSON text (SQLite) without the
//     members; attrs_key, the top-level attributes in which folding
//     changes a string of an attribute that is not case-sensitive, with
//     those strings folded by schema.Fold (NULL when folding changes
//     nothing), which filters and sorts read in place of the same
//     attributes of attrs; and indexed columns: external_id; name_key, the case-folded
//     value of the type's unique attribute (userName), UNIQUE per tenant and
//     type; display_key, the case-folded displayName of a type that has
//     no unique attribute (Group), by which identity providers look
//     groups up (a User's displayName is in no lookup they send, so
//     its filters read attrs_key and no index is kept for it). Their indexes are
//     (tenant, key, type) in PostgreSQL (see Lookups); last_modified has
//     none, so that a write that changes no key rewrites no index
//     (PostgreSQL's heap-only updates).
//   - scim_members: one row per member of a group (tenant, group_id, value,
//     display, type, ref, in insertion order), keyed by (tenant, group_id,
//     value) and indexed by (tenant, value, group_id), so adding or removing
//     a member is a single-row statement and deleting a user finds its
//     groups from the index alone.
//   - scim_unique: keys of further unique attributes, for resource types
//     that define more than one.
//   - scim_settings: per resource type, how its keys were made (the fold,
//     its Unicode version, the attributes that fold and those the key
//     columns hold, which the schema's uniqueness decides). When that
//     differs from what the store would make, Migrate recomputes the keys
//     of every resource of the type in one transaction; so it upgrades a
//     database of an earlier version (no attrs_key, İ folded to i) and one
//     whose schema changed an attribute's caseExact. Whole attrs_key
//     documents and a User's display_key, which earlier versions wrote,
//     are read as they are or not at all: Migrate only records the new
//     layout, and an earlier version started again on the database finds
//     a record not its own and recomputes every key, so rolling back is
//     safe. While instances of both serve one database, an earlier one
//     reads a document a newer one wrote as whole, and a User's missing
//     display_key as no displayName: its filters on attributes other
//     than the key columns (userName, externalId, a Group's displayName,
//     id, members, which the lookups identity providers send use) can
//     miss those resources, and its sorts by a User's displayName put
//     them with the users that have none, until every instance runs the
//     new version.
//
// Every case-insensitive key is computed in Go with schema.Fold (Unicode
// simple case folding, as strings.EqualFold), so uniqueness, filters and
// sorting agree with filter.Match and the memory store whatever the
// database's locale.
//
// # Filters
//
// List translates filters to parameterized SQL: every operator (eq, ne, co,
// sw, ew, gt, ge, lt, le, pr), and, or, not, sub-attributes, value paths
// over multi-valued attributes (EXISTS over jsonb_array_elements or
// json_each), extension attributes under their URN, members (EXISTS over
// scim_members), id, externalId and meta.created, meta.lastModified,
// meta.version and meta.resourceType (columns or constants). Filter values
// are always arguments, never SQL text; co, sw and ew escape the LIKE
// wildcards in PostgreSQL and use instr and substr in SQLite. The
// comparison rules are those of filter.Match:
//
//   - strings compare exactly when the bound attribute is caseExact (and
//     references and binaries always), otherwise folded on both sides
//     with schema.Fold: the filter value in Go, the stored value read from
//     attrs_key, name_key or display_key, which were folded when written
//     (member columns with the function scim_fold, schema.Fold itself in
//     SQLite and the same table through translate() in PostgreSQL);
//     ordering compares code points (COLLATE "C"). A comparison on an
//     attribute the store's [Config.ResourceTypes] define with another
//     case rule than the filter's (or not at all) stays with filter.Match;
//   - numbers compare as schema.CompareNumbers does: exactly when both
//     are integers that fit in 64 bits, as float64 otherwise (INTEGER and
//     REAL in SQLite; numeric and float8 in PostgreSQL);
//   - dateTimes compare as instants: the created and last_modified columns
//     as timestamps, dateTimes inside the JSON as fixed-width UTC text with
//     nanoseconds (PostgreSQL: a timestamptz cast plus the digits beyond
//     microseconds; SQLite: the Go function scim_instant), so offsets and
//     fractional seconds are honoured exactly;
//   - booleans compare with eq; "ne" is the negation of "eq" (true for an
//     absent attribute) and "pr" is false for absent, null, "", [] and {}.
//
// Terms "or"-ed together are merged before translation: value paths on
// the same attribute become one EXISTS ("emails[value co "a"] or
// emails[value co "b"]" is "emails[value co "a" or value co "b"]"), and
// eq, co, sw or ew comparisons of the same path become one comparison
// against all the values (IN or = ANY, LIKE ANY in PostgreSQL, the Go
// function scim_any in SQLite), so each stored value is read once
// however many terms name it.
//
// Negated value paths and comparisons "and"-ed at the top level are merged
// the same way ("not (a) and not (b)" is "not (a or b)"). A statement
// reads at most about 64 JSON values or 8 JSON arrays per row: the
// top-level "and" terms past that bound, like those that do not
// translate (the list is in the documentation of sqlSplit, in filter.go:
// unbound paths, values of another type, literals with a NUL or invalid
// UTF-8, …), are evaluated by
// List and ListAfter themselves: they read the matches of the rest in
// order and apply filter.Match, keeping only the page. [Store.SplitFilter]
// therefore hands the handler every filter whole.
//
// # Bounds
//
// Every call is bounded (design decision 12: a request's cost depends on
// its size and the page size, not on the table):
//
//   - [Config.MaxScan] (default 10,000) bounds the resources a List or
//     ListAfter reads to evaluate terms the SQL cannot: it first counts,
//     through the indexes and without reading attributes, at most
//     MaxScan+1 matches of the translated part, and answers a 400
//     tooMany (an error wrapping [ErrTooMany], store.ErrTooMany) when there are more,
//     with or without a cursor;
//   - [Config.StatementTimeout] (default 5s) is a context deadline on the
//     statements of every call; both drivers cancel a statement when it
//     passes. A List or ListAfter with a filter that outlasts it answers
//     400 tooMany (the filter is too costly: narrow it), any other call
//     503 (wrapping [ErrTimeout]); a caller's own cancellation keeps its
//     error.
//
// Strings that PostgreSQL cannot hold (a NUL character, invalid UTF-8)
// never reach either database: an id that has one names no resource
// (store.ErrNotFound), a member value no resource either
// (store.ErrInvalidReference), a filter literal is evaluated by
// filter.Match, and an attribute value is refused with a *schema.Error
// (400 invalidValue) naming the attribute.
//
// # Sorting and paging
//
// SortBy and Descending are translated to ORDER BY with missing values
// ("" included, as schema.SortKey has it) last when ascending and first
// when descending (RFC 7644 §3.4.2.3), seq
// as the tie-breaker, and StartIndex and Count to OFFSET and LIMIT; Total
// comes from count(*) OVER () in the same statement.
//
// [Store.GroupsOf] implements store.GroupLister from the members table's
// (tenant, value, group_id) index, so User.groups costs one statement per
// page of users, however large the groups; a List asked for the groups
// (store.Query.Groups) reads them in its own statement instead.
//
// # Lookups
//
// The lookups identity providers send before every write (userName,
// externalId, id, a Group's displayName and members.value eq) are written so that
// their plans do not depend on the planner's statistics, which a new
// tenant or a bulk import not yet analysed lacks: an eq on a unique key
// (the name key, id) is a statement with no ORDER BY, LIMIT or window
// (the total is the rows it returns, at most one); an eq on another key
// orders by an expression no index provides, so the key's index is the
// only one that serves it; the type is compared under the C collation,
// which no index serves, so the key's index, which leads with the key, has
// two equality conditions and the paging index (type, tenant, seq) none,
// except in a lookup by the name key, whose unique index (tenant,
// name_key, type) the statement matches in full, so that the planner
// expects one row at any table size and scans that index; id and
// members.value lookups read through the primary key and the members
// index first (fenced subqueries). Their plans are the same for every
// argument, so PostgreSQL caches one per prepared statement. A test checks
// them with EXPLAIN on an empty, a fresh and an analysed table.
//
// Statements outside a transaction that return rows (reads, and the
// one-statement writes that return the new version) run through the
// driver's own driver.QueryerContext on a connection of the *sql.DB
// (sql.Conn.Raw), not through DB.QueryContext, which gives every *sql.Rows
// a goroutine that watches the context; the driver watches it while the
// statement runs and the store checks it before each row, so the
// statement timeout and a client's cancellation still stop it. Values are
// scanned with database/sql's own conversions, and a query the driver
// refuses with driver.ErrBadConn is tried on another connection, twice,
// as database/sql does. A driver without QueryerContext gets them through
// sql.Conn.QueryContext.
//
// [Store.ListAfter] implements store.CursorLister, which the handler uses
// for cursor pagination (RFC 9865), with keyset pagination instead of
// OFFSET, so a deep page costs what the first does and positions survive
// writes between requests. A position is the seq of the last resource
// returned and, in a sorted list, its sort key (or a mark that it had
// none); the next page is "seq > position" in the default order and "key
// after the position's key, or equal and a greater seq, or no key" when
// sorted, in either direction, with missing values last as in List. Its
// pages together hold exactly what List returns. Total is counted by a
// second statement with the same filter.
//
// A *sql.DB closes idle connections beyond SetMaxIdleConns (2 by
// default); with PostgreSQL, where each new connection starts a server
// process, a concurrent load wants SetMaxIdleConns close to
// SetMaxOpenConns.
//
// # Writes
//
// Create, Replace, Delete and PatchMembers are each atomic. In PostgreSQL
// a Create (of a type with one unique attribute at most, and at most 1,000
// members), a Replace of a type without members, and a PatchMembers that
// only adds members and needs no resource back (store.MemberDelta
// SkipResource) are one statement of data-modifying CTEs, one round trip
// (a Create with no members and no change feed is the plain INSERT); the
// other writes, and all in SQLite, are transactions. Statements that read
// nothing back run with ExecContext, which starts no goroutine (see
// Lookups). Replace, Delete
// and PatchMembers compare and swap the version column; when no row
// changes, a second read tells store.ErrNotFound from
// store.ErrVersionMismatch. A unique-index violation becomes a
// *store.ConflictError naming the attribute. Member references are read
// with a row lock (FOR KEY SHARE) in the same statement or transaction
// that writes the members, so a concurrent Delete of a user either waits
// and then removes the new member, or wins and fails the write with
// store.ErrInvalidReference. PatchMembers applies a membership delta with
// single-row inserts (ON CONFLICT DO NOTHING RETURNING) and deletes in
// the same statement or transaction that bumps the group's version and
// lastModified; it returns the whole group only when it has at most 100
// members and the caller did not set SkipResource. Deleting a User
// removes it from every group's members and gives each such group a new
// version.
//
// The timestamps the store sets are truncated to microseconds, the
// precision of PostgreSQL timestamps, in both dialects.
//
// # Running several instances
//
// Several processes may serve the same SCIM endpoint behind a load
// balancer over one PostgreSQL database: every write is atomic and
// compares and swaps the version, uniqueness is a unique index, and
// membership changes lock the rows they read, so instances need no
// coordination of their own. Two things must be the same on all of them:
//
//   - the database and the Config: the same Tenant function, the same
//     ResourceTypes (Migrate recomputes the keys when the schema's case
//     rules change, so roll a schema change out to all instances
//     together), and the same MaxScan, so that every instance gives the
//     same answer;
//   - scim.Config.CursorKey: cursors are sealed with it and positions are
//     the database's own (seq and sort key), so a cursor from one
//     instance is valid on every other and across restarts only when all
//     share one key of at least 32 random bytes (scimkit-postgres:
//     -cursor-key or SCIMKIT_CURSOR_KEY). Without it each process makes
//     its own and answers another's cursors 400 invalidCursor.
//
// Change events (scim.Config.OnChange) are delivered by the instance that
// made the change only; the change feed (below) serves all of them. An
// SQLite file serves one process; use PostgreSQL for several.
//
// # Change feed
//
// With Config.Feed, the store implements store.Feed: every Create,
// Replace, Delete and PatchMembers (that changed something) inserts its
// event into the outbox table scim_feed as the last statement of its own
// transaction (on PostgreSQL, for the writes that are one statement, as
// two more CTEs of that statement), so the feed holds exactly the
// committed writes. Package
// github.com/scimkit/scimkit/store/feed delivers it; consumers' checkpoints
// and leases are in scim_feed_consumers. Migrate creates the tables
// whether or not the feed is on.
//
// Positions. A tenant's next position comes from its row in
// scim_feed_heads, incremented by the write's last statement (one
// statement on PostgreSQL: the increment and the insert in a CTE), and
// that row stays locked until the commit. So the writes of one tenant
// take turns from that statement to their commit (for a one-statement
// write, only inside the server): positions are handed
// out and committed in the same order, with no gaps (a rolled back write
// gives its position back), and a reader that has seen position n has
// seen every position below it — it can never skip an event that commits
// later, which positions from a sequence would allow. The cost is that
// one tenant's commits are serialised (different tenants do not wait for
// each other); the package's BenchmarkHandlerWriteFeed measures it.
// ReadFeed reads the events and the pruned position in one snapshot
// (REPEATABLE READ on PostgreSQL).
//
// Wake-up. A commit wakes this process's WaitFeed calls at once; writes
// of other processes are seen by polling the tenant's head row every
// Config.FeedPoll (250ms by default), so a consumer on another instance
// sees a change within about FeedPoll. The store does not use
// LISTEN/NOTIFY: the commits of all transactions that NOTIFY take turns
// on one server-wide lock, and LISTEN would tie the store to one driver.
//
// Retention. PruneFeed (which a store/feed consumer calls every minute)
// deletes a tenant's oldest events beyond Config.FeedRetention (7 days by
// default), and records the last position pruned; a consumer whose
// checkpoint is below it gets store.ErrFeedTruncated and must
// resynchronise.
package sqlstore
