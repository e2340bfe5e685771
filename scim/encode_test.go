package scim

import (
	"encoding/json"
	"testing"
)

// FuzzAppendString: the handler's string encoder writes exactly what
// encoding/json writes, for any input, valid UTF-8 or not.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uote\back`, "tab\tnl\ncr\r", "\x00\x1f\x7f", "<a href=\"x\">&amp;</a>",
		"é ü 日本 🎉", "\u2028\u2029", "\xff\xfe broken \xc3", "O\"Brien"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

// TestAppendValue: canonical data encodes like encoding/json (which sorts
// map keys too).
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
		if string(got) != string(want) {
			t.Errorf("appendValue(%#v) = %s, want %s", v, got, want)
		}
	}
}
