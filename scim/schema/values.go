package schema

import (
	"cmp"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file is the one home of the value rules (RFC 7643 §2.2 and §2.3):
// which attributes compare case-sensitively, the case-insensitive key,
// equality of two values, emptiness, and the sort order. filter.Match,
// PATCH, uniqueness, the memory store and the SQL store all use them.

// CaseSensitive reports whether string values of a compare exactly: a is
// caseExact, or a reference or binary (RFC 7643 §2.3.7, §2.3.6). A nil
// attribute (an unbound path) compares case-insensitively.
func (a *Attribute) CaseSensitive() bool {
	return a != nil && (a.CaseExact || a.Type == Reference || a.Type == Binary)
}

// Key returns the key of the string value s of a under which values are
// unique and indexed: s itself when a is [Attribute.CaseSensitive],
// otherwise [Fold](s).
func (a *Attribute) Key(s string) string {
	if a.CaseSensitive() {
		return s
	}
	return Fold(s)
}

// Fold returns the case-insensitive key of s, under Unicode simple case
// folding as strings.EqualFold applies it: every rune is replaced by one
// representative of its orbit under unicode.SimpleFold. The representative
// is the lower case (unicode.ToLower) of the smallest rune of the orbit, or
// that smallest rune itself when its lower case lies outside the orbit
// (only U+0130 İ, which is alone in its orbit, as is U+0131 ı).
//
// So Fold(a) == Fold(b) exactly when strings.EqualFold(a, b); every rune
// maps to exactly one rune, so Fold(a) contains, starts with or ends with
// Fold(b) exactly when a does with b under folding; and Fold of an ASCII
// string is its ASCII lower case. Full case folding (ß against "ss") and
// normalization (a letter against the same letter with a combining mark)
// are not applied. The tables are those of the unicode package
// (unicode.Version). Hosts use Fold for their own unique indexes so that
// they agree with filters and with the stores of this module.
func Fold(s string) string {
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return foldUnicode(s)
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	if !upper {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// AppendFold appends [Fold](s) to dst and returns the extended buffer, so
// that a key can be built in a reused or stack buffer (a map index by
// string(buf) does not allocate).
func AppendFold(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			for _, r := range s[i:] {
				dst = utf8.AppendRune(dst, FoldRune(r))
			}
			return dst
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

func foldUnicode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(FoldRune(r))
	}
	return b.String()
}

// FoldRune returns the representative of r's simple case-folding orbit,
// the rune [Fold] maps r to.
func FoldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	l := unicode.ToLower(least)
	if l == least {
		return least
	}
	for f := unicode.SimpleFold(least); f != least; f = unicode.SimpleFold(f) {
		if f == l {
			return l
		}
	}
	return least // U+0130 İ, whose lower case i has an orbit of its own
}

// EqualStrings reports whether a and b are equal strings of an attribute
// that is case-sensitive (exact) or not: Fold(a) == Fold(b) in the latter
// case.
func EqualStrings(exact bool, a, b string) bool {
	if exact {
		return a == b
	}
	return strings.EqualFold(a, b)
}

// CompareStrings orders a and b as strings of an attribute that is
// case-sensitive (exact) or not: by code point, after [Fold] in the latter
// case, so that strings equal under folding compare equal. This is the
// byte order of UTF-8, the order of SQL's COLLATE "C" over the keys.
func CompareStrings(exact bool, a, b string) int {
	if exact {
		return strings.Compare(a, b)
	}
	for a != "" && b != "" {
		if a[0]|b[0] < utf8.RuneSelf {
			x, y := a[0], b[0]
			if 'A' <= x && x <= 'Z' {
				x += 'a' - 'A'
			}
			if 'A' <= y && y <= 'Z' {
				y += 'a' - 'A'
			}
			if x != y {
				return cmp.Compare(x, y)
			}
			a, b = a[1:], b[1:]
			continue
		}
		r, n := utf8.DecodeRuneInString(a)
		q, m := utf8.DecodeRuneInString(b)
		a, b = a[n:], b[m:]
		if r == q {
			continue
		}
		if c := cmp.Compare(FoldRune(r), FoldRune(q)); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// CompareNumbers orders two JSON numbers numerically, integers against
// decimals included: exactly when both are integers that fit in 64 bits,
// as float64 otherwise. Text that is not a number orders by its bytes.
func CompareNumbers(a, b string) int {
	x, err1 := strconv.ParseInt(a, 10, 64)
	y, err2 := strconv.ParseInt(b, 10, 64)
	if err1 == nil && err2 == nil {
		return cmp.Compare(x, y)
	}
	f, err1 := strconv.ParseFloat(a, 64)
	g, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil {
		return strings.Compare(a, b)
	}
	return cmp.Compare(f, g)
}

// ParseDateTime returns the instant of the dateTime text s, and false if s
// is not one: xsd:dateTime as RFC 7643 §2.3.5 uses it, that is RFC 3339
// with optional fractional seconds and any offset, or without an offset,
// which is then taken as UTC.
func ParseDateTime(s string) (time.Time, bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.Parse("2006-01-02T15:04:05.999999999", s)
		if err != nil {
			return time.Time{}, false
		}
	}
	return t, true
}

// IsEmpty reports whether v means "no value" (RFC 7643 §2.5, RFC 7644
// "pr"): nil, "", or an array or object none of whose values is
// non-empty ([], {}, [""]).
func IsEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		for _, el := range x {
			if !IsEmpty(el) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, el := range x {
			if !IsEmpty(el) {
				return false
			}
		}
		return true
	}
	return false
}

// Identical reports whether two canonical values are the same data:
// strings byte for byte, numbers by their text (two spellings of one
// decimal are not identical), objects key by key and arrays in order. It
// tells whether a write changed anything; values shared between x and y
// compare in constant time.
func Identical(x, y any) bool {
	switch x := x.(type) {
	case nil:
		return y == nil
	case string:
		y, ok := y.(string)
		return ok && x == y
	case bool:
		y, ok := y.(bool)
		return ok && x == y
	case json.Number:
		y, ok := y.(json.Number)
		return ok && x == y
	case map[string]any:
		y, ok := y.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		if len(x) == 0 || reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer() {
			return true
		}
		for name, v := range x {
			w, ok := y[name]
			if !ok || !Identical(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := y.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		if len(x) > 0 && &x[0] == &y[0] {
			return true
		}
		for i := range x {
			if !Identical(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(x, y)
}

// Equal reports whether canonical values x and y of attribute a are equal
// under a's definition: strings by [EqualStrings] with a's case rule,
// integers and decimals numerically, dateTimes as instants, booleans as
// booleans, complex values sub-attribute by sub-attribute, and
// multi-valued attributes as unordered collections. Values of the wrong
// type are equal only when [Identical].
func (a *Attribute) Equal(x, y any) bool {
	if a.MultiValued {
		xs, ok1 := x.([]any)
		ys, ok2 := y.([]any)
		if !ok1 || !ok2 || len(xs) != len(ys) {
			return false
		}
		used := make([]bool, len(ys))
	outer:
		for _, xe := range xs {
			for j, ye := range ys {
				if !used[j] && a.equalSingle(xe, ye) {
					used[j] = true
					continue outer
				}
			}
			return false
		}
		return true
	}
	return a.equalSingle(x, y)
}

func (a *Attribute) equalSingle(x, y any) bool {
	switch a.Type {
	case Complex:
		xm, ok1 := x.(map[string]any)
		ym, ok2 := y.(map[string]any)
		if !ok1 || !ok2 || len(xm) != len(ym) {
			return false
		}
		for k, xv := range xm {
			yv, ok := ym[k]
			if !ok {
				return false
			}
			if s := exactAttr(a.SubAttributes, k); s != nil {
				if !s.Equal(xv, yv) {
					return false
				}
			} else if !Identical(xv, yv) {
				return false
			}
		}
		return true
	case Integer, Decimal:
		xn, ok1 := x.(json.Number)
		yn, ok2 := y.(json.Number)
		if ok1 && ok2 {
			return xn == yn || CompareNumbers(string(xn), string(yn)) == 0
		}
	case DateTime:
		xs, ok1 := x.(string)
		ys, ok2 := y.(string)
		if ok1 && ok2 && xs != ys {
			xt, ok1 := ParseDateTime(xs)
			yt, ok2 := ParseDateTime(ys)
			return ok1 && ok2 && xt.Equal(yt)
		}
	case String, Reference, Binary, "":
		xs, ok1 := x.(string)
		ys, ok2 := y.(string)
		if ok1 && ok2 {
			return EqualStrings(a.CaseSensitive(), xs, ys)
		}
	}
	return Identical(x, y)
}

// SortKind is the kind of a [SortKey]; kinds order among themselves in
// the order of the constants, after which missing values come last.
type SortKind int

// The kinds of sort keys.
const (
	SortMissing SortKind = iota // no value: sorts last in either direction
	SortBool                    // false before true
	SortNumber                  // numerically
	SortTime                    // as instants
	SortString                  // by CompareStrings of the key
)

// SortKey is the value a resource sorts by (RFC 7644 §3.4.2.3), prepared
// once per resource. Build it with [Attribute.SortKey] and order with
// [CompareSortKeys].
type SortKey struct {
	Kind   SortKind
	Bool   bool
	Number float64
	Time   time.Time
	// Text is the string, already folded when the attribute is not
	// case-sensitive, so that it orders by strings.Compare.
	Text string
}

// SortKey returns the sort key of v, one value of attribute a (nil for an
// unbound path, whose strings sort folded): strings by their [Attribute.Key]
// (dateTimes as instants), numbers numerically, booleans false first;
// absent, "" and non-scalar values are missing.
func (a *Attribute) SortKey(v any) SortKey {
	switch x := v.(type) {
	case string:
		if x == "" {
			return SortKey{}
		}
		if a != nil && a.Type == DateTime {
			if t, ok := ParseDateTime(x); ok {
				return SortKey{Kind: SortTime, Time: t}
			}
		}
		return SortKey{Kind: SortString, Text: a.Key(x)}
	case bool:
		return SortKey{Kind: SortBool, Bool: x}
	case json.Number:
		if f, err := strconv.ParseFloat(string(x), 64); err == nil {
			return SortKey{Kind: SortNumber, Number: f}
		}
		return SortKey{Kind: SortString, Text: string(x)}
	case float64:
		return SortKey{Kind: SortNumber, Number: x}
	case int:
		return SortKey{Kind: SortNumber, Number: float64(x)}
	}
	return SortKey{}
}

// CompareSortKeys orders x before y (negative) or after (positive) in
// ascending or descending order. Missing values order after every value, so
// they come last when ascending and first when descending (RFC 7644
// §3.4.2.3: "they are ordered last if ascending and first if
// descending"). Keys of different kinds order by kind.
func CompareSortKeys(x, y SortKey, descending bool) int {
	c := 0
	switch {
	case x.Kind == SortMissing && y.Kind == SortMissing:
		return 0
	case x.Kind == SortMissing: // after every value, so first when descending
		c = 1
	case y.Kind == SortMissing:
		c = -1
	case x.Kind != y.Kind:
		c = cmp.Compare(x.Kind, y.Kind)
	case x.Kind == SortBool && x.Bool != y.Bool:
		c = 1
		if y.Bool {
			c = -1
		}
	case x.Kind == SortNumber:
		c = cmp.Compare(x.Number, y.Number)
	case x.Kind == SortTime:
		c = x.Time.Compare(y.Time)
	case x.Kind == SortString:
		c = strings.Compare(x.Text, y.Text)
	}
	if descending {
		return -c
	}
	return c
}

// IsNumber reports whether s is a number in JSON syntax (RFC 8259 §6), the
// text of an integer or decimal value.
func IsNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

// ElementKey returns the identity of el, an element of the multi-valued
// complex attribute a, under which a list holds it once: the [Attribute.Key]
// of its "value" when a is [Attribute.KeyedByValue] (Group members, roles);
// otherwise the keys of its "type" and "value" (RFC 7643 §2.4), an absent
// type counting as "". ok is false when el has no string "value", or a has
// neither rule (no "value" or no "type" sub-attribute).
func (a *Attribute) ElementKey(el map[string]any) (key string, ok bool) {
	k, ok := a.elementKey(el)
	if keyed, _ := a.KeyedByValue(); !ok || keyed {
		return k[1], ok
	}
	return k[0] + "\x00" + k[1], true
}

// elementKey is ElementKey as the keys of the type (k[0], "" when the
// attribute is keyed by value alone) and of the value (k[1]), which a map
// can use without joining them (normalization's de-duplication).
func (a *Attribute) elementKey(el map[string]any) (k [2]string, ok bool) {
	v, isStr := el["value"].(string)
	vs := a.Sub("value")
	if !isStr || vs == nil {
		return k, false
	}
	if keyed, _ := a.KeyedByValue(); keyed {
		return [2]string{"", vs.Key(v)}, true
	}
	ts := a.Sub("type")
	if ts == nil {
		return k, false
	}
	t, _ := el["type"].(string)
	return [2]string{ts.Key(t), vs.Key(v)}, true
}
