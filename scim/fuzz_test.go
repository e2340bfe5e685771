package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// fuzzMethods are the request methods FuzzHandler picks from: the ones
// SCIM uses, the other standard ones, and a few that no client should send.
var fuzzMethods = []string{
	http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
	http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodConnect,
	"get", "Patch", "PROPFIND", "QUERY", "M-SEARCH",
}

// fuzzPassword is the password of the seeded user alice. No response may
// contain it unless the request itself did.
const fuzzPassword = "Fuzz-Pa55word-Seed"

// The seeded state of every FuzzHandler run (ids come from a counter).
const (
	fuzzAlice = "id-1" // Okta-created user with a password, member of fuzzEng
	fuzzBob   = "id-2" // Entra-created user, member of fuzzEng
	fuzzEng   = "id-3" // group with both users
	fuzzEmpty = "id-4" // group without members
)

var fuzzSeedRequests = []struct{ method, target, body string }{
	{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
	 "userName":"alice@example.com","name":{"givenName":"Alice","familyName":"Smith"},
	 "emails":[{"primary":true,"value":"alice@example.com","type":"work"}],
	 "displayName":"Alice Smith","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7",
	 "groups":[],"password":"` + fuzzPassword + `","active":true,
	 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D","manager":{"value":"id-2"}}}`},
	{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	 "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Bob.K@contoso.com","active":true,
	 "emails":[{"primary":true,"type":"work","value":"bob@contoso.com"}],"meta":{"resourceType":"User"},
	 "name":{"formatted":"Bob K","familyName":"K","givenName":"Bob"},"roles":[],
	 "phoneNumbers":[{"type":"mobile","value":"+1 555 0100"}]}`},
	{"POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineering",
	 "members":[{"value":"id-1","display":"alice@example.com"},{"value":"id-2"}]}`},
	{"POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Empty","members":[]}`},
}

// fuzzPaths are paths of every endpoint form, relative to the mount point.
var fuzzPaths = []string{
	"/Users", "/Users/", "/users", "/USERS/", "/Users/" + fuzzAlice, "/Users/" + fuzzBob + "/",
	"/users/" + fuzzAlice, "/Users/id-999", "/Users/%69d-1", "/Users/id%2D1", "/Users/id-1%2Fx",
	"/Users/id-1/extra", "/Users/.search", "/users/.SEARCH", "/Groups", "/Groups/" + fuzzEng,
	"/Groups/" + fuzzEmpty, "/groups/" + fuzzEng + "/", "/Groups/.search", "/.search", "/.Search/",
	"/Bulk", "/bulk/", "/Bulk/x", "/Me", "/me/", "/Me/x", "/Schemas", "/Schemas/x",
	"/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "/schemas/URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:GROUP",
	"/ResourceTypes", "/ResourceTypes/User", "/resourcetypes/group/", "/ResourceTypes/Nope",
	"/ServiceProviderConfig", "/serviceproviderconfig/", "/ServiceProviderConfig/x",
	"/", "", "//", "/Users//", "//Users", "/Widgets", "/Users/%00", "/Users/%E2%82%AC", "/Users/ü",
	"/Users/../Groups", "/Users/%2e%2e", "/Users/ id-1", "/Users/id-1?x", "/Users/" + strings.Repeat("a", 300),
}

var fuzzQueries = []string{
	"",
	"filter=userName%20eq%20%22alice%40example.com%22&startIndex=1&count=100",
	"filter=userName+eq+%22ALICE%40EXAMPLE.COM%22",
	`filter=userName eq "bob.k@contoso.com"`,
	"startIndex=1&count=2", "startindex=0&COUNT=5", "startIndex=-5&count=0", "count=-1",
	"count=99999999999999999999", "startIndex=9223372036854775807&count=1000",
	"attributes=userName,emails", "excludedAttributes=members", "attributes=members.value&excludedAttributes=displayName",
	"attributes=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
	"excludedAttributes=password", "attributes=password",
	"sortBy=userName&sortOrder=descending", "sortBy=name&sortOrder=sideways", "sortBy=emails.value", "sortBy=emails&sortOrder=descending", "sortBy=addresses",
	"sortBy=meta.lastModified&sortOrder=ascending",
	"cursor", "cursor=", "cursor=abc&count=1", "cursor=&startIndex=2",
	"filter=", "filter=%20", "filter=userName%20eq", "filter=userName%20eqq%20%22x%22",
	"filter=members%5Bvalue%20eq%20%22id-1%22%5D", "filter=members%20eq%20%22id-2%22",
	"filter=" + url.QueryEscape(`id eq "id-3" and members eq "id-1"`) + "&attributes=id",
	"filter=" + url.QueryEscape(`externalId eq jyoung`),
	"filter=" + url.QueryEscape(`emails[type eq "work" and value co "@"]`),
	"filter=" + url.QueryEscape(`meta.lastModified gt "2020-01-01T00:00:00Z"`),
	"filter=" + url.QueryEscape(`(ActiVe eq true) and meta.lastmodified ge "2020-01-01T00:00:00Z"`),
	"filter=" + url.QueryEscape(`not (userName pr) or displayName sw "A"`),
	"filter=" + url.QueryEscape(`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "R&D"`),
	"filter=" + url.QueryEscape(strings.Repeat("(", 40)+`userName pr`+strings.Repeat(")", 40)),
	"filter=" + url.QueryEscape(`userName eq "\u212a"`),
	"filter=%zz", "a=%", "&&&", "?", "filter=userName%20eq%20%22a%22&filter=bad",
}

var fuzzBodies = []string{
	"",
	// Okta.
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local",
	 "name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
	 "displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"id-1","userName":"alice@example.com",
	 "name":{"givenName":"Another","middleName":"Excited","familyName":"User"},
	 "emails":[{"primary":true,"value":"alice@example.com","type":"work","display":"alice@example.com"}],
	 "active":true,"groups":[],"meta":{"resourceType":"User"}}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2","members":[]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
	 {"op":"remove","path":"members[value eq \"id-2\"]"},{"op":"add","path":"members","value":[{"value":"id-1","display":"alice@example.com"}]}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"id-3","displayName":"Test SCIMv2"}}]}`,
	`{"Operations":[{"op":"replace","path":"members","value":[{"value":"id-1","display":"a"},{"value":"id-2","display":"b"}]}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`,
	`{"Operations":[{"op":"replace","path":"members","value":[]}]}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2","members":[{"value":"id-1","display":"alice@example.com"},{"value":"id-1"}]}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:myapp:2.0:User"],
	 "userName":"a@b.com","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D"},
	 "urn:ietf:params:scim:schemas:extension:myapp:2.0:User":{"costCode":"42"}}`,
	// Microsoft Entra ID.
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	 "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_1@testuser.com","active":true,
	 "emails":[{"primary":true,"type":"work","value":"Test_User_1@testuser.com"}],"meta":{"resourceType":"User"},
	 "name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[],
	 "addresses":null,"phoneNumbers":null,"title":null,"department":null,"manager":null}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],"userName":"BOB.k@CONTOSO.com","active":"True"}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
	 {"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},
	 {"op":"Replace","path":"name.familyName","value":"updatedFamilyName"},
	 {"op":"Replace","path":"addresses[type eq \"work\"].formatted","value":"18/2111"},
	 {"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Retail"},
	 {"op":"Replace","path":"userName","value":"bob.k@contoso.com"},{"op":"Add","path":"nickName","value":"Babs"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
	 {"op":"replace","path":"emails[type eq \"work\"].value","value":"TestMhvaes@test.microsoft.com"},
	 {"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua",
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Aklq"}}]}`,
	`{"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"id-2"}]}`,
	`{"Operations":[{"op":"Add","path":"manager","value":[{"$ref":"http://x/Users/id-2","value":"id-2"}]}]}`,
	`{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
	`{"Operations":[{"op":"Add","path":"roles","value":[{"value":"{\"id\":\"06b0\",\"value\":\"Admin\",\"displayName\":\"Admin\"}"}]}]}`,
	`{"Operations":[{"op":"Replace","path":"roles[primary eq \"True\"].value","value":"Admin"}]}`,
	`{"Operations":[{"op":"replace","path":"roles","value":[{"primary":"False","type":"WindowsAzureActiveDirectoryRole","displayName":"User","value":"user"},{"value":"{\"value\":\"Ghost\"}"}]},{"op":"add","path":"entitlements","value":[{"value":"PRO"}]}]}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
	 "externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName","meta":{"resourceType":"Group"}}`,
	`{"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"id-1"},{"$ref":null,"value":"id-2"}]}]}`,
	`{"Operations":[{"op":"Remove","path":"members","value":[{"value":"id-1"}]}]}`,
	`{"Operations":[{"op":"Replace","path":"displayName","value":"Engineering"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]}`,
	`{"Operations":[{"op":"replace","value":{"userName":"ALICE@example.com"}}]}`,
	`{"Operations":[{"op":"remove","path":"userName"}]}`,
	`{"Operations":[{"op":"add","path":"members","value":{"value":"id-2"}},{"op":"add","path":"members","value":"id-2"}]}`,
	// Search, bulk.
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"attributes":["displayName","userName"],
	 "filter":"displayName sw \"A\"","startIndex":1,"count":10}`,
	`{"filter":"members[value eq \"id-1\"]","excludedAttributes":"members","sortBy":"displayName","count":"3"}`,
	`{"filter":"userName pr","cursor":"","count":1}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"failOnErrors":1,"Operations":[
	 {"method":"POST","path":"/Users","bulkId":"qwerty","data":{"userName":"Alice.bulk","name":{"givenName":"A"}}},
	 {"method":"POST","path":"/Groups","bulkId":"ytrewq","data":{"displayName":"Tour Guides","members":[{"type":"User","value":"bulkId:qwerty"}]}},
	 {"method":"PATCH","path":"/Groups/bulkId:ytrewq","data":{"Operations":[{"op":"add","path":"members","value":[{"value":"id-1"}]}]}},
	 {"method":"DELETE","path":"/Users/id-2","version":"W/\"nope\""},
	 {"method":"PUT","path":"/Users/id-1","data":{"userName":"bob.k@contoso.com"}}]}`,
	`{"Operations":[{"method":"POST","path":"/Groups","bulkId":"a","data":{"displayName":"x","members":[{"value":"bulkId:b"}]}},
	 {"method":"POST","path":"/Groups","bulkId":"b","data":{"displayName":"y","members":[{"value":"bulkId:a"}]}}]}`,
	`{"Operations":[{"method":"GET","path":"/Users"},{"method":"DELETE","path":"/Users/id-1"},{"method":"PATCH","path":"/Groups/id-3","data":{"Operations":[{"op":"add","path":"members","value":[{"value":"id-1"}]}]}}]}`,
	// Garbage.
	"{", "}", "[]", "null", "true", "0", `""`, "{}", "{} {}", `{"userName":}`, "\xff\xfe\x00", "\x00",
	`{"userName":{"a":1}}`, `{"userName":["a"]}`, `{"userName":"x","active":"maybe"}`, `{"userName":1e999999}`,
	`{"userName":"x","name":"y"}`, `{"userName":"x","emails":{"value":"a"}}`, `{"userName":"\u212aelvin"}`,
	`{"userName":"kelvin"}`, `{"userName":"\ud800"}`, `{"Operations":"x"}`, `{"Operations":[null]}`,
	`{"Operations":[{"op":"explode","path":"userName","value":"x"}]}`,
	`{"Operations":[{"op":"add","path":"emails[type eq \"work\"","value":"x"}]}`,
	`{"Operations":[{"op":"add","path":"` + strings.Repeat("a.", 200) + `b","value":"x"}]}`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	`{"a":` + strings.Repeat(`{"a":`, 500) + `1` + strings.Repeat(`}`, 501),
	`{"userName":"big","title":"` + strings.Repeat("x", 2<<20) + `"}`,
}

// FuzzHandler sends one arbitrary request (method, path, query, body and
// If-Match header) to a handler over a memory store that holds two users
// and two groups, and checks that the handler never panics, never answers
// 5xx, answers every failure with a SCIM Error message, never returns a
// password, and leaves the store consistent: every user readable by id and
// found by exactly one "userName eq" filter, userNames unique
// case-insensitively, no member listed twice in a group, and a deleted user
// in no group.
func FuzzHandler(f *testing.F) {
	for i, p := range fuzzPaths {
		f.Add(uint8(i), p, fuzzQueries[i%len(fuzzQueries)], fuzzBodies[i%len(fuzzBodies)], "")
	}
	for i, q := range fuzzQueries {
		f.Add(uint8(0), []string{"/Users", "/Groups", "/Users/" + fuzzAlice, "/Groups/" + fuzzEng}[i%4], q, "", "")
	}
	for i, b := range fuzzBodies {
		if len(b) > 1<<16 {
			continue // keep the seed corpus small; the test below covers it
		}
		for _, m := range []int{1, 2, 3} { // POST, PUT, PATCH
			paths := [][]string{
				{"/Users", "/Groups", "/Bulk", "/Users/.search", "/.search", "/Groups/.search"},
				{"/Users/" + fuzzAlice, "/Groups/" + fuzzEng, "/Me", "/Users/" + fuzzBob},
				{"/Users/" + fuzzAlice, "/Groups/" + fuzzEng, "/Groups/" + fuzzEmpty, "/Me", "/Users/" + fuzzBob},
			}[m-1]
			f.Add(uint8(m), paths[i%len(paths)], "", b, "")
		}
	}
	f.Add(uint8(2), "/Users/"+fuzzAlice, "", fuzzBodies[2], `W/"1"`)
	f.Add(uint8(3), "/Groups/"+fuzzEng, "", fuzzBodies[5], `*`)
	f.Add(uint8(4), "/Users/"+fuzzBob, "", "", `W/"stale"`)
	f.Add(uint8(0), "/Users/"+fuzzAlice, "", "", `W/"1", W/"2"`)

	f.Fuzz(func(t *testing.T, method uint8, path, query, body, ifMatch string) {
		runFuzzRequest(t, fuzzMethods[int(method)%len(fuzzMethods)], path, query, body, ifMatch)
	})
}

// TestFuzzHandlerLargeBodies runs the FuzzHandler checks on the seed bodies
// too large for the seed corpus.
func TestFuzzHandlerLargeBodies(t *testing.T) {
	for _, b := range fuzzBodies {
		if len(b) <= 1<<16 {
			continue
		}
		for _, p := range []string{"/Users", "/Users/" + fuzzAlice, "/Groups/" + fuzzEng, "/Bulk", "/.search"} {
			for _, m := range []string{"POST", "PUT", "PATCH"} {
				runFuzzRequest(t, m, p, "", b, "")
			}
		}
	}
}

// fuzzEnv is the handler and store of one FuzzHandler run.
type fuzzEnv struct {
	h  http.Handler
	st *store.Memory
}

func newFuzzEnv(t *testing.T) *fuzzEnv {
	t.Helper()
	var n atomic.Int64
	types := []*schema.ResourceType{
		schema.UserResourceType(schema.EnterpriseUserSchema()),
		schema.GroupResourceType(),
	}
	st := store.NewMemoryWith(store.MemoryConfig{
		ResourceTypes: types,
		Now:           func() time.Time { return fixedNow },
		NewID:         func() string { return fmt.Sprintf("id-%d", n.Add(1)) },
	})
	h, err := scim.NewHandler(scim.Config{
		Store:         st,
		ResourceTypes: types,
		MaxBodyBytes:  1 << 20,
		CursorKey:     bytes.Repeat([]byte{7}, 32),
		Me:            func(context.Context) (string, string, error) { return "User", fuzzAlice, nil },
		Catalogs: []scim.Catalog{
			{Name: "Role", Endpoint: "/Roles", Entries: func(context.Context) ([]scim.CatalogEntry, error) {
				return []scim.CatalogEntry{{ID: "Admin", DisplayName: "Admin"}, {ID: "User", DisplayName: "User"}}, nil
			}},
			{Name: "License", Endpoint: "/Licenses", Entitlement: true, Entries: func(context.Context) ([]scim.CatalogEntry, error) {
				return []scim.CatalogEntry{{ID: "pro", DisplayName: "Pro seat"}}, nil
			}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	env := &fuzzEnv{h: http.StripPrefix("/scim/v2", scim.NewBearerAuth(token).Wrap(h)), st: st}
	for _, s := range fuzzSeedRequests {
		rec := env.serve(t, s.method, "/scim/v2"+s.target, s.body, "")
		if rec.Code != http.StatusCreated {
			t.Fatalf("seeding %s %s: status %d: %s", s.method, s.target, rec.Code, rec.Body)
		}
	}
	return env
}

// serve sends one request as a server would hand it over: RequestURI as
// on the wire, URL parsed from it.
func (e *fuzzEnv) serve(t *testing.T, method, target, body, ifMatch string) *httptest.ResponseRecorder {
	t.Helper()
	u, err := url.ParseRequestURI(target)
	if err != nil {
		return nil
	}
	req := httptest.NewRequest(http.MethodGet, "/", strings.NewReader(body))
	req.Method, req.URL, req.RequestURI, req.Host = method, u, target, "app.example.com"
	req.Header.Set("Authorization", "Bearer "+token)
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// runFuzzRequest is one FuzzHandler case.
func runFuzzRequest(t *testing.T, method, path, query, body, ifMatch string) {
	env := newFuzzEnv(t)
	target := "/scim/v2" + path
	if query != "" {
		target += "?" + query
	}
	desc := fmt.Sprintf("%s %q If-Match %q body %.300q", method, target, ifMatch, body)
	rec := env.serve(t, method, target, body, ifMatch)
	if rec == nil {
		return // not a request line a server would accept
	}
	checkFuzzResponse(t, desc, rec.Code, rec.Header(), rec.Body.Bytes())
	if !strings.Contains(target+body, fuzzPassword) && bytes.Contains(rec.Body.Bytes(), []byte(fuzzPassword)) {
		t.Fatalf("%s: the response contains a stored password: %s", desc, rec.Body)
	}
	if strings.EqualFold(strings.Trim(path, "/"), "bulk") && rec.Code == http.StatusOK {
		checkBulkResults(t, desc, rec.Body.Bytes())
	}
	env.checkConsistent(t, desc)
}

// checkFuzzResponse checks the properties every answer has.
func checkFuzzResponse(t *testing.T, desc string, status int, header http.Header, body []byte) {
	t.Helper()
	if status >= 500 {
		t.Fatalf("%s: status %d: %s", desc, status, body)
	}
	if status == http.StatusNoContent || status == http.StatusNotModified {
		if len(body) != 0 {
			t.Fatalf("%s: status %d with a body: %s", desc, status, body)
		}
		return
	}
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
		t.Fatalf("%s: status %d with Content-Type %q, want application/scim+json", desc, status, ct)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: status %d, body is not JSON (%v): %s", desc, status, err, body)
	}
	if status >= 200 && status < 300 {
		return
	}
	if err := scimErrorShape(v, status); err != nil {
		t.Fatalf("%s: status %d: %v: %s", desc, status, err, body)
	}
}

// scimErrorShape reports what is wrong with v as a SCIM Error message
// (RFC 7644 §3.12) for status.
func scimErrorShape(v any, status int) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("error body is not a JSON object")
	}
	schemas, _ := m["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != schema.ErrorURN {
		return fmt.Errorf("error schemas = %v, want [%s]", m["schemas"], schema.ErrorURN)
	}
	if m["status"] != strconv.Itoa(status) {
		return fmt.Errorf("error status = %#v, want %q", m["status"], strconv.Itoa(status))
	}
	if d, _ := m["detail"].(string); strings.TrimSpace(d) == "" {
		return fmt.Errorf("error detail is empty")
	}
	return nil
}

// checkBulkResults applies the response rules to each operation of a
// BulkResponse.
func checkBulkResults(t *testing.T, desc string, body []byte) {
	t.Helper()
	var resp struct {
		Operations []struct {
			Status   string          `json:"status"`
			Response json.RawMessage `json:"response"`
		} `json:"Operations"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("%s: BulkResponse does not decode: %v: %s", desc, err, body)
	}
	for i, op := range resp.Operations {
		st, err := strconv.Atoi(op.Status)
		if err != nil {
			t.Fatalf("%s: bulk operation %d: status %q is not a number", desc, i, op.Status)
		}
		if st >= 500 {
			t.Fatalf("%s: bulk operation %d: status %d: %s", desc, i, st, op.Response)
		}
		if st >= 400 {
			var v any
			if err := json.Unmarshal(op.Response, &v); err != nil {
				t.Fatalf("%s: bulk operation %d: response is not JSON: %s", desc, i, op.Response)
			}
			if err := scimErrorShape(v, st); err != nil {
				t.Fatalf("%s: bulk operation %d: %v: %s", desc, i, err, op.Response)
			}
		}
	}
}

