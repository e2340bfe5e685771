package main

// This file is the application as it was before SCIM: its tables, its
// sessions, its login and its settings page. Nothing in it knows about
// SCIM except the settings page, which creates users through scimkit's Go
// API (see createUser) so that they are validated and stored the way
// identity providers' users are.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
)

// appSchema is the app's own schema. The only line added for SCIM is the
// users_email_key index (case-insensitive email uniqueness with SCIM's
// folding rule, which SQLite's NOCASE does not implement beyond ASCII).
const appSchema = `
CREATE TABLE IF NOT EXISTS users (
	id           INTEGER PRIMARY KEY,
	email        TEXT NOT NULL UNIQUE,
	first_name   TEXT NOT NULL DEFAULT '',
	last_name    TEXT NOT NULL DEFAULT '',
	display_name TEXT NOT NULL DEFAULT '',
	active       INTEGER NOT NULL DEFAULT 1,
	role         TEXT NOT NULL DEFAULT 'member',
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS teams (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS team_members (
	team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (team_id, user_id)
);
CREATE TABLE IF NOT EXISTS sessions (
	token      TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS users_email_key ON users(scim_fold(email));
`

// timeLayout is how the app writes created_at and updated_at.
const timeLayout = time.RFC3339Nano

// openDB opens (and creates) the app's SQLite database at path.
func openDB(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	if _, err := db.Exec(appSchema); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// app is the application's HTTP surface besides SCIM.
type app struct {
	db   *sql.DB
	scim *scim.Handler // for the settings page
}

// signUp is the app's own sign-up path: a plain INSERT, as before SCIM.
// The user gets a SCIM id (its row id) and a version without any change
// here.
func (a *app) signUp(ctx context.Context, email, first, last string) (int64, error) {
	now := time.Now().UTC().Format(timeLayout)
	r, err := a.db.ExecContext(ctx, `INSERT INTO users (email, first_name, last_name, display_name, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`, email, first, last, strings.TrimSpace(first+" "+last), now, now)
	if err != nil {
		return 0, err
	}
	return r.LastInsertId()
}

// login opens a session for an active user and returns its token.
func (a *app) login(ctx context.Context, email string) (string, error) {
	var id int64
	err := a.db.QueryRowContext(ctx, `SELECT id FROM users WHERE scim_fold(email) = scim_fold(?) AND active = 1`, email).Scan(&id)
	if err != nil {
		return "", err
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	_, err = a.db.ExecContext(ctx, `INSERT INTO sessions (token, user_id, created_at) VALUES (?, ?, ?)`, tok, id, time.Now().UTC().Format(timeLayout))
	return tok, err
}

// sessionUser returns the id and role of the session's user.
func (a *app) sessionUser(r *http.Request) (id int64, role string, err error) {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Session ")
	err = a.db.QueryRowContext(r.Context(), `SELECT u.id, u.role FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token = ? AND u.active = 1`, tok).Scan(&id, &role)
	return id, role, err
}

// createUser is the settings page's "add user": administrators add users
// with a role of their choice. It goes through scimkit's Go API, so the
// user is checked like one an identity provider creates (valid userName,
// unique email) and reported to OnChange; the role is a grant of one of
// the app's roles, which identity providers read back on import.
func (a *app) createUser(ctx context.Context, email, first, last, role string) (*schema.User, error) {
	res, err := a.scim.Create(ctx, "User", &schema.User{
		UserName: email,
		Name:     &schema.Name{GivenName: first, FamilyName: last},
		Active:   new(true),
		Roles:    []schema.Role{{Value: role}},
	})
	if err != nil {
		return nil, err
	}
	return res.User()
}

// routes serves the app's own endpoints: POST /login, GET /api/me and
// POST /admin/users (administrators only).
func (a *app) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		tok, err := a.login(r.Context(), r.FormValue("email"))
		if err != nil {
			http.Error(w, "unknown or inactive user", http.StatusUnauthorized)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"session": tok})
	})
	mux.HandleFunc("GET /api/me", func(w http.ResponseWriter, r *http.Request) {
		id, role, err := a.sessionUser(r)
		if err != nil {
			http.Error(w, "no session", http.StatusUnauthorized)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "role": role})
	})
	mux.HandleFunc("POST /admin/users", func(w http.ResponseWriter, r *http.Request) {
		if _, role, err := a.sessionUser(r); err != nil || role != "admin" {
			http.Error(w, "administrators only", http.StatusForbidden)
			return
		}
		role := r.FormValue("role")
		if role != "admin" {
			role = "member"
		}
		u, err := a.createUser(r.Context(), r.FormValue("email"), r.FormValue("first_name"), r.FormValue("last_name"), role)
		var se *scim.Error
		if errors.As(err, &se) {
			http.Error(w, se.Detail, se.Status)
			return
		}
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"id": u.ID, "email": u.UserName, "role": role})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
