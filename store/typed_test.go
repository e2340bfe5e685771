package store_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

func TestResourceUser(t *testing.T) {
	r := &store.Resource{Type: "User", ID: "u1", Attributes: map[string]any{
		"userName":               "alice",
		"active":                 false,
		schema.EnterpriseUserURN: map[string]any{"manager": map[string]any{"value": "m1"}},
		"urn:ietf:params:scim:schemas:extension:acme:2.0:User": map[string]any{"badgeNumber": json.Number("7")},
	}}
	u, err := r.User()
	if err != nil {
		t.Fatal(err)
	}
	want := &schema.User{ID: "u1", UserName: "alice", Active: new(false),
		Enterprise: &schema.EnterpriseUser{Manager: &schema.Manager{Value: "m1"}},
		Extensions: schema.Extensions{"urn:ietf:params:scim:schemas:extension:acme:2.0:User": {"badgeNumber": json.Number("7")}}}
	if diff := cmp.Diff(want, u); diff != "" {
		t.Errorf("User mismatch (-want +got):\n%s", diff)
	}
	// The view is a copy.
	u.Extensions["urn:ietf:params:scim:schemas:extension:acme:2.0:User"]["badgeNumber"] = json.Number("8")
	if got := r.Attributes["urn:ietf:params:scim:schemas:extension:acme:2.0:User"].(map[string]any)["badgeNumber"]; got != json.Number("7") {
		t.Errorf("changing the User changed the Resource: badgeNumber = %v", got)
	}
	// Type may be left empty.
	if u, err := (&store.Resource{ID: "u2", Attributes: map[string]any{"userName": "bob"}}).User(); err != nil || u.ID != "u2" {
		t.Errorf("User of an untyped resource = %+v, %v", u, err)
	}
}

func TestResourceGroup(t *testing.T) {
	r := &store.Resource{Type: "Group", ID: "g1", Attributes: map[string]any{
		"displayName": "Admins",
		"members":     []any{map[string]any{"value": "u1"}, map[string]any{"value": "u2", "type": "User"}},
	}}
	g, err := r.Group()
	if err != nil {
		t.Fatal(err)
	}
	want := &schema.Group{ID: "g1", DisplayName: "Admins", Members: []schema.Member{{Value: "u1"}, {Value: "u2", Type: "User"}}}
	if diff := cmp.Diff(want, g); diff != "" {
		t.Errorf("Group mismatch (-want +got):\n%s", diff)
	}
}

func TestResourceTypedErrors(t *testing.T) {
	var none *store.Resource
	group := &store.Resource{Type: "Group", ID: "g1", Attributes: map[string]any{"displayName": "G"}}
	user := &store.Resource{Type: "User", ID: "u1", Attributes: map[string]any{"userName": "a", "active": "yes"}}
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"nil User", func() error { _, err := none.User(); return err }, "store: no resource"},
		{"nil Group", func() error { _, err := none.Group(); return err }, "store: no resource"},
		{"Group as User", func() error { _, err := group.User(); return err }, `store: resource "g1" is a Group, not a User`},
		{"User as Group", func() error { _, err := user.Group(); return err }, `store: resource "u1" is a User, not a Group`},
		{"not canonical", func() error { _, err := user.User(); return err }, `attribute "active": must be a boolean`},
	} {
		err := tc.call()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error = %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	_, err := user.User()
	var se *schema.Error
	if !errors.As(err, &se) || se.Path != "active" {
		t.Errorf("error for non-canonical data = %#v, want a *schema.Error for active", err)
	}
}
