package schema

import (
	"encoding/json"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxNestingDepth is the deepest nesting of objects and arrays that
// [DecodeObject] reads, whatever its maxDepth: like encoding/json, it
// refuses deeper input as a syntax error.
const MaxNestingDepth = 10000

// DecodeErrorKind says why [DecodeObject] refused its input.
type DecodeErrorKind uint8

// The kinds of [DecodeError], in the order DecodeObject ranks them when an
// input has several faults: a syntax error anywhere in the first value wins
// over data after it, which wins over a repeated member or too deep a
// nesting (whichever comes first in the input), which win over a value that
// is not an object.
const (
	// DecodeEmpty: the input holds nothing but whitespace.
	DecodeEmpty DecodeErrorKind = iota + 1
	// DecodeSyntax: the input is not valid JSON (RFC 8259 §2–§7), or
	// nests deeper than MaxNestingDepth.
	DecodeSyntax
	// DecodeTrailingData: a valid JSON value is followed by more than
	// whitespace (RFC 8259 §2: a JSON text is one value).
	DecodeTrailingData
	// DecodeDuplicateMember: an object repeats a member name, compared
	// after unescaping (RFC 8259 §4 leaves the meaning of such an object
	// open; encoding/json would keep the last value silently).
	DecodeDuplicateMember
	// DecodeTooDeep: objects and arrays nest deeper than maxDepth.
	DecodeTooDeep
	// DecodeNotObject: the input is one valid JSON value, but not an
	// object.
	DecodeNotObject
)

// DecodeError is the error of [DecodeObject].
type DecodeError struct {
	Kind DecodeErrorKind
	// Offset is the byte offset in the input of the fault: the offending
	// byte of a syntax error (the input's length if it ends too early),
	// the first byte of trailing data, the opening quote of a repeated
	// member name, the bracket that nests too deep, the first byte of a
	// value that is not an object, and the input's length when it is empty.
	Offset int64
	// Member is the repeated member name (unescaped), for
	// DecodeDuplicateMember.
	Member string
	// MaxDepth is the nesting limit, for DecodeTooDeep.
	MaxDepth int
	// Msg describes a syntax error, e.g. "invalid character 'x' after
	// object key".
	Msg string
}

func (e *DecodeError) Error() string {
	off := strconv.FormatInt(e.Offset, 10)
	switch e.Kind {
	case DecodeEmpty:
		return "json: empty input; a JSON object is required"
	case DecodeSyntax:
		return "json: invalid JSON at offset " + off + ": " + e.Msg
	case DecodeTrailingData:
		return "json: data after the JSON value at offset " + off
	case DecodeDuplicateMember:
		return "json: an object repeats the member " + strconv.Quote(e.Member) + " at offset " + off
	case DecodeTooDeep:
		return "json: nesting deeper than " + strconv.Itoa(e.MaxDepth) + " levels at offset " + off
	case DecodeNotObject:
		return "json: the JSON value at offset " + off + " is not an object"
	}
	return "json: invalid input at offset " + off
}

// DecodeObject decodes b, which must hold exactly one JSON object (RFC 8259
// §4) with optional whitespace (§2) around it, into canonical data: objects
// as map[string]any, arrays as []any (empty ones non-nil), strings as string,
// numbers as json.Number holding the number's text as written (§6),
// true and false as bool, and null as nil. It reads b once and keeps no
// reference to it.
//
// Strings (§7) are unescaped as encoding/json does: a surrogate pair
// written as two \u escapes becomes one character, while a lone or
// mismatched surrogate escape, and each byte of invalid UTF-8 (§8.1), becomes
// U+FFFD. Member names are compared after unescaping.
//
// Objects and arrays may nest at most maxDepth levels, the outermost object
// counting as one; a maxDepth below 1 or above [MaxNestingDepth] means
// MaxNestingDepth.
//
// The result equals what encoding/json's Decoder with UseNumber reads for
// every input DecodeObject accepts. It refuses, with a *[DecodeError], input
// that is empty, not valid JSON, followed by more than whitespace, has an
// object that repeats a member name, nests too deep, or is not an object
// (see [DecodeErrorKind] for the order in which these are reported). Its work
// is linear in len(b).
func DecodeObject(b []byte, maxDepth int) (map[string]any, error) {
	if maxDepth < 1 || maxDepth > MaxNestingDepth {
		maxDepth = MaxNestingDepth
	}
	d := decoders.Get().(*decoder)
	d.b, d.i, d.depth, d.max, d.err = b, 0, 0, maxDepth, nil
	m, err := d.decode()
	d.release()
	if err != nil {
		return nil, err
	}
	return m, nil
}

// decoder is the state of one DecodeObject call. Its scratch stacks (the
// members of the open objects, the elements of the open arrays) are kept
// between calls in a pool.
type decoder struct {
	b     []byte
	i     int // next byte to read
	depth int // open objects and arrays
	max   int
	err   *DecodeError
	kvs   []member // members of the open objects, each owning a run from its first
	vals  []any    // elements of the open arrays, likewise
	buf   []byte   // unescaped string
}

type member struct {
	name  string
	value any
}

var decoders = sync.Pool{New: func() any {
	return &decoder{kvs: make([]member, 0, 64), vals: make([]any, 0, 64), buf: make([]byte, 0, 128)}
}}

// release returns d to the pool, without references to what it read.
func (d *decoder) release() {
	d.b, d.err = nil, nil
	if cap(d.kvs) > 4096 || cap(d.vals) > 4096 || cap(d.buf) > 64<<10 {
		return
	}
	clear(d.kvs[:cap(d.kvs)])
	clear(d.vals[:cap(d.vals)])
	d.kvs, d.vals, d.buf = d.kvs[:0], d.vals[:0], d.buf[:0]
	decoders.Put(d)
}

func (d *decoder) decode() (map[string]any, *DecodeError) {
	d.ws()
	if d.i == len(d.b) {
		return nil, &DecodeError{Kind: DecodeEmpty, Offset: int64(len(d.b))}
	}
	start := d.i
	v := d.value()
	if d.err != nil {
		if d.err.Kind == DecodeSyntax {
			return nil, d.err
		}
		// A repeated member or too deep a nesting stopped the decoding;
		// faults of higher rank may follow.
		end, err := validate(d.b, start)
		if err != nil {
			return nil, err
		}
		d.i = end
	}
	d.ws()
	if d.i < len(d.b) {
		return nil, &DecodeError{Kind: DecodeTrailingData, Offset: int64(d.i)}
	}
	if d.err != nil {
		return nil, d.err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &DecodeError{Kind: DecodeNotObject, Offset: int64(start)}
	}
	return m, nil
}

// ws skips whitespace (RFC 8259 §2).
func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value reads the value starting at d.i (after whitespace). On error it
// sets d.err and returns nil.
// str reads the string at d.i and returns its content, unquoted: a
// slice of the input, or of d.buf when it has escapes, valid until the
// next call. It sets d.err when the string is malformed.
func (d *decoder) str() []byte {
	raw, slow, err := scanString(d.b, d.i)
	if err != nil {
		d.err = err
		return nil
	}
	d.i += len(raw) + 2
	if slow {
		d.buf = unquote(d.buf[:0], raw)
		return d.buf
	}
	return raw
}

func (d *decoder) value() any {
	if d.i >= len(d.b) {
		d.err = syntaxEOF(len(d.b))
		return nil
	}
	switch c := d.b[d.i]; c {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		raw := d.str()
		if d.err != nil {
			return nil
		}
		if k := internIndex(raw); k >= 0 {
			return internedValues[k]
		}
		return string(raw)
	case 't':
		return d.literal("true", true)
	case 'f':
		return d.literal("false", false)
	case 'n':
		return d.literal("null", nil)
	default:
		end, err := scanNumber(d.b, d.i)
		if err != nil {
			d.err = err
			return nil
		}
		start := d.i
		d.i = end
		if end-start == 1 {
			return digits[d.b[start]-'0']
		}
		return json.Number(d.b[start:end])
	}
}

func (d *decoder) literal(lit string, v any) any {
	end, err := scanLiteral(d.b, d.i, lit)
	if err != nil {
		d.err = err
		return nil
	}
	d.i = end
	return v
}

// open enters an object or array at d.i, unless it nests too deep.
func (d *decoder) open() bool {
	d.depth++
	if d.depth > d.max {
		if d.depth > MaxNestingDepth {
			d.err = &DecodeError{Kind: DecodeSyntax, Offset: int64(d.i), Msg: "exceeded max depth"}
		} else {
			d.err = &DecodeError{Kind: DecodeTooDeep, Offset: int64(d.i), MaxDepth: d.max}
		}
		return false
	}
	d.i++
	d.ws()
	return true
}

// manyMembers is the number of members from which an object's names are
// looked up in the map being built rather than compared one by one.
const manyMembers = 16

func (d *decoder) object() any {
	if !d.open() {
		return nil
	}
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		d.depth--
		return map[string]any{}
	}
	first := len(d.kvs)
	var m map[string]any // once the object has many members
	for {
		if d.i >= len(d.b) {
			d.err = syntaxEOF(len(d.b))
			return nil
		}
		if d.b[d.i] != '"' {
			d.err = syntaxAt(d.b, d.i, "looking for beginning of object key string")
			return nil
		}
		at := d.i
		raw := d.str()
		if d.err != nil {
			return nil
		}
		var name string
		if k := internIndex(raw); k >= 0 {
			name = internedNames[k]
		} else {
			name = string(raw)
		}
		dup := false
		if m != nil {
			_, dup = m[name]
		} else {
			for _, kv := range d.kvs[first:] {
				if kv.name == name {
					dup = true
					break
				}
			}
		}
		if dup {
			d.err = &DecodeError{Kind: DecodeDuplicateMember, Offset: int64(at), Member: name}
			return nil
		}
		d.ws()
		if d.i >= len(d.b) {
			d.err = syntaxEOF(len(d.b))
			return nil
		}
		if d.b[d.i] != ':' {
			d.err = syntaxAt(d.b, d.i, "after object key")
			return nil
		}
		d.i++
		d.ws()
		v := d.value()
		if d.err != nil {
			return nil
		}
		if m != nil {
			m[name] = v
		} else {
			d.kvs = append(d.kvs, member{name, v})
			if n := len(d.kvs) - first; n > manyMembers {
				m = make(map[string]any, 4*n)
				for _, kv := range d.kvs[first:] {
					m[kv.name] = kv.value
				}
				clear(d.kvs[first:])
				d.kvs = d.kvs[:first]
			}
		}
		if d.next('}', "after object key:value pair") {
			continue
		}
		if d.err != nil {
			return nil
		}
		if m == nil {
			kvs := d.kvs[first:]
			m = make(map[string]any, len(kvs))
			for _, kv := range kvs {
				m[kv.name] = kv.value
			}
			clear(kvs)
			d.kvs = d.kvs[:first]
		}
		return m
	}
}

