package schema_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/scimkit/scimkit/scim/schema"
)

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
