package scim_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim/schema"
)

const (
	entURN   = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	patchURN = `"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]`
)

// mergePatch applies the JSON merge patch (RFC 7396) delta to the JSON
// document base and returns the result as JSON: tests describe each stored
// state as the previous one plus what the exchange changed.
func mergePatch(t *testing.T, base, delta string) string {
	t.Helper()
	var merge func(dst, src any) any
	merge = func(dst, src any) any {
		sm, ok := src.(map[string]any)
		if !ok {
			return src
		}
		dm, ok := dst.(map[string]any)
		out := map[string]any{}
		if ok {
			for k, v := range dm {
				out[k] = v
			}
		}
		for k, v := range sm {
			if v == nil {
				delete(out, k)
				continue
			}
			out[k] = merge(out[k], v)
		}
		return out
	}
	b, err := json.Marshal(merge(decode(t, base), decode(t, delta)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// served returns the JSON a GET of the resource typ/id whose stored data is
// the JSON stored answers: the data without write-only attributes, plus
// schemas (core, then the extensions present), id and meta.
func served(t *testing.T, typ, id, stored string) string {
	t.Helper()
	m := decode(t, stored).(map[string]any)
	delete(m, "password")
	urns := []any{"urn:ietf:params:scim:schemas:core:2.0:" + typ}
	for _, u := range []string{entURN, acmeURN} {
		if _, ok := m[u]; ok {
			urns = append(urns, u)
		}
	}
	m["schemas"] = urns
	m["id"] = id
	m["meta"] = decode(t, meta(typ, id))
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// listOf is the ListResponse holding the given resources, all on one page.
func listOf(items ...string) string {
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":%d,"startIndex":1,"itemsPerPage":%d,"Resources":[%s]}`,
		len(items), len(items), strings.Join(items, ","))
}

// entraDialect is one of the two PATCH dialects of Microsoft Entra ID
// (clients.md §2.1): the default one, and the RFC-compliant one selected by
// "?aadOptscim062020" in the tenant URL.
type entraDialect struct {
	name, reason string
	// op spells a PATCH op name: "Add"/"Replace"/"Remove" or lower case.
	op func(string) string
	// update is E6 (default) or E6b (flag); updated is the stored user's
	// change (a JSON merge patch); update2 and updated2 are a second update
	// of the dialect.
	update, updated   string
	update2, updated2 string
	// active writes the value of active: "False" or false.
	active func(bool) string
	// roles are E10's operations and rolesWant the stored roles after them.
	roles     []string
	rolesWant []string
	// rename is E14, remove E16 (removing id-1 and id-3).
	rename, remove string
}

var entraDialects = []entraDialect{
	{
		name:   "default",
		reason: "without the flag Entra capitalises ops, sends booleans as strings and removes members by a value list",
		op:     func(s string) string { return strings.ToUpper(s[:1]) + s[1:] },
		update: `{` + patchURN + `,"Operations":[
		  {"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},
		  {"op":"Replace","path":"name.familyName","value":"updatedFamilyName"},
		  {"op":"Replace","path":"addresses[type eq \"work\"].formatted","value":"18/2111"},
		  {"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Retail"},
		  {"op":"Replace","path":"userName","value":"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"},
		  {"op":"Add","path":"nickName","value":"Babs"}]}`,
		updated: `{"emails":[{"primary":true,"type":"work","value":"updatedEmail@microsoft.com"}],
		  "name":{"familyName":"updatedFamilyName"},
		  "addresses":[{"type":"work","formatted":"18/2111"}],
		  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Retail"},
		  "userName":"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com","nickName":"Babs"}`,
		update2: `{` + patchURN + `,"Operations":[
		  {"op":"Replace","path":"Name.GivenName","value":"Barbara"},
		  {"op":"Replace","path":"phoneNumbers[type eq \"mobile\"].value","value":"+1 555 0100"},
		  {"op":"Replace","path":"emails[type eq \"work\"].Primary","value":"True"}]}`,
		updated2: `{"name":{"givenName":"Barbara"},"phoneNumbers":[{"type":"mobile","value":"+1 555 0100"}]}`,
		active: func(b bool) string {
			if b {
				return `"True"`
			}
			return `"False"`
		},
		roles: []string{
			`{"op":"Add","path":"roles","value":[{"value":"{\"id\":\"06b07648-ecfe-589f-9d2f-6325724a46ee\",\"value\":\"Admin\",\"displayName\":\"Admin\"}"}]}`,
			`{"op":"Replace","path":"roles[primary eq \"True\"].value","value":"Admin"}`,
		},
		rolesWant: []string{
			`[{"value":"Admin","display":"Admin"}]`,
			`[{"value":"Admin","display":"Admin","primary":true}]`,
		},
		rename: `{"op":"Replace","path":"displayName","value":"displayName_updated"}`,
		remove: `{"op":"Remove","path":"members","value":[{"value":"id-1"},{"value":"id-3"}]}`,
	},
	{
		name:   "aadOptscim062020",
		reason: "with the flag Entra sends lower-case ops, booleans, path-less replaces with dotted and URN keys and removes members by filter path",
		op:     func(s string) string { return s },
		update: `{` + patchURN + `,"Operations":[
		  {"op":"replace","path":"emails[type eq \"work\"].value","value":"TestMhvaes@test.microsoft.com"},
		  {"op":"replace","path":"addresses[type eq \"work\"].formatted","value":"18/2111"},
		  {"op":"replace","value":{
		     "displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua",
		     "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Aklq"}}]}`,
		updated: `{"emails":[{"primary":true,"type":"work","value":"TestMhvaes@test.microsoft.com"}],
		  "addresses":[{"type":"work","formatted":"18/2111"}],
		  "displayName":"Bjfe","name":{"givenName":"Kkom","familyName":"Unua"},
		  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"Aklq"}}`,
		update2: `{` + patchURN + `,"Operations":[{"op":"add","value":{
		  "displayName":"Foo Bar","title":"Bar Foo","name.givenName":"Foo","name.familyName":"Bar","name.formatted":"Foo Bar"}}]}`,
		updated2: `{"displayName":"Foo Bar","title":"Bar Foo","name":{"givenName":"Foo","familyName":"Bar","formatted":"Foo Bar"}}`,
		active:   func(b bool) string { return fmt.Sprint(b) },
		roles: []string{
			`{"op":"replace","path":"roles","value":[
			  {"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},
			  {"primary":true,"type":"WindowsAzureActiveDirectoryRole","display":"Admin","value":"Admin"}]}`,
			`{"op":"replace","path":"roles[primary eq true].value","value":"Owner"}`,
		},
		rolesWant: []string{
			`[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},
			  {"primary":true,"type":"WindowsAzureActiveDirectoryRole","display":"Admin","value":"Admin"}]`,
			`[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},
			  {"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"Owner"}]`,
		},
		rename: `{"op":"replace","value":{"displayName":"displayName_updated"}}`,
		remove: `{"op":"remove","path":"members[value eq \"id-1\"]"},{"op":"remove","path":"members[value eq \"id-3\"]"}`,
	},
}

// TestEntraProvisioning replays, in order and in both PATCH dialects,
// every exchange of Microsoft Entra ID's provisioning service (clients.md
// §2.2, E1–E18), and checks each answer and the store's state after each
// write.
func TestEntraProvisioning(t *testing.T) {
	for _, d := range entraDialects {
		t.Run(d.name, func(t *testing.T) {
			s := newServer(t, nil)
			ops := func(list ...string) string {
				return `{` + patchURN + `,"Operations":[` + strings.Join(list, ",") + `]}`
			}

			// E1: Test Connection, a random GUID as userName, "+" for spaces,
			// no Accept or Content-Type: 200 with an empty list.
			s.do("GET", "/Users?filter=userName+eq+%227d420df3-9995-4831-a406-ecf8166f5f6a%22", "", "Accept", "").
				expect(t, 200, emptyList)

			// E2: schema discovery lists User, Enterprise User and Group.
			sch := s.do("GET", "/Schemas", "")
			sch.expect(t, 200, "")
			var ids []string
			for _, r := range sch.body.(map[string]any)["Resources"].([]any) {
				ids = append(ids, r.(map[string]any)["id"].(string))
			}
			for _, want := range []string{schema.UserURN, entURN, schema.GroupURN} {
				if !strings.Contains(strings.Join(ids, " "), want) {
					t.Errorf("/Schemas ids %v lack %s (%s)", ids, want, d.reason)
				}
			}
			if strings.Contains(sch.raw, "null") {
				t.Errorf("/Schemas carries null properties")
			}

			// E3 before the user exists.
			s.do("GET", `/Users?filter=userName+eq+%22Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee%22`, "").expect(t, 200, emptyList)

			// E4: create, with nulls, the misspelt enterprise URN, client
			// meta and roles:[].
			created := s.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
			 "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
			 "userName":"Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee","active":true,
			 "emails":[{"primary":true,"type":"work","value":"Test_User_00aa00aa@testuser.com"}],
			 "meta":{"resourceType":"User"},
			 "name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
			 "roles":[],"addresses":null,"phoneNumbers":null,"title":null,"department":null,"manager":null}`,
				"Content-Type", "application/scim+json")
			u1 := `{"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
			 "userName":"Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee","active":true,
			 "emails":[{"primary":true,"type":"work","value":"Test_User_00aa00aa@testuser.com"}],
			 "name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"}}`
			created.expect(t, 201, served(t, "User", "id-1", u1))
			if got, want := created.header.Get("Location"), testBase+"/Users/id-1"; got != want {
				t.Errorf("Location = %q, want %q", got, want)
			}
			s.expectStored("User", "id-1", u1)
			// The manager-to-be and a third user.
			s.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"mgr","userName":"Test_User_manager","active":true}`).expect(t, 201, "")
			s.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"third","userName":"Test_User_third","active":true}`).expect(t, 201, "")

			// E3: match by userName (another case), externalId quoted and
			// unquoted, and by the work email.
			found := listOf(served(t, "User", "id-1", u1))
			for _, q := range []string{
				`userName+eq+%22test_user_00AA00AA-bb11-cc22-dd33-44ee44ee44ee%22`,
				`externalId+eq+%220a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef%22`,
				`externalId+eq+0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef`,
				`emails%5Btype+eq+%22work%22%5D.value+eq+%22test_user_00aa00aa%40testuser.com%22`,
			} {
				s.do("GET", "/Users?filter="+q, "").expect(t, 200, found)
			}
			s.do("GET", `/Users?filter=externalId+eq+%220A21F0F2-8d2a-4f8e-bf98-7363c4aed4ef%22`, "").expect(t, 200, emptyList) // caseExact

			// E5: read, and the 404 of an unknown id.
			s.do("GET", "/Users/id-1", "").expect(t, 200, served(t, "User", "id-1", u1))
			s.do("GET", "/Users/5d48a0a8e9f04aa38008", "").expect(t, 404,
				`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"User \"5d48a0a8e9f04aa38008\" not found"}`)

			// E6 / E6b: the dialect's updates; the work address does not exist
			// yet, so the value path creates it.
			u1 = mergePatch(t, u1, d.updated)
			s.do("PATCH", "/Users/id-1", d.update).expect(t, 200, served(t, "User", "id-1", u1))
			s.expectStored("User", "id-1", u1)
			u1 = mergePatch(t, u1, d.updated2)
			s.do("PATCH", "/Users/id-1", d.update2).expect(t, 200, served(t, "User", "id-1", u1))
			s.expectStored("User", "id-1", u1)

			// E7: the manager as a plain string, cleared with "", as an
			// object, cleared with null, as a one-element array; always
			// stored and returned as {"value": id}.
			mgrPath := `"path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"`
			for _, step := range []struct {
				name, op, want string
			}{
				{"string", `{"op":"` + d.op("add") + `",` + mgrPath + `,"value":"id-2"}`, `{"value":"id-2"}`},
				{"empty string", `{"op":"` + d.op("replace") + `",` + mgrPath + `,"value":""}`, `null`},
				{"object", `{"op":"` + d.op("replace") + `",` + mgrPath + `,"value":{"value":"id-3"}}`, `{"value":"id-3"}`},
				{"null", `{"op":"` + d.op("replace") + `",` + mgrPath + `,"value":null}`, `null`},
				{"array", `{"op":"` + d.op("add") + `","path":"manager","value":[{"$ref":null,"value":"id-2"}]}`, `{"value":"id-2"}`},
			} {
				u1 = mergePatch(t, u1, `{"`+entURN+`":{"manager":`+step.want+`}}`)
				r := s.do("PATCH", "/Users/id-1", ops(step.op))
				r.expect(t, 200, served(t, "User", "id-1", u1))
				s.expectStored("User", "id-1", u1)
			}
			s.do("GET", "/Users/id-1", "").expect(t, 200, served(t, "User", "id-1", u1))
			// The older pre-check query, with unquoted values.
			s.do("GET", "/Users?filter=id+eq+id-1+and+manager+eq+id-2&attributes=id", "").
				expect(t, 200, listOf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"id-1"}`))
			s.do("GET", "/Users?filter=id+eq+id-1+and+manager+eq+id-3&attributes=id", "").expect(t, 200, emptyList)

			// E8: disable; the user stays readable; Entra re-sends enables.
			for _, active := range []bool{false, true, true} {
				u1 = mergePatch(t, u1, fmt.Sprintf(`{"active":%v}`, active))
				s.do("PATCH", "/Users/id-1", ops(`{"op":"`+d.op("replace")+`","path":"active","value":`+d.active(active)+`}`)).
					expect(t, 200, served(t, "User", "id-1", u1))
				s.expectStored("User", "id-1", u1)
				s.do("GET", "/Users/id-1", "").expect(t, 200, served(t, "User", "id-1", u1))
			}

			// E10: role assignments.
			for i, op := range d.roles {
				u1 = mergePatch(t, u1, `{"roles":`+d.rolesWant[i]+`}`)
				s.do("PATCH", "/Users/id-1", ops(op)).expect(t, 200, served(t, "User", "id-1", u1))
				s.expectStored("User", "id-1", u1)
			}

			// Microsoft's validator: a PATCH with no operations changes
			// nothing and answers the user.
			before := s.do("GET", "/Users/id-1", "")
			noop := s.do("PATCH", "/Users/id-1", `{`+patchURN+`,"Operations":[]}`)
			noop.expect(t, 200, served(t, "User", "id-1", u1))
			if noop.header.Get("ETag") != before.header.Get("ETag") {
				t.Errorf("empty PATCH changed the version: %s → %s", before.header.Get("ETag"), noop.header.Get("ETag"))
			}
			s.expectStored("User", "id-1", u1)

			// E11: the group does not exist yet.
			s.do("GET", `/Groups?excludedAttributes=members&filter=displayName+eq+%22displayName%22`, "").expect(t, 200, emptyList)

			// E12: create with the ADSCIM URN and client meta.
			g := `{"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName"}`
			s.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
			 "externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName","meta":{"resourceType":"Group"}}`).
				expect(t, 201, served(t, "Group", "id-4", g))
			s.expectStored("Group", "id-4", g)

			// E15: add several members, with "$ref": null.
			g = mergePatch(t, g, `{"members":[{"value":"id-1"},{"value":"id-2"},{"value":"id-3"}]}`)
			s.do("PATCH", "/Groups/id-4", ops(`{"op":"`+d.op("add")+`","path":"members","value":[{"$ref":null,"value":"id-1"},{"$ref":null,"value":"id-2"}]}`,
				`{"op":"`+d.op("add")+`","path":"members","value":[{"$ref":null,"value":"id-3"},{"$ref":null,"value":"id-1"}]}`)).expect(t, 204, "")
			s.expectStored("Group", "id-4", g)

			// E13 and E11: reads without members.
			noMembers := served(t, "Group", "id-4", `{"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName"}`)
			s.do("GET", "/Groups/id-4?excludedAttributes=members", "").expect(t, 200, noMembers)
			s.do("GET", `/Groups?excludedAttributes=members&filter=displayName+eq+%22displayName%22`, "").expect(t, 200, listOf(noMembers))
			s.do("GET", "/Groups/id-4", "").expect(t, 200, served(t, "Group", "id-4", g))

			// E14: rename.
			g = mergePatch(t, g, `{"displayName":"displayName_updated"}`)
			s.do("PATCH", "/Groups/id-4", ops(d.rename)).expect(t, 204, "")
			s.expectStored("Group", "id-4", g)

			// E16: remove id-1 and id-3; id-2 stays.
			g = mergePatch(t, g, `{"members":[{"value":"id-2"}]}`)
			s.do("PATCH", "/Groups/id-4", ops(d.remove)).expect(t, 204, "")
			s.expectStored("Group", "id-4", g)

			// E18: the membership probe.
			s.do("GET", `/Groups?filter=id+eq+%22id-4%22+and+members+eq+%22id-2%22&attributes=id`, "").
				expect(t, 200, listOf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"id-4"}`))
			s.do("GET", `/Groups?filter=id+eq+%22id-4%22+and+members+eq+%22id-1%22&attributes=id`, "").expect(t, 200, emptyList)

			// An empty PATCH on a group: 204, nothing changes.
			s.do("PATCH", "/Groups/id-4", `{`+patchURN+`,"Operations":[]}`).expect(t, 204, "")
			s.expectStored("Group", "id-4", g)

			// E9: delete the manager: 204, then 404, and it left the group.
			s.do("DELETE", "/Users/id-2", "").expect(t, 204, "")
			s.do("GET", "/Users/id-2", "").expect(t, 404, "")
			s.do("DELETE", "/Users/id-2", "").expect(t, 404, "")
			s.expectStored("Group", "id-4", `{"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName_updated"}`)

			// E17: delete the group.
			s.do("DELETE", "/Groups/id-4", "").expect(t, 204, "")
			s.do("GET", "/Groups/id-4", "").expect(t, 404, "")
			s.do("GET", `/Groups?filter=displayName+eq+%22displayName_updated%22`, "").expect(t, 200, emptyList)
		})
	}
}

