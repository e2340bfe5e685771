package schema

// Compact removes the empty values (see [IsEmpty]) from m, in place and
// recursively through objects and arrays, and returns m: canonical data
// stores no empty value. A store that builds canonical data from its own
// columns writes every column and lets Compact drop the empty ones, e.g.
//
//	Compact(map[string]any{"userName": email, "displayName": display,
//		"name": map[string]any{"givenName": first, "familyName": last}})
func Compact(m map[string]any) map[string]any {
	for k, v := range m {
		switch x := v.(type) {
		case map[string]any:
			Compact(x)
		case []any:
			kept := x[:0]
			for _, el := range x {
				if o, ok := el.(map[string]any); ok {
					Compact(o)
				}
				if !IsEmpty(el) {
					kept = append(kept, el)
				}
			}
			clear(x[len(kept):])
			v = kept
			m[k] = v
		}
		if IsEmpty(v) {
			delete(m, k)
		}
	}
	return m
}
