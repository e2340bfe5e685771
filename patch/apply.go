package patch

import (
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

// Result is the outcome of [Apply].
type Result struct {
	// Attributes is the new canonical data. It shares the values of
	// attributes that did not change with the input.
	Attributes map[string]any
	// Changed lists, sorted, the canonical paths of the top-level
	// attributes whose value changed: "active", "name",
	// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department".
	// Writes that leave a value as it was are not changes.
	Changed []string
	// MembersAdded and MembersRemoved are the "value"s of the "members"
	// (of a resource type whose core schema has them, such as Group) that
	// the operations added and removed, net of each other, sorted.
	MembersAdded, MembersRemoved []string
}

// Apply applies ops in order to attrs, the canonical data of the resource
// of type rt whose id is id, and returns the new data. See the package
// documentation for the rules.
//
// Apply is pure and atomic: attrs and everything reachable from it are
// never modified, and on error no result is returned. The error is an
// [*Error] naming the failing operation.
func Apply(rt *schema.ResourceType, id string, attrs map[string]any, ops []Operation) (*Result, error) {
	a := &applier{
		rt:     rt,
		parser: filter.Parser{Schema: rt},
		id:     id,
		orig:   attrs,
		cur:    make(map[string]any, len(attrs)+2),
	}
	maps.Copy(a.cur, attrs)
	if m := rt.Schema.Attr("members"); m != nil && m.Name == "members" && m.MultiValued && m.Type == schema.Complex {
		a.members = key{name: m.Name}
		a.trackMembers = true
	}
	for i, op := range ops {
		a.index = i
		if err := a.apply(op); err != nil {
			return nil, &Error{Index: i, Op: op.Op, Path: op.Path, Err: err}
		}
	}
	return a.finish(ops)
}

// key names a top-level attribute: an attribute of the core schema (urn
// "") or of the extension urn.
type key struct{ urn, name string }

func (k key) path() string {
	if k.urn == "" {
		return k.name
	}
	return k.urn + ":" + k.name
}

// removal is a run of pending removals of values of one multi-valued
// attribute, selected by their "value".
type removal struct {
	attr   *schema.Attribute
	fold   bool
	values map[string]struct{}
}

func (r *removal) matches(e any) bool {
	s, ok := elementValue(e)
	if !ok {
		return false
	}
	if r.fold {
		s = schema.Fold(s)
	}
	_, ok = r.values[s]
	return ok
}

type applier struct {
	rt     *schema.ResourceType
	parser filter.Parser
	id     string
	orig   map[string]any
	cur    map[string]any
	index  int

	ownedExt  map[string]bool // cur[urn] was allocated by Apply
	ownedList map[key]bool    // the list at key was allocated by Apply
	touched   map[key]int     // last operation that wrote the attribute
	fresh     map[key][]any   // elements of multi-valued attributes written by Apply
	pending   map[key]*removal

	trackMembers   bool
	members        key
	added, removed map[string]struct{}
}

func (a *applier) apply(op Operation) error {
	kind, ok := parseKind(op.Op)
	if !ok {
		return schema.Errorf(schema.ScimInvalidSyntax, "", `unknown op %q (want "add", "remove" or "replace")`, op.Op)
	}
	if kind == opRemove {
		if op.Path == "" {
			return schema.Errorf(schema.ScimNoTarget, "", `remove requires a "path"`)
		}
		return a.remove(op.Path, op.Value)
	}
	if op.Path == "" {
		obj, ok := op.Value.(map[string]any)
		if !ok {
			return schema.Errorf(schema.ScimInvalidValue, "", "the value of %s without a path must be an object of attributes", kind)
		}
		return a.writeObject(kind, "", obj)
	}
	return a.write(kind, op.Path, op.Value, false)
}

// writeObject applies the members of obj, a path-less value or an object
// under a schema URN key, as operations of their own. Inside an extension
// object (urn not "") keys are attribute paths of that extension.
func (a *applier) writeObject(kind opKind, urn string, obj map[string]any) error {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := obj[k]
		if urn == "" {
			if strings.EqualFold(k, "schemas") {
				continue
			}
			if s, ext := a.rt.SchemaByURN(k); s != nil {
				if err := a.writeSchema(kind, s, ext, v, true); err != nil {
					return err
				}
				continue
			}
		}
		path := k
		if urn != "" {
			path = urn + ":" + k
		}
		// Attributes the resource type does not define are ignored here,
		// as they are in POST and PUT bodies.
		u, rest := schema.SplitURN(path, a.rt.URNs)
		name := rest
		if i := strings.IndexAny(name, ".["); i >= 0 {
			name = name[:i]
		}
		if _, ok := a.rt.Lookup(u, name); !ok {
			continue
		}
		if err := a.write(kind, path, v, true); err != nil {
			return err
		}
	}
	return nil
}

