package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/scimkit/scimkit/store"
)

// Create stores r with a new id, version 1 and Created equal to
// LastModified. It returns an error wrapping store.ErrConflict (a
// *store.ConflictError) if a unique attribute's value is taken.
func (s *Store) Create(ctx context.Context, r *store.Resource) (_ *store.Resource, err error) {
	ctx, done := s.bound(ctx, false)
	defer done(&err)
	if r == nil || r.Type == "" {
		return nil, errors.New("sqlstore: Create needs a resource with a type")
	}
	ti := s.info(r.Type)
	rw, err := s.split(ti, r.Attributes)
	if err != nil {
		return nil, err
	}
	id := s.newID()
	if id == "" {
		return nil, errors.New("sqlstore: the id generator returned an empty id")
	}
	tenant := s.tenant(ctx)
	now := s.stamp()
	var members *memberRows
	oneShot := s.oneShot(ti)
	if oneShot && ti.members != nil {
		members, oneShot = oneShotMembers(rw.members)
	}
	if oneShot {
		var c store.Change
		if s.feed {
			c = store.ChangeFor(ctx, store.Created, r.Type, id, "1", nil, r.Attributes)
		}
		err = s.createOne(ctx, tenant, r.Type, id, now, rw, members, c)
		if err != nil && s.d.uniqueViolation(err) {
			if ti.nameKey != nil && rw.nameKey.Valid && s.taken(ctx, nil, tenant, r.Type, rw.nameKey.String) {
				return nil, conflict(ti.nameKey, r.Attributes)
			}
			return nil, fmt.Errorf("sqlstore: the id generator returned %q, which is in use: %w", id, err)
		}
	} else {
		err = s.createTx(ctx, ti, r, tenant, id, now, rw)
	}
	if err != nil {
		return nil, err
	}
	return &store.Resource{
		Type:       r.Type,
		ID:         id,
		Attributes: r.Attributes,
		Meta:       store.Meta{Created: now, LastModified: now, Version: "1"},
	}, nil
}

// insertArgs are the arguments of s.insertSQL. The nullable columns are
// passed as nil or a string, which database/sql hands to the driver as
// they are (a sql.NullString is boxed, then converted).
func (s *Store) insertArgs(tenant, id, typ string, now time.Time, rw *row) []any {
	t := s.d.timeArg(now)
	return []any{tenant, id, typ, t, t, rw.attrs, nullable(rw.attrsKey), nullable(rw.externalID), nullable(rw.nameKey), nullable(rw.displayKey)}
}

// nullable is the argument of a nullable text column: nil or the string.
func nullable(ns sql.NullString) any {
	if !ns.Valid {
		return nil
	}
	return ns.String
}

// createTx is Create in a transaction of several statements.
func (s *Store) createTx(ctx context.Context, ti *typeInfo, r *store.Resource, tenant, id string, now time.Time, rw *row) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.insertSQL, s.insertArgs(tenant, id, r.Type, now, rw)...)
		if err != nil {
			if s.d.uniqueViolation(err) {
				if ti.nameKey != nil && rw.nameKey.Valid && s.taken(ctx, tx, tenant, r.Type, rw.nameKey.String) {
					return conflict(ti.nameKey, r.Attributes)
				}
				return fmt.Errorf("sqlstore: the id generator returned %q, which is in use: %w", id, err)
			}
			return err
		}
		if err := s.insertUnique(ctx, tx, ti, tenant, r.Type, id, rw, r.Attributes); err != nil {
			return err
		}
		if ti.members != nil {
			if err := s.checkRefs(ctx, tx, tenant, "", rw.members); err != nil {
				return err
			}
			if _, err := s.addMembers(ctx, tx, tenant, id, rw.members); err != nil {
				return err
			}
		}
		return s.recordFor(ctx, tx, tenant, store.Created, r.Type, id, "1", r.Attributes, now)
	})
}

// taken reports whether the name key is held, after a unique violation.
// In PostgreSQL the failed statement aborted tx, so it asks outside it.
func (s *Store) taken(ctx context.Context, tx *sql.Tx, tenant, typ, k string) bool {
	if _, ok := s.d.(postgres); !ok {
		var n int
		err := tx.QueryRowContext(ctx, rebind(s.d, `SELECT count(*) FROM scim_resources WHERE tenant = ? AND type = ? AND name_key = ?`), tenant, typ, k).Scan(&n)
		return err == nil && n > 0
	}
	// A unique violation on the resources table is either the name key
	// or the primary key; ids come from a generator meant never to repeat,
	// so the name key is the overwhelmingly likely one. Confirm it.
	var n int
	err := s.readRow(ctx, rebind(s.d, `SELECT count(*) FROM scim_resources WHERE tenant = ? AND type = ? AND name_key = ?`), []any{tenant, typ, k}, &n)
	return err != nil || n > 0
}

