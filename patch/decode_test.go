package patch_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		body   string
		want   []patch.Operation
	}{
		{
			name:   "okta deactivate",
			reason: "O6: lower-case op, no path, object value",
			body:   `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
			want:   []patch.Operation{{Op: "replace", Value: map[string]any{"active": false}}},
		},
		{
			name:   "entra capitalized ops",
			reason: "E6/E8: Entra's default dialect capitalizes op names",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"Replace","path":"active","value":"False"},
				{"op":"Add","path":"nickName","value":"Babs"},
				{"op":"Remove","path":"members","value":[{"value":"u1"}]}]}`,
			want: []patch.Operation{
				{Op: "replace", Path: "active", Value: "False"},
				{Op: "add", Path: "nickName", Value: "Babs"},
				{Op: "remove", Path: "members", Value: []any{map[string]any{"value": "u1"}}},
			},
		},
		{
			name:   "lower-case operations key and no schemas",
			reason: `"operations" is seen in the wild and "schemas" is not required to match`,
			body:   `{"operations":[{"Op":"ADD","Path":"members","Value":{"value":"u1"}}]}`,
			want:   []patch.Operation{{Op: "add", Path: "members", Value: map[string]any{"value": "u1"}}},
		},
		{
			name:   "empty operations",
			reason: "the Entra validator sends a PATCH with no operations; it is a no-op",
			body:   `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]}`,
			want:   []patch.Operation{},
		},
		{
			name:   "numbers stay json.Number and null path is no path",
			reason: "SCIM distinguishes integer from decimal",
			body:   `{"Operations":[{"op":"replace","path":null,"value":{"x":1.50}}]}`,
			want:   []patch.Operation{{Op: "replace", Value: map[string]any{"x": json.Number("1.50")}}},
		},
		{
			name:   "explicit null value",
			reason: "replace with null means remove and must reach Apply",
			body:   `{"Operations":[{"op":"replace","path":"title","value":null}]}`,
			want:   []patch.Operation{{Op: "replace", Path: "title"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := patch.Decode([]byte(tc.body))
			if err != nil {
				t.Fatalf("Decode: %v (%s)", err, tc.reason)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("operations mismatch (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name       string
		reason     string
		body       string
		wantType   string
		wantDetail string
	}{
		{"not json", "garbage bodies are invalidSyntax", `{"Operations":`, schema.ScimInvalidSyntax, "not valid JSON"},
		{"trailing data", "a second value after the object is malformed", `{"Operations":[]} {}`, schema.ScimInvalidSyntax, "after the JSON object"},
		{"array body", "the body must be an object", `[]`, schema.ScimInvalidSyntax, "must be a JSON object"},
		{"no operations", "Operations is required", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, schema.ScimInvalidSyntax, `no "Operations"`},
		{"operations not array", "Operations must be an array", `{"Operations":{}}`, schema.ScimInvalidSyntax, "must be an array"},
		{"both cases", "two Operations members are ambiguous", `{"Operations":[],"operations":[]}`, schema.ScimInvalidSyntax, "both"},
		{"operation not object", "each operation is an object", `{"Operations":[{"op":"add","value":{}},3]}`, schema.ScimInvalidSyntax, "operation 1 is not a JSON object"},
		{"missing op", "op is required", `{"Operations":[{"path":"x","value":1}]}`, schema.ScimInvalidSyntax, `operation 0 has no "op"`},
		{"op not string", "op is a string", `{"Operations":[{"op":1}]}`, schema.ScimInvalidSyntax, `operation 0: "op" must be a string`},
		{"unknown op", "only add, remove and replace exist", `{"Operations":[{"op":"move","path":"x"}]}`, schema.ScimInvalidSyntax, `operation 0: unknown op "move"`},
		{"path not string", "path is a string", `{"Operations":[{"op":"remove","path":3}]}`, schema.ScimInvalidSyntax, `"path" must be a string`},
		{"remove without path", "RFC 7644 §3.5.2.2: noTarget", `{"Operations":[{"op":"add","path":"a","value":1},{"op":"remove"}]}`, schema.ScimNoTarget, `operation 1: remove requires a "path"`},
		{"add without value", "add and replace carry a value", `{"Operations":[{"op":"add","path":"nickName"}]}`, schema.ScimInvalidSyntax, `operation 0: add requires a "value"`},
		{"duplicate op member", "op and Op together are ambiguous", `{"Operations":[{"op":"add","Op":"remove","path":"x","value":1}]}`, schema.ScimInvalidSyntax, "operation 0: both"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := patch.Decode([]byte(tc.body))
			var se *schema.Error
			if !errors.As(err, &se) {
				t.Fatalf("Decode error = %v (%T), want *schema.Error (%s)", err, err, tc.reason)
			}
			if se.ScimType != tc.wantType || !strings.Contains(se.Detail, tc.wantDetail) {
				t.Errorf("Decode error = %s %q, want %s containing %q (%s)", se.ScimType, se.Detail, tc.wantType, tc.wantDetail, tc.reason)
			}
		})
	}
}
