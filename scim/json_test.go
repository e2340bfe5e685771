package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scimkit/scimkit/scim/schema"
)

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

// oldDecodeObject is how request bodies were read before
// schema.DecodeObject: encoding/json's Decoder, then Decoder.More for data
// after the object, then checkValidJSON.
func oldDecodeObject(body []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &Error{Detail: "request body is empty"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &Error{Detail: "request body is not valid JSON"}
	}
	if dec.More() {
		return nil, &Error{Detail: "request body has data after the JSON object"}
	}
	if err := checkValidJSON(body[:dec.InputOffset()]); err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &Error{Detail: "request body must be a JSON object"}
	}
	return m, nil
}

// decodeKinds are the beginnings of decodeObject's details, one per kind
// of fault.
var decodeKinds = []string{"request body is empty", "request body is not valid JSON", "request body has data after",
	"request body repeats the member", "request body nests deeper", "request body must be a JSON object"}

func decodeKind(t testing.TB, err error) string {
	t.Helper()
	if err == nil {
		return "ok"
	}
	var e *Error
	if !errors.As(err, &e) || e.Status != 0 && (e.Status != 400 || e.ScimType != "invalidSyntax") {
		t.Fatalf("error %#v is not 400 invalidSyntax", err)
	}
	for _, k := range decodeKinds {
		if strings.HasPrefix(e.Detail, k) {
			return k
		}
	}
	t.Fatalf("error %q is of no known kind", e.Detail)
	return ""
}

// compareWithOld fails t unless decodeObject reads body as oldDecodeObject
// did: the same value, or an error of the same kind. Two differences are
// deliberate: a body followed by ']' or '}', which Decoder.More let pass, is
// refused as data after the object; and member names that differ only in
// invalid UTF-8 (decoded as U+FFFD alike, so one value would be lost), which
// checkValidJSON compared as written, are refused as repeated.
func compareWithOld(t testing.TB, body []byte) {
	t.Helper()
	got, err := decodeObject(body)
	want, oldErr := oldDecodeObject(body)
	gotKind, wantKind := decodeKind(t, err), decodeKind(t, oldErr)
	if gotKind == wantKind {
		if err == nil && !reflect.DeepEqual(want, got) {
			t.Fatalf("decodeObject(%q) = %v, was %v", body, got, want)
		}
		return
	}
	rest := bytes.TrimLeft(body, " \t\r\n")
	if gotKind == "request body has data after" && (wantKind == "ok" || wantKind == "request body repeats the member" || wantKind == "request body nests deeper" || wantKind == "request body must be a JSON object") {
		var off int64
		if _, scanErr := fmt.Sscanf(err.(*Error).Detail[len("request body has data after the JSON object (offset "):], "%d", &off); scanErr == nil {
			if c := body[off]; c == ']' || c == '}' {
				return
			}
		}
	}
	if gotKind == "request body repeats the member" && wantKind == "ok" && strings.ContainsRune(err.Error(), utf8.RuneError) {
		return
	}
	t.Fatalf("decodeObject(%q): %v (%s), was %v (%s)", rest, err, gotKind, oldErr, wantKind)
}