// next reads what follows a member or element: after ',' it reports true
// (another follows); after the closing byte it reports false and leaves
// the container (d.err nil); anything else is a syntax error (false, with
// d.err set).
func (d *decoder) next(closing byte, after string) bool {
	d.ws()
	if d.i >= len(d.b) {
		d.err = syntaxEOF(len(d.b))
		return false
	}
	switch d.b[d.i] {
	case ',':
		d.i++
		d.ws()
		return true
	case closing:
		d.i++
		d.depth--
		return false
	}
	d.err = syntaxAt(d.b, d.i, after)
	return false
}

// emptyArray is the value of every empty array: it has no element to
// change, and appending to it copies.
var emptyArray any = []any{}

func (d *decoder) array() any {
	if !d.open() {
		return nil
	}
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		d.depth--
		return emptyArray
	}
	first := len(d.vals)
	for {
		v := d.value()
		if d.err != nil {
			return nil
		}
		d.vals = append(d.vals, v)
		if d.next(']', "after array element") {
			continue
		}
		if d.err != nil {
			return nil
		}
		vals := d.vals[first:]
		a := make([]any, len(vals))
		copy(a, vals)
		clear(vals)
		d.vals = d.vals[:first]
		return a
	}
}

// validate checks that b holds a valid JSON value at start (after
// whitespace) and returns the offset after it. It does not recurse, so it
// serves for input that nests too deep to be decoded.
func validate(b []byte, start int) (int, *DecodeError) {
	var (
		stackBuf [64]bool // open containers: true for an object
		stack    = stackBuf[:0]
		i        = start
		err      *DecodeError
	)
	skip := func() {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
			i++
		}
	}
	// key reads an object member's name and colon, then the whitespace
	// before its value.
	key := func() bool {
		if i >= len(b) {
			err = syntaxEOF(len(b))
			return false
		}
		if b[i] != '"' {
			err = syntaxAt(b, i, "looking for beginning of object key string")
			return false
		}
		var raw []byte
		if raw, _, err = scanString(b, i); err != nil {
			return false
		}
		i += len(raw) + 2
		skip()
		if i >= len(b) {
			err = syntaxEOF(len(b))
			return false
		}
		if b[i] != ':' {
			err = syntaxAt(b, i, "after object key")
			return false
		}
		i++
		skip()
		return true
	}
	for {
		// A value starts at i.
		if i >= len(b) {
			return 0, syntaxEOF(len(b))
		}
		switch c := b[i]; c {
		case '{', '[':
			stack = append(stack, c == '{')
			if len(stack) > MaxNestingDepth {
				return 0, &DecodeError{Kind: DecodeSyntax, Offset: int64(i), Msg: "exceeded max depth"}
			}
			i++
			skip()
			if i < len(b) && b[i] == "}]"[btoi(c == '[')] {
				i++
				stack = stack[:len(stack)-1]
				break
			}
			if c == '{' && !key() {
				return 0, err
			}
			continue
		case '"':
			raw, _, err := scanString(b, i)
			if err != nil {
				return 0, err
			}
			i += len(raw) + 2
		case 't', 'f', 'n':
			lit := "true"
			if c == 'f' {
				lit = "false"
			} else if c == 'n' {
				lit = "null"
			}
			if i, err = scanLiteral(b, i, lit); err != nil {
				return 0, err
			}
		default:
			if i, err = scanNumber(b, i); err != nil {
				return 0, err
			}
		}
		// A value ended at i: close the containers it ends.
		for {
			if len(stack) == 0 {
				return i, nil
			}
			skip()
			if i >= len(b) {
				return 0, syntaxEOF(len(b))
			}
			object := stack[len(stack)-1]
			c := b[i]
			if c == ',' {
				i++
				skip()
				if object && !key() {
					return 0, err
				}
				break
			}
			if object && c == '}' || !object && c == ']' {
				i++
				stack = stack[:len(stack)-1]
				continue
			}
			if object {
				return 0, syntaxAt(b, i, "after object key:value pair")
			}
			return 0, syntaxAt(b, i, "after array element")
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// strSafe marks the bytes a string holds as they are: printable ASCII
// other than the quote and the backslash.
var strSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString checks the string whose opening quote is at b[i] (RFC 8259
// §7) and returns its raw content, between the quotes, and whether that
// needs unquote: it holds escapes or invalid UTF-8.
func scanString(b []byte, i int) (raw []byte, slow bool, err *DecodeError) {
	start := i + 1
	high := false
	for i = start; i < len(b); {
		c := b[i]
		if strSafe[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			raw = b[start:i]
			if high && !slow && !utf8.Valid(raw) {
				slow = true
			}
			return raw, slow, nil
		case c == '\\':
			slow = true
			i++
			if i >= len(b) {
				return nil, false, syntaxEOF(len(b))
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				i++
				for k := 0; k < 4; k++ {
					if i >= len(b) {
						return nil, false, syntaxEOF(len(b))
					}
					if hexValue(b[i]) < 0 {
						return nil, false, syntaxAt(b, i, "in \\u hexadecimal character escape")
					}
					i++
				}
			default:
				return nil, false, syntaxAt(b, i, "in string escape code")
			}
		case c < 0x20:
			return nil, false, syntaxAt(b, i, "in string literal")
		default:
			high = true
			i++
		}
	}
	return nil, false, syntaxEOF(len(b))
}

func hexValue(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		h := hexValue(c)
		if h < 0 {
			return -1
		}
		r = r<<4 | h
	}
	return r
}

// unquote appends the string whose raw content scanString checked to dst,
// unescaped and with invalid UTF-8 and lone surrogates replaced by U+FFFD,
// exactly as encoding/json does.
func unquote(dst, s []byte) []byte {
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			switch e := s[r+1]; e {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				rr := getu4(s[r:])
				r += 6
				if utf16.IsSurrogate(rr) {
					if dec := utf16.DecodeRune(rr, getu4(s[r:])); dec != utf8.RuneError {
						r += 6
						dst = utf8.AppendRune(dst, dec)
						continue
					}
					rr = utf8.RuneError
				}
				dst = utf8.AppendRune(dst, rr)
				continue
			default: // '"', '\\', '/'
				dst = append(dst, e)
			}
			r += 2
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			r += size
			dst = utf8.AppendRune(dst, rr)
		}
	}
	return dst
}