// TestOneLoginTemplate replays OneLogin's connector (clients.md §3): bodies
// rendered from an admin-edited template, with string booleans, empty
// strings for unset parameters, "id": null, unknown URNs and keys, and
// URLs with a trailing "?" or "&".
func TestOneLoginTemplate(t *testing.T) {
	s := newServer(t, nil)
	// OL1: the connection test, with a trailing "&".
	s.do("GET", "/Users?filter=userName+eq+%22nobody%40example.com%22&", "").expect(t, 200, emptyList)

	// OL3: create from the template.
	body := func(active string) string {
		return `{"schemas":["urn:scim:schemas:core:2.0","urn:scim:schemas:extension:enterprise:2.0"],
		 "id":null,"meta":{"resourceType":"User"},
		 "userName":"jane.doe@example.com","externalId":"",
		 "name":{"givenName":"Jane","familyName":"Doe","formatted":""},
		 "displayName":"Jane Doe","title":"","nickName":null,
		 "emails":[{"value":"jane.doe@example.com","type":"work","primary":"true"}],
		 "prefferedLanguage":"en-US",
		 "active":"` + active + `",
		 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","employeeNumber":"","manager":{"value":""}}}`
	}
	u := `{"userName":"jane.doe@example.com","name":{"givenName":"Jane","familyName":"Doe"},"displayName":"Jane Doe",
	 "emails":[{"value":"jane.doe@example.com","type":"work","primary":true}],"active":true,
	 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales"}}`
	s.do("POST", "/Users", body("true")).expect(t, 201, served(t, "User", "id-1", u))
	s.expectStored("User", "id-1", u)

	// OL2 and OL4: find and read.
	s.do("GET", "/Users?filter=userName+eq+%22jane.doe%40example.com%22&", "").expect(t, 200, listOf(served(t, "User", "id-1", u)))
	s.do("GET", "/Users/id-1?", "").expect(t, 200, served(t, "User", "id-1", u))

	// OL5: the template again as a PUT with a trailing "?", now inactive.
	u = mergePatch(t, u, `{"active":false}`)
	s.do("PUT", "/Users/id-1?", body("false")).expect(t, 200, served(t, "User", "id-1", u))
	s.expectStored("User", "id-1", u)

	// OL6–OL8: groups.
	s.do("GET", "/Groups?", "").expect(t, 200, emptyList)
	s.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Sales","id":null,"members":[]}`).
		expect(t, 201, served(t, "Group", "id-2", `{"displayName":"Sales"}`))
	s.do("PATCH", "/Groups/id-2?", `{`+patchURN+`,"Operations":[{"op":"add","path":"members","value":[{"value":"id-1"}]}]}`).expect(t, 204, "")
	s.expectStored("Group", "id-2", `{"displayName":"Sales","members":[{"value":"id-1"}]}`)
	s.do("PATCH", "/Groups/id-2", `{`+patchURN+`,"Operations":[{"op":"remove","path":"members[value eq \"id-1\"]"}]}`).expect(t, 204, "")
	s.expectStored("Group", "id-2", `{"displayName":"Sales"}`)

	// OL9: the Delete deprovisioning action.
	s.do("DELETE", "/Users/id-1", "").expect(t, 204, "")
	s.do("GET", "/Users/id-1", "").expect(t, 404, "")

	t.Run("empty multi-valued elements", func(t *testing.T) {
		s := newServer(t, nil)
		s.do("POST", "/Users", `{"userName":"x@example.com","phoneNumbers":[{"value":"","type":"work"}],"addresses":[{"city":"Paris","type":"work"}]}`).
			expect(t, 201, served(t, "User", "id-1", `{"userName":"x@example.com"}`))
		s.expectStored("User", "id-1", `{"userName":"x@example.com"}`)
	})
}

