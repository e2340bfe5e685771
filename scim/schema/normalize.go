package schema

import (
	"encoding/json"
	"slices"
	"strings"
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
	n.push(pathNode{name: path})
	x := n.value(a, v)
	if n.err != nil {
		return nil, n.err
	}
	return x, nil
}

type normalizer struct {
	collector
	rt      *ResourceType
	collect bool // record ignored keys
	ignored []string
	// path is the path of the value being normalized, root first: a
	// stack rather than linked pathNodes, which escape analysis would
	// move to the heap one by one (the walk is recursive).
	path []pathNode
}

// push appends e to the path; pop removes the last element.
func (n *normalizer) push(e pathNode) {
	if n.path == nil {
		// A resource's paths are attribute, element, sub-attribute.
		n.path = make([]pathNode, 0, 4)
	}
	n.path = append(n.path, e)
}

func (n *normalizer) pop() { n.path = n.path[:len(n.path)-1] }

// at returns the path with indexes (`emails[0].value`), or without
// indexes ("emails.value") when indexes is false.
func (n *normalizer) at(indexes bool) string {
	var b strings.Builder
	writePath(&b, n.path, indexes)
	return b.String()
}

// atSub returns the path of sub-attribute or key name of the current
// value, with indexes.
func (n *normalizer) atSub(name string) string {
	n.push(pathNode{name: name})
	defer n.pop()
	return n.at(true)
}

func (n *normalizer) ignore(path string) {
	if n.collect {
		n.ignored = append(n.ignored, path)
	}
}

// ignoreKey records key of the current value as ignored.
func (n *normalizer) ignoreKey(key string) {
	if n.collect {
		n.ignored = append(n.ignored, n.at(false)+"."+key)
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
	n.push(pathNode{urn: urn, name: a.Name})
	defer n.pop()
	if a.IsReadOnly() {
		if dotted {
			n.ignoreKey(sub)
		} else {
			n.ignore(n.at(true))
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
		x := n.value(a, v)
		if x == nil {
			return
		}
		if target == nil {
			target = make(map[string]any)
			out[urn] = target
		}
		n.put(target, a, x)
		return
	}
	sa := a.Sub(sub)
	if sa == nil {
		n.ignoreKey(sub)
		return
	}
	if sa.IsReadOnly() {
		n.ignore(n.atSub(sa.Name))
		return
	}
	if a.MultiValued {
		n.fail(Errorf(ScimInvalidValue, n.atSub(sa.Name), "a sub-attribute of a multi-valued attribute cannot be set on its own; send %s as an array of objects", a.Name))
		return
	}
	n.push(pathNode{name: sa.Name})
	x := n.value(sa, v)
	n.pop()
	if x == nil {
		return
	}
	if target == nil {
		target = make(map[string]any)
		out[urn] = target
	}
	n.put(target, a, map[string]any{sa.Name: x})
}

// put stores normalized value x of attribute a, the current value, in m,
// merging complex values and reporting conflicting duplicates.
func (n *normalizer) put(m map[string]any, a *Attribute, x any) {
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
			n.push(pathNode{name: sa.Name})
			n.put(om, sa, v)
			n.pop()
		}
		return
	}
	if !Identical(old, x) {
		n.fail(Errorf(ScimInvalidValue, n.at(true), "given more than once with different values"))
	}
}

// value normalizes v as a value of a, the current value; nil means absent
// (or an error was recorded).
func (n *normalizer) value(a *Attribute, v any) any {
	if a.MultiValued {
		return n.multi(a, v)
	}
	return n.single(a, v)
}