// insertUnique records the further unique attributes of a resource.
func (s *Store) insertUnique(ctx context.Context, tx *sql.Tx, ti *typeInfo, tenant, typ, id string, rw *row, attrs map[string]any) error {
	for _, a := range ti.extraUnique {
		k, ok := rw.unique[a.Name]
		if !ok {
			continue
		}
		_, err := tx.ExecContext(ctx, rebind(s.d, `INSERT INTO scim_unique (tenant, type, attr, key, id) VALUES (?, ?, ?, ?, ?)`), tenant, typ, a.Name, k, id)
		if err != nil {
			if s.d.uniqueViolation(err) {
				return conflict(a, attrs)
			}
			return err
		}
	}
	return nil
}

func notFound(typ, id string) error {
	return fmt.Errorf("%w: %s %q", store.ErrNotFound, typ, id)
}

// Get returns the resource typ/id, or an error wrapping store.ErrNotFound.
func (s *Store) Get(ctx context.Context, typ, id string) (_ *store.Resource, err error) {
	if !validText(id) {
		return nil, notFound(typ, id)
	}
	ctx, done := s.bound(ctx, false)
	defer done(&err)
	ti := s.info(typ)
	q := rebind(s.d, "SELECT "+s.selectList(ti)+" FROM scim_resources r WHERE r.tenant = ? AND r.id = ? AND "+typeOfID(s.d, "r.type", "?"))
	var res *store.Resource
	err = s.read(ctx, q, []any{s.tenant(ctx), id, typ}, func(sc scanner) (err error) {
		res, err = s.scanResource(sc, typ)
		return err
	})
	if err == nil && res == nil {
		return nil, notFound(typ, id)
	}
	return res, err
}

// parseVersion returns the stored version an ifVersion names, or -1 when
// it names none.
func parseVersion(v string) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 || strconv.FormatInt(n, 10) != v {
		return -1
	}
	return n
}

// rowQuerier is *sql.DB or *sql.Tx.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// missingOrStale explains why a compare-and-swap on typ/id changed no row.
func (s *Store) missingOrStale(ctx context.Context, tx rowQuerier, tenant, typ, id, ifVersion string) error {
	var v int64
	err := tx.QueryRowContext(ctx, rebind(s.d, `SELECT version FROM scim_resources WHERE tenant = ? AND id = ? AND `+typeOfID(s.d, "type", "?")), tenant, id, typ).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(typ, id)
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: %s %q is at version %q, not %q", store.ErrVersionMismatch, typ, id, strconv.FormatInt(v, 10), ifVersion)
}

// bump gives typ/id a new version and lastModified if its version is
// ifVersion (any when empty) and returns the new version and Created.
func (s *Store) bump(ctx context.Context, tx *sql.Tx, tenant, typ, id, ifVersion string, now time.Time, set string, setArgs ...any) (int64, time.Time, error) {
	b := &builder{d: s.d}
	b.write("UPDATE scim_resources SET version = version + 1, last_modified = ", b.arg(s.d.timeArg(now)))
	if set != "" {
		b.write(", ", set)
		b.args = append(b.args, setArgs...)
	}
	b.write(" WHERE tenant = ", b.arg(tenant), " AND id = ", b.arg(id), " AND ", typeOfID(s.d, "type", b.arg(typ)))
	if ifVersion != "" {
		b.write(" AND version = ", b.arg(parseVersion(ifVersion)))
	}
	b.write(" RETURNING version, created")
	var (
		v       int64
		created any
	)
	if s.traceQuery != nil {
		s.traceQuery(b.sb.String(), b.args)
	}
	err := tx.QueryRowContext(ctx, b.sb.String(), b.args...).Scan(&v, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, s.missingOrStale(ctx, tx, tenant, typ, id, ifVersion)
	}
	if err != nil {
		return 0, time.Time{}, err
	}
	c, err := s.d.scanTime(created)
	return v, c, err
}

// Replace overwrites r.Type/r.ID with r's attributes, keeping Created and
// giving a new version. See store.Store for the ifVersion rule and errors.
func (s *Store) Replace(ctx context.Context, r *store.Resource, ifVersion string) (_ *store.Resource, err error) {
	if r == nil {
		return nil, errors.New("sqlstore: Replace needs a resource")
	}
	if !validText(r.ID) {
		return nil, notFound(r.Type, r.ID)
	}
	ctx, done := s.bound(ctx, false)
	defer done(&err)
	ti := s.info(r.Type)
	rw, err := s.split(ti, r.Attributes)
	if err != nil {
		return nil, err
	}
	tenant := s.tenant(ctx)
	now := s.stamp()
	var (
		version int64
		created time.Time
	)
	if s.oneShot(ti) && ti.members == nil {
		var found bool
		var c store.Change
		if s.feed {
			c = store.ChangeFor(ctx, store.Replaced, r.Type, r.ID, "", nil, r.Attributes)
		}
		version, created, found, err = s.replaceOne(ctx, tenant, r.Type, r.ID, ifVersion, now, rw, c)
		switch {
		case err != nil && s.d.uniqueViolation(err) && ti.nameKey != nil:
			return nil, conflict(ti.nameKey, r.Attributes)
		case err != nil:
			return nil, err
		case !found:
			return nil, s.missingOrStale(ctx, s.db, tenant, r.Type, r.ID, ifVersion)
		}
		return &store.Resource{Type: r.Type, ID: r.ID, Attributes: r.Attributes,
			Meta: store.Meta{Created: created, LastModified: now, Version: strconv.FormatInt(version, 10)}}, nil
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		version, created, err = s.writeAttrs(ctx, tx, ti, tenant, r.Type, r.ID, ifVersion, now, rw, r.Attributes)
		if err != nil {
			return err
		}
		if ti.members != nil {
			// Members the group already lists are not checked again.
			if err := s.checkRefs(ctx, tx, tenant, r.ID, rw.members); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, rebind(s.d, `DELETE FROM scim_members WHERE tenant = ? AND group_id = ?`), tenant, r.ID); err != nil {
				return err
			}
			if _, err := s.addMembers(ctx, tx, tenant, r.ID, rw.members); err != nil {
				return err
			}
		}
		return s.recordFor(ctx, tx, tenant, store.Replaced, r.Type, r.ID, strconv.FormatInt(version, 10), r.Attributes, now)
	})
	if err != nil {
		return nil, err
	}
	return &store.Resource{
		Type:       r.Type,
		ID:         r.ID,
		Attributes: r.Attributes,
		Meta:       store.Meta{Created: created, LastModified: now, Version: strconv.FormatInt(version, 10)},
	}, nil
}

