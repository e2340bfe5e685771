package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim/schema"
)

// wantErr describes an expected *schema.Error; detail is a substring.
type wantErr struct {
	scimType, path, detail string
}

func checkErr(t *testing.T, err error, want *wantErr, reason string) bool {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error %v (%s)", err, reason)
		}
		return false
	}
	var se *schema.Error
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want a *schema.Error %+v (%s)", err, *want, reason)
	}
	got := wantErr{se.ScimType, se.Path, want.detail}
	if diff := cmp.Diff(*want, got, cmp.AllowUnexported(wantErr{})); diff != "" {
		t.Errorf("error mismatch (-want +got):\n%s\nerror: %v\nreason: %s", diff, err, reason)
	}
	if !strings.Contains(se.Detail, want.detail) {
		t.Errorf("detail %q does not contain %q (%s)", se.Detail, want.detail, reason)
	}
	return true
}

func TestNormalize(t *testing.T) {
	users := userType()
	groups := schema.GroupResourceType()
	required := schema.UserResourceType(schema.EnterpriseUserSchema())
	required.Extensions[0].Required = true

	tests := []struct {
		name        string
		reason      string
		rt          *schema.ResourceType
		body        string
		want        string
		wantIgnored []string
		wantErr     *wantErr
	}{
		{
			name:   "okta O3 create",
			reason: "clients.md O3 plus an Okta custom namespace: password kept, groups:[] ignored, custom types coerced",
			body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","` + acmeURN + `"],
			 "userName":"test.user@okta.local",
			 "name":{"givenName":"Test","familyName":"User"},
			 "emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
			 "displayName":"Test User","locale":"en-US",
			 "externalId":"00ujl29u0le5T6Aj10h7",
			 "groups":[],"password":"1mz050nq","active":true,
			 "` + acmeURN + `":{"costCenter":"CC-7","badgeNumber":1234,"isContractor":true}}`,
			want: `{"userName":"test.user@okta.local",
			 "name":{"givenName":"Test","familyName":"User"},
			 "emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],
			 "displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7",
			 "password":"1mz050nq","active":true,
			 "` + acmeURN + `":{"costCenter":"CC-7","badgeNumber":1234,"isContractor":true}}`,
			wantIgnored: []string{"groups"},
		},
		{
			name:   "okta O5 put",
			reason: "Okta echoes id, meta and groups from its GET: id and meta dropped silently, groups reported",
			body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
			 "id":"23a35c27","userName":"test.user@okta.local",
			 "name":{"givenName":"Another","middleName":"Excited","familyName":"User"},
			 "emails":[{"primary":true,"value":"test.user@okta.local","type":"work","display":"test.user@okta.local"}],
			 "active":true,"groups":[],"meta":{"resourceType":"User"}}`,
			want: `{"userName":"test.user@okta.local",
			 "name":{"givenName":"Another","middleName":"Excited","familyName":"User"},
			 "emails":[{"primary":true,"value":"test.user@okta.local","type":"work","display":"test.user@okta.local"}],
			 "active":true}`,
			wantIgnored: []string{"groups"},
		},
		{
			name:   "entra E4 create",
			reason: "nulls, a misspelt URN in schemas, client meta and roles:[] are all tolerated; bare enterprise names resolve to the extension",
			body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
			 "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
			 "userName":"Test_User_1","active":true,
			 "addresses":null,"phoneNumbers":null,"title":null,"department":null,"manager":null,
			 "emails":[{"primary":true,"type":"work","value":"Test_User_1@testuser.com"}],
			 "meta":{"resourceType":"User"},
			 "name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
			 "roles":[]}`,
			want: `{"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_1","active":true,
			 "emails":[{"primary":true,"type":"work","value":"Test_User_1@testuser.com"}],
			 "name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"}}`,
		},
		{
			name:   "entra E12 group",
			reason: "the ADSCIM URN in schemas is not an error",
			rt:     groups,
			body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
			 "externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName","meta":{"resourceType":"Group"}}`,
			want: `{"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName"}`,
		},
		{
			name:   "onelogin template",
			reason: "OneLogin renders admin templates: string booleans, empty strings, id:null, odd keys and URNs, numbers for strings",
			body: `{"schemas":["urn:scim:schemas:core:2.0","urn:scim:schemas:extension:enterprise:2.0"],
			 "id":null,"userName":"jdoe@example.com",
			 "name":{"givenName":"Jane","familyName":"Doe","middleName":""},
			 "active":"true","title":"","prefferedLanguage":"",
			 "emails":[{"value":"jdoe@example.com","primary":"True","type":"work"}],
			 "phoneNumbers":[{"value":5551234,"type":"work"}],
			 "addresses":[{"city":"","locality":"","type":"work"}],
			 "meta":{"resourceType":"User"},
			 "urn:scim:schemas:extension:enterprise:2.0":{"department":"x"}}`,
			want: `{"userName":"jdoe@example.com","name":{"givenName":"Jane","familyName":"Doe"},"active":true,
			 "emails":[{"value":"jdoe@example.com","primary":true,"type":"work"}],
			 "phoneNumbers":[{"value":"5551234","type":"work"}]}`,
			wantIgnored: []string{"addresses.city", "prefferedLanguage", "urn:scim:schemas:extension:enterprise:2.0"},
		},
		{
			name:   "case-insensitive keys",
			reason: "attribute and sub-attribute names match in any case and come out canonical",
			body:   `{"USERNAME":"a","Name":{"GivenName":"x"},"Emails":[{"Value":"a@b","Primary":"TRUE"}],"EXTERNALID":"e"}`,
			want:   `{"userName":"a","name":{"givenName":"x"},"emails":[{"value":"a@b","primary":true}],"externalId":"e"}`,
		},
		{
			name:   "core URN object",
			reason: "Okta custom attributes with the core namespace arrive under the core URN and merge at the top level",
			body:   `{"userName":"a","URN:IETF:params:scim:schemas:core:2.0:User":{"nickName":"n","name":{"givenName":"g"}},"name":{"familyName":"f"}}`,
			want:   `{"userName":"a","nickName":"n","name":{"givenName":"g","familyName":"f"}}`,
		},
		{
			name:   "extension object not in schemas",
			reason: "extension data counts whether or not its URN is listed, and the URN key is matched case-insensitively",
			body:   `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","urn:ietf:params:scim:schemas:extension:ENTERPRISE:2.0:user":{"Department":"R&D"}}`,
			want:   `{"userName":"a","` + entURN + `":{"department":"R&D"}}`,
		},
		{
			name:   "URN-qualified attribute keys",
			reason: "Entra-style keys with the full URN, also with a sub-attribute, merge with the extension object",
			body: `{"userName":"a","` + entURN + `:department":"R&D","` + entURN + `:manager.value":"m1",
			 "` + entURN + `":{"costCenter":"c"},"urn:ietf:params:scim:schemas:core:2.0:User:nickName":"n"}`,
			want: `{"userName":"a","nickName":"n","` + entURN + `":{"department":"R&D","costCenter":"c","manager":{"value":"m1"}}}`,
		},
		{
			name:        "read-only sub-attribute by URN path",
			reason:      "manager.displayName is readOnly: dropped and reported",
			body:        `{"userName":"a","` + entURN + `:manager.displayName":"Boss"}`,
			want:        `{"userName":"a"}`,
			wantIgnored: []string{entURN + ":manager.displayName"},
		},
		{
			name:        "manager forms",
			reason:      "manager as a plain id becomes {value}; its readOnly displayName is dropped",
			body:        `{"userName":"a","` + entURN + `":{"manager":"m1","employeeNumber":"7"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.DisplayName":"x"}`,
			want:        `{"userName":"a","` + entURN + `":{"manager":{"value":"m1"},"employeeNumber":"7"}}`,
			wantIgnored: []string{entURN + ":manager.displayName"},
		},
		{
			name:        "manager as one-element array",
			reason:      "older Entra docs send [{$ref,value}]; the single element is taken",
			body:        `{"userName":"a","` + entURN + `":{"manager":[{"$ref":"https://x/Users/m1","value":"m1","displayName":"Boss"}]}}`,
			want:        `{"userName":"a","` + entURN + `":{"manager":{"$ref":"https://x/Users/m1","value":"m1"}}}`,
			wantIgnored: []string{entURN + ":manager.displayName"},
		},
		{
			name:   "members as strings and $ref null",
			reason: "bare string members become {value}; Entra's $ref:null is dropped",
			rt:     groups,
			body:   `{"displayName":"g","members":["u1",{"value":"u2","$ref":null,"display":"U2"},null]}`,
			want:   `{"displayName":"g","members":[{"value":"u1"},{"value":"u2","display":"U2"}]}`,
		},
		{
			name:   "member named twice",
			reason: "members are identified by value: a list naming one twice keeps the first, as PATCH add does",
			rt:     groups,
			body:   `{"displayName":"g","members":[{"value":"u1","display":"first"},{"value":"u2"},{"value":"u1","display":"second"},"u2"]}`,
			want:   `{"displayName":"g","members":[{"value":"u1","display":"first"},{"value":"u2"}]}`,
		},
		{
			name:   "single object for a multi-valued attribute",
			reason: "an object instead of an array is one element",
			body:   `{"userName":"a","emails":{"value":"a@b","type":"work"}}`,
			want:   `{"userName":"a","emails":[{"value":"a@b","type":"work"}]}`,
		},
		{
			name:   "empty values are absent",
			reason: `null, "", {}, [] and elements left empty are not stored`,
			body: `{"userName":"a","nickName":"","title":null,"name":{"givenName":""},"emails":[null,{},{"value":""}],"ims":[],
			 "` + entURN + `":{},"` + acmeURN + `":{"costCenter":null}}`,
			want: `{"userName":"a"}`,
		},
		{
			name:   "one primary",
			reason: "the first primary:true wins, later ones lose the key, an explicit false stays",
			body:   `{"userName":"a","emails":[{"value":"x","primary":false},{"value":"y","primary":true},{"value":"z","primary":"true"},{"primary":true}]}`,
			want:   `{"userName":"a","emails":[{"value":"x","primary":false},{"value":"y","primary":true},{"value":"z"}]}`,
		},
		{
			name:        "unknown attributes",
			reason:      "unknown keys, URNs and extension attributes are dropped and reported, sorted and once",
			body:        `{"userName":"a","foo":1,"urn:unknown:ext:attr":"x","urn:unknown:ext":{"a":1},"` + entURN + `":{"foo":"x"},"name":{"nick":"x"},"emails":[{"value":"v","label":"x"},{"value":"w","label":"y"}],"name.bogus":"z"}`,
			want:        `{"userName":"a","emails":[{"value":"v"},{"value":"w"}]}`,
			wantIgnored: []string{"emails.label", "foo", "name.bogus", "name.nick", entURN + ":foo", "urn:unknown:ext", "urn:unknown:ext:attr"},
		},
		{
			name:   "dotted keys",
			reason: "a top-level a.b key sets a sub-attribute and merges with the object form",
			body:   `{"userName":"a","name.givenName":"g","NAME":{"familyName":"f"}}`,
			want:   `{"userName":"a","name":{"givenName":"g","familyName":"f"}}`,
		},
		{
			name:   "equal duplicates",
			reason: "the same attribute twice with the same value is fine",
			body:   `{"userName":"a","USERNAME":"a","name":{"givenName":"g"},"name.givenName":"g"}`,
			want:   `{"userName":"a","name":{"givenName":"g"}}`,
		},
		{
			name:   "custom types",
			reason: "each type's coercions: integers from strings and whole decimals, decimals kept as sent, strings from numbers",
			body: `{"userName":"a","` + acmeURN + `":{"costCenter":42,"badgeNumber":"0042","isContractor":"FALSE","weight":"72.50",
			 "hired":"2008-01-23T04:56:22Z","photo":"aGVsbG8=","homepage":"https://example.com","tags":["x",null,"",7]}}`,
			want: `{"userName":"a","` + acmeURN + `":{"costCenter":"42","badgeNumber":42,"isContractor":false,"weight":72.50,
			 "hired":"2008-01-23T04:56:22Z","photo":"aGVsbG8=","homepage":"https://example.com","tags":["x","7"]}}`,
		},
		{
			name:   "integer forms",
			reason: "whole numbers in any JSON spelling become canonical integers",
			body:   `{"userName":"a","` + acmeURN + `":{"badgeNumber":1e2,"tags":"solo"}}`,
			want:   `{"userName":"a","` + acmeURN + `":{"badgeNumber":100,"tags":["solo"]}}`,
		},
		{
			name:   "integer from whole decimal",
			reason: "42.0 is an integer",
			body:   `{"userName":"a","` + acmeURN + `":{"badgeNumber":42.0,"weight":-0.5e-3}}`,
			want:   `{"userName":"a","` + acmeURN + `":{"badgeNumber":42,"weight":-0.5e-3}}`,
		},
		{
			name:    "bad boolean in element",
			reason:  "errors name the element index",
			body:    `{"userName":"a","emails":[{"value":"x","primary":"yes"}]}`,
			wantErr: &wantErr{schema.ScimInvalidValue, "emails[0].primary", "must be a boolean"},
		},
		{
			name:    "bad integer",
			reason:  "extension errors carry the URN",
			body:    `{"userName":"a","` + acmeURN + `":{"badgeNumber":"abc"}}`,
			wantErr: &wantErr{schema.ScimInvalidValue, acmeURN + ":badgeNumber", "must be an integer"},
		},
		{
			name:    "fractional integer",
			reason:  "1.5 is not an integer",
			body:    `{"userName":"a","` + acmeURN + `":{"badgeNumber":1.5}}`,
			wantErr: &wantErr{schema.ScimInvalidValue, acmeURN + ":badgeNumber", "integer"},
		},
		{
			name:    "integer out of range",
			reason:  "integers are 64-bit",
			body:    `{"userName":"a","` + acmeURN + `":{"badgeNumber":9223372036854775808}}`,
			wantErr: &wantErr{schema.ScimInvalidValue, acmeURN + ":badgeNumber", "64-bit"},
		},
		{
			name:    "number for boolean",
			reason:  "1 is not a boolean",
			body:    `{"userName":"a","` + acmeURN + `":{"isContractor":1}}`,
			wantErr: &wantErr{schema.ScimInvalidValue, acmeURN + ":isContractor", "boolean"},
		},
		{
			name:    "bad decimal",
			reason:  "numeric strings must be JSON numbers",
			body:    `{"userName":"a","` + acmeURN + `":{"weight":"0x10"}}`,
			wantErr: &wantErr{schema.ScimInvalidValue, acmeURN + ":weight", "must be a number"},
		},
		{
			name:    "bad dateTime",
			reason:  "dateTimes must be RFC 3339",
			body:    `{"userName":"a","` + acmeURN + `":{"hired":"23/01/2008"}}`,
			wantErr: &wantErr{schema.ScimInvalidValue, acmeURN + ":hired", "RFC 3339"},
		},
		{
			name:    "bad binary",
			reason:  "binary must be base64",
			body:    `{"userName":"a","` + acmeURN + `":{"photo":"not base64!"}}`,
			wantErr: &wantErr{schema.ScimInvalidValue, acmeURN + ":photo", "base64"},
		},
		{
			name:    "bool for string",
			reason:  "only numbers are leniently taken as strings",
			body:    `{"userName":true}`,
			wantErr: &wantErr{schema.ScimInvalidValue, "userName", "must be a string"},
		},
		{
			name:    "object for string",
			reason:  "a complex value for a simple attribute",
			body:    `{"userName":{"value":"a"}}`,
			wantErr: &wantErr{schema.ScimInvalidValue, "userName", "got an object"},
		},
		{
			name:    "string for complex without value",
			reason:  "name has no value sub-attribute",
			body:    `{"userName":"a","name":"Jane Doe"}`,
			wantErr: &wantErr{schema.ScimInvalidValue, "name", "must be an object"},
		},
		{
			name:    "several values for single-valued",
			reason:  "a two-element array cannot be a single complex value",
			body:    `{"userName":"a","name":[{"givenName":"a"},{"givenName":"b"}]}`,
			wantErr: &wantErr{schema.ScimInvalidValue, "name", "single-valued"},
		},
		{
			name:    "nested arrays",
			reason:  "arrays of arrays are not SCIM",
			body:    `{"userName":"a","emails":[["x"]]}`,
			wantErr: &wantErr{schema.ScimInvalidValue, "emails[0]", "nested"},
		},
		{
			name:    "extension not an object",
			reason:  "an extension URN key holds an object",
			body:    `{"userName":"a","` + entURN + `":"R&D"}`,
			wantErr: &wantErr{schema.ScimInvalidValue, entURN, "must be an object"},
		},
		{
			name:    "conflicting duplicates",
			reason:  "two spellings of one attribute with different values are ambiguous",
			body:    `{"userName":"a","USERNAME":"b"}`,
			wantErr: &wantErr{schema.ScimInvalidValue, "userName", "more than once"},
		},
		{
			name:    "conflicting sub-attribute",
			reason:  "merged complex values must agree",
			body:    `{"userName":"a","name":{"givenName":"a"},"name.givenName":"b"}`,
			wantErr: &wantErr{schema.ScimInvalidValue, "name.givenName", "more than once"},
		},
		{
			name:    "conflicting arrays",
			reason:  "multi-valued values given twice must be identical",
			body:    `{"userName":"a","emails":[{"value":"x"}],"EMAILS":[{"value":"y"}]}`,
			wantErr: &wantErr{schema.ScimInvalidValue, "emails", "more than once"},
		},
		{
			name:    "conflicting number spellings",
			reason:  "1.0 and 1 are different spellings; keeping either would depend on map order",
			body:    `{"userName":"a","` + acmeURN + `":{"weight":1.0,"WEIGHT":1}}`,
			wantErr: &wantErr{schema.ScimInvalidValue, acmeURN + ":weight", "more than once"},
		},
		{
			name:   "equal arrays twice",
			reason: "identical duplicates are fine",
			body:   `{"userName":"a","emails":[{"value":"x","primary":true}],"Emails":[{"Value":"x","primary":"true"}],"` + acmeURN + `":{"isContractor":true,"IsContractor":"TRUE"}}`,
			want:   `{"userName":"a","emails":[{"value":"x","primary":true}],"` + acmeURN + `":{"isContractor":true}}`,
		},
		{
			name:    "dotted multi-valued",
			reason:  "emails.value cannot be set outside an element",
			body:    `{"userName":"a","emails.value":"x"}`,
			wantErr: &wantErr{schema.ScimInvalidValue, "emails.value", "multi-valued"},
		},
		{
			name:    "smallest path wins",
			reason:  "with several faults the report does not depend on map order",
			body:    `{"userName":"a","emails":[{"primary":"x"}],"active":"maybe","` + acmeURN + `":{"badgeNumber":"x"}}`,
			wantErr: &wantErr{schema.ScimInvalidValue, "active", "boolean"},
		},
		{
			name:    "userName missing",
			reason:  "userName is required",
			body:    `{"name":{"givenName":"a"},"userName":""}`,
			wantErr: &wantErr{schema.ScimInvalidValue, "userName", "required attribute missing"},
		},
		{
			name:    "group displayName missing",
			reason:  "Group displayName is required",
			rt:      groups,
			body:    `{"members":[]}`,
			wantErr: &wantErr{schema.ScimInvalidValue, "displayName", "required attribute missing"},
		},
		{
			name:    "required extension missing",
			reason:  "a required extension must be present",
			rt:      required,
			body:    `{"userName":"a"}`,
			wantErr: &wantErr{schema.ScimInvalidValue, entURN, "required extension missing"},
		},
		{
			name:    "required sub-attribute missing",
			reason:  "badges.value is required in each element",
			body:    `{"userName":"a","` + acmeURN + `":{"badges":[{"value":"b1"},{"issuer":"x"}]}}`,
			wantErr: &wantErr{schema.ScimInvalidValue, acmeURN + ":badges[1].value", "required"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := tc.rt
			if rt == nil {
				rt = users
			}
			in := decode(t, tc.body)
			before := deepCopy(in)
			got, ignored, err := rt.Normalize(in)
			if diff := cmp.Diff(before, any(in)); diff != "" {
				t.Fatalf("input was modified (-before +after):\n%s", diff)
			}
			if checkErr(t, err, tc.wantErr, tc.reason) {
				return
			}
			if diff := cmp.Diff(decode(t, tc.want), got); diff != "" {
				t.Errorf("Normalize mismatch (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
			if diff := cmp.Diff(tc.wantIgnored, ignored); diff != "" {
				t.Errorf("ignored mismatch (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
			// The result is canonical: it validates and normalizes to itself.
			if err := rt.Validate(got); err != nil {
				t.Errorf("Validate(result) = %v", err)
			}
			again, ignored2, err := rt.Normalize(got)
			if err != nil || len(ignored2) != 0 {
				t.Fatalf("Normalize(result) = %v, %v", ignored2, err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("Normalize is not idempotent (-first +second):\n%s", diff)
			}
			// The result shares nothing with the input.
			scribble(got)
			if diff := cmp.Diff(before, any(in)); diff != "" {
				t.Errorf("result aliases the input (-before +after):\n%s", diff)
			}
		})
	}
}

func TestNormalizeValue(t *testing.T) {
	rt := userType()
	attr := func(urn, name string) *schema.Attribute {
		r, ok := rt.Lookup(urn, name)
		if !ok {
			t.Fatalf("no attribute %s %s", urn, name)
		}
		return r.Attr
	}
	members := schema.GroupSchema().Attr("members")
	tests := []struct {
		name    string
		reason  string
		attr    *schema.Attribute
		path    string
		value   string // JSON
		want    string // JSON; "null" for nil
		wantErr *wantErr
	}{
		{"manager string", "Entra PATCHes manager as a plain id", attr(entURN, "manager"), entURN + ":manager", `"m1"`, `{"value":"m1"}`, nil},
		{"manager empty", `"" removes the manager`, attr(entURN, "manager"), "manager", `""`, `null`, nil},
		{"manager array", "older form", attr(entURN, "manager"), "manager", `[{"value":"m1","displayName":"x"}]`, `{"value":"m1"}`, nil},
		{"members single object", "one element becomes an array", members, "members", `{"value":"u1","display":"U"}`, `[{"value":"u1","display":"U"}]`, nil},
		{"members strings", "MS test suites send bare ids", members, "members", `["u1","u2"]`, `[{"value":"u1"},{"value":"u2"}]`, nil},
		{"members empty", "replace members [] empties the group: the normalized value is absent", members, "members", `[]`, `null`, nil},
		{"active string", "Entra sends \"False\"", attr("", "active"), "active", `"False"`, `false`, nil},
		{"emails primaries", "one primary per attribute", attr("", "emails"), "emails", `[{"value":"a","primary":true},{"value":"b","Primary":"True"}]`, `[{"value":"a","primary":true},{"value":"b"}]`, nil},
		{"sub-attribute value", "PATCH emails[type eq \"work\"].value", attr("", "emails").Sub("value"), `emails[type eq "work"].value`, `"x@y"`, `"x@y"`, nil},
		{"bad active", "the caller's path is used", attr("", "active"), "active", `"yes"`, "", &wantErr{schema.ScimInvalidValue, "active", "boolean"}},
		{"bad element", "element indexes are appended to the path", attr("", "emails"), `emails[type eq "work"]`, `[{"primary":"maybe"}]`, "", &wantErr{schema.ScimInvalidValue, `emails[type eq "work"][0].primary`, "boolean"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := decode(t, `{"v":`+tc.value+`}`)["v"]
			before := deepCopy(v)
			got, err := schema.NormalizeValue(tc.attr, tc.path, v)
			if diff := cmp.Diff(before, v); diff != "" {
				t.Fatalf("input was modified (-before +after):\n%s", diff)
			}
			if checkErr(t, err, tc.wantErr, tc.reason) {
				return
			}
			want := decode(t, `{"v":`+tc.want+`}`)["v"]
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("NormalizeValue mismatch (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
		})
	}
}

// fuzzType has no returned=request or returned=never attributes besides
// password, so that Render followed by Normalize gives back the data.
func fuzzType() *schema.ResourceType {
	acme := acmeSchema()
	acme.Attributes = slices.DeleteFunc(acme.Attributes, func(a *schema.Attribute) bool {
		return a.Name == "secretQuestion" || a.Name == "badges"
	})
	return schema.UserResourceType(schema.EnterpriseUserSchema(), acme)
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		`{"userName":"a"}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local","name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],"displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true,"` + acmeURN + `":{"costCenter":"CC-7","badgeNumber":1234,"isContractor":true}}`,
		`{"externalId":"0a21","userName":"Test_User_1","active":"True","addresses":null,"department":null,"manager":"m1","emails":[{"primary":true,"type":"work","value":"x"},{"primary":true}],"meta":{"resourceType":"User"},"roles":[]}`,
		`{"id":null,"userName":"j","name":{"givenName":"","familyName":"Doe"},"active":"true","phoneNumbers":[{"value":5551234}],"urn:scim:x":{"a":1}}`,
		`{"userName":"a","` + entURN + `:manager.value":"m","` + entURN + `":{"department":"d"},"name.givenName":"g","` + acmeURN + `":{"badgeNumber":"1e2","weight":"-0.5","hired":"2008-01-23T04:56:22Z","tags":"x","site":{"code":"c"}}}`,
		`{"USERNAME":"a","username":"a","urn:ietf:params:scim:schemas:core:2.0:User":{"nickName":"n"},"x509Certificates":[{"value":"aGk="}]}`,
	} {
		f.Add([]byte(s))
	}
	rt := fuzzType()
	f.Fuzz(func(t *testing.T, data []byte) {
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		var in map[string]any
		if d.Decode(&in) != nil || in == nil {
			return
		}
		before := deepCopy(in)
		attrs, ignored, err := rt.Normalize(in)
		if diff := cmp.Diff(before, any(in)); diff != "" {
			t.Fatalf("input was modified:\n%s", diff)
		}
		if err != nil {
			var se *schema.Error
			if !errors.As(err, &se) || se.ScimType != schema.ScimInvalidValue {
				t.Fatalf("error %v is not an invalidValue *schema.Error", err)
			}
			return
		}
		if !slices.IsSorted(ignored) {
			t.Errorf("ignored not sorted: %q", ignored)
		}
		if err := rt.Validate(attrs); err != nil {
			t.Fatalf("Validate(Normalize(x)) = %v\ndata: %s", err, mustJSON(t, attrs))
		}
		again, ignored, err := rt.Normalize(attrs)
		if err != nil || len(ignored) != 0 {
			t.Fatalf("Normalize(Normalize(x)) = %v, %v", ignored, err)
		}
		if diff := cmp.Diff(attrs, again); diff != "" {
			t.Fatalf("Normalize not idempotent (-first +second):\n%s", diff)
		}
		// Render-like round trip: id and meta added, then the JSON a
		// client would read back normalizes to the data minus password.
		obj := deepCopy(attrs).(map[string]any)
		obj["id"] = "x"
		obj["meta"] = map[string]any{"resourceType": "User"}
		objBefore := deepCopy(obj)
		out := rt.Render(obj, nil)
		if diff := cmp.Diff(objBefore, any(obj)); diff != "" {
			t.Fatalf("Render modified obj:\n%s", diff)
		}
		back, _, err := rt.Normalize(decode(t, mustJSON(t, out)))
		if err != nil {
			t.Fatalf("Normalize(Render(x)) = %v", err)
		}
		delete(attrs, "password")
		if diff := cmp.Diff(attrs, back); diff != "" {
			t.Fatalf("Render round trip (-data +back):\n%s", diff)
		}
	})
}

func BenchmarkNormalizeUser(b *testing.B) {
	rt := userType()
	in := decode(b, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","`+entURN+`"],
	 "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_1","active":"True",
	 "name":{"formatted":"Barbara Jensen","familyName":"Jensen","givenName":"Barbara"},
	 "emails":[{"primary":true,"type":"work","value":"bjensen@example.com"},{"type":"home","value":"babs@example.com"}],
	 "phoneNumbers":[{"type":"mobile","value":"+1 555 0100"}],
	 "meta":{"resourceType":"User"},"roles":[],"groups":[],"password":"p",
	 "`+entURN+`":{"department":"R&D","employeeNumber":"42","manager":"m1"},
	 "`+acmeURN+`":{"costCenter":"CC-7","badgeNumber":1234,"isContractor":true}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := rt.Normalize(in); err != nil {
			b.Fatal(err)
		}
	}
}

const (
	acmeURN = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"
	entURN  = schema.EnterpriseUserURN
)

// acmeSchema is an Okta-style custom extension (clients.md §1.3) with one
// attribute of each interesting kind.
func acmeSchema() *schema.Schema {
	return &schema.Schema{
		ID: acmeURN, Name: "AcmeUser",
		Attributes: []*schema.Attribute{
			{Name: "costCenter", Type: schema.String},
			{Name: "badgeNumber", Type: schema.Integer},
			{Name: "isContractor", Type: schema.Boolean},
			{Name: "weight", Type: schema.Decimal},
			{Name: "hired", Type: schema.DateTime},
			{Name: "photo", Type: schema.Binary},
			{Name: "homepage", Type: schema.Reference},
			{Name: "tags", Type: schema.String, MultiValued: true},
			{Name: "employeeId", Type: schema.String, Mutability: schema.Immutable},
			{Name: "tenant", Type: schema.String, Returned: schema.Always},
			{Name: "secretQuestion", Type: schema.String, Returned: schema.Request},
			{Name: "site", Type: schema.Complex, SubAttributes: []*schema.Attribute{
				{Name: "code", Type: schema.String, Mutability: schema.Immutable, CaseExact: true},
				{Name: "name", Type: schema.String},
			}},
			{Name: "badges", Type: schema.Complex, MultiValued: true, SubAttributes: []*schema.Attribute{
				{Name: "value", Type: schema.String, Required: true},
				{Name: "pin", Type: schema.String, Returned: schema.Never},
				{Name: "issuer", Type: schema.String, Returned: schema.Request},
				{Name: "primary", Type: schema.Boolean},
			}},
		},
	}
}

func userType() *schema.ResourceType {
	return schema.UserResourceType(schema.EnterpriseUserSchema(), acmeSchema())
}

// decode parses a JSON object the way the handler does (UseNumber).
func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	if s == "" {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

// deepCopy copies decoded JSON data.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}

// scribble writes into every map and slice reachable from v, to show that
// results do not alias their inputs.
func scribble(v any) {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			scribble(e)
		}
		x["scribbled"] = true
	case []any:
		for i, e := range x {
			scribble(e)
			x[i] = "scribbled"
		}
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
