package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// refDecode is the reference for DecodeObject: encoding/json's Decoder
// with UseNumber, then a check for data after the value, then a walk over
// the value's tokens for repeated member names and nesting deeper than
// maxDepth, then the check that the value is an object. It returns the
// value, or the kind of error with the repeated name or the offset of the
// bracket that nests too deep.
//
// The check for data after the value is stricter than Decoder.More, which
// reports none when the next byte is ']' or '}' (so `{}]` would pass).
func refDecode(b []byte, maxDepth int) (v map[string]any, kind DecodeErrorKind, member string, offset int64) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, DecodeEmpty, "", 0
		}
		return nil, DecodeSyntax, "", 0
	}
	end := dec.InputOffset()
	if dec.More() || len(bytes.TrimLeft(b[end:], " \t\r\n")) > 0 {
		return nil, DecodeTrailingData, "", 0
	}
	if kind, member, offset := refCheck(b[:end], maxDepth); kind != 0 {
		return nil, kind, member, offset
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, DecodeNotObject, "", 0
	}
	return m, 0, "", 0
}

// refCheck walks the tokens of one valid JSON value and reports the first
// object that repeats a member name (after unescaping), or the first
// object or array that nests deeper than maxDepth.
func refCheck(b []byte, maxDepth int) (kind DecodeErrorKind, member string, offset int64) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	type frame struct {
		object bool
		names  map[string]bool
		name   bool // the next string is a member name
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return 0, "", 0
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if len(stack) >= maxDepth {
					return DecodeTooDeep, "", dec.InputOffset() - 1
				}
				if top != nil && top.object {
					top.name = true
				}
				stack = append(stack, &frame{object: t == '{', names: map[string]bool{}, name: t == '{'})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		case string:
			if top != nil && top.object && top.name {
				if top.names[t] {
					return DecodeDuplicateMember, t, 0
				}
				top.names[t] = true
				top.name = false
				continue
			}
		}
		if top != nil && top.object {
			top.name = true
		}
	}
}

// decodeOrKind runs DecodeObject and returns its value or the kind of its
// error, failing t if the error is not a *DecodeError.
func decodeOrKind(t testing.TB, b []byte, maxDepth int) (map[string]any, *DecodeError) {
	t.Helper()
	m, err := DecodeObject(b, maxDepth)
	if err == nil {
		if m == nil {
			t.Fatalf("DecodeObject(%q) = nil, nil", b)
		}
		return m, nil
	}
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("DecodeObject(%q): error %T %v is not a *DecodeError", b, err, err)
	}
	if m != nil {
		t.Fatalf("DecodeObject(%q) = %v with error %v", b, m, err)
	}
	return nil, de
}

// compareWithRef fails t unless DecodeObject and refDecode agree on b.
func compareWithRef(t testing.TB, b []byte, maxDepth int) {
	t.Helper()
	got, err := decodeOrKind(t, b, maxDepth)
	want, kind, member, offset := refDecode(b, maxDepth)
	switch {
	case err == nil && kind == 0:
		// cmp takes time exponential in the nesting of arrays, so it
		// only explains a difference.
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("DecodeObject(%q, %d) differs from encoding/json (-want +got):\n%s", b, maxDepth, cmp.Diff(want, got))
		}
	case err == nil:
		t.Fatalf("DecodeObject(%q, %d) = %v; want an error of kind %d", b, maxDepth, got, kind)
	case kind == 0:
		t.Fatalf("DecodeObject(%q, %d): %v; encoding/json reads %v", b, maxDepth, err, want)
	case err.Kind != kind:
		t.Fatalf("DecodeObject(%q, %d): %v (kind %d); want kind %d", b, maxDepth, err, err.Kind, kind)
	case kind == DecodeDuplicateMember && err.Member != member:
		t.Fatalf("DecodeObject(%q, %d): %v; want the member %q", b, maxDepth, err, member)
	case kind == DecodeTooDeep && (err.Offset != offset || err.MaxDepth != maxDepth):
		t.Fatalf("DecodeObject(%q, %d): %v; want offset %d", b, maxDepth, err, offset)
	}
}

