package filter

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/scimkit/scimkit/scim/schema"
)

// Default limits of a [Parser] whose MaxLength or MaxDepth is zero.
const (
	DefaultMaxLength = 4096
	DefaultMaxDepth  = 32
	DefaultMaxTerms  = 50
)

// Parser parses filters and attribute paths. The zero value is lenient,
// unbound (no schema) and uses the default limits. A Parser is a small value
// with no state of its own; it is safe to copy and to use from many
// goroutines at once.
//
// # Binding
//
// With Schema set, every attribute path is resolved case-insensitively
// against the resource type: [AttrPath.Attr] and [AttrPath.SubAttr] are set,
// names and URNs are rewritten in canonical case, a path qualified with the
// core schema URN gets URN "" (core attributes are top-level), and an
// unqualified extension attribute gets its extension's URN. Unknown
// attributes, sub-attributes on simple attributes, and comparisons the
// attribute's type cannot support (gt on a boolean, a string compared with an
// integer in strict mode, ...) are errors.
//
// # Leniency
//
// Unless Strict is set the parser accepts these departures from RFC 7644,
// all sent by real provisioning clients:
//
//   - unquoted literals after an operator, read as strings up to the next
//     space, ")" or "]" (externalId eq jyoung, id eq 54D382A4-...); unquoted
//     true, false, null and JSON numbers keep their JSON meaning;
//   - when bound: the strings "True" and "False" (any case) compared with a
//     boolean attribute, a number compared with a string attribute (as its
//     text), a numeric string compared with a number attribute;
//   - when bound: a complex attribute compared without a sub-attribute
//     (members eq "2819c223") is checked as its "value" sub-attribute, which
//     is also how [Match] evaluates it;
//   - when bound: an extension URN joined to its attribute with "." instead
//     of ":" (urn:...:enterprise:2.0:User.manager);
//   - spaces, tabs and line breaks around the whole input, and tabs and line
//     breaks wherever RFC 7644 requires a space.
//
// A bare value (filter=someone@example.com) is an error in both modes.
type Parser struct {
	// Schema, if set, binds attribute paths to the resource type's
	// attribute definitions.
	Schema *schema.ResourceType
	// Strict rejects the leniencies listed above.
	Strict bool
	// MaxLength is the longest input accepted, in bytes; 0 means
	// DefaultMaxLength.
	MaxLength int
	// MaxDepth is the deepest nesting accepted, counting parentheses
	// (those of "not" included) and value-path brackets; 0 means
	// DefaultMaxDepth.
	MaxDepth int
	// MaxTerms is the most attribute expressions (comparisons and "pr",
	// inside value paths included) one filter may have; 0 means
	// DefaultMaxTerms. Identity providers send one or two; the bound keeps
	// the work of evaluating a filter, in memory or in SQL, proportional to
	// a small constant, whatever the store.
	MaxTerms int
}

// Error is a syntax or binding error in a filter or path. Offset is the byte
// position in the input where the problem was found.
type Error struct {
	Offset int
	Msg    string
	// Unknown is set when the error is that the resource type's schemas
	// define no attribute (or schema) by the name at Offset: the same filter
	// may be valid for another resource type (RFC 7644 §3.4.2.1, searches
	// across resource types).
	Unknown bool
}

