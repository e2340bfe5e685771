package schema

import "fmt"

// Check reports the first way s breaks the rules RFC 7643 sets for schema
// definitions, or nil: every attribute and sub-attribute name follows
// ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA
// (§2.1; "$ref" is the one name of another form, §2.4), names are unique
// (case-insensitively) among their siblings, and a complex attribute has
// sub-attributes none of which is complex (§2.3.8). NewHandler checks every
// schema it is given.
func (s *Schema) Check() error {
	return checkAttrs(s.ID, s.Attributes, true)
}

func checkAttrs(where string, attrs []*Attribute, top bool) error {
	seen := map[string]bool{}
	for _, a := range attrs {
		if a == nil {
			return fmt.Errorf("schema %s: a nil attribute", where)
		}
		if !validAttrName(a.Name) {
			return fmt.Errorf("schema %s: attribute name %q is not ALPHA *(\"-\" / \"_\" / DIGIT / ALPHA) (RFC 7643 §2.1)", where, a.Name)
		}
		key := Fold(a.Name)
		if seen[key] {
			return fmt.Errorf("schema %s: attribute %q is defined twice", where, a.Name)
		}
		seen[key] = true
		if a.Type == Complex {
			if !top {
				return fmt.Errorf("schema %s: sub-attribute %q is complex; complex attributes cannot nest (RFC 7643 §2.3.8)", where, a.Name)
			}
			if err := checkAttrs(where+" "+a.Name, a.SubAttributes, false); err != nil {
				return err
			}
		}
	}
	return nil
}

func validAttrName(s string) bool {
	if s == "$ref" {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alpha := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !alpha && (i == 0 || !('0' <= c && c <= '9' || c == '-' || c == '_')) {
			return false
		}
	}
	return s != ""
}
