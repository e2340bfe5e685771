package scim

import (
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// membersAttr is the multi-valued attribute whose changes can reach a
// store.MemberPatcher as deltas.
const membersAttr = "members"

// deltaBuilder folds PATCH operations, in order, into a store.MemberDelta.
type deltaBuilder struct {
	removeAll bool
	remove    map[string]bool
	removeSeq []string
	add       map[string]map[string]any
	addSeq    []string
	set       map[string]any
}

func (d *deltaBuilder) addMember(m map[string]any) {
	v := m["value"].(string)
	if d.add == nil {
		d.add = map[string]map[string]any{}
	}
	if _, ok := d.add[v]; ok {
		return // the first element of a value wins, as in patch.Apply
	}
	d.addSeq = append(d.addSeq, v)
	d.add[v] = m
}

func (d *deltaBuilder) removeMember(v string) {
	delete(d.add, v) // added earlier in this PATCH: no longer
	if d.remove == nil {
		d.remove = map[string]bool{}
	}
	if !d.remove[v] {
		d.remove[v] = true
		d.removeSeq = append(d.removeSeq, v)
	}
}

func (d *deltaBuilder) clear() {
	d.removeAll = true
	d.add, d.addSeq, d.remove, d.removeSeq = nil, nil, nil, nil
}

func (d *deltaBuilder) result() store.MemberDelta {
	out := store.MemberDelta{Attribute: membersAttr, RemoveAll: d.removeAll, Remove: d.removeSeq, Set: d.set}
	for _, v := range d.addSeq {
		if m, ok := d.add[v]; ok {
			out.Add = append(out.Add, m)
		}
	}
	return out
}

// memberDeltaOf returns the PATCH as a store.MemberDelta when it consists
// only of member additions and removals by value and writes of simple
// single-valued core attributes, which is what Okta's and Entra ID's group
// pushes send. Anything else (and anything invalid, so that the full path
// reports the error) gives ok=false.
func memberDeltaOf(rt *resourceType, id string, ops []patch.Operation) (d store.MemberDelta, ok bool) {
	members := rt.Schema.Attr(membersAttr)
	if members == nil || !members.MultiValued || members.Sub("value") == nil {
		return d, false
	}
	var b deltaBuilder
	var eqs []string // reused by each value path's values
	for _, op := range ops {
		if op.Path == "" {
			obj, isObj := op.Value.(map[string]any)
			if op.Op == "remove" || !isObj {
				return d, false
			}
			seen := make(map[string]bool, len(obj))
			for k := range obj {
				lk := strings.ToLower(k)
				if seen[lk] {
					return d, false // one attribute spelled twice: the general path decides
				}
				seen[lk] = true
			}
			for k, v := range obj {
				if strings.EqualFold(k, "id") {
					if s, _ := v.(string); s != id {
						return d, false
					}
					continue
				}
				if !b.setSimple(rt, k, v) {
					return d, false
				}
			}
			continue
		}
		p, err := rt.parser.ParsePath(op.Path)
		if err != nil || p.URN != "" {
			return d, false
		}
		if p.Name != membersAttr {
			if p.Filter != nil || p.Sub != "" {
				return d, false
			}
			var v any
			if op.Op != "remove" {
				v = op.Value
				if v == nil {
					return d, false
				}
			}
			if !b.setSimple(rt, p.Name, v) {
				return d, false
			}
			continue
		}
		if p.Sub != "" {
			return d, false
		}
		if p.Filter != nil {
			vs, isEq := valueEqs(p.Filter, eqs[:0])
			eqs = vs
			if op.Op != "remove" || !isEq {
				return d, false
			}
			for _, v := range vs {
				b.removeMember(v)
			}
			continue
		}
		switch op.Op {
		case "remove":
			if op.Value == nil {
				b.clear()
				continue
			}
			list, okList := memberList(members, op.Value)
			if !okList {
				return d, false
			}
			for _, m := range list {
				b.removeMember(m["value"].(string))
			}
		case "add", "replace":
			list, okList := memberList(members, op.Value)
			if !okList {
				return d, false
			}
			if op.Op == "replace" {
				b.clear()
			}
			for _, m := range list {
				b.addMember(m)
			}
		default:
			return d, false
		}
	}
	return b.result(), true
}

// setSimple records a write of a top-level single-valued simple core
// attribute; v nil removes it. It refuses what the full path must judge:
// unknown, complex, multi-valued, read-only, immutable or required-removed
// attributes, and values that do not normalize.
func (d *deltaBuilder) setSimple(rt *resourceType, name string, v any) bool {
	a := rt.Schema.Attr(name)
	if a == nil || a.Type == schema.Complex || a.MultiValued || a.Name == membersAttr ||
		a.Mutability == schema.ReadOnly || a.Mutability == schema.Immutable || a.Mutability == schema.WriteOnly {
		return false
	}
	if v != nil {
		nv, err := schema.NormalizeValue(a, a.Name, v)
		if err != nil {
			return false
		}
		v = nv
	}
	if _, isList := v.([]any); isList {
		return false
	}
	if v == nil && a.Required {
		return false
	}
	if d.set == nil {
		d.set = map[string]any{}
	}
	d.set[a.Name] = v
	return true
}

// memberList normalizes a members value (one member or a list; objects or
// bare ids) and requires a string "value" in each.
func memberList(members *schema.Attribute, v any) ([]map[string]any, bool) {
	nv, err := schema.NormalizeValue(members, members.Name, v)
	if err != nil {
		return nil, false
	}
	list, _ := nv.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, false
		}
		if s, ok := m["value"].(string); !ok || s == "" {
			return nil, false
		}
		out = append(out, m)
	}
	return out, true
}

// valueEqs recognises the filter of a members[...] path that names members
// by value: `value eq "x"`, or such terms joined by or (members.value is
// caseExact, so each term selects exactly the member of that value). It
// appends the values to out. Removing members named this way then costs
// one member-index lookup per value rather than a pass over the group per
// operation.
func valueEqs(e filter.Expr, out []string) ([]string, bool) {
	switch e := e.(type) {
	case *filter.Or:
		out, ok := valueEqs(e.Left, out)
		if !ok {
			return nil, false
		}
		return valueEqs(e.Right, out)
	case *filter.Compare:
		if e.Op != filter.Eq || e.Path.Name != "value" || e.Path.Sub != "" {
			return nil, false
		}
		s, ok := e.Value.(string)
		if !ok {
			return nil, false
		}
		return append(out, s), true
	}
	return nil, false
}
