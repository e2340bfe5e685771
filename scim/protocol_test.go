package scim_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// ada is a user with an attribute of every kind a projection can select,
// including the write-only password.
const ada = `{"userName":"ada@example.com","password":"t0p-secret","displayName":"Ada",
	 "name":{"givenName":"Ada","familyName":"Lovelace"},
	 "emails":[{"value":"ada@work.example","type":"work","primary":true},{"value":"ada@home.example","type":"home"}],
	 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Analytics","employeeNumber":"1815"}}`

// ids returns the ids of a ListResponse's Resources.
func ids(t *testing.T, r response) []string {
	t.Helper()
	m, ok := r.body.(map[string]any)
	if !ok {
		t.Fatalf("not a ListResponse: %s", r.raw)
	}
	var out []string
	for _, res := range m["Resources"].([]any) {
		out = append(out, res.(map[string]any)["id"].(string))
	}
	return out
}

// TestProjection checks attributes and excludedAttributes (RFC 7644
// §3.4.2.5, §3.9) on every operation that returns a resource, and that
// returned=never attributes (password, RFC 7643 §7) are never returned.
func TestProjection(t *testing.T) {
	s := newServer(t, nil)
	s.do("POST", "/Users", ada).expect(t, 201, served(t, "User", "id-1", ada))
	s.do("POST", "/Groups", `{"displayName":"Analysts","members":[{"value":"id-1","display":"Ada"}]}`).expect(t, 201, "")
	const (
		userCore = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"id-1"`
		userExt  = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":"id-1"`
		groupID  = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"id-2"`
	)
	tests := []struct {
		name, reason   string
		method, target string
		body           string
		status         int
		want           string
	}{
		{"list attributes", "§3.4.2.5: only the named attributes, plus id and schemas (returned always)",
			"GET", "/Users?attributes=userName", "", 200, listOf(`{` + userCore + `,"userName":"ada@example.com"}`)},
		{"get sub-attributes", "§3.4.2.5: sub-attribute paths select parts of a complex attribute",
			"GET", "/Users/id-1?attributes=userName,name.givenName", "", 200, `{` + userCore + `,"userName":"ada@example.com","name":{"givenName":"Ada"}}`},
		{"bracketed attributes", "a filter in an attributes item (Microsoft's Postman collection) means the attribute it is on",
			"GET", "/Users/id-1?attributes=" + strings.ReplaceAll(`emails[type eq "work"].value`, " ", "+"), "", 200,
			`{` + userCore + `,"emails":[{"value":"ada@work.example"},{"value":"ada@home.example"}]}`},
		{"extension by urn", "a bare schema URN selects the whole extension",
			"GET", "/Users/id-1?attributes=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "", 200,
			`{` + userExt + `,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Analytics","employeeNumber":"1815"}}`},
		{"extension attribute", "a URN-qualified attribute path",
			"GET", "/Users/id-1?attributes=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "", 200,
			`{` + userExt + `,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Analytics"}}`},
		{"excluded", "§3.4.2.5: excludedAttributes removes attributes and sub-attributes from the default set",
			"GET", "/Users/id-1?excludedAttributes=emails,name.familyName,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "", 200,
			`{` + userCore + `,"userName":"ada@example.com","displayName":"Ada","name":{"givenName":"Ada"},"meta":` + meta("User", "id-1") +
				`,"groups":[{"value":"id-2","$ref":"` + testBase + `/Groups/id-2","display":"Analysts","type":"direct"}]}`},
		{"excluded id", "§3.4.2.5: attributes returned always cannot be excluded",
			"GET", "/Groups/id-2?excludedAttributes=id,members", "", 200, `{` + groupID + `,"displayName":"Analysts","meta":` + meta("Group", "id-2") + `}`},
		{"password selected", "RFC 7643 §7: returned=never is not returned even when asked for",
			"GET", "/Users/id-1?attributes=password,userName", "", 200, `{` + userCore + `,"userName":"ada@example.com"}`},
		{"group list without members", "Entra's and Okta's group reads",
			"GET", "/Groups?excludedAttributes=members", "", 200, listOf(`{` + groupID + `,"displayName":"Analysts","meta":` + meta("Group", "id-2") + `}`)},
		{"post", "§3.3: POST honours attributes in the query",
			"POST", "/Users?attributes=userName", `{"userName":"bob@example.com","password":"x","displayName":"Bob"}`, 201,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"id-3","userName":"bob@example.com"}`},
		{"put", "§3.5.1: PUT honours excludedAttributes",
			"PUT", "/Users/id-3?excludedAttributes=name,meta", `{"userName":"bob@example.com","name":{"givenName":"Bob"},"displayName":"Bobby"}`, 200,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"id-3","userName":"bob@example.com","displayName":"Bobby"}`},
		{"patch user", "§3.5.2: PATCH honours attributes",
			"PATCH", "/Users/id-3?attributes=displayName", `{"Operations":[{"op":"replace","path":"displayName","value":"Robert"}]}`, 200,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"id-3","displayName":"Robert"}`},
		{"patch group", "§3.5.2: a PATCH asking for attributes gets 200 with them even where PATCH is 204 by default",
			"PATCH", "/Groups/id-2?attributes=displayName", `{"Operations":[{"op":"replace","path":"displayName","value":"Analytics"}]}`, 200,
			`{` + groupID + `,"displayName":"Analytics"}`},
		{"search attributes array", "§3.4.3: attributes as a JSON array in a SearchRequest",
			"POST", "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"attributes":["userName"],"filter":"userName eq \"ada@example.com\""}`, 200,
			listOf(`{` + userCore + `,"userName":"ada@example.com"}`)},
		{"search excluded string", "§3.4.3: excludedAttributes as a string",
			"POST", "/Groups/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"excludedAttributes":"members,meta"}`, 200,
			listOf(`{` + groupID + `,"displayName":"Analytics"}`)},
		{"malformed path", "§3.4.2.5: a path that is not well formed is 400 invalidValue",
			"GET", "/Users/id-1?attributes=name.givenName.x", "", 400,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidValue","detail":"attribute \"name.givenName.x\": is not a well-formed attribute path"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(tc.method, tc.target, tc.body)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d (%s); body %s", r.status, tc.status, tc.reason, r.raw)
			}
			if diff := cmp.Diff(decode(t, tc.want), stripVersions(t, r.body)); diff != "" {
				t.Errorf("body mismatch (-want +got) (%s):\n%s", tc.reason, diff)
			}
			if strings.Contains(r.raw, "t0p-secret") || strings.Contains(r.raw, `"password"`) {
				t.Errorf("the password was returned: %s", r.raw)
			}
		})
	}
	// The password was stored (as Config.HashPassword made it), and
	// survives a PUT that does not send it.
	if got := s.stored("User", "id-3")["password"]; got != "hash(x)" {
		t.Errorf("stored password = %v, want hash(x)", got)
	}
}

