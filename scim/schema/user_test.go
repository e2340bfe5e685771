package schema_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim/schema"
)

func TestUserIsActive(t *testing.T) {
	for _, tc := range []struct {
		active *bool
		want   bool
	}{
		{nil, true}, // absent: IdPs provision users as active
		{new(true), true},
		{new(false), false},
	} {
		u := &schema.User{Active: tc.active}
		if got := u.IsActive(); got != tc.want {
			t.Errorf("IsActive with Active %v = %v, want %v", fmtBool(tc.active), got, tc.want)
		}
	}
}

func fmtBool(b *bool) string {
	if b == nil {
		return "nil"
	}
	if *b {
		return "true"
	}
	return "false"
}

func TestUserPrimaryEmail(t *testing.T) {
	for _, tc := range []struct {
		name   string
		emails []schema.Email
		want   string
	}{
		{"none", nil, ""},
		{"primary wins", []schema.Email{{Value: "a@x"}, {Value: "b@x", Primary: new(true)}}, "b@x"},
		{"else first", []schema.Email{{Value: "a@x", Primary: new(false)}, {Value: "b@x"}}, "a@x"},
		{"first with a value", []schema.Email{{Display: "none"}, {Value: "b@x"}}, "b@x"},
		{"primary without value", []schema.Email{{Display: "p", Primary: new(true)}, {Value: "b@x"}}, "b@x"},
		{"no values", []schema.Email{{Display: "p"}}, ""},
	} {
		u := &schema.User{Emails: tc.emails}
		if got := u.PrimaryEmail(); got != tc.want {
			t.Errorf("%s: PrimaryEmail = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestUserManagerID(t *testing.T) {
	for _, tc := range []struct {
		name string
		ent  *schema.EnterpriseUser
		want string
	}{
		{"no extension", nil, ""},
		{"no manager", &schema.EnterpriseUser{Department: "d"}, ""},
		{"manager", &schema.EnterpriseUser{Manager: &schema.Manager{Value: "m-1", DisplayName: "Boss"}}, "m-1"},
	} {
		u := &schema.User{Enterprise: tc.ent}
		if got := u.ManagerID(); got != tc.want {
			t.Errorf("%s: ManagerID = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestUserExtensionValue(t *testing.T) {
	u, err := schema.UserFrom(typedDecode(t, typedRichUser))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		urn, name string
		want      any
		ok        bool
	}{
		{typedEntURN, "department", "Tour Operations", true},
		{"URN:ietf:params:scim:schemas:extension:enterprise:2.0:user", "DEPARTMENT", "Tour Operations", true},
		{typedEntURN, "manager", map[string]any{"value": "26118915-6090-4610-87e4-49d8ca9f808d", "$ref": "../Users/26118915", "displayName": "John Smith"}, true},
		{typedEntURN, "badgeNumber", nil, false},
		{typedAcmeURN, "badgenumber", json.Number("12345678901234567"), true},
		{typedAcmeURN, "isContractor", true, true},
		{"urn:other", "x", nil, false},
	} {
		got, ok := u.ExtensionValue(tc.urn, tc.name)
		if diff := cmp.Diff(tc.want, got); diff != "" || ok != tc.ok {
			t.Errorf("ExtensionValue(%q, %q) = %v, %v; want %v, %v", tc.urn, tc.name, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := (&schema.User{}).ExtensionValue(typedEntURN, "department"); ok {
		t.Errorf("ExtensionValue on a user without extensions reported a value")
	}
}