// scanNumber checks the number starting at b[i] (RFC 8259 §6) and returns
// the offset after it.
func scanNumber(b []byte, i int) (int, *DecodeError) {
	if b[i] == '-' {
		i++
		if i >= len(b) {
			return 0, syntaxEOF(len(b))
		}
		if !isDigit(b[i]) {
			return 0, syntaxAt(b, i, "in numeric literal")
		}
	} else if !isDigit(b[i]) {
		return 0, syntaxAt(b, i, "looking for beginning of value")
	}
	if b[i] == '0' {
		i++
	} else {
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) {
			return 0, syntaxEOF(len(b))
		}
		if !isDigit(b[i]) {
			return 0, syntaxAt(b, i, "after decimal point in numeric literal")
		}
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) {
			return 0, syntaxEOF(len(b))
		}
		if !isDigit(b[i]) {
			return 0, syntaxAt(b, i, "in exponent of numeric literal")
		}
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	}
	return i, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanLiteral checks that lit (true, false or null) starts at b[i] and
// returns the offset after it.
func scanLiteral(b []byte, i int, lit string) (int, *DecodeError) {
	for k := 0; k < len(lit); k++ {
		if i+k >= len(b) {
			return 0, syntaxEOF(len(b))
		}
		if b[i+k] != lit[k] {
			if k == 0 {
				return 0, syntaxAt(b, i, "looking for beginning of value")
			}
			return 0, syntaxAt(b, i+k, "in literal "+lit+" (expecting "+quoteChar(lit[k])+")")
		}
	}
	return i + len(lit), nil
}

