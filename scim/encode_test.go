package scim

import (
	"encoding/json"
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