// writeSchema handles a value for a whole schema: an object of its
// attributes, or null to remove all of an extension's attributes.
func (a *applier) writeSchema(kind opKind, s *schema.Schema, ext bool, v any, fromValue bool) error {
	urn := ""
	if ext {
		urn = s.ID
	}
	if isNull(v) {
		if !ext {
			if fromValue {
				return nil
			}
			return schema.Errorf(schema.ScimInvalidValue, s.ID, "the core schema cannot be removed")
		}
		a.removeExtension(s.ID)
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return schema.Errorf(schema.ScimInvalidValue, s.ID, "the value of a schema must be an object of its attributes")
	}
	return a.writeObject(kind, urn, obj)
}

func (a *applier) removeExtension(urn string) {
	ext, _ := a.cur[urn].(map[string]any)
	for name := range ext {
		k := key{urn, name}
		delete(a.pending, k)
		a.touch(k)
	}
	delete(a.cur, urn)
	delete(a.ownedExt, urn)
}

// parse parses a path and checks that it names an attribute.
func (a *applier) parse(path string) (filter.Path, error) {
	p, err := a.parser.ParsePath(path)
	if err != nil {
		return filter.Path{}, err
	}
	if p.Attr == nil || (p.Sub != "" && p.SubAttr == nil) {
		return filter.Path{}, schema.Errorf(schema.ScimInvalidPath, "", "%q names no attribute of %s", path, a.rt.Name)
	}
	return p, nil
}

// write applies add or replace of v at path. fromValue says the path is a
// key of a path-less value, where readOnly attributes are ignored.
func (a *applier) write(kind opKind, path string, v any, fromValue bool) error {
	if s, ext := a.rt.SchemaByURN(path); s != nil {
		return a.writeSchema(kind, s, ext, v, fromValue)
	}
	p, err := a.parse(path)
	if err != nil {
		return err
	}
	k := key{p.URN, p.Name}
	if p.URN == "" && p.Name == "id" && p.Attr.IsReadOnly() {
		if p.Sub == "" && p.Filter == nil {
			if s, ok := v.(string); ok && s == a.id {
				return nil
			}
		}
		return schema.Errorf(schema.ScimMutability, "id", "id is readOnly and cannot be changed")
	}
	if p.Attr.IsReadOnly() || (p.SubAttr != nil && p.SubAttr.IsReadOnly()) {
		if fromValue {
			return nil
		}
		return schema.Errorf(schema.ScimMutability, pathOf(k, p.Sub), "the attribute is readOnly")
	}
	a.flush(k)
	switch {
	case p.Attr.MultiValued:
		return a.writeMulti(kind, k, p, v)
	case p.Attr.Type == schema.Complex:
		return a.writeComplex(kind, k, p, v)
	}
	nv, err := schema.NormalizeValue(p.Attr, k.path(), v)
	if err != nil {
		return err
	}
	a.set(k, nv)
	return nil
}

func pathOf(k key, sub string) string {
	if sub == "" {
		return k.path()
	}
	return k.path() + "." + sub
}

// writeComplex writes a single-valued complex attribute or one of its
// sub-attributes.
func (a *applier) writeComplex(kind opKind, k key, p filter.Path, v any) error {
	cur, _ := a.get(k).(map[string]any)
	if p.Filter != nil && (cur == nil || !filter.Match(p.Filter, cur)) {
		return schema.Errorf(schema.ScimNoTarget, k.path(), "the value does not match the filter")
	}
	if p.Sub != "" {
		nv, err := schema.NormalizeValue(p.SubAttr, pathOf(k, p.Sub), v)
		if err != nil {
			return err
		}
		next := maps.Clone(cur)
		if next == nil {
			next = make(map[string]any, 1)
		}
		setOrDelete(next, p.Sub, nv)
		a.set(k, emptyToNil(next))
		return nil
	}
	if isNull(v) {
		a.set(k, nil)
		return nil
	}
	nv, err := schema.NormalizeValue(p.Attr, k.path(), v)
	if err != nil {
		return err
	}
	next := maps.Clone(cur)
	if next == nil {
		next = make(map[string]any, 4)
	}
	merge(p.Attr, next, nv, v)
	a.set(k, emptyToNil(next))
	return nil
}

