package schema

import "encoding/json"

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
