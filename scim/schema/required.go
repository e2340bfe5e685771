package schema

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
