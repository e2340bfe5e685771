package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"unicode"
)

// foldKeys names the function the stored case-insensitive keys (name_key,
// display_key, scim_unique.key) are made with. Migrate records it in
// scim_settings and recomputes the keys of a database that holds keys
// made otherwise: by an earlier version of this package, whose fold mapped
// U+0130 İ to i, or with other Unicode tables.
var foldKeys = "schema.Fold, Unicode " + unicode.Version

// Migrate creates the tables, indexes and functions the store uses, if
// they do not exist yet, and brings the keys of existing resources up to
// date (see [foldKeys]). It is idempotent and safe to call at every start.
func (s *Store) Migrate(ctx context.Context) error {
	for _, stmt := range s.d.schema() {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("sqlstore: migrate: %w", err)
		}
	}
	if err := s.rekey(ctx); err != nil {
		return fmt.Errorf("sqlstore: migrate: recomputing keys: %w", err)
	}
	return nil
}

// rekey recomputes, in one transaction, the keys of every resource of the
// configured types when scim_settings says they were made by another fold
// than foldKeys, and records foldKeys.
func (s *Store) rekey(ctx context.Context) error {
	var have string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM scim_settings WHERE name = 'fold'`).Scan(&have)
	if err == nil && have == foldKeys {
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	type res struct {
		tenant, id, typ string
		rw              *row
		attrs           map[string]any
		name, display   sql.NullString
	}
	var all []res
	rows, err := tx.QueryContext(ctx, `SELECT tenant, id, type, attrs, name_key, display_key FROM scim_resources`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var (
			r   res
			raw []byte
		)
		if err := rows.Scan(&r.tenant, &r.id, &r.typ, &raw, &r.name, &r.display); err != nil {
			rows.Close()
			return err
		}
		ti := s.types[r.typ]
		if ti == nil || ti.nameKey == nil && ti.display == nil && len(ti.extraUnique) == 0 {
			continue
		}
		if err := json.Unmarshal(raw, &r.attrs); err != nil {
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
		ti := s.types[r.typ]
		if r.rw.nameKey != r.name || r.rw.displayKey != r.display {
			if _, err := tx.ExecContext(ctx, rebind(s.d, `UPDATE scim_resources SET name_key = ?, display_key = ? WHERE tenant = ? AND id = ?`),
				r.rw.nameKey, r.rw.displayKey, r.tenant, r.id); err != nil {
				return err
			}
		}
		if len(ti.extraUnique) > 0 {
			if _, err := tx.ExecContext(ctx, rebind(s.d, `DELETE FROM scim_unique WHERE tenant = ? AND id = ?`), r.tenant, r.id); err != nil {
				return err
			}
			if err := s.insertUnique(ctx, tx, ti, r.tenant, r.typ, r.id, r.rw, r.attrs); err != nil {
				return err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM scim_settings WHERE name = 'fold'`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, rebind(s.d, `INSERT INTO scim_settings (name, value) VALUES ('fold', ?)`), foldKeys); err != nil {
		return err
	}
	return tx.Commit()
}
