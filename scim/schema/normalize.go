package schema

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Normalize turns a client's resource body (POST or PUT), decoded with
// json.Decoder.UseNumber, into canonical data for rt (see the package
// documentation). It is lenient in what it accepts and strict in what it
// produces:
//
//   - Keys are matched case-insensitively and written in canonical case. A
//     key "a.b" sets sub-attribute b of complex attribute a.
//   - "schemas", "id" and "meta" are dropped silently. URNs listed in
//     "schemas" are not checked: unknown and misspelt URNs are common.
//   - Read-only attributes and sub-attributes (groups on a User,
//     manager.displayName) and attributes no schema of rt defines are dropped
//     and reported in ignored, sorted, without array indexes
//     ("emails.foo", "urn:unknown:ext:attr").
//   - A key equal to an extension URN holds that extension's attributes; a
//     key equal to the core schema URN holds core attributes, which are
//     merged at the top level; a URN-qualified attribute key
//     ("urn:...:enterprise:2.0:User:department", also with ".sub") is placed
//     where it belongs. Extension data is accepted whether or not its URN is
//     listed in "schemas". A bare top-level name that only an extension
//     defines (Entra's "department") is placed in that extension, the way
//     [ResourceType.Lookup] resolves it.
//   - null, "", {} and [] mean absent and are not stored; null elements of
//     arrays are dropped.
//   - Values are coerced as described at [NormalizeValue].
//   - If two keys name the same attribute (e.g. "userName" and "USERNAME")
//     their values must agree; complex values are merged sub-attribute by
//     sub-attribute.
//   - Required attributes (and the attributes of required extensions) must
//     be present after all of the above. canonicalValues are not enforced:
//     identity providers send values of their own (e.g. Entra's role type
//     "WindowsAzureActiveDirectoryRole").
//   - The writeOnly password is kept; [ResourceType.Render] never returns it
//     and the host decides what to do with it.
//
// The error is a *Error with ScimType "invalidValue" that names the attribute
// (e.g. "emails[0].primary" or "urn:...:User:badgeNumber"). When a body has
// several faults the one with the smallest path is reported, so the result
// does not depend on map order. in is not modified, and the result shares no
// maps or slices with it.
func (rt *ResourceType) Normalize(in map[string]any) (attrs map[string]any, ignored []string, err error) {
	n := normalizer{rt: rt, collect: true}
	out := make(map[string]any, len(in))
	n.object(out, nil, in)
	if n.err != nil {
		return nil, nil, n.err
	}
	if e := rt.checkRequired(out); e != nil {
		return nil, nil, e
	}
	if len(n.ignored) > 0 {
		slices.Sort(n.ignored)
		ignored = slices.Compact(n.ignored)
	}
	return out, ignored, nil
}

// NormalizeValue normalizes v as a value of attribute a; PATCH uses it for
// the value of one path. path names the value in errors (e.g. "emails" or
// `emails[type eq "work"].value`).
//
// For a multi-valued a, v may be one element or an array, and the result is
// then a non-empty []any; at most one element keeps primary true (the first),
// later ones lose their primary key; false is stored only where it was sent.
// The result is nil when v is empty (null, "", {}, [] or only such
// elements).
//
// Coercions, by type: boolean takes true/false or the strings "true" and
// "false" in any case; integer takes a whole json.Number, float64 or numeric
// string and stores json.Number in canonical decimal form; decimal takes any
// JSON number (json.Number, float64 or numeric string) and stores json.Number;
// string also takes numbers (OneLogin templates send them) and stores their
// text; dateTime takes an RFC 3339 string, binary a base64 string, reference
// any string, all stored as given. A complex a given a scalar, when it has a
// "value" sub-attribute, becomes {"value": scalar} (Entra sends manager as a
// plain id; MS test suites send members as strings); a single-valued complex
// a given a one-element array takes that element. Sub-attribute keys are
// case-insensitive; unknown and read-only sub-attributes are dropped.
//
// The error is a *Error with ScimType "invalidValue" naming the path (also
// when a is nil). v is not modified, and the result shares no maps or slices
// with it.
func NormalizeValue(a *Attribute, path string, v any) (any, error) {
	if a == nil {
		return nil, Errorf(ScimInvalidValue, path, "no such attribute")
	}
	n := normalizer{}
	p := pathNode{name: path}
	x := n.value(a, &p, v)
	if n.err != nil {
		return nil, n.err
	}
	return x, nil
}

