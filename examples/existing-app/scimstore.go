package main

// This file is everything the app adds to serve its tables over SCIM: what
// it keeps, and a store.Store mapping users to Users and teams to Groups.

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// resourceTypes are what the tables hold, as /Schemas says: other attributes
// are ignored on input (logged at debug level), and filters on them are 400.
func resourceTypes() []*schema.ResourceType {
	user := schema.UserSchema().Keep("userName", "name.givenName", "name.familyName", "displayName", "active", "roles.value", "roles.display")
	group := schema.GroupSchema().Keep("displayName", "members.value")
	return []*schema.ResourceType{
		{Name: "User", Endpoint: "/Users", Schema: user},
		{Name: "Group", Endpoint: "/Groups", Schema: group},
	}
}

func init() { // SCIM's case-insensitive key, for the users_email_key index
	_ = msqlite.RegisterDeterministicScalarFunction("scim_fold", 1, func(_ *msqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		s, _ := args[0].(string)
		return schema.Fold(s), nil
	})
}

// appRoles are the values of the users.role column, declared to identity
// providers as the catalog /Roles (Okta Identity Governance grants them in
// "roles", Entra app roles with these values arrive there). A user holds
// one: "admin" when granted, otherwise "member".
var appRoles = []scim.CatalogEntry{
	{ID: "member", DisplayName: "Member", Description: "Uses the app"},
	{ID: "admin", DisplayName: "Administrator", Description: "Manages the app's settings and users"},
}

// roleOf is the users.role of a user granted roles: "admin" when it is
// among them, otherwise "member" (the handler has checked them against
// appRoles, and writes the catalog's spelling).
func roleOf(roles []schema.Role) string {
	if slices.ContainsFunc(roles, func(r schema.Role) bool { return r.Value == "admin" }) {
		return "admin"
	}
	return "member"
}

// rolesOf is the "roles" of a users.role.
func rolesOf(role string) []any {
	for _, e := range appRoles {
		if e.ID == role {
			return []any{map[string]any{"value": e.ID, "display": e.DisplayName}}
		}
	}
	return nil
}

// tableStore is the store.Store over the app's tables. A user's id is its
// row id; a team's is "t" and its row id, so that no two resources share one.
type tableStore struct{ db *sql.DB }

// rowID returns the row id of a resource id of type typ.
func rowID(typ, id string) (int64, bool) {
	id, ok := strings.CutPrefix(id, map[string]string{"Group": "t"}[typ])
	n, err := strconv.ParseInt(id, 10, 64)
	return n, ok && err == nil && n > 0 && strconv.FormatInt(n, 10) == id
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// users reads the users (table alias t) a WHERE clause selects.
func users(ctx context.Context, q querier, where string, args ...any) ([]*store.Resource, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, email, first_name, last_name, display_name, active, role, created_at, updated_at
		FROM users t `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Resource
	for rows.Next() {
		var id int64
		var email, first, last, display, role, created, updated string
		var active bool
		if err := rows.Scan(&id, &email, &first, &last, &display, &active, &role, &created, &updated); err != nil {
			return nil, err
		}
		attrs := schema.Compact(map[string]any{"userName": email, "active": active, "displayName": display,
			"name": map[string]any{"givenName": first, "familyName": last}, "roles": rolesOf(role)})
		r, err := resource("User", strconv.FormatInt(id, 10), attrs, created, updated, email, first, last, display, active, role)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// teams reads the teams a WHERE clause on t selects, with their members.
func teams(ctx context.Context, q querier, where string, args ...any) ([]*store.Resource, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.id, t.name, t.created_at, t.updated_at, m.user_id
		FROM teams t LEFT JOIN team_members m ON m.team_id = t.id `+where+` ORDER BY t.id, m.rowid`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Resource
	for rows.Next() {
		var id int64
		var name, created, updated string
		var member sql.NullInt64
		if err := rows.Scan(&id, &name, &created, &updated, &member); err != nil {
			return nil, err
		}
		gid := "t" + strconv.FormatInt(id, 10)
		if len(out) == 0 || out[len(out)-1].ID != gid {
			r, err := resource("Group", gid, map[string]any{"displayName": name}, created, updated, name)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		if r := out[len(out)-1]; member.Valid {
			list, _ := r.Attributes["members"].([]any)
			r.Attributes["members"] = append(list, map[string]any{"value": strconv.FormatInt(member.Int64, 10)})
		}
	}
	for _, r := range out { // the members are content too, whoever writes them
		r.Meta.Version = store.ContentVersion(r.Meta.Version, store.MemberValues(r.Attributes))
	}
	return out, rows.Err()
}

// resource adds meta; the version is the row's content, so app writes change it.
func resource(typ, id string, attrs map[string]any, created, updated string, content ...any) (*store.Resource, error) {
	c, err1 := time.Parse(timeLayout, created)
	u, err2 := time.Parse(timeLayout, updated)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	return &store.Resource{Type: typ, ID: id, Attributes: attrs,
		Meta: store.Meta{Created: c, LastModified: u, Version: store.ContentVersion(append(content, updated)...)}}, nil
}

func get(ctx context.Context, q querier, typ, id string) (*store.Resource, error) {
	n, ok := rowID(typ, id)
	read := map[string]func(context.Context, querier, string, ...any) ([]*store.Resource, error){"User": users, "Group": teams}[typ]
	if !ok || read == nil {
		return nil, store.ErrNotFound
	}
	found, err := read(ctx, q, `WHERE t.id = ?`, n)
	if err != nil || len(found) == 0 {
		return nil, cmp.Or(err, store.ErrNotFound)
	}
	return found[0], nil
}

func (s tableStore) Get(ctx context.Context, typ, id string) (*store.Resource, error) {
	return get(ctx, s.db, typ, id)
}

// List reads the rows of Okta's lookup (userName eq) by index, else all.
func (s tableStore) List(ctx context.Context, typ string, q store.Query) (*store.Page, error) {
	read, where, args := users, "", []any(nil)
	if typ == "Group" {
		read = teams
	} else if typ != "User" {
		return store.ListSlice(ctx, nil, q)
	} else if email, ok := store.EqualityTerm(q.Filter, "userName"); ok {
		where, args = `WHERE scim_fold(t.email) = ?`, []any{schema.Fold(email)}
	}
	all, err := read(ctx, s.db, where, args...)
	if err != nil {
		return nil, err
	}
	return store.ListSlice(ctx, all, q)
}

// write runs f in one transaction; the DSN's _txlock=immediate makes
// writers take turns, so every check in f holds until the commit.
func (s tableStore) write(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := f(tx); err != nil {
		var se *msqlite.Error
		if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
			return &store.ConflictError{Attribute: "userName"}
		}
		return err
	}
	return tx.Commit()
}

func (s tableStore) Create(ctx context.Context, r *store.Resource) (*store.Resource, error) {
	return s.put(ctx, r, "", false)
}

func (s tableStore) Replace(ctx context.Context, r *store.Resource, ifVersion string) (*store.Resource, error) {
	return s.put(ctx, r, ifVersion, true)
}

// put creates r, or replaces it if it is still at ifVersion.
func (s tableStore) put(ctx context.Context, r *store.Resource, ifVersion string, replace bool) (out *store.Resource, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		id, old := int64(0), []string(nil)
		if replace {
			cur, n, err := current(ctx, tx, r.Type, r.ID, ifVersion)
			if err != nil {
				return err
			}
			id, old = n, store.MemberValues(cur.Attributes)
		}
		id, err := save(ctx, tx, r, id, old)
		if err == nil {
			out, err = get(ctx, tx, r.Type, map[string]string{"Group": "t"}[r.Type]+strconv.FormatInt(id, 10))
		}
		return err
	})
	return out, err
}

