package schema

import (
	"slices"
	"strings"
)

// SplitPath splits an attribute path as used in the attributes and
// excludedAttributes parameters into an optional schema URN, an attribute
// name and an optional sub-attribute name:
//
//	"name.givenName"                        → "", "name", "givenName"
//	"urn:...:enterprise:2.0:User:manager.value" → "urn:...:enterprise:2.0:User", "manager", "value"
//	"urn:...:enterprise:2.0:User"           → "urn:...:enterprise:2.0:User", "", "" (a known URN)
//	`emails[type eq "work"].value`          → "", "emails", "value"
//
// Bracketed value filters, which some clients send, are removed first
// (quotes inside them are respected). known yields the schema URNs that may
// prefix the path, as for [SplitURN]; a path equal to one of them (compared
// case-insensitively) is returned as urn alone. The name and sub-attribute
// are split at the first '.' after the URN. SplitPath does not check that
// the names are well formed or defined.
func SplitPath(path string, known func(yield func(string) bool)) (urn, name, sub string) {
	path = stripFilters(path)
	if known != nil && hasURNPrefix(path) {
		for u := range known {
			if strings.EqualFold(u, path) {
				return path, "", ""
			}
		}
	}
	urn, rest := SplitURN(path, known)
	name, sub, _ = strings.Cut(rest, ".")
	return urn, name, sub
}

// stripFilters removes every bracketed part ("[type eq \"work\"]") of path.
// An unclosed bracket runs to the end of the path.
func stripFilters(path string) string {
	i := strings.IndexByte(path, '[')
	if i < 0 {
		return path
	}
	var b strings.Builder
	b.Grow(len(path))
	depth := 0
	inQuote := false
	for j := 0; j < len(path); j++ {
		c := path[j]
		switch {
		case inQuote:
			if c == '\\' {
				j++
			} else if c == '"' {
				inQuote = false
			}
		case c == '"' && depth > 0:
			inQuote = true
		case c == '[':
			depth++
		case c == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// splitList splits a comma-separated attributes parameter, ignoring commas
// inside brackets and quotes, and trims spaces around each item.
func splitList(s string, yield func(string) bool) {
	depth := 0
	inQuote := false
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			c := s[i]
			switch {
			case inQuote:
				if c == '\\' {
					i++
				} else if c == '"' {
					inQuote = false
				}
				continue
			case c == '"' && depth > 0:
				inQuote = true
				continue
			case c == '[':
				depth++
				continue
			case c == ']' && depth > 0:
				depth--
				continue
			case c != ',' || depth > 0:
				continue
			}
		}
		item := strings.TrimSpace(s[start:min(i, len(s))])
		start = i + 1
		if item != "" && !yield(item) {
			return
		}
	}
}

// Projection is a parsed attributes/excludedAttributes pair (RFC 7644
// §3.4.2.5, §3.9). A nil *Projection means the default attribute set. Make
// one with [ResourceType.ParseProjection]; it is read-only afterwards and
// safe for concurrent use.
type Projection struct {
	selecting bool // the attributes parameter was given
	sel, excl pathSet
}

// pathSet holds the resolved items of one parameter.
type pathSet struct {
	attrs   []*Attribute // attributes and sub-attributes named in full
	parents []*Attribute // complex attributes some of whose sub-attributes are named
	schemas []*Schema    // schemas named by their bare URN
}

func (s *pathSet) hasAttr(a *Attribute) bool   { return slices.Contains(s.attrs, a) }
func (s *pathSet) hasParent(a *Attribute) bool { return slices.Contains(s.parents, a) }
func (s *pathSet) hasSchema(sc *Schema) bool   { return sc != nil && slices.Contains(s.schemas, sc) }

// ParseProjection parses the attributes and excludedAttributes query
// parameters (either may be empty, meaning not given) for rt.
//
// Items are comma-separated attribute paths: "userName", "name.givenName",
// "emails.value", URN-qualified paths
// ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department")
// and bare schema URNs (the whole extension). Names are case-insensitive.
// Bracketed filters some clients send are tolerated: `emails[type eq
// "work"]` means emails and `emails[type eq "work"].value` means
// emails.value. Paths naming nothing rt defines are ignored. A path that is
// not well formed (characters no attribute name has, or more than one
// sub-attribute level) is an error: a *Error with ScimType "invalidValue"
// whose Path is the item.
func (rt *ResourceType) ParseProjection(attributes, excludedAttributes string) (*Projection, error) {
	p := &Projection{selecting: strings.TrimSpace(attributes) != ""}
	if err := rt.parsePathSet(&p.sel, attributes); err != nil {
		return nil, err
	}
	if err := rt.parsePathSet(&p.excl, excludedAttributes); err != nil {
		return nil, err
	}
	return p, nil
}

func (rt *ResourceType) parsePathSet(set *pathSet, list string) error {
	var err error
	splitList(list, func(item string) bool {
		urn, name, sub := SplitPath(item, rt.URNs)
		if name == "" {
			if urn == "" {
				err = Errorf(ScimInvalidValue, item, "is not an attribute path")
				return false
			}
			if s, _ := rt.SchemaByURN(urn); s != nil && !slices.Contains(set.schemas, s) {
				set.schemas = append(set.schemas, s)
			}
			return true
		}
		if !validName(name) || (sub != "" && !validName(sub)) || (urn != "" && strings.ContainsAny(urn, " \t\"")) {
			err = Errorf(ScimInvalidValue, item, "is not a well-formed attribute path")
			return false
		}
		r, ok := rt.Lookup(urn, name)
		if !ok {
			return true
		}
		if sub == "" {
			if !slices.Contains(set.attrs, r.Attr) {
				set.attrs = append(set.attrs, r.Attr)
			}
			return true
		}
		sa := r.Attr.Sub(sub)
		if sa == nil {
			return true
		}
		if !slices.Contains(set.attrs, sa) {
			set.attrs = append(set.attrs, sa)
		}
		if !slices.Contains(set.parents, r.Attr) {
			set.parents = append(set.parents, r.Attr)
		}
		return true
	})
	return err
}

// validName reports whether s is an ATTRNAME of RFC 7643 §2.1 (or "$ref").
func validName(s string) bool {
	if s == "$ref" {
		return true
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '_'):
		default:
			return false
		}
	}
	return true
}

