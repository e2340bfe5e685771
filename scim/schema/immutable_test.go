package schema_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/scim/schema"
)

func TestCheckImmutable(t *testing.T) {
	rt := userType()
	groups := schema.GroupResourceType()
	base := `{"userName":"a","` + acmeURN + `":{"employeeId":"E1","site":{"code":"S1","name":"North"},"tags":["a","b"]}}`
	tests := []struct {
		name      string
		reason    string
		rt        *schema.ResourceType
		old, next string
		wantErr   *wantErr
	}{
		{"unchanged", "the same data", nil, base, base, nil},
		{"other attributes change", "only immutable attributes are checked", nil, base,
			`{"userName":"b","` + acmeURN + `":{"employeeId":"E1","site":{"code":"S1","name":"South"}}}`, nil},
		{"case-only change", "employeeId is not caseExact", nil, base,
			`{"userName":"a","` + acmeURN + `":{"employeeId":"e1","site":{"code":"S1"}}}`, nil},
		{"first set", "old had no value: setting one is allowed", nil, `{"userName":"a"}`, base, nil},
		{"changed", "an immutable value cannot change", nil, base,
			`{"userName":"a","` + acmeURN + `":{"employeeId":"E2","site":{"code":"S1"}}}`,
			&wantErr{schema.ScimMutability, acmeURN + ":employeeId", "immutable"}},
		{"removed", "removing counts as a change", nil, base,
			`{"userName":"a","` + acmeURN + `":{"site":{"code":"S1"}}}`,
			&wantErr{schema.ScimMutability, acmeURN + ":employeeId", "immutable"}},
		{"extension removed", "removing the whole extension removes the value", nil, base, `{"userName":"a"}`,
			&wantErr{schema.ScimMutability, acmeURN + ":employeeId", "immutable"}},
		{"sub-attribute changed", "site.code is immutable and caseExact", nil, base,
			`{"userName":"a","` + acmeURN + `":{"employeeId":"E1","site":{"code":"s1"}}}`,
			&wantErr{schema.ScimMutability, acmeURN + ":site.code", "immutable"}},
		{"members replaced", "elements of multi-valued attributes have no identity: membership may change", groups,
			`{"displayName":"g","members":[{"value":"u1"},{"value":"u2"}]}`,
			`{"displayName":"g","members":[{"value":"u3"}]}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.rt
			if r == nil {
				r = rt
			}
			old, next := decode(t, tc.old), decode(t, tc.next)
			b1, b2 := deepCopy(old), deepCopy(next)
			err := r.CheckImmutable(old, next)
			if diff := cmp.Diff(b1, any(old)); diff != "" {
				t.Fatalf("old was modified:\n%s", diff)
			}
			if diff := cmp.Diff(b2, any(next)); diff != "" {
				t.Fatalf("next was modified:\n%s", diff)
			}
			checkErr(t, err, tc.wantErr, tc.reason)
		})
	}
}

// TestCheckImmutableMultiValued covers an immutable multi-valued attribute,
// compared as an unordered collection.
func TestCheckImmutableMultiValued(t *testing.T) {
	s := &schema.Schema{ID: "urn:example:x", Attributes: []*schema.Attribute{
		{Name: "codes", Type: schema.String, MultiValued: true, Mutability: schema.Immutable, CaseExact: true},
		{Name: "ratio", Type: schema.Decimal, Mutability: schema.Immutable},
		{Name: "origins", Type: schema.Complex, MultiValued: true, Mutability: schema.Immutable, SubAttributes: []*schema.Attribute{
			{Name: "code", Type: schema.String},
			{Name: "size", Type: schema.Integer},
			{Name: "primary", Type: schema.Boolean},
		}},
	}}
	rt := schema.UserResourceType(s)
	old := decode(t, `{"urn:example:x":{"codes":["a","b"],"ratio":1.0,"origins":[{"code":"n","size":1},{"code":"s","primary":true}]}}`)
	for _, tc := range []struct {
		name, reason string
		next         string
		wantErr      bool
	}{
		{"same", "nothing changed", `{"codes":["a","b"],"ratio":1.0,"origins":[{"code":"n","size":1},{"code":"s","primary":true}]}`, false},
		{"reordered", "order does not matter; numbers compare numerically; code is not caseExact", `{"codes":["b","a"],"ratio":1,"origins":[{"code":"S","primary":true},{"code":"n","size":1.0e0}]}`, false},
		{"different", "a changed element", `{"codes":["a","c"],"ratio":1,"origins":[{"code":"n","size":1},{"code":"s","primary":true}]}`, true},
		{"shorter", "a removed element", `{"codes":["a"],"ratio":1,"origins":[{"code":"n","size":1},{"code":"s","primary":true}]}`, true},
		{"case", "caseExact", `{"codes":["A","b"],"ratio":1,"origins":[{"code":"n","size":1},{"code":"s","primary":true}]}`, true},
		{"ratio", "a changed decimal", `{"codes":["a","b"],"ratio":1.5,"origins":[{"code":"n","size":1},{"code":"s","primary":true}]}`, true},
		{"complex element", "a changed sub-attribute of an immutable complex attribute", `{"codes":["a","b"],"ratio":1,"origins":[{"code":"n","size":2},{"code":"s","primary":true}]}`, true},
		{"complex key", "a missing sub-attribute", `{"codes":["a","b"],"ratio":1,"origins":[{"code":"n"},{"code":"s","primary":true}]}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := rt.CheckImmutable(old, map[string]any{"urn:example:x": decode(t, tc.next)})
			if (err != nil) != tc.wantErr {
				t.Errorf("CheckImmutable = %v, want error %v (%s)", err, tc.wantErr, tc.reason)
			}
		})
	}
}
