package sqlstore

import (
	"github.com/scimkit/scimkit/scim/schema"
)

// The stored keys: what case-insensitive comparisons in SQL compare
// against, computed in Go with schema.Fold when a resource is written, so
// that both dialects compare Fold(value) with Fold(literal) byte for byte
// (COLLATE "C" in PostgreSQL), whatever the database's locale: name_key
// and display_key (see typeInfo), scim_unique.key, and attrs_key, a copy
// of attrs in which every string of an attribute that folds is folded.

// folds reports whether the store keeps the strings of a folded in
// attrs_key: a is a string attribute that is not CaseSensitive.
func folds(a *schema.Attribute) bool {
	return a != nil && a.Type == schema.String && !a.CaseSensitive()
}

// keyDoc returns the attrs_key document of attrs, canonical data of rt:
// attrs with every string value of an attribute that folds replaced by its
// schema.Fold. Attributes rt does not define are copied as they are. It
// shares unchanged values with attrs.
func keyDoc(rt *schema.ResourceType, attrs map[string]any) map[string]any {
	if rt == nil {
		return attrs
	}
	out := make(map[string]any, len(attrs))
	for k, v := range attrs {
		if s, ext := rt.SchemaByURN(k); s != nil && ext && s.ID == k {
			m, ok := v.(map[string]any)
			if !ok {
				out[k] = v
				continue
			}
			o := make(map[string]any, len(m))
			for kk, vv := range m {
				o[kk] = keyValue(attrNamed(s.Attributes, kk), vv)
			}
			out[k] = o
			continue
		}
		a := attrNamed(rt.Schema.Attributes, k)
		if a == nil {
			a = schema.Common(k)
		}
		out[k] = keyValue(a, v)
	}
	return out
}

// keyValue returns v, a value of a (nil if unknown), with the strings of
// the attributes that fold folded.
func keyValue(a *schema.Attribute, v any) any {
	if a == nil {
		return v
	}
	switch x := v.(type) {
	case string:
		if folds(a) {
			return schema.Fold(x)
		}
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = keyValue(a, el)
		}
		return out
	case map[string]any:
		if a.Type != schema.Complex {
			return v
		}
		out := make(map[string]any, len(x))
		for k, sv := range x {
			out[k] = keyValue(attrNamed(a.SubAttributes, k), sv)
		}
		return out
	}
	return v
}

// attrNamed returns the attribute of attrs whose canonical name is name.
func attrNamed(attrs []*schema.Attribute, name string) *schema.Attribute {
	for _, a := range attrs {
		if a != nil && a.Name == name {
			return a
		}
	}
	return nil
}

// storedAttr returns the definition the store folded the JSON value at
// keys (below the row's attributes) by, or nil when its resource type does
// not define it.
func (ti *typeInfo) storedAttr(keys []string) *schema.Attribute {
	rt := ti.rt
	if rt == nil || len(keys) == 0 {
		return nil
	}
	var a *schema.Attribute
	rest := keys[1:]
	if s, ext := rt.SchemaByURN(keys[0]); s != nil && ext && s.ID == keys[0] {
		if len(rest) == 0 {
			return nil
		}
		a, rest = attrNamed(s.Attributes, rest[0]), rest[1:]
	} else if a = attrNamed(rt.Schema.Attributes, keys[0]); a == nil {
		a = schema.Common(keys[0])
	}
	for _, k := range rest {
		if a == nil {
			return nil
		}
		a = attrNamed(a.SubAttributes, k)
	}
	return a
}

// keyRule reports whether strings of leaf, the attribute a filter or sort
// was bound to, read from attrs_key at keys compare as the filter means:
// folded exactly when leaf is not CaseSensitive. A store configured with
// other resource types than the handler (an extension it does not know)
// did not fold as leaf says; such comparisons stay with filter.Match.
func (ti *typeInfo) keyRule(keys []string, leaf *schema.Attribute) bool {
	return folds(ti.storedAttr(keys)) == !leaf.CaseSensitive()
}