// writeAttrs replaces the attributes (not the members) of typ/id with rw
// under the ifVersion rule.
func (s *Store) writeAttrs(ctx context.Context, tx *sql.Tx, ti *typeInfo, tenant, typ, id, ifVersion string, now time.Time, rw *row, attrs map[string]any) (int64, time.Time, error) {
	ph := s.d.placeholder
	// The SET arguments follow last_modified, which is argument 1.
	set := "attrs = " + s.d.jsonArg(ph(2)) + ", attrs_key = " + s.d.jsonArg(ph(3)) + ", external_id = " + ph(4) + ", name_key = " + ph(5) + ", display_key = " + ph(6)
	version, created, err := s.bump(ctx, tx, tenant, typ, id, ifVersion, now, set, rw.attrs, rw.attrsKey, rw.externalID, rw.nameKey, rw.displayKey)
	if err != nil {
		if s.d.uniqueViolation(err) && ti.nameKey != nil {
			return 0, time.Time{}, conflict(ti.nameKey, attrs)
		}
		return 0, time.Time{}, err
	}
	if len(ti.extraUnique) > 0 {
		if _, err := tx.ExecContext(ctx, rebind(s.d, `DELETE FROM scim_unique WHERE tenant = ? AND id = ?`), tenant, id); err != nil {
			return 0, time.Time{}, err
		}
		if err := s.insertUnique(ctx, tx, ti, tenant, typ, id, rw, attrs); err != nil {
			return 0, time.Time{}, err
		}
	}
	return version, created, nil
}

// Delete removes typ/id under the ifVersion rule. Deleting a User removes
// it from the members of every group (members of type "Group" are left),
// giving each group touched a new version and lastModified.
func (s *Store) Delete(ctx context.Context, typ, id, ifVersion string) (err error) {
	if !validText(id) {
		return notFound(typ, id)
	}
	ctx, done := s.bound(ctx, false)
	defer done(&err)
	ti := s.info(typ)
	tenant := s.tenant(ctx)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		b := &builder{d: s.d}
		b.write("DELETE FROM scim_resources WHERE tenant = ", b.arg(tenant), " AND id = ", b.arg(id), " AND ", typeOfID(s.d, "type", b.arg(typ)))
		if ifVersion != "" {
			b.write(" AND version = ", b.arg(parseVersion(ifVersion)))
		}
		res, err := tx.ExecContext(ctx, b.sb.String(), b.args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return s.missingOrStale(ctx, tx, tenant, typ, id, ifVersion)
		}
		if ti.members != nil {
			if _, err := tx.ExecContext(ctx, rebind(s.d, `DELETE FROM scim_members WHERE tenant = ? AND group_id = ?`), tenant, id); err != nil {
				return err
			}
		}
		if len(ti.extraUnique) > 0 {
			if _, err := tx.ExecContext(ctx, rebind(s.d, `DELETE FROM scim_unique WHERE tenant = ? AND id = ?`), tenant, id); err != nil {
				return err
			}
		}
		now := s.stamp()
		if typ == userType {
			const held = `SELECT group_id FROM scim_members WHERE tenant = ? AND value = ? AND (type IS NULL OR type <> 'Group')`
			if _, err := tx.ExecContext(ctx, rebind(s.d, `UPDATE scim_resources SET version = version + 1, last_modified = ? WHERE tenant = ? AND id IN (`+held+`)`),
				s.d.timeArg(now), tenant, tenant, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, rebind(s.d, `DELETE FROM scim_members WHERE tenant = ? AND value = ? AND (type IS NULL OR type <> 'Group')`), tenant, id); err != nil {
				return err
			}
		}
		return s.recordFor(ctx, tx, tenant, store.Deleted, typ, id, "", nil, now)
	})
}
