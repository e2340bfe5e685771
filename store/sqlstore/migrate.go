package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/scimkit/scimkit/scim/schema"
)

// foldKeys names the function the stored keys (name_key, display_key,
// scim_unique.key and attrs_key) are made with. Migrate records, per
// resource type, it and the attributes that fold, and recomputes the keys
// of a type whose record differs: a database written by an earlier
// version of this package (whose fold mapped U+0130 İ to i and which had
// no attrs_key), with other Unicode tables, or with another caseExact for
// some attribute.
var foldKeys = "schema.Fold, Unicode " + unicode.Version

// sparseLayout ends the signature of keys whose attrs_key holds only the
// top-level attributes folding changes (appendKeyDoc). Earlier versions wrote
// the whole folded document and recorded the signature without it. This
// version reads those documents as they are, so its Migrate records the
// new signature without recomputing anything (rekey); an earlier version
// started again on the database finds a signature that is not its own and
// recomputes every key, so it never reads a partial document as a whole
// one.
const sparseLayout = "; attrs_key: the attributes folding changes"

// displayLayout ends the signature of keys whose display_key is kept only
// for a type without a unique attribute (typeInfo.display). Earlier
// versions also kept a User's folded displayName there. This version does
// not read the column for such a type, so its Migrate records the new
// signature without recomputing anything; an earlier version started
// again on the database recomputes every key, display_key included, as
// for sparseLayout.
const displayLayout = "; display_key: the displayName of a type without a unique attribute"

// keyColumns ends the signature with the attributes the type's key
// columns hold (typeInfo.nameKey and display), which depend on its schema's
// uniqueness: a configuration that changes them changes the signature,
// and Migrate recomputes the columns.
func keyColumns(ti *typeInfo) string {
	name, display := "none", "none"
	if ti.nameKey != nil {
		name = ti.nameKey.Name
	}
	if ti.display != nil {
		display = ti.display.Name
	}
	return "; name_key: " + name + "; display_key: " + display
}

// migrateLock is the PostgreSQL advisory lock key that Migrate holds.
const migrateLock int64 = 0x7363696d6b6974 // "scimkit"