func TestDecodeObjectDetails(t *testing.T) {
	for _, tc := range []struct{ body, detail string }{
		{"", "request body is empty; a JSON object is required"},
		{" \n\v\u00a0", "request body is empty; a JSON object is required"},
		{`{"userName":`, "request body is not valid JSON at offset 12: unexpected end of JSON input"},
		{`{"a":1,}`, "request body is not valid JSON at offset 7: invalid character '}' looking for beginning of object key string"},
		{`{"a":1} x`, "request body has data after the JSON object (offset 8)"},
		{`{"a":1}]`, "request body has data after the JSON object (offset 7)"},
		{`{"a":1,"\u0061":2}`, `request body repeats the member "a" in one object (offset 7)`},
		{`{"a":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, "request body nests deeper than 32 levels (offset 36)"},
		{`[1]`, "request body must be a JSON object"},
	} {
		_, err := decodeObject([]byte(tc.body))
		var e *Error
		if !errors.As(err, &e) || e.Status != 400 || e.ScimType != "invalidSyntax" || e.Detail != tc.detail {
			t.Errorf("decodeObject(%q): %#v; want 400 invalidSyntax %q", tc.body, err, tc.detail)
		}
		compareWithOld(t, []byte(tc.body))
	}
}

// FuzzDecodeObjectLikeBefore compares decodeObject with how request bodies
// were read before (oldDecodeObject).
func FuzzDecodeObjectLikeBefore(f *testing.F) {
	for _, name := range decodeBodies {
		body, err := os.ReadFile("schema/testdata/decode/" + name + ".json")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	for _, s := range []string{
		``, " \v ", `{}`, `[]`, `"a"`, `1`, `{"a":1,"a":2}`, `{"\u0061":1,"a":2}`, `{"a":[{"b":1},{"b":1}],"a":0}`,
		`{} x`, `{}]`, `{"a":1}}`, `1x`, `{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
		"{\"\xff\":1,\"\xfe\":2}", `{"s":"\ud83d\ude00\ud83d\u0041\ude00\ud83d"}`, `{"a":1,}`, `[{"a":1,"a":2}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		compareWithOld(t, body)
	})
}

// checkValidJSON is how request bodies were checked before
// schema.DecodeObject, for a body known to be valid JSON: nesting deeper
// than maxJSONDepth and objects repeating a member name are refused. The keys
// of the open objects share one slice (each frame owns the run from its
// first key on), and the stack starts in a fixed array, so a typical body
// costs no allocation.
func checkValidJSON(body []byte) error {
	type frame struct {
		object  bool
		wantKey bool
		first   int                 // index in keys of this object's first member
		set     map[string]struct{} // all members, once there are many
	}
	const linear = 16
	var (
		stackBuf [16]frame
		keysBuf  [32][]byte
	)
	stack, keys := stackBuf[:0], keysBuf[:0]
	for i := 0; i < len(body); i++ {
		switch c := body[i]; c {
		case '{', '[':
			if len(stack) >= maxJSONDepth {
				return &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidSyntax,
					Detail: "request body nests deeper than " + strconv.Itoa(maxJSONDepth) + " levels (offset " + strconv.Itoa(i) + ")"}
			}
			stack = append(stack, frame{object: c == '{', wantKey: c == '{', first: len(keys)})
		case '}', ']':
			keys = keys[:stack[len(stack)-1].first]
			stack = stack[:len(stack)-1]
		case ',':
			if top := len(stack) - 1; top >= 0 && stack[top].object {
				stack[top].wantKey = true
			}
		case '"':
			start := i
			for i++; body[i] != '"'; i++ {
				if body[i] == '\\' {
					i++
				}
			}
			top := len(stack) - 1
			if top < 0 || !stack[top].wantKey {
				continue
			}
			f := &stack[top]
			f.wantKey = false
			key := body[start+1 : i]
			if bytes.IndexByte(key, '\\') >= 0 {
				var k string
				if json.Unmarshal(body[start:i+1], &k) == nil {
					key = []byte(k)
				}
			}
			dup := false
			if f.set != nil {
				_, dup = f.set[string(key)]
				f.set[string(key)] = struct{}{}
			} else {
				for _, k := range keys[f.first:] {
					if bytes.Equal(k, key) {
						dup = true
						break
					}
				}
				keys = append(keys, key)
				if len(keys)-f.first > linear {
					f.set = make(map[string]struct{}, 2*linear)
					for _, k := range keys[f.first:] {
						f.set[string(k)] = struct{}{}
					}
					keys = keys[:f.first]
				}
			}
			if dup {
				return &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidSyntax,
					Detail: "request body repeats the member " + strconv.Quote(string(key)) + " in one object (offset " + strconv.Itoa(start) + ")"}
			}
		}
	}
	return nil
}
