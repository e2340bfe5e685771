package schema_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim/schema"
)

func TestCompact(t *testing.T) {
	got := schema.Compact(map[string]any{
		"userName": "ada", "displayName": "", "active": false, "title": nil,
		"name":         map[string]any{"givenName": "Ada", "familyName": ""},
		"emails":       []any{map[string]any{"value": ""}, map[string]any{"value": "a@x", "type": ""}, ""},
		"phoneNumbers": []any{""}, "addresses": map[string]any{"country": ""},
	})
	want := map[string]any{"userName": "ada", "active": false, "name": map[string]any{"givenName": "Ada"},
		"emails": []any{map[string]any{"value": "a@x"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Compact (-want +got):\n%s", diff)
	}
}