// merge sets in dst the sub-attributes of the normalized value nv, except
// readOnly ones, and removes those that raw, the value as sent, gives as
// null or "".
func merge(attr *schema.Attribute, dst map[string]any, nv, raw any) {
	if rm, ok := raw.(map[string]any); ok {
		for name, x := range rm {
			if !isNull(x) {
				continue
			}
			if sub := attr.Sub(name); sub != nil && !sub.IsReadOnly() {
				delete(dst, sub.Name)
			}
		}
	}
	m, _ := nv.(map[string]any)
	for name, x := range m {
		if sub := attr.Sub(name); sub != nil && sub.IsReadOnly() {
			continue
		}
		dst[name] = x
	}
}

// writeMulti writes a multi-valued attribute.
func (a *applier) writeMulti(kind opKind, k key, p filter.Path, v any) error {
	attr := p.Attr
	before := a.list(k)
	var (
		after   []any
		written []int
		err     error
	)
	switch {
	case p.Filter == nil && p.Sub == "" && kind == opAdd:
		var appended []any
		after, appended, written, err = a.appendValues(k, attr, before, v)
		if err != nil {
			return err
		}
		if len(appended) == 0 {
			return nil
		}
		if a.trackMembers && k == a.members {
			for _, e := range appended {
				if s, ok := elementValue(e); ok {
					a.memberAdded(s)
				}
			}
		}
		a.setList(k, a.primary(k, attr, after, written), true)
		return nil
	case p.Filter == nil && p.Sub == "":
		after, written, err = replaceValues(attr, k.path(), v)
	case p.Filter == nil:
		after, written, err = writeSubAll(attr, p, k, before, v)
	default:
		after, written, err = writeFiltered(attr, p, k, before, v)
	}
	if err != nil {
		return err
	}
	if a.trackMembers && k == a.members {
		a.memberDiff(before, after)
	}
	a.setList(k, a.primary(k, attr, after, written), true)
	return nil
}

// appendValues appends the values of v that are not already in before.
func (a *applier) appendValues(k key, attr *schema.Attribute, before []any, v any) (after, appended []any, written []int, err error) {
	nv, err := schema.NormalizeValue(attr, k.path(), v)
	if err != nil {
		return nil, nil, nil, err
	}
	add, _ := nv.([]any)
	if len(add) == 0 {
		return before, nil, nil, nil
	}
	if id, fold := attr.IdentifiedByValue(); id {
		appended = newByValue(before, add, fold)
	} else {
		for _, e := range add {
			if !slices.ContainsFunc(before, func(x any) bool { return schema.Identical(x, e) }) &&
				!slices.ContainsFunc(appended, func(x any) bool { return schema.Identical(x, e) }) {
				appended = append(appended, e)
			}
		}
	}
	if len(appended) == 0 {
		return before, nil, nil, nil
	}
	if a.ownedList[k] {
		after = before
	} else {
		after = make([]any, len(before), len(before)+len(appended))
		copy(after, before)
	}
	for _, e := range appended {
		written = append(written, len(after))
		after = append(after, e)
	}
	return after, appended, written, nil
}

// newByValue returns the elements of add whose "value" is not the value
// of an element of before or of an earlier element of add. Elements
// without a string value are compared whole.
func newByValue(before, add []any, fold bool) []any {
	norm := func(s string) string {
		if fold {
			return schema.Fold(s)
		}
		return s
	}
	var out []any
	if len(add) == 1 {
		s, ok := elementValue(add[0])
		if !ok {
			if slices.ContainsFunc(before, func(x any) bool { return schema.Identical(x, add[0]) }) {
				return nil
			}
			return add
		}
		s = norm(s)
		for _, e := range before {
			if t, ok := elementValue(e); ok && norm(t) == s {
				return nil
			}
		}
		return add
	}
	want := make(map[string]bool, len(add)) // value → already present
	for _, e := range add {
		if s, ok := elementValue(e); ok {
			want[norm(s)] = false
		}
	}
	for _, e := range before {
		if t, ok := elementValue(e); ok {
			if _, w := want[norm(t)]; w {
				want[norm(t)] = true
			}
		}
	}
	for _, e := range add {
		s, ok := elementValue(e)
		if !ok {
			if !slices.ContainsFunc(before, func(x any) bool { return schema.Identical(x, e) }) &&
				!slices.ContainsFunc(out, func(x any) bool { return schema.Identical(x, e) }) {
				out = append(out, e)
			}
			continue
		}
		s = norm(s)
		if want[s] {
			continue
		}
		want[s] = true
		out = append(out, e)
	}
	return out
}

