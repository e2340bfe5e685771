package patch

import (
	"maps"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

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
