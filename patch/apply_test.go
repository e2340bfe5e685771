package patch_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
)

const (
	ent       = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	groupID   = "abf4dd94-0000-4000-8000-000000000001"
	userID    = "23a35c27-0000-4000-8000-000000000001"
	baseUser  = `{"userName":"bjensen@example.com","active":true,"name":{"givenName":"Barbara","familyName":"Jensen"},"emails":[{"value":"bjensen@example.com","type":"work","primary":true}]}`
	baseGroup = `{"displayName":"Engineering","members":[{"value":"u1","display":"one"},{"value":"u2","display":"two"}]}`
)

type applyCase struct {
	name        string
	reason      string
	group       bool   // Group resource type instead of User with Enterprise User
	attrs       string // canonical data before, JSON
	body        string // PatchOp request body
	want        string // canonical data after, JSON
	wantChanged []string
	wantAdded   []string
	wantRemoved []string
}

func runApplyCases(t *testing.T, tests []applyCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt, id := userType(), userID
			if tc.group {
				rt, id = schema.GroupResourceType(), groupID
			}
			ops, err := patch.Decode([]byte(tc.body))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			attrs := decodeJSON(t, tc.attrs)
			before := deepCopy(attrs)
			res, err := patch.Apply(rt, id, attrs, ops)
			if err != nil {
				t.Fatalf("Apply: %v (%s)", err, tc.reason)
			}
			if diff := cmp.Diff(decodeJSON(t, tc.want), res.Attributes, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("attributes mismatch (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
			if diff := cmp.Diff(tc.wantChanged, res.Changed, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Changed mismatch (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
			if diff := cmp.Diff(tc.wantAdded, res.MembersAdded, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("MembersAdded mismatch (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
			if diff := cmp.Diff(tc.wantRemoved, res.MembersRemoved, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("MembersRemoved mismatch (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
			if diff := cmp.Diff(before, any(attrs), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Apply modified its input (-before +after):\n%s", diff)
			}
			if err := rt.Validate(res.Attributes); err != nil {
				t.Errorf("result does not validate: %v", err)
			}
		})
	}
}

// TestApplyOkta replays the PATCH bodies Okta sends (clients.md §1.2).
func TestApplyOkta(t *testing.T) {
	runApplyCases(t, []applyCase{
		{
			name:        "O6 deactivate",
			reason:      "path-less replace of active",
			attrs:       baseUser,
			body:        `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
			want:        strings.Replace(baseUser, `"active":true`, `"active":false`, 1),
			wantChanged: []string{"active"},
		},
		{
			name:        "O6 reactivate",
			reason:      "the mirror image",
			attrs:       strings.Replace(baseUser, `"active":true`, `"active":false`, 1),
			body:        `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`,
			want:        baseUser,
			wantChanged: []string{"active"},
		},
		{
			name:   "O11 membership push",
			reason: "remove by filter path, add with display",
			group:  true,
			attrs:  `{"displayName":"Test SCIMv2","members":[{"value":"89bb1940","display":"old@okta.local"}]}`,
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"remove","path":"members[value eq \"89bb1940\"]"},
				{"op":"add","path":"members","value":[{"value":"23a35c27","display":"test.user@okta.local"}]}]}`,
			want:        `{"displayName":"Test SCIMv2","members":[{"value":"23a35c27","display":"test.user@okta.local"}]}`,
			wantChanged: []string{"members"},
			wantAdded:   []string{"23a35c27"},
			wantRemoved: []string{"89bb1940"},
		},
		{
			name:   "O11 repeated push is idempotent",
			reason: "Okta removes members that are gone and re-adds members that are there",
			group:  true,
			attrs:  `{"displayName":"Test SCIMv2","members":[{"value":"23a35c27","display":"test.user@okta.local"}]}`,
			body: `{"Operations":[
				{"op":"remove","path":"members[value eq \"89bb1940\"]"},
				{"op":"add","path":"members","value":[{"value":"23a35c27","display":"test.user@okta.local"}]}]}`,
			want: `{"displayName":"Test SCIMv2","members":[{"value":"23a35c27","display":"test.user@okta.local"}]}`,
		},
		{
			name:        "O12 rename with own id",
			reason:      "the id inside the value equals the resource id and is ignored",
			group:       true,
			attrs:       baseGroup,
			body:        `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"` + groupID + `","displayName":"Test SCIMv2"}}]}`,
			want:        strings.Replace(baseGroup, "Engineering", "Test SCIMv2", 1),
			wantChanged: []string{"displayName"},
		},
		{
			name:   "O12 repeated rename is a no-op",
			reason: "Okta sends the rename with every push; nothing changes",
			group:  true,
			attrs:  baseGroup,
			body:   `{"Operations":[{"op":"replace","value":{"id":"` + groupID + `","displayName":"Engineering"}}]}`,
			want:   baseGroup,
		},
		{
			name:   "O13 full membership push",
			reason: "replace members without filter replaces the list",
			group:  true,
			attrs:  baseGroup,
			body: `{"Operations":[{"op":"replace","path":"members","value":[{"value":"u2","display":"two"},{"value":"u3","display":"three"}]}],
				"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`,
			want:        `{"displayName":"Engineering","members":[{"value":"u2","display":"two"},{"value":"u3","display":"three"}]}`,
			wantChanged: []string{"members"},
			wantAdded:   []string{"u3"},
			wantRemoved: []string{"u1"},
		},
		{
			name:        "O13 push of an empty group",
			reason:      "replace members [] empties the group",
			group:       true,
			attrs:       baseGroup,
			body:        `{"Operations":[{"op":"replace","path":"members","value":[]}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`,
			want:        `{"displayName":"Engineering"}`,
			wantChanged: []string{"members"},
			wantRemoved: []string{"u1", "u2"},
		},
		{
			name:   "O12 value with readOnly meta and groups",
			reason: "readOnly attributes inside a path-less value are ignored",
			attrs:  baseUser,
			body: `{"Operations":[{"op":"replace","value":{"id":"` + userID + `","meta":{"resourceType":"User"},"groups":[],
				"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"displayName":"Babs"}}]}`,
			want:        strings.Replace(baseUser, `"active":true`, `"active":true,"displayName":"Babs"`, 1),
			wantChanged: []string{"displayName"},
		},
	})
}

// TestApplyEntra replays the PATCH bodies Entra ID sends (clients.md §2.2).
func TestApplyEntra(t *testing.T) {
	runApplyCases(t, []applyCase{
		{
			name:   "E6 default dialect",
			reason: "value paths create missing elements with the filter's type; URN-qualified add",
			attrs:  baseUser,
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},
				{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"},
				{"op":"Replace","path":"addresses[type eq \"work\"].formatted","value":"18/2111"},
				{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Retail"},
				{"op":"Replace","path":"userName","value":"5b50642d@testuser.com"},
				{"op":"Add","path":"nickName","value":"Babs"}]}`,
			want: `{"userName":"5b50642d@testuser.com","active":true,"nickName":"Babs",
				"name":{"givenName":"Barbara","familyName":"updatedFamilyName"},
				"emails":[{"value":"updatedEmail@microsoft.com","type":"work","primary":true}],
				"addresses":[{"type":"work","formatted":"18/2111"}],
				"` + ent + `":{"department":"Retail"}}`,
			wantChanged: []string{"addresses", "emails", "name", "nickName", ent + ":department", "userName"},
		},
		{
			name:   "E6b compliant dialect",
			reason: "path-less value keys are paths: dotted and URN-qualified",
			attrs:  baseUser,
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"replace","path":"emails[type eq \"work\"].value","value":"TestMhvaes@test.microsoft.com"},
				{"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua",
				 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Aklq"}}]}`,
			want: `{"userName":"bjensen@example.com","active":true,"displayName":"Bjfe",
				"name":{"givenName":"Kkom","familyName":"Unua"},
				"emails":[{"value":"TestMhvaes@test.microsoft.com","type":"work","primary":true}],
				"` + ent + `":{"employeeNumber":"Aklq"}}`,
			wantChanged: []string{"displayName", "emails", "name", ent + ":employeeNumber"},
		},
		{
			name:   "E6b add variant",
			reason: "path-less add with dotted keys",
			attrs:  `{"userName":"foo"}`,
			body:   `{"Operations":[{"op":"add","value":{"displayName":"Foo Bar","title":"Bar Foo","name.givenName":"Foo","name.familyName":"Bar","name.formatted":"Foo Bar"}}]}`,
			want: `{"userName":"foo","displayName":"Foo Bar","title":"Bar Foo",
				"name":{"givenName":"Foo","familyName":"Bar","formatted":"Foo Bar"}}`,
			wantChanged: []string{"displayName", "name", "title"},
		},
		{
			name:        "E7 manager as a string",
			reason:      "stored as {value}",
			attrs:       baseUser,
			body:        `{"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"2c2f6fb8"}]}`,
			want:        strings.TrimSuffix(baseUser, "}") + `,"` + ent + `":{"manager":{"value":"2c2f6fb8"}}}`,
			wantChanged: []string{ent + ":manager"},
		},
		{
			name:        "E7 manager as a one-element array on the bare name",
			reason:      "older docs: path manager, value [{$ref, value}]",
			attrs:       baseUser,
			body:        `{"Operations":[{"op":"Add","path":"manager","value":[{"$ref":"https://example.com/Users/00aa","value":"00aa"}]}]}`,
			want:        strings.TrimSuffix(baseUser, "}") + `,"` + ent + `":{"manager":{"value":"00aa","$ref":"https://example.com/Users/00aa"}}}`,
			wantChanged: []string{ent + ":manager"},
		},
		{
			name:        "E7 manager with a dot before the attribute",
			reason:      "Microsoft's inbound collection writes ...:User.manager",
			attrs:       baseUser,
			body:        `{"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager","value":{"value":"m2"}}]}`,
			want:        strings.TrimSuffix(baseUser, "}") + `,"` + ent + `":{"manager":{"value":"m2"}}}`,
			wantChanged: []string{ent + ":manager"},
		},
		{
			name:        "E7 manager change",
			reason:      "replace sets the new value",
			attrs:       strings.TrimSuffix(baseUser, "}") + `,"` + ent + `":{"manager":{"value":"m1"},"department":"R&D"}}`,
			body:        `{"Operations":[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"m2"}]}`,
			want:        strings.TrimSuffix(baseUser, "}") + `,"` + ent + `":{"manager":{"value":"m2"},"department":"R&D"}}`,
			wantChanged: []string{ent + ":manager"},
		},
		{
			name:        "E7 manager remove by empty value",
			reason:      "replace with \"\" removes",
			attrs:       strings.TrimSuffix(baseUser, "}") + `,"` + ent + `":{"manager":{"value":"m1"}}}`,
			body:        `{"Operations":[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":""}]}`,
			want:        baseUser,
			wantChanged: []string{ent + ":manager"},
		},
		{
			name:        "E7 manager remove by null",
			reason:      "replace with null removes",
			attrs:       strings.TrimSuffix(baseUser, "}") + `,"` + ent + `":{"manager":{"value":"m1"}}}`,
			body:        `{"Operations":[{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":null}]}`,
			want:        baseUser,
			wantChanged: []string{ent + ":manager"},
		},
		{
			name:        "E8 disable, default dialect",
			reason:      `"False" is a boolean`,
			attrs:       baseUser,
			body:        `{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
			want:        strings.Replace(baseUser, `"active":true`, `"active":false`, 1),
			wantChanged: []string{"active"},
		},
		{
			name:        "E8 disable, compliant dialect",
			reason:      "boolean false",
			attrs:       baseUser,
			body:        `{"Operations":[{"op":"replace","path":"active","value":false}]}`,
			want:        strings.Replace(baseUser, `"active":true`, `"active":false`, 1),
			wantChanged: []string{"active"},
		},
		{
			name:        "E8 re-sent enable is a no-op",
			reason:      "Entra periodically re-sends active true",
			attrs:       baseUser,
			body:        `{"Operations":[{"op":"Replace","path":"active","value":"True"}]}`,
			want:        baseUser,
			wantChanged: nil,
		},
		{
			name:        "E10 role as a JSON string",
			reason:      "the JSON object in the value is unwrapped: its value is the role, its displayName the display; the id is dropped",
			attrs:       `{"userName":"u"}`,
			body:        `{"Operations":[{"op":"Add","path":"roles","value":[{"value":"{\"id\":\"06b0\",\"value\":\"Admin\",\"displayName\":\"Admin\"}"}]}]}`,
			want:        `{"userName":"u","roles":[{"value":"Admin","display":"Admin"}]}`,
			wantChanged: []string{"roles"},
		},
		{
			name:   "AppRoleAssignmentsComplex add after its POST",
			reason: "roles are keyed by value: the role the POST gave is there already (its type and primary kept), the new one is added with its displayName as display",
			attrs:  `{"userName":"u","roles":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Admin","value":"Admin"}]}`,
			body: `{"Operations":[{"op":"Add","path":"roles","value":[
			  {"value":"{\"id\":\"827f\",\"value\":\"Admin\",\"displayName\":\"Admin\"}"},
			  {"value":"{\"id\":\"8ae0\",\"value\":\"DocumentMgmt-Admin\",\"displayName\":\"DocumentMgmt Admin\"}"}]}]}`,
			want: `{"userName":"u","roles":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Admin","value":"Admin"},
			  {"value":"DocumentMgmt-Admin","display":"DocumentMgmt Admin"}]}`,
			wantChanged: []string{"roles"},
		},
		{
			name:        "AppRoleAssignmentsComplex add of held roles",
			reason:      "every role is held already (values compare case-insensitively): nothing changes, so Entra's repeated add is a no-op",
			attrs:       `{"userName":"u","roles":[{"display":"Admin","value":"Admin"}]}`,
			body:        `{"Operations":[{"op":"Add","path":"roles","value":[{"value":"{\"id\":\"827f\",\"value\":\"admin\",\"displayName\":\"Admin\"}"}]}]}`,
			want:        `{"userName":"u","roles":[{"display":"Admin","value":"Admin"}]}`,
			wantChanged: nil,
		},
		{
			name:        "AppRoleAssignmentsComplex displayName in a plain element",
			reason:      "displayName stands for display inside a role, primary may be a string",
			attrs:       `{"userName":"u"}`,
			body:        `{"Operations":[{"op":"Add","path":"roles","value":[{"primary":"false","type":"WindowsAzureActiveDirectoryRole","displayName":"Admin","value":"Admin"}]}]}`,
			want:        `{"userName":"u","roles":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Admin","value":"Admin"}]}`,
			wantChanged: []string{"roles"},
		},
		{
			name:        "SingleAppRoleAssignment moves to a held role",
			reason:      "the primary role's value becomes one the user holds: one element, primary, remains; the old primary role is gone",
			attrs:       `{"userName":"u","roles":[{"primary":true,"value":"Admin"},{"value":"User","display":"User"}]}`,
			body:        `{"Operations":[{"op":"replace","path":"roles[primary eq \"True\"].value","value":"User"}]}`,
			want:        `{"userName":"u","roles":[{"primary":true,"value":"User","display":"User"}]}`,
			wantChanged: []string{"roles"},
		},
		{
			name:        "SingleAppRoleAssignment changes the role",
			reason:      "the primary role's value changes: the display that named the old role is dropped",
			attrs:       `{"userName":"u","roles":[{"primary":true,"value":"Admin","display":"Admin","type":"WindowsAzureActiveDirectoryRole"}]}`,
			body:        `{"Operations":[{"op":"Replace","path":"roles[primary eq \"True\"].value","value":"User"}]}`,
			want:        `{"userName":"u","roles":[{"primary":true,"value":"User","type":"WindowsAzureActiveDirectoryRole"}]}`,
			wantChanged: []string{"roles"},
		},
		{
			name:   "SingleAppRoleAssignment changes the role, display first (SCIM Validator)",
			reason: "the display written by the operation before the value's is the new role's, and stays",
			attrs:  `{"userName":"u","roles":[{"primary":true,"value":"Admin","display":"Admin"}]}`,
			body: `{"Operations":[
			  {"op":"replace","path":"roles[primary eq \"True\"].display","value":"User role"},
			  {"op":"replace","path":"roles[primary eq \"True\"].value","value":"User"}]}`,
			want:        `{"userName":"u","roles":[{"primary":true,"value":"User","display":"User role"}]}`,
			wantChanged: []string{"roles"},
		},
		{
			name:   "SingleAppRoleAssignment by sub-attribute (SCIM Validator)",
			reason: "one op per sub-attribute, string boolean in the filter: the first creates the primary element, the others fill it",
			attrs:  `{"userName":"u"}`,
			body: `{"Operations":[
			  {"op":"add","path":"roles[primary eq \"True\"].display","value":"Role display"},
			  {"op":"add","path":"roles[primary eq \"True\"].value","value":"role-value"},
			  {"op":"add","path":"roles[primary eq \"True\"].type","value":"role-type"}]}`,
			want:        `{"userName":"u","roles":[{"primary":true,"display":"Role display","value":"role-value","type":"role-type"}]}`,
			wantChanged: []string{"roles"},
		},
		{
			name:        "E10 assertive replace of roles",
			reason:      "replace of a multi-valued attribute replaces the list",
			attrs:       `{"userName":"u","roles":[{"value":"Old"}]}`,
			body:        `{"Operations":[{"op":"replace","path":"roles","value":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"}]}]}`,
			want:        `{"userName":"u","roles":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"}]}`,
			wantChanged: []string{"roles"},
		},
		{
			name:        "E10 single role by primary filter creates",
			reason:      `roles[primary eq "True"].value creates a primary role`,
			attrs:       `{"userName":"u"}`,
			body:        `{"Operations":[{"op":"Replace","path":"roles[primary eq \"True\"].value","value":"Admin"}]}`,
			want:        `{"userName":"u","roles":[{"primary":true,"value":"Admin"}]}`,
			wantChanged: []string{"roles"},
		},
		{
			name:        "E10 single role by primary filter updates",
			reason:      "a matching element is updated, the others are kept",
			attrs:       `{"userName":"u","roles":[{"value":"Reader"},{"primary":true,"value":"User"}]}`,
			body:        `{"Operations":[{"op":"Replace","path":"roles[primary eq \"True\"].value","value":"Admin"}]}`,
			want:        `{"userName":"u","roles":[{"value":"Reader"},{"primary":true,"value":"Admin"}]}`,
			wantChanged: []string{"roles"},
		},
		{
			name:        "E14 rename, default dialect",
			reason:      "path displayName",
			group:       true,
			attrs:       baseGroup,
			body:        `{"Operations":[{"op":"Replace","path":"displayName","value":"1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}]}`,
			want:        strings.Replace(baseGroup, "Engineering", "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName", 1),
			wantChanged: []string{"displayName"},
		},
		{
			name:        "E14 rename, compliant dialect",
			reason:      "path-less replace",
			group:       true,
			attrs:       baseGroup,
			body:        `{"Operations":[{"op":"replace","value":{"displayName":"Renamed"}}]}`,
			want:        strings.Replace(baseGroup, "Engineering", "Renamed", 1),
			wantChanged: []string{"displayName"},
		},
		{
			name:        "E15 add members with $ref null",
			reason:      "$ref null is absent; several members per op",
			group:       true,
			attrs:       `{"displayName":"G"}`,
			body:        `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"f648f8d5"},{"$ref":null,"value":"a1"}]}]}`,
			want:        `{"displayName":"G","members":[{"value":"f648f8d5"},{"value":"a1"}]}`,
			wantChanged: []string{"members"},
			wantAdded:   []string{"a1", "f648f8d5"},
		},
		{
			name:        "E16 remove listed members, default dialect",
			reason:      "a value list removes only the listed members",
			group:       true,
			attrs:       baseGroup,
			body:        `{"Operations":[{"op":"Remove","path":"members","value":[{"value":"u1"}]}]}`,
			want:        `{"displayName":"Engineering","members":[{"value":"u2","display":"two"}]}`,
			wantChanged: []string{"members"},
			wantRemoved: []string{"u1"},
		},
		{
			name:        "E16 remove by filter, compliant dialect",
			reason:      "filter path",
			group:       true,
			attrs:       baseGroup,
			body:        `{"Operations":[{"op":"remove","path":"members[value eq \"u2\"]"}]}`,
			want:        `{"displayName":"Engineering","members":[{"value":"u1","display":"one"}]}`,
			wantChanged: []string{"members"},
			wantRemoved: []string{"u2"},
		},
		{
			name:        "remove members without value removes all",
			reason:      "RFC 7644 §3.5.2.2",
			group:       true,
			attrs:       baseGroup,
			body:        `{"Operations":[{"op":"remove","path":"members"}]}`,
			want:        `{"displayName":"Engineering"}`,
			wantChanged: []string{"members"},
			wantRemoved: []string{"u1", "u2"},
		},
	})
}

// TestApplyRules covers the RFC 7644 rules and the package's choices.
func TestApplyRules(t *testing.T) {
	runApplyCases(t, []applyCase{
		{
			name:        "replace complex merges",
			reason:      "RFC 7644 §3.5.2.3: sub-attributes not given are left unchanged",
			attrs:       baseUser,
			body:        `{"Operations":[{"op":"replace","path":"name","value":{"givenName":"Babs","middleName":null}}]}`,
			want:        strings.Replace(baseUser, `"givenName":"Barbara"`, `"givenName":"Babs"`, 1),
			wantChanged: []string{"name"},
		},
		{
			name:        "null sub-attribute in a complex value removes it",
			reason:      "null means absent",
			attrs:       baseUser,
			body:        `{"Operations":[{"op":"replace","path":"name","value":{"familyName":null}}]}`,
			want:        strings.Replace(baseUser, `,"familyName":"Jensen"`, ``, 1),
			wantChanged: []string{"name"},
		},
		{
			name:        "path-less nested objects",
			reason:      "core URN key and extension URN key hold objects",
			attrs:       `{"userName":"u"}`,
			body:        `{"Operations":[{"op":"add","value":{"urn:ietf:params:scim:schemas:core:2.0:User":{"nickName":"n"},"` + ent + `":{"department":"D","manager":"m"}}}]}`,
			want:        `{"userName":"u","nickName":"n","` + ent + `":{"department":"D","manager":{"value":"m"}}}`,
			wantChanged: []string{"nickName", ent + ":department", ent + ":manager"},
		},
		{
			name:   "path-less unknown attributes are ignored",
			reason: "as in POST and PUT, unknown attributes and namespaces are ignored",
			attrs:  `{"userName":"u"}`,
			body:   `{"Operations":[{"op":"add","value":{"favouriteColour":"red","urn:ietf:params:scim:schemas:extension:myapp:2.0:User":{"costCode":"42"},"title":"T"}}]}`,
			want:   `{"userName":"u","title":"T"}`, wantChanged: []string{"title"},
		},
		{
			name:        "remove sub-attribute",
			reason:      "name.givenName",
			attrs:       baseUser,
			body:        `{"Operations":[{"op":"remove","path":"name.givenName"}]}`,
			want:        strings.Replace(baseUser, `"givenName":"Barbara",`, ``, 1),
			wantChanged: []string{"name"},
		},
		{
			name:        "remove last sub-attribute removes the complex value",
			reason:      "empty values are not stored",
			attrs:       `{"userName":"u","name":{"givenName":"G"}}`,
			body:        `{"Operations":[{"op":"remove","path":"name.givenName"}]}`,
			want:        `{"userName":"u"}`,
			wantChanged: []string{"name"},
		},
		{
			name:        "remove element by filter",
			reason:      "matching records are removed; no remaining values means unassigned",
			attrs:       baseUser,
			body:        `{"Operations":[{"op":"remove","path":"emails[type eq \"work\"]"}]}`,
			want:        `{"userName":"bjensen@example.com","active":true,"name":{"givenName":"Barbara","familyName":"Jensen"}}`,
			wantChanged: []string{"emails"},
		},
		{
			name:        "removing the value of an element removes the element",
			reason:      "an email without value is meaningless (Microsoft null-update test)",
			attrs:       `{"userName":"u","emails":[{"value":"a@x","type":"work"},{"value":"b@x","type":"home"}]}`,
			body:        `{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":""}]}`,
			want:        `{"userName":"u","emails":[{"value":"b@x","type":"home"}]}`,
			wantChanged: []string{"emails"},
		},
		{
			name:   "remove with a filter matching nothing is a no-op",
			reason: "RFC 7644 §3.5.2.2 defines no failure",
			attrs:  baseUser,
			body:   `{"Operations":[{"op":"remove","path":"emails[type eq \"home\"]"}]}`,
			want:   baseUser,
		},
		{
			name:        "new primary demotes the old one",
			reason:      "RFC 7643 §2.4: at most one primary; the latest wins",
			attrs:       `{"userName":"u","emails":[{"value":"a@x","type":"work","primary":true},{"value":"b@x","type":"home"}]}`,
			body:        `{"Operations":[{"op":"replace","path":"emails[type eq \"home\"].primary","value":true}]}`,
			want:        `{"userName":"u","emails":[{"value":"a@x","type":"work","primary":false},{"value":"b@x","type":"home","primary":true}]}`,
			wantChanged: []string{"emails"},
		},
		{
			name:        "added primary demotes the old one",
			reason:      "add of a primary element",
			attrs:       `{"userName":"u","emails":[{"value":"a@x","type":"work","primary":true}]}`,
			body:        `{"Operations":[{"op":"add","path":"emails","value":{"value":"b@x","type":"home","primary":true}}]}`,
			want:        `{"userName":"u","emails":[{"value":"a@x","type":"work","primary":false},{"value":"b@x","type":"home","primary":true}]}`,
			wantChanged: []string{"emails"},
		},
		{
			name:   "add exact duplicate is skipped",
			reason: "RFC 7644 §3.5.2.1: no change when the value is already there",
			attrs:  `{"userName":"u","emails":[{"value":"a@x","type":"work"}]}`,
			body:   `{"Operations":[{"op":"add","path":"emails","value":[{"value":"a@x","type":"work"}]}]}`,
			want:   `{"userName":"u","emails":[{"value":"a@x","type":"work"}]}`,
		},
		{
			name:        "add on a value path with a match sets the sub-attribute",
			reason:      "add emails[type eq work].display",
			attrs:       `{"userName":"u","emails":[{"value":"a@x","type":"work"}]}`,
			body:        `{"Operations":[{"op":"add","path":"emails[type eq \"work\"].display","value":"A"}]}`,
			want:        `{"userName":"u","emails":[{"value":"a@x","type":"work","display":"A"}]}`,
			wantChanged: []string{"emails"},
		},
		{
			name:        "replace element by filter merges",
			reason:      "an element is a complex value: sub-attributes not given are kept",
			attrs:       `{"userName":"u","emails":[{"value":"a@x","type":"work"}]}`,
			body:        `{"Operations":[{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"b@x"}}]}`,
			want:        `{"userName":"u","emails":[{"value":"b@x","type":"work"}]}`,
			wantChanged: []string{"emails"},
		},
		{
			name:        "remove a whole extension",
			reason:      "path is the extension URN",
			attrs:       `{"userName":"u","` + ent + `":{"department":"D","costCenter":"C"}}`,
			body:        `{"Operations":[{"op":"remove","path":"` + ent + `"}]}`,
			want:        `{"userName":"u"}`,
			wantChanged: []string{ent + ":costCenter", ent + ":department"},
		},
		{
			name:        "remove the last extension attribute removes the extension object",
			reason:      "empty values are not stored",
			attrs:       `{"userName":"u","` + ent + `":{"department":"D"}}`,
			body:        `{"Operations":[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}]}`,
			want:        `{"userName":"u"}`,
			wantChanged: []string{ent + ":department"},
		},
		{
			name:        "case-insensitive names",
			reason:      "clients send name.FamilyName, Emails[Type eq ...].Value",
			attrs:       baseUser,
			body:        `{"Operations":[{"op":"replace","path":"NAME.FamilyName","value":"J"},{"op":"replace","path":"Emails[Type eq \"work\"].Value","value":"z@x"}]}`,
			want:        strings.Replace(strings.Replace(baseUser, `"familyName":"Jensen"`, `"familyName":"J"`, 1), `"value":"bjensen@example.com"`, `"value":"z@x"`, 1),
			wantChanged: []string{"emails", "name"},
		},
		{
			name:   "add then remove the same member nets out",
			reason: "MembersAdded and MembersRemoved are net of each other",
			group:  true,
			attrs:  baseGroup,
			body: `{"Operations":[{"op":"add","path":"members","value":"u9"},{"op":"remove","path":"members[value eq \"u9\"]"},
				{"op":"remove","path":"members[value eq \"u1\"]"},{"op":"add","path":"members","value":[{"value":"u1","display":"one"}]}]}`,
			want: `{"displayName":"Engineering","members":[{"value":"u2","display":"two"},{"value":"u1","display":"one"}]}`,
			// The order of members changed, and order is part of the value.
			wantChanged: []string{"members"},
		},
		{
			name:        "bare string members and duplicates in one add",
			reason:      "MS Postman sends strings; membership add is idempotent",
			group:       true,
			attrs:       baseGroup,
			body:        `{"Operations":[{"op":"add","path":"members","value":["u1","u3","u3"]}]}`,
			want:        `{"displayName":"Engineering","members":[{"value":"u1","display":"one"},{"value":"u2","display":"two"},{"value":"u3"}]}`,
			wantChanged: []string{"members"},
			wantAdded:   []string{"u3"},
		},
		{
			name:        "empty value list removes nothing",
			reason:      "a selector that selects nothing",
			group:       true,
			attrs:       baseGroup,
			body:        `{"Operations":[{"op":"remove","path":"members","value":[]}]}`,
			want:        baseGroup,
			wantChanged: nil,
		},
		{
			name:        "set an immutable value that had none",
			reason:      "RFC 7644 §3.5.2: add to an immutable attribute without a value is allowed",
			group:       true,
			attrs:       baseGroup,
			body:        `{"Operations":[{"op":"replace","path":"members[value eq \"u1\"].display","value":"uno"}]}`,
			want:        strings.Replace(baseGroup, `"one"`, `"uno"`, 1),
			wantChanged: []string{"members"},
		},
		{
			name:        "empty operations",
			reason:      "a no-op",
			attrs:       baseUser,
			body:        `{"Operations":[]}`,
			want:        baseUser,
			wantChanged: nil,
		},
		{
			name:        "sub-attribute of every element",
			reason:      "a sub-attribute path without a filter writes every element",
			attrs:       `{"userName":"u","emails":[{"value":"a@x"},{"value":"b@x","type":"home"}]}`,
			body:        `{"Operations":[{"op":"replace","path":"emails.type","value":"other"}]}`,
			want:        `{"userName":"u","emails":[{"value":"a@x","type":"other"},{"value":"b@x","type":"other"}]}`,
			wantChanged: []string{"emails"},
		},
		{
			name:        "sub-attribute of a missing list creates an element",
			reason:      "replace of an attribute without a value is an add",
			attrs:       `{"userName":"u"}`,
			body:        `{"Operations":[{"op":"add","path":"phoneNumbers.value","value":"+1 555"}]}`,
			want:        `{"userName":"u","phoneNumbers":[{"value":"+1 555"}]}`,
			wantChanged: []string{"phoneNumbers"},
		},
		{
			name:        "address left with only its type is removed",
			reason:      "attributes without a value sub-attribute: nothing but type and primary is hollow",
			attrs:       `{"userName":"u","addresses":[{"type":"work","formatted":"18/2111"},{"type":"home","locality":"Oslo"}]}`,
			body:        `{"Operations":[{"op":"remove","path":"addresses[type eq \"work\"].formatted"}]}`,
			want:        `{"userName":"u","addresses":[{"type":"home","locality":"Oslo"}]}`,
			wantChanged: []string{"addresses"},
		},
		{
			name:        "extension URN as the path",
			reason:      "the value holds the extension's attributes",
			attrs:       `{"userName":"u","` + ent + `":{"department":"D"}}`,
			body:        `{"Operations":[{"op":"replace","path":"` + ent + `","value":{"costCenter":"C","department":null}}]}`,
			want:        `{"userName":"u","` + ent + `":{"costCenter":"C"}}`,
			wantChanged: []string{ent + ":costCenter", ent + ":department"},
		},
		{
			name:        "replace element with null removes it",
			reason:      "null means absent",
			attrs:       `{"userName":"u","emails":[{"value":"a@x","type":"work"},{"value":"b@x","type":"home"}]}`,
			body:        `{"Operations":[{"op":"replace","path":"emails[type eq \"work\"]","value":null}]}`,
			want:        `{"userName":"u","emails":[{"value":"b@x","type":"home"}]}`,
			wantChanged: []string{"emails"},
		},
		{
			name:        "id path equal to the resource id",
			reason:      "same rule as inside a value",
			attrs:       baseUser,
			body:        `{"Operations":[{"op":"replace","path":"id","value":"` + userID + `"}]}`,
			want:        baseUser,
			wantChanged: nil,
		},
	})
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		name      string
		reason    string
		group     bool
		attrs     string
		body      string
		wantIndex int
		wantType  string
		wantMsg   string
	}{
		{
			name: "unknown attribute", reason: "a path naming no attribute is invalidPath",
			attrs: baseUser, body: `{"Operations":[{"op":"add","path":"nickName","value":"n"},{"op":"replace","path":"favouriteColour","value":"red"}]}`,
			wantIndex: 1, wantType: schema.ScimInvalidPath, wantMsg: `operation 1 (replace "favouriteColour"): filter: at offset 0: unknown attribute`,
		},
		{
			name: "malformed path", reason: "a path that does not parse is invalidPath",
			attrs: baseUser, body: `{"Operations":[{"op":"remove","path":"emails[type eq"}]}`,
			wantIndex: 0, wantType: schema.ScimInvalidPath, wantMsg: `operation 0 (remove "emails[type eq"): filter:`,
		},
		{
			name: "readOnly by path", reason: "RFC 7644 §3.5.2: readOnly attributes cannot be modified",
			attrs: baseUser, body: `{"Operations":[{"op":"add","path":"groups","value":[{"value":"g"}]}]}`,
			wantIndex: 0, wantType: schema.ScimMutability, wantMsg: `operation 0 (add "groups"): attribute "groups": the attribute is readOnly`,
		},
		{
			name: "remove readOnly", reason: "meta cannot be removed",
			attrs: baseUser, body: `{"Operations":[{"op":"remove","path":"meta"}]}`,
			wantIndex: 0, wantType: schema.ScimMutability, wantMsg: `attribute "meta"`,
		},
		{
			name: "other id in value", reason: "Okta's id must be the resource's own",
			group: true, attrs: baseGroup, body: `{"Operations":[{"op":"replace","value":{"id":"other","displayName":"x"}}]}`,
			wantIndex: 0, wantType: schema.ScimMutability, wantMsg: `operation 0 (replace): attribute "id": id is readOnly and cannot be changed`,
		},
		{
			name: "member value rewritten", reason: "members.value is immutable (RFC 7643 §2.2): changing it would turn one member into another or a duplicate",
			group: true, attrs: baseGroup, body: `{"Operations":[{"op":"replace","path":"members.value","value":"u9"}]}`,
			wantIndex: 0, wantType: schema.ScimMutability, wantMsg: `attribute "members.value": the value of an existing element cannot change`,
		},
		{
			name: "member value rewritten by filter", reason: "the same through a value filter and a sub-attribute",
			group: true, attrs: baseGroup, body: `{"Operations":[{"op":"replace","path":"members[value eq \"u1\"].value","value":"u9"}]}`,
			wantIndex: 0, wantType: schema.ScimMutability, wantMsg: `attribute "members.value"`,
		},
		{
			name: "member replaced by another", reason: "and through a filtered replace of the whole element",
			group: true, attrs: baseGroup, body: `{"Operations":[{"op":"replace","path":"members[value eq \"u1\"]","value":{"value":"u9"}}]}`,
			wantIndex: 0, wantType: schema.ScimMutability, wantMsg: `attribute "members.value"`,
		},
		{
			name: "required attribute removed", reason: "the result must validate; the error names the op that removed it",
			attrs: baseUser, body: `{"Operations":[{"op":"remove","path":"userName"},{"op":"add","path":"nickName","value":"n"}]}`,
			wantIndex: 0, wantType: schema.ScimInvalidValue, wantMsg: `operation 0 (remove "userName"): attribute "userName"`,
		},
		{
			name: "no element to create", reason: "RFC 7644 §3.5.2.3 noTarget when the filter cannot describe a new element",
			attrs: baseUser, body: `{"Operations":[{"op":"replace","path":"emails[value co \"nomatch\"].type","value":"home"}]}`,
			wantIndex: 0, wantType: schema.ScimNoTarget, wantMsg: `attribute "emails": no value matches the filter`,
		},
		{
			name: "bad boolean", reason: "values are checked against the attribute type",
			attrs: baseUser, body: `{"Operations":[{"op":"replace","path":"active","value":"maybe"}]}`,
			wantIndex: 0, wantType: schema.ScimInvalidValue, wantMsg: `operation 0 (replace "active"): attribute "active"`,
		},
		{
			name: "bad sub-attribute value on a value path", reason: "the message names the sub-attribute",
			attrs: baseUser, body: `{"Operations":[{"op":"add","path":"nickName","value":"n"},{"op":"replace","path":"emails[type eq \"work\"].primary","value":"sometimes"}]}`,
			wantIndex: 1, wantType: schema.ScimInvalidValue, wantMsg: `operation 1 (replace "emails[type eq \"work\"].primary"): attribute "emails.primary"`,
		},
		{
			name: "path-less value not an object", reason: "a path-less value holds attributes",
			attrs: baseUser, body: `{"Operations":[{"op":"replace","value":"x"}]}`,
			wantIndex: 0, wantType: schema.ScimInvalidValue, wantMsg: "must be an object of attributes",
		},
		{
			name: "remove the core schema", reason: "not a removable target",
			attrs: baseUser, body: `{"Operations":[{"op":"remove","path":"urn:ietf:params:scim:schemas:core:2.0:User"}]}`,
			wantIndex: 0, wantType: schema.ScimInvalidPath, wantMsg: "the core schema cannot be removed",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt, id := userType(), userID
			if tc.group {
				rt, id = schema.GroupResourceType(), groupID
			}
			ops, err := patch.Decode([]byte(tc.body))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			attrs := decodeJSON(t, tc.attrs)
			before := deepCopy(attrs)
			res, err := patch.Apply(rt, id, attrs, ops)
			if res != nil {
				t.Errorf("Apply returned a result with an error")
			}
			var pe *patch.Error
			if !errors.As(err, &pe) {
				t.Fatalf("Apply error = %v (%T), want *patch.Error (%s)", err, err, tc.reason)
			}
			if pe.Index != tc.wantIndex || pe.ScimType() != tc.wantType || !strings.Contains(pe.Error(), tc.wantMsg) {
				t.Errorf("Apply error = index %d, %s, %q\nwant index %d, %s, containing %q\nreason: %s",
					pe.Index, pe.ScimType(), pe.Error(), tc.wantIndex, tc.wantType, tc.wantMsg, tc.reason)
			}
			if errors.Unwrap(pe) != pe.Err {
				t.Errorf("Unwrap does not return Err")
			}
			if diff := cmp.Diff(before, any(attrs)); diff != "" {
				t.Errorf("Apply modified its input (-before +after):\n%s", diff)
			}
		})
	}
}

// TestApplyOperationsWithoutDecode covers operations built in code, which
// Decode would have rejected.
func TestApplyOperationsWithoutDecode(t *testing.T) {
	tests := []struct {
		name     string
		reason   string
		ops      []patch.Operation
		wantType string
	}{
		{"remove without path", "RFC 7644 §3.5.2.2", []patch.Operation{{Op: "remove"}}, schema.ScimNoTarget},
		{"unknown op", "only three ops", []patch.Operation{{Op: "copy", Path: "title"}}, schema.ScimInvalidSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := patch.Apply(userType(), userID, decodeJSON(t, baseUser), tc.ops)
			var pe *patch.Error
			if !errors.As(err, &pe) || pe.ScimType() != tc.wantType {
				t.Errorf("Apply error = %v, want scimType %s (%s)", err, tc.wantType, tc.reason)
			}
		})
	}
}

func TestErrorScimType(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		err    error
		want   string
	}{
		{"schema error", "its own scimType", schema.Errorf(schema.ScimMutability, "x", "d"), schema.ScimMutability},
		{"filter error", "a path that does not parse", &filter.Error{Offset: 3, Msg: "m"}, schema.ScimInvalidPath},
		{"other", "anything else is a syntax problem", errors.New("x"), schema.ScimInvalidSyntax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := (&patch.Error{Err: tc.err}).ScimType(); got != tc.want {
				t.Errorf("ScimType = %q, want %q (%s)", got, tc.want, tc.reason)
			}
		})
	}
}

