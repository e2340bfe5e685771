package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
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
			got, pushed := filteredIDs(t, s, "User", `nickName eq "SAM"`)
			if !pushed {
				t.Fatal("nickName eq is not pushed down")
			}
			if len(got) != 1 || got[0] != r.ID {
				t.Errorf("nickName eq \"SAM\" after Migrate: %v, want [%s]", got, r.ID)
			}
		})
	}
}

// TestMigrateSparseLayout checks the upgrade from the whole folded
// attrs_key of earlier versions: Migrate records the new key signature
// without recomputing anything (this version reads whole documents as
// they are), and the recorded signature is not the one earlier versions
// make, so one started again on the database recomputes every key rather
// than read a partial document as a whole one.
func TestMigrateSparseLayout(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := newTestStore(t, db, d)
			ctx := context.Background()
			r, err := s.Create(ctx, user("ada@x.com", "nickName", "Ada", "title", "engineer"))
			if err != nil {
				t.Fatal(err)
			}
			sig := keySignature(s.info("User"))
			earlier := strings.TrimSuffix(sig, sparseLayout+displayLayout+keyColumns(s.info("User")))
			const whole = `{"userName":"ada@x.com","nickName":"ada","title":"engineer"}`
			readKeys := func() (doc map[string]any, recorded string) {
				t.Helper()
				var raw sql.NullString
				if err := db.QueryRowContext(ctx, rebind(d, `SELECT attrs_key FROM scim_resources WHERE tenant = ? AND id = ?`), s.tenant(ctx), r.ID).Scan(&raw); err != nil {
					t.Fatal(err)
				}
				if err := db.QueryRowContext(ctx, rebind(d, `SELECT value FROM scim_settings WHERE name = ?`), "keys:User").Scan(&recorded); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal([]byte(raw.String), &doc); err != nil {
					t.Fatal(err)
				}
				return doc, recorded
			}
			sparse := map[string]any{"nickName": "ada"}
			if doc, recorded := readKeys(); !gocmp.Equal(doc, sparse) || recorded != sig {
				t.Fatalf("as written: attrs_key %v, signature %q; want only nickName, %q", doc, recorded, sig)
			}

			// The database as an earlier version left it.
			if _, err := db.ExecContext(ctx, rebind(d, `UPDATE scim_resources SET attrs_key = `+d.jsonArg("?")+` WHERE tenant = ? AND id = ?`), whole, s.tenant(ctx), r.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, rebind(d, `UPDATE scim_settings SET value = ? WHERE name = ?`), earlier, "keys:User"); err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			doc, recorded := readKeys()
			if diff := gocmp.Diff(map[string]any{"userName": "ada@x.com", "nickName": "ada", "title": "engineer"}, doc); diff != "" || recorded != sig {
				t.Errorf("after Migrate: attrs_key (-whole +got):\n%s\nsignature %q, want %q", diff, recorded, sig)
			}
			if recorded == earlier {
				t.Errorf("the recorded signature is an earlier version's: it would read partial documents as whole ones")
			}
			if got, _ := filteredIDs(t, s, "User", `nickName eq "ADA" and title eq "Engineer"`); len(got) != 1 || got[0] != r.ID {
				t.Errorf("filter over the kept whole document: %v, want [%s]", got, r.ID)
			}

			// Keys made another way (here: another fold) are recomputed,
			// in the new layout.
			if _, err := db.ExecContext(ctx, rebind(d, `UPDATE scim_settings SET value = ? WHERE name = ?`), "another fold", "keys:User"); err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if doc, recorded := readKeys(); !gocmp.Equal(doc, sparse) || recorded != sig {
				t.Errorf("after recomputing: attrs_key %v, signature %q; want only nickName, %q", doc, recorded, sig)
			}
		})
	}
}