// TestSort checks sortBy and sortOrder (RFC 7644 §3.4.2.3).
func TestSort(t *testing.T) {
	s := newServer(t, nil)
	for _, u := range []string{"carol", "Alice", "bob", "dave"} {
		s.do("POST", "/Users", `{"userName":"`+u+`@example.com"}`).expect(t, 201, "")
	}
	s.do("PATCH", "/Users/id-4", `{"Operations":[{"op":"add","path":"name.familyName","value":"Zed"}]}`).expect(t, 200, "")
	s.do("PATCH", "/Users/id-2", `{"Operations":[{"op":"add","path":"name.familyName","value":"Young"}]}`).expect(t, 200, "")
	tests := []struct {
		name, reason, query string
		want                []string
	}{
		{"default order", "without sortBy the order is the store's stable order", "", []string{"id-1", "id-2", "id-3", "id-4"}},
		{"ascending", "§3.4.2.3: userName is caseExact=false, so Alice sorts first", "sortBy=userName", []string{"id-2", "id-3", "id-1", "id-4"}},
		{"descending", "§3.4.2.3: sortOrder=descending", "sortBy=userName&sortOrder=descending", []string{"id-4", "id-1", "id-3", "id-2"}},
		{"missing first descending", "resources without the attribute come last ascending and first descending (RFC 7644 §3.4.2.3)", "sortBy=name.familyName&sortOrder=descending", []string{"id-1", "id-3", "id-4", "id-2"}},
		{"paged", "sorting applies before paging", "sortBy=userName&startIndex=2&count=2", []string{"id-3", "id-1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do("GET", "/Users?"+tc.query, "")
			r.expect(t, 200, "")
			if diff := cmp.Diff(tc.want, ids(t, r)); diff != "" {
				t.Errorf("order (-want +got) (%s):\n%s", tc.reason, diff)
			}
		})
	}
	// Sorting is advertised (RFC 7643 §5).
	spc := s.do("GET", "/ServiceProviderConfig", "")
	if got := spc.body.(map[string]any)["sort"]; fmt.Sprint(got) != "map[supported:true]" {
		t.Errorf("sort = %v, want supported", got)
	}
	// The same through POST .search (§3.4.3).
	t.Run("search", func(t *testing.T) {
		r := s.do("POST", "/Users/.search", `{"sortBy":"userName","sortOrder":"descending"}`)
		r.expect(t, 200, "")
		if diff := cmp.Diff([]string{"id-4", "id-1", "id-3", "id-2"}, ids(t, r)); diff != "" {
			t.Errorf("order (-want +got):\n%s", diff)
		}
	})
}