// current reads a resource for a write, if it is still at ifVersion.
func current(ctx context.Context, tx *sql.Tx, typ, id, ifVersion string) (*store.Resource, int64, error) {
	cur, err := get(ctx, tx, typ, id)
	if err == nil && ifVersion != "" && ifVersion != cur.Meta.Version {
		err = store.ErrVersionMismatch
	}
	n, _ := rowID(typ, id)
	return cur, n, err
}

// save writes r to row id (a new row when id is 0) and returns the row id.
// A user's role is "admin" when granted, otherwise "member";
// deactivating a user ends its sessions. A team's members it did not list
// before (old) must be existing users.
func save(ctx context.Context, tx *sql.Tx, r *store.Resource, id int64, old []string) (int64, error) {
	t := time.Now().UTC().Format(timeLayout)
	var res sql.Result
	var err error
	if r.Type == "Group" {
		res, err = tx.ExecContext(ctx, `INSERT INTO teams (id, name, created_at, updated_at) VALUES (NULLIF(?, 0), ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at`, id, r.Attributes["displayName"], t, t)
	} else {
		u, uerr := r.User()
		if uerr != nil {
			return 0, uerr
		}
		name := cmp.Or(u.Name, &schema.Name{})
		res, err = tx.ExecContext(ctx, `INSERT INTO users (id, email, first_name, last_name, display_name, active, role, created_at, updated_at)
			VALUES (NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET email = excluded.email,
			first_name = excluded.first_name, last_name = excluded.last_name, display_name = excluded.display_name, active = excluded.active,
			role = excluded.role, updated_at = excluded.updated_at`, id, u.UserName, name.GivenName, name.FamilyName, u.DisplayName, u.IsActive(), roleOf(u.Roles), t, t)
	}
	if err != nil {
		return 0, err
	}
	if id == 0 {
		id, _ = res.LastInsertId()
	}
	if r.Type == "Group" {
		return id, setMembers(ctx, tx, id, r.Attributes, old)
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND (SELECT active FROM users WHERE id = ?) = 0`, id, id)
	return id, err
}

// setMembers makes the team's members those of attrs; members it did not
// list before (old) must be existing users.
func setMembers(ctx context.Context, tx *sql.Tx, team int64, attrs map[string]any, old []string) error {
	err := store.CheckMembers(attrs, func(id string) (string, error) {
		n, ok := rowID("User", id) // teams hold users only
		var found bool
		err := tx.QueryRowContext(ctx, `SELECT ? OR EXISTS (SELECT 1 FROM users WHERE id = ?)`, slices.Contains(old, id), n).Scan(&found)
		if !ok || !found {
			return "", err
		}
		return "User", err
	})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = ?`, team); err != nil {
		return err
	}
	ids, _ := json.Marshal(store.MemberValues(attrs)) // checked above: row ids of users
	_, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO team_members (team_id, user_id) SELECT ?, value FROM json_each(?)`, team, string(ids))
	return err
}

// Delete removes a user (and so its memberships and sessions) or a team.
func (s tableStore) Delete(ctx context.Context, typ, id, ifVersion string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, n, err := current(ctx, tx, typ, id, ifVersion)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM `+map[string]string{"User": "users", "Group": "teams"}[typ]+` WHERE id = ?`, n)
		return err
	})
}