// replaceValues builds the new list of replace without a filter.
func replaceValues(attr *schema.Attribute, path string, v any) ([]any, []int, error) {
	nv, err := schema.NormalizeValue(attr, path, v)
	if err != nil {
		return nil, nil, err
	}
	list, _ := nv.([]any)
	if len(list) == 0 {
		return nil, nil, nil
	}
	if id, fold := attr.IdentifiedByValue(); id {
		list = newByValue(nil, list, fold)
	}
	after := slices.Clone(list)
	written := make([]int, len(after))
	for i := range written {
		written[i] = i
	}
	return after, written, nil
}

// writeSubAll writes a sub-attribute of every element ("emails.type"), or
// of a new element when there is none.
func writeSubAll(attr *schema.Attribute, p filter.Path, k key, before []any, v any) ([]any, []int, error) {
	if attr.Type != schema.Complex {
		return nil, nil, schema.Errorf(schema.ScimInvalidPath, k.path(), "the attribute has no sub-attributes")
	}
	nv, err := schema.NormalizeValue(p.SubAttr, pathOf(k, p.Sub), v)
	if err != nil {
		return nil, nil, err
	}
	if len(before) == 0 {
		if nv == nil {
			return nil, nil, nil
		}
		return []any{map[string]any{p.Sub: nv}}, []int{0}, nil
	}
	after := make([]any, 0, len(before))
	var written []int
	for _, e := range before {
		m, ok := e.(map[string]any)
		if !ok {
			after = append(after, e)
			continue
		}
		orig := m
		m = maps.Clone(m)
		setOrDelete(m, p.Sub, nv)
		if nv == nil && attr.Hollow(m) {
			continue
		}
		if err := valueRewrite(attr, k, orig, m); err != nil {
			return nil, nil, err
		}
		written = append(written, len(after))
		after = append(after, m)
	}
	return after, written, nil
}

// valueRewrite refuses a write that changes the "value" of an existing
// element of an attribute whose elements are identified by it (Group
// members): that sub-attribute is immutable (RFC 7643 §2.2), and changing
// it would turn one member into another, or into a duplicate.
func valueRewrite(attr *schema.Attribute, k key, old, next map[string]any) error {
	if ok, _ := attr.IdentifiedByValue(); !ok {
		return nil
	}
	if ov, had := old["value"]; had && !schema.Identical(ov, next["value"]) {
		return schema.Errorf(schema.ScimMutability, pathOf(k, "value"),
			"the value of an existing element cannot change; remove the element and add the new one")
	}
	return nil
}

// writeFiltered writes the elements a value filter selects, or creates one
// from the filter when none matches.
func writeFiltered(attr *schema.Attribute, p filter.Path, k key, before []any, v any) ([]any, []int, error) {
	complex := attr.Type == schema.Complex
	var nv any
	var err error
	if p.Sub != "" {
		nv, err = schema.NormalizeValue(p.SubAttr, pathOf(k, p.Sub), v)
	} else {
		nv, err = normalizeOne(attr, k.path(), v)
	}
	if err != nil {
		return nil, nil, err
	}
	after := make([]any, 0, len(before)+1)
	var written []int
	matched := false
	for _, e := range before {
		if !filter.Match(p.Filter, elementObject(e)) {
			after = append(after, e)
			continue
		}
		matched = true
		switch {
		case nv == nil && p.Sub == "":
			continue // replacing an element with null removes it
		case !complex:
			written = append(written, len(after))
			after = append(after, nv)
			continue
		}
		m, ok := e.(map[string]any)
		if !ok {
			after = append(after, e)
			continue
		}
		orig := m
		m = maps.Clone(m)
		if p.Sub != "" {
			setOrDelete(m, p.Sub, nv)
			if nv == nil && attr.Hollow(m) {
				continue
			}
		} else {
			merge(attr, m, nv, v)
		}
		if err := valueRewrite(attr, k, orig, m); err != nil {
			return nil, nil, err
		}
		written = append(written, len(after))
		after = append(after, m)
	}
	if matched || nv == nil {
		return after, written, nil
	}
	if !complex {
		return append(after, nv), []int{len(after)}, nil
	}
	elem := make(map[string]any, 4)
	if !fromFilter(attr, k, p.Filter, elem) {
		return nil, nil, schema.Errorf(schema.ScimNoTarget, k.path(),
			"no value matches the filter, and the filter does not say which value to create (only \"eq\" comparisons joined by \"and\" do)")
	}
	if p.Sub != "" {
		elem[p.Sub] = nv
	} else {
		merge(attr, elem, nv, v)
	}
	return append(after, elem), []int{len(after)}, nil
}

