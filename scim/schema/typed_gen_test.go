package schema_test

import (
	"encoding/binary"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim/schema"
)

// genSource draws choices from fuzz input; past its end every choice is 0.
type genSource struct {
	b []byte
}

func (s *genSource) byte() byte {
	if len(s.b) == 0 {
		return 0
	}
	c := s.b[0]
	s.b = s.b[1:]
	return c
}

func (s *genSource) bool() bool { return s.byte()&1 == 1 }

var (
	genDecimals  = []string{"0.1", "1e2", "-0", "12.50", "3", "-1.5E-7"}
	genDateTimes = []string{"2008-01-23T04:56:22Z", "2024-02-29T08:00:00.123456789+01:00", "1999-12-31T23:59:59.5-00:30"}
	genBinaries  = []string{"MIIDQzCCAqygAwIBAgICEAAw", "AA==", "AAA"}
)

// value returns a canonical value of a, or nil for absent.
func (s *genSource) value(a *schema.Attribute) any {
	if a.MultiValued {
		n := int(s.byte() % 4)
		var list []any
		primary := false
		for range n {
			v := s.single(a)
			m, ok := v.(map[string]any)
			if ok {
				if p, _ := m["primary"].(bool); p {
					if primary {
						delete(m, "primary")
					}
					primary = true
				}
				if hollow(m) {
					continue
				}
			}
			if v != nil {
				list = append(list, v)
			}
		}
		if list == nil {
			return nil
		}
		return list
	}
	return s.single(a)
}

func hollow(m map[string]any) bool {
	for k := range m {
		if k != "type" && k != "primary" {
			return false
		}
	}
	return true
}

func (s *genSource) single(a *schema.Attribute) any {
	switch a.Type {
	case schema.Complex:
		m := map[string]any{}
		for _, sub := range a.SubAttributes {
			if s.bool() {
				if v := s.value(sub); v != nil {
					m[sub.Name] = v
				}
			}
		}
		if len(m) == 0 {
			return nil
		}
		return m
	case schema.Boolean:
		return s.bool()
	case schema.Integer:
		var b [8]byte
		for i := range b {
			b[i] = s.byte()
		}
		return json.Number(strconv.FormatInt(int64(binary.LittleEndian.Uint64(b[:])), 10))
	case schema.Decimal:
		return json.Number(genDecimals[int(s.byte())%len(genDecimals)])
	case schema.DateTime:
		return genDateTimes[int(s.byte())%len(genDateTimes)]
	case schema.Binary:
		return genBinaries[int(s.byte())%len(genBinaries)]
	default:
		n := int(s.byte() % 6)
		b := make([]byte, 0, n)
		for range n {
			b = append(b, s.byte())
		}
		if len(b) == 0 {
			return nil
		}
		return string(b)
	}
}

// object returns canonical data of rt, read-only attributes included.
func (s *genSource) object(rt *schema.ResourceType) map[string]any {
	d := map[string]any{}
	put := func(m map[string]any, attrs []*schema.Attribute) {
		for _, a := range attrs {
			if s.bool() {
				if v := s.value(a); v != nil {
					m[a.Name] = v
				}
			}
		}
	}
	put(d, []*schema.Attribute{schema.Common("externalId")})
	put(d, rt.Schema.Attributes)
	for _, e := range rt.Extensions {
		m := map[string]any{}
		put(m, e.Schema.Attributes)
		if len(m) > 0 {
			d[e.Schema.ID] = m
		}
	}
	return d
}

// FuzzUserCanonicalRoundTrip generates canonical data directly from the
// schemas, read-only values included (which normalized input never has),
// and checks that the typed view converts it back to itself.
func FuzzUserCanonicalRoundTrip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"))
	f.Add([]byte(typedRichUser))
	rt := typedUserType()
	f.Fuzz(func(t *testing.T, choices []byte) {
		src := &genSource{b: choices}
		d := src.object(rt)
		if _, ok := d["userName"]; !ok {
			d["userName"] = "u"
		}
		if err := rt.Validate(d); err != nil {
			t.Fatalf("generated data is not canonical: %v\n%v", err, d)
		}
		u, err := schema.UserFrom(d)
		if err != nil {
			t.Fatalf("UserFrom: %v\ndata: %v", err, d)
		}
		got, err := u.Attributes(rt)
		if err != nil {
			t.Fatalf("Attributes: %v\ndata: %v", err, d)
		}
		if diff := cmp.Diff(d, got); diff != "" {
			t.Fatalf("round trip differs (-want +got):\n%s", diff)
		}
	})
}

// FuzzGroupCanonicalRoundTrip is FuzzUserCanonicalRoundTrip for groups.
func FuzzGroupCanonicalRoundTrip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"))
	rt := typedGroupType()
	f.Fuzz(func(t *testing.T, choices []byte) {
		src := &genSource{b: choices}
		d := src.object(rt)
		if _, ok := d["displayName"]; !ok {
			d["displayName"] = "g"
		}
		// Canonical data names a member once.
		if list, ok := d["members"].([]any); ok {
			seen := map[string]bool{}
			var kept []any
			for _, m := range list {
				v, _ := m.(map[string]any)["value"].(string)
				if v != "" && seen[v] {
					continue
				}
				seen[v] = v != ""
				kept = append(kept, m)
			}
			d["members"] = kept
		}
		g, err := schema.GroupFrom(d)
		if err != nil {
			t.Fatalf("GroupFrom: %v\ndata: %v", err, d)
		}
		got, err := g.Attributes(rt)
		if err != nil {
			t.Fatalf("Attributes: %v\ndata: %v", err, d)
		}
		if diff := cmp.Diff(d, got); diff != "" {
			t.Fatalf("round trip differs (-want +got):\n%s", diff)
		}
	})
}