// checkConsistent checks the store's state through the store and the
// handler. No group lists a user that does not exist: members of type
// "User" and the seeded users (which were deleted if they are gone) name
// existing users, whatever the request did, /Bulk included.
func (e *fuzzEnv) checkConsistent(t *testing.T, desc string) {
	t.Helper()
	ctx := context.Background()
	all := store.Query{StartIndex: 1, Count: 1 << 20}
	users, err := e.st.List(ctx, "User", all)
	if err != nil {
		t.Fatalf("%s: listing users: %v", desc, err)
	}
	if users.Total != len(users.Resources) {
		t.Fatalf("%s: user list total %d, but %d resources", desc, users.Total, len(users.Resources))
	}
	seen := make([]string, 0, len(users.Resources))
	for _, u := range users.Resources {
		name, _ := u.Attributes["userName"].(string)
		if name == "" {
			t.Fatalf("%s: user %s has no userName: %v", desc, u.ID, u.Attributes)
		}
		for _, other := range seen {
			if strings.EqualFold(other, name) {
				t.Fatalf("%s: two users share the userName %q / %q", desc, other, name)
			}
		}
		seen = append(seen, name)

		rec := e.serve(t, http.MethodGet, "/scim/v2/Users/"+url.PathEscape(u.ID), "", "")
		if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(`"id":`+jsonString(u.ID))) {
			t.Fatalf("%s: GET of stored user %s: status %d: %s", desc, u.ID, rec.Code, rec.Body)
		}
		if bytes.Contains(rec.Body.Bytes(), []byte(`"password"`)) {
			t.Fatalf("%s: GET of user %s returns a password: %s", desc, u.ID, rec.Body)
		}
		f := "userName eq " + jsonString(name)
		if len(f) > filter.DefaultMaxLength {
			continue // too long for any filter; a limit, not an inconsistency
		}
		rec = e.serve(t, http.MethodGet, "/scim/v2/Users?filter="+url.QueryEscape(f), "", "")
		var list struct {
			TotalResults int `json:"totalResults"`
			Resources    []struct {
				ID string `json:"id"`
			} `json:"Resources"`
		}
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: filter %s: status %d: %s", desc, f, rec.Code, rec.Body)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
			t.Fatalf("%s: filter %s: %v", desc, f, err)
		}
		if list.TotalResults != 1 || len(list.Resources) != 1 || list.Resources[0].ID != u.ID {
			t.Fatalf("%s: filter %s finds %s, want exactly user %s", desc, f, rec.Body, u.ID)
		}
	}

	groups, err := e.st.List(ctx, "Group", all)
	if err != nil {
		t.Fatalf("%s: listing groups: %v", desc, err)
	}
	for _, g := range groups.Resources {
		members, _ := g.Attributes["members"].([]any)
		values := map[string]bool{}
		for _, m := range members {
			mm, ok := m.(map[string]any)
			if !ok {
				t.Fatalf("%s: group %s has a member that is not an object: %#v", desc, g.ID, m)
			}
			v, _ := mm["value"].(string)
			if v == "" {
				t.Fatalf("%s: group %s has a member without value: %v", desc, g.ID, mm)
			}
			if values[v] {
				t.Fatalf("%s: group %s lists member %q twice: %v", desc, g.ID, v, members)
			}
			values[v] = true
			if typ, _ := mm["type"].(string); typ == "User" || typ != "Group" && (v == fuzzAlice || v == fuzzBob) {
				if _, err := e.st.Get(ctx, "User", v); err != nil {
					t.Fatalf("%s: group %s lists user %s, which does not exist (%v)", desc, g.ID, v, err)
				}
			}
		}
	}
}