// fromFilter sets in elem the sub-attributes a filter of "eq" comparisons
// joined by "and" requires, and reports whether the filter had that shape.
func fromFilter(attr *schema.Attribute, k key, e filter.Expr, elem map[string]any) bool {
	switch e := e.(type) {
	case *filter.And:
		return fromFilter(attr, k, e.Left, elem) && fromFilter(attr, k, e.Right, elem)
	case *filter.Compare:
		if e.Op != filter.Eq || e.Path.Sub != "" || e.Path.URN != "" {
			return false
		}
		sub := attr.Sub(e.Path.Name)
		if sub == nil || sub.Type == schema.Complex || sub.IsReadOnly() {
			return false
		}
		v, err := schema.NormalizeValue(sub, pathOf(k, sub.Name), e.Value)
		if err != nil || v == nil {
			return false
		}
		elem[sub.Name] = v
		return true
	}
	return false
}

// normalizeOne normalizes v as one value of the multi-valued attr.
func normalizeOne(attr *schema.Attribute, path string, v any) (any, error) {
	nv, err := schema.NormalizeValue(attr, path, v)
	if err != nil {
		return nil, err
	}
	list, _ := nv.([]any)
	switch len(list) {
	case 0:
		return nil, nil
	case 1:
		return list[0], nil
	}
	return nil, schema.Errorf(schema.ScimInvalidValue, path, "a value filter selects single values; the value must be one value, not %d", len(list))
}

// remove applies a remove operation.
func (a *applier) remove(path string, v any) error {
	if s, ext := a.rt.SchemaByURN(path); s != nil {
		if !ext {
			return schema.Errorf(schema.ScimInvalidPath, s.ID, "the core schema cannot be removed")
		}
		a.removeExtension(s.ID)
		return nil
	}
	p, err := a.parse(path)
	if err != nil {
		return err
	}
	k := key{p.URN, p.Name}
	if p.Attr.IsReadOnly() || (p.SubAttr != nil && p.SubAttr.IsReadOnly()) {
		return schema.Errorf(schema.ScimMutability, pathOf(k, p.Sub), "the attribute is readOnly")
	}
	switch {
	case p.Attr.MultiValued:
		return a.removeMulti(k, p, v)
	case p.Attr.Type == schema.Complex:
		cur, _ := a.get(k).(map[string]any)
		if cur == nil || (p.Filter != nil && !filter.Match(p.Filter, cur)) {
			return nil
		}
		if p.Sub == "" {
			a.set(k, nil)
			return nil
		}
		if _, ok := cur[p.Sub]; !ok {
			return nil
		}
		next := maps.Clone(cur)
		delete(next, p.Sub)
		a.set(k, emptyToNil(next))
		return nil
	}
	a.set(k, nil)
	return nil
}

func (a *applier) removeMulti(k key, p filter.Path, v any) error {
	attr := p.Attr
	if p.Sub == "" {
		if p.Filter == nil && isNull(v) {
			delete(a.pending, k)
			if a.trackMembers && k == a.members {
				for _, e := range a.list(k) {
					if s, ok := elementValue(e); ok {
						a.memberRemoved(s)
					}
				}
			}
			a.setList(k, nil, false)
			return nil
		}
		if p.Filter != nil {
			if s, ok := valueEq(attr, p.Filter); ok {
				a.queueRemoval(k, attr, s)
				return nil
			}
		} else {
			// A value list selects the values to remove (Entra).
			if l, ok := v.([]any); ok && len(l) == 0 {
				return nil
			}
			nv, err := schema.NormalizeValue(attr, k.path(), v)
			if err != nil {
				return err
			}
			sel, _ := nv.([]any)
			if valueSelectors(attr, sel) {
				for _, e := range sel {
					s, _ := elementValue(e)
					a.queueRemoval(k, attr, s)
				}
				return nil
			}
			a.flush(k)
			before := a.list(k)
			after := slices.DeleteFunc(slices.Clone(before), func(e any) bool {
				return slices.ContainsFunc(sel, func(s any) bool { return schema.Identical(s, e) })
			})
			a.commitRemoval(k, before, after)
			return nil
		}
	}
	a.flush(k)
	before := a.list(k)
	if len(before) == 0 {
		return nil
	}
	if p.Sub != "" && attr.Type != schema.Complex {
		return schema.Errorf(schema.ScimInvalidPath, k.path(), "the attribute has no sub-attributes")
	}
	after := make([]any, 0, len(before))
	for _, e := range before {
		if p.Filter != nil && !filter.Match(p.Filter, elementObject(e)) {
			after = append(after, e)
			continue
		}
		if p.Sub == "" {
			continue
		}
		m, ok := e.(map[string]any)
		if !ok {
			after = append(after, e)
			continue
		}
		if _, ok := m[p.Sub]; !ok {
			after = append(after, e)
			continue
		}
		m = maps.Clone(m)
		delete(m, p.Sub)
		if attr.Hollow(m) {
			continue
		}
		a.addFresh(k, m)
		after = append(after, m)
	}
	a.commitRemoval(k, before, after)
	return nil
}

