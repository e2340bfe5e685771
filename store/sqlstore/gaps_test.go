package sqlstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// TestProtocolCasesAcrossStores sends the same requests, through the
// handler, to the memory store, SQLite and PostgreSQL, and requires the
// same answers (meta aside): a negative count (RFC 7644 §3.4.2.4),
// User.groups maintained from memberships, direct and nested, filtered and
// projected (RFC 7643 §4.1.2), member type labels corrected to what the id
// names, undefined attributes refused when the host asks for it, and
// sorting with missing values first when descending (RFC 7644 §3.4.2.3).
func TestProtocolCasesAcrossStores(t *testing.T) {
	type env struct {
		name string
		h    http.Handler
	}
	newEnv := func(name string, st store.Store) env {
		h, err := scim.NewHandler(scim.Config{Store: st, ResourceTypes: handlerTypes(), RejectUndefinedAttributes: true,
			CursorKey: bytes.Repeat([]byte{7}, 32)})
		if err != nil {
			t.Fatal(err)
		}
		return env{name, h}
	}
	envs := []env{newEnv("memory", store.NewMemoryWith(store.MemoryConfig{ResourceTypes: handlerTypes(), NewID: counterIDs()}))}
	for _, be := range backends {
		if be.name == "Postgres" && !postgresConfigured() {
			continue
		}
		db, d := be.open(t)
		envs = append(envs, newEnv(be.name, sqlHandlerStore(t, db, d)))
	}
	q := url.QueryEscape
	steps := []struct{ method, target, body string }{
		{"POST", "/Users", `{"userName":"alice@example.com","title":"Boss"}`},     // id-1
		{"POST", "/Users", `{"userName":"bob@example.com"}`},                      // id-2
		{"POST", "/Groups", `{"displayName":"eng","members":[{"value":"id-2"}]}`}, // id-3
		{"POST", "/Groups", `{"displayName":"all"}`},                              // id-4
		{"PATCH", "/Groups/id-3", `{"Operations":[{"op":"add","path":"members","value":[{"value":"id-1","type":"Group"}]}]}`},
		{"PUT", "/Groups/id-4", `{"displayName":"all","members":[{"value":"id-3","type":"User"}]}`},
		{"GET", "/Groups/id-3?attributes=members", ""},
		{"GET", "/Groups/id-4?attributes=members", ""},
		{"GET", "/Users?count=-1", ""},
		{"POST", "/Users/.search", `{"count":-5}`},
		{"GET", "/Users/id-1?attributes=groups", ""},
		{"GET", "/Users?attributes=id&filter=" + q(`groups.value eq "id-4"`), ""},
		{"GET", "/Users?attributes=id&filter=" + q(`groups[display sw "EN" and type eq "direct"]`), ""},
		{"GET", "/Users?attributes=id&filter=" + q(`userName sw "b" and not (groups pr)`), ""},
		{"POST", "/Groups", `{"displayName":"x","members":[{"value":"nobody","type":"Group"}]}`},
		{"PATCH", "/Groups/id-3", `{"Operations":[{"op":"remove","path":"members[value eq \"id-1\"]"}]}`},
		{"GET", "/Users/id-1?attributes=groups", ""},
		{"POST", "/Users", `{"userName":"carol@example.com","titel":"typo"}`},
		{"PATCH", "/Users/id-2", `{"Operations":[{"op":"replace","value":{"nickname":"B"}}]}`},
		{"GET", "/Users?attributes=id&sortBy=title&sortOrder=descending", ""},
		{"GET", "/Users?attributes=id&filter=" + q(`emails[primary eq false]`), ""},
	}
	for _, st := range steps {
		var want string
		for i, e := range envs {
			rec := serveRaw(e.h, st.method, st.target, st.body)
			got := fmt.Sprintf("%d %s", rec.Code, withoutMeta(t, rec.Body.Bytes()))
			if rec.Code >= 500 {
				t.Errorf("%s %s on %s: %s", st.method, st.target, e.name, got)
			}
			if i == 0 {
				want = got
				continue
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s %s: %s differs from %s (-%s +%s):\n%s", st.method, st.target, e.name, envs[0].name, envs[0].name, e.name, diff)
			}
		}
		t.Logf("%s %s → %.300s", st.method, st.target, want)
	}
	// The answers themselves, on the first store (the others agree).
	h := envs[0].h
	for _, c := range []struct{ method, target, body, want string }{
		{"GET", "/Groups/id-4?attributes=members", "", `"type":"Group"`},
		{"GET", "/Users?count=-1", "", `"itemsPerPage":0`},
		{"GET", "/Users/id-2?attributes=groups", "", `"display":"all","type":"indirect"`},
		{"GET", "/Users/id-1?attributes=groups", "", `"id":"id-1"}`},
		{"POST", "/Groups", `{"displayName":"y","members":[{"value":"nobody","type":"User"}]}`, `no existing User (or Group)`},
		{"POST", "/Users", `{"userName":"dave@example.com","titel":"typo"}`, `"titel\" is not defined`},
		{"GET", "/Users?attributes=id&sortBy=title&sortOrder=descending", "", `"Resources":[{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"id-2"}`},
	} {
		rec := serveRaw(h, c.method, c.target, c.body)
		if !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("%s %s: %d %s; want it to contain %s", c.method, c.target, rec.Code, rec.Body, c.want)
		}
	}
}

// withoutMeta returns a JSON body without its (and its resources') meta,
// which differs between stores (versions, times).
func withoutMeta(t *testing.T, body []byte) string {
	t.Helper()
	if len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("not JSON: %s", body)
	}
	var strip func(any)
	strip = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			delete(v, "meta")
			for _, e := range v {
				strip(e)
			}
		case []any:
			for _, e := range v {
				strip(e)
			}
		}
	}
	strip(v)
	b, _ := json.Marshal(v)
	return string(b)
}
