package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// handlerTypes are the resource types of the handlers the hostile-input
// and fuzz tests drive.
func handlerTypes() []*schema.ResourceType {
	return []*schema.ResourceType{schema.UserResourceType(schema.EnterpriseUserSchema()), schema.GroupResourceType()}
}

// counterIDs returns an id generator giving id-1, id-2, … so that every
// store of a test gives the same ids.
func counterIDs() func() string {
	var n atomic.Int64
	return func() string { return fmt.Sprintf("id-%d", n.Add(1)) }
}

// sqlHandlerStore returns a migrated store over db in a new tenant with
// the handler types and counter ids.
func sqlHandlerStore(t testing.TB, db *sql.DB, d Dialect) *Store {
	t.Helper()
	tenant := randomTenant()
	s, err := New(db, Config{Dialect: d, ResourceTypes: handlerTypes(), NewID: counterIDs(),
		Tenant: func(context.Context) string { return tenant }})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// seededHandler returns a handler over st holding alice (id-1), bob (id-2)
// and the group eng (id-3) with both as members.
func seededHandler(t testing.TB, st store.Store) http.Handler {
	t.Helper()
	h, err := scim.NewHandler(scim.Config{Store: st, ResourceTypes: handlerTypes(), MaxBodyBytes: 1 << 20,
		CursorKey: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct{ path, body string }{
		{"/Users", `{"userName":"alice@example.com","displayName":"Alice","externalId":"ext-a","emails":[{"value":"alice@example.com","type":"work","primary":true}],
		  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D"}}`},
		{"/Users", `{"userName":"bob@example.com","displayName":"Bob","emails":[{"value":"bob@example.com","type":"home"}]}`},
		{"/Groups", `{"displayName":"eng","members":[{"value":"id-1"},{"value":"id-2"}]}`},
	} {
		rec := serveRaw(h, http.MethodPost, r.path, r.body)
		if rec.Code != http.StatusCreated {
			t.Fatalf("seeding %s: %d %s", r.path, rec.Code, rec.Body)
		}
	}
	return h
}

// serveRaw sends a request whose target is taken as it is on the wire
// (escapes such as %00 and %FF reach the handler's own parsing).
func serveRaw(h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, "/", strings.NewReader(body))
	u, err := url.ParseRequestURI(target)
	if err != nil {
		u = &url.URL{Path: "/", RawQuery: ""}
	}
	req.Method, req.URL, req.RequestURI = method, u, target
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

type hostileRequest struct{ method, target, body string }

// hostileRequests are requests carrying NUL characters, invalid UTF-8 and
// over-long ids in every place a client controls that reaches a store.
func hostileRequests() []hostileRequest {
	const nul = `\u0000`
	q := url.QueryEscape
	var rs []hostileRequest
	add := func(method, target, body string) { rs = append(rs, hostileRequest{method, target, body}) }
	patch := func(ops string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`
	}
	// Values.
	add("POST", "/Users", `{"userName":"a`+nul+`b"}`)
	add("POST", "/Users", `{"userName":"nul-dn","displayName":"x`+nul+`"}`)
	add("POST", "/Users", `{"userName":"nul-ext","externalId":"`+nul+`"}`)
	add("POST", "/Users", `{"userName":"nul-ent","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R`+nul+`D"}}`)
	add("POST", "/Users", `{"userName":"nul-email","emails":[{"value":"`+nul+`"}]}`)
	add("POST", "/Users", `{"userName":"nul-key","name":{"given`+nul+`Name":"x"}}`)
	add("POST", "/Groups", `{"displayName":"g`+nul+`"}`)
	add("POST", "/Groups", `{"displayName":"g2","members":[{"value":"id-1`+nul+`"}]}`)
	add("PUT", "/Users/id-1", `{"userName":"alice`+nul+`"}`)
	add("PUT", "/Groups/id-3", `{"displayName":"eng","members":[{"value":"`+nul+`"}]}`)
	add("PATCH", "/Users/id-1", patch(`{"op":"replace","path":"displayName","value":"`+nul+`"}`))
	add("PATCH", "/Users/id-1", patch(`{"op":"replace","value":{"nickName":"a`+nul+`"}}`))
	add("PATCH", "/Users/id-1", patch(`{"op":"replace","path":"emails[value eq \"`+nul+`\"].value","value":"x"}`))
	add("PATCH", "/Users/id-1", patch(`{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"`+nul+`"}`))
	add("PATCH", "/Groups/id-3", patch(`{"op":"add","path":"members","value":[{"value":"id-1`+nul+`"}]}`))
	add("PATCH", "/Groups/id-3", patch(`{"op":"add","path":"members","value":[{"value":"`+nul+`","display":"x"}]}`))
	add("PATCH", "/Groups/id-3", patch(`{"op":"remove","path":"members[value eq \"id-1`+nul+`\"]"}`))
	add("PATCH", "/Groups/id-3", patch(`{"op":"remove","path":"members","value":[{"value":"`+nul+`"}]}`))
	add("PATCH", "/Groups/id-3", patch(`{"op":"replace","path":"displayName","value":"e`+nul+`"}`))
	// A role as Entra sends it, a JSON object in a string: the NUL is an
	// escape inside the string, a character only once unwrapped.
	add("POST", "/Users", `{"userName":"nul-role","roles":[{"value":"{\"value\":\"a\\u0000b\",\"displayName\":\"x\"}"}]}`)
	add("PATCH", "/Users/id-1", patch(`{"op":"Add","path":"roles","value":[{"value":"{\"value\":\"r\",\"displayName\":\"d\\u0000\"}"}]}`))
	// Filter literals, as JSON escapes and raw, and invalid UTF-8.
	for _, f := range []string{
		`userName eq "a` + nul + `b"`, `userName co "` + nul + `"`, `userName sw "a` + nul + `"`, `displayName ew "` + nul + `"`,
		`userName gt "a` + nul + `"`, `userName ne "` + nul + `"`, `externalId eq "` + nul + `"`, `id eq "` + nul + `"`,
		`emails[value eq "` + nul + `"]`, `emails[type eq "work" and value co "` + nul + `"]`, `emails.value sw "` + nul + `"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "` + nul + `"`,
		`meta.lastModified gt "` + nul + `"`, `userName eq "alice@example.com" or userName co "` + nul + `"`,
		`not (userName eq "` + nul + `")`, "userName eq \"a\x00b\"", "userName eq \"\xff\"", "displayName co \"x\xc0\xaf\"",
		"emails[value co \"\xff\"]", `userName lt "` + nul + `" and userName pr`,
	} {
		add("GET", "/Users?filter="+q(f), "")
		add("GET", "/Users?count=1&cursor=&filter="+q(f), "")
		add("POST", "/Users/.search", `{"filter":`+jsonString(f)+`}`)
	}
	for _, f := range []string{`members[value eq "` + nul + `"]`, `members eq "id-1` + nul + `"`, `displayName eq "` + nul + `"`, `members.display co "` + nul + `"`} {
		add("GET", "/Groups?filter="+q(f), "")
	}
	add("GET", "/Users?filter=userName%20eq%20%22a%00b%22", "")
	add("GET", "/Users?filter=userName%20eq%20%22%FF%22", "")
	add("GET", "/Users?filter=userName%20eq%20%22x%C0%AF%22", "")
	// sortBy.
	for _, s := range []string{"userName%00", "%00", "%FF", "x%C0%AF", "emails%00.value", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department%00"} {
		add("GET", "/Users?sortBy="+s, "")
		add("GET", "/Users?count=1&cursor=&sortBy="+s, "")
	}
	// Cursors.
	for _, c := range []string{"garbage", "%00", "%FF", "x%C0%AF", strings.Repeat("A", 60), strings.Repeat("_", 5000), "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		add("GET", "/Users?count=1&cursor="+c, "")
		add("GET", "/Users?count=1&sortBy=userName&cursor="+c, "")
	}
	// Ids in the path.
	for _, id := range []string{"%00", "%FF", "x%C0%AF", "a%00b", "id-1%00", "%C3%28", "%ED%A0%80", strings.Repeat("a", 10000), strings.Repeat("%FF", 2000), strings.Repeat("%E2%82%AC", 2000)} {
		for _, typ := range []string{"/Users/", "/Groups/"} {
			add("GET", typ+id, "")
			add("PUT", typ+id, `{"userName":"put-x","displayName":"put-x"}`)
			add("PATCH", typ+id, patch(`{"op":"replace","path":"displayName","value":"x"}`))
			add("DELETE", typ+id, "")
		}
	}
	return rs
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// checkSCIMError fails unless a 4xx body is a SCIM Error message with the
// status it was sent with.
func checkSCIMError(t testing.TB, desc string, code int, body []byte) {
	t.Helper()
	if code >= 500 {
		t.Errorf("%s: status %d: %s", desc, code, body)
		return
	}
	if code < 400 {
		return
	}
	var e struct {
		Schemas []string `json:"schemas"`
		Status  string   `json:"status"`
	}
	if err := json.Unmarshal(body, &e); err != nil || len(e.Schemas) != 1 || e.Schemas[0] != schema.ErrorURN || e.Status != fmt.Sprint(code) {
		t.Errorf("%s: status %d with a body that is not a SCIM Error for it: %.300s", desc, code, body)
	}
}

// TestHostileInputSameStatus sends requests carrying NUL characters,
// invalid UTF-8 and over-long ids in values, member values, filter
// literals, sortBy, cursors and paths through the handler over the memory
// store, SQLite and PostgreSQL, and requires the same status from each,
// never a 5xx, and a SCIM Error for every failure.
func TestHostileInputSameStatus(t *testing.T) {
	type env struct {
		name string
		h    http.Handler
	}
	envs := []env{{"memory", seededHandler(t, store.NewMemoryWith(store.MemoryConfig{ResourceTypes: handlerTypes(), NewID: counterIDs()}))}}
	for _, be := range backends {
		if be.name == "Postgres" && !postgresConfigured() {
			continue
		}
		db, d := be.open(t)
		envs = append(envs, env{be.name, seededHandler(t, sqlHandlerStore(t, db, d))})
	}
	if len(envs) < 3 {
		t.Log("PostgreSQL not configured: comparing the memory store with SQLite only (set " + dsnEnv + ")")
	}
	for _, r := range hostileRequests() {
		desc := fmt.Sprintf("%s %.200q body %.200q", r.method, r.target, r.body)
		var codes []string
		first := 0
		for i, e := range envs {
			rec := serveRaw(e.h, r.method, r.target, r.body)
			checkSCIMError(t, desc+" on "+e.name, rec.Code, rec.Body.Bytes())
			if i == 0 {
				first = rec.Code
			}
			codes = append(codes, fmt.Sprintf("%s %d", e.name, rec.Code))
			if rec.Code != first {
				t.Errorf("%s: statuses differ: %s (%.200s)", desc, strings.Join(codes, ", "), rec.Body)
			}
		}
	}
}

// postgresConfigured reports whether the PostgreSQL tests can run; under
// CI=true they must, and openPostgres fails the test without a DSN.
func postgresConfigured() bool {
	return os.Getenv(dsnEnv) != "" || os.Getenv("CI") == "true"
}