var defaultProjection Projection

// Render builds the JSON response object for one resource. obj is canonical
// data plus "id" (a string) and "meta" (a map) at the top level.
//
// The result has "schemas" (the core URN first, then the URN of every
// extension whose object is in the result, in the resource type's order),
// never contains returned=never or writeOnly attributes (password), and
// applies p (nil means the default set) with the returned semantics of
// RFC 7643 §7 and RFC 7644 §3.9:
//
//   - With no attributes parameter, every attribute except returned=request
//     ones is returned, minus those in excludedAttributes.
//   - With attributes, only the minimum set (returned=always: id, schemas)
//     and the attributes listed are returned. meta is returned=default, so
//     it appears only when listed ("meta" or e.g. "meta.lastModified"). A
//     bare schema URN lists every attribute of that schema except
//     returned=request ones. A listed sub-attribute returns its parent with
//     only the listed (and returned=always) sub-attributes.
//   - returned=request attributes appear only when listed in attributes.
//   - excludedAttributes removes attributes, sub-attributes ("emails.value")
//     or whole extensions (bare URN), except returned=always ones; when both
//     parameters are given, exclusion applies to the selection.
//
// Empty values, keys no schema of rt defines and an incoming "schemas" are
// dropped. Multi-valued elements left empty by a projection are dropped.
// Render does not modify obj; the result may share maps and slices with obj
// (values that need no filtering are not copied), so treat it as read-only.
func (rt *ResourceType) Render(obj map[string]any, p *Projection) map[string]any {
	if p == nil {
		p = &defaultProjection
	}
	r := renderer{p: p}
	out := make(map[string]any, len(obj)+1)
	hasExt := false
	for k, v := range obj {
		ext, a, s := rt.renderedKey(k)
		if ext != nil {
			m, ok := v.(map[string]any)
			if !ok {
				continue
			}
			var em map[string]any
			for kk, vv := range m {
				a := ext.Attr(kk)
				if a == nil {
					continue
				}
				x, ok := r.attr(a, ext, vv)
				if !ok {
					continue
				}
				if em == nil {
					em = make(map[string]any, len(m))
				}
				em[a.Name] = x
			}
			if em != nil {
				out[ext.ID] = em
				hasExt = true
			}
			continue
		}
		if a == nil {
			continue
		}
		x, ok := r.attr(a, s, v)
		if ok {
			out[a.Name] = x
		}
	}
	schemas := make([]any, 1, 1+len(rt.Extensions))
	schemas[0] = rt.Schema.ID
	if hasExt {
		for _, e := range rt.Extensions {
			if _, ok := out[e.Schema.ID]; ok {
				schemas = append(schemas, e.Schema.ID)
			}
		}
	}
	out["schemas"] = schemas
	return out
}