// Validate checks canonical data against rt, typically the result of a
// PATCH: every key must be an attribute of rt spelled canonically (core and
// common attributes at the top level, extension attributes in an object
// under their extension's URN), every value must have its canonical Go type
// and form (string, bool, json.Number, map[string]any, []any), and required
// attributes (core, of required extensions, and of present extensions) and
// required sub-attributes of present complex values must be present. Empty
// values (nil, "", {}, []) count as absent and are not an error in
// themselves. "id", "meta" and "schemas" are not resource data and are
// rejected. The error is a *Error with ScimType "invalidValue".
func (rt *ResourceType) Validate(attrs map[string]any) error {
	var c collector
	for k, v := range attrs {
		if a := exactAttr(rt.Schema.Attributes, k); a != nil {
			p := pathNode{name: a.Name}
			c.check(a, &p, v)
			continue
		}
		if a := exactAttr(commonAttributes, k); a != nil && !a.IsReadOnly() {
			p := pathNode{name: a.Name}
			c.check(a, &p, v)
			continue
		}
		if k == "id" || k == "meta" || k == "schemas" {
			c.fail(Errorf(ScimInvalidValue, k, "is not part of the resource data"))
			continue
		}
		var ext *Schema
		for _, e := range rt.Extensions {
			if e.Schema.ID == k {
				ext = e.Schema
				break
			}
		}
		if ext == nil {
			c.fail(Errorf(ScimInvalidValue, k, "no schema of resource type %s defines this attribute", rt.Name))
			continue
		}
		if v == nil {
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			c.fail(Errorf(ScimInvalidValue, k, "must be an object holding the extension's attributes, got %s", describe(v)))
			continue
		}
		for kk, vv := range m {
			a := exactAttr(ext.Attributes, kk)
			if a == nil {
				c.fail(Errorf(ScimInvalidValue, ext.ID+":"+kk, "schema %s defines no such attribute", ext.ID))
				continue
			}
			p := pathNode{urn: ext.ID, name: a.Name}
			c.check(a, &p, vv)
		}
	}
	if c.err != nil {
		return c.err
	}
	if e := rt.checkRequired(attrs); e != nil {
		return e
	}
	return nil
}

// CheckImmutable returns a *Error with ScimType "mutability" if next changes
// an immutable attribute, or an immutable sub-attribute of a single-valued
// complex attribute, that old had a value for; removing the value counts as
// a change. It is used on PUT and PATCH with old the stored data and next
// the data about to be stored, both canonical.
//
// Strings that are not caseExact compare case-insensitively, numbers
// numerically, and multi-valued attributes as unordered collections.
// Immutable sub-attributes of multi-valued attributes (a group's
// members.value) are not checked: elements have no identity, so a changed
// element is indistinguishable from one removed and another added, which is
// allowed.
func (rt *ResourceType) CheckImmutable(old, next map[string]any) error {
	if e := checkImmutable(rt.Schema.Attributes, "", old, next); e != nil {
		return e
	}
	for _, e := range rt.Extensions {
		o, _ := old[e.Schema.ID].(map[string]any)
		if len(o) == 0 {
			continue
		}
		nx, _ := next[e.Schema.ID].(map[string]any)
		if err := checkImmutable(e.Schema.Attributes, e.Schema.ID, o, nx); err != nil {
			return err
		}
	}
	return nil
}