// TestETags checks versioning (RFC 7644 §3.14): meta.version is the ETag,
// If-Match guards writes (412 when stale, "*" always matches) and
// If-None-Match makes reads conditional (304 when current).
func TestETags(t *testing.T) {
	s := newServer(t, nil)
	c := s.do("POST", "/Users", `{"userName":"e@example.com","displayName":"E"}`)
	c.expect(t, 201, "")
	v1 := c.header.Get("ETag")
	if v1 == "" || c.body.(map[string]any)["meta"].(map[string]any)["version"] != v1 {
		t.Fatalf("ETag %q, meta.version %v: want equal and set", v1, c.body.(map[string]any)["meta"])
	}
	g := s.do("GET", "/Users/id-1", "")
	g.expect(t, 200, "")
	if g.header.Get("ETag") != v1 {
		t.Errorf("GET ETag = %q, want %q", g.header.Get("ETag"), v1)
	}
	const stale = `W/"0"`

	// If-None-Match: current → 304 with no body; stale → 200; "*" → 304.
	nm := s.do("GET", "/Users/id-1", "", "If-None-Match", v1)
	if nm.status != http.StatusNotModified || nm.raw != "" || nm.header.Get("ETag") != v1 {
		t.Errorf("If-None-Match current: %d %q ETag %q, want 304, no body, the ETag", nm.status, nm.raw, nm.header.Get("ETag"))
	}
	s.do("GET", "/Users/id-1", "", "If-None-Match", stale).expect(t, 200, "")
	s.do("GET", "/Users/id-1", "", "If-None-Match", stale+", "+v1).expect(t, 304, "")

	// If-Match on PUT, PATCH and DELETE.
	tests := []struct {
		name, reason         string
		method, body, header string
		status               int
	}{
		{"put stale", "§3.14: a stale version is 412 and nothing changes", "PUT", `{"userName":"e@example.com","displayName":"X"}`, stale, 412},
		{"patch stale", "§3.14", "PATCH", `{"Operations":[{"op":"replace","path":"displayName","value":"X"}]}`, stale, 412},
		{"delete stale", "§3.14", "DELETE", "", stale, 412},
		{"put current", "the current version (strong or weak form) matches", "PUT", `{"userName":"e@example.com","displayName":"E2"}`, "", 200},
		{"patch current", "", "PATCH", `{"Operations":[{"op":"replace","path":"displayName","value":"E3"}]}`, "", 200},
		{"put star", "If-Match: * matches any version", "PUT", `{"userName":"e@example.com","displayName":"E4"}`, "*", 200},
		{"patch star", "", "PATCH", `{"Operations":[{"op":"replace","path":"displayName","value":"E5"}]}`, "*", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := s.do("GET", "/Users/id-1", "")
			cur := before.header.Get("ETag")
			h := tc.header
			if h == "" {
				h = cur
			}
			r := s.do(tc.method, "/Users/id-1", tc.body, "If-Match", h)
			r.expect(t, tc.status, "")
			after := s.do("GET", "/Users/id-1", "")
			if tc.status == 412 {
				if after.header.Get("ETag") != cur {
					t.Errorf("a failed precondition changed the version (%s)", tc.reason)
				}
				if e := r.body.(map[string]any); e["status"] != "412" || e["detail"] == "" {
					t.Errorf("412 body = %v", e)
				}
				return
			}
			if r.header.Get("ETag") == cur || r.header.Get("ETag") != after.header.Get("ETag") {
				t.Errorf("ETag after write = %q (before %q, GET %q): want a new version, served by GET (%s)",
					r.header.Get("ETag"), cur, after.header.Get("ETag"), tc.reason)
			}
		})
	}
	// The strong form of the current tag matches too.
	cur := s.do("GET", "/Users/id-1", "").header.Get("ETag")
	s.do("DELETE", "/Users/id-1", "", "If-Match", strings.TrimPrefix(cur, "W/")).expect(t, 204, "")
	s.do("GET", "/Users/id-1", "", "If-None-Match", cur).expect(t, 404, "")
}

// TestSearch checks POST /.search at the root (across resource types) and
// per resource type (RFC 7644 §3.4.3), including malformed requests.
func TestSearch(t *testing.T) {
	s := newServer(t, nil)
	for _, u := range []string{"u1", "u2", "u3"} {
		s.do("POST", "/Users", `{"userName":"`+u+`@example.com","displayName":"Team `+u+`"}`).expect(t, 201, "")
	}
	for _, g := range []string{"g1", "g2"} {
		s.do("POST", "/Groups", `{"displayName":"Team `+g+`"}`).expect(t, 201, "")
	}
	page := func(start, count int) string {
		return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"attributes":["displayName"],"filter":"displayName sw \"team\"","startIndex":%d,"count":%d}`, start, count)
	}
	type item struct{ typ, id, name string }
	list := func(total, start int, items ...item) string {
		var rs []string
		for _, it := range items {
			rs = append(rs, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:%s"],"id":%q,"displayName":"Team %s"}`, it.typ, it.id, it.name))
		}
		return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":%d,"startIndex":%d,"itemsPerPage":%d,"Resources":[%s]}`,
			total, start, len(items), strings.Join(rs, ","))
	}
	u1, u2, u3 := item{"User", "id-1", "u1"}, item{"User", "id-2", "u2"}, item{"User", "id-3", "u3"}
	g1, g2 := item{"Group", "id-4", "g1"}, item{"Group", "id-5", "g2"}
	tests := []struct {
		name, reason, target, body string
		status                     int
		want                       string // JSON body, or a substring of the error detail
	}{
		{"root all", "§3.4.3: root search covers every resource type, Users first", "/.search", page(1, 10), 200, list(5, 1, u1, u2, u3, g1, g2)},
		{"root page across types", "a page may span the end of one type and the start of the next", "/.search", page(3, 2), 200, list(5, 3, u3, g1)},
		{"root page in second type", "", "/.search", page(5, 2), 200, list(5, 5, g2)},
		{"root past the end", "", "/.search", page(9, 2), 200, list(5, 9)},
		{"root count zero", "§3.4.2.4: count=0 gives only totalResults", "/.search", page(1, 0), 200, list(5, 1)},
		{"root type-specific filter", "a type whose schema lacks the filter's attribute is skipped", "/.search",
			`{"filter":"userName eq \"u2@example.com\"","attributes":"displayName"}`, 200, list(1, 1, u2)},
		{"root numeric strings", "startIndex and count as strings", "/.search",
			`{"filter":"displayName sw \"team\"","attributes":["displayName"],"startIndex":"4","count":"1"}`, 200, list(5, 4, g1)},
		{"per type", "§3.4.3: POST /Groups/.search", "/Groups/.search", page(1, 10), 200, list(2, 1, g1, g2)},
		{"per type case", "member names are case-insensitive", "/Users/.search",
			`{"FILTER":"userName eq \"u3@example.com\"","Attributes":["displayName"]}`, 200, list(1, 1, u3)},
		{"root unknown attribute", "no resource type has it: 400 invalidFilter", "/.search", `{"filter":"nosuch eq 1"}`, 400, "nosuch"},
		{"root sortBy", "no common sort order across types", "/.search", `{"sortBy":"displayName"}`, 400, "sortBy"},
		{"root cursor", "cursors page one resource type", "/.search", `{"cursor":""}`, 400, "cursor"},
		{"bad json", "", "/.search", `{"filter":`, 400, "not valid JSON"},
		{"not an object", "", "/Users/.search", `["filter"]`, 400, "JSON object"},
		{"empty body", "", "/Users/.search", ``, 400, "empty"},
		{"bad member type", "", "/Users/.search", `{"count":{"n":1}}`, 400, "count"},
		{"bad attributes type", "", "/.search", `{"attributes":[1]}`, 400, "attributes"},
		{"negative count", "§3.4.2.4: a negative count is interpreted as 0", "/Users/.search", `{"count":-1}`, 200, list(3, 1)},
		{"bad count", "", "/Users/.search", `{"count":"many"}`, 400, "count"},
		{"bad filter", "", "/Users/.search", `{"filter":"userName eq"}`, 400, "offset"},
		{"empty filter", "", "/Users/.search", `{"filter":""}`, 400, "empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do("POST", tc.target, tc.body)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d (%s); body %s", r.status, tc.status, tc.reason, r.raw)
			}
			if tc.status == 200 {
				if diff := cmp.Diff(decode(t, tc.want), r.body); diff != "" {
					t.Errorf("body mismatch (-want +got) (%s):\n%s", tc.reason, diff)
				}
				return
			}
			if d, _ := r.body.(map[string]any)["detail"].(string); !strings.Contains(d, tc.want) {
				t.Errorf("detail = %q, want it to mention %q (%s)", d, tc.want, tc.reason)
			}
		})
	}
	s.do("GET", "/.search", "").expect(t, 405, "")
	s.do("GET", "/Users/.search", "").expect(t, 405, "")
}

