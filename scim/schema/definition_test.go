package schema_test

import (
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim/schema"
)

func TestSchemaCheck(t *testing.T) {
	for _, s := range []*schema.Schema{schema.UserSchema(), schema.GroupSchema(), schema.EnterpriseUserSchema()} {
		if err := s.Check(); err != nil {
			t.Errorf("built-in schema %s: %v", s.ID, err)
		}
	}
	str := func(n string) *schema.Attribute { return &schema.Attribute{Name: n, Type: schema.String} }
	tests := []struct {
		name  string
		attrs []*schema.Attribute
		err   string
	}{
		{"good", []*schema.Attribute{str("costCenter"), str("badge-no_2")}, ""},
		{"space", []*schema.Attribute{str("cost center")}, `"cost center"`},
		{"digit first", []*schema.Attribute{str("1stName")}, `"1stName"`},
		{"empty", []*schema.Attribute{str("")}, `""`},
		{"dollar", []*schema.Attribute{str("$id")}, `"$id"`},
		{"twice", []*schema.Attribute{str("a"), str("A")}, `"A" is defined twice`},
		{"nested complex", []*schema.Attribute{{Name: "outer", Type: schema.Complex, SubAttributes: []*schema.Attribute{
			{Name: "inner", Type: schema.Complex}}}}, "cannot nest"},
		{"bad sub-attribute", []*schema.Attribute{{Name: "outer", Type: schema.Complex, SubAttributes: []*schema.Attribute{str("x y")}}}, `"x y"`},
	}
	for _, tc := range tests {
		err := (&schema.Schema{ID: "urn:x", Attributes: tc.attrs}).Check()
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.err)
		}
	}
}
