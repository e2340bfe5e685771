package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/storetest"
)

// dsnEnv names the environment variable with the PostgreSQL test DSN.
const dsnEnv = "SCIMKIT_POSTGRES_DSN"

// backend is one database the tests run against.
type backend struct {
	name string
	open func(t testing.TB) (*sql.DB, Dialect)
}

var (
	pgOnce sync.Once
	pgDB   *sql.DB
	pgErr  error
)

func openPostgres(t testing.TB) (*sql.DB, Dialect) {
	t.Helper()
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI must run the PostgreSQL tests: set " + dsnEnv + " (eval \"$(bash .ci/postgres.sh)\" starts a server and sets it)")
		}
		t.Skip("PostgreSQL tests skipped: set " + dsnEnv + " (eval \"$(bash .ci/postgres.sh)\" starts a server and sets it)")
	}
	pgOnce.Do(func() {
		pgDB, pgErr = sql.Open("pgx", dsn)
		if pgErr == nil {
			pgDB.SetMaxOpenConns(32)
			pgDB.SetMaxIdleConns(32)
			pgErr = pgDB.Ping()
		}
	})
	if pgErr != nil {
		t.Fatalf("connecting to %s: %v", dsnEnv, pgErr)
	}
	return pgDB, Postgres
}

func openSQLite(t testing.TB) (*sql.DB, Dialect) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "scim.db")+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db, SQLite
}

var backends = []backend{{"SQLite", openSQLite}, {"Postgres", openPostgres}}

// randomTenant returns a tenant no other test uses, so tests share the
// tables and still start empty.
func randomTenant() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "test-" + hex.EncodeToString(b[:])
}

// newTestStore returns a migrated store over db scoped to a new tenant.
func newTestStore(t testing.TB, db *sql.DB, d Dialect) *Store {
	t.Helper()
	tenant := randomTenant()
	s, err := New(db, Config{Dialect: d, Tenant: func(context.Context) string { return tenant }})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			storetest.Run(t, func(t *testing.T) store.Store { return newTestStore(t, db, d) })
		})
	}
}

func TestMigrateIdempotent(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := newTestStore(t, db, d)
			for range 2 {
				if err := s.Migrate(context.Background()); err != nil {
					t.Fatalf("Migrate again: %v", err)
				}
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	db, _ := openSQLite(t)
	tests := []struct {
		name, reason string
		db           *sql.DB
		cfg          Config
	}{
		{name: "no db", reason: "a store needs a database", cfg: Config{Dialect: SQLite}},
		{name: "no dialect", reason: "the dialect is required", db: db},
	}
	for _, tc := range tests {
		if _, err := New(tc.db, tc.cfg); err == nil {
			t.Errorf("%s: New succeeded, want an error (%s)", tc.name, tc.reason)
		}
	}
}

func user(name string, kv ...any) *store.Resource {
	attrs := map[string]any{"userName": name}
	for i := 0; i+1 < len(kv); i += 2 {
		attrs[kv[i].(string)] = kv[i+1]
	}
	return &store.Resource{Type: "User", Attributes: attrs}
}

func TestTenantIsolation(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			ctx := context.Background()
			type key struct{}
			s, err := New(db, Config{Dialect: d, Tenant: func(ctx context.Context) string { v, _ := ctx.Value(key{}).(string); return v }})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			a := context.WithValue(ctx, key{}, randomTenant())
			b := context.WithValue(ctx, key{}, randomTenant())
			ua, err := s.Create(a, user("shared"))
			if err != nil {
				t.Fatal(err)
			}
			// The same userName is free in another tenant.
			ub, err := s.Create(b, user("SHARED"))
			if err != nil {
				t.Fatalf("Create in tenant b: %v", err)
			}
			if _, err := s.Get(b, "User", ua.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Get of tenant a's user from tenant b: %v, want ErrNotFound", err)
			}
			if _, err := s.Replace(b, &store.Resource{Type: "User", ID: ua.ID, Attributes: map[string]any{"userName": "x"}}, ""); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Replace across tenants: %v, want ErrNotFound", err)
			}
			if err := s.Delete(b, "User", ua.ID, ""); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Delete across tenants: %v, want ErrNotFound", err)
			}
			if _, err := s.PatchMembers(b, "Group", ua.ID, store.MemberDelta{Attribute: "members"}, ""); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("PatchMembers across tenants: %v, want ErrNotFound", err)
			}
			for _, tc := range []struct {
				ctx  context.Context
				want string
			}{{a, ua.ID}, {b, ub.ID}} {
				page, err := s.List(tc.ctx, "User", store.Query{StartIndex: 1, Count: 10})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff([]string{tc.want}, ids(page.Resources)); diff != "" || page.Total != 1 {
					t.Errorf("List sees other tenants (-want +got, Total %d):\n%s", page.Total, diff)
				}
			}
		})
	}
}