func checkImmutable(attrs []*Attribute, urn string, old, next map[string]any) error {
	for _, a := range attrs {
		ov, ok := old[a.Name]
		if !ok || IsEmpty(ov) {
			continue
		}
		nv := next[a.Name]
		if a.Mutability == Immutable {
			if IsEmpty(nv) || !a.Equal(ov, nv) {
				p := pathNode{urn: urn, name: a.Name}
				return Errorf(ScimMutability, p.String(), "is immutable and cannot be changed")
			}
			continue
		}
		if a.Type != Complex || a.MultiValued {
			continue
		}
		om, _ := ov.(map[string]any)
		nm, _ := nv.(map[string]any)
		for _, s := range a.SubAttributes {
			if s.Mutability != Immutable {
				continue
			}
			osv, ok := om[s.Name]
			if !ok || IsEmpty(osv) {
				continue
			}
			nsv := nm[s.Name]
			if IsEmpty(nsv) || !s.Equal(osv, nsv) {
				p := pathNode{urn: urn, name: a.Name}
				sp := pathNode{parent: &p, name: s.Name}
				return Errorf(ScimMutability, sp.String(), "is immutable and cannot be changed")
			}
		}
	}
	return nil
}

// checkRequired reports the first required attribute (in schema order)
// missing from canonical data attrs.
func (rt *ResourceType) checkRequired(attrs map[string]any) *Error {
	if e := checkRequiredAttrs(rt.Schema.Attributes, "", attrs); e != nil {
		return e
	}
	for _, e := range rt.Extensions {
		m, _ := attrs[e.Schema.ID].(map[string]any)
		if len(m) == 0 {
			if e.Required {
				return Errorf(ScimInvalidValue, e.Schema.ID, "required extension missing")
			}
			continue
		}
		if err := checkRequiredAttrs(e.Schema.Attributes, e.Schema.ID, m); err != nil {
			return err
		}
	}
	return nil
}

func checkRequiredAttrs(attrs []*Attribute, urn string, data map[string]any) *Error {
	for _, a := range attrs {
		v := data[a.Name]
		if IsEmpty(v) {
			if a.Required {
				p := pathNode{urn: urn, name: a.Name}
				return Errorf(ScimInvalidValue, p.String(), "required attribute missing")
			}
			continue
		}
		if a.Type != Complex || !hasRequiredSub(a) {
			continue
		}
		p := pathNode{urn: urn, name: a.Name}
		if !a.MultiValued {
			if m, ok := v.(map[string]any); ok {
				if e := checkRequiredSubs(a, &p, m); e != nil {
					return e
				}
			}
			continue
		}
		els, _ := v.([]any)
		for i, el := range els {
			if m, ok := el.(map[string]any); ok {
				ip := pathNode{parent: &p, index: i, isIndex: true}
				if e := checkRequiredSubs(a, &ip, m); e != nil {
					return e
				}
			}
		}
	}
	return nil
}

func hasRequiredSub(a *Attribute) bool {
	for _, s := range a.SubAttributes {
		if s.Required {
			return true
		}
	}
	return false
}

func checkRequiredSubs(a *Attribute, p *pathNode, m map[string]any) *Error {
	for _, s := range a.SubAttributes {
		if s.Required && IsEmpty(m[s.Name]) {
			sp := pathNode{parent: p, name: s.Name}
			return Errorf(ScimInvalidValue, sp.String(), "required sub-attribute missing")
		}
	}
	return nil
}

// pathNode is an attribute path built lazily: strings are only made when an
// error or an ignored key has to be reported.
type pathNode struct {
	parent  *pathNode
	urn     string // root only: the extension URN, or ""
	name    string // root: attribute name (or a caller's path); else sub-attribute name
	index   int    // element index when isIndex
	isIndex bool
}

// String returns the path with indexes: `urn:...:User:emails[0].value`.
func (p *pathNode) String() string {
	var b strings.Builder
	p.write(&b, true)
	return b.String()
}

// general returns the path without indexes: "emails.value".
func (p *pathNode) general() string {
	var b strings.Builder
	p.write(&b, false)
	return b.String()
}

func (p *pathNode) write(b *strings.Builder, indexes bool) {
	if p.parent == nil {
		if p.urn != "" {
			b.WriteString(p.urn)
			b.WriteByte(':')
		}
		b.WriteString(p.name)
		return
	}
	p.parent.write(b, indexes)
	if p.isIndex {
		if indexes {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(p.index))
			b.WriteByte(']')
		}
		return
	}
	b.WriteByte('.')
	b.WriteString(p.name)
}

// collector keeps the error with the smallest path, so that results do not
// depend on map iteration order.
type collector struct {
	err *Error
}

