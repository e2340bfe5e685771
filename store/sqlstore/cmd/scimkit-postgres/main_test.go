package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/store/sqlstore"
)

// TestServerOverSQLite drives the host over real HTTP with an SQLite file:
// a user and a group are created, the group gets a member by PATCH, and a
// filtered list finds them.
func TestServerOverSQLite(t *testing.T) {
	rts := resourceTypes()
	st, db, err := openStore(context.Background(), "sqlite", filepath.Join(t.TempDir(), "scim.db"), sqlstore.Config{ResourceTypes: rts})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var logs bytes.Buffer
	h, err := newServer("tok", nil, st, rts, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	call := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+"/scim/v2"+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer tok")
		req.Header.Set("Content-Type", "application/scim+json")
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
	code, u := call("POST", "/Users", `{"userName":"ada@example.com","active":true,
	  "urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"costCenter":"R&D","badgeNumber":7}}`)
	if code != 201 {
		t.Fatalf("create user: status %d: %v", code, u)
	}
	uid, _ := u["id"].(string)
	if code, _ := call("POST", "/Users", `{"userName":"ADA@example.com"}`); code != 409 {
		t.Errorf("second ada: status %d, want 409", code)
	}
	code, g := call("POST", "/Groups", `{"displayName":"Engineers"}`)
	if code != 201 {
		t.Fatalf("create group: status %d: %v", code, g)
	}
	gid, _ := g["id"].(string)
	code, _ = call("PATCH", "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	  "Operations":[{"op":"add","path":"members","value":[{"value":"`+uid+`"}]}]}`)
	if code != 200 && code != 204 {
		t.Fatalf("add member: status %d", code)
	}
	code, l := call("GET", `/Groups?filter=members[value+eq+"`+uid+`"]`, "")
	if code != 200 || l["totalResults"] != float64(1) {
		t.Errorf("groups of the user: status %d, %v", code, l)
	}
	code, l = call("GET", `/Users?filter=urn:ietf:params:scim:schemas:extension:acme:2.0:User:badgeNumber+gt+5`, "")
	if code != 200 || l["totalResults"] != float64(1) {
		t.Errorf("users by badge: status %d, %v", code, l)
	}
	if code, _ := call("DELETE", "/Users/"+uid, ""); code != 204 {
		t.Errorf("delete user: status %d", code)
	}
	code, g = call("GET", "/Groups/"+gid, "")
	if code != 200 || g["members"] != nil {
		t.Errorf("group after the member's deletion: status %d, members %v", code, g["members"])
	}
}

func TestParseCursorKey(t *testing.T) {
	key := bytes.Repeat([]byte{0xab}, 32)
	for _, s := range []string{
		"abababababababababababababababababababababababababababababababab",
		"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=",
		"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s",
		" q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n",
	} {
		got, err := parseCursorKey(s)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("parseCursorKey(%q) = %x, %v; want %x", s, got, err, key)
		}
	}
	if got, err := parseCursorKey(""); got != nil || err != nil {
		t.Errorf("parseCursorKey(\"\") = %x, %v; want no key", got, err)
	}
	for _, s := range []string{"abab", "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6ur", "not a key!", strings.Repeat("ab", 31)} {
		if _, err := parseCursorKey(s); err == nil {
			t.Errorf("parseCursorKey(%q) accepted a key that is short or not hex or base64", s)
		}
	}
}
