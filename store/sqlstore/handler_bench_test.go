package sqlstore

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// loadUsersEnv names the environment variable that turns on
// TestLoadUsersThroughHandler and gives the number of users to load.
const loadUsersEnv = "SCIMKIT_LOAD_USERS"

// loadClientsEnv names the environment variable with the number of
// concurrent clients of TestLoadUsersThroughHandler (default 16).
const loadClientsEnv = "SCIMKIT_LOAD_CLIENTS"

// usersTenant is the tenant holding n users named user<i>, shared by
// BenchmarkUserNameEq, BenchmarkHandlerUserNameEq and
// TestLoadUsersThroughHandler, so that a big data set is loaded once per
// database.
func usersTenant(n int) string { return "bench-users-" + strconv.Itoa(n) }

// newHandler returns a SCIM handler over s.
func newHandler(tb testing.TB, s *Store) *scim.Handler {
	tb.Helper()
	h, err := scim.NewHandler(scim.Config{Store: s})
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// ensureUsers makes the tenant of s hold exactly the n users bulkUsers
// loads, loading them when it holds anything else.
func ensureUsers(b *testing.B, s *Store, n int) {
	ctx := context.Background()
	page, err := s.List(ctx, "User", store.Query{StartIndex: 1, Count: 0})
	if err != nil {
		b.Fatal(err)
	}
	if page.Total == n {
		return
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM scim_resources WHERE tenant = $1`, s.tenant(ctx)); err != nil {
		b.Fatal(err)
	}
	rate := bulkUsers(b, s, n, nil)
	if _, err := s.db.ExecContext(ctx, `ANALYZE scim_resources`); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d users at %.0f rows/s", n, rate)
}

// BenchmarkHandlerUserNameEq looks a user up by userName through the
// handler (GET /Users?filter=userName eq "…"), as provisioning clients do
// before every create, among 1,000 and 1,000,000 users.
func BenchmarkHandlerUserNameEq(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		b.Run("users="+strconv.Itoa(n), func(b *testing.B) {
			s := benchStore(b, usersTenant(n))
			ensureUsers(b, s, n)
			h := newHandler(b, s)
			i := 0
			for b.Loop() {
				name := "USER" + strconv.Itoa((i*7919)%n)
				req := httptest.NewRequest(http.MethodGet, "/Users?filter="+url.QueryEscape(`userName eq "`+name+`"`), nil)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(`"totalResults":1`)) {
					b.Fatalf("GET %s: %d %s", req.URL, rec.Code, rec.Body)
				}
				i++
			}
		})
	}
}

// BenchmarkHandlerAddMember adds one existing user to a group of 100 and
// of 100,000 members through the handler, with the PATCH Okta sends.
func BenchmarkHandlerAddMember(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		b.Run("members="+strconv.Itoa(n), func(b *testing.B) {
			s := benchStore(b, randomTenant())
			ctx := context.Background()
			g, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "g"}})
			if err != nil {
				b.Fatal(err)
			}
			bulkMembers(b, s, g.ID, n)
			const pool = 20_000 // users to add; later rounds re-add them
			bulkUsers(b, s, pool, func(i int) string { return "new-" + strconv.Itoa(i) })
			if _, err := s.db.ExecContext(ctx, `ANALYZE scim_members`); err != nil {
				b.Fatal(err)
			}
			h := newHandler(b, s)
			path := "/Groups/" + g.ID
			i := 0
			for b.Loop() {
				id := "new-" + strconv.Itoa(i%pool)
				body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` +
					`{"op":"add","path":"members","value":[{"value":"` + id + `","display":"user` + strconv.Itoa(i%pool) + `@example.com"}]}]}`
				req := httptest.NewRequest(http.MethodPatch, path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/scim+json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusNoContent && rec.Code != http.StatusOK {
					b.Fatalf("PATCH %s: %d %s", path, rec.Code, rec.Body)
				}
				i++
			}
		})
	}
}

// TestLoadUsersThroughHandler creates SCIMKIT_LOAD_USERS users with POST
// /Users through the handler behind a real HTTP server on 127.0.0.1, from
// SCIMKIT_LOAD_CLIENTS concurrent clients (default 16), into the tenant
// BenchmarkHandlerUserNameEq uses for that many users, and logs the
// request rate and the size of the tables afterwards. It is skipped unless
// SCIMKIT_LOAD_USERS is set and needs PostgreSQL.
func TestLoadUsersThroughHandler(t *testing.T) {
	env := os.Getenv(loadUsersEnv)
	if env == "" {
		t.Skip("set " + loadUsersEnv + " to the number of users to load")
	}
	n, err := strconv.Atoi(env)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q is not a positive number", loadUsersEnv, env)
	}
	clients := 16
	if v := os.Getenv(loadClientsEnv); v != "" {
		if clients, err = strconv.Atoi(v); err != nil || clients < 1 {
			t.Fatalf("%s=%q is not a positive number", loadClientsEnv, v)
		}
	}
	db, d := openPostgres(t)
	tenant := usersTenant(n)
	s, err := New(db, Config{Dialect: d, Tenant: func(context.Context) string { return tenant }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM scim_resources WHERE tenant = $1`, tenant); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newHandler(t, s))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients}, Timeout: time.Minute}
	defer client.CloseIdleConnections()

	var (
		next   atomic.Int64
		failed atomic.Int64
		wg     sync.WaitGroup
		errMu  sync.Mutex
		first  error
	)
	start := time.Now()
	for range clients {
		wg.Go(func() {
			var buf bytes.Buffer
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				buf.Reset()
				fmt.Fprintf(&buf, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"user%d",`+
					`"name":{"givenName":"Given%d","familyName":"Family"},`+
					`"emails":[{"value":"user%d@example.com","type":"work","primary":true}],"active":%t,"externalId":"ext-%d"}`,
					i, i, i, i%2 == 0, i)
				resp, err := client.Post(srv.URL+"/Users", "application/scim+json", &buf)
				if err == nil {
					if resp.StatusCode != http.StatusCreated {
						body, _ := io.ReadAll(resp.Body)
						err = fmt.Errorf("POST /Users user%d: %d %s", i, resp.StatusCode, body)
					} else {
						_, err = io.Copy(io.Discard, resp.Body)
					}
					resp.Body.Close()
				}
				if err != nil {
					failed.Add(1)
					errMu.Lock()
					if first == nil {
						first = err
					}
					errMu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if first != nil {
		t.Fatalf("%d of %d requests failed; the first: %v", failed.Load(), n, first)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE scim_resources`); err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %d users with %d clients in %v: %.0f requests/s", n, clients, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())

	var rows int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM scim_resources`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, table := range []string{"scim_resources", "scim_members", "scim_unique"} {
		var size, heap int64
		if err := db.QueryRowContext(ctx, `SELECT pg_total_relation_size($1::regclass), pg_relation_size($1::regclass)`, table).Scan(&size, &heap); err != nil {
			t.Fatal(err)
		}
		total += size
		t.Logf("%s: %.1f MB with indexes and TOAST (%.1f MB heap)", table, float64(size)/(1<<20), float64(heap)/(1<<20))
	}
	t.Logf("all tables: %.1f MB for %d resource rows in the database (%.0f bytes per row)", float64(total)/(1<<20), rows, float64(total)/float64(max(rows, 1)))
}