func ids(rs []*store.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// usersWithIDs creates users with the given ids, for members to name.
func usersWithIDs(t testing.TB, s *Store, ids ...string) {
	t.Helper()
	i := 0
	bulkUsers(t, s, len(ids), func(int) string { i++; return ids[i-1] })
}

func TestPatchMembers(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := newTestStore(t, db, d)
			ctx := context.Background()
			usersWithIDs(t, s, "u1", "u2", "u3", "u4", "u9", "u10")
			g, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{
				"displayName": "Ops",
				"members":     []any{map[string]any{"value": "u1", "type": "User"}, map[string]any{"value": "u2"}},
			}})
			if err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name, reason     string
				delta            store.MemberDelta
				ifVersion        string
				wantErr          error
				added, removed   []string
				wantMembers      []string
				wantDisplayName  string
				stale, wantNoRes bool
			}{
				{name: "add", reason: "present values are skipped", delta: store.MemberDelta{Attribute: "members", Add: []map[string]any{{"value": "u2"}, {"value": "u3", "display": "Three"}}},
					added: []string{"u3"}, wantMembers: []string{"u1", "u2", "u3"}, wantDisplayName: "Ops"},
				{name: "remove", reason: "absent values are ignored", delta: store.MemberDelta{Attribute: "members", Remove: []string{"u1", "nobody"}},
					removed: []string{"u1"}, wantMembers: []string{"u2", "u3"}, wantDisplayName: "Ops"},
				{name: "rename", reason: "Set writes top-level attributes", delta: store.MemberDelta{Attribute: "members", Set: map[string]any{"displayName": "Operations"}, Add: []map[string]any{{"value": "u4"}}},
					added: []string{"u4"}, wantMembers: []string{"u2", "u3", "u4"}, wantDisplayName: "Operations"},
				{name: "replace all", reason: "RemoveAll comes before Add", delta: store.MemberDelta{Attribute: "members", RemoveAll: true, Add: []map[string]any{{"value": "u9"}}},
					added: []string{"u9"}, removed: []string{"u2", "u3", "u4"}, wantMembers: []string{"u9"}, wantDisplayName: "Operations"},
				{name: "stale version", reason: "ifVersion must be current", delta: store.MemberDelta{Attribute: "members", Add: []map[string]any{{"value": "u10"}}},
					stale: true, wantErr: store.ErrVersionMismatch, wantMembers: []string{"u9"}, wantDisplayName: "Operations"},
				{name: "wrong attribute", reason: "only members has a table", delta: store.MemberDelta{Attribute: "emails"},
					wantErr: errors.ErrUnsupported, wantMembers: []string{"u9"}, wantDisplayName: "Operations"},
			}
			version := g.Meta.Version
			for _, tc := range tests {
				ifv := version
				if tc.stale {
					ifv = "1"
				}
				res, err := s.PatchMembers(ctx, "Group", g.ID, tc.delta, ifv)
				if tc.wantErr != nil {
					if !errors.Is(err, tc.wantErr) {
						t.Errorf("%s: error %v, want %v (%s)", tc.name, err, tc.wantErr, tc.reason)
					}
				} else {
					if err != nil {
						t.Fatalf("%s: %v", tc.name, err)
					}
					if res.Version == version {
						t.Errorf("%s: version unchanged", tc.name)
					}
					version = res.Version
					if diff := cmp.Diff(tc.added, res.Added); diff != "" {
						t.Errorf("%s: Added (-want +got):\n%s", tc.name, diff)
					}
					if diff := cmp.Diff(tc.removed, res.Removed); diff != "" {
						t.Errorf("%s: Removed (-want +got):\n%s", tc.name, diff)
					}
					got, err := s.Get(ctx, "Group", g.ID)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(got, res.Resource); diff != "" {
						t.Errorf("%s: result resource differs from Get (-get +result):\n%s", tc.name, diff)
					}
				}
				got, err := s.Get(ctx, "Group", g.ID)
				if err != nil {
					t.Fatal(err)
				}
				var members []string
				ms, _ := got.Attributes["members"].([]any)
				for _, m := range ms {
					members = append(members, m.(map[string]any)["value"].(string))
				}
				if diff := cmp.Diff(tc.wantMembers, members); diff != "" {
					t.Errorf("%s: members (-want +got):\n%s\nreason: %s", tc.name, diff, tc.reason)
				}
				if got.Attributes["displayName"] != tc.wantDisplayName {
					t.Errorf("%s: displayName %v, want %q", tc.name, got.Attributes["displayName"], tc.wantDisplayName)
				}
				if got.Meta.Version != version {
					t.Errorf("%s: stored version %q, want %q", tc.name, got.Meta.Version, version)
				}
			}
			if _, err := s.PatchMembers(ctx, "Group", "missing", store.MemberDelta{Attribute: "members"}, ""); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("PatchMembers of a missing group: %v, want ErrNotFound", err)
			}
		})
	}
}

