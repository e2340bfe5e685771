package sqlstore

import (
	"github.com/scimkit/scimkit/scim/schema"
)

// The stored keys: what case-insensitive comparisons in SQL compare
// against, computed in Go with schema.Fold when a resource is written, so
// that both dialects compare Fold(value) with Fold(literal) byte for byte
// (COLLATE "C" in PostgreSQL), whatever the database's locale: name_key
// and display_key (see typeInfo), scim_unique.key, and attrs_key, which
// holds the top-level attributes whose folded value differs (see keyDoc).

// folds reports whether the store keeps the strings of a folded in
// attrs_key: a is a string attribute that is not CaseSensitive.
func folds(a *schema.Attribute) bool {
	return a != nil && a.Type == schema.String && !a.CaseSensitive()
}

// keyDoc returns the attrs_key document of attrs, canonical data of rt:
// each top-level attribute (and extension object) with a string of an
// attribute that folds whose schema.Fold differs from it, with every such
// string folded; nil when there is none, which is stored as NULL. Filters
// and sorts read a top-level attribute from attrs_key when it is there and
// from attrs when it is not (dialect.rowDoc), so they always read the
// folded value, and a row stores the second document only for what
// folding changes: for Okta's usual user, name, displayName and locale.
// Documents written before keyDoc left out what folding keeps (every
// attribute, folded or not) read the same way. It shares unchanged values
// with attrs.
func keyDoc(rt *schema.ResourceType, attrs map[string]any) map[string]any {
	if rt == nil {
		return nil
	}
	var out map[string]any
	for k, v := range attrs {
		var (
			kv      any
			changed bool
		)
		if s, ext := rt.SchemaByURN(k); s != nil && ext && s.ID == k {
			if m, ok := v.(map[string]any); ok {
				kv, changed = keyObject(s.Attributes, m)
			}
		} else {
			a := attrNamed(rt.Schema.Attributes, k)
			if a == nil {
				a = schema.Common(k)
			}
			kv, changed = keyValue(a, v)
		}
		if changed {
			if out == nil {
				out = make(map[string]any, len(attrs))
			}
			out[k] = kv
		}
	}
	return out
}

// keyValue returns v, a value of a (nil if unknown), with the strings of
// the attributes that fold folded, and whether that changed anything; an
// unchanged v is returned as it is, not copied.
func keyValue(a *schema.Attribute, v any) (any, bool) {
	if a == nil {
		return v, false
	}
	switch x := v.(type) {
	case string:
		if folds(a) {
			if f := schema.Fold(x); f != x {
				return f, true
			}
		}
	case []any:
		var out []any
		for i, el := range x {
			kv, changed := keyValue(a, el)
			if changed && out == nil {
				out = make([]any, len(x))
				copy(out, x[:i])
			}
			if out != nil {
				out[i] = kv
			}
		}
		if out != nil {
			return out, true
		}
	case map[string]any:
		if a.Type == schema.Complex {
			return keyObject(a.SubAttributes, x)
		}
	}
	return v, false
}

// keyObject is keyValue of an object whose members attrs define.
func keyObject(attrs []*schema.Attribute, m map[string]any) (any, bool) {
	var out map[string]any
	for k, v := range m {
		kv, changed := keyValue(attrNamed(attrs, k), v)
		if !changed {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(m))
			for kk, vv := range m {
				out[kk] = vv
			}
		}
		out[k] = kv
	}
	if out == nil {
		return m, false
	}
	return out, true
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