// bulkResult is one operation of a decoded BulkResponse.
func bulkOps(t *testing.T, r response) []map[string]any {
	t.Helper()
	m, ok := r.body.(map[string]any)
	if !ok {
		t.Fatalf("not a BulkResponse: %s", r.raw)
	}
	if sc, _ := m["schemas"].([]any); len(sc) != 1 || sc[0] != schema.BulkResponseURN {
		t.Errorf("schemas = %v", m["schemas"])
	}
	var out []map[string]any
	for _, op := range m["Operations"].([]any) {
		out = append(out, op.(map[string]any))
	}
	return out
}

// statuses summarises a BulkResponse as "bulkId method status" lines.
func statuses(ops []map[string]any) []string {
	var out []string
	for _, op := range ops {
		out = append(out, fmt.Sprintf("%v %v %v", op["bulkId"], op["method"], op["status"]))
	}
	return out
}

// TestBulk checks /Bulk (RFC 7644 §3.7).
func TestBulk(t *testing.T) {
	t.Run("references", func(t *testing.T) {
		s := newServer(t, nil)
		// §3.7.2: the group refers to users created later in the request;
		// the second user's manager is the first user.
		r := s.do("POST", "/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
		 {"method":"POST","path":"/Groups","bulkId":"g","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Tour Guides",
		   "members":[{"type":"User","value":"bulkId:alice"},{"type":"User","value":"bulkId:bob"}]}},
		 {"method":"POST","path":"/Users","bulkId":"alice","data":{"userName":"alice@example.com"}},
		 {"method":"POST","path":"/Users","bulkId":"bob","data":{"userName":"bob@example.com",
		   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"bulkId:alice"}}}},
		 {"method":"PATCH","path":"/Users/bulkId:bob","data":{"Operations":[{"op":"replace","path":"displayName","value":"Bob"}]}}]}`)
		r.expect(t, 200, "")
		ops := bulkOps(t, r)
		if diff := cmp.Diff([]string{"g POST 201", "alice POST 201", "bob POST 201", "<nil> PATCH 200"}, statuses(ops)); diff != "" {
			t.Fatalf("statuses (-want +got):\n%s\n%s", diff, r.raw)
		}
		// Per-operation location and version (§3.7.3).
		for i, want := range []struct{ loc, typ, id string }{
			{testBase + "/Groups/id-3", "Group", "id-3"}, {testBase + "/Users/id-1", "User", "id-1"},
			{testBase + "/Users/id-2", "User", "id-2"}, {testBase + "/Users/id-2", "User", "id-2"},
		} {
			if ops[i]["location"] != want.loc {
				t.Errorf("operation %d location = %v, want %s", i, ops[i]["location"], want.loc)
			}
			// The user's own version: the users are in the group now,
			// which a representation with groups has a version for.
			target := "/" + want.typ + "s/" + want.id
			if want.typ == "User" {
				target += "?excludedAttributes=groups"
			}
			cur := s.do("GET", target, "").header.Get("ETag")
			if i != 2 && ops[i]["version"] != cur { // bob was patched after his creation
				t.Errorf("operation %d version = %v, want the current %s", i, ops[i]["version"], cur)
			}
		}
		s.expectStored("Group", "id-3", `{"displayName":"Tour Guides","members":[{"type":"User","value":"id-1"},{"type":"User","value":"id-2"}]}`)
		s.expectStored("User", "id-2", `{"userName":"bob@example.com","displayName":"Bob",
		 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"id-1"}}}`)
		// A POST's response carries the created resource.
		if res, _ := ops[1]["response"].(map[string]any); res["id"] != "id-1" || res["userName"] != "alice@example.com" {
			t.Errorf("POST response = %v", ops[1]["response"])
		}
	})

	t.Run("errors", func(t *testing.T) {
		s := newServer(t, nil)
		s.do("POST", "/Users", `{"userName":"taken@example.com"}`).expect(t, 201, "")
		r := s.do("POST", "/Bulk", `{"Operations":[
		 {"method":"POST","path":"/Users","bulkId":"dup","data":{"userName":"taken@example.com"}},
		 {"method":"POST","path":"/Groups","bulkId":"a","data":{"displayName":"A","members":[{"value":"bulkId:b"}]}},
		 {"method":"POST","path":"/Groups","bulkId":"b","data":{"displayName":"B","members":[{"value":"bulkId:a"}]}},
		 {"method":"POST","path":"/Groups","bulkId":"c","data":{"displayName":"C","members":[{"value":"bulkId:nosuch"}]}},
		 {"method":"POST","path":"/Groups","bulkId":"d","data":{"displayName":"D","members":[{"value":"bulkId:dup"}]}},
		 {"method":"PUT","path":"/Users/id-1","version":"W/\"0\"","data":{"userName":"taken@example.com"}},
		 {"method":"GET","path":"/Users/id-1"},
		 {"method":"POST","path":"/Bulk","bulkId":"x","data":{}},
		 {"method":"POST","path":"/Users","data":{"userName":"nobulkid@example.com"}},
		 {"method":"DELETE","path":"/Users/nosuch"},
		 {"method":"POST","path":"/Users","bulkId":"twice","data":{"userName":"t1@example.com"}},
		 {"method":"POST","path":"/Users","bulkId":"twice","data":{"userName":"t2@example.com"}},
		 {"method":"POST","path":"/Users","bulkId":"ok","data":{"userName":"ok@example.com"}},
		 {"method":"DELETE","path":"/Users/bulkId:ok"}]}`)
		r.expect(t, 200, "")
		ops := bulkOps(t, r)
		want := []string{
			"dup POST 409",     // uniqueness
			"a POST 409",       // §3.7.1: circular references
			"b POST 409",       // circular
			"c POST 409",       // unknown bulkId
			"d POST 409",       // refers to a failed operation
			"<nil> PUT 412",    // stale version
			"<nil> GET 400",    // not a bulk method
			"x POST 400",       // not a resource endpoint
			"<nil> POST 400",   // §3.7: POST needs a bulkId
			"<nil> DELETE 404", // unknown resource
			"twice POST 400",   // a bulkId used twice is ambiguous
			"twice POST 400",   //
			"ok POST 201",      //
			"<nil> DELETE 204"} // path reference
		if diff := cmp.Diff(want, statuses(ops)); diff != "" {
			t.Fatalf("statuses (-want +got):\n%s\n%s", diff, r.raw)
		}
		for i, op := range ops {
			st := fmt.Sprint(op["status"])
			if st >= "400" {
				e, _ := op["response"].(map[string]any)
				if e["status"] != st || e["detail"] == "" {
					t.Errorf("operation %d: error response %v", i, op["response"])
				}
			}
		}
		if d := ops[1]["response"].(map[string]any)["detail"].(string); !strings.Contains(d, "circular") {
			t.Errorf("circular detail = %q", d)
		}
		if got, _ := s.store.List(context.Background(), "Group", store.Query{StartIndex: 1, Count: 10}); got.Total != 0 {
			t.Errorf("%d groups created, want none", got.Total)
		}
	})

	t.Run("failOnErrors", func(t *testing.T) {
		s := newServer(t, nil)
		r := s.do("POST", "/Bulk", `{"failOnErrors":1,"Operations":[
		 {"method":"POST","path":"/Users","bulkId":"1","data":{"userName":"one@example.com"}},
		 {"method":"POST","path":"/Users","bulkId":"2","data":{"active":true}},
		 {"method":"POST","path":"/Users","bulkId":"3","data":{"userName":"three@example.com"}}]}`)
		r.expect(t, 200, "")
		if diff := cmp.Diff([]string{"1 POST 201", "2 POST 400"}, statuses(bulkOps(t, r))); diff != "" {
			t.Errorf("§3.7.3: processing stops after failOnErrors errors (-want +got):\n%s", diff)
		}
		if got, _ := s.store.List(context.Background(), "User", store.Query{StartIndex: 1, Count: 10}); got.Total != 1 {
			t.Errorf("%d users created, want 1", got.Total)
		}
	})

	t.Run("limits", func(t *testing.T) {
		s := newServer(t, func(c *scim.Config) { c.BulkMaxOperations = 2; c.BulkMaxPayloadBytes = 300 })
		op := `{"method":"DELETE","path":"/Users/x"}`
		tests := []struct {
			name, reason, body string
			chunked            bool
			status             int
			detail             string
		}{
			{"maxOperations", "§3.7.4: more operations than maxOperations is 413", `{"Operations":[` + op + `,` + op + `,` + op + `]}`, false, 413, "maxOperations"},
			{"maxPayloadSize", "§3.7.4: a larger body than maxPayloadSize is 413", `{"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"` + strings.Repeat("a", 300) + `"}}]}`, false, 413, "300"},
			{"maxPayloadSize unannounced", "a body without Content-Length is cut at the limit", `{"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"` + strings.Repeat("a", 300) + `"}}]}`, true, 413, "300"},
			{"bad json", "", `{"Operations":`, false, 400, "JSON"},
			{"operations not array", "", `{"Operations":{"method":"POST"}}`, false, 400, "Operations"},
			{"operation not object", "", `{"Operations":[1]}`, false, 400, "Operations"},
			{"no operations", "", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]}`, false, 400, "Operations"},
			{"bad failOnErrors", "", `{"failOnErrors":"x","Operations":[]}`, false, 400, "failOnErrors"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := s.doRaw("POST", "/Bulk", tc.body, tc.chunked)
				if r.status != tc.status {
					t.Fatalf("status = %d, want %d (%s); body %s", r.status, tc.status, tc.reason, r.raw)
				}
				if d, _ := r.body.(map[string]any)["detail"].(string); !strings.Contains(d, tc.detail) {
					t.Errorf("detail = %q, want it to mention %q (%s)", d, tc.detail, tc.reason)
				}
			})
		}
		s.do("GET", "/Bulk", "").expect(t, 405, "")
		s.do("POST", "/Bulk", `{"Operations":[`+op+`,`+op+`]}`).expect(t, 200, "")
		off := newServer(t, func(c *scim.Config) { c.BulkMaxOperations = -1 })
		off.doRaw("POST", "/Bulk", `{"Operations":[]}`, false).expect(t, 501, "")
	})
}

// doRaw sends a request like do, without do's check that the status is
// not 5xx (for the 501 answers of features a host turned off); chunked
// leaves the body length unannounced, as a chunked upload does.
func (s *server) doRaw(method, target, body string, chunked bool, headers ...string) response {
	s.t.Helper()
	req := httptest.NewRequest(method, testBase+target, strings.NewReader(body))
	if chunked {
		req.Body = io.NopCloser(strings.NewReader(body))
		req.ContentLength = -1
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	s.mux.ServeHTTP(rec, req)
	resp := response{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if rec.Body.Len() > 0 {
		resp.body = decode(s.t, rec.Body.String())
	}
	return resp
}

// meUsers maps the names of BearerAuth tokens to the userName of the user
// each stands for.
var meUsers = map[string]string{"alice": "alice@example.com", "nobody": "nobody@example.com"}

// newMeServer is a test server whose bearer tokens have names ("admin",
// "alice", "nobody"; the token is "tok-" + name) and whose Config.Me finds
// the user whose userName belongs to the token's name.
func newMeServer(t *testing.T, withMe bool) *server {
	s := newServer(t, nil)
	cfg := scim.Config{Store: s.store, HashPassword: testHash, ResourceTypes: []*schema.ResourceType{
		schema.UserResourceType(schema.EnterpriseUserSchema(), acmeExtension()), schema.GroupResourceType()}}
	if withMe {
		cfg.Me = func(ctx context.Context) (string, string, error) {
			name, _ := scim.TokenName(ctx)
			userName, ok := meUsers[name]
			if !ok {
				return "", "", fmt.Errorf("token %q stands for no user: %w", name, store.ErrNotFound)
			}
			page, err := s.store.List(ctx, "User", store.Query{StartIndex: 1, Count: 1000})
			if err != nil {
				return "", "", err
			}
			for _, r := range page.Resources {
				if strings.EqualFold(r.Attributes["userName"].(string), userName) {
					return "User", r.ID, nil
				}
			}
			return "", "", fmt.Errorf("no user %s: %w", userName, store.ErrNotFound)
		}
	}
	h, err := scim.NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	auth := scim.NewBearerAuth()
	auth.SetNamedTokens(map[string]string{"admin": token, "alice": "tok-alice", "nobody": "tok-nobody"})
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", auth.Wrap(h)))
	s.mux = mux
	return s
}

// TestMe checks the /Me alias (RFC 7644 §3.11).
func TestMe(t *testing.T) {
	s := newMeServer(t, true)
	s.do("POST", "/Users", `{"userName":"bob@example.com"}`).expect(t, 201, "")
	s.do("POST", "/Users", `{"userName":"alice@example.com","displayName":"Alice","password":"pw"}`).expect(t, 201, "")
	alice := `{"userName":"alice@example.com","displayName":"Alice"}`
	as := []string{"Authorization", "Bearer tok-alice"}

	g := s.do("GET", "/Me", "", as...)
	g.expect(t, 200, served(t, "User", "id-2", alice))
	if got := g.header.Get("Location"); got != testBase+"/Users/id-2" {
		t.Errorf("Location = %q, want the aliased resource's URL", got)
	}
	s.do("GET", "/Me?attributes=userName", "", as...).expect(t, 200, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"id-2","userName":"alice@example.com"}`)
	s.do("PATCH", "/Me", `{"Operations":[{"op":"replace","path":"displayName","value":"Alice L."}]}`, as...).
		expect(t, 200, served(t, "User", "id-2", `{"userName":"alice@example.com","displayName":"Alice L."}`))
	s.expectStored("User", "id-2", `{"userName":"alice@example.com","displayName":"Alice L.","password":"hash(pw)"}`)
	s.do("PUT", "/Me", `{"userName":"alice@example.com","nickName":"Al"}`, as...).
		expect(t, 200, served(t, "User", "id-2", `{"userName":"alice@example.com","nickName":"Al"}`))
	s.do("GET", "/Users/id-1", "").expect(t, 200, "") // bob is untouched

	tests := []struct {
		name, reason, method, target, tok string
		status                            int
	}{
		{"no resource", "a principal without a resource is 404", "GET", "/Me", "tok-nobody", 404},
		{"unnamed principal", "", "GET", "/Me", token, 404},
		{"post", "creating through /Me is not supported", "POST", "/Me", "tok-alice", 405},
		{"post without resource", "the method is checked first", "POST", "/Me", "tok-nobody", 405},
		{"sub-path", "", "GET", "/Me/x", "tok-alice", 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(tc.method, tc.target, `{"userName":"z@example.com"}`, "Authorization", "Bearer "+tc.tok)
			if r.status != tc.status {
				t.Errorf("status = %d, want %d (%s): %s", r.status, tc.status, tc.reason, r.raw)
			}
		})
	}
	s.do("DELETE", "/Me", "", as...).expect(t, 204, "")
	s.do("GET", "/Users/id-2", "").expect(t, 404, "")
	s.do("GET", "/Me", "", as...).expect(t, 404, "")

	off := newMeServer(t, false)
	r := off.doRaw("GET", "/Me", "", false, as...)
	r.expect(t, 501, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"501","detail":"/Me is not supported by this service provider"}`)
}

// TestDiscovery checks /Schemas/{id} and /ResourceTypes/{name} (RFC 7644
// §4, RFC 7643 §6–7) with a host extension.
func TestDiscovery(t *testing.T) {
	s := newServer(t, nil)
	rt := s.do("GET", "/ResourceTypes", "")
	rt.expect(t, 200, "")
	var names []string
	for _, r := range rt.body.(map[string]any)["Resources"].([]any) {
		names = append(names, r.(map[string]any)["name"].(string))
	}
	if diff := cmp.Diff([]string{"User", "Group"}, names); diff != "" {
		t.Errorf("resource types, Users first (-want +got):\n%s", diff)
	}
	s.do("GET", "/ResourceTypes/User", "").expect(t, 200, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
	 "id":"User","name":"User","endpoint":"/Users","description":"User Account","schema":"urn:ietf:params:scim:schemas:core:2.0:User",
	 "schemaExtensions":[{"schema":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","required":false},
	                     {"schema":"urn:ietf:params:scim:schemas:extension:acme:2.0:User","required":false}],
	 "meta":{"resourceType":"ResourceType","location":"`+testBase+`/ResourceTypes/User"}}`)
	s.do("GET", "/resourcetypes/group", "").expect(t, 200, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
	 "id":"Group","name":"Group","endpoint":"/Groups","description":"Group","schema":"urn:ietf:params:scim:schemas:core:2.0:Group",
	 "meta":{"resourceType":"ResourceType","location":"`+testBase+`/ResourceTypes/Group"}}`)
	s.do("GET", "/Schemas/"+acmeURN, "").expect(t, 200, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Schema"],
	 "id":"`+acmeURN+`","name":"AcmeUser",
	 "attributes":[
	  {"name":"costCenter","type":"string","multiValued":false,"description":"","required":false,"caseExact":false,"mutability":"readWrite","returned":"default","uniqueness":"none"},
	  {"name":"badgeNumber","type":"integer","multiValued":false,"description":"","required":false,"caseExact":false,"mutability":"readWrite","returned":"default","uniqueness":"none"},
	  {"name":"isContractor","type":"boolean","multiValued":false,"description":"","required":false,"caseExact":false,"mutability":"readWrite","returned":"default","uniqueness":"none"}],
	 "meta":{"resourceType":"Schema","location":"`+testBase+`/Schemas/`+acmeURN+`"}}`)
	u := s.do("GET", "/Schemas/"+schema.UserURN, "")
	u.expect(t, 200, "")
	var pw map[string]any
	for _, a := range u.body.(map[string]any)["attributes"].([]any) {
		if a.(map[string]any)["name"] == "password" {
			pw = a.(map[string]any)
		}
	}
	if pw["returned"] != "never" || pw["mutability"] != "writeOnly" {
		t.Errorf("password attribute = %v", pw)
	}
	all := s.do("GET", "/Schemas", "")
	all.expect(t, 200, "")
	var sids []string
	for _, r := range all.body.(map[string]any)["Resources"].([]any) {
		sids = append(sids, r.(map[string]any)["id"].(string))
	}
	if diff := cmp.Diff([]string{schema.UserURN, schema.EnterpriseUserURN, acmeURN, schema.GroupURN}, sids); diff != "" {
		t.Errorf("schemas (-want +got):\n%s", diff)
	}
	for _, target := range []string{"/Schemas/urn:nosuch", "/ResourceTypes/Widget", "/Schemas/" + schema.UserURN + "/x"} {
		r := s.do("GET", target, "")
		r.expect(t, 404, "")
		if d, _ := r.body.(map[string]any)["detail"].(string); d == "" {
			t.Errorf("%s: 404 without detail", target)
		}
	}
}