// commitRemoval stores after, computed from before by a general removal.
func (a *applier) commitRemoval(k key, before, after []any) {
	if len(after) == len(before) && schema.Identical(after, before) {
		return
	}
	if a.trackMembers && k == a.members {
		a.memberDiff(before, after)
	}
	a.setList(k, after, true)
}

// valueEq recognises the filter `value eq "x"` on an attribute whose
// values are strings, which removals can batch.
func valueEq(attr *schema.Attribute, e filter.Expr) (string, bool) {
	c, ok := e.(*filter.Compare)
	if !ok || c.Op != filter.Eq || c.Path.URN != "" || c.Path.Sub != "" || !strings.EqualFold(c.Path.Name, "value") {
		return "", false
	}
	s, ok := c.Value.(string)
	if !ok || !stringValued(attr) {
		return "", false
	}
	return s, true
}

// stringValued reports whether attr's values (or their "value"
// sub-attribute) are plain strings compared as filter.Match compares
// strings.
func stringValued(attr *schema.Attribute) bool {
	if attr.Type == schema.Complex {
		sub := attr.Sub("value")
		return sub != nil && sub.Type == schema.String
	}
	return attr.Type == schema.String
}

// valueSelectors reports whether every element of sel selects by a string
// "value" alone.
func valueSelectors(attr *schema.Attribute, sel []any) bool {
	if !stringValued(attr) {
		return false
	}
	for _, e := range sel {
		if _, ok := elementValue(e); !ok {
			return false
		}
	}
	return true
}

// caseFold reports whether the values of attr (or their "value"
// sub-attribute) compare case-insensitively.
func caseFold(attr *schema.Attribute) bool {
	if attr.Type == schema.Complex {
		if sub := attr.Sub("value"); sub != nil {
			return !sub.CaseSensitive()
		}
	}
	return !attr.CaseSensitive()
}

func (a *applier) queueRemoval(k key, attr *schema.Attribute, s string) {
	if a.pending == nil {
		a.pending = make(map[key]*removal)
	}
	r := a.pending[k]
	if r == nil {
		r = &removal{attr: attr, fold: caseFold(attr), values: make(map[string]struct{})}
		a.pending[k] = r
	}
	if r.fold {
		s = schema.Fold(s)
	}
	r.values[s] = struct{}{}
	a.touch(k)
}

// flush carries out the pending removals of the attribute at k in one
// pass.
func (a *applier) flush(k key) {
	r := a.pending[k]
	if r == nil {
		return
	}
	delete(a.pending, k)
	l := a.list(k)
	first := slices.IndexFunc(l, r.matches)
	if first < 0 {
		return
	}
	var out []any
	if a.ownedList[k] {
		out = l[:first]
	} else {
		out = make([]any, first, len(l)-1)
		copy(out, l[:first])
	}
	track := a.trackMembers && k == a.members
	for _, e := range l[first:] {
		if r.matches(e) {
			if track {
				if s, ok := elementValue(e); ok {
					a.memberRemoved(s)
				}
			}
			continue
		}
		out = append(out, e)
	}
	if a.ownedList[k] {
		clear(l[len(out):])
	}
	// The removal belongs to the operations that queued it.
	at := a.touched[k]
	a.setList(k, out, true)
	a.touched[k] = at
}

