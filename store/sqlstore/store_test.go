package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

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
	db, err := OpenSQLite(filepath.Join(t.TempDir(), "scim.db"))
	if err != nil {
		t.Fatal(err)
	}
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
	s, err := New(db, Config{Dialect: d, Tenant: func(context.Context) string { return tenant },
		Feed: true, FeedRetention: store.Retention{MaxAge: time.Hour}})
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
