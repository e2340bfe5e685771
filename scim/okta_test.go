package scim_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim"
)

const emptyList = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`

// TestOktaProvisioning replays, in order, what Okta sends to provision users
// and push groups (exchanges O1–O16 of Okta's SCIM 2.0 documentation), and
// checks every answer and the store's state after each write.
func TestOktaProvisioning(t *testing.T) {
	s := newServer(t, nil)

	// O1: "Test API Credentials".
	s.do("GET", "/Users?startIndex=1&count=2", "").expect(t, 200, emptyList)
	s.do("GET", "/Groups?startIndex=1&count=100", "").expect(t, 200, emptyList)

	// O2: does the user exist? Absent: 200 with an empty list, never 404.
	s.do("GET", "/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100", "").expect(t, 200, emptyList)

	// O3: create, with Okta's placeholder password, groups:[] and custom
	// attributes under the admin-chosen namespace (absent from schemas).
	created := s.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
	 "userName":"test.user@okta.local",
	 "name":{"givenName":"Test","familyName":"User"},
	 "emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
	 "displayName":"Test User","locale":"en-US",
	 "externalId":"00ujl29u0le5T6Aj10h7",
	 "groups":[],"password":"1mz050nq","active":true,
	 "urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"costCenter":"CC-7","badgeNumber":1042,"isContractor":"False"}}`)
	userJSON := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:acme:2.0:User"],
	 "id":"id-1","externalId":"00ujl29u0le5T6Aj10h7","userName":"test.user@okta.local",
	 "name":{"givenName":"Test","familyName":"User"},
	 "emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
	 "displayName":"Test User","locale":"en-US","active":true,
	 "urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"costCenter":"CC-7","badgeNumber":1042,"isContractor":false},
	 "meta":` + meta("User", "id-1") + `}`
	created.expect(t, 201, userJSON)
	if got, want := created.header.Get("Location"), testBase+"/Users/id-1"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	s.expectStored("User", "id-1", `{"externalId":"00ujl29u0le5T6Aj10h7","userName":"test.user@okta.local",
	 "name":{"givenName":"Test","familyName":"User"},
	 "emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
	 "displayName":"Test User","locale":"en-US","active":true,"password":"hash(1mz050nq)",
	 "urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"costCenter":"CC-7","badgeNumber":1042,"isContractor":false}}`)
	if strings.Contains(created.raw, "1mz050nq") {
		t.Errorf("the password was returned: %s", created.raw)
	}

	// A second create of the same userName, in another case: 409 uniqueness.
	dup := s.do("POST", "/Users", `{"userName":"TEST.USER@okta.local","active":true}`)
	dup.expect(t, 409, "")
	if m := dup.body.(map[string]any); m["scimType"] != "uniqueness" || m["status"] != "409" || m["detail"] == "" {
		t.Errorf("409 body = %v", m)
	}

	// O2 again: found, case-insensitively.
	found := s.do("GET", `/Users?filter=userName+eq+%22TEST.USER%40OKTA.LOCAL%22&startIndex=1&count=100`, "")
	found.expect(t, 200, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"startIndex":1,"itemsPerPage":1,"Resources":[`+userJSON+`]}`)

	// O4: read.
	s.do("GET", "/Users/id-1", "").expect(t, 200, userJSON)

	// O5: update by GET then full PUT, echoing id, meta and groups.
	s.do("PUT", "/Users/id-1", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
	 "id":"id-1","userName":"test.user@okta.local",
	 "name":{"givenName":"Another","middleName":"Excited","familyName":"User"},
	 "emails":[{"primary":true,"value":"test.user@okta.local","type":"work","display":"test.user@okta.local"}],
	 "active":true,"groups":[],"meta":{"resourceType":"User"},
	 "urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"costCenter":"CC-8","badgeNumber":"1043","isContractor":true}}`).
		expect(t, 200, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:acme:2.0:User"],
	 "id":"id-1","userName":"test.user@okta.local",
	 "name":{"givenName":"Another","middleName":"Excited","familyName":"User"},
	 "emails":[{"primary":true,"value":"test.user@okta.local","type":"work","display":"test.user@okta.local"}],
	 "active":true,
	 "urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"costCenter":"CC-8","badgeNumber":1043,"isContractor":true},
	 "meta":`+meta("User", "id-1")+`}`)
	s.expectStored("User", "id-1", `{"userName":"test.user@okta.local",
	 "name":{"givenName":"Another","middleName":"Excited","familyName":"User"},
	 "emails":[{"primary":true,"value":"test.user@okta.local","type":"work","display":"test.user@okta.local"}],
	 "active":true,"password":"hash(1mz050nq)",
	 "urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"costCenter":"CC-8","badgeNumber":1043,"isContractor":true}}`)

	// O6: deactivate (path-less replace), then the user stays readable.
	deact := s.do("PATCH", "/Users/id-1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	 "Operations":[{"op":"replace","value":{"active":false}}]}`)
	deact.expect(t, 200, "")
	if deact.body.(map[string]any)["active"] != false {
		t.Errorf("PATCH answer active = %v, want false", deact.body.(map[string]any)["active"])
	}
	if got := s.stored("User", "id-1")["active"]; got != false {
		t.Errorf("stored active = %v, want false", got)
	}
	s.do("GET", "/Users/id-1", "").expect(t, 200, "")
	// Custom attribute by URN-qualified path, then reactivate.
	s.do("PATCH", "/Users/id-1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	 "Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:acme:2.0:User:costCenter","value":"CC-9"},
	               {"op":"replace","value":{"active":true}}]}`).expect(t, 200, "")
	s.expectStored("User", "id-1", `{"userName":"test.user@okta.local",
	 "name":{"givenName":"Another","middleName":"Excited","familyName":"User"},
	 "emails":[{"primary":true,"value":"test.user@okta.local","type":"work","display":"test.user@okta.local"}],
	 "active":true,"password":"hash(1mz050nq)",
	 "urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"costCenter":"CC-9","badgeNumber":1043,"isContractor":true}}`)

	// O7: import users page by page; the order is stable.
	for _, u := range []string{"b@okta.local", "c@okta.local"} {
		s.do("POST", "/Users", `{"userName":"`+u+`","active":true}`).expect(t, 201, "")
	}
	page := func(start, count string) []any {
		t.Helper()
		r := s.do("GET", "/Users?startIndex="+start+"&count="+count, "")
		r.expect(t, 200, "")
		m := r.body.(map[string]any)
		if m["totalResults"].(interface{ String() string }).String() != "3" {
			t.Errorf("totalResults = %v, want 3", m["totalResults"])
		}
		var ids []any
		for _, res := range m["Resources"].([]any) {
			ids = append(ids, res.(map[string]any)["id"])
		}
		return ids
	}
	if diff := cmp.Diff([]any{"id-1", "id-2"}, page("1", "2")); diff != "" {
		t.Errorf("page 1 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"id-3"}, page("3", "2")); diff != "" {
		t.Errorf("page 2 (-want +got):\n%s", diff)
	}

	// O9: link pushed group by name: not there yet.
	s.do("GET", `/Groups?filter=displayName%20eq%20%22Test%20SCIMv2%22`, "").expect(t, 200, emptyList)

	// O10: create the group.
	s.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2","members":[]}`).
		expect(t, 201, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"id-4","displayName":"Test SCIMv2","meta":`+meta("Group", "id-4")+`}`)
	s.do("GET", `/Groups?filter=displayName%20eq%20%22test%20scimv2%22`, "").expect(t, 200, "")

	// O11: membership push: remove one that is not a member, add one.
	s.do("PATCH", "/Groups/id-4", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	 "Operations":[
	  {"op":"remove","path":"members[value eq \"89bb1940-b905-4575-9e7f-6f887cfb368e\"]"},
	  {"op":"add","path":"members","value":[{"value":"id-1","display":"test.user@okta.local"}]}]}`).expect(t, 204, "")
	s.expectStored("Group", "id-4", `{"displayName":"Test SCIMv2","members":[{"value":"id-1","display":"test.user@okta.local"}]}`)

	// O12: the rename Okta sends with every push, carrying the group id.
	s.do("PATCH", "/Groups/id-4", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	 "Operations":[{"op":"replace","value":{"id":"id-4","displayName":"Engineering"}}]}`).expect(t, 204, "")
	s.expectStored("Group", "id-4", `{"displayName":"Engineering","members":[{"value":"id-1","display":"test.user@okta.local"}]}`)

	// O11 again: now remove the member by filter path.
	s.do("PATCH", "/Groups/id-4", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	 "Operations":[{"op":"remove","path":"members[value eq \"id-1\"]"}]}`).expect(t, 204, "")
	s.expectStored("Group", "id-4", `{"displayName":"Engineering"}`)

	// O13: full membership push, then "Push now" of an empty group.
	s.do("PATCH", "/Groups/id-4", `{"Operations":[{"op":"replace","path":"members","value":[{"value":"id-1","display":"test.user@okta.local"},{"value":"id-2","display":"b@okta.local"}]}],
	 "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`).expect(t, 204, "")
	s.expectStored("Group", "id-4", `{"displayName":"Engineering","members":[{"value":"id-1","display":"test.user@okta.local"},{"value":"id-2","display":"b@okta.local"}]}`)
	s.do("PATCH", "/Groups/id-4", `{"Operations":[{"op":"replace","path":"members","value":[]}],
	 "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`).expect(t, 204, "")
	s.expectStored("Group", "id-4", `{"displayName":"Engineering"}`)

	// O14: AIW apps PUT the group with its full member list.
	s.do("PUT", "/Groups/id-4", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineering",
	 "members":[{"value":"id-3","display":"c@okta.local"}]}`).
		expect(t, 200, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"id-4","displayName":"Engineering",
	 "members":[{"value":"id-3","display":"c@okta.local"}],"meta":`+meta("Group", "id-4")+`}`)

	// O15: read the group with its members.
	s.do("GET", "/Groups/id-4", "").expect(t, 200, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"id-4","displayName":"Engineering",
	 "members":[{"value":"id-3","display":"c@okta.local"}],"meta":`+meta("Group", "id-4")+`}`)
	s.do("GET", "/Groups/id-4?excludedAttributes=members", "").expect(t, 200,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"id-4","displayName":"Engineering","meta":`+meta("Group", "id-4")+`}`)

	// O16: delete the group in the app.
	s.do("DELETE", "/Groups/id-4", "").expect(t, 204, "")
	s.do("GET", "/Groups/id-4", "").expect(t, 404, "")

	// The host heard about every committed change, in order.
	var kinds []string
	for _, c := range s.changes {
		kinds = append(kinds, string(c.Kind)+" "+c.Type+" "+c.ID)
	}
	want := []string{
		"created User id-1", "replaced User id-1", "patched User id-1", "patched User id-1",
		"created User id-2", "created User id-3", "created Group id-4",
		"patched Group id-4", "patched Group id-4", "patched Group id-4", "patched Group id-4", "patched Group id-4",
		"replaced Group id-4", "deleted Group id-4",
	}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("changes reported (-want +got):\n%s", diff)
	}
	if c := s.changes[0]; c.Kind != scim.Created || c.Resource == nil || c.Resource.ID != "id-1" {
		t.Errorf("first change = %+v", c)
	}
}