// jsonString quotes s as a JSON string (which is also a SCIM filter string
// literal), without HTML escaping.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// TestGroupWritesKeepMembersUnique writes groups whose members list names
// one value twice: the stored list names it once, as PATCH already ensures.
func TestGroupWritesKeepMembersUnique(t *testing.T) {
	tests := []struct {
		name, reason, method, target, body string
	}{
		{"POST", "a created group lists each member once", "POST", "/Groups",
			`{"displayName":"Dup","members":[{"value":"id-1"},{"value":"id-1","display":"alice"}]}`},
		{"PUT", "a replaced group lists each member once", "PUT", "/Groups/" + fuzzEng,
			`{"displayName":"Engineering","members":[{"value":"id-2"},{"value":"id-2"}]}`},
		{"PATCH replace", "PATCH already drops the repeated value", "PATCH", "/Groups/" + fuzzEng,
			`{"Operations":[{"op":"replace","path":"members","value":[{"value":"id-1"},{"value":"id-1"}]}]}`},
		{"PATCH add", "PATCH already drops the repeated value", "PATCH", "/Groups/" + fuzzEmpty,
			`{"Operations":[{"op":"add","path":"members","value":[{"value":"` + fuzzAlice + `"},{"value":"` + fuzzAlice + `"}]}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := newFuzzEnv(t)
			rec := env.serve(t, tc.method, "/scim/v2"+tc.target, tc.body, "")
			if rec.Code >= 300 {
				t.Fatalf("%s %s: status %d: %s", tc.method, tc.target, rec.Code, rec.Body)
			}
			groups, err := env.st.List(context.Background(), "Group", store.Query{StartIndex: 1, Count: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range groups.Resources {
				members, _ := g.Attributes["members"].([]any)
				seen := map[string]bool{}
				for _, m := range members {
					v, _ := m.(map[string]any)["value"].(string)
					if seen[v] {
						t.Fatalf("%s: group %s lists %q twice: %v", tc.reason, g.ID, v, members)
					}
					seen[v] = true
				}
			}
		})
	}
}

// secretStore fails every call with an error whose text must stay out of
// responses.
type secretStore struct{ store.Store }

const storeSecret = "postgres://scim:hunter2@10.0.0.5/prod"

func (secretStore) Get(context.Context, string, string) (*store.Resource, error) {
	return nil, fmt.Errorf("connect %s: connection refused", storeSecret)
}

func (secretStore) List(context.Context, string, store.Query) (*store.Page, error) {
	return nil, fmt.Errorf("query %s: timeout", storeSecret)
}

// blockingStore answers Get and List only when the request's context ends.
type blockingStore struct{ store.Store }

func (blockingStore) Get(ctx context.Context, _, _ string) (*store.Resource, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func (blockingStore) List(ctx context.Context, _ string, _ store.Query) (*store.Page, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestSecurityProperties checks the guarantees SECURITY.md states: stored
// passwords never come back, neither in a response, nor in a log, nor
// through a filter or sort order; internal errors reach the log and not
// the client; tokens are not echoed; a cancelled request stops.
func TestSecurityProperties(t *testing.T) {
	t.Run("password never returned or logged", func(t *testing.T) {
		var logs bytes.Buffer
		s := newServer(t, func(c *scim.Config) {
			c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		})
		const pw = "Pw-0f-Alice"
		var raw []string
		for _, r := range []struct{ method, target, body string }{
			{"POST", "/Users", `{"userName":"alice@example.com","password":"` + pw + `1"}`},
			{"POST", "/Users", `{"userName":"ALICE@example.com","password":"` + pw + `2"}`},
			{"POST", "/Users", `{"userName":"bob@example.com","password":"` + pw + `3","active":"maybe"}`},
			{"PUT", "/Users/id-1", `{"userName":"alice@example.com","password":"` + pw + `4"}`},
			{"PUT", "/Users/id-1", `{"userName":"alice@example.com","password":"` + pw + `5","name":"x"}`},
			{"PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","path":"password","value":"` + pw + `6"}]}`},
			{"PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","value":{"password":"` + pw + `7","active":"maybe"}}]}`},
			{"PATCH", "/Users/id-1", `{"Operations":[{"op":"replace","path":"password","value":"` + pw + `8"},{"op":"bogus"}]}`},
			{"POST", "/Bulk", `{"Operations":[{"method":"POST","bulkId":"b","path":"/Users","data":{"userName":"carol@example.com","password":"` + pw + `9"}},
			  {"method":"PUT","path":"/Users/id-1","data":{"userName":"carol@example.com","password":"` + pw + `10"}}]}`},
			{"GET", "/Users/id-1?attributes=password", ""},
			{"GET", "/Users?attributes=password,userName", ""},
			{"POST", "/Users/.search", `{"attributes":["password"]}`},
		} {
			raw = append(raw, s.do(r.method, r.target, r.body).raw)
		}
		for i, body := range raw {
			if strings.Contains(body, pw) || strings.Contains(body, `"password"`) {
				t.Errorf("response %d returns a password: %s", i, body)
			}
		}
		if strings.Contains(logs.String(), pw) {
			t.Errorf("the log holds a password:\n%s", logs.String())
		}
	})

	t.Run("password is no filter or sort oracle", func(t *testing.T) {
		s := newServer(t, nil)
		s.do("POST", "/Users", `{"userName":"alice@example.com","password":"Secret-42"}`).expect(t, 201, "")
		tests := []struct{ name, reason, target string }{
			{"eq", "a match would confirm a guessed password", "/Users?filter=" + url.QueryEscape(`password eq "Secret-42"`)},
			{"sw", "prefix matches would reveal the password a character at a time", "/Users?filter=" + url.QueryEscape(`password sw "S"`)},
			{"gt", "comparisons would reveal it by bisection", "/Users?filter=" + url.QueryEscape(`password gt "R"`)},
			{"sortBy", "the order of users would rank their passwords", "/Users?sortBy=password"},
			{"search", "POST .search takes the same filter", "/Users/.search"},
		}
		for _, tc := range tests {
			var r response
			if tc.name == "search" {
				r = s.do("POST", tc.target, `{"filter":"password sw \"Se\""}`)
			} else {
				r = s.do("GET", tc.target, "")
			}
			if r.status != http.StatusBadRequest {
				t.Errorf("%s (%s): status %d, want 400: %s", tc.name, tc.reason, r.status, r.raw)
			} else if err := scimErrorShape(r.body, r.status); err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
	})

	t.Run("internal errors stay in the log", func(t *testing.T) {
		var logs bytes.Buffer
		s := newServer(t, func(c *scim.Config) {
			c.Store = secretStore{c.Store}
			c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		})
		for _, target := range []string{"/Users/id-1", "/Users?filter=userName%20eq%20%22a%22", "/Groups"} {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", testBase+target, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			s.mux.ServeHTTP(rec, req)
			if rec.Code != http.StatusInternalServerError {
				t.Errorf("GET %s: status %d, want 500", target, rec.Code)
			}
			var v any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Fatalf("GET %s: %v", target, err)
			}
			if err := scimErrorShape(v, rec.Code); err != nil {
				t.Errorf("GET %s: %v", target, err)
			}
			if strings.Contains(rec.Body.String(), "hunter2") || strings.Contains(rec.Body.String(), "10.0.0.5") {
				t.Errorf("GET %s: the store's error reached the client: %s", target, rec.Body)
			}
		}
		if !strings.Contains(logs.String(), "connection refused") {
			t.Errorf("the store's error is not logged:\n%s", logs.String())
		}
	})

	t.Run("tokens not echoed", func(t *testing.T) {
		var logs bytes.Buffer
		s := newServer(t, func(c *scim.Config) {
			c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		})
		for _, auth := range []string{"Bearer wrong-Tok3n", "Basic d3Jvbmc6VG9rM24=", "wrong-Tok3n", ""} {
			r := s.do("GET", "/Users", "", "Authorization", auth)
			r.expect(t, http.StatusUnauthorized, "")
			if err := scimErrorShape(r.body, r.status); err != nil {
				t.Error(err)
			}
			if strings.Contains(r.raw, "Tok3n") || strings.Contains(r.raw, "d3Jvbmc") {
				t.Errorf("401 echoes the credential: %s", r.raw)
			}
		}
		r := s.do("GET", "/Users?filter=bad%20filter", "")
		if strings.Contains(r.raw+logs.String(), token) {
			t.Errorf("the accepted token appears in a response or the log")
		}
	})

	t.Run("weak cursor key refused", func(t *testing.T) {
		// []byte(os.Getenv("SCIM_CURSOR_KEY")) is an empty, non-nil key when
		// the variable is unset: cursors sealed with it can be forged.
		for _, key := range [][]byte{{}, []byte("short"), make([]byte, 31)} {
			if _, err := scim.NewHandler(scim.Config{Store: store.NewMemory(), CursorKey: key}); err == nil {
				t.Errorf("NewHandler accepts a %d-byte Config.CursorKey", len(key))
			}
		}
		for _, key := range [][]byte{nil, make([]byte, 32)} {
			if _, err := scim.NewHandler(scim.Config{Store: store.NewMemory(), CursorKey: key}); err != nil {
				t.Errorf("NewHandler refuses a %d-byte Config.CursorKey: %v", len(key), err)
			}
		}
	})

	t.Run("cancelled request stops", func(t *testing.T) {
		s := newServer(t, func(c *scim.Config) { c.Store = blockingStore{c.Store} })
		for _, target := range []string{"/Users/id-1", "/Users"} {
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			req := httptest.NewRequest("GET", testBase+target, nil).WithContext(ctx)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			begin := time.Now()
			s.mux.ServeHTTP(rec, req)
			cancel()
			if d := time.Since(begin); d > 5*time.Second {
				t.Errorf("GET %s took %v after its context ended", target, d)
			}
			if rec.Code != http.StatusServiceUnavailable {
				t.Errorf("GET %s: status %d, want 503 for a cancelled request: %s", target, rec.Code, rec.Body)
			}
		}
	})
}
