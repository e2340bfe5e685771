package sqlstore

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// TestMigrateRekeys checks that Migrate recomputes keys made by the fold
// of earlier versions, which mapped U+0130 İ to i, so that İ@x.com and
// i@x.com become two users.
func TestMigrateRekeys(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := newTestStore(t, db, d)
			ctx := context.Background()
			r, err := s.Create(ctx, user("İ@x.com", "nickName", "ſam"))
			if err != nil {
				t.Fatal(err)
			}
			// The database as an earlier version left it.
			if _, err := db.ExecContext(ctx, rebind(d, `UPDATE scim_resources SET name_key = 'i@x.com' WHERE tenant = ? AND id = ?`), s.tenant(ctx), r.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, `DELETE FROM scim_settings`); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Create(ctx, user("i@x.com")); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("before Migrate: create i@x.com: %v, want the old conflict", err)
			}
			if _, err := db.ExecContext(ctx, `ALTER TABLE scim_resources DROP COLUMN attrs_key`); err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var k string
			if err := db.QueryRowContext(ctx, rebind(d, `SELECT name_key FROM scim_resources WHERE tenant = ? AND id = ?`), s.tenant(ctx), r.ID).Scan(&k); err != nil {
				t.Fatal(err)
			}
			if k != "İ@x.com" {
				t.Errorf("name_key = %q after Migrate, want %q", k, "İ@x.com")
			}
			if _, err := s.Create(ctx, user("i@x.com")); err != nil {
				t.Errorf("after Migrate: create i@x.com: %v", err)
			}
			if _, err := s.Create(ctx, user("İ@X.COM")); !errors.Is(err, store.ErrConflict) {
				t.Errorf("after Migrate: create İ@X.COM: %v, want a conflict", err)
			}
			// attrs_key was added and filled: the filter runs in SQL.
			f, err := filter.Parser{Schema: schema.UserResourceType(schema.EnterpriseUserSchema())}.Parse(`nickName eq "SAM"`)
			if err != nil {
				t.Fatal(err)
			}
			if pushed, _ := s.sqlSplit("User", f); pushed == nil {
				t.Fatal("nickName eq is not pushed down")
			}
			page, err := s.List(ctx, "User", store.Query{Filter: f, StartIndex: 1, Count: 10})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(page.Resources); len(got) != 1 || got[0] != r.ID {
				t.Errorf("nickName eq \"SAM\" after Migrate: %v, want [%s]", got, r.ID)
			}
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

// TestMigrateConcurrently starts several instances at once: each runs
// Migrate, as a host does at start-up, and none fails (PostgreSQL answers
// "tuple concurrently updated" to two sessions replacing one function at
// once, unless they take turns).
func TestMigrateConcurrently(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			var wg sync.WaitGroup
			errs := make([]error, 6)
			for i := range errs {
				wg.Go(func() {
					s, err := New(db, Config{Dialect: d, Feed: true})
					if err == nil {
						err = s.Migrate(context.Background())
					}
					errs[i] = err
				})
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("concurrent Migrate: %v", err)
			}
		})
	}
}

// TestMigrateIndexes checks the indexes of scim_resources after Migrate
// upgrades a database whose tables an earlier version made: the paging
// index led with the tenant (which let the planner read a row by id
// through it on an empty table) and meta.created had an index.
func TestMigrateIndexes(t *testing.T) {
	db, s := schemaStore(t)
	ctx := context.Background()
	for _, q := range []string{
		`DROP INDEX scim_resources_by_type`,
		`CREATE INDEX scim_resources_seq ON scim_resources (tenant, type, seq)`,
		`CREATE INDEX scim_resources_created ON scim_resources (tenant, type, created)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'scim_resources' ORDER BY indexname`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var def string
		if err := rows.Scan(&def); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.TrimPrefix(def[:strings.Index(def, " ON ")], "CREATE ")+def[strings.Index(def, " USING "):])
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"INDEX scim_resources_by_display USING btree (tenant, display_key, type) WHERE (display_key IS NOT NULL)",
		"INDEX scim_resources_by_external_id USING btree (tenant, external_id, type) WHERE (external_id IS NOT NULL)",
		"UNIQUE INDEX scim_resources_by_name USING btree (tenant, name_key, type) WHERE (name_key IS NOT NULL)",
		"INDEX scim_resources_by_type USING btree (type, tenant, seq)",
		"UNIQUE INDEX scim_resources_pkey USING btree (tenant, id)",
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("indexes of scim_resources after Migrate (-want +got):\n%s", diff)
	}
}
