package schema

import (
	"slices"
	"strings"
	"time"
)

// Meta is the "meta" attribute of a resource as [ResourceType.AppendResource]
// writes it (RFC 7643 §3.1). Empty fields are left out.
type Meta struct {
	// ResourceType is the resource type's name ("User").
	ResourceType string
	// Created and LastModified are written in UTC in the time.RFC3339Nano
	// layout; zero times are left out.
	Created, LastModified time.Time
	// Location is the resource's absolute URI.
	Location string
	// Version is written as given: in a response, the weak entity tag
	// (W/"3") of RFC 7644 §3.14.
	Version string
}

// AppendResource appends to b the JSON response object of one resource:
// what [ResourceType.Render] returns for attrs (canonical data) plus "id"
// and "meta", encoded by [AppendJSON], without building that object. Its
// members come in reading order: "schemas", "id", "externalId", the core
// attributes in schema order, the extensions in the resource type's
// order, then "meta"; the members of complex values are sorted by name.
// Keys "schemas", "id" and "meta" of attrs are ignored ("id" and "meta" in
// any case: id and meta come from the arguments). attrs is not modified.
// The error is that of encoding a value that is not canonical data
// ([AppendJSON]).
func (rt *ResourceType) AppendResource(b []byte, attrs map[string]any, id string, meta Meta, p *Projection) ([]byte, error) {
	if p == nil {
		p = &defaultProjection
	}
	start := len(b)
	if !rt.hasExtensionKey(attrs) {
		// No extension can be written (unless a key in another case
		// names one): "schemas" names the core schema alone and goes
		// first as it is.
		out := appendSchemas(b, rt, 0)
		out, used, _, err := rt.appendMembers(out, attrs, id, meta, &renderer{p: p})
		if err != nil {
			return nil, err
		}
		if used == len(attrs) {
			return append(out, '}'), nil
		}
		b = out[:start]
	}
	out, used, exts, err := rt.appendMembers(b, attrs, id, meta, &renderer{p: p})
	if err != nil {
		return nil, err
	}
	if used != len(attrs) {
		// Some key is not exactly an attribute's canonical name: render
		// what Render would make of each key.
		if out, _, exts, err = rt.appendMembers(b[:start], rt.canonicalKeys(attrs), id, meta, &renderer{p: p}); err != nil {
			return nil, err
		}
	}
	// "schemas" goes first, but which extensions it names is known only
	// now: write it after the members and rotate it into place.
	body := len(out)
	out = appendSchemas(out, rt, exts)
	rotate(out[start:], body-start)
	return append(out, '}'), nil
}

// hasExtensionKey reports whether attrs has the URN of one of rt's
// extensions as a key.
func (rt *ResourceType) hasExtensionKey(attrs map[string]any) bool {
	for _, e := range rt.Extensions {
		if _, ok := attrs[e.Schema.ID]; ok {
			return true
		}
	}
	return false
}

// appendSchemas appends `{"schemas":[…]`: the core schema's URN and that
// of each extension i whose bit is set in exts.
func appendSchemas(b []byte, rt *ResourceType, exts uint64) []byte {
	b = append(b, `{"schemas":[`...)
	b = AppendJSONString(b, rt.Schema.ID)
	for i, e := range rt.Extensions {
		if exts&(1<<i) != 0 {
			b = append(b, ',')
			b = AppendJSONString(b, e.Schema.ID)
		}
	}
	return append(b, ']')
}

// rotate moves the last len(b)-n bytes of b before its first n bytes.
func rotate(b []byte, n int) {
	slices.Reverse(b[:n])
	slices.Reverse(b[n:])
	slices.Reverse(b)
}

// appendMembers appends the members of the object AppendResource writes
// other than "schemas", each after a comma. used is the number of keys of
// attrs it looked up by their exact name (the ignored ones included), and
// bit i of exts says that extension i was written. Extensions past the
// 64th are written and not named in "schemas" (no resource type has so
// many).
func (rt *ResourceType) appendMembers(b []byte, attrs map[string]any, id string, meta Meta, r *renderer) (out []byte, used int, exts uint64, err error) {
	for _, k := range [...]string{"schemas", "id", "meta"} {
		if _, ok := attrs[k]; ok {
			used++
		}
	}
	if id != "" {
		if ok, _, _ := r.include(idAttr, nil); ok {
			b = append(b, `,"id":`...)
			b = AppendJSONString(b, id)
		}
	}
	if v, ok := attrs[externalIDAttr.Name]; ok {
		used++
		if b, _, err = r.appendAttr(b, externalIDAttr, nil, v); err != nil {
			return nil, 0, 0, err
		}
	}
	for _, a := range rt.Schema.Attributes {
		v, ok := attrs[a.Name]
		if !ok {
			continue
		}
		used++
		if b, _, err = r.appendAttr(b, a, rt.Schema, v); err != nil {
			return nil, 0, 0, err
		}
	}
	for i, e := range rt.Extensions {
		v, ok := attrs[e.Schema.ID]
		if !ok {
			continue
		}
		used++
		m, _ := v.(map[string]any)
		var wrote bool
		if b, wrote, err = r.appendExtension(b, e.Schema, m); err != nil {
			return nil, 0, 0, err
		}
		if wrote && i < 64 {
			exts |= 1 << i
		}
	}
	return r.appendMeta(b, meta), used, exts, nil
}

// canonicalKeys returns attrs with each key Render renders under its
// canonical name, and without the keys it drops.
func (rt *ResourceType) canonicalKeys(attrs map[string]any) map[string]any {
	out := make(map[string]any, len(attrs))
	for k, v := range attrs {
		switch ext, a, _ := rt.renderedKey(k); {
		case ext != nil:
			out[ext.ID] = v
		case a != nil && a != idAttr && a != metaAttr:
			out[a.Name] = v
		}
	}
	return out
}