// TestMalformedParameters checks that each malformed list parameter (RFC
// 7644 §3.4.2) is a 400 whose detail names the parameter.
func TestMalformedParameters(t *testing.T) {
	s := newServer(t, nil)
	tests := []struct {
		name, reason, query, detail string
	}{
		{"count not a number", "", "count=ten", "count"},
		{"startIndex not a number", "§3.4.2.4", "startIndex=abc", "startIndex"},
		{"unknown sortBy", "§3.4.2.3: sortBy names an attribute", "sortBy=nosuch", `sortBy "nosuch" is not an attribute of User: `},
		{"unknown sortBy sub-attribute", "the position is the parameter's", "sortBy=name.nosuch", `sortBy "name.nosuch" is not an attribute of User: at offset 5: `},
		{"complex sortBy", "a complex attribute has no order", "sortBy=name", "sortBy"},
		{"multi-valued sortBy without value", "§3.4.2.3 sorts by the primary value; addresses have no value", "sortBy=addresses", "sub-attributes"},
		{"bad sortOrder", "§3.4.2.3: ascending or descending", "sortOrder=sideways", "sortOrder"},
		{"bad attributes", "§3.4.2.5", "attributes=a..b", "a..b"},
		{"bad query string", "", "filter=%zz", "query"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, target := range []string{"/Users?" + tc.query, "/Users?" + strings.ToLower(tc.query)} {
				r := s.do("GET", target, "")
				r.expect(t, 400, "")
				e := r.body.(map[string]any)
				if d, _ := e["detail"].(string); !strings.Contains(strings.ToLower(d), strings.ToLower(tc.detail)) {
					t.Errorf("%s: detail = %q, want it to name %q (%s)", target, d, tc.detail, tc.reason)
				}
				if e["status"] != "400" || e["scimType"] == nil {
					t.Errorf("%s: error = %v", target, e)
				}
				if d, _ := e["detail"].(string); !strings.HasPrefix(tc.query, "filter=") && strings.Contains(d, "filter") {
					t.Errorf("%s: detail = %q speaks of a filter the request does not have", target, d)
				}
			}
		})
	}
	// Lenient values: startIndex below 1 means 1 (§3.4.2.4).
	s.do("GET", "/Users?startIndex=0", "").expect(t, 200, emptyList)
	s.do("GET", "/Users?startIndex=-5&count=0", "").expect(t, 200, emptyList)
}