func (c *collector) fail(e *Error) {
	if c.err == nil || e.Path < c.err.Path || (e.Path == c.err.Path && e.Detail < c.err.Detail) {
		c.err = e
	}
}

type normalizer struct {
	collector
	rt      *ResourceType
	collect bool // record ignored keys
	ignored []string
}

func (n *normalizer) ignore(path string) {
	if n.collect {
		n.ignored = append(n.ignored, path)
	}
}

func (n *normalizer) ignorePath(p *pathNode, key string) {
	if n.collect {
		n.ignored = append(n.ignored, p.general()+"."+key)
	}
}

// object normalizes the keys of a resource body (s == nil) or of an object
// holding the attributes of schema s (an extension, or the core schema when
// its URN was used as a key) into out.
func (n *normalizer) object(out map[string]any, s *Schema, in map[string]any) {
	for k, v := range in {
		if s == nil && strings.EqualFold(k, "schemas") {
			continue // not checked: unknown and misspelt URNs are common
		}
		if hasURNPrefix(k) {
			n.urnKey(out, k, v)
			continue
		}
		n.attrKey(out, s, k, v)
	}
}

// urnKey handles a top-level key that starts with "urn:".
func (n *normalizer) urnKey(out map[string]any, k string, v any) {
	rt := n.rt
	if strings.EqualFold(k, rt.Schema.ID) {
		n.schemaObject(out, nil, rt.Schema.ID, v)
		return
	}
	if ext := rt.Extension(k); ext != nil {
		n.schemaObject(out, ext, ext.ID, v)
		return
	}
	urn, rest := SplitURN(k, rt.URNs)
	s, isExt := rt.SchemaByURN(urn)
	if s == nil || rest == "" {
		n.ignore(k)
		return
	}
	if !isExt {
		s = rt.Schema
	}
	n.attrKey(out, s, rest, v)
}

// schemaObject handles the value of a key naming a schema URN: an object of
// that schema's attributes. s == nil means the core schema, whose attributes
// go to the top level.
func (n *normalizer) schemaObject(out map[string]any, s *Schema, urn string, v any) {
	if IsEmpty(v) {
		return
	}
	m, ok := v.(map[string]any)
	if !ok {
		n.fail(Errorf(ScimInvalidValue, urn, "must be an object holding the schema's attributes, got %s", describe(v)))
		return
	}
	n.object(out, s, m)
}

// attrKey handles key k (an attribute name, optionally with ".sub") of an
// object of schema s; s == nil means the top level of a resource body.
func (n *normalizer) attrKey(out map[string]any, s *Schema, k string, v any) {
	name, sub, dotted := strings.Cut(k, ".")
	var a *Attribute
	urn := ""
	switch {
	case s == nil:
		if c := Common(name); c != nil {
			if c.IsReadOnly() { // id and meta: server-assigned, dropped silently
				return
			}
			a = c
		} else if a = n.rt.Schema.Attr(name); a == nil {
			for _, e := range n.rt.Extensions {
				if a = e.Schema.Attr(name); a != nil {
					urn = e.Schema.ID
					break
				}
			}
		}
		if a == nil {
			n.ignore(k)
			return
		}
	default:
		if a = s.Attr(name); a == nil {
			if s == n.rt.Schema {
				n.ignore(k)
			} else {
				n.ignore(s.ID + ":" + k)
			}
			return
		}
		if s != n.rt.Schema {
			urn = s.ID
		}
	}
	p := pathNode{urn: urn, name: a.Name}
	if a.IsReadOnly() {
		if dotted {
			n.ignorePath(&p, sub)
		} else {
			n.ignore(p.String())
		}
		return
	}
	target := out
	if urn != "" {
		if m, ok := out[urn].(map[string]any); ok {
			target = m
		} else {
			target = nil // created below once there is a value
		}
	}
	if !dotted {
		x := n.value(a, &p, v)
		if x == nil {
			return
		}
		if target == nil {
			target = make(map[string]any)
			out[urn] = target
		}
		n.put(target, a, &p, x)
		return
	}
	sa := a.Sub(sub)
	if sa == nil {
		n.ignorePath(&p, sub)
		return
	}
	sp := pathNode{parent: &p, name: sa.Name}
	if sa.IsReadOnly() {
		n.ignore(sp.String())
		return
	}
	if a.MultiValued {
		n.fail(Errorf(ScimInvalidValue, sp.String(), "a sub-attribute of a multi-valued attribute cannot be set on its own; send %s as an array of objects", a.Name))
		return
	}
	x := n.value(sa, &sp, v)
	if x == nil {
		return
	}
	if target == nil {
		target = make(map[string]any)
		out[urn] = target
	}
	n.put(target, a, &p, map[string]any{sa.Name: x})
}