// TestApplyImmutable uses a host extension with an immutable attribute.
func TestApplyImmutable(t *testing.T) {
	const urn = "urn:example:params:scim:schemas:extension:hr:2.0:User"
	rt := schema.UserResourceType(&schema.Schema{ID: urn, Name: "HR", Attributes: []*schema.Attribute{
		{Name: "badge", Type: schema.String, Mutability: schema.Immutable},
	}})
	res, err := patch.Apply(rt, userID, map[string]any{"userName": "u"}, []patch.Operation{{Op: "add", Path: "badge", Value: "B1"}})
	if err != nil {
		t.Fatalf("setting an immutable attribute without a value: %v", err)
	}
	if diff := cmp.Diff(map[string]any{"userName": "u", urn: map[string]any{"badge": "B1"}}, res.Attributes); diff != "" {
		t.Errorf("attributes mismatch (-want +got):\n%s", diff)
	}
	_, err = patch.Apply(rt, userID, res.Attributes, []patch.Operation{
		{Op: "add", Path: "title", Value: "T"},
		{Op: "replace", Path: "badge", Value: "B2"},
		{Op: "add", Path: "nickName", Value: "N"},
	})
	var pe *patch.Error
	if !errors.As(err, &pe) || pe.Index != 1 || pe.ScimType() != schema.ScimMutability {
		t.Errorf("changing an immutable attribute: error = %v, want mutability at operation 1", err)
	}
}