// Error returns a message such as
// `filter: at offset 9: expected operator after "userName", found "eqq"`.
func (e *Error) Error() string {
	return "filter: at offset " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// Parse parses a filter with the zero [Parser]: lenient and unbound.
func Parse(s string) (Expr, error) { return Parser{}.Parse(s) }

// Parse parses a filter expression (RFC 7644 §3.4.2.2).
//
// Besides the RFC grammar it accepts a sub-attribute after a value path
// followed by a comparison, as Microsoft Entra ID sends it:
// `emails[type eq "work"].value eq "a@b.com"` is read as
// `emails[type eq "work" and value eq "a@b.com"]`.
func (p Parser) Parse(s string) (Expr, error) {
	ps, err := p.start(s)
	if err != nil {
		return nil, err
	}
	ps.skipOuterSpace()
	e, err := ps.parseOr(nil)
	if err != nil {
		return nil, err
	}
	ps.skipOuterSpace()
	if ps.pos < len(ps.s) {
		return nil, ps.errorf(ps.pos, "unexpected %s after a complete filter", ps.found())
	}
	return e, nil
}

// ParsePath parses a PATCH operation path (RFC 7644 §3.5.2):
// attrPath, valuePath, or valuePath "." subAttr.
func (p Parser) ParsePath(s string) (Path, error) {
	ps, err := p.start(s)
	if err != nil {
		return Path{}, err
	}
	ps.skipOuterSpace()
	start := ps.pos
	run := ps.scanPath()
	ap, err := ps.resolvePath(run, start)
	if err != nil {
		return Path{}, err
	}
	path := Path{AttrPath: ap}
	save := ps.pos
	ps.skipSpace()
	if ps.pos < len(ps.s) && ps.s[ps.pos] == '[' {
		vp, err := ps.parseBrackets(ap, start, run)
		if err != nil {
			return Path{}, err
		}
		path.Filter = vp.Filter
		if ps.pos < len(ps.s) && ps.s[ps.pos] == '.' {
			ps.pos++
			subStart := ps.pos
			sub := ps.scanPath()
			sp, err := ps.resolveSub(sub, subStart, &ap)
			if err != nil {
				return Path{}, err
			}
			path.Sub, path.SubAttr = sp.Name, sp.Attr
		}
	} else {
		ps.pos = save
	}
	ps.skipOuterSpace()
	if ps.pos < len(ps.s) {
		return Path{}, ps.errorf(ps.pos, "unexpected %s after attribute path", ps.found())
	}
	return path, nil
}

// ParseAttrPath parses an attribute path: [URN ":"] name ["." subAttr], as
// used in the "attributes", "excludedAttributes" and "sortBy" parameters.
func (p Parser) ParseAttrPath(s string) (AttrPath, error) {
	ps, err := p.start(s)
	if err != nil {
		return AttrPath{}, err
	}
	ps.skipOuterSpace()
	start := ps.pos
	run := ps.scanPath()
	ap, err := ps.resolvePath(run, start)
	if err != nil {
		return AttrPath{}, err
	}
	ps.skipOuterSpace()
	if ps.pos < len(ps.s) {
		return AttrPath{}, ps.errorf(ps.pos, "unexpected %s after attribute path", ps.found())
	}
	return ap, nil
}

// parser is the state of one parse.
type parser struct {
	s        string
	pos      int
	depth    int
	maxDepth int
	terms    int
	maxTerms int
	strict   bool
	rt       *schema.ResourceType
}

func (p Parser) start(s string) (parser, error) {
	maxLen := p.MaxLength
	if maxLen <= 0 {
		maxLen = DefaultMaxLength
	}
	maxDepth := p.MaxDepth
	if maxDepth <= 0 {
		maxDepth = DefaultMaxDepth
	}
	maxTerms := p.MaxTerms
	if maxTerms <= 0 {
		maxTerms = DefaultMaxTerms
	}
	ps := parser{s: s, maxDepth: maxDepth, maxTerms: maxTerms, strict: p.Strict, rt: p.Schema}
	if len(s) > maxLen {
		return ps, &Error{Offset: maxLen, Msg: "input longer than " + strconv.Itoa(maxLen) + " bytes"}
	}
	if !utf8.ValidString(s) {
		i := 0
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		return ps, &Error{Offset: i, Msg: "invalid UTF-8"}
	}
	if len(s) == 0 {
		return ps, &Error{Offset: 0, Msg: "empty input"}
	}
	return ps, nil
}

func (ps *parser) errorf(off int, format string, args ...any) *Error {
	return &Error{Offset: off, Msg: sprintf(format, args...)}
}

// found describes the input at the current position for error messages.
func (ps *parser) found() string {
	if ps.pos >= len(ps.s) {
		return "end of input"
	}
	end := ps.pos
	for end < len(ps.s) && end-ps.pos < 24 {
		c := ps.s[end]
		if end > ps.pos && (c == ' ' || c == '(' || c == ')' || c == '[' || c == ']') {
			break
		}
		end++
	}
	for end < len(ps.s) && !utf8.RuneStart(ps.s[end]) {
		end++
	}
	return quote(ps.s[ps.pos:end])
}

func (ps *parser) isSpace(c byte) bool {
	return c == ' ' || (!ps.strict && (c == '\t' || c == '\n' || c == '\r'))
}

// skipSpace skips spaces and reports whether there was at least one.
func (ps *parser) skipSpace() bool {
	start := ps.pos
	for ps.pos < len(ps.s) && ps.isSpace(ps.s[ps.pos]) {
		ps.pos++
	}
	return ps.pos > start
}

// skipOuterSpace skips leading or trailing space of the whole input, which
// only lenient parsing allows.
func (ps *parser) skipOuterSpace() {
	if !ps.strict {
		ps.skipSpace()
	}
}

func (ps *parser) enter() error {
	ps.depth++
	if ps.depth > ps.maxDepth {
		return ps.errorf(ps.pos, "filter nested more than %d levels deep", ps.maxDepth)
	}
	return nil
}

// keyword reports whether the input at the current position is the word kw
// (lower case, matched case-insensitively) followed by a space.
func (ps *parser) keyword(kw string) bool {
	end := ps.pos + len(kw)
	return end < len(ps.s) && ps.isSpace(ps.s[end]) && asciiEqualFold(ps.s[ps.pos:end], kw)
}

// scope is the value path whose filter is being parsed, or nil at the top.
type scope struct {
	path *AttrPath
	text string // the path as written, for messages
}

func (ps *parser) parseOr(sc *scope) (Expr, error) {
	left, err := ps.parseAnd(sc)
	if err != nil {
		return nil, err
	}
	for {
		save := ps.pos
		if !ps.skipSpace() || !ps.keyword("or") {
			ps.pos = save
			return left, nil
		}
		ps.pos += 2
		ps.skipSpace()
		right, err := ps.parseAnd(sc)
		if err != nil {
			return nil, err
		}
		left = &Or{Left: left, Right: right}
	}
}

func (ps *parser) parseAnd(sc *scope) (Expr, error) {
	left, err := ps.parseFactor(sc)
	if err != nil {
		return nil, err
	}
	for {
		save := ps.pos
		if !ps.skipSpace() || !ps.keyword("and") {
			ps.pos = save
			return left, nil
		}
		ps.pos += 3
		ps.skipSpace()
		right, err := ps.parseFactor(sc)
		if err != nil {
			return nil, err
		}
		left = &And{Left: left, Right: right}
	}
}

// parseGroup parses "(" filter ")" at the current position.
func (ps *parser) parseGroup(sc *scope) (Expr, error) {
	if err := ps.enter(); err != nil {
		return nil, err
	}
	ps.pos++ // '('
	ps.skipSpace()
	e, err := ps.parseOr(sc)
	if err != nil {
		return nil, err
	}
	ps.skipSpace()
	if ps.pos >= len(ps.s) || ps.s[ps.pos] != ')' {
		return nil, ps.errorf(ps.pos, "expected \")\" or a logical operator, found %s", ps.found())
	}
	ps.pos++
	ps.depth--
	return e, nil
}

func (ps *parser) parseFactor(sc *scope) (Expr, error) {
	if ps.pos >= len(ps.s) {
		return nil, ps.errorf(ps.pos, "expected an attribute expression, found end of input")
	}
	if ps.s[ps.pos] == '(' {
		return ps.parseGroup(sc)
	}
	if ps.pos+3 <= len(ps.s) && asciiEqualFold(ps.s[ps.pos:ps.pos+3], "not") {
		i := ps.pos + 3
		for i < len(ps.s) && ps.isSpace(ps.s[i]) {
			i++
		}
		if i < len(ps.s) && ps.s[i] == '(' {
			ps.pos = i
			x, err := ps.parseGroup(sc)
			if err != nil {
				return nil, err
			}
			return &Not{X: x}, nil
		}
	}
	return ps.parseAttrExpr(sc)
}

// parseAttrExpr parses an attribute expression or a value path.
func (ps *parser) parseAttrExpr(sc *scope) (Expr, error) {
	start := ps.pos
	run := ps.scanPath()
	var path AttrPath
	var err error
	if sc != nil {
		path, err = ps.resolveSub(run, start, sc.path)
	} else {
		path, err = ps.resolvePath(run, start)
	}
	if err != nil {
		return nil, err
	}
	save := ps.pos
	ps.skipSpace()
	if ps.pos < len(ps.s) && ps.s[ps.pos] == '[' {
		if sc != nil {
			return nil, ps.errorf(ps.pos, "value filter inside the value filter of %q", sc.text)
		}
		vp, err := ps.parseBrackets(path, start, run)
		if err != nil {
			return nil, err
		}
		if ps.pos < len(ps.s) && ps.s[ps.pos] == '.' {
			// emails[type eq "work"].value eq "x": a comparison of a
			// sub-attribute of the selected values.
			ps.pos++
			subStart := ps.pos
			sub := ps.scanPath()
			sp, err := ps.resolveSub(sub, subStart, &vp.Path)
			if err != nil {
				return nil, err
			}
			cmp, err := ps.parseOperation(sp, sub)
			if err != nil {
				return nil, err
			}
			vp.Filter = &And{Left: vp.Filter, Right: cmp}
		}
		return vp, nil
	}
	ps.pos = save
	return ps.parseOperation(path, run)
}

// parseBrackets parses "[" valFilter "]" after the attribute path ap, which
// was written as text at offset start.
func (ps *parser) parseBrackets(ap AttrPath, start int, text string) (*ValuePath, error) {
	if ap.Sub != "" {
		return nil, ps.errorf(start, "value filter after sub-attribute %q: filter the attribute (%s[...].%s)", text, ap.Name, ap.Sub)
	}
	if ap.Attr != nil && ap.Attr.Type != schema.Complex {
		return nil, ps.errorf(start, "attribute %q is not complex and has no values to filter", text)
	}
	if err := ps.enter(); err != nil {
		return nil, err
	}
	ps.pos++ // '['
	ps.skipSpace()
	f, err := ps.parseOr(&scope{path: &ap, text: text})
	if err != nil {
		return nil, err
	}
	ps.skipSpace()
	if ps.pos >= len(ps.s) || ps.s[ps.pos] != ']' {
		return nil, ps.errorf(ps.pos, "expected \"]\" or a logical operator, found %s", ps.found())
	}
	ps.pos++
	ps.depth--
	return &ValuePath{Path: ap, Filter: f}, nil
}

// parseOperation parses what follows an attribute path in an attribute
// expression: SP "pr", or SP compareOp SP compValue.
func (ps *parser) parseOperation(path AttrPath, text string) (Expr, error) {
	if ps.terms++; ps.terms > ps.maxTerms {
		return nil, ps.errorf(ps.pos, "filter has more than %d attribute expressions", ps.maxTerms)
	}
	if !ps.skipSpace() || ps.pos >= len(ps.s) {
		return nil, ps.errorf(ps.pos, "expected operator after %q, found %s", text, ps.found())
	}
	opStart := ps.pos
	for ps.pos < len(ps.s) && isAlpha(ps.s[ps.pos]) {
		ps.pos++
	}
	word := ps.s[opStart:ps.pos]
	op, ok := operator(word)
	if !ok || (ps.pos < len(ps.s) && !ps.isSpace(ps.s[ps.pos]) && ps.s[ps.pos] != ')' && ps.s[ps.pos] != ']') {
		ps.pos = opStart
		return nil, ps.errorf(opStart, "expected operator after %q, found %s", text, ps.found())
	}
	if op == "pr" {
		return &Present{Path: path}, nil
	}
	if !ps.skipSpace() || ps.pos >= len(ps.s) {
		return nil, ps.errorf(ps.pos, "expected value after %q %s, found %s", text, op, ps.found())
	}
	valStart := ps.pos
	v, err := ps.parseValue()
	if err != nil {
		return nil, err
	}
	if str, ok := v.(string); ok && strings.IndexByte(str, 0) >= 0 {
		return nil, ps.errorf(valStart, "a value containing a NUL character (\\u0000) matches nothing a server stores")
	}
	v, err = ps.check(path, text, op, v, valStart)
	if err != nil {
		return nil, err
	}
	return &Compare{Path: path, Op: op, Value: v}, nil
}

func operator(w string) (Operator, bool) {
	if len(w) != 2 {
		return "", false
	}
	a, b := w[0]|0x20, w[1]|0x20
	switch {
	case a == 'e' && b == 'q':
		return Eq, true
	case a == 'n' && b == 'e':
		return Ne, true
	case a == 'c' && b == 'o':
		return Co, true
	case a == 's' && b == 'w':
		return Sw, true
	case a == 'e' && b == 'w':
		return Ew, true
	case a == 'g' && b == 't':
		return Gt, true
	case a == 'g' && b == 'e':
		return Ge, true
	case a == 'l' && b == 't':
		return Lt, true
	case a == 'l' && b == 'e':
		return Le, true
	case a == 'p' && b == 'r':
		return "pr", true
	}
	return "", false
}

// parseValue parses a compValue: a JSON string, number, true, false or
// null, or (lenient) an unquoted literal.
func (ps *parser) parseValue() (any, error) {
	if ps.s[ps.pos] == '"' {
		return ps.parseString()
	}
	start := ps.pos
	for ps.pos < len(ps.s) {
		c := ps.s[ps.pos]
		if ps.isSpace(c) || c == ')' || c == ']' {
			break
		}
		ps.pos++
	}
	tok := ps.s[start:ps.pos]
	switch {
	case tok == "":
		return nil, ps.errorf(start, "expected value, found %s", ps.found())
	case asciiEqualFold(tok, "true"):
		return true, nil
	case asciiEqualFold(tok, "false"):
		return false, nil
	case asciiEqualFold(tok, "null"):
		return nil, nil
	case schema.IsNumber(tok):
		return json.Number(tok), nil
	}
	if ps.strict {
		return nil, ps.errorf(start, "invalid value %s: strings must be in double quotes", quote(tok))
	}
	return tok, nil
}

// parseString parses a JSON string at the current position and returns it
// decoded. Without escapes the result shares the input's memory.
func (ps *parser) parseString() (any, error) {
	start := ps.pos
	i := start + 1
	escaped := false
	for i < len(ps.s) {
		c := ps.s[i]
		switch {
		case c == '"':
			ps.pos = i + 1
			if !escaped {
				return ps.s[start+1 : i], nil
			}
			return ps.unescape(start+1, i)
		case c == '\\':
			escaped = true
			i += 2
			continue
		case c < 0x20:
			return nil, ps.errorf(i, "control character %s in string; escape it", quote(string(rune(c))))
		}
		i++
	}
	return nil, ps.errorf(start, "unterminated string")
}

// unescape decodes the JSON string body s[from:to], as encoding/json does:
// a lone surrogate becomes U+FFFD.
func (ps *parser) unescape(from, to int) (any, error) {
	b := make([]byte, 0, to-from)
	s := ps.s
	for i := from; i < to; {
		c := s[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= to {
			return nil, ps.errorf(i, "invalid escape at end of string")
		}
		switch s[i+1] {
		case '"', '\\', '/':
			b = append(b, s[i+1])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(s, i+2, to)
			if !ok {
				return nil, ps.errorf(i, "invalid escape %s: \\u needs four hex digits", quote(s[i:min(i+6, to)]))
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(s, i+2, to); ok && s[i] == '\\' && s[i+1] == 'u' {
					if rr := utf16.DecodeRune(r, r2); rr != utf8.RuneError {
						b = utf8.AppendRune(b, rr)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			return nil, ps.errorf(i, "invalid escape %s in string", quote(s[i:i+2]))
		}
		i += 2
	}
	return string(b), nil
}

// hex4 decodes the four hex digits at s[i:i+4], which must end before to.
func hex4(s string, i, to int) (rune, bool) {
	if i+4 > to {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// scanPath returns the run of attribute-path characters at the current
// position and advances past it.
func (ps *parser) scanPath() string {
	start := ps.pos
	for ps.pos < len(ps.s) && isPathChar(ps.s[ps.pos]) {
		ps.pos++
	}
	return ps.s[start:ps.pos]
}

func isPathChar(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '.' || c == ':' || c == '-' || c == '_' || c == '$'
}

func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// validName reports whether s is an ATTRNAME: ["$"] ALPHA *(nameChar).
func validName(s string) bool {
	if s != "" && s[0] == '$' {
		s = s[1:]
	}
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// validURN reports whether s is a schema URN as filters may write it: one or
// more colon-separated segments of letters, digits, "-" and ".".
func validURN(s string) bool {
	seg := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			if seg == 0 {
				return false
			}
			seg = 0
		case isAlpha(c) || isDigit(c) || c == '-' || c == '.':
			seg++
		default:
			return false
		}
	}
	return seg > 0
}

// resolvePath checks a top-level attribute path written as run at offset
// start and, when bound, resolves it.
func (ps *parser) resolvePath(run string, start int) (AttrPath, error) {
	if run == "" {
		return AttrPath{}, ps.errorf(start, "expected attribute path, found %s", ps.found())
	}
	urn, rest := "", run
	if i := strings.LastIndexByte(run, ':'); i >= 0 {
		urn, rest = run[:i], run[i+1:]
		if ps.rt != nil {
			if u, r := schema.SplitURN(run, ps.rt.URNs); u != "" {
				urn, rest = u, r
			}
			if s, _ := ps.rt.SchemaByURN(urn); s == nil && !ps.strict {
				// urn:...:enterprise:2.0:User.manager
				for u := range ps.rt.URNs {
					if len(run) > len(u) && run[len(u)] == '.' && strings.EqualFold(run[:len(u)], u) {
						urn, rest = run[:len(u)], run[len(u)+1:]
						break
					}
				}
			}
		}
		if !validURN(urn) {
			return AttrPath{}, ps.errorf(start, "invalid schema URN %s in attribute path %s", quote(urn), quote(run))
		}
	}
	nameOff := start + len(run) - len(rest)
	name, sub := rest, ""
	if j := strings.IndexByte(rest, '.'); j >= 0 {
		name, sub = rest[:j], rest[j+1:]
		if k := strings.IndexByte(sub, '.'); k >= 0 {
			return AttrPath{}, ps.errorf(nameOff+j+1+k, "attribute path %s has more than one sub-attribute", quote(run))
		}
		if !validName(sub) {
			return AttrPath{}, ps.errorf(nameOff+j+1, "invalid sub-attribute name %s in %s", quote(sub), quote(run))
		}
	}
	if !validName(name) {
		return AttrPath{}, ps.errorf(nameOff, "invalid attribute name %s", quote(name))
	}
	if ps.rt == nil {
		return AttrPath{URN: urn, Name: name, Sub: sub}, nil
	}
	return bind(ps.rt, urn, name, sub, run, start, nameOff)
}

func bind(rt *schema.ResourceType, urn, name, sub, run string, start, nameOff int) (AttrPath, error) {
	r, ok := rt.Lookup(urn, name)
	if !ok && urn != "" && strings.EqualFold(urn, rt.Schema.ID) {
		if a := schema.Common(name); a != nil {
			r, ok = schema.Resolved{Attr: a}, true
		}
	}
	if !ok {
		if s, _ := rt.SchemaByURN(run); s != nil {
			return AttrPath{}, &Error{Offset: start, Msg: sprintf("%s is a schema URN, not an attribute path", quote(run))}
		}
		if urn != "" {
			if s, _ := rt.SchemaByURN(urn); s == nil {
				return AttrPath{}, &Error{Offset: start, Msg: sprintf("unknown schema %s for resource type %s", quote(urn), rt.Name), Unknown: true}
			}
		}
		return AttrPath{}, &Error{Offset: nameOff, Msg: sprintf("unknown attribute %s", quote(run)), Unknown: true}
	}
	ap := AttrPath{URN: r.URN, Name: r.Attr.Name, Attr: r.Attr}
	if sub != "" {
		subOff := nameOff + len(name) + 1
		if r.Attr.Type != schema.Complex {
			return AttrPath{}, &Error{Offset: subOff, Msg: sprintf("attribute %s is not complex and has no sub-attribute %s", quote(r.Attr.Name), quote(sub))}
		}
		sa := r.Attr.Sub(sub)
		if sa == nil {
			return AttrPath{}, &Error{Offset: subOff, Msg: sprintf("unknown sub-attribute %s", quote(run)), Unknown: true}
		}
		ap.Sub, ap.SubAttr = sa.Name, sa
	}
	return ap, nil
}

// resolveSub checks a sub-attribute name written as run at offset start,
// inside the value filter of parent or after its closing bracket, and binds
// it when parent is bound.
func (ps *parser) resolveSub(run string, start int, parent *AttrPath) (AttrPath, error) {
	if run == "" {
		return AttrPath{}, ps.errorf(start, "expected sub-attribute name of %s, found %s", quote(parent.Name), ps.found())
	}
	if strings.IndexByte(run, ':') >= 0 {
		return AttrPath{}, ps.errorf(start, "%s: inside a value path, attribute paths name sub-attributes of %s and take no schema URN", quote(run), quote(parent.Name))
	}
	if strings.IndexByte(run, '.') >= 0 {
		return AttrPath{}, ps.errorf(start, "%s: sub-attributes of %s have no sub-attributes", quote(run), quote(parent.Name))
	}
	if !validName(run) {
		return AttrPath{}, ps.errorf(start, "invalid sub-attribute name %s", quote(run))
	}
	if parent.Attr == nil {
		return AttrPath{Name: run}, nil
	}
	sa := parent.Attr.Sub(run)
	if sa == nil {
		e := ps.errorf(start, "unknown sub-attribute %s", quote(parent.Name+"."+run))
		e.Unknown = true
		return AttrPath{}, e
	}
	return AttrPath{Name: sa.Name, Attr: sa}, nil
}

func isOrdering(op Operator) bool { return op == Gt || op == Ge || op == Lt || op == Le }

// check validates the comparison "path op v" and, when bound and lenient,
// converts v to the attribute's type.
func (ps *parser) check(path AttrPath, text string, op Operator, v any, off int) (any, error) {
	if v == nil && op != Eq && op != Ne {
		return nil, ps.errorf(off, "null can only be compared with eq or ne")
	}
	d := path.Leaf()
	if d == nil {
		return v, nil
	}
	if d.Type == schema.Complex {
		if isOrdering(op) {
			return nil, ps.errorf(off, "operator %s cannot compare complex attribute %s", op, quote(text))
		}
		vs := d.Sub("value")
		if ps.strict || vs == nil {
			return nil, ps.errorf(off, "complex attribute %s cannot be compared; compare one of its sub-attributes", quote(text))
		}
		d = vs
	}
	if v == nil {
		return nil, nil
	}
	switch d.Type {
	case schema.Boolean:
		if op != Eq && op != Ne {
			return nil, ps.errorf(off, "boolean attribute %s supports only eq, ne and pr, not %s", quote(text), op)
		}
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			if !ps.strict {
				if asciiEqualFold(x, "true") {
					return true, nil
				}
				if asciiEqualFold(x, "false") {
					return false, nil
				}
			}
		}
		return nil, ps.errorf(off, "boolean attribute %s must be compared with true or false", quote(text))
	case schema.Integer, schema.Decimal:
		switch x := v.(type) {
		case json.Number:
			return x, nil
		case string:
			if !ps.strict && schema.IsNumber(x) {
				return json.Number(x), nil
			}
		}
		return nil, ps.errorf(off, "%s attribute %s must be compared with a number", d.Type, quote(text))
	default: // string, reference, binary, dateTime
		if (d.Type == schema.Binary) && isOrdering(op) {
			return nil, ps.errorf(off, "operator %s cannot compare binary attribute %s", op, quote(text))
		}
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case json.Number:
			if ps.strict {
				return nil, ps.errorf(off, "%s attribute %s must be compared with a string", d.Type, quote(text))
			}
			s = string(x)
			v = s
		default:
			return nil, ps.errorf(off, "%s attribute %s must be compared with a string", d.Type, quote(text))
		}
		if d.Type == schema.DateTime && op != Co && op != Sw && op != Ew {
			if _, ok := schema.ParseDateTime(s); !ok {
				return nil, ps.errorf(off, "invalid dateTime %s for attribute %s", quote(s), quote(text))
			}
		}
		return v, nil
	}
}

func asciiEqualFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