// TestJumpCloudActivation replays JumpCloud's activation test (clients.md
// §4): it creates a test user and a test group, adds and removes the
// member the Entra way, and deletes both.
func TestJumpCloudActivation(t *testing.T) {
	s := newServer(t, nil)
	u := `{"userName":"jumpcloud.test@example.com","name":{"givenName":"JumpCloud","familyName":"Test"},
	 "emails":[{"value":"jumpcloud.test@example.com","type":"work","primary":true}],"displayName":"JumpCloud Test","active":true}`
	s.do("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
	 "userName":"jumpcloud.test@example.com","name":{"givenName":"JumpCloud","familyName":"Test"},
	 "emails":[{"value":"jumpcloud.test@example.com","type":"work","primary":true}],"displayName":"JumpCloud Test","active":true}`).
		expect(t, 201, served(t, "User", "id-1", u))
	s.expectStored("User", "id-1", u)
	s.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"JumpCloud Test Group"}`).
		expect(t, 201, served(t, "Group", "id-2", `{"displayName":"JumpCloud Test Group"}`))
	s.do("PATCH", "/Groups/id-2", `{`+patchURN+`,"Operations":[{"op":"add","path":"members","value":[{"value":"id-1"}]}]}`).expect(t, 204, "")
	s.expectStored("Group", "id-2", `{"displayName":"JumpCloud Test Group","members":[{"value":"id-1"}]}`)
	s.do("PATCH", "/Groups/id-2", `{`+patchURN+`,"Operations":[{"op":"remove","path":"members","value":[{"value":"id-1"}]}]}`).expect(t, 204, "")
	s.expectStored("Group", "id-2", `{"displayName":"JumpCloud Test Group"}`)
	s.do("DELETE", "/Groups/id-2", "").expect(t, 204, "")
	s.do("DELETE", "/Users/id-1", "").expect(t, 204, "")
	s.do("GET", "/Groups/id-2", "").expect(t, 404, "")
	s.do("GET", "/Users/id-1", "").expect(t, 404, "")
	s.do("GET", "/Users", "").expect(t, 200, emptyList)
}
