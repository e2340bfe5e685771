package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// duplicateMember is the reference for checkValidJSON's duplicate check:
// it walks the body's tokens with encoding/json and reports whether an
// object repeats a member name (after unescaping).
func duplicateMember(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		object bool
		keys   map[string]bool
		key    bool // the next string is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) || err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if top != nil && top.object {
					top.key = true
				}
				stack = append(stack, &frame{object: t == '{', keys: map[string]bool{}, key: t == '{'})
				continue
			default:
				stack = stack[:len(stack)-1]
				continue
			}
		case string:
			if top != nil && top.object && top.key {
				if top.keys[t] {
					return true
				}
				top.keys[t] = true
				top.key = false
				continue
			}
		}
		if top != nil && top.object {
			top.key = true
		}
	}
}

// FuzzCheckValidJSON compares checkValidJSON's verdict on repeated member
// names with the reference, for valid bodies that nest at most
// maxJSONDepth levels.
func FuzzCheckValidJSON(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"a":2}`, `{"a":{"a":1},"b":{"a":1}}`, `{"a":[{"b":1},{"b":1}],"a":0}`,
		`{"\u0061":1,"a":2}`, `[{"x":1,"y":2},{"x":1}]`, `{"a":{"b":{"c":1,"c":2}}}`,
		`{"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":1,"k11":1,"k12":1,"k13":1,"k14":1,"k15":1,"k16":1,"k17":{"k1":1},"k1":0}`,
		`{"a":{"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":1,"k11":1,"k12":1,"k13":1,"k14":1,"k15":1,"k16":1,"k17":1},"b":1,"a":2}`,
		`"a"`, `[]`, `{}`, `{"a":"{\"a\":1}","b":"a"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if !json.Valid([]byte(body)) || strings.Count(body, "{")+strings.Count(body, "[") > maxJSONDepth {
			return
		}
		err := checkValidJSON([]byte(body))
		if got, want := err != nil, duplicateMember([]byte(body)); got != want {
			t.Fatalf("checkValidJSON(%q) = %v; a member repeats: %v", body, err, want)
		}
	})
}

// TestCheckValidJSONAllocations checks that a typical body is checked
// without allocating.
func TestCheckValidJSONAllocations(t *testing.T) {
	body := []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com",
	  "name":{"givenName":"Ada","familyName":"Lovelace"},"emails":[{"primary":true,"value":"ada@example.com","type":"work"}],
	  "active":true,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D","manager":{"value":"x"}}}`)
	if n := testing.AllocsPerRun(100, func() { _ = checkValidJSON(body) }); n != 0 {
		t.Errorf("checkValidJSON allocates %v times per body", n)
	}
}

// decodeBodies are request bodies as identity providers send them: Okta's
// POST /Users, Entra's PATCH of a user, Entra's POST /Users and a group
// with 100 members.
var decodeBodies = []string{"okta_user", "entra_patch", "entra_user", "group100"}

// BenchmarkDecodeObject reads request bodies as the handler does.
func BenchmarkDecodeObject(b *testing.B) {
	for _, name := range decodeBodies {
		body, err := os.ReadFile("schema/testdata/decode/" + name + ".json")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decodeObject(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
