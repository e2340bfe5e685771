package schema_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/scimkit/scimkit/scim/schema"
)

// appender is a schema.JSONAppender writing itself, which also marshals
// as itself for encoding/json.
type appender string

func (a appender) AppendJSON(b []byte) ([]byte, error) { return append(b, a...), nil }
func (a appender) MarshalJSON() ([]byte, error)        { return []byte(a), nil }

// TestAppendJSON: canonical data encodes to the same JSON values as
// encoding/json gives (map keys sorted too), without its HTML escaping.
func TestAppendJSON(t *testing.T) {
	values := []any{
		nil, true, false, "s", json.Number("42"), json.Number("-1.5e3"),
		[]any{}, []any{"a", json.Number("1"), nil, map[string]any{"z": "1", "a": []any{true}}},
		map[string]any{}, map[string]any{"userName": "a@b", "name": map[string]any{"givenName": "<G>", "familyName": "F"}},
		[]string{"x", "y"},
		struct {
			A int `json:"a"`
		}{7},
		appender(`{"x":1}`), []any{appender(`[1]`), appender(`"y"`)},
	}
	for _, v := range values {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := schema.AppendJSON(nil, v)
		if err != nil {
			t.Fatalf("AppendJSON(%#v): %v", v, err)
		}
		var gv, wv any
		if err := json.Unmarshal(got, &gv); err != nil {
			t.Fatalf("AppendJSON(%#v) = %s: not JSON: %v", v, got, err)
		}
		if err := json.Unmarshal(want, &wv); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gv, wv) || len(got) > len(want) {
			t.Errorf("AppendJSON(%#v) = %s, want %s", v, got, want)
		}
	}
}
