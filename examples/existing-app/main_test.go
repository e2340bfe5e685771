package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOktaFlow drives Okta's provisioning over real HTTP against the app's
// own tables and checks the tables afterwards: the connection test, the
// lookup of a user the app created itself, create, PUT, deactivation by
// PATCH and by PUT (ending the user's sessions), and a group push with
// member add and remove and a rename.
func TestOktaFlow(t *testing.T) {
	db, a, srv := startApp(t)
	ctx := context.Background()
	call := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+"/scim/v2"+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "tok") // Okta's HTTP Header authentication
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if len(b) > 0 {
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s %s: %v: %s", method, path, err, b)
			}
		}
		return resp.StatusCode, m
	}
	lookup := func(userName string) []any {
		t.Helper()
		code, l := call("GET", "/Users?filter="+url.QueryEscape(`userName eq "`+userName+`"`)+"&startIndex=1&count=100", "")
		if code != 200 {
			t.Fatalf("lookup %s: %d %v", userName, code, l)
		}
		res, _ := l["Resources"].([]any)
		return res
	}
	row := func(query string, args ...any) string {
		t.Helper()
		var out string
		if err := db.QueryRow(query, args...).Scan(&out); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return out
	}

	// Connection test: a lookup of a user that does not exist.
	if got := lookup("connection-test-1b2c@okta.local"); len(got) != 0 {
		t.Fatalf("connection test found %v", got)
	}
	// A user who signed up before SCIM is found by Okta's lookup.
	legacy, err := a.signUp(ctx, "Grace@Example.com", "Grace", "Hopper")
	if err != nil {
		t.Fatal(err)
	}
	found := lookup("grace@example.com")
	if len(found) != 1 || found[0].(map[string]any)["id"] != fmt.Sprint(legacy) {
		t.Fatalf("lookup of the app's own user: %v", found)
	}
	// Create (Okta's body, with attributes the app does not keep).
	code, u := call("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com",
	  "name":{"givenName":"Ada","familyName":"Lovelace"},"emails":[{"primary":true,"value":"ada@example.com","type":"work"}],
	  "displayName":"Ada Lovelace","locale":"en-US","externalId":"00u1","groups":[],"password":"x","active":true}`)
	if code != 201 {
		t.Fatalf("create: %d %v", code, u)
	}
	id := u["id"].(string)
	if diff := cmp.Diff(map[string]any{"givenName": "Ada", "familyName": "Lovelace"}, u["name"]); diff != "" || u["emails"] != nil || u["password"] != nil {
		t.Errorf("created user %v (-want +got name):\n%s", u, diff)
	}
	if got := row(`SELECT email || '|' || first_name || '|' || last_name || '|' || display_name || '|' || active || '|' || role FROM users WHERE id = ?`, id); got != "ada@example.com|Ada|Lovelace|Ada Lovelace|1|member" {
		t.Errorf("users row = %q", got)
	}
	if code, e := call("POST", "/Users", `{"userName":"ADA@example.com"}`); code != 409 {
		t.Errorf("duplicate userName: %d %v", code, e)
	}
	// Okta's profile update is a PUT of the whole user.
	code, u = call("PUT", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"`+id+`","userName":"ada@example.com",
	  "name":{"givenName":"Augusta Ada","familyName":"King"},"active":true}`)
	if code != 200 || row(`SELECT first_name || ' ' || last_name FROM users WHERE id = ?`, id) != "Augusta Ada King" {
		t.Errorf("PUT: %d %v", code, u)
	}
	// Deactivation by PATCH ends the user's sessions.
	if _, err := a.login(ctx, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	code, u = call("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`)
	if code != 200 || u["active"] != false || row(`SELECT active FROM users WHERE id = ?`, id) != "0" {
		t.Errorf("deactivate by PATCH: %d %v", code, u)
	}
	if n := row(`SELECT count(*) FROM sessions WHERE user_id = ?`, id); n != "0" {
		t.Errorf("%s sessions left after deactivation", n)
	}
	if _, err := a.login(ctx, "ada@example.com"); err == nil {
		t.Errorf("a deactivated user could log in")
	}
	// Reactivate, log in, deactivate by PUT.
	call("PATCH", "/Users/"+id, `{"Operations":[{"op":"replace","path":"active","value":true}]}`)
	if _, err := a.login(ctx, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	code, _ = call("PUT", "/Users/"+id, `{"userName":"ada@example.com","name":{"givenName":"Ada"},"active":false}`)
	if code != 200 || row(`SELECT count(*) FROM sessions WHERE user_id = ?`, id) != "0" || row(`SELECT active FROM users WHERE id = ?`, id) != "0" {
		t.Errorf("deactivate by PUT: %d", code)
	}
	// Group push: create with a member, add and remove members, rename.
	code, g := call("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineering","members":[{"value":"`+id+`","display":"ada@example.com"}]}`)
	if code != 201 {
		t.Fatalf("create group: %d %v", code, g)
	}
	gid := g["id"].(string)
	code, _ = call("PATCH", "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
	  {"op":"add","path":"members","value":[{"value":"`+fmt.Sprint(legacy)+`","display":"grace@example.com"}]},
	  {"op":"remove","path":"members[value eq \"`+id+`\"]"}]}`)
	if code != 204 {
		t.Errorf("member push: %d", code)
	}
	if got := row(`SELECT group_concat(user_id) FROM team_members WHERE team_id = ?`, strings.TrimPrefix(gid, "t")); got != fmt.Sprint(legacy) {
		t.Errorf("team members = %q, want %d", got, legacy)
	}
	if code, e := call("PATCH", "/Groups/"+gid, `{"Operations":[{"op":"add","path":"members","value":[{"value":"999"}]}]}`); code != 400 {
		t.Errorf("adding a missing user: %d %v", code, e)
	}
	if code, e := call("PATCH", "/Groups/"+gid, `{"Operations":[{"op":"add","path":"members","value":[{"value":"`+gid+`","type":"Group"}]}]}`); code != 400 {
		t.Errorf("nesting a team: %d %v", code, e)
	}
	code, _ = call("PATCH", "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"`+gid+`","displayName":"Platform"}}]}`)
	if code != 204 || row(`SELECT name FROM teams WHERE id = ?`, strings.TrimPrefix(gid, "t")) != "Platform" {
		t.Errorf("rename: %d", code)
	}
	// The app's own write changes the ETag Okta or Entra would send back.
	_, before := call("GET", "/Users/"+fmt.Sprint(legacy), "")
	if _, err := db.Exec(`UPDATE users SET first_name = 'Amazing Grace' WHERE id = ?`, legacy); err != nil {
		t.Fatal(err)
	}
	_, after := call("GET", "/Users/"+fmt.Sprint(legacy), "")
	if before["meta"].(map[string]any)["version"] == after["meta"].(map[string]any)["version"] {
		t.Errorf("the app's own write left the version at %v", before["meta"])
	}
	// Delete removes the user, its memberships and its sessions.
	if code, _ := call("DELETE", "/Users/"+fmt.Sprint(legacy), ""); code != 204 || row(`SELECT count(*) FROM team_members`) != "0" {
		t.Errorf("delete: %d", code)
	}
}

// TestSettingsPage checks the app's own "add user": administrators create
// users with a role through the Go API, in one INSERT, and identity
// providers see them.
func TestSettingsPage(t *testing.T) {
	db, err := openDB(filepath.Join(t.TempDir(), "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h, a, err := newServer(db, "tok", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	admin, err := a.createUser(ctx, "root@example.com", "Root", "", "admin")
	if err != nil {
		t.Fatal(err)
	}
	session, err := a.login(ctx, "ROOT@example.com")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	post := func(auth, form string) int {
		req, _ := http.NewRequest("POST", srv.URL+"/admin/users", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", auth)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("Session "+session, "email=lin@example.com&first_name=Lin&role=admin"); code != 201 {
		t.Fatalf("add user: %d", code)
	}
	if code := post("Session "+session, "email=LIN@example.com"); code != 409 {
		t.Errorf("duplicate email: %d, want 409", code)
	}
	if code := post("Session "+session, "email="); code != 400 {
		t.Errorf("no email: %d, want 400", code)
	}
	if code := post("Session nope", "email=x@example.com"); code != 403 {
		t.Errorf("no session: %d, want 403", code)
	}
	var role string
	if err := db.QueryRow(`SELECT role FROM users WHERE email = 'lin@example.com'`).Scan(&role); err != nil || role != "admin" {
		t.Errorf("role = %q, %v", role, err)
	}
	if admin.ID == "" || admin.UserName != "root@example.com" {
		t.Errorf("admin = %+v", admin)
	}
}

// TestRolesFromTheIdP checks that the app's roles come from the identity
// provider: Okta Identity Governance finds them at /Roles, a full-set PUT
// granting admin makes the user an administrator of the app (its own
// /api/me says so), one omitting admin makes them a member again, a profile
// PUT that does not mention roles leaves the role alone, and Entra's
// AppRoleAssignmentsComplex grant of its app role "Admin" works too.
func TestRolesFromTheIdP(t *testing.T) {
	_, a, srv := startApp(t)
	ctx := context.Background()
	do := func(method, path, auth, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	code, l := do("GET", "/scim/v2/Roles?count=1&startIndex=1", "tok", "")
	if res, _ := l["Resources"].([]any); code != 200 || len(res) != 1 || l["itemsPerPage"] != float64(1) || l["totalResults"] != float64(2) {
		t.Errorf("Okta's check of /Roles: %d %v", code, l)
	}
	code, u := do("POST", "/scim/v2/Users", "tok", `{"userName":"ada@example.com","name":{"givenName":"Ada"},"active":true}`)
	if code != 201 {
		t.Fatalf("create: %d %v", code, u)
	}
	id := u["id"].(string)
	session, err := a.login(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	roleSeen := func() string { // the app's own role lookup
		t.Helper()
		_, me := do("GET", "/api/me", "Session "+session, "")
		r, _ := me["role"].(string)
		return r
	}
	if r := roleSeen(); r != "member" {
		t.Errorf("role of a SCIM-created user = %q, want member", r)
	}
	for _, step := range []struct{ name, body, want string }{
		{"grant admin (full-set PUT)", `{"userName":"ada@example.com","name":{"givenName":"Ada"},"active":true,"roles":[{"value":"member"},{"value":"admin"}]}`, "admin"},
		{"profile PUT without roles", `{"userName":"ada@example.com","name":{"givenName":"Augusta"},"active":true}`, "admin"},
		{"omit admin (full-set PUT)", `{"userName":"ada@example.com","name":{"givenName":"Ada"},"active":true,"roles":[{"value":"member"}]}`, "member"},
	} {
		if code, u := do("PUT", "/scim/v2/Users/"+id, "tok", step.body); code != 200 {
			t.Fatalf("%s: %d %v", step.name, code, u)
		}
		if r := roleSeen(); r != step.want {
			t.Errorf("%s: role %q, want %q", step.name, r, step.want)
		}
	}
	code, u = do("PATCH", "/scim/v2/Users/"+id, "tok", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
	  {"op":"Add","path":"roles","value":[{"value":"{\"id\":\"8ae0\",\"value\":\"Admin\",\"displayName\":\"Admin\"}"}]}]}`)
	if code != 200 || roleSeen() != "admin" {
		t.Errorf("Entra's grant of Admin: %d, role %q: %v", code, roleSeen(), u["roles"])
	}
	if code, u := do("PUT", "/scim/v2/Users/"+id, "tok", `{"userName":"ada@example.com","roles":[{"value":"owner"}]}`); code != 400 {
		t.Errorf("an unknown role: %d %v", code, u)
	}
	if r := roleSeen(); r != "admin" {
		t.Errorf("after a refused write: role %q, want admin", r)
	}
}

// startApp serves the app over a new database on loopback, with the SCIM
// token "tok", until the test ends.
func startApp(t *testing.T) (*sql.DB, *app, *httptest.Server) {
	t.Helper()
	db, err := openDB(filepath.Join(t.TempDir(), "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h, a, err := newServer(db, "tok", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return db, a, srv
}