// TestApplySecretAlwaysChanged: writing the stored password again still
// counts as a change, so the answer (a new version or not) cannot confirm a
// guess of a value that is never returned.
func TestApplySecretAlwaysChanged(t *testing.T) {
	rt := schema.UserResourceType(schema.EnterpriseUserSchema())
	attrs := map[string]any{"userName": "a", "password": "topsecret", "nickName": "n"}
	for _, tc := range []struct {
		name, reason string
		ops          []patch.Operation
		want         []string
	}{
		{"same password", "a guess that matches must look like any other write", []patch.Operation{{Op: "replace", Path: "password", Value: "topsecret"}}, []string{"password"}},
		{"other password", "a real change", []patch.Operation{{Op: "replace", Path: "password", Value: "other"}}, []string{"password"}},
		{"path-less", "the same through a path-less value", []patch.Operation{{Op: "replace", Value: map[string]any{"password": "topsecret"}}}, []string{"password"}},
		{"same nickName", "ordinary attributes still report only real changes", []patch.Operation{{Op: "replace", Path: "nickName", Value: "n"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := patch.Apply(rt, "id1", attrs, tc.ops)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, res.Changed); diff != "" {
				t.Errorf("Changed (-want +got) (%s):\n%s", tc.reason, diff)
			}
		})
	}
}