func (n *normalizer) multi(a *Attribute, v any) any {
	arr, ok := v.([]any)
	if !ok {
		if v == nil {
			return nil
		}
		x := n.single(a, v)
		if x == nil || n.hollow(a, x) {
			return nil
		}
		n.needsValue(a, x)
		return []any{x}
	}
	var out []any
	for i, el := range arr {
		if el == nil {
			continue
		}
		x := n.element(a, i, el)
		if x == nil {
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

// element normalizes element i, el, of the multi-valued a; nil means
// none.
func (n *normalizer) element(a *Attribute, i int, el any) any {
	n.push(pathNode{index: i, isIndex: true})
	defer n.pop()
	if _, nested := el.([]any); nested {
		n.fail(Errorf(ScimInvalidValue, n.at(true), "arrays cannot be nested"))
		return nil
	}
	x := n.single(a, el)
	if x == nil || n.hollow(a, x) {
		return nil
	}
	n.needsValue(a, x)
	return x
}

// dedupe keeps the first of several elements with one identity
// ([Attribute.ElementKey]): one "value" when the attribute's elements are
// keyed by it (Group members, roles), one "type" and "value" otherwise (RFC
// 7643 §2.4: a service provider "SHOULD NOT return the same (type, value)
// combination more than once per attribute"). A later duplicate marked
// primary passes the mark to the one kept. The elements are fresh maps
// owned by the normalizer.
func dedupe(a *Attribute, list []any) []any {
	if len(list) < 2 {
		return list
	}
	if ok, _ := a.KeyedByValue(); !ok && (a.Sub("value") == nil || a.Sub("type") == nil) {
		return list
	}
	first := make(map[[2]string]map[string]any, len(list))
	out := list[:0:0]
	for _, e := range list {
		m, _ := e.(map[string]any)
		k, ok := a.elementKey(m)
		if !ok {
			out = append(out, e)
			continue
		}
		if kept, dup := first[k]; dup {
			if m["primary"] == true {
				kept["primary"] = true
			}
			continue
		}
		first[k] = m
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

// needsValue fails an element x of a that names nothing: when a's elements
// are identified by their "value" (Group members), an element with other
// content (a display, a $ref) but no value would be a member of no
// resource.
func (n *normalizer) needsValue(a *Attribute, x any) {
	if ok, _ := a.IdentifiedByValue(); !ok {
		return
	}
	if m, isMap := x.(map[string]any); isMap {
		if _, has := m["value"]; !has {
			n.fail(Errorf(ScimInvalidValue, n.atSub("value"), "is required: the id of the resource the element names"))
		}
	}
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

// single normalizes one (non-array) value of a, the current value.
func (n *normalizer) single(a *Attribute, v any) any {
	if v == nil {
		return nil
	}
	if a.Type != Complex {
		return n.scalar(a, v)
	}
	switch x := v.(type) {
	case map[string]any:
		return n.complex(a, x)
	case []any:
		if a.MultiValued {
			n.fail(Errorf(ScimInvalidValue, n.at(true), "arrays cannot be nested"))
			return nil
		}
		var only any
		at := 0
		for i, el := range x {
			if el == nil {
				continue
			}
			if only != nil {
				n.fail(Errorf(ScimInvalidValue, n.at(true), "is single-valued but was given several values"))
				return nil
			}
			only, at = el, i
		}
		if only == nil {
			return nil
		}
		if _, nested := only.([]any); nested {
			n.fail(Errorf(ScimInvalidValue, n.at(true), "arrays cannot be nested"))
			return nil
		}
		n.push(pathNode{index: at, isIndex: true})
		defer n.pop()
		return n.single(a, only)
	default:
		vs := a.Sub("value")
		if vs == nil || vs.Type == Complex {
			n.fail(Errorf(ScimInvalidValue, n.at(true), "must be an object, got %s", describe(v)))
			return nil
		}
		n.push(pathNode{name: vs.Name})
		val := n.value(vs, v)
		n.pop()
		if val == nil {
			return nil
		}
		return map[string]any{vs.Name: val}
	}
}

func (n *normalizer) complex(a *Attribute, m map[string]any) any {
	if a.Grant != NoGrant {
		var nul string
		if m, nul = unwrapGrant(m); nul != "" {
			n.fail(Errorf(ScimInvalidValue, n.atSub("value"), "is a JSON object whose %q holds a NUL character (\\u0000)", nul))
			return nil
		}
	}
	var out map[string]any
	for k, v := range m {
		sa := a.Sub(k)
		if sa == nil && a.Grant != NoGrant && strings.EqualFold(k, "displayName") {
			if _, both := m["display"]; both {
				continue
			}
			sa = a.Sub("display")
		}
		if sa == nil {
			n.ignoreKey(k)
			continue
		}
		if sa.IsReadOnly() {
			n.ignoreKey(sa.Name)
			continue
		}
		n.push(pathNode{name: sa.Name})
		if x := n.value(sa, v); x != nil {
			if out == nil {
				out = make(map[string]any, len(m))
			}
			n.put(out, sa, x)
		}
		n.pop()
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// scalar normalizes a value of a simple attribute.
func (n *normalizer) scalar(a *Attribute, v any) any {
	if s, ok := v.(string); ok && s == "" {
		return nil
	}
	x, detail := scalarValue(a.Type, v)
	if detail != "" {
		n.fail(Errorf(ScimInvalidValue, n.at(true), "%s, got %s", detail, describe(v)))
		return nil
	}
	return x
}

func hasURNPrefix(s string) bool {
	return len(s) >= 4 && strings.EqualFold(s[:4], "urn:")
}

// unwrapGrant returns the element m of "roles" or "entitlements" with a
// "value" that is a JSON object encoded as a string, as Entra ID's
// AppRoleAssignmentsComplex sends it in PATCH
// ({"value":"{\"id\":\"…\",\"value\":\"Admin\",\"displayName\":\"Admin\"}"};
// Microsoft Learn, "Customize application attributes"), replaced by an
// element of that object's "value", with its "displayName" (or "display")
// and "type" where m has none. The object's "id" is dropped: Entra advises matching on the value.
// Any other m is returned as it is; m is not modified. A string of the
// object that holds a NUL character, which its escapes hid from the checks
// of the request, is not unwrapped: nul names it.
func unwrapGrant(m map[string]any) (_ map[string]any, nul string) {
	s, ok := m["value"].(string)
	if !ok || len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return m, ""
	}
	var inner map[string]any
	if json.Unmarshal([]byte(s), &inner) != nil {
		return m, ""
	}
	v, ok := inner["value"].(string)
	if !ok || v == "" {
		return m, ""
	}
	for _, k := range []string{"value", "displayName", "display", "type"} {
		if x, _ := inner[k].(string); strings.IndexByte(x, 0) >= 0 {
			return m, k
		}
	}
	out := make(map[string]any, len(m)+2)
	for k, x := range m {
		out[k] = x
	}
	out["value"] = v
	has := func(names ...string) bool {
		for k := range m {
			for _, n := range names {
				if strings.EqualFold(k, n) {
					return true
				}
			}
		}
		return false
	}
	if !has("display", "displayName") {
		for _, k := range []string{"displayName", "display"} {
			if d, ok := inner[k].(string); ok && d != "" {
				out["display"] = d
				break
			}
		}
	}
	if t, ok := inner["type"].(string); ok && t != "" && !has("type") {
		out["type"] = t
	}
	return out, ""
}
