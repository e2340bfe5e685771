package sqlstore

import (
	"slices"
	"unicode/utf8"

	"github.com/scimkit/scimkit/scim/schema"
)

// The stored keys: what case-insensitive comparisons in SQL compare
// against, computed in Go with schema.Fold when a resource is written, so
// that both dialects compare Fold(value) with Fold(literal) byte for byte
// (COLLATE "C" in PostgreSQL), whatever the database's locale: name_key
// and display_key (see typeInfo), scim_unique.key, and attrs_key, which
// holds the top-level attributes whose folded value differs (see
// appendKeyDoc).

// folds reports whether the store keeps the strings of a folded in
// attrs_key: a is a string attribute that is not CaseSensitive.
func folds(a *schema.Attribute) bool {
	return a != nil && a.Type == schema.String && !a.CaseSensitive()
}

// appendKeyDoc appends the attrs_key document of attrs, canonical data of
// rt, to b as JSON, and reports whether it holds anything: each top-level
// attribute (and extension object) with a string of an attribute that
// folds whose schema.Fold differs from it, with every such string folded,
// and object members in the order schema.AppendJSON writes them. When
// there is none it appends nothing and reports false, and the row stores
// NULL. Filters and sorts read a top-level attribute from attrs_key when
// it is there and from attrs when it is not (dialect.rowDoc), so they
// always read the folded value, and a row stores the second document only
// for what folding changes: for Okta's usual user, name, displayName and
// locale. Documents written before attrs_key left out what folding keeps
// (every attribute, folded or not) read the same way. The document is
// written straight from attrs, with no copy of the attributes it folds.
func appendKeyDoc(b []byte, rt *schema.ResourceType, attrs map[string]any) ([]byte, bool, error) {
	if rt == nil {
		return b, false, nil
	}
	var buf [16]string
	keys := buf[:0]
	for k, v := range attrs {
		if a, ext := topAttr(rt, k); a != nil && keyChanges(a, v) || ext != nil && objectChanges(ext, v) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return b, false, nil
	}
	b, err := appendObject(b, keys, func(b []byte, k string) ([]byte, error) {
		if a, ext := topAttr(rt, k); ext == nil {
			return appendKeyValue(b, a, attrs[k])
		} else {
			return appendKeyObject(b, ext, attrs[k].(map[string]any))
		}
	})
	return b, err == nil, err
}

// appendObject appends a JSON object of the members keys, in the order
// schema.AppendJSON writes members (it sorts keys in place), each value
// written by value.
func appendObject(b []byte, keys []string, value func(b []byte, k string) ([]byte, error)) ([]byte, error) {
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = schema.AppendJSONString(b, k)
		b = append(b, ':')
		var err error
		if b, err = value(b, k); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// topAttr returns the definition of the top-level member k of a resource
// of rt: an attribute of its schema or a common one, or, when k is the
// URN of one of its extensions, the extension's attributes.
func topAttr(rt *schema.ResourceType, k string) (*schema.Attribute, []*schema.Attribute) {
	if s, ext := rt.SchemaByURN(k); s != nil && ext && s.ID == k {
		return nil, s.Attributes
	}
	if a := attrNamed(rt.Schema.Attributes, k); a != nil {
		return a, nil
	}
	return schema.Common(k), nil
}

// keyChanges reports whether folding changes a string in v, a value of a
// (nil if unknown): a string of an attribute that folds, an element of a
// multi-valued one, or a sub-attribute of a complex one. It does not
// allocate.
func keyChanges(a *schema.Attribute, v any) bool {
	if a == nil {
		return false
	}
	switch x := v.(type) {
	case string:
		return folds(a) && !folded(x)
	case []any:
		for _, el := range x {
			if keyChanges(a, el) {
				return true
			}
		}
	case map[string]any:
		return a.Type == schema.Complex && objectChanges(a.SubAttributes, x)
	}
	return false
}

// objectChanges is keyChanges of v, an object whose members attrs
// define: false for any other value.
func objectChanges(attrs []*schema.Attribute, v any) bool {
	m, _ := v.(map[string]any)
	for k, sv := range m {
		if keyChanges(attrNamed(attrs, k), sv) {
			return true
		}
	}
	return false
}

// folded reports whether schema.Fold(s) == s, without building the fold
// of an ASCII s.
func folded(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return schema.Fold(s[i:]) == s[i:]
		}
		if r := rune(s[i]); schema.FoldRune(r) != r {
			return false
		}
	}
	return true
}

// appendKeyValue appends v, a value of a (nil if unknown), as JSON with
// the strings of the attributes that fold folded.
func appendKeyValue(b []byte, a *schema.Attribute, v any) ([]byte, error) {
	if a == nil {
		return schema.AppendJSON(b, v)
	}
	switch x := v.(type) {
	case string:
		if folds(a) && !folded(x) {
			return schema.AppendJSONString(b, schema.Fold(x)), nil
		}
	case []any:
		b = append(b, '[')
		for i, el := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendKeyValue(b, a, el); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		if a.Type == schema.Complex {
			return appendKeyObject(b, a.SubAttributes, x)
		}
	}
	return schema.AppendJSON(b, v)
}

// appendKeyObject is appendKeyValue of an object whose members attrs
// define.
func appendKeyObject(b []byte, attrs []*schema.Attribute, m map[string]any) ([]byte, error) {
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	return appendObject(b, keys, func(b []byte, k string) ([]byte, error) {
		return appendKeyValue(b, attrNamed(attrs, k), m[k])
	})
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
