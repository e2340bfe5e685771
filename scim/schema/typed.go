package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// This file holds what the typed views ([User], [Group]) share: the codec
// between their struct fields and canonical data, driven by the fields'
// canonical json names, and [Extensions].
//
// The codec knows four field shapes, which are all the core schemas need:
// string (string, reference, binary and dateTime attributes), *bool
// (boolean), *T (single-valued complex) and []T (multi-valued complex), T a
// struct of the same shapes.

// Extensions holds the attributes of extension schemas that have no Go type
// of their own (Okta custom attributes, a host's own extension), by the
// extension's URN, in canonical form: the attribute names as the extension
// schema spells them and the values as in canonical data (string, bool,
// json.Number, map[string]any, []any).
//
// Read them by name with [Extensions.Value], or into a struct of the host's
// with [Extensions.Decode]; write them from such a struct with
// [Extensions.Set], or directly in the map.
type Extensions map[string]map[string]any

// lookup returns the attributes of the extension urn, compared
// case-insensitively.
func (e Extensions) lookup(urn string) (map[string]any, bool) {
	if m, ok := e[urn]; ok {
		return m, true
	}
	for k, m := range e {
		if strings.EqualFold(k, urn) {
			return m, true
		}
	}
	return nil, false
}

// Value returns the value of attribute name of the extension urn, both
// compared case-insensitively, and whether it is set. The value has its
// canonical Go type: a string for string, reference, binary and dateTime
// attributes, a bool, a json.Number for integers and decimals (convert with
// its Int64 or Float64 method; an integer is exact), a map[string]any for
// a complex value, a []any for a multi-valued one. The value is shared with
// e: modify a copy.
func (e Extensions) Value(urn, name string) (any, bool) {
	m, ok := e.lookup(urn)
	if !ok {
		return nil, false
	}
	if v, ok := m[name]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// Decode stores the attributes of the extension urn (compared
// case-insensitively) in v, a pointer to a host type, the way
// encoding/json would decode the extension's JSON object: struct fields
// match attribute names by their json names, case-insensitively. Integers
// decode exactly into int64 fields (and as json.Number into fields of type
// any). v is left unchanged when the extension has no attributes. The
// error is encoding/json's, for a value that does not fit its field.
func (e Extensions) Decode(urn string, v any) error {
	m, ok := e.lookup(urn)
	if !ok || len(m) == 0 {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// Set replaces the attributes of the extension urn with v, a host struct
// (or map) that encodes to a JSON object with encoding/json, the inverse of
// [Extensions.Decode]: its json names become the attribute names and its
// numbers json.Number, exactly (an int64 does not pass through float64). A
// v with no attributes (or nil) removes the extension. The values are checked and
// put into canonical form when the view is turned into canonical data
// (e.g. [User.Attributes]). The error is encoding/json's, or says that v
// does not encode to an object.
func (e *Extensions) Set(urn string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return fmt.Errorf("schema: extension %s: %T does not encode to a JSON object", urn, v)
	}
	for k := range *e {
		if strings.EqualFold(k, urn) {
			delete(*e, k)
		}
	}
	if len(m) == 0 {
		return nil
	}
	if *e == nil {
		*e = make(Extensions)
	}
	(*e)[urn] = m
	return nil
}

// cloneValue returns a deep copy of a canonical value.
func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = cloneValue(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = cloneValue(e)
		}
		return s
	}
	return v
}

// typedField is a struct field the codec converts.
type typedField struct {
	name  string // canonical attribute name (the json name)
	index int
	kind  reflect.Kind // reflect.String, reflect.Bool (for *bool), reflect.Pointer (*struct), reflect.Slice ([]struct)
}

var typedFields sync.Map // reflect.Type -> []typedField

// fieldsOf returns the converted fields of struct type t: those with a json
// name, except "id" and names that are URNs, which the views handle
// themselves.
func fieldsOf(t reflect.Type) []typedField {
	if fs, ok := typedFields.Load(t); ok {
		return fs.([]typedField)
	}
	var fs []typedField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || name == "id" || hasURNPrefix(name) {
			continue
		}
		tf := typedField{name: name, index: i}
		switch {
		case f.Type.Kind() == reflect.String:
			tf.kind = reflect.String
		case f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Bool:
			tf.kind = reflect.Bool
		case f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct:
			tf.kind = reflect.Pointer
		case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct:
			tf.kind = reflect.Slice
		default:
			panic("schema: typed field " + t.Name() + "." + f.Name + " has unsupported type " + f.Type.String())
		}
		fs = append(fs, tf)
	}
	typedFields.Store(t, fs)
	return fs
}