// put stores normalized value x of attribute a in m, merging complex values
// and reporting conflicting duplicates.
func (n *normalizer) put(m map[string]any, a *Attribute, p *pathNode, x any) {
	old, ok := m[a.Name]
	if !ok {
		m[a.Name] = x
		return
	}
	om, ok1 := old.(map[string]any)
	xm, ok2 := x.(map[string]any)
	if ok1 && ok2 && !a.MultiValued {
		for k, v := range xm {
			sa := exactAttr(a.SubAttributes, k)
			if sa == nil {
				continue
			}
			sp := pathNode{parent: p, name: sa.Name}
			n.put(om, sa, &sp, v)
		}
		return
	}
	if !Identical(old, x) {
		n.fail(Errorf(ScimInvalidValue, p.String(), "given more than once with different values"))
	}
}

// value normalizes v as a value of a; nil means absent (or an error was
// recorded).
func (n *normalizer) value(a *Attribute, p *pathNode, v any) any {
	if a.MultiValued {
		return n.multi(a, p, v)
	}
	return n.single(a, p, v)
}

func (n *normalizer) multi(a *Attribute, p *pathNode, v any) any {
	arr, ok := v.([]any)
	if !ok {
		if v == nil {
			return nil
		}
		x := n.single(a, p, v)
		if x == nil || n.hollow(a, x) {
			return nil
		}
		return []any{x}
	}
	var out []any
	for i, el := range arr {
		if el == nil {
			continue
		}
		ep := pathNode{parent: p, index: i, isIndex: true}
		if _, nested := el.([]any); nested {
			n.fail(Errorf(ScimInvalidValue, ep.String(), "arrays cannot be nested"))
			continue
		}
		x := n.single(a, &ep, el)
		if x == nil || n.hollow(a, x) {
			continue
		}
		if out == nil {
			out = make([]any, 0, len(arr))
		}
		out = append(out, x)
	}
	if a.Type == Complex {
		out = onePrimary(a, dedupe(a, out))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// dedupe keeps the first of several elements with one "value" when the
// attribute's elements are identified by it (Group members): a list naming a
// member twice names it once.
func dedupe(a *Attribute, list []any) []any {
	ok, fold := a.IdentifiedByValue()
	if !ok || len(list) < 2 {
		return list
	}
	seen := make(map[string]bool, len(list))
	out := list[:0:0]
	for _, e := range list {
		if m, isMap := e.(map[string]any); isMap {
			if v, isStr := m["value"].(string); isStr {
				if fold {
					v = Fold(v)
				}
				if seen[v] {
					continue
				}
				seen[v] = true
			}
		}
		out = append(out, e)
	}
	return out
}

// hollow reports whether x, a normalized element of the multi-valued
// attribute a, is a complex element left with nothing but "type" and
// "primary" (a template's {"value":"","type":"work"}): it is dropped. An
// element with other content but no required "value" is an error instead.
func (n *normalizer) hollow(a *Attribute, x any) bool {
	m, ok := x.(map[string]any)
	if !ok || a.Type != Complex {
		return false
	}
	for k := range m {
		if k != "type" && k != "primary" {
			return false
		}
	}
	return true
}

// onePrimary removes primary from every element after the first whose
// primary is true, and drops elements left empty. The elements are fresh
// maps owned by the normalizer.
func onePrimary(a *Attribute, els []any) []any {
	ps := a.Sub("primary")
	if ps == nil || ps.Type != Boolean {
		return els
	}
	seen := false
	drop := false
	for _, el := range els {
		m, ok := el.(map[string]any)
		if !ok {
			continue
		}
		if b, _ := m[ps.Name].(bool); b {
			if seen {
				delete(m, ps.Name)
				drop = drop || len(m) == 0
			}
			seen = true
		}
	}
	if drop {
		els = slices.DeleteFunc(els, func(el any) bool {
			m, ok := el.(map[string]any)
			return ok && len(m) == 0
		})
	}
	return els
}

// single normalizes one (non-array) value of a.
func (n *normalizer) single(a *Attribute, p *pathNode, v any) any {
	if v == nil {
		return nil
	}
	if a.Type != Complex {
		return n.scalar(a, p, v)
	}
	switch x := v.(type) {
	case map[string]any:
		return n.complex(a, p, x)
	case []any:
		if a.MultiValued {
			n.fail(Errorf(ScimInvalidValue, p.String(), "arrays cannot be nested"))
			return nil
		}
		var only any
		at := 0
		for i, el := range x {
			if el == nil {
				continue
			}
			if only != nil {
				n.fail(Errorf(ScimInvalidValue, p.String(), "is single-valued but was given several values"))
				return nil
			}
			only, at = el, i
		}
		if only == nil {
			return nil
		}
		if _, nested := only.([]any); nested {
			n.fail(Errorf(ScimInvalidValue, p.String(), "arrays cannot be nested"))
			return nil
		}
		ep := pathNode{parent: p, index: at, isIndex: true}
		return n.single(a, &ep, only)
	default:
		vs := a.Sub("value")
		if vs == nil || vs.Type == Complex {
			n.fail(Errorf(ScimInvalidValue, p.String(), "must be an object, got %s", describe(v)))
			return nil
		}
		sp := pathNode{parent: p, name: vs.Name}
		val := n.value(vs, &sp, v)
		if val == nil {
			return nil
		}
		return map[string]any{vs.Name: val}
	}
}

func (n *normalizer) complex(a *Attribute, p *pathNode, m map[string]any) any {
	var out map[string]any
	for k, v := range m {
		sa := a.Sub(k)
		if sa == nil {
			n.ignorePath(p, k)
			continue
		}
		sp := pathNode{parent: p, name: sa.Name}
		if sa.IsReadOnly() {
			if n.collect {
				n.ignore(sp.general())
			}
			continue
		}
		x := n.value(sa, &sp, v)
		if x == nil {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(m))
		}
		n.put(out, sa, &sp, x)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// scalar normalizes a value of a simple attribute.
func (n *normalizer) scalar(a *Attribute, p *pathNode, v any) any {
	if s, ok := v.(string); ok && s == "" {
		return nil
	}
	x, detail := scalarValue(a.Type, v)
	if detail != "" {
		n.fail(Errorf(ScimInvalidValue, p.String(), "%s, got %s", detail, describe(v)))
		return nil
	}
	return x
}

// scalarValue returns the canonical form of v for type t, or a description
// of what was expected.
func scalarValue(t Type, v any) (any, string) {
	switch t {
	case Boolean:
		switch x := v.(type) {
		case bool:
			return x, ""
		case string:
			if strings.EqualFold(x, "true") {
				return true, ""
			}
			if strings.EqualFold(x, "false") {
				return false, ""
			}
		}
		return nil, "must be a boolean"
	case Integer:
		var s string
		switch x := v.(type) {
		case json.Number:
			s = string(x)
		case string:
			s = x
		case float64:
			if x == math.Trunc(x) && x >= -(1<<63) && x < 1<<63 {
				return json.Number(strconv.FormatInt(int64(x), 10)), ""
			}
			return nil, "must be an integer"
		case int:
			return json.Number(strconv.Itoa(x)), ""
		case int64:
			return json.Number(strconv.FormatInt(x, 10)), ""
		default:
			return nil, "must be an integer"
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			c := strconv.FormatInt(i, 10)
			if c == s {
				return json.Number(s), ""
			}
			return json.Number(c), ""
		}
		if !isJSONNumber(s) {
			return nil, "must be an integer"
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
			return nil, "must be an integer in the 64-bit range"
		}
		return json.Number(strconv.FormatInt(int64(f), 10)), ""
	case Decimal:
		var s string
		switch x := v.(type) {
		case json.Number:
			s = string(x)
		case string:
			s = x
		case float64:
			if math.IsInf(x, 0) || math.IsNaN(x) {
				return nil, "must be a finite number"
			}
			return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), ""
		case int:
			return json.Number(strconv.Itoa(x)), ""
		case int64:
			return json.Number(strconv.FormatInt(x, 10)), ""
		default:
			return nil, "must be a number"
		}
		if !isJSONNumber(s) {
			return nil, "must be a number"
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return nil, "must be a number in the range of a 64-bit float"
		}
		return json.Number(s), ""
	case DateTime:
		if s, ok := v.(string); ok {
			if validDateTime(s) {
				return s, ""
			}
			return nil, "must be an RFC 3339 date-time such as 2008-01-23T04:56:22Z"
		}
		return nil, "must be a date-time string"
	case Binary:
		if s, ok := v.(string); ok {
			if validBase64(s) {
				return s, ""
			}
			return nil, "must be base64-encoded"
		}
		return nil, "must be a base64 string"
	case Reference:
		if s, ok := v.(string); ok {
			return s, ""
		}
		return nil, "must be a reference string"
	default: // String, and attributes defined without a type
		switch x := v.(type) {
		case string:
			return x, ""
		case json.Number:
			if isJSONNumber(string(x)) {
				return string(x), ""
			}
		case float64:
			if !math.IsInf(x, 0) && !math.IsNaN(x) {
				return strconv.FormatFloat(x, 'f', -1, 64), ""
			}
		case int:
			return strconv.Itoa(x), ""
		case int64:
			return strconv.FormatInt(x, 10), ""
		}
		return nil, "must be a string"
	}
}

func validDateTime(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

func validBase64(s string) bool {
	if _, err := base64.StdEncoding.DecodeString(s); err == nil {
		return true
	}
	_, err := base64.RawStdEncoding.DecodeString(s)
	return err == nil
}

// isJSONNumber reports whether s is a number in JSON syntax (RFC 8259 §6).
func isJSONNumber(s string) bool {
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

// describe names the JSON type of v for error details, without echoing the
// value itself.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64, int, int64:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	default:
		return "an unsupported value"
	}
}

func hasURNPrefix(s string) bool {
	return len(s) >= 4 && strings.EqualFold(s[:4], "urn:")
}

// exactAttr returns the attribute whose name is exactly name, or nil.
func exactAttr(attrs []*Attribute, name string) *Attribute {
	for _, a := range attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// check validates canonical value v of a for [ResourceType.Validate].
func (c *collector) check(a *Attribute, p *pathNode, v any) {
	if a.MultiValued {
		els, ok := v.([]any)
		if !ok {
			if IsEmpty(v) {
				return
			}
			c.fail(Errorf(ScimInvalidValue, p.String(), "is multi-valued and must be an array, got %s", describe(v)))
			return
		}
		for i, el := range els {
			ep := pathNode{parent: p, index: i, isIndex: true}
			if el == nil {
				c.fail(Errorf(ScimInvalidValue, ep.String(), "must not be null"))
				continue
			}
			c.checkSingle(a, &ep, el)
		}
		return
	}
	if IsEmpty(v) {
		return
	}
	c.checkSingle(a, p, v)
}

func (c *collector) checkSingle(a *Attribute, p *pathNode, v any) {
	if a.Type == Complex {
		m, ok := v.(map[string]any)
		if !ok {
			c.fail(Errorf(ScimInvalidValue, p.String(), "must be an object, got %s", describe(v)))
			return
		}
		for k, sv := range m {
			s := exactAttr(a.SubAttributes, k)
			if s == nil {
				sp := pathNode{parent: p, name: k}
				c.fail(Errorf(ScimInvalidValue, sp.String(), "no such sub-attribute"))
				continue
			}
			sp := pathNode{parent: p, name: s.Name}
			c.check(s, &sp, sv)
		}
		return
	}
	x, detail := scalarValue(a.Type, v)
	if detail == "" {
		// The canonical form of a canonical value is itself.
		switch v.(type) {
		case string, bool, json.Number:
			if x == v {
				return
			}
		}
		detail = "is not in canonical form"
	}
	c.fail(Errorf(ScimInvalidValue, p.String(), "%s, got %s", detail, describe(v)))
}
