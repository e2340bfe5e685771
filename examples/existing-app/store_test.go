package main

import (
	"path/filepath"
	"testing"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/storetest"
)

// TestStoreConformance runs scimkit's conformance kit on the store over the
// app's tables, declaring what they keep: the trimmed schemas, teams of
// users only, no externalId, active true unless written, and one of the
// app's roles (users.role).
func TestStoreConformance(t *testing.T) {
	cfg := storetest.Config{ResourceTypes: resourceTypes(), NoNestedGroups: true, NoExternalID: true,
		Defaults: map[string]map[string]any{"User": {"active": true}}, // users.active is NOT NULL DEFAULT 1
		Fixed:    map[string]map[string]any{"User": {"roles": rolesOf("admin")}}}
	storetest.RunWith(t, cfg,
		func(t *testing.T) store.Store {
			db, err := openDB(filepath.Join(t.TempDir(), "app.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return tableStore{db: db}
		})
}