// renderMember is one member of a JSON object to be written in name order.
type renderMember struct {
	name string
	attr *Attribute
	v    any
}

// sortMembers sorts ms by name and drops all but the first of each name.
func sortMembers(ms []renderMember) []renderMember {
	slices.SortFunc(ms, func(x, y renderMember) int { return strings.Compare(x.name, y.name) })
	return slices.CompactFunc(ms, func(x, y renderMember) bool { return x.name == y.name })
}

// appendExtension appends `,"urn":{…}` for the extension object m of
// schema ext, its attributes sorted by name, unless none is rendered.
func (r *renderer) appendExtension(b []byte, ext *Schema, m map[string]any) ([]byte, bool, error) {
	var buf [16]renderMember
	ms := buf[:0]
	for k, v := range m {
		if a := ext.Attr(k); a != nil {
			ms = append(ms, renderMember{a.Name, a, v})
		}
	}
	if len(ms) == 0 {
		return b, false, nil
	}
	mark := len(b)
	b = append(b, ',')
	b = AppendJSONString(b, ext.ID)
	b = append(b, ':')
	inner := len(b)
	for _, x := range sortMembers(ms) {
		var err error
		if b, _, err = r.appendAttr(b, x.attr, ext, x.v); err != nil {
			return nil, false, err
		}
	}
	if len(b) == inner {
		return b[:mark], false, nil
	}
	b[inner] = '{' // the first renderMember's comma
	return append(b, '}'), true, nil
}

// appendAttr appends `,"name":value` for value v of attribute a of schema
// s (nil for the common attributes) as Render renders it (renderer.attr),
// or nothing and false when Render leaves it out.
func (r *renderer) appendAttr(b []byte, a *Attribute, s *Schema, v any) ([]byte, bool, error) {
	if IsEmpty(v) {
		return b, false, nil
	}
	ok, listedOnly, filter := r.include(a, s)
	if !ok {
		return b, false, nil
	}
	mark := len(b)
	b = append(b, ',')
	b = AppendJSONString(b, a.Name)
	b = append(b, ':')
	var err error
	if !filter {
		b, err = AppendJSON(b, v)
		return b, err == nil, err
	}
	switch x := v.(type) {
	case map[string]any:
		var wrote bool
		if b, wrote, err = r.appendSubs(b, a, x, listedOnly); err != nil || !wrote {
			return b[:mark], false, err
		}
	case []any:
		b = append(b, '[')
		n := 0
		for _, el := range x {
			m, ok := el.(map[string]any)
			if !ok {
				continue
			}
			at := len(b)
			if n > 0 {
				b = append(b, ',')
			}
			var wrote bool
			if b, wrote, err = r.appendSubs(b, a, m, listedOnly); err != nil {
				return b[:mark], false, err
			}
			if !wrote {
				b = b[:at]
				continue
			}
			n++
		}
		if n == 0 {
			return b[:mark], false, nil
		}
		b = append(b, ']')
	default:
		if listedOnly {
			return b[:mark], false, nil
		}
		if b, err = AppendJSON(b, v); err != nil {
			return b[:mark], false, err
		}
	}
	return b, true, nil
}

// appendSubs appends the sub-attributes of m that Render keeps
// (renderer.subs) as an object with members sorted by name, or nothing
// and false when it keeps none.
func (r *renderer) appendSubs(b []byte, a *Attribute, m map[string]any, listedOnly bool) ([]byte, bool, error) {
	var buf [16]renderMember
	ms := buf[:0]
	for k, v := range m {
		if s := a.Sub(k); !IsEmpty(v) && r.includeSub(s, listedOnly) {
			ms = append(ms, renderMember{s.Name, s, v})
		}
	}
	if len(ms) == 0 {
		return b, false, nil
	}
	b = append(b, '{')
	for i, x := range sortMembers(ms) {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendJSONString(b, x.name)
		b = append(b, ':')
		var err error
		if b, err = AppendJSON(b, x.v); err != nil {
			return nil, false, err
		}
	}
	return append(b, '}'), true, nil
}

// appendMeta appends `,"meta":{…}` as Render renders the map
// store.Resource.Object makes of meta, or nothing when it renders none of
// it.
func (r *renderer) appendMeta(b []byte, meta Meta) []byte {
	ok, listedOnly, filter := r.include(metaAttr, nil)
	if !ok {
		return b
	}
	mark := len(b)
	b = append(b, `,"meta":`...)
	inner := len(b)
	str := func(name, v string) {
		if v != "" && (!filter || r.includeSub(metaAttr.Sub(name), listedOnly)) {
			b = append(b, ',')
			b = AppendJSONString(b, name)
			b = append(b, ':')
			b = AppendJSONString(b, v)
		}
	}
	tm := func(name string, t time.Time) {
		if !t.IsZero() && (!filter || r.includeSub(metaAttr.Sub(name), listedOnly)) {
			b = append(b, ',')
			b = AppendJSONString(b, name)
			b = append(b, ':', '"')
			b = t.UTC().AppendFormat(b, time.RFC3339Nano)
			b = append(b, '"')
		}
	}
	// In name order, as the members of every complex value.
	tm("created", meta.Created)
	tm("lastModified", meta.LastModified)
	str("location", meta.Location)
	str("resourceType", meta.ResourceType)
	str("version", meta.Version)
	if len(b) == inner {
		return b[:mark]
	}
	b[inner] = '{'
	return append(b, '}')
}

// The common attributes, as AppendResource writes them.
var (
	idAttr         = commonAttributes[0]
	externalIDAttr = commonAttributes[1]
	metaAttr       = commonAttributes[2]
)
