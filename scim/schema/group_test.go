package schema_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim/schema"
)

const typedTagsURN = "urn:example:scim:schemas:extension:tags:1.0:Group"

func typedGroupType() *schema.ResourceType {
	return schema.GroupResourceType(&schema.Schema{
		ID: typedTagsURN, Name: "Tags",
		Attributes: []*schema.Attribute{
			{Name: "tags", Type: schema.String, MultiValued: true},
			{Name: "memberCount", Type: schema.Integer, Mutability: schema.ReadOnly},
		},
	})
}

func TestGroupRoundTrip(t *testing.T) {
	rt := typedGroupType()
	for _, tc := range []struct {
		name, data string
	}{
		{"rich", `{"externalId": "okta-1", "displayName": "Tour Guides", "members": [
			{"value": "u1", "$ref": "https://example.com/v2/Users/u1", "display": "Babs", "type": "User"},
			{"value": "g2", "type": "Group"}, {"value": "U1"}],
			"urn:example:scim:schemas:extension:tags:1.0:Group": {"tags": ["a", "b"], "memberCount": 12345678901234567}}`},
		{"no members", `{"displayName": "Empty"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := typedDecode(t, tc.data)
			if err := rt.Validate(d); err != nil {
				t.Fatalf("test data is not canonical: %v", err)
			}
			g, err := schema.GroupFrom(d)
			if err != nil {
				t.Fatalf("GroupFrom: %v", err)
			}
			got, err := g.Attributes(rt)
			if err != nil {
				t.Fatalf("Attributes: %v", err)
			}
			if diff := cmp.Diff(d, got); diff != "" {
				t.Errorf("Attributes(GroupFrom(d)) differs from d (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(typedDecode(t, tc.data), d); diff != "" {
				t.Errorf("d was modified (-before +after):\n%s", diff)
			}
		})
	}
}

func TestGroupFromFields(t *testing.T) {
	g, err := schema.GroupFrom(typedDecode(t, `{"id": "g1", "externalId": "x", "displayName": "G", "members": [{"value": "u1", "$ref": "/Users/u1", "display": "B", "type": "User"}],
		"urn:example:scim:schemas:extension:tags:1.0:Group": {"tags": ["a"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := &schema.Group{ID: "g1", ExternalID: "x", DisplayName: "G",
		Members:    []schema.Member{{Value: "u1", Ref: "/Users/u1", Display: "B", Type: "User"}},
		Extensions: schema.Extensions{typedTagsURN: {"tags": []any{"a"}}}}
	if diff := cmp.Diff(want, g); diff != "" {
		t.Errorf("GroupFrom mismatch (-want +got):\n%s", diff)
	}
}

func TestGroupFromErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       wantErr
	}{
		{"members not array", `{"members": "u1"}`, wantErr{"invalidValue", "members", "must be an array"}},
		{"member not object", `{"members": ["u1"]}`, wantErr{"invalidValue", "members[0]", "must be an object, got a string"}},
		{"member value type", `{"members": [{"value": 1}]}`, wantErr{"invalidValue", "members[0].value", "must be a string, got a number"}},
		{"unknown member sub-attribute", `{"members": [{"value": "u", "primary": true}]}`, wantErr{"invalidValue", "members[0].primary", "Member has no such attribute"}},
		{"user attribute", `{"displayName": "G", "userName": "u"}`, wantErr{"invalidValue", "userName", "Group has no such attribute"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := schema.GroupFrom(typedDecode(t, tc.data))
			checkErr(t, err, &tc.want, tc.name)
		})
	}
}

func TestGroupAttributes(t *testing.T) {
	g := &schema.Group{
		DisplayName: "G",
		Members:     []schema.Member{{Value: "u1"}, {Value: "u1", Display: "again"}, {Value: "u2", Type: "User"}},
		Extensions:  schema.Extensions{typedTagsURN: {"memberCount": 3, "tags": "solo"}},
	}
	got, err := g.Attributes(typedGroupType())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"displayName": "G",
		"members":     []any{map[string]any{"value": "u1"}, map[string]any{"value": "u2", "type": "User"}},
		typedTagsURN:  map[string]any{"memberCount": json.Number("3"), "tags": []any{"solo"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Attributes mismatch (-want +got):\n%s", diff)
	}
	_, err = (&schema.Group{Members: []schema.Member{{Value: "u1"}}}).Attributes(typedGroupType())
	checkErr(t, err, &wantErr{"invalidValue", "displayName", "required attribute missing"}, "missing displayName")
	// A member must name something: one with a display but no value is refused.
	_, err = (&schema.Group{DisplayName: "G", Members: []schema.Member{{Display: "no value"}}}).Attributes(typedGroupType())
	checkErr(t, err, &wantErr{"invalidValue", "members[0].value", "is required"}, "member without value")
}

func TestGroupMemberIDs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		members []schema.Member
		want    []string
	}{
		{"none", nil, nil},
		{"in order", []schema.Member{{Value: "u2"}, {Value: "g1", Type: "Group"}, {Value: "u1"}}, []string{"u2", "g1", "u1"}},
		{"without value skipped", []schema.Member{{Display: "x"}, {Value: "u1"}}, []string{"u1"}},
	} {
		g := &schema.Group{Members: tc.members}
		if diff := cmp.Diff(tc.want, g.MemberIDs()); diff != "" {
			t.Errorf("%s: MemberIDs mismatch (-want +got):\n%s", tc.name, diff)
		}
	}
}