// TestMigrateDisplayLayout checks the upgrade from versions that kept a
// User's folded displayName in display_key: this version writes none for
// a User, reads none (displayName filters read attrs_key instead), and
// Migrate records the new signature without recomputing anything; the
// signature differs from the earlier one, so an earlier version started
// again recomputes every key, display_key included.
func TestMigrateDisplayLayout(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := newTestStore(t, db, d)
			ctx := context.Background()
			r, err := s.Create(ctx, user("ada@x.com", "displayName", "Ada LOVELACE"))
			if err != nil {
				t.Fatal(err)
			}
			g, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "Admins"}})
			if err != nil {
				t.Fatal(err)
			}
			sig := keySignature(s.info("User"))
			earlier := strings.TrimSuffix(sig, displayLayout+keyColumns(s.info("User")))
			if earlier == sig {
				t.Fatal("the signature does not end with displayLayout")
			}
			displayKey := func(id string) sql.NullString {
				t.Helper()
				var k sql.NullString
				if err := db.QueryRowContext(ctx, rebind(d, `SELECT display_key FROM scim_resources WHERE tenant = ? AND id = ?`), s.tenant(ctx), id).Scan(&k); err != nil {
					t.Fatal(err)
				}
				return k
			}
			if k := displayKey(r.ID); k.Valid {
				t.Errorf("a User's display_key is %q, want NULL", k.String)
			}
			if k := displayKey(g.ID); k != (sql.NullString{String: "admins", Valid: true}) {
				t.Errorf("a Group's display_key is %v, want admins", k)
			}

			// The database as the earlier version left it.
			if _, err := db.ExecContext(ctx, rebind(d, `UPDATE scim_resources SET display_key = ? WHERE tenant = ? AND id = ?`), "ada lovelace", s.tenant(ctx), r.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, rebind(d, `UPDATE scim_settings SET value = ? WHERE name = ?`), earlier, "keys:User"); err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var recorded string
			if err := db.QueryRowContext(ctx, rebind(d, `SELECT value FROM scim_settings WHERE name = ?`), "keys:User").Scan(&recorded); err != nil {
				t.Fatal(err)
			}
			if recorded != sig {
				t.Errorf("after Migrate the signature is %q, want %q", recorded, sig)
			}
			if k := displayKey(r.ID); !k.Valid {
				t.Errorf("Migrate recomputed the keys: display_key is NULL")
			}
			for _, expr := range []string{`displayName eq "ada lovelace"`, `displayName sw "ADA"`} {
				got, pushed := filteredIDs(t, s, "User", expr)
				if !pushed {
					t.Errorf("%s is not pushed down", expr)
				}
				if len(got) != 1 || got[0] != r.ID {
					t.Errorf("%s: %v, want [%s]", expr, got, r.ID)
				}
			}
			// A write leaves no display_key behind.
			if _, err := s.Replace(ctx, &store.Resource{Type: "User", ID: r.ID, Attributes: map[string]any{"userName": "ada@x.com", "displayName": "Ada"}}, ""); err != nil {
				t.Fatal(err)
			}
			if k := displayKey(r.ID); k.Valid {
				t.Errorf("after Replace a User's display_key is %q, want NULL", k.String)
			}
		})
	}
}

// TestMigrateKeyColumnsFollowUniqueness reopens a database with a User
// type whose userName is not unique, so that displayName becomes its
// display_key, and back: Migrate recomputes the key columns each time, so
// displayName filters find the users written before.
func TestMigrateKeyColumnsFollowUniqueness(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := newTestStore(t, db, d)
			ctx := context.Background()
			r, err := s.Create(ctx, user("ada@x.com", "displayName", "Ada LOVELACE"))
			if err != nil {
				t.Fatal(err)
			}
			find := func(s *Store) {
				t.Helper()
				if got, _ := filteredIDs(t, s, "User", `displayName eq "ada lovelace"`); len(got) != 1 || got[0] != r.ID {
					t.Errorf("displayName eq with display_key for %v: %v, want [%s]", s.info("User").display != nil, got, r.ID)
				}
			}
			find(s)
			notUnique := schema.UserResourceType(schema.EnterpriseUserSchema())
			notUnique.Schema.Attr("userName").Uniqueness = schema.UniqueNone
			for _, rts := range [][]*schema.ResourceType{{notUnique, schema.GroupResourceType()}, nil} {
				other, err := New(db, Config{Dialect: d, Tenant: s.tenant, ResourceTypes: rts})
				if err != nil {
					t.Fatal(err)
				}
				if err := other.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				find(other)
			}
		})
	}
}

// filteredIDs returns the ids of the first ten resources of typ that s
// lists for the filter expr, parsed with s's definition of typ, and
// whether s translates the filter to SQL.
func filteredIDs(t *testing.T, s *Store, typ, expr string) (got []string, pushed bool) {
	t.Helper()
	f, err := filter.Parser{Schema: s.info(typ).rt}.Parse(expr)
	if err != nil {
		t.Fatal(err)
	}
	sqlPart, _ := s.sqlSplit(typ, f)
	page, err := s.List(context.Background(), typ, store.Query{Filter: f, StartIndex: 1, Count: 10})
	if err != nil {
		t.Fatal(err)
	}
	return ids(page.Resources), sqlPart != nil
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