// primary leaves at most one element of list with "primary": true: the
// last of the written elements that has it. list was allocated by Apply.
func (a *applier) primary(k key, attr *schema.Attribute, list []any, written []int) []any {
	for _, i := range written {
		a.addFresh(k, list[i])
	}
	if attr.Type != schema.Complex || attr.Sub("primary") == nil {
		return list
	}
	winner := -1
	for _, i := range written {
		if isPrimary(list[i]) {
			winner = i
		}
	}
	if winner < 0 {
		return list
	}
	for j, e := range list {
		if j != winner && isPrimary(e) {
			m := maps.Clone(e.(map[string]any))
			m["primary"] = false
			list[j] = m
			a.addFresh(k, m)
		}
	}
	return list
}

func isPrimary(e any) bool {
	m, ok := e.(map[string]any)
	if !ok {
		return false
	}
	b, _ := m["primary"].(bool)
	return b
}

// finish carries out what remains after the last operation and checks the
// result.
func (a *applier) finish(ops []Operation) (*Result, error) {
	for k := range a.pending {
		a.flush(k)
	}
	res := &Result{Attributes: a.cur}
	var changed []key
	for k := range a.touched {
		if !schema.Identical(a.origValue(k), a.get(k)) || a.secret(k) {
			changed = append(changed, k)
		}
	}
	slices.SortFunc(changed, func(x, y key) int { return strings.Compare(x.path(), y.path()) })
	for _, k := range changed {
		res.Changed = append(res.Changed, k.path())
	}
	if len(changed) > 0 {
		old := make(map[string]any, len(changed))
		next := make(map[string]any, len(changed))
		for _, k := range changed {
			top := k.name
			if k.urn != "" {
				top = k.urn
			}
			if v, ok := a.orig[top]; ok {
				old[top] = v
			}
			if v, ok := a.cur[top]; ok {
				next[top] = v
			}
		}
		if err := a.rt.CheckImmutable(old, next); err != nil {
			return nil, a.finalErr(ops, err)
		}
		if err := a.rt.Validate(a.validationView()); err != nil {
			return nil, a.finalErr(ops, err)
		}
	}
	res.MembersAdded = sortedKeys(a.added)
	res.MembersRemoved = sortedKeys(a.removed)
	return res, nil
}

// secret reports whether k is a write-only or never-returned attribute
// (password). A write to one always counts as a change, even of the same
// value, so that the answer (a new version or not) cannot tell a client
// whether it guessed the stored value.
func (a *applier) secret(k key) bool {
	r, ok := a.rt.Lookup(k.urn, k.name)
	return ok && (r.Attr.Mutability == schema.WriteOnly || r.Attr.Returned == schema.Never)
}

// validationView returns the data to validate: the result, with each list
// of more than one element reduced to the elements Apply wrote, or to its
// first element when Apply wrote none. The elements Apply did not write
// are those of attrs, which is valid canonical data, and one element of a
// list is enough to show that the attribute is present. This keeps
// validating a PATCH of a large group proportional to the change.
func (a *applier) validationView() map[string]any {
	view := make(map[string]any, len(a.cur))
	for name, v := range a.cur {
		if ext, ok := v.(map[string]any); ok && a.isExtensionKey(name) {
			ev := make(map[string]any, len(ext))
			for n, x := range ext {
				ev[n] = a.viewValue(key{name, n}, x)
			}
			view[name] = ev
			continue
		}
		view[name] = a.viewValue(key{name: name}, v)
	}
	return view
}

func (a *applier) isExtensionKey(name string) bool {
	for _, e := range a.rt.Extensions {
		if e.Schema.ID == name {
			return true
		}
	}
	return false
}

func (a *applier) viewValue(k key, v any) any {
	l, ok := v.([]any)
	if !ok || len(l) <= 1 {
		return v
	}
	if f := a.fresh[k]; len(f) > 0 {
		return f
	}
	return l[:1]
}

func (a *applier) addFresh(k key, e any) {
	if a.fresh == nil {
		a.fresh = make(map[key][]any)
	}
	a.fresh[k] = append(a.fresh[k], e)
}

// finalErr wraps an error found after all operations, attributing it to
// the last operation that touched the attribute it names.
func (a *applier) finalErr(ops []Operation, err error) error {
	i := len(ops) - 1
	var se *schema.Error
	if errors.As(err, &se) && se.Path != "" {
		u, rest := schema.SplitURN(se.Path, a.rt.URNs)
		name := rest
		if j := strings.IndexAny(name, ".["); j >= 0 {
			name = name[:j]
		}
		if r, ok := a.rt.Lookup(u, name); ok {
			if at, ok := a.touched[key{r.URN, r.Attr.Name}]; ok {
				i = at
			}
		}
	}
	if i < 0 {
		return &Error{Index: 0, Err: err}
	}
	return &Error{Index: i, Op: ops[i].Op, Path: ops[i].Path, Err: err}
}