// TestPaging lists 7 matching users (among others that do not match) 3 at
// a time (RFC 7644 §3.4.2.4): every page has the same totalResults, pages
// do not overlap, and the same page twice is the same.
func TestPaging(t *testing.T) {
	s := newServer(t, nil)
	var want []string
	for i := 1; i <= 10; i++ {
		title := "Engineer"
		if i%3 == 0 {
			title = "Manager"
		}
		s.do("POST", "/Users", fmt.Sprintf(`{"userName":"user%02d@example.com","title":%q}`, i, title)).expect(t, 201, "")
		if title == "Engineer" {
			want = append(want, fmt.Sprintf("id-%d", i))
		}
	}
	filter := "/Users?filter=title+eq+%22engineer%22&count=3&attributes=userName&startIndex="
	var got []string
	for _, start := range []int{1, 4, 7, 10} {
		r := s.do("GET", fmt.Sprint(filter, start), "")
		r.expect(t, 200, "")
		m := r.body.(map[string]any)
		page := ids(t, r)
		wantItems := min(3, max(0, 7-(start-1)))
		if fmt.Sprint(m["totalResults"]) != "7" || fmt.Sprint(m["startIndex"]) != fmt.Sprint(start) || fmt.Sprint(m["itemsPerPage"]) != fmt.Sprint(wantItems) || len(page) != wantItems {
			t.Errorf("page at %d: totalResults %v startIndex %v itemsPerPage %v, %d items; want 7, %d, %d",
				start, m["totalResults"], m["startIndex"], m["itemsPerPage"], len(page), start, wantItems)
		}
		again := s.do("GET", fmt.Sprint(filter, start), "")
		if diff := cmp.Diff(page, ids(t, again)); diff != "" {
			t.Errorf("page at %d is not stable (-first +second):\n%s", start, diff)
		}
		got = append(got, page...)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pages together (-want +got):\n%s", diff)
	}
	// count=0: only the total (§3.4.2.4).
	s.do("GET", "/Users?filter=title+eq+%22engineer%22&count=0", "").expect(t, 200,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":7,"startIndex":1,"itemsPerPage":0,"Resources":[]}`)
}

// TestSortByNeverReturnedValue: sorting a multi-valued attribute by its
// primary value is refused when that value is never returned, as sorting
// by the value itself is: the order would tell it.
func TestSortByNeverReturnedValue(t *testing.T) {
	const urn = "urn:example:params:scim:schemas:extension:2.0:Secrets"
	secrets := &schema.Schema{ID: urn, Name: "Secrets", Attributes: []*schema.Attribute{{
		Name: "secrets", Type: schema.Complex, MultiValued: true, SubAttributes: []*schema.Attribute{
			{Name: "value", Type: schema.String, Returned: schema.Never},
			{Name: "primary", Type: schema.Boolean},
		},
	}}}
	s := newServer(t, func(c *scim.Config) {
		c.ResourceTypes = []*schema.ResourceType{schema.UserResourceType(secrets), schema.GroupResourceType()}
	})
	for _, q := range []string{"sortBy=" + urn + ":secrets", "sortBy=" + urn + ":secrets.value", "sortBy=secrets"} {
		r := s.do("GET", "/Users?"+url.PathEscape(q), "")
		r.expect(t, 400, "")
		if d, _ := r.body.(map[string]any)["detail"].(string); !strings.Contains(d, "never returned") {
			t.Errorf("%s: detail %q does not say the value is never returned", q, d)
		}
	}
}
