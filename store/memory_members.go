package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/scimkit/scimkit/scim/schema"
)

// memberSet holds the elements of one multi-valued attribute of a record
// (its members) so that adding, finding and removing an element by its
// "value" takes constant time: the elements in order, with nil where one
// was removed, and the index of each value. The removed entries are
// dropped once they outnumber the others.
type memberSet struct {
	attr  string
	elems []any          // map[string]any elements in order; nil: removed
	pos   map[string]int // value -> index in elems
}

// compactMin is the fewest removed entries a member set compacts.
const compactMin = 32

// newMemberSet returns the set of the elements of list, which must be
// objects with distinct, non-empty string values; it returns false if they
// are not, and such lists stay as they are.
func newMemberSet(attr string, list []any) (*memberSet, bool) {
	s := &memberSet{attr: attr, elems: make([]any, 0, len(list)), pos: make(map[string]int, len(list))}
	for _, el := range list {
		v, ok := elementValue(el)
		if !ok {
			return nil, false
		}
		if _, dup := s.pos[v]; dup {
			return nil, false
		}
		s.pos[v] = len(s.elems)
		s.elems = append(s.elems, el)
	}
	return s, true
}

// elementValue returns the "value" of a member element, if it is an object
// with a non-empty string value.
func elementValue(el any) (string, bool) {
	mm, ok := el.(map[string]any)
	if !ok {
		return "", false
	}
	v, ok := mm["value"].(string)
	return v, ok && v != ""
}

func (s *memberSet) len() int { return len(s.pos) }

// get returns the element with value v, or nil.
func (s *memberSet) get(v string) any {
	if i, ok := s.pos[v]; ok {
		return s.elems[i]
	}
	return nil
}

// add appends el, whose value v is not in the set.
func (s *memberSet) add(v string, el map[string]any) {
	s.pos[v] = len(s.elems)
	s.elems = append(s.elems, el)
}

// remove removes the element with value v, if any.
func (s *memberSet) remove(v string) {
	i, ok := s.pos[v]
	if !ok {
		return
	}
	delete(s.pos, v)
	s.elems[i] = nil
	if dead := len(s.elems) - len(s.pos); dead >= compactMin && dead > len(s.pos) {
		live := make([]any, 0, 2*len(s.pos))
		for _, el := range s.elems {
			if el != nil {
				v, _ := elementValue(el)
				s.pos[v] = len(live)
				live = append(live, el)
			}
		}
		s.elems = live
	}
}

// reset makes the set hold list, whose values are distinct.
func (s *memberSet) reset(list []map[string]any) {
	s.elems = make([]any, len(list))
	s.pos = make(map[string]int, len(list))
	for i, el := range list {
		v, _ := elementValue(el)
		s.pos[v] = i
		s.elems[i] = el
	}
}

// list returns the elements in order, in a new slice.
func (s *memberSet) list() []any {
	out := make([]any, 0, len(s.pos))
	for _, el := range s.elems {
		if el != nil {
			out = append(out, el)
		}
	}
	return out
}

// toSet makes rec hold the elements of attr in a member set, if they are
// absent or a list that newMemberSet accepts, and reports whether it does.
// Nothing visible changes: the current view stays valid. Memory.mu must be
// held for writing.
func (rec *record) toSet(attr string) bool {
	if rec.set != nil && rec.set.attr == attr {
		return true
	}
	if rec.set != nil {
		// Another attribute is in a set: return to a whole resource first.
		rec.base = rec.current().res
		rec.set = nil
	}
	var list []any
	if raw, present := rec.base.Attributes[attr]; present {
		l, ok := raw.([]any)
		if !ok {
			return false
		}
		list = l
	}
	s, ok := newMemberSet(attr, list)
	if !ok {
		return false
	}
	attrs := make(map[string]any, len(rec.base.Attributes))
	for k, v := range rec.base.Attributes {
		if k != attr {
			attrs[k] = v
		}
	}
	old := rec.base
	rec.base = &Resource{Type: old.Type, ID: old.ID, Attributes: attrs, Meta: old.Meta}
	rec.set = s
	return true
}