func sortedKeys(m map[string]struct{}) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// Membership tracking. added and removed hold the net effect: a value is in
// added when it was not a member before and is now, in removed when it was
// and is not.

func (a *applier) memberAdded(s string) {
	if _, ok := a.removed[s]; ok {
		delete(a.removed, s)
		return
	}
	if a.added == nil {
		a.added = make(map[string]struct{})
	}
	a.added[s] = struct{}{}
}

func (a *applier) memberRemoved(s string) {
	if _, ok := a.added[s]; ok {
		delete(a.added, s)
		return
	}
	if a.removed == nil {
		a.removed = make(map[string]struct{})
	}
	a.removed[s] = struct{}{}
}

// memberDiff records the change of the member set from before to after.
func (a *applier) memberDiff(before, after []any) {
	was := make(map[string]struct{}, len(before))
	for _, e := range before {
		if s, ok := elementValue(e); ok {
			was[s] = struct{}{}
		}
	}
	is := make(map[string]struct{}, len(after))
	for _, e := range after {
		if s, ok := elementValue(e); ok {
			is[s] = struct{}{}
		}
	}
	for s := range was {
		if _, ok := is[s]; !ok {
			a.memberRemoved(s)
		}
	}
	for s := range is {
		if _, ok := was[s]; !ok {
			a.memberAdded(s)
		}
	}
}

// Copy-on-write access to the working data.

func (a *applier) container(urn string) map[string]any {
	if urn == "" {
		return a.cur
	}
	m, _ := a.cur[urn].(map[string]any)
	return m
}

func (a *applier) get(k key) any {
	c := a.container(k.urn)
	if c == nil {
		return nil
	}
	return c[k.name]
}

func (a *applier) origValue(k key) any {
	c := a.orig
	if k.urn != "" {
		c, _ = a.orig[k.urn].(map[string]any)
	}
	if c == nil {
		return nil
	}
	return c[k.name]
}

func (a *applier) list(k key) []any {
	l, _ := a.get(k).([]any)
	return l
}

func (a *applier) touch(k key) {
	if a.touched == nil {
		a.touched = make(map[key]int)
	}
	a.touched[k] = a.index
}

// set stores v (nil removes) at k, copying the extension object on first
// write.
func (a *applier) set(k key, v any) {
	a.touch(k)
	if k.urn == "" {
		setOrDelete(a.cur, k.name, v)
		return
	}
	c := a.container(k.urn)
	if c == nil || !a.ownedExt[k.urn] {
		if c == nil && v == nil {
			return
		}
		next := make(map[string]any, len(c)+1)
		maps.Copy(next, c)
		c = next
		a.cur[k.urn] = c
		if a.ownedExt == nil {
			a.ownedExt = make(map[string]bool)
		}
		a.ownedExt[k.urn] = true
	}
	setOrDelete(c, k.name, v)
	if len(c) == 0 {
		delete(a.cur, k.urn)
		delete(a.ownedExt, k.urn)
	}
}

// setList stores the list l at k; owned says Apply allocated it and may
// change it in place.
func (a *applier) setList(k key, l []any, owned bool) {
	if a.ownedList == nil {
		a.ownedList = make(map[key]bool)
	}
	if len(l) == 0 {
		a.set(k, nil)
		delete(a.ownedList, k)
		return
	}
	a.set(k, l)
	a.ownedList[k] = owned
}

// Helpers on canonical values.

func setOrDelete(m map[string]any, name string, v any) {
	if v == nil {
		delete(m, name)
		return
	}
	m[name] = v
}

func emptyToNil(m map[string]any) any {
	if len(m) == 0 {
		return nil
	}
	return m
}

// isNull reports whether a value as sent means "no value".
func isNull(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	}
	return false
}

// elementValue returns the string "value" of an element of a multi-valued
// attribute, or the element itself when it is a string.
func elementValue(e any) (string, bool) {
	switch e := e.(type) {
	case map[string]any:
		s, ok := e["value"].(string)
		return s, ok
	case string:
		return e, true
	}
	return "", false
}

// elementObject returns an element as the object a value filter is
// evaluated against: itself when complex, {"value": e} otherwise.
func elementObject(e any) map[string]any {
	if m, ok := e.(map[string]any); ok {
		return m
	}
	return map[string]any{"value": e}
}