func readBody(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/decode/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var bodyNames = []string{"okta_user", "entra_patch", "entra_user", "group100"}

// num is a json.Number, for wanted values.
type num = json.Number

func TestDecodeObject(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, tc := range []struct {
		name string
		in   string
		// want is the value, for valid input; it is also compared with
		// encoding/json's.
		want map[string]any
		// kind and offset are the error, for invalid input.
		kind   DecodeErrorKind
		offset int64
		member string // the repeated member
	}{
		// Valid input.
		{name: "empty object", in: `{}`, want: map[string]any{}},
		{name: "whitespace everywhere", in: " \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n[ \t\r\n1 \t\r\n, \t\r\n{ } \t\r\n, [ ] ] \t\r\n, \"b\"\n:\nnull\n} \t\r\n",
			want: map[string]any{"a": []any{num("1"), map[string]any{}, []any{}}, "b": nil}},
		{name: "literals", in: `{"t":true,"f":false,"n":null,"a":[true,false,null]}`,
			want: map[string]any{"t": true, "f": false, "n": nil, "a": []any{true, false, nil}}},
		{name: "numbers", in: `{"n":[0,-0,1,-1,7,42,-42,1042,0.5,-0.5,10.25,1e3,1E3,1e+3,1e-3,-1.5E-10,0e0,123456789012345678901234567890,1.0]}`,
			want: map[string]any{"n": []any{num("0"), num("-0"), num("1"), num("-1"), num("7"), num("42"), num("-42"), num("1042"),
				num("0.5"), num("-0.5"), num("10.25"), num("1e3"), num("1E3"), num("1e+3"), num("1e-3"), num("-1.5E-10"), num("0e0"),
				num("123456789012345678901234567890"), num("1.0")}}},
		{name: "escapes", in: `{"s":"a\"b\\c\/d\be\ff\ng\rh\ti","u":"\u0041\u00e9\u20AC\u0000"}`,
			want: map[string]any{"s": "a\"b\\c/d\be\ff\ng\rh\ti", "u": "Aé€\x00"}},
		{name: "unicode as is", in: `{"名前":"José Müller 😀","ключ":"значение"}`,
			want: map[string]any{"名前": "José Müller 😀", "ключ": "значение"}},
		{name: "surrogate pair", in: `{"s":"\ud83d\ude00 \uD83D\uDE00"}`, want: map[string]any{"s": "😀 😀"}},
		{name: "lone high surrogate", in: `{"s":"a\ud83db"}`, want: map[string]any{"s": "a\ufffdb"}},
		{name: "lone low surrogate", in: `{"s":"\ude00"}`, want: map[string]any{"s": "\ufffd"}},
		{name: "high surrogate then escape", in: `{"s":"\ud83d\u0041"}`, want: map[string]any{"s": "\ufffdA"}},
		{name: "two high surrogates", in: `{"s":"\ud83d\ud83d\ude00"}`, want: map[string]any{"s": "\ufffd😀"}},
		{name: "surrogate at end", in: `{"s":"\ud83d"}`, want: map[string]any{"s": "\ufffd"}},
		{name: "invalid UTF-8", in: "{\"s\":\"a\xffb\xc3\",\"t\":\"\xed\xa0\x80\"}", want: map[string]any{"s": "a\ufffdb\ufffd", "t": "\ufffd\ufffd\ufffd"}},
		{name: "invalid UTF-8 with escape", in: "{\"s\":\"\\n\xff\"}", want: map[string]any{"s": "\n\ufffd"}},
		{name: "encoded replacement character", in: "{\"s\":\"\xef\xbf\xbd\"}", want: map[string]any{"s": "\ufffd"}},
		{name: "escaped member name", in: `{"\u0075serName":"a","na\u006de":{"given\u004eame":"b"}}`,
			want: map[string]any{"userName": "a", "name": map[string]any{"givenName": "b"}}},
		{name: "nested", in: `{"a":{"b":{"c":[[[{"d":[1,[2,[3]]]}]]]}}}`,
			want: map[string]any{"a": map[string]any{"b": map[string]any{"c": []any{[]any{[]any{map[string]any{"d": []any{num("1"), []any{num("2"), []any{num("3")}}}}}}}}}}},
		{name: "same name in sibling objects", in: `{"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]}`,
			want: map[string]any{"a": map[string]any{"x": num("1")}, "b": map[string]any{"x": num("1")}, "c": []any{map[string]any{"x": num("1")}, map[string]any{"x": num("2")}}}},
		{name: "empty member name", in: `{"":""}`, want: map[string]any{"": ""}},
		{name: "32 levels", in: `{"a":` + deep(31) + `}`},
		{name: "many members", in: `{"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":1,"k11":1,"k12":1,"k13":1,"k14":1,"k15":1,"k16":1,"k17":{"k1":1},"k18":2}`},
		{name: "okta user", in: string(readBody(t, "okta_user"))},
		{name: "entra patch", in: string(readBody(t, "entra_patch"))},
		{name: "entra user", in: string(readBody(t, "entra_user"))},
		{name: "group of 100", in: string(readBody(t, "group100"))},

		// Invalid input.
		{name: "empty", in: ``, kind: DecodeEmpty},
		{name: "whitespace", in: " \r\n\t", kind: DecodeEmpty, offset: 4},
		{name: "truncated", in: `{"userName":`, kind: DecodeSyntax, offset: 12},
		{name: "truncated string", in: `{"a":"b`, kind: DecodeSyntax, offset: 7},
		{name: "truncated escape", in: `{"a":"\u12`, kind: DecodeSyntax, offset: 10},
		{name: "bad escape", in: `{"a":"\x"}`, kind: DecodeSyntax, offset: 7},
		{name: "bad hex escape", in: `{"a":"\u12G4"}`, kind: DecodeSyntax, offset: 10},
		{name: "control character", in: "{\"a\":\"\t\"}", kind: DecodeSyntax, offset: 6},
		{name: "single quotes", in: `{'a':1}`, kind: DecodeSyntax, offset: 1},
		{name: "unquoted name", in: `{a:1}`, kind: DecodeSyntax, offset: 1},
		{name: "missing colon", in: `{"a" 1}`, kind: DecodeSyntax, offset: 5},
		{name: "trailing comma in object", in: `{"a":1,}`, kind: DecodeSyntax, offset: 7},
		{name: "trailing comma in array", in: `{"a":[1,]}`, kind: DecodeSyntax, offset: 8},
		{name: "missing comma", in: `{"a":1 "b":2}`, kind: DecodeSyntax, offset: 7},
		{name: "array missing comma", in: `{"a":[1 2]}`, kind: DecodeSyntax, offset: 8},
		{name: "wrong closer", in: `{"a":[1}`, kind: DecodeSyntax, offset: 7},
		{name: "leading zero", in: `{"a":01}`, kind: DecodeSyntax, offset: 6},
		{name: "plus sign", in: `{"a":+1}`, kind: DecodeSyntax, offset: 5},
		{name: "bare point", in: `{"a":.5}`, kind: DecodeSyntax, offset: 5},
		{name: "no fraction digit", in: `{"a":1.}`, kind: DecodeSyntax, offset: 7},
		{name: "no exponent digit", in: `{"a":1e}`, kind: DecodeSyntax, offset: 7},
		{name: "minus alone", in: `{"a":-}`, kind: DecodeSyntax, offset: 6},
		{name: "hex number", in: `{"a":0x1}`, kind: DecodeSyntax, offset: 6},
		{name: "NaN", in: `{"a":NaN}`, kind: DecodeSyntax, offset: 5},
		{name: "bad literal", in: `{"a":tru}`, kind: DecodeSyntax, offset: 8},
		{name: "capital literal", in: `{"a":True}`, kind: DecodeSyntax, offset: 5},
		{name: "byte order mark", in: "\xef\xbb\xbf{}", kind: DecodeSyntax, offset: 0},
		{name: "comment", in: `{} // x`, kind: DecodeTrailingData, offset: 3},
		{name: "data after", in: `{"a":1} x`, kind: DecodeTrailingData, offset: 8},
		{name: "second object", in: `{}{}`, kind: DecodeTrailingData, offset: 2},
		{name: "closing bracket after", in: `{"a":1}]`, kind: DecodeTrailingData, offset: 7},
		{name: "closing brace after", in: "{}\n}", kind: DecodeTrailingData, offset: 3},
		{name: "invalid data after", in: `{"a":1} {"`, kind: DecodeTrailingData, offset: 8},
		{name: "data after a number", in: `1x`, kind: DecodeTrailingData, offset: 1},
		{name: "leading zero at top", in: `01`, kind: DecodeTrailingData, offset: 1},
		{name: "data after literal", in: `truex`, kind: DecodeTrailingData, offset: 4},
		{name: "trailing data wins over a repeated member", in: `{"a":1,"a":2} x`, kind: DecodeTrailingData, offset: 14},
		{name: "repeated member", in: `{"a":1,"a":2}`, kind: DecodeDuplicateMember, offset: 7, member: "a"},
		{name: "repeated member escaped", in: `{"userName":"x","\u0075serName":"y"}`, kind: DecodeDuplicateMember, offset: 16, member: "userName"},
		{name: "repeated member with invalid UTF-8", in: "{\"\xff\":1,\"\xfe\":2}", kind: DecodeDuplicateMember, offset: 7, member: "\ufffd"},
		{name: "repeated member raw and escaped replacement", in: "{\"\xff\":1,\"\\ufffd\":2}", kind: DecodeDuplicateMember, offset: 7, member: "\ufffd"},
		{name: "repeated member nested", in: `{"a":[{"b":{"c":1,"c":2}}]}`, kind: DecodeDuplicateMember, offset: 18, member: "c"},
		{name: "repeated member among many", in: `{"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":1,"k11":1,"k12":1,"k13":1,"k14":1,"k15":1,"k16":1,"k17":{"k1":1},"k1":0}`,
			kind: DecodeDuplicateMember, offset: 135, member: "k1"},
		{name: "repeated member after many", in: `{"a":{"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":1,"k11":1,"k12":1,"k13":1,"k14":1,"k15":1,"k16":1,"k17":1},"b":1,"a":2}`,
			kind: DecodeDuplicateMember, offset: 140, member: "a"},
		{name: "repeated member in a top-level array", in: `[{"a":1,"a":2}]`, kind: DecodeDuplicateMember, offset: 8, member: "a"},
		{name: "syntax error wins over a repeated member", in: `{"a":1,"a":2,}`, kind: DecodeSyntax, offset: 13},
		{name: "too deep", in: `{"a":` + deep(32) + `}`, kind: DecodeTooDeep, offset: 36},
		{name: "too deep unclosed", in: `{"a":` + strings.Repeat("[", 40), kind: DecodeSyntax, offset: 45},
		{name: "too deep then repeated member", in: `{"a":` + deep(40) + `,"a":1}`, kind: DecodeTooDeep, offset: 36},
		{name: "repeated member then too deep", in: `{"a":1,"a":` + deep(40) + `}`, kind: DecodeDuplicateMember, offset: 7, member: "a"},
		{name: "too deep then syntax error", in: `{"a":` + deep(40) + `,"b":x}`, kind: DecodeSyntax, offset: 90},
		{name: "too deep then data after", in: `{"a":` + deep(40) + `} x`, kind: DecodeTrailingData, offset: 87},
		{name: "deeper than encoding/json reads", in: `{"a":` + deep(MaxNestingDepth) + `}`, kind: DecodeSyntax, offset: 5 + MaxNestingDepth - 1},
		{name: "array", in: `["a"]`, kind: DecodeNotObject},
		{name: "string", in: ` "a"`, kind: DecodeNotObject, offset: 1},
		{name: "number", in: `1`, kind: DecodeNotObject},
		{name: "null", in: `null`, kind: DecodeNotObject},
		{name: "repeated member wins over not an object", in: `[{"a":1,"a":1}]`, kind: DecodeDuplicateMember, offset: 8, member: "a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := []byte(tc.in)
			compareWithRef(t, b, 32)
			got, err := decodeOrKind(t, b, 32)
			if tc.kind == 0 {
				if err != nil {
					t.Fatalf("DecodeObject(%q): %v", tc.in, err)
				}
				if tc.want != nil {
					if diff := cmp.Diff(tc.want, got); diff != "" {
						t.Errorf("DecodeObject(%q) (-want +got):\n%s", tc.in, diff)
					}
				}
				return
			}
			if err == nil {
				t.Fatalf("DecodeObject(%q) = %v; want an error", tc.in, got)
			}
			if err.Kind != tc.kind || err.Offset != tc.offset || err.Member != tc.member {
				t.Errorf("DecodeObject(%q): %v (kind %d, offset %d, member %q); want kind %d, offset %d, member %q",
					tc.in, err, err.Kind, err.Offset, err.Member, tc.kind, tc.offset, tc.member)
			}
		})
	}
}

