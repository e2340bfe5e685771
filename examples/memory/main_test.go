package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/examples/demo"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestExampleServer drives the example over real HTTP on loopback: the
// token is required, a user with custom attributes is created and
// deactivated, and the default role is assigned through the change hook.
func TestExampleServer(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	app := demo.NewApp(logger)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	h, sh, err := newServer(ctx, "tok", app, logger)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := createAdmin(context.Background(), sh, "root@example.com")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	call := func(method, path, token, body string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+"/scim/v2"+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if len(b) > 0 {
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s %s: %v: %s", method, path, err, b)
			}
		}
		return resp.StatusCode, m
	}

	if code, _ := call("GET", "/Users", "", ""); code != 401 {
		t.Errorf("no token: status %d, want 401", code)
	}
	code, u := call("POST", "/Users", "tok", `{"userName":"ada@example.com","active":true,
	  "urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"costCenter":"R&D","badgeNumber":7,"isContractor":true}}`)
	if code != 201 {
		t.Fatalf("create: status %d: %v", code, u)
	}
	id, _ := u["id"].(string)
	ext, _ := u[demo.AcmeURN].(map[string]any)
	if ext["costCenter"] != "R&D" || ext["badgeNumber"] != float64(7) || ext["isContractor"] != true {
		t.Errorf("custom attributes = %v", ext)
	}
	app.OpenSession(id)
	app.OpenSession(admin.ID)
	code, u = call("PATCH", "/Users/"+id, "tok", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`)
	if code != 200 || u["active"] != false {
		t.Errorf("deactivate: status %d, active %v", code, u["active"])
	}
	// The feed consumer ends the deactivated user's sessions, and only
	// theirs.
	for deadline := time.Now().Add(10 * time.Second); app.Sessions(id) > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n, m := app.Sessions(id), app.Sessions(admin.ID); n != 0 || m != 1 {
		t.Errorf("sessions after the deactivation: %d of the user (want 0), %d of the administrator (want 1)", n, m)
	}
	if code, _ := call("GET", "/Users/"+id, "tok", ""); code != 200 {
		t.Errorf("inactive user: status %d, want 200", code)
	}
	if role := app.Role(id); role != "member" {
		t.Errorf("role of the SCIM-created user = %q, want member", role)
	}
	// The administrator the app created through the Go API is what Okta's
	// lookup finds, and keeps its role.
	code, l := call("GET", `/Users?filter=userName+eq+%22ROOT@example.com%22`, "tok", "")
	if res, _ := l["Resources"].([]any); code != 200 || len(res) != 1 || res[0].(map[string]any)["id"] != admin.ID {
		t.Errorf("lookup of the administrator: status %d, %v", code, l)
	}
	if role := app.Role(admin.ID); role != "admin" {
		t.Errorf("role of the administrator = %q, want admin", role)
	}
	if _, err := createAdmin(context.Background(), sh, "root@example.com"); err == nil {
		t.Errorf("a second administrator with the same userName was created")
	}

	// Okta Identity Governance: its check of the role catalog, then a
	// full-set PUT granting admin, then one without it.
	code, l = call("GET", "/Roles?count=1&startIndex=1", "tok", "")
	if res, _ := l["Resources"].([]any); code != 200 || len(res) != 1 || l["itemsPerPage"] != float64(1) {
		t.Errorf("Okta's check of /Roles: status %d, %v", code, l)
	}
	put := func(roles string) {
		t.Helper()
		code, u := call("PUT", "/Users/"+id, "tok", `{"userName":"ada@example.com","active":true,"roles":`+roles+`}`)
		if code != 200 {
			t.Fatalf("PUT roles %s: status %d: %v", roles, code, u)
		}
	}
	put(`[{"value":"member"},{"value":"admin"}]`)
	if role := app.Role(id); role != "admin" {
		t.Errorf("role after granting admin = %q, want admin", role)
	}
	put(`[{"value":"member"}]`)
	if role := app.Role(id); role != "member" {
		t.Errorf("role after revoking admin = %q, want member", role)
	}
	// Entra ID's AppRoleAssignmentsComplex: its app role "Admin", as a JSON
	// string in an Add.
	code, u = call("PATCH", "/Users/"+id, "tok", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
	  {"op":"Add","path":"roles","value":[{"value":"{\"id\":\"8ae0\",\"value\":\"Admin\",\"displayName\":\"Admin\"}"}]}]}`)
	if code != 200 || app.Role(id) != "admin" {
		t.Errorf("Entra's grant of Admin: status %d, role %q: %v", code, app.Role(id), u["roles"])
	}
	code, u = call("PUT", "/Users/"+id, "tok", `{"userName":"ada@example.com","roles":[{"value":"owner"}]}`)
	if code != 400 || !strings.Contains(fmt.Sprint(u["detail"]), `roles[0].value "owner"`) {
		t.Errorf("unknown role: status %d: %v", code, u)
	}
	out := logs.String()
	for _, want := range []string{"assigned role", "role=member", "role=admin", "user deactivated", "status=201"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "tok") && strings.Contains(out, "Bearer") {
		t.Errorf("the token was logged:\n%s", out)
	}
}