// decodeStruct sets the fields of the struct sv from canonical object m.
// pre starts the path of m's attributes in errors ("" at the top level of
// a resource, "name." in a complex value, "urn:...:User:" in an extension);
// skip reports keys the caller handles. Keys that no field takes are an
// error.
func decodeStruct(sv reflect.Value, m map[string]any, pre string, skip func(string) bool) error {
	fs := fieldsOf(sv.Type())
	known := 0
	for _, f := range fs {
		v, ok := m[f.name]
		if !ok {
			continue
		}
		known++
		if v == nil {
			continue
		}
		p := pre + f.name
		fv := sv.Field(f.index)
		switch f.kind {
		case reflect.String:
			s, ok := v.(string)
			if !ok {
				return Errorf(ScimInvalidValue, p, "must be a string, got %s", describe(v))
			}
			fv.SetString(s)
		case reflect.Bool:
			b, ok := v.(bool)
			if !ok {
				return Errorf(ScimInvalidValue, p, "must be a boolean, got %s", describe(v))
			}
			fv.Set(reflect.ValueOf(&b))
		case reflect.Pointer:
			sub, ok := v.(map[string]any)
			if !ok {
				return Errorf(ScimInvalidValue, p, "must be an object, got %s", describe(v))
			}
			pv := reflect.New(fv.Type().Elem())
			if err := decodeStruct(pv.Elem(), sub, p+".", nil); err != nil {
				return err
			}
			fv.Set(pv)
		case reflect.Slice:
			list, ok := v.([]any)
			if !ok {
				return Errorf(ScimInvalidValue, p, "is multi-valued and must be an array, got %s", describe(v))
			}
			sl := reflect.MakeSlice(fv.Type(), len(list), len(list))
			for i, el := range list {
				ep := p + "[" + strconv.Itoa(i) + "]"
				sub, ok := el.(map[string]any)
				if !ok {
					return Errorf(ScimInvalidValue, ep, "must be an object, got %s", describe(el))
				}
				if err := decodeStruct(sl.Index(i), sub, ep+".", nil); err != nil {
					return err
				}
			}
			fv.Set(sl)
		}
	}
	if known == len(m) {
		return nil
	}
	var unknown []string
	for k := range m {
		if skip != nil && skip(k) {
			continue
		}
		if !slices.ContainsFunc(fs, func(f typedField) bool { return f.name == k }) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return Errorf(ScimInvalidValue, pre+unknown[0], "%s has no such attribute", sv.Type().Name())
	}
	return nil
}

// encodeStruct returns the fields of the struct sv that are set, as an
// object of attribute values: strings that are not empty, booleans that are
// not nil, complex values that are not empty. nil means none.
func encodeStruct(sv reflect.Value) map[string]any {
	var out map[string]any
	put := func(name string, v any) {
		if out == nil {
			out = make(map[string]any)
		}
		out[name] = v
	}
	for _, f := range fieldsOf(sv.Type()) {
		fv := sv.Field(f.index)
		switch f.kind {
		case reflect.String:
			if s := fv.String(); s != "" {
				put(f.name, s)
			}
		case reflect.Bool:
			if !fv.IsNil() {
				put(f.name, fv.Elem().Bool())
			}
		case reflect.Pointer:
			if !fv.IsNil() {
				if m := encodeStruct(fv.Elem()); m != nil {
					put(f.name, m)
				}
			}
		case reflect.Slice:
			var list []any
			for i := range fv.Len() {
				if m := encodeStruct(fv.Index(i)); m != nil {
					list = append(list, m)
				}
			}
			if list != nil {
				put(f.name, list)
			}
		}
	}
	return out
}

// canonical turns raw, the attribute values of a typed view, into canonical
// data for rt: through [ResourceType.Normalize], so that the result is what
// a POST of the same values would store, except that values of read-only
// attributes and sub-attributes (set by the server, and ignored in a POST)
// are kept, normalized by the same rules. Anything rt does not define is an
// error rather than dropped. raw is consumed.
func canonical(rt *ResourceType, raw map[string]any) (map[string]any, error) {
	if rt == nil {
		return nil, Errorf(ScimInvalidValue, "", "no resource type")
	}
	type held struct {
		urn  string
		a    *Attribute
		v    any
		path string
	}
	var hold []held
	take := func(s *Schema, urn string, m map[string]any) {
		for _, k := range sortedKeys(m) {
			a := s.Attr(k)
			if a == nil || !hasReadOnly(a) {
				continue
			}
			p := a.Name
			if urn != "" {
				p = urn + ":" + a.Name
			}
			hold = append(hold, held{urn: urn, a: a, v: m[k], path: p})
			delete(m, k)
		}
	}
	take(rt.Schema, "", raw)
	for _, e := range rt.Extensions {
		for _, k := range sortedKeys(raw) {
			if m, ok := raw[k].(map[string]any); ok && strings.EqualFold(k, e.Schema.ID) {
				take(e.Schema, e.Schema.ID, m)
			}
		}
	}
	out, ignored, err := rt.Normalize(raw)
	if err != nil {
		return nil, err
	}
	if len(ignored) > 0 {
		return nil, Errorf(ScimInvalidValue, ignored[0], "no schema of resource type %s defines this attribute", rt.Name)
	}
	for _, h := range hold {
		x, err := NormalizeValue(writable(h.a), h.path, h.v)
		if err != nil {
			return nil, err
		}
		if x == nil {
			continue
		}
		target := out
		if h.urn != "" {
			m, _ := out[h.urn].(map[string]any)
			if m == nil {
				m = make(map[string]any)
				out[h.urn] = m
			}
			target = m
		}
		if _, dup := target[h.a.Name]; dup {
			return nil, Errorf(ScimInvalidValue, h.path, "given more than once")
		}
		target[h.a.Name] = x
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// hasReadOnly reports whether a or one of its sub-attributes is read-only.
func hasReadOnly(a *Attribute) bool {
	return a.IsReadOnly() || slices.ContainsFunc(a.SubAttributes, (*Attribute).IsReadOnly)
}

// writable returns a copy of a in which a and its sub-attributes are
// read-write, so that NormalizeValue keeps their values.
func writable(a *Attribute) *Attribute {
	c := *a
	if c.IsReadOnly() {
		c.Mutability = ReadWrite
	}
	if len(a.SubAttributes) > 0 {
		c.SubAttributes = make([]*Attribute, len(a.SubAttributes))
		for i, s := range a.SubAttributes {
			c.SubAttributes[i] = writable(s)
		}
	}
	return &c
}