// TestDecodeObjectDepth checks the nesting limit: maxDepth counts the
// outermost object, values below 1 or above MaxNestingDepth mean
// MaxNestingDepth, and deep input is refused without recursing.
func TestDecodeObjectDepth(t *testing.T) {
	nest := func(n int) []byte {
		if n == 1 {
			return []byte(`{}`)
		}
		return []byte(`{"a":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + `}`)
	}
	for _, tc := range []struct {
		depth, maxDepth int
		ok              bool
	}{
		{1, 1, true}, {2, 1, false}, {32, 32, true}, {33, 32, false}, {1000, 0, true}, {1000, -1, true},
		{MaxNestingDepth, 0, true}, {MaxNestingDepth + 1, 0, false}, {MaxNestingDepth + 1, MaxNestingDepth + 5, false},
	} {
		b := nest(tc.depth)
		_, err := decodeOrKind(t, b, tc.maxDepth)
		if (err == nil) != tc.ok {
			t.Errorf("depth %d, maxDepth %d: error %v", tc.depth, tc.maxDepth, err)
		}
		if tc.depth < 2000 {
			compareWithRef(t, b, max(tc.maxDepth, 1))
		}
	}
	// A million open brackets: refused, as a syntax error like
	// encoding/json, after reading at most MaxNestingDepth+1 of them.
	b := []byte(`{"a":` + strings.Repeat("[", 1e6))
	for _, maxDepth := range []int{32, 0} {
		if _, err := decodeOrKind(t, b, maxDepth); err == nil || err.Kind != DecodeSyntax || err.Offset != 5+MaxNestingDepth-1 {
			t.Errorf("a million [ with maxDepth %d: %v", maxDepth, err)
		}
	}
}

// TestDecodeObjectManyMembers checks that repeated names are found in
// objects with many members without comparing every pair.
func TestDecodeObjectManyMembers(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(`{`)
	const n = 200000
	for i := range n {
		if i > 0 {
			sb.WriteString(",")
		}
		sb.WriteString(`"member` + strings.Repeat("x", i%7) + strconv.Itoa(i) + `":` + strconv.Itoa(i))
	}
	m, err := decodeOrKind(t, []byte(sb.String()+`}`), 32)
	if err != nil || len(m) != n {
		t.Fatalf("%d members: %d, %v", n, len(m), err)
	}
	_, err = decodeOrKind(t, []byte(sb.String()+`,"member0":1}`), 32)
	if err == nil || err.Kind != DecodeDuplicateMember || err.Member != "member0" {
		t.Fatalf("repeated member0 after %d members: %v", n, err)
	}
}

// TestDecodeObjectKeepsNoReference checks that the result does not share
// memory with the input.
func TestDecodeObjectKeepsNoReference(t *testing.T) {
	b := readBody(t, "entra_user")
	want, err := decodeOrKind(t, b, 32)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := decodeOrKind(t, b, 32)
	for i := range b {
		b[i] = ' '
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("overwriting the input changed the result (-want +got):\n%s", diff)
	}
}

// TestDecodeObjectFreshValues checks that results do not share mutable
// values: changing one decoded object leaves another alone.
func TestDecodeObjectFreshValues(t *testing.T) {
	b := []byte(`{"a":{},"b":[1],"c":[]}`)
	m1, _ := decodeOrKind(t, b, 32)
	m2, _ := decodeOrKind(t, b, 32)
	m1["a"].(map[string]any)["x"] = 1
	m1["b"].([]any)[0] = 2
	m1["c"] = append(m1["c"].([]any), 3)
	if diff := cmp.Diff(map[string]any{"a": map[string]any{}, "b": []any{num("1")}, "c": []any{}}, m2); diff != "" {
		t.Errorf("changing one result changed another (-want +got):\n%s", diff)
	}
}

// TestInternTable checks that every interned string is found, as itself.
func TestInternTable(t *testing.T) {
	seen := map[string]bool{}
	for i, s := range internedNames {
		if seen[s] {
			t.Errorf("%q is listed twice", s)
		}
		seen[s] = true
		if k := internIndex([]byte(s)); k != i {
			t.Errorf("internIndex(%q) = %d, want %d", s, k, i)
		}
		if internedValues[i] != any(s) {
			t.Errorf("internedValues[%d] = %v, want %q", i, internedValues[i], s)
		}
		for _, other := range []string{s + "x", s[:len(s)-1], strings.ToUpper(s)} {
			if k := internIndex([]byte(other)); k >= 0 && internedNames[k] != other {
				t.Errorf("internIndex(%q) = %q", other, internedNames[k])
			}
		}
	}
}

// decodeAllocs is the most allocations decoding Okta's POST /Users body
// may take: two for each string value, number and member name that is not
// interned (its bytes and its box), two for each non-empty array (its
// elements and its box), and two for each map, four for the one with more
// than 8 members.
const decodeAllocs = 35

func TestDecodeObjectAllocs(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("allocations differ under -cover and -race")
	}
	b := readBody(t, "okta_user")
	if _, err := DecodeObject(b, 32); err != nil {
		t.Fatal(err)
	}
	n := testing.AllocsPerRun(200, func() { _, _ = DecodeObject(b, 32) })
	if n > decodeAllocs {
		t.Errorf("decoding Okta's POST /Users body allocates %v times, want at most %d", n, decodeAllocs)
	}
	t.Logf("%v allocations", n)
}

// FuzzDecodeObject compares DecodeObject with encoding/json (refDecode) on
// every input: the same value, or an error of the same kind.
func FuzzDecodeObject(f *testing.F) {
	for _, name := range bodyNames {
		f.Add(readBody(f, name))
	}
	for _, s := range []string{
		``, ` `, `{}`, `[]`, `"a"`, `1`, `-0.5e+7`, `null`, `true`, `false`, `{"a":1}`, `{"a":1,"a":2}`,
		`{"a":{"a":1},"b":{"a":1}}`, `{"a":[{"b":1},{"b":1}],"a":0}`, `{"\u0061":1,"a":2}`, `[{"x":1,"y":2},{"x":1}]`,
		`{"a":{"b":{"c":1,"c":2}}}`, `{"a":"{\"a\":1}","b":"a"}`, `{} x`, `{}]`, `{}}`, `{"a":1}{`, `1x`, `01`, `truex`,
		`{"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":1,"k11":1,"k12":1,"k13":1,"k14":1,"k15":1,"k16":1,"k17":{"k1":1},"k1":0}`,
		`{"s":"\ud83d\ude00\ud83d\u0041\ude00\ud83d"}`, "{\"s\":\"\xff\xc3\xed\xa0\x80\"}", "{\"\xff\":1,\"\xfe\":2}",
		"{\"\xff\":1,\"\\ufffd\":2}", `{"a":[[[[[[[[[[]]]]]]]]]]}`, `{"a":[[[[[[[[[[]]]]]]]]]],"a":1}`,
		`{"a":[1,2.5,-3e4,true,false,null,"x",{},[]]}`, `{"a":"\b\f\n\r\t\"\\\/"}`, `{"a":01}`, `{"a":1.}`,
		`{"a":[[[[[[` + `,"a":1}`, `[{"a":1,"a":2}]`, `[[[[[[[[]]]]]]]]`, "\t\n\r {\"schemas\" : [ ] } \t\n\r",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		compareWithRef(t, b, 32)
		compareWithRef(t, b, 4)
	})
}

// BenchmarkDecodeObject decodes request bodies with DecodeObject and, for
// comparison, with encoding/json's Decoder (which checks neither repeated
// members nor nesting).
func BenchmarkDecodeObject(b *testing.B) {
	for _, name := range bodyNames {
		body := readBody(b, name)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DecodeObject(body, 32); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/encoding-json", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				dec := json.NewDecoder(bytes.NewReader(body))
				dec.UseNumber()
				var v map[string]any
				if err := dec.Decode(&v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
