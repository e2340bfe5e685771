package schema_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/scim/schema"
)

func TestValidate(t *testing.T) {
	rt := userType()
	tests := []struct {
		name    string
		reason  string
		data    map[string]any
		wantErr *wantErr
	}{
		{
			name:   "valid",
			reason: "canonical data with every kind of value",
			data: decode(t, `{"userName":"a","active":true,"emails":[{"value":"x","primary":true}],"name":{"givenName":"g"},"externalId":"e",
			 "`+acmeURN+`":{"badgeNumber":42,"weight":1.5,"hired":"2008-01-23T04:56:22Z","tags":["t"]},"`+entURN+`":{"manager":{"value":"m"}}}`),
		},
		{
			name:   "empty values",
			reason: "empty values are absent, not errors",
			data:   map[string]any{"userName": "a", "emails": []any{}, "nickName": "", "name": map[string]any{}},
		},
		{
			name:    "required missing",
			reason:  "a PATCH removed userName",
			data:    decode(t, `{"active":true}`),
			wantErr: &wantErr{schema.ScimInvalidValue, "userName", "required"},
		},
		{
			name:    "unknown attribute",
			reason:  "nothing outside the schema",
			data:    decode(t, `{"userName":"a","foo":"x"}`),
			wantErr: &wantErr{schema.ScimInvalidValue, "foo", "no schema"},
		},
		{
			name:    "non-canonical name",
			reason:  "keys must be spelled canonically",
			data:    decode(t, `{"userName":"a","NickName":"x"}`),
			wantErr: &wantErr{schema.ScimInvalidValue, "NickName", "no schema"},
		},
		{
			name:    "id is not data",
			reason:  "id, meta and schemas are kept outside the attributes",
			data:    decode(t, `{"userName":"a","id":"1"}`),
			wantErr: &wantErr{schema.ScimInvalidValue, "id", "not part of the resource data"},
		},
		{
			name:    "string boolean",
			reason:  "canonical booleans are bool",
			data:    decode(t, `{"userName":"a","active":"true"}`),
			wantErr: &wantErr{schema.ScimInvalidValue, "active", "canonical"},
		},
		{
			name:    "float64 integer",
			reason:  "canonical integers are json.Number",
			data:    map[string]any{"userName": "a", acmeURN: map[string]any{"badgeNumber": 4.0}},
			wantErr: &wantErr{schema.ScimInvalidValue, acmeURN + ":badgeNumber", "canonical"},
		},
		{
			name:    "non-canonical integer",
			reason:  "integers are written without exponent",
			data:    map[string]any{"userName": "a", acmeURN: map[string]any{"badgeNumber": json.Number("1e2")}},
			wantErr: &wantErr{schema.ScimInvalidValue, acmeURN + ":badgeNumber", "canonical"},
		},
		{
			name:    "multi-valued not array",
			reason:  "multi-valued attributes are []any",
			data:    decode(t, `{"userName":"a","emails":{"value":"x"}}`),
			wantErr: &wantErr{schema.ScimInvalidValue, "emails", "array"},
		},
		{
			name:    "null element",
			reason:  "arrays hold no nulls",
			data:    decode(t, `{"userName":"a","emails":[null]}`),
			wantErr: &wantErr{schema.ScimInvalidValue, "emails[0]", "null"},
		},
		{
			name:    "unknown sub-attribute",
			reason:  "complex values hold only their sub-attributes",
			data:    decode(t, `{"userName":"a","emails":[{"value":"x","Type":"work"}]}`),
			wantErr: &wantErr{schema.ScimInvalidValue, "emails[0].Type", "no such sub-attribute"},
		},
		{
			name:    "extension not object",
			reason:  "extension data is an object",
			data:    decode(t, `{"userName":"a","`+entURN+`":"x"}`),
			wantErr: &wantErr{schema.ScimInvalidValue, entURN, "object"},
		},
		{
			name:    "unknown extension attribute",
			reason:  "extensions hold only their attributes",
			data:    decode(t, `{"userName":"a","`+entURN+`":{"shoeSize":"9"}}`),
			wantErr: &wantErr{schema.ScimInvalidValue, entURN + ":shoeSize", "no such attribute"},
		},
		{
			name:    "required sub-attribute",
			reason:  "badges.value is required",
			data:    decode(t, `{"userName":"a","`+acmeURN+`":{"badges":[{"issuer":"x"}]}}`),
			wantErr: &wantErr{schema.ScimInvalidValue, acmeURN + ":badges[0].value", "required"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := deepCopy(tc.data)
			err := rt.Validate(tc.data)
			if diff := cmp.Diff(before, any(tc.data)); diff != "" {
				t.Fatalf("input was modified (-before +after):\n%s", diff)
			}
			checkErr(t, err, tc.wantErr, tc.reason)
		})
	}
}