func syntaxAt(b []byte, i int, context string) *DecodeError {
	return &DecodeError{Kind: DecodeSyntax, Offset: int64(i), Msg: "invalid character " + quoteChar(b[i]) + " " + context}
}

func syntaxEOF(n int) *DecodeError {
	return &DecodeError{Kind: DecodeSyntax, Offset: int64(n), Msg: "unexpected end of JSON input"}
}

// quoteChar formats c as a quoted character literal, as encoding/json's
// syntax errors do.
func quoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

// digits are the values of the one-digit numbers, boxed once.
var digits = [10]any{json.Number("0"), json.Number("1"), json.Number("2"), json.Number("3"), json.Number("4"),
	json.Number("5"), json.Number("6"), json.Number("7"), json.Number("8"), json.Number("9")}

// internedNames are member names and values common in SCIM bodies: decoding
// one costs no allocation.
var internedNames = [...]string{
	// Core schema and extension URNs, and message URNs (RFC 7643, RFC 7644).
	UserURN, GroupURN, EnterpriseUserURN, PatchOpURN, BulkRequestURN, SearchRequestURN, ListResponseURN,
	// Members of User and Group (RFC 7643 §4) and of their complex values.
	"schemas", "id", "externalId", "meta", "userName", "name", "formatted", "familyName", "givenName",
	"middleName", "honorificPrefix", "honorificSuffix", "displayName", "nickName", "profileUrl", "title",
	"userType", "preferredLanguage", "locale", "timezone", "active", "password", "emails", "phoneNumbers",
	"ims", "photos", "addresses", "groups", "entitlements", "roles", "x509Certificates", "members",
	"value", "display", "type", "primary", "$ref", "streetAddress", "locality", "region", "postalCode",
	"country", "employeeNumber", "costCenter", "organization", "division", "department", "manager",
	"resourceType", "created", "lastModified", "location", "version",
	// Messages (RFC 7644 §3.4.3, §3.5.2, §3.7).
	"Operations", "op", "path", "filter", "attributes", "excludedAttributes", "sortBy", "sortOrder",
	"startIndex", "count", "method", "bulkId", "data", "failOnErrors",
	// Common values.
	"add", "replace", "remove", "Add", "Replace", "Remove", "work", "home", "other", "mobile", "fax",
	"pager", "User", "Group", "True", "False", "true", "false",
}

