package scim

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/scimkit/scimkit/scim/schema"
)

// FuzzAppendString: strings are encoded as valid JSON that decodes to what
// encoding/json's own encoding decodes to, for any input, valid UTF-8 or
// not.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uote\back`, "tab\tnl\ncr\r", "\x00\x1f\x7f\b\f", "<a href=\"x\">&amp;</a>",
		"é ü 日本 🎉", "\u2028\u2029", "\xff\xfe broken \xc3", "O\"Brien"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var want, got string
		if err := json.Unmarshal(ref, &want); err != nil {
			t.Fatal(err)
		}
		out := schema.AppendJSONString(nil, s)
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("AppendJSONString(%q) = %s: not JSON: %v", s, out, err)
		}
		if got != want {
			t.Errorf("AppendJSONString(%q) = %s decodes to %q, want %q", s, out, got, want)
		}
	})
}

// TestAppendValue: canonical data encodes to the same JSON values as
// encoding/json gives (map keys sorted too), without its HTML escaping.
func TestAppendValue(t *testing.T) {
	values := []any{
		nil, true, false, "s", json.Number("42"), json.Number("-1.5e3"),
		[]any{}, []any{"a", json.Number("1"), nil, map[string]any{"z": "1", "a": []any{true}}},
		map[string]any{}, map[string]any{"userName": "a@b", "name": map[string]any{"givenName": "<G>", "familyName": "F"}},
		[]string{"x", "y"},
		struct {
			A int `json:"a"`
		}{7},
	}
	for _, v := range values {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendValue(nil, v)
		if err != nil {
			t.Fatalf("appendValue(%#v): %v", v, err)
		}
		var gv, wv any
		if err := json.Unmarshal(got, &gv); err != nil {
			t.Fatalf("appendValue(%#v) = %s: not JSON: %v", v, got, err)
		}
		if err := json.Unmarshal(want, &wv); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gv, wv) || len(got) > len(want) {
			t.Errorf("appendValue(%#v) = %s, want %s", v, got, want)
		}
	}
}
