package schema

import (
	"fmt"
	"strings"
)

// Keep returns a copy of s with only the named attributes: top-level names
// ("displayName") keep an attribute with all its sub-attributes, dotted
// names ("name.givenName") keep the attribute with only the sub-attributes
// named. Names are matched case-insensitively; the copy keeps s's order.
//
// A host whose tables hold only part of a schema serves the trimmed copy,
// so that /Schemas says what it stores, filters and sorts on other
// attributes are refused (400 invalidFilter), and what a client sends of
// other attributes is ignored as unknown (logged at debug level). Keep
// panics if a name is not an attribute of s, since that is a programming
// error in the host.
func (s *Schema) Keep(names ...string) *Schema {
	subs := map[*Attribute][]string{}
	whole := map[*Attribute]bool{}
	for _, n := range names {
		top, sub, dotted := strings.Cut(n, ".")
		a := s.Attr(top)
		if a == nil || (dotted && a.Sub(sub) == nil) {
			panic(fmt.Sprintf("schema: Keep: %q is not an attribute of %s", n, s.ID))
		}
		if dotted {
			subs[a] = append(subs[a], sub)
		} else {
			whole[a] = true
		}
	}
	out := *s
	out.Attributes = nil
	for _, a := range s.Attributes {
		switch {
		case whole[a]:
			out.Attributes = append(out.Attributes, a)
		case subs[a] != nil:
			c := *a
			c.SubAttributes = nil
			for _, sa := range a.SubAttributes {
				for _, n := range subs[a] {
					if strings.EqualFold(sa.Name, n) {
						c.SubAttributes = append(c.SubAttributes, sa)
						break
					}
				}
			}
			out.Attributes = append(out.Attributes, &c)
		}
	}
	return &out
}
