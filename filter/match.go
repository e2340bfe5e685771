package filter

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scimkit/scimkit/scim/schema"
)

// Match reports whether the resource obj satisfies e.
//
// obj is a resource in canonical form (package schema), with "id" and
// "meta" added at the top level: core and common attributes are top-level
// keys, extension attributes live in a nested object under the extension's
// URN, strings are string, booleans bool, numbers json.Number (float64 and
// int are accepted too), dateTimes RFC 3339 strings, complex values
// map[string]any and multi-valued attributes []any.
//
// Bound paths ([AttrPath.Attr] set) are looked up by their canonical names;
// unbound paths fall back to a case-insensitive key search, and an unbound
// URN that is not a key of obj (the core schema URN) selects the top level.
//
// Semantics (RFC 7644 §3.4.2.2 and RFC 7643 §2):
//
//   - A multi-valued attribute matches if any of its values matches;
//     "emails.value" ranges over the value of every element.
//   - A complex attribute compared without a sub-attribute (members eq
//     "2819c223", emails co "@example.com") compares its "value"
//     sub-attribute.
//   - Strings compare case-insensitively unless the attribute is caseExact;
//     references and binary values always compare exactly; unbound strings
//     compare case-insensitively.
//   - dateTime values compare as instants (offsets and fractional seconds
//     are honoured); unbound, two strings that both parse as dateTimes
//     compare as instants too.
//   - Numbers compare numerically, integers against decimals included.
//   - Booleans support eq and ne. The strings "true" and "false" (any case)
//     equal the booleans. An element of a multi-valued attribute without
//     "primary" has it false (RFC 7643 §2.4: "If not specified, the value
//     of primary SHALL be assumed to be false"), so emails[primary eq
//     false] matches it and emails[primary ne false] does not; no other
//     absent boolean has a value.
//   - "pr" is false for an absent attribute, null, "", an empty array and
//     an empty object.
//   - "ne" is the negation of "eq": it is true for an absent attribute, and
//     for a multi-valued attribute it is true only if no value equals. RFC
//     7644 leaves absent attributes unspecified; this choice keeps
//     `not (a eq x)` and `a ne x` identical.
//   - "eq null" is true when the attribute is not present (as for "pr"),
//     "ne null" when it is.
//   - Values of a type the comparison cannot apply to do not match (and so
//     satisfy "ne").
//
// Match never panics on well-formed trees and never modifies obj.
func Match(e Expr, obj map[string]any) bool {
	switch e := e.(type) {
	case *Compare:
		return matchCompare(e, attrValue(obj, &e.Path))
	case *Present:
		return present(attrValue(obj, &e.Path), e.Path.Sub, e.Path.Attr != nil)
	case *And:
		return Match(e.Left, obj) && Match(e.Right, obj)
	case *Or:
		return Match(e.Left, obj) || Match(e.Right, obj)
	case *Not:
		return !Match(e.X, obj)
	case *ValuePath:
		return matchValuePath(e, attrValue(obj, &e.Path))
	}
	return false
}

// attrValue returns the value of the attribute p names (without descending
// into p.Sub), or nil.
func attrValue(obj map[string]any, p *AttrPath) any {
	bound := p.Attr != nil
	m := obj
	if p.URN != "" {
		ext, ok := lookup(obj, p.URN, bound).(map[string]any)
		if !ok {
			if bound || hasKey(obj, p.URN) {
				return nil
			}
			// Unbound and no such object: the URN is the core schema's.
		} else {
			m = ext
		}
	}
	return lookup(m, p.Name, bound)
}

