package patch

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

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
			a.ignored = append(a.ignored, path)
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
		var fresh func(map[string]any) bool
		if attr.Grant != schema.NoGrant && strings.EqualFold(p.Sub, "value") {
			fresh = a.freshSet(k)
		}
		after, written, err = writeFiltered(attr, p, k, before, v, fresh)
	}
	if err != nil {
		return err
	}
	if a.trackMembers && k == a.members {
		a.memberDiff(before, after)
	}
	after, written = mergeKeyed(attr, after, written)
	a.setList(k, a.primary(k, attr, after, written), true)
	return nil
}

// mergeKeyed folds, in a list of an attribute keyed by a value that may
// change (roles, see schema.Attribute.KeyedByValue), each element whose
// identity an earlier element has into that earlier one: the sub-attributes
// of the one written by this operation win, and the merged element keeps
// the earlier place. Entra's `replace roles[primary eq "True"].value` on a
// role the user holds already makes that role primary rather than a second
// element. written (indexes of list) is mapped to the result's indexes.
// list is owned by the caller; the elements are not modified.
func mergeKeyed(attr *schema.Attribute, list []any, written []int) ([]any, []int) {
	if len(written) == 0 || len(list) < 2 {
		return list, written
	}
	if ok, _ := attr.KeyedByValue(); !ok {
		return list, written
	}
	if ok, _ := attr.IdentifiedByValue(); ok {
		return list, written // values never change, and add skips those present
	}
	isWritten := make(map[int]bool, len(written))
	for _, i := range written {
		isWritten[i] = true
	}
	first := make(map[string]int, len(list))
	out := make([]any, 0, len(list))
	var outWritten []int
	for i, e := range list {
		m, _ := e.(map[string]any)
		k, ok := attr.ElementKey(m)
		j, dup := first[k]
		if !ok || !dup {
			if ok {
				first[k] = len(out)
			}
			if isWritten[i] {
				outWritten = append(outWritten, len(out))
			}
			out = append(out, e)
			continue
		}
		kept := out[j].(map[string]any)
		base, win := m, kept
		if isWritten[i] {
			base, win = kept, m
			if !slices.Contains(outWritten, j) {
				outWritten = append(outWritten, j)
			}
		}
		merged := maps.Clone(base)
		for name, x := range win {
			merged[name] = x
		}
		out[j] = merged
	}
	sort.Ints(outWritten)
	return out, outWritten
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
	if id, fold := attr.KeyedByValue(); id {
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
	if id, fold := attr.KeyedByValue(); id {
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

// staleDisplay drops from next, a role or entitlement (see
// schema.Attribute.Grant) whose "value" a write changed, the "display" it
// had as old: it named the old value. Entra's `replace roles[primary eq
// "True"].value` changes the user's single role that way; the handler then
// fills in the new role's display name from the app's catalog. The caller
// leaves alone an element an earlier operation of the same PATCH wrote, so
// that a display written just before the value (the SCIM Validator sends
// display, value and type in turn) stays.
func staleDisplay(old, next map[string]any) {
	ov, had := old["value"].(string)
	if nv, _ := next["value"].(string); !had || ov == nv {
		return
	}
	if d, ok := old["display"]; ok && schema.Identical(d, next["display"]) {
		delete(next, "display")
	}
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
//
// fresh reports whether an element was written by an earlier operation of
// the same PATCH (see staleDisplay); it is set when p writes the value of a
// role or entitlement.
func writeFiltered(attr *schema.Attribute, p filter.Path, k key, before []any, v any, fresh func(map[string]any) bool) ([]any, []int, error) {
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
			if fresh != nil && !fresh(orig) {
				staleDisplay(orig, m)
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