// PatchMembers applies d to the resource typ/id atomically, in time that
// does not depend on the number of its members (amortized; a RemoveAll
// costs the members removed and added). It implements [MemberPatcher].
//
// Removals are applied before additions. A removal of a value that is
// added back with an equal element, and an addition of a value already
// present, change nothing; with RemoveAll, a new list holding the same
// elements as before (in any order) changes nothing. Added and Removed
// list the values really added and removed; a value whose element is
// replaced by a different one is in both. Changed lists, sorted, the
// attributes of d.Set whose value really changed (compared with
// schema.Identical); a nil value in d.Set removes the attribute. Values
// taken by a unique attribute give a [*ConflictError] and change nothing.
//
// When something changed the resource gets a new version and
// lastModified, and the result's Resource is nil: the resource with its
// members is built when Get or List first asks for it. When nothing
// changed the version is kept and Resource is the stored resource if it
// is at hand.
//
// The elements of d.Add are stored as they are, not copied, and must not
// be modified afterwards (as for a Resource). It returns an error wrapping
// ErrNotFound or ErrVersionMismatch as Replace does, one wrapping
// errors.ErrUnsupported when d.Set names d.Attribute, d.Attribute is an
// indexed single-valued attribute, or the stored elements of d.Attribute
// are not objects with distinct string values (the handler then falls back
// to Replace), and a plain error when d.Attribute is empty or an element
// of d.Add has no "value" string.
func (m *Memory) PatchMembers(ctx context.Context, typ, id string, d MemberDelta, ifVersion string) (*MemberResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if d.Attribute == "" {
		return nil, errors.New("store: MemberDelta.Attribute is empty")
	}
	if _, ok := d.Set[d.Attribute]; ok {
		return nil, fmt.Errorf("store: MemberDelta.Set names the member attribute %q: %w", d.Attribute, errors.ErrUnsupported)
	}
	for i, el := range d.Add {
		if _, ok := elementValue(el); !ok {
			return nil, fmt.Errorf("store: MemberDelta.Add[%d] of %q has no non-empty \"value\" string", i, d.Attribute)
		}
	}
	tenant := m.tenantOf(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, err := m.lookup(tenant, typ, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(rec, ifVersion); err != nil {
		return nil, err
	}
	sp := m.spaces[tenant]
	t := sp.tables[typ]
	if t.rules.indexes(d.Attribute) {
		return nil, fmt.Errorf("store: %q of %s is an indexed attribute, not a member list: %w", d.Attribute, typ, errors.ErrUnsupported)
	}
	if !rec.toSet(d.Attribute) {
		return nil, fmt.Errorf("store: %q of %s %q is not a list of objects with distinct values: %w", d.Attribute, typ, id, errors.ErrUnsupported)
	}
	if typ == groupType && d.Attribute == membersAttr {
		// Adds of a value the group lists are ignored (so not checked);
		// after RemoveAll, as in Replace, members listed with the same
		// value and type are not checked again.
		for _, el := range d.Add {
			v := el["value"].(string)
			have := rec.set.get(v)
			replaced := d.RemoveAll || slices.Contains(d.Remove, v)
			if have != nil && (!replaced || sameMember(have, el)) {
				continue
			}
			if err := sp.checkMember(el, id); err != nil {
				return nil, err
			}
		}
	}

	attrs := rec.base.Attributes
	var changed []string
	for k, v := range d.Set {
		old, had := attrs[k]
		if v == nil && had || v != nil && (!had || !schema.Identical(old, v)) {
			changed = append(changed, k)
		}
	}
	if len(changed) > 0 {
		slices.Sort(changed)
		next := make(map[string]any, len(attrs)+len(changed))
		for k, v := range attrs {
			next[k] = v
		}
		for _, k := range changed {
			if v := d.Set[k]; v == nil {
				delete(next, k)
			} else {
				next[k] = v
			}
		}
		if err := t.checkUnique(next, rec); err != nil {
			return nil, err
		}
		attrs = next
	}

	out := &MemberResult{Changed: changed}
	track := typ == groupType && d.Attribute == membersAttr
	s := rec.set
	if d.RemoveAll {
		out.Removed, out.Added = replaceMembers(sp, track, id, s, d.Add)
	} else {
		var addBy map[string]map[string]any // first element of each added value
		for _, v := range d.Remove {
			old := s.get(v)
			if old == nil {
				continue
			}
			if len(d.Add) > 0 {
				if addBy == nil {
					addBy = make(map[string]map[string]any, len(d.Add))
					for _, el := range d.Add {
						v, _ := elementValue(el)
						if _, seen := addBy[v]; !seen {
							addBy[v] = el
						}
					}
				}
				if el, ok := addBy[v]; ok && schema.Identical(old, el) {
					continue // removed and added back as it was
				}
			}
			s.remove(v)
			out.Removed = append(out.Removed, v)
			if track {
				sp.unlinkOne(id, old)
			}
		}
		for _, el := range d.Add {
			v, _ := elementValue(el)
			if s.get(v) != nil {
				continue
			}
			s.add(v, el)
			out.Added = append(out.Added, v)
			if track {
				sp.linkOne(id, el)
			}
		}
	}

	old := rec.base
	if len(changed) == 0 && len(out.Added) == 0 && len(out.Removed) == 0 {
		out.Version = old.Meta.Version
		if v := rec.view.Load(); v != nil {
			out.Resource = v.res
		}
		return out, nil
	}
	next := &Resource{Type: old.Type, ID: old.ID, Attributes: attrs,
		Meta: Meta{Created: old.Meta.Created, LastModified: m.now().UTC(), Version: m.spaces[tenant].nextVersion()}}
	if len(changed) > 0 {
		t.unindex(rec)
		rec.base = next
		t.index(rec)
	} else {
		rec.base = next
	}
	rec.view.Store(nil)
	out.Version = next.Meta.Version
	if m.feed {
		if c, ok := out.Change(typ, id, d); ok {
			m.record(tenant, m.spaces[tenant], c, next.Meta.LastModified)
		}
	}
	return out, nil
}

// replaceMembers makes s hold the elements of add (the first of each
// value) unless it holds the same elements already, and returns the values
// removed and added. With track set it keeps the reverse member index of
// the group gid up to date.
func replaceMembers(sp *space, track bool, gid string, s *memberSet, add []map[string]any) (removed, added []string) {
	newPos := make(map[string]int, len(add))
	list := make([]map[string]any, 0, len(add))
	for _, el := range add {
		v, _ := elementValue(el)
		if _, dup := newPos[v]; !dup {
			newPos[v] = len(list)
			list = append(list, el)
		}
	}
	same := len(list) == s.len()
	for i := 0; same && i < len(list); i++ {
		v, _ := elementValue(list[i])
		old := s.get(v)
		same = old != nil && schema.Identical(old, list[i])
	}
	if same {
		return nil, nil
	}
	for _, old := range s.elems {
		if old == nil {
			continue
		}
		v, _ := elementValue(old)
		if i, ok := newPos[v]; !ok || !schema.Identical(old, list[i]) {
			removed = append(removed, v)
		}
		if track {
			sp.unlinkOne(gid, old)
		}
	}
	for _, el := range list {
		v, _ := elementValue(el)
		if old := s.get(v); old == nil || !schema.Identical(old, el) {
			added = append(added, v)
		}
	}
	s.reset(list)
	if track {
		for _, el := range list {
			sp.linkOne(gid, el)
		}
	}
	return removed, added
}