// internedValues are internedNames boxed once.
var internedValues = func() (v [len(internedNames)]any) {
	for i, s := range internedNames {
		v[i] = s
	}
	return v
}()

// maxInterned is the length of the longest of internedNames.
var maxInterned = func() (n int) {
	for _, s := range internedNames {
		n = max(n, len(s))
	}
	return n
}()

// internTable finds the index in internedNames of a name by internHash:
// open addressing, 0 for an empty slot, else index+1.
var internTable = func() (t [512]uint8) {
	for i, s := range internedNames {
		h := internHash([]byte(s))
		for t[h] != 0 {
			h = (h + 1) % uint(len(t))
		}
		t[h] = uint8(i + 1)
	}
	return t
}()

func internHash(b []byte) uint {
	n := len(b)
	return (uint(n)*131 + uint(b[0])*31 + uint(b[n/2])*7 + uint(b[n-1])) % 512
}

// internIndex returns the index of b in internedNames, or -1.
func internIndex(b []byte) int {
	if len(b) == 0 || len(b) > maxInterned {
		return -1
	}
	for h := internHash(b); ; h = (h + 1) % uint(len(internTable)) {
		k := internTable[h]
		if k == 0 {
			return -1
		}
		if internedNames[k-1] == string(b) {
			return int(k - 1)
		}
	}
}
