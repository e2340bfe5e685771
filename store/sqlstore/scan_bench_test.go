package sqlstore

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/examples/demo"
	"github.com/scimkit/scimkit/scim"
)

// costlyUsers is the number of users BenchmarkCostlyFilters lists;
// DefaultMaxScan of them is the most a filter with an untranslated term
// may read, which BenchmarkCostlyFilters measures too.
const costlyUsers = 20_000

// costlyFilters are filters whose cost a client controls: many value
// paths or-ed together, one value path with many or-ed terms, and a term
// the SQL cannot translate (co on an integer), with and without a cursor.
func costlyFilters() []struct{ name, query string } {
	var vp, inner, neg []string
	for i := range 110 {
		vp = append(vp, `emails[value co "x`+strconv.Itoa(i)+`"]`)
		neg = append(neg, `not (emails[value ew "`+strconv.Itoa(i)+`"])`)
	}
	for i := range 150 {
		inner = append(inner, `value co "x`+strconv.Itoa(i)+`"`)
	}
	const untranslatable = `urn:ietf:params:scim:schemas:extension:acme:2.0:User:badgeNumber co "999999"`
	return []struct{ name, query string }{
		{"or-of-110-value-paths", "filter=" + url.QueryEscape(strings.Join(vp, " or "))},
		{"value-path-of-150-terms", "filter=" + url.QueryEscape("emails["+strings.Join(inner, " or ")+"]")},
		{"and-of-110-negated-value-paths", "filter=" + url.QueryEscape(strings.Join(neg, " and "))},
		{"and-of-110-value-paths", "filter=" + url.QueryEscape(strings.TrimSuffix(strings.Repeat(`emails[value co "@"] and `, 110), " and "))},
		{"untranslatable", "count=1&filter=" + url.QueryEscape(untranslatable)},
		{"untranslatable-cursor", "count=1&cursor=&filter=" + url.QueryEscape(untranslatable)},
	}
}

// costlyHandler returns a handler over a store of backend be holding
// users users, with the demo's resource types.
func costlyHandler(b *testing.B, be backend, users int) *scim.Handler {
	db, d := be.open(b)
	tenant := "bench-costly-" + strconv.Itoa(users)
	if d == SQLite {
		tenant = randomTenant()
	}
	rts := demo.ResourceTypes()
	s, err := New(db, Config{Dialect: d, ResourceTypes: rts, Tenant: func(context.Context) string { return tenant }})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(ctx, rebind(d, `SELECT count(*) FROM scim_resources WHERE tenant = ?`), tenant).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n != users {
		if _, err := db.ExecContext(ctx, rebind(d, `DELETE FROM scim_resources WHERE tenant = ?`), tenant); err != nil {
			b.Fatal(err)
		}
		bulkUsers(b, s, users, nil)
		if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
	h, err := scim.NewHandler(scim.Config{Store: s, ResourceTypes: rts})
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// BenchmarkCostlyFilters lists costlyUsers users with costlyFilters
// through the handler; each must answer 200 or 400 tooMany.
func BenchmarkCostlyFilters(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			h := costlyHandler(b, be, costlyUsers)
			for _, f := range costlyFilters() {
				b.Run(f.name, func(b *testing.B) {
					for b.Loop() {
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/Users?"+f.query, nil))
						if rec.Code != http.StatusOK && !(rec.Code == http.StatusBadRequest && strings.Contains(rec.Body.String(), `"tooMany"`)) {
							b.Fatalf("%s: %d %s", f.name, rec.Code, rec.Body)
						}
						b.ReportMetric(float64(rec.Code), "status")
					}
				})
			}
		})
	}
}

// BenchmarkMaxScanFilters lists DefaultMaxScan users, the most a filter
// with terms left to filter.Match may read, with the costly filters that
// have such terms: the costliest lists the budget lets through.
func BenchmarkMaxScanFilters(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			h := costlyHandler(b, be, DefaultMaxScan)
			for _, f := range costlyFilters()[2:] {
				b.Run(f.name, func(b *testing.B) {
					for b.Loop() {
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/Users?"+f.query, nil))
						if rec.Code != http.StatusOK {
							b.Fatalf("%s: %d %s", f.name, rec.Code, rec.Body)
						}
					}
				})
			}
		})
	}
}
