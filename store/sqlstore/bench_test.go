package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
)

// bulkUsers loads n users named user<i> (i from 0) into s with multi-row
// INSERTs and returns the rate in rows per second. idOf gives the id of
// user i; nil means random UUIDs.
func bulkUsers(tb testing.TB, s *Store, n int, idOf func(i int) string) float64 {
	tb.Helper()
	ctx := context.Background()
	tenant := s.tenant(ctx)
	ti := s.info("User")
	now := s.stamp()
	start := time.Now()
	for lo := 0; lo < n; lo += insertBatch {
		hi := min(lo+insertBatch, n)
		b := &builder{d: s.d}
		b.write("INSERT INTO scim_resources (tenant, id, type, version, created, last_modified, attrs, attrs_key, external_id, name_key, display_key) VALUES ")
		for i := lo; i < hi; i++ {
			attrs := map[string]any{
				"userName":   "user" + strconv.Itoa(i),
				"name":       map[string]any{"givenName": "Given" + strconv.Itoa(i), "familyName": "Family"},
				"emails":     []any{map[string]any{"value": "user" + strconv.Itoa(i) + "@example.com", "type": "work", "primary": true}},
				"active":     i%2 == 0,
				"externalId": "ext-" + strconv.Itoa(i),
			}
			rw, err := s.split(ti, attrs)
			if err != nil {
				tb.Fatal(err)
			}
			id := store.NewID()
			if idOf != nil {
				id = idOf(i)
			}
			if i > lo {
				b.write(",")
			}
			b.write("(", b.arg(tenant), ",", b.arg(id), ",'User',1,", b.arg(s.d.timeArg(now)), ",", b.arg(s.d.timeArg(now)), ",",
				s.d.jsonArg(b.arg(rw.attrs)), ",", s.d.jsonArg(b.arg(rw.attrsKey)), ",", b.arg(rw.externalID), ",", b.arg(rw.nameKey), ",", b.arg(rw.displayKey), ")")
		}
		if _, err := s.db.ExecContext(ctx, b.sb.String(), b.args...); err != nil {
			tb.Fatal(err)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}

// bulkMembers adds n members to the group gid, without the reference
// check (their ids name no users).
func bulkMembers(tb testing.TB, s *Store, gid string, n int) {
	tb.Helper()
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	for lo := 0; lo < n; lo += insertBatch {
		elems := make([]any, 0, insertBatch)
		for i := lo; i < min(lo+insertBatch, n); i++ {
			elems = append(elems, map[string]any{"value": "member-" + strconv.Itoa(i), "type": "User"})
		}
		if _, err := s.addMembers(ctx, tx, s.tenant(ctx), gid, elems); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// benchStore returns a store whose tenant is fixed by name, so that big
// data sets are loaded once per database and reused by later runs.
func benchStore(b *testing.B, tenant string) *Store {
	db, d := openPostgres(b)
	s, err := New(db, Config{Dialect: d, Tenant: func(context.Context) string { return tenant }})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkUserNameEq looks a user up by userName through List, as
// provisioning clients do before every create.
func BenchmarkUserNameEq(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			s := benchStore(b, "bench-users-"+strconv.Itoa(n))
			ctx := context.Background()
			page, err := s.List(ctx, "User", store.Query{StartIndex: 1, Count: 0})
			if err != nil {
				b.Fatal(err)
			}
			if page.Total != n {
				if _, err := s.db.ExecContext(ctx, `DELETE FROM scim_resources WHERE tenant = $1`, s.tenant(ctx)); err != nil {
					b.Fatal(err)
				}
				rate := bulkUsers(b, s, n, nil)
				if _, err := s.db.ExecContext(ctx, `ANALYZE scim_resources`); err != nil {
					b.Fatal(err)
				}
				b.Logf("loaded %d users at %.0f rows/s", n, rate)
			}
			p := filter.Parser{Schema: s.info("User").rt}
			i := 0
			for b.Loop() {
				e, err := p.Parse(fmt.Sprintf(`userName eq "USER%d"`, (i*7919)%n))
				if err != nil {
					b.Fatal(err)
				}
				page, err := s.List(ctx, "User", store.Query{Filter: e, StartIndex: 1, Count: 10})
				if err != nil || page.Total != 1 {
					b.Fatalf("List: %v, %+v", err, page)
				}
				i++
			}
		})
	}
}

// BenchmarkPatchMembers adds one member to a group of 100 and of 100,000
// members.
func BenchmarkPatchMembers(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			s := benchStore(b, randomTenant())
			ctx := context.Background()
			g, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "g"}})
			if err != nil {
				b.Fatal(err)
			}
			bulkMembers(b, s, g.ID, n)
			const pool = 5000 // users to add; later rounds re-add them
			bulkUsers(b, s, pool, func(i int) string { return "new-" + strconv.Itoa(i) })
			if _, err := s.db.ExecContext(ctx, `ANALYZE scim_members`); err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				_, err := s.PatchMembers(ctx, "Group", g.ID, store.MemberDelta{Attribute: "members",
					Add: []map[string]any{{"value": "new-" + strconv.Itoa(i%pool), "type": "User"}}}, "")
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkBulkLoad reports the load rate of multi-row INSERTs and the
// size of the resources table per user.
func BenchmarkBulkLoad(b *testing.B) {
	const n = 10_000
	for b.Loop() {
		b.StopTimer()
		s := benchStore(b, randomTenant())
		b.StartTimer()
		b.ReportMetric(bulkUsers(b, s, n, nil), "rows/s")
	}
	db, _ := openPostgres(b)
	var size int64
	if err := db.QueryRow(`SELECT pg_total_relation_size('scim_resources')`).Scan(&size); err != nil {
		b.Fatal(err)
	}
	var rows int64
	if err := db.QueryRow(`SELECT count(*) FROM scim_resources`).Scan(&rows); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(size)/float64(max(rows, 1)), "bytes/row")
	b.Logf("scim_resources: %d rows, %.1f MB with indexes", rows, float64(size)/(1<<20))
}