func hasKey(m map[string]any, key string) bool {
	if _, ok := m[key]; ok {
		return true
	}
	for k := range m {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

func lookup(m map[string]any, key string, bound bool) any {
	if v, ok := m[key]; ok || bound {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

func matchValuePath(e *ValuePath, v any) bool {
	switch x := v.(type) {
	case []any:
		for _, el := range x {
			if matchElement(e, el) {
				return true
			}
		}
		return false
	default:
		return matchElement(e, x)
	}
}

func matchElement(e *ValuePath, el any) bool {
	m, ok := el.(map[string]any)
	if !ok {
		return false
	}
	if e.Path.Sub != "" {
		// Not built by the parser, but give it a meaning: filter the
		// values of the sub-attribute.
		m, ok = lookup(m, e.Path.Sub, e.Path.SubAttr != nil).(map[string]any)
		if !ok {
			return false
		}
	}
	return Match(e.Filter, m)
}

// present reports whether v (descending into sub) has a non-empty value.
func present(v any, sub string, bound bool) bool {
	if sub == "" {
		return !schema.IsEmpty(v)
	}
	switch x := v.(type) {
	case []any:
		for _, el := range x {
			if m, ok := el.(map[string]any); ok && !schema.IsEmpty(lookup(m, sub, bound)) {
				return true
			}
		}
	case map[string]any:
		return !schema.IsEmpty(lookup(x, sub, bound))
	}
	return false
}

// comparison is one Compare prepared for evaluation.
type comparison struct {
	op        Operator
	value     any
	sub       string
	bound     bool
	typ       schema.Type // "" when unbound
	caseExact bool
	// primaryDefault: an element without the sub-attribute (primary)
	// compares as false.
	primaryDefault bool
}

func matchCompare(c *Compare, v any) bool {
	if c.Value == nil {
		p := present(v, c.Path.Sub, c.Path.Attr != nil)
		switch c.Op {
		case Eq:
			return !p
		case Ne:
			return p
		}
		return false
	}
	k := comparison{op: c.Op, value: c.Value, sub: c.Path.Sub, bound: c.Path.Attr != nil}
	// "If not specified, the value of primary SHALL be assumed to be
	// false" (RFC 7643 §2.4): an element without one compares as false.
	if _, isBool := c.Value.(bool); isBool && isPrimary(c.Path) {
		if c.Path.Sub != "" {
			k.primaryDefault = true
		} else if v == nil {
			v = false
		}
	}
	if d := c.Path.Leaf(); d != nil {
		if d.Type == schema.Complex {
			d = d.Sub("value")
		}
		if d != nil {
			k.typ = d.Type
			k.caseExact = d.CaseSensitive()
		}
	}
	if c.Op == Ne {
		k.op = Eq
		return !k.any(v)
	}
	return k.any(v)
}

// isPrimary reports whether p names the "primary" sub-attribute of a
// multi-valued attribute (inside a value path, p names it alone).
func isPrimary(p AttrPath) bool {
	leaf := p.Name
	if p.Sub != "" {
		leaf = p.Sub
	}
	if !strings.EqualFold(leaf, "primary") {
		return false
	}
	d := p.Leaf()
	return d == nil || d.Type == schema.Boolean
}

// any reports whether any value of v (an attribute's value, multi-valued or
// not) satisfies the comparison.
func (k *comparison) any(v any) bool {
	if arr, ok := v.([]any); ok {
		for _, el := range arr {
			if k.one(el) {
				return true
			}
		}
		return false
	}
	return k.one(v)
}

func (k *comparison) one(v any) bool {
	if m, ok := v.(map[string]any); ok {
		if k.sub != "" {
			x := lookup(m, k.sub, k.bound)
			if x == nil && k.primaryDefault {
				x = false
			}
			if arr, ok := x.([]any); ok {
				for _, el := range arr {
					if k.scalar(el) {
						return true
					}
				}
				return false
			}
			return k.scalar(x)
		}
		return k.scalar(lookup(m, "value", false))
	}
	if k.sub != "" {
		return false
	}
	return k.scalar(v)
}

func (k *comparison) scalar(v any) bool {
	switch a := v.(type) {
	case string:
		switch b := k.value.(type) {
		case string:
			return k.strings(a, b)
		case json.Number:
			if k.typ == "" || k.typ == schema.Integer || k.typ == schema.Decimal {
				if schema.IsNumber(a) {
					return cmpResult(k.op, schema.CompareNumbers(a, string(b)))
				}
			}
			return k.strings(a, string(b))
		case bool:
			return k.op == Eq && asciiEqualFold(a, strconv.FormatBool(b))
		}
	case bool:
		if k.op != Eq {
			return false
		}
		switch b := k.value.(type) {
		case bool:
			return a == b
		case string:
			return asciiEqualFold(b, strconv.FormatBool(a))
		}
	case json.Number:
		return k.number(string(a))
	case float64:
		if math.IsInf(a, 0) || math.IsNaN(a) {
			return false
		}
		return k.number(strconv.FormatFloat(a, 'g', -1, 64))
	case int:
		return k.number(strconv.Itoa(a))
	case int64:
		return k.number(strconv.FormatInt(a, 10))
	}
	return false
}

func (k *comparison) number(a string) bool {
	var b string
	switch x := k.value.(type) {
	case json.Number:
		b = string(x)
	case string:
		if !schema.IsNumber(x) {
			return k.op != Eq && k.strings(a, x)
		}
		b = x
	default:
		return false
	}
	switch k.op {
	case Co, Sw, Ew:
		return k.strings(a, b)
	}
	return cmpResult(k.op, schema.CompareNumbers(a, b))
}

// cmpResult applies an eq or ordering operator to a three-way comparison.
func cmpResult(op Operator, c int) bool {
	switch op {
	case Eq:
		return c == 0
	case Gt:
		return c > 0
	case Ge:
		return c >= 0
	case Lt:
		return c < 0
	case Le:
		return c <= 0
	}
	return false
}

func (k *comparison) strings(a, b string) bool {
	if k.typ == schema.DateTime || (k.typ == "" && k.op != Co && k.op != Sw && k.op != Ew) {
		if ta, ok := schema.ParseDateTime(a); ok {
			if tb, ok := schema.ParseDateTime(b); ok {
				return cmpResult(k.op, ta.Compare(tb))
			}
		}
	}
	if k.caseExact {
		switch k.op {
		case Eq:
			return schema.EqualStrings(true, a, b)
		case Co:
			return strings.Contains(a, b)
		case Sw:
			return strings.HasPrefix(a, b)
		case Ew:
			return strings.HasSuffix(a, b)
		}
		return cmpResult(k.op, schema.CompareStrings(true, a, b))
	}
	switch k.op {
	case Eq:
		return schema.EqualStrings(false, a, b)
	case Co:
		return containsFold(a, b)
	case Sw:
		return hasPrefixFold(a, b)
	case Ew:
		return hasSuffixFold(a, b)
	}
	return cmpResult(k.op, schema.CompareStrings(false, a, b))
}

// hasPrefixFold reports whether s begins with prefix under Unicode simple
// case folding, as strings.EqualFold compares: whether schema.Fold(s) has
// the prefix schema.Fold(prefix), without building either (Fold maps every
// rune to one rune, so prefixes, suffixes and substrings correspond).
func hasPrefixFold(s, prefix string) bool {
	_, ok := prefixFoldLen(s, prefix)
	return ok
}

// prefixFoldLen matches prefix against the start of s under case folding
// and returns the number of bytes of s it covered.
func prefixFoldLen(s, prefix string) (int, bool) {
	i, j := 0, 0
	for j < len(prefix) {
		if i >= len(s) {
			return 0, false
		}
		a, b := s[i], prefix[j]
		if a|b < utf8.RuneSelf {
			if a != b && lowerASCII(a) != lowerASCII(b) {
				return 0, false
			}
			i++
			j++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		q, m := utf8.DecodeRuneInString(prefix[j:])
		if r != q && schema.FoldRune(r) != schema.FoldRune(q) {
			return 0, false
		}
		i += n
		j += m
	}
	return i, true
}

func hasSuffixFold(s, suffix string) bool {
	for i := len(s); i >= 0; i-- {
		if i < len(s) && !utf8.RuneStart(s[i]) {
			continue
		}
		if n, ok := prefixFoldLen(s[i:], suffix); ok && i+n == len(s) {
			return true
		}
		if len(s)-i > 4*len(suffix) {
			break
		}
	}
	return false
}

func containsFold(s, sub string) bool {
	if sub == "" {
		return true
	}
	for i := 0; i < len(s); i++ {
		if !utf8.RuneStart(s[i]) {
			continue
		}
		if _, ok := prefixFoldLen(s[i:], sub); ok {
			return true
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