func TestPatchMembersBigGroupHasNoResource(t *testing.T) {
	db, d := openSQLite(t)
	s := newTestStore(t, db, d)
	ctx := context.Background()
	var (
		members []any
		uids    = []string{"new"}
	)
	for i := range patchResultMembers + 1 {
		members = append(members, map[string]any{"value": "u" + strconv.Itoa(i)})
		uids = append(uids, "u"+strconv.Itoa(i))
	}
	usersWithIDs(t, s, uids...)
	g, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "Big", "members": members}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.PatchMembers(ctx, "Group", g.ID, store.MemberDelta{Attribute: "members", Add: []map[string]any{{"value": "new"}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Resource != nil || res.Version == "" || !slices.Equal(res.Added, []string{"new"}) {
		t.Errorf("PatchMembers of a big group = %+v, want no Resource, a Version and Added [new]", res)
	}
}

func TestConcurrentPatchMembers(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := newTestStore(t, db, d)
			ctx := context.Background()
			g, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "Everyone"}})
			if err != nil {
				t.Fatal(err)
			}
			const workers, each = 8, 250
			var uids []string
			for w := range workers {
				for i := range each {
					uids = append(uids, "w"+strconv.Itoa(w)+"-"+strconv.Itoa(i))
				}
			}
			usersWithIDs(t, s, uids...)
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			versions := make([][]string, workers)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						res, err := s.PatchMembers(ctx, "Group", g.ID, store.MemberDelta{Attribute: "members",
							Add: []map[string]any{{"value": "w" + strconv.Itoa(w) + "-" + strconv.Itoa(i), "type": "User"}}}, "")
						if err != nil {
							errs <- err
							return
						}
						versions[w] = append(versions[w], res.Version)
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			got, err := s.Get(ctx, "Group", g.ID)
			if err != nil {
				t.Fatal(err)
			}
			ms, _ := got.Attributes["members"].([]any)
			if len(ms) != workers*each {
				t.Errorf("after %d concurrent adds: %d members", workers*each, len(ms))
			}
			seen := map[string]bool{}
			for _, vs := range versions {
				for _, v := range vs {
					if seen[v] {
						t.Fatalf("version %s given to two writes", v)
					}
					seen[v] = true
				}
			}
			if want := strconv.Itoa(1 + workers*each); got.Meta.Version != want {
				t.Errorf("final version %s, want %s", got.Meta.Version, want)
			}
		})
	}
}

func TestConflictError(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := newTestStore(t, db, d)
			ctx := context.Background()
			if _, err := s.Create(ctx, user("Ünïcode")); err != nil {
				t.Fatal(err)
			}
			other, err := s.Create(ctx, user("other"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Create(ctx, user("üNÏCODE"))
			var ce *store.ConflictError
			if !errors.As(err, &ce) || ce.Attribute != "userName" || ce.Value != "üNÏCODE" {
				t.Errorf("Create of a taken userName: %v, want a ConflictError naming userName", err)
			}
			_, err = s.Replace(ctx, &store.Resource{Type: "User", ID: other.ID, Attributes: map[string]any{"userName": "ÜNÏCODE"}}, other.Meta.Version)
			if !errors.As(err, &ce) || ce.Attribute != "userName" {
				t.Errorf("Replace to a taken userName: %v, want a ConflictError naming userName", err)
			}
		})
	}
}
