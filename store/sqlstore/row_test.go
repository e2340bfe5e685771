package sqlstore

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/scim/schema"
)

// TestDecodeObject checks how stored attributes are read: as encoding/json
// reads them, null as no attributes, any nesting encoding/json reads, and
// errors wrapped with what was being decoded.
func TestDecodeObject(t *testing.T) {
	attrs := map[string]any{
		"userName": "ada@example.com", "active": true, "nickName": nil, "badge": json.Number("1042.50"),
		"name":   map[string]any{"givenName": "Ada", "familyName": "Lovelace \u00e9\U0001F600"},
		"emails": []any{map[string]any{"value": "ada@example.com", "primary": true}}, "groups": []any{},
		"note": "line\nbreak \"quoted\" <tag> & \u2028",
	}
	b, err := json.Marshal(attrs)
	if err != nil {
		t.Fatal(err)
	}
	for _, stored := range []string{string(b), `{"userName": "ada@example.com", "active": true, "nickName": null, "badge": 1042.50,
	  "name": {"givenName": "Ada", "familyName": "Lovelace \u00e9\ud83d\ude00"}, "emails": [{"value": "ada@example.com", "primary": true}],
	  "groups": [], "note": "line\nbreak \"quoted\" \u003ctag\u003e \u0026 \u2028"}`} {
		got, err := decodeObject([]byte(stored))
		if err != nil {
			t.Fatalf("decodeObject(%s): %v", stored, err)
		}
		if diff := cmp.Diff(attrs, got); diff != "" {
			t.Errorf("decodeObject(%s) (-want +got):\n%s", stored, diff)
		}
	}
	for _, stored := range []string{"null", " null\n"} {
		if got, err := decodeObject([]byte(stored)); err != nil || got == nil || len(got) != 0 {
			t.Errorf("decodeObject(%q) = %v, %v; want an empty map", stored, got, err)
		}
	}
	deep := `{"a":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}`
	if _, err := decodeObject([]byte(deep)); err != nil {
		t.Errorf("1000 levels: %v", err)
	}
	for _, stored := range []string{"", "[]", `"x"`, `{"a":1,"a":2}`, `{"a":`, `{} {}`} {
		_, err := decodeObject([]byte(stored))
		var de *schema.DecodeError
		if err == nil || !strings.HasPrefix(err.Error(), "sqlstore: decoding stored attributes: ") || !errors.As(err, &de) {
			t.Errorf("decodeObject(%q): %v; want a wrapped *schema.DecodeError", stored, err)
		}
	}
}
