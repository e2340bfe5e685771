package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
)

// planUsers is the number of users TestLookupPlans loads for the fresh and
// the analysed table: enough for a plan that walks the seq index to cost
// far more than the key's index, few enough to load in about a second.
const planUsers = 20_000

// loadPlanData writes users user<i> (id u-<i>, externalId ext-<i>,
// displayName Display <i>) for i in [from, to), and groups g-<j>
// (displayName Group <j>) for the j in [from/10, to/10) with members u-<j>,
// u-<j+1> and u-<j+2>, in three statements: the rows Create would write,
// for ASCII data whose fold is lower().
func loadPlanData(t *testing.T, db *sql.DB, from, to int) {
	t.Helper()
	for _, q := range []string{
		`INSERT INTO scim_resources (tenant, id, type, version, created, last_modified, attrs, attrs_key, external_id, name_key, display_key)
SELECT '', 'u-' || i, 'User', 1, now(), now(),
  jsonb_build_object('userName', 'user' || i, 'displayName', 'Display ' || i, 'externalId', 'ext-' || i),
  jsonb_build_object('userName', 'user' || i, 'displayName', 'display ' || i, 'externalId', 'ext-' || i),
  'ext-' || i, 'user' || i, NULL
FROM generate_series($1::int, $2::int - 1) AS i`,
		`INSERT INTO scim_resources (tenant, id, type, version, created, last_modified, attrs, attrs_key, display_key)
SELECT '', 'g-' || j, 'Group', 1, now(), now(), jsonb_build_object('displayName', 'Group ' || j), jsonb_build_object('displayName', 'group ' || j), 'group ' || j
FROM generate_series($1::int / 10, $2::int / 10 - 1) AS j`,
		`INSERT INTO scim_members (tenant, group_id, value, type)
SELECT '', 'g-' || j, 'u-' || (j + k), 'User' FROM generate_series($1::int / 10, $2::int / 10 - 1) AS j, generate_series(0, 2) AS k`,
	} {
		if _, err := db.Exec(q, from, to); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLookupPlans checks, with EXPLAIN, that the statements List sends for
// the lookups identity providers make before every write use the key's
// index, never a walk of the paging index (type, tenant, seq) or the
// table: on
// an empty table, on fresh ones (1,000 and 20,000 users, never analysed),
// and on an analysed one; each both as planned for its arguments and as the generic
// plan PostgreSQL caches for a prepared statement.
func TestLookupPlans(t *testing.T) {
	db, s := schemaStore(t)
	ctx := context.Background()
	for _, table := range []string{"scim_resources", "scim_members"} {
		if _, err := db.Exec(`ALTER TABLE ` + table + ` SET (autovacuum_enabled = off)`); err != nil {
			t.Fatal(err)
		}
	}
	lookups := []struct {
		name, typ, filter string
		// index is the index the plan must use for the key.
		index string
		want  int
		// unique, when set, names the key column whose unique index
		// ends with the type: its index condition must compare the
		// type too, so that it covers the whole unique index and the
		// planner expects one row at any table size.
		unique string
	}{
		{"userName", "User", `userName eq "USER77"`, "scim_resources_by_name", 1, "name_key"},
		{"id", "User", `id eq "u-77"`, "scim_resources_pkey", 1, ""},
		{"externalId", "User", `externalId eq "ext-77"`, "scim_resources_by_external_id", 1, ""},
		{"group displayName", "Group", `displayName eq "GROUP 77"`, "scim_resources_by_display", 1, ""},
		{"members value path", "Group", `members[value eq "u-79"]`, "scim_members_value_group", 3, ""},
		{"members.value", "Group", `members.value eq "u-79"`, "scim_members_value_group", 3, ""},
		{"userName and active", "User", `userName eq "user77" and active eq true`, "scim_resources_by_name", 0, "name_key"},
	}
	for _, state := range []string{"empty", "fresh 1,000", "fresh 20,000", "analysed"} {
		switch state {
		case "fresh 1,000":
			loadPlanData(t, db, 0, 1_000)
		case "fresh 20,000":
			loadPlanData(t, db, 1_000, planUsers)
		case "analysed":
			if _, err := db.Exec(`ANALYZE scim_resources; ANALYZE scim_members`); err != nil {
				t.Fatal(err)
			}
		}
		for _, lk := range lookups {
			var q string
			var args []any
			s.traceQuery = func(query string, a []any) { q, args = query, a }
			e, err := filter.Parser{Schema: s.info(lk.typ).rt}.Parse(lk.filter)
			if err != nil {
				t.Fatal(err)
			}
			// The handler asks for the groups of users with the page.
			page, err := s.List(ctx, lk.typ, store.Query{Filter: e, StartIndex: 1, Count: 100, Groups: lk.typ == "User"})
			if err != nil {
				t.Fatalf("%s: List: %v", lk.name, err)
			}
			want := 0
			if state != "empty" {
				want = lk.want
			}
			if page.Total != want {
				t.Errorf("%s (%s): total %d, want %d", lk.name, state, page.Total, want)
			}
			if q == "" {
				t.Fatalf("%s: List sent no traced statement", lk.name)
			}
			checkPlan(t, db, lk.name+" on the "+state+" table", q, args, lk.index, state == "empty")
			if lk.unique != "" {
				checkUnique(t, db, lk.name+" on the "+state+" table", q, args, lk.unique)
			}
			if lk.typ == "User" {
				checkPlan(t, db, lk.name+" (its groups) on the "+state+" table", q, args, "scim_members_value_group", state == "empty")
			}
		}
		// Get and the version bump of every write find the row by
		// the primary key.
		var q string
		var args []any
		s.traceQuery = func(query string, a []any) { q, args = query, a }
		if _, err := s.Get(ctx, "User", "u-77"); err != nil && state != "empty" {
			t.Fatal(err)
		}
		checkPlan(t, db, "Get on the "+state+" table", q, args, "scim_resources_pkey", state == "empty")
		if _, err := s.PatchMembers(ctx, "Group", "g-7", store.MemberDelta{Attribute: "members", Remove: []string{"u-7"}}, ""); err != nil && state != "empty" {
			t.Fatal(err)
		}
		checkPlan(t, db, "the version bump on the "+state+" table", "EXPLAIN "+q, args, "scim_resources_pkey", state == "empty")
	}
}

// checkPlan fails the test unless both the custom and the generic plan of
// q go through index, and neither walks the seq index or the table. On an
// empty table every index path is estimated at one row, and the planner
// keeps the first it considers when costs tie; there, where reading any
// index is free, a plan through the primary key may use another index
// (lenient), as long as it reads no table.
func checkPlan(t *testing.T, db *sql.DB, name, q string, args []any, index string, lenient bool) {
	t.Helper()
	q = strings.TrimPrefix(q, "EXPLAIN ")
	for _, generic := range []bool{false, true} {
		plan := explain(t, db, q, args, generic)
		bad := strings.Contains(plan, "Seq Scan on scim_resources") || strings.Contains(plan, "Seq Scan on scim_members")
		if !lenient || index != "scim_resources_pkey" {
			bad = bad || !strings.Contains(plan, " "+index+" ") || strings.Contains(plan, "scim_resources_by_type")
		}
		if bad {
			t.Errorf("%s (generic plan: %t): the plan does not go through %s alone:\n%s\n%s", name, generic, index, q, plan)
		}
	}
}

// checkUnique fails the test unless, in both the custom and the generic
// plan of q, the index condition on the key column also compares the type.
func checkUnique(t *testing.T, db *sql.DB, name, q string, args []any, key string) {
	t.Helper()
	for _, generic := range []bool{false, true} {
		plan := explain(t, db, q, args, generic)
		found := false
		for _, line := range strings.Split(plan, "\n") {
			if strings.Contains(line, "Index Cond: ") && strings.Contains(line, key) {
				found = strings.Contains(line, "(type = ")
				break
			}
		}
		if !found {
			t.Errorf("%s (generic plan: %t): the index condition on %s does not compare the type:\n%s\n%s", name, generic, key, q, plan)
		}
	}
}

// explain returns the plan of q with args: the custom plan PostgreSQL
// makes for these values, or (generic) the one it caches for a prepared
// statement whatever the values.
func explain(t *testing.T, db *sql.DB, q string, args []any, generic bool) string {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var rows *sql.Rows
	if generic {
		lits := make([]string, len(args))
		for i, a := range args {
			switch a := a.(type) {
			case string:
				lits[i] = quoteLiteral(a)
			case int:
				lits[i] = strconv.Itoa(a)
			case int64:
				lits[i] = strconv.FormatInt(a, 10)
			case time.Time:
				lits[i] = quoteLiteral(a.Format(time.RFC3339Nano)) + "::timestamptz"
			case []string:
				for j := range a {
					a[j] = quoteLiteral(a[j])
				}
				lits[i] = "ARRAY[" + strings.Join(a, ",") + "]::text[]"
			default:
				t.Fatalf("explain: argument %d has type %T", i+1, a)
			}
		}
		for _, stmt := range []string{`SET plan_cache_mode = force_generic_plan`, `PREPARE plan_test AS ` + q} {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		defer conn.ExecContext(ctx, `RESET plan_cache_mode`)
		defer conn.ExecContext(ctx, `DEALLOCATE plan_test`)
		rows, err = conn.QueryContext(ctx, `EXPLAIN EXECUTE plan_test(`+strings.Join(lits, ", ")+`)`)
	} else {
		rows, err = conn.QueryContext(ctx, `EXPLAIN `+q, args...)
	}
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", q, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// schemaStore returns a migrated PostgreSQL store over a schema of its own,
// which the test drops when it ends, and its database.
func schemaStore(t *testing.T) (*sql.DB, *Store) {
	t.Helper()
	dsn, drop := benchSchema(t)
	t.Cleanup(drop)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(db, Config{Dialect: Postgres})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, s
}