// Migrate creates the tables, indexes and functions the store uses, if
// they do not exist yet, adds the columns later versions added, and brings
// the keys of existing resources up to date: when the fold (schema.Fold
// and its Unicode version), the attributes that fold or the layout of
// attrs_key differ from what the database records, it recomputes them
// (see Tables in the package documentation). It is idempotent and safe to
// call at every start, from several instances at once: on PostgreSQL they
// take turns on an advisory lock (key 0x7363696d6b6974, "scimkit").
func (s *Store) Migrate(ctx context.Context) error {
	if _, pg := s.d.(postgres); pg {
		// Instances that start together migrate one at a time: two
		// sessions replacing one function or index at once fail with
		// "tuple concurrently updated". The lock is the session's, on a
		// connection of its own, and goes with it.
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("sqlstore: migrate: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLock); err != nil {
			return fmt.Errorf("sqlstore: migrate: waiting for another instance's migration: %w", err)
		}
		defer func() { // the lock goes with the connection anyway
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLock)
		}()
	}
	for _, stmt := range append(s.d.schema(), feedSchema(s.d)...) {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("sqlstore: migrate: %w", err)
		}
	}
	if _, ok := s.d.(sqlite); ok {
		// SQLite has no ADD COLUMN IF NOT EXISTS.
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('scim_resources') WHERE name = 'attrs_key'`).Scan(&n); err != nil {
			return fmt.Errorf("sqlstore: migrate: %w", err)
		}
		if n == 0 {
			if _, err := s.db.ExecContext(ctx, `ALTER TABLE scim_resources ADD COLUMN attrs_key TEXT`); err != nil {
				return fmt.Errorf("sqlstore: migrate: %w", err)
			}
		}
	}
	for typ, ti := range s.types {
		if err := s.rekey(ctx, typ, ti); err != nil {
			return fmt.Errorf("sqlstore: migrate: recomputing the keys of %s: %w", typ, err)
		}
	}
	return nil
}

// keySignature describes how the keys of ti's resources are made: the
// fold, the attributes that fold, the layouts and the key columns'
// attributes.
func keySignature(ti *typeInfo) string {
	var b strings.Builder
	b.WriteString(foldKeys)
	var walk func(prefix string, attrs []*schema.Attribute)
	walk = func(prefix string, attrs []*schema.Attribute) {
		for _, a := range attrs {
			if a == nil {
				continue
			}
			if folds(a) {
				b.WriteString(" " + prefix + a.Name)
			}
			walk(prefix+a.Name+".", a.SubAttributes)
		}
	}
	walk("", ti.rt.Schema.Attributes)
	walk("", schema.CommonAttributes())
	for _, e := range ti.rt.Extensions {
		walk(e.Schema.ID+":", e.Schema.Attributes)
	}
	b.WriteString(sparseLayout)
	b.WriteString(displayLayout)
	b.WriteString(keyColumns(ti))
	return b.String()
}

// rekey recomputes, in one transaction, the keys of every resource of typ
// (in all tenants) when scim_settings says they were made otherwise than
// keySignature says, and records the signature.
func (s *Store) rekey(ctx context.Context, typ string, ti *typeInfo) error {
	name, sig := "keys:"+typ, keySignature(ti)
	var have string
	err := s.db.QueryRowContext(ctx, rebind(s.d, `SELECT value FROM scim_settings WHERE name = ?`), name).Scan(&have)
	if err == nil && have == sig {
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if kc := keyColumns(ti); err == nil && (have+sparseLayout+displayLayout+kc == sig || have+displayLayout+kc == sig) {
		// Keys made the same way, attrs_key whole or display_key kept
		// for more types: this version reads them as they are (see
		// sparseLayout and displayLayout).
		return s.recordKeys(ctx, s.db, name, sig)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	type res struct {
		tenant, id string
		attrs      map[string]any
		rw         *row
	}
	var all []res
	rows, err := tx.QueryContext(ctx, rebind(s.d, `SELECT tenant, id, attrs FROM scim_resources WHERE type = ?`), typ)
	if err != nil {
		return err
	}
	for rows.Next() {
		var (
			r   res
			raw []byte
		)
		if err := rows.Scan(&r.tenant, &r.id, &raw); err != nil {
			rows.Close()
			return err
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&r.attrs); err != nil {
			rows.Close()
			return err
		}
		if r.rw, err = s.split(ti, r.attrs); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, r := range all {
		if _, err := tx.ExecContext(ctx, rebind(s.d, `UPDATE scim_resources SET attrs_key = `+s.d.jsonArg("?")+`, name_key = ?, display_key = ? WHERE tenant = ? AND id = ?`),
			r.rw.attrsKey, r.rw.nameKey, r.rw.displayKey, r.tenant, r.id); err != nil {
			return err
		}
		if len(ti.extraUnique) > 0 {
			if _, err := tx.ExecContext(ctx, rebind(s.d, `DELETE FROM scim_unique WHERE tenant = ? AND id = ?`), r.tenant, r.id); err != nil {
				return err
			}
			if err := s.insertUnique(ctx, tx, ti, r.tenant, typ, r.id, r.rw, r.attrs); err != nil {
				return err
			}
		}
	}
	if err := s.recordKeys(ctx, tx, name, sig); err != nil {
		return err
	}
	return tx.Commit()
}

// recordKeys records sig as the signature of the keys the setting name
// covers.
func (s *Store) recordKeys(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, name, sig string) error {
	if _, err := db.ExecContext(ctx, rebind(s.d, `DELETE FROM scim_settings WHERE name = ?`), name); err != nil {
		return err
	}
	_, err := db.ExecContext(ctx, rebind(s.d, `INSERT INTO scim_settings (name, value) VALUES (?, ?)`), name, sig)
	return err
}
