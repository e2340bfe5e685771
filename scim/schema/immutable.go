package schema

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