// renderedKey resolves key k of an object Render is given: the extension
// whose object it names (ext), or the attribute a of schema s (nil for
// the common attributes) whose value it holds; neither for a key Render
// drops ("schemas", URNs of no extension, names no schema defines).
func (rt *ResourceType) renderedKey(k string) (ext *Schema, a *Attribute, s *Schema) {
	switch {
	case k == "schemas":
	case hasURNPrefix(k):
		ext = rt.extensionExact(k)
	default:
		if a = Common(k); a == nil {
			if a = rt.Schema.Attr(k); a != nil {
				s = rt.Schema
			}
		}
	}
	return ext, a, s
}

// extensionExact returns the extension whose URN is urn, exactly or else
// case-insensitively.
func (rt *ResourceType) extensionExact(urn string) *Schema {
	for _, e := range rt.Extensions {
		if e.Schema.ID == urn {
			return e.Schema
		}
	}
	return rt.Extension(urn)
}

type renderer struct {
	p *Projection
}

// hidden reports whether a is never rendered.
func hidden(a *Attribute) bool {
	return a.Mutability == WriteOnly || a.Returned == Never
}

// include decides whether attribute a of schema s (nil for the common
// attributes) is rendered under the projection: ok says it is, listedOnly
// that only its listed sub-attributes are (a sub-attribute of it was
// named in attributes), and filter that its sub-attributes must be
// filtered one by one ([renderer.includeSub]) rather than its value
// rendered as it is.
func (r *renderer) include(a *Attribute, s *Schema) (ok, listedOnly, filter bool) {
	if hidden(a) {
		return false, false, false
	}
	p := r.p
	ret := a.EffectiveReturned()
	always := ret == Always
	if p.selecting {
		switch {
		case always || p.sel.hasAttr(a) || (ret != Request && p.sel.hasSchema(s)):
		case p.sel.hasParent(a):
			listedOnly = true
		default:
			return false, false, false
		}
	} else if ret == Request {
		return false, false, false
	}
	if !always && (p.excl.hasAttr(a) || p.excl.hasSchema(s)) {
		return false, false, false
	}
	if a.Type != Complex || len(a.SubAttributes) == 0 {
		return true, false, false
	}
	return true, listedOnly, listedOnly || p.excl.hasParent(a) || r.needsSubFilter(a)
}

// includeSub reports whether sub-attribute s (nil: one the attribute does
// not define) of an attribute rendered with listedOnly is rendered.
func (r *renderer) includeSub(s *Attribute, listedOnly bool) bool {
	if s == nil || hidden(s) {
		return false
	}
	if s.Returned != Always {
		p := r.p
		if listedOnly && !p.sel.hasAttr(s) {
			return false
		}
		if s.Returned == Request && !p.sel.hasAttr(s) {
			return false
		}
		if p.excl.hasAttr(s) {
			return false
		}
	}
	return true
}

// attr renders value v of attribute a of schema s (nil for the common
// attributes); false means leave it out.
func (r *renderer) attr(a *Attribute, s *Schema, v any) (any, bool) {
	if IsEmpty(v) {
		return nil, false
	}
	ok, listedOnly, filter := r.include(a, s)
	if !ok {
		return nil, false
	}
	if !filter {
		return v, true
	}
	switch x := v.(type) {
	case map[string]any:
		m := r.subs(a, x, listedOnly)
		return m, m != nil
	case []any:
		var out []any
		for _, el := range x {
			m, ok := el.(map[string]any)
			if !ok {
				continue
			}
			if fm := r.subs(a, m, listedOnly); fm != nil {
				if out == nil {
					out = make([]any, 0, len(x))
				}
				out = append(out, fm)
			}
		}
		return out, out != nil
	default:
		return v, !listedOnly
	}
}

// needsSubFilter reports whether a default rendering of a complex a must
// drop some sub-attribute.
func (r *renderer) needsSubFilter(a *Attribute) bool {
	for _, s := range a.SubAttributes {
		if hidden(s) || (s.Returned == Request && !r.p.sel.hasAttr(s)) {
			return true
		}
	}
	return false
}

func (r *renderer) subs(a *Attribute, m map[string]any, listedOnly bool) map[string]any {
	var out map[string]any
	for k, v := range m {
		s := a.Sub(k)
		if IsEmpty(v) || !r.includeSub(s, listedOnly) {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(m))
		}
		out[s.Name] = v
	}
	return out
}