// TestOktaSpecTest replays the steps of Okta's SCIM 2.0 SPEC test (both
// versions of step 15, and the 401 and 404 steps of the newer one).
func TestOktaSpecTest(t *testing.T) {
	s := newServer(t, nil)
	s.do("POST", "/Users", `{"userName":"existing@example.com","name":{"givenName":"Ex","familyName":"Isting"},"emails":[{"value":"existing@example.com","primary":true}],"active":true}`).expect(t, 201, "")

	// 1: ServiceProviderConfig with every section filled in.
	spc := s.do("GET", "/ServiceProviderConfig", "")
	spc.expect(t, 200, "")
	m := spc.body.(map[string]any)
	for _, k := range []string{"patch", "bulk", "filter", "changePassword", "sort", "etag", "authenticationSchemes"} {
		if m[k] == nil {
			t.Errorf("ServiceProviderConfig has no %s", k)
		}
	}
	for _, k := range []string{"supported", "maxOperations", "maxPayloadSize"} {
		if m["bulk"].(map[string]any)[k] == nil {
			t.Errorf("bulk has no %s", k)
		}
	}
	if m["filter"].(map[string]any)["maxResults"] == nil {
		t.Errorf("filter has no maxResults")
	}
	if a := m["authenticationSchemes"].([]any)[0].(map[string]any); a["type"] == "" || a["description"] == "" {
		t.Errorf("authenticationSchemes[0] = %v", a)
	}
	// 2, 4, 6: writes to discovery endpoints are 405, whatever the body.
	for _, p := range []string{"/ServiceProviderConfig", "/ResourceTypes", "/Schemas"} {
		r := s.do("POST", p, "test\r\n\r\n", "Content-Type", "application/scim+json")
		r.expect(t, 405, "")
	}
	// 3: ResourceTypes, Users first.
	rts := s.do("GET", "/ResourceTypes", "")
	rts.expect(t, 200, "")
	first := rts.body.(map[string]any)["Resources"].([]any)[0].(map[string]any)
	if first["name"] != "User" || first["endpoint"] != "/Users" || first["schema"] != "urn:ietf:params:scim:schemas:core:2.0:User" {
		t.Errorf("ResourceTypes[0] = %v", first)
	}
	// 5: Schemas.
	sch := s.do("GET", "/Schemas", "")
	sch.expect(t, 200, "")
	s0 := sch.body.(map[string]any)["Resources"].([]any)[0].(map[string]any)
	if s0["id"] == "" || len(s0["attributes"].([]any)) == 0 {
		t.Errorf("Schemas[0] = %v", s0)
	}
	// 7, 8: list one user, read it back.
	l := s.do("GET", "/Users?count=1&startIndex=1", "")
	l.expect(t, 200, "")
	u := l.body.(map[string]any)["Resources"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "userName", "active", "name", "emails"} {
		if u[k] == nil {
			t.Errorf("listed user has no %s: %v", k, u)
		}
	}
	s.do("GET", "/Users/"+u["id"].(string), "").expect(t, 200, "")
	// 9, 11: unknown users by filter: empty list.
	s.do("GET", `/Users?filter=userName%20eq%20%22invalid-user%40example.com%22`, "").expect(t, 200, emptyList)
	// 10 and the newer 404 step.
	for _, id := range []string{"010101001010101011001010101011", "00919288221112222"} {
		r := s.do("GET", "/Users/"+id, "")
		r.expect(t, 404, "")
		e := r.body.(map[string]any)
		if e["detail"] == "" || e["status"] != "404" || e["schemas"].([]any)[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
			t.Errorf("404 body = %v", e)
		}
	}
	// 12, 13, 14: create without Content-Type, read, create again → 409.
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Random.User@example.com","name":{"givenName":"Random","familyName":"User"},"emails":[{"primary":true,"value":"random@example.com","type":"work"}],"displayName":"Random User","active":true}`
	c := s.do("POST", "/Users", body, "Content-Type", "")
	c.expect(t, 201, "")
	id := c.body.(map[string]any)["id"].(string)
	s.do("GET", "/Users/"+id, "").expect(t, 200, "")
	s.do("POST", "/Users", body).expect(t, 409, "")
	// 15, old version: a bare value is not a filter.
	bad := s.do("GET", "/Users?filter=RANDOM.USER@EXAMPLE.COM", "")
	bad.expect(t, 400, "")
	if bad.body.(map[string]any)["scimType"] != "invalidFilter" {
		t.Errorf("bare filter: %v", bad.body)
	}
	// 15, newer version: userName compares case-insensitively.
	up := s.do("GET", `/Users?filter=userName%20eq%20%22RANDOM.USER%40EXAMPLE.COM%22`, "")
	up.expect(t, 200, "")
	if n := up.body.(map[string]any)["totalResults"]; n.(interface{ String() string }).String() != "1" {
		t.Errorf("case-insensitive userName: totalResults = %v", n)
	}
	// The 401 step: a wrong token.
	req := s.do("GET", "/Users?filter=userName%20eq%20%22x%22", "", "Authorization", "Bearer wrong")
	req.expect(t, http.StatusUnauthorized, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"authentication required: send a valid bearer token in the Authorization header"}`)
	if req.header.Get("WWW-Authenticate") == "" {
		t.Errorf("401 without WWW-Authenticate")
	}
}
