package store

import (
	"slices"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

// typeRules are the indexed attributes of one resource type.
type typeRules struct {
	unique []indexRule // unique attributes of the core schema
	multi  []indexRule // non-unique indexed attributes
}

type indexRule struct {
	name string
	attr *schema.Attribute // whose Key the index holds
}

// rulesFor derives the indexes of a resource type from its core schema.
func rulesFor(rt *schema.ResourceType) *typeRules {
	r := &typeRules{}
	if rt.Schema != nil {
		for _, a := range rt.Schema.Attributes {
			if a == nil || a.MultiValued || !stringLike(a.Type) {
				continue
			}
			if a.Uniqueness == schema.UniqueServer || a.Uniqueness == schema.UniqueGlobal {
				r.unique = append(r.unique, indexRule{name: a.Name, attr: a})
			}
		}
	}
	r.multi = append(r.multi, indexRule{name: "externalId", attr: schema.Common("externalId")})
	if rt.Name == groupType && rt.Schema != nil {
		if a := rt.Schema.Attr("displayName"); a != nil && !a.MultiValued && stringLike(a.Type) && !r.isUnique(a.Name) {
			r.multi = append(r.multi, indexRule{name: a.Name, attr: a})
		}
	}
	return r
}

func (r *typeRules) isUnique(name string) bool {
	for _, u := range r.unique {
		if u.name == name {
			return true
		}
	}
	return false
}

// indexes reports whether name is an indexed attribute.
func (r *typeRules) indexes(name string) bool {
	for _, rules := range [][]indexRule{r.unique, r.multi} {
		for _, u := range rules {
			if u.name == name {
				return true
			}
		}
	}
	return false
}

// defaultRules apply to resource types missing from MemoryConfig.
var defaultRules = &typeRules{multi: []indexRule{{name: "externalId", attr: schema.Common("externalId")}}}

func stringLike(t schema.Type) bool {
	switch t {
	case "", schema.String, schema.Reference, schema.Binary:
		return true
	}
	return false
}

// candidates returns, when e or one of its top-level "and" terms is an
// "eq" comparison on an indexed attribute, the resources the index yields
// for it in creation order, and true; otherwise nil and false.
func (t *table) candidates(e filter.Expr) ([]*record, bool) {
	switch e.(type) {
	case nil:
		return nil, false
	case *filter.Compare:
		return t.lookupEq(e)
	}
	var best []*record
	found := false
	for _, c := range filter.Conjuncts(e) {
		recs, ok := t.lookupEq(c)
		if !ok {
			continue
		}
		if !found || len(recs) < len(best) {
			best, found = recs, true
		}
		if len(best) <= 1 {
			break
		}
	}
	return best, found
}

// lookupEq returns the resources whose indexed attribute equals the value
// of the comparison e, if e is an "eq" comparison of an indexed attribute
// with a string whose case rule is the index's.
func (t *table) lookupEq(e filter.Expr) ([]*record, bool) {
	c, ok := e.(*filter.Compare)
	if !ok || c.Op != filter.Eq || c.Path.URN != "" || c.Path.Sub != "" {
		return nil, false
	}
	v, ok := c.Value.(string)
	if !ok {
		return nil, false
	}
	// Only a bound path tells how filter.Match compares: unbound ones are
	// looked up and compared more loosely than any index.
	a := c.Path.Attr
	if a == nil || a.MultiValued || !stringLike(a.Type) {
		return nil, false
	}
	exact := a.CaseSensitive()
	if c.Path.Name == "id" {
		if !exact {
			return nil, false
		}
		if rec := t.byID[v]; rec != nil {
			return rec.self[:], true
		}
		return nil, true
	}
	// The key of v, folded into a stack buffer: a map index by
	// string(bytes) does not allocate.
	var buf [64]byte
	k := []byte(nil)
	if !exact {
		k = schema.AppendFold(buf[:0], v)
	}
	for i, r := range t.rules.unique {
		if r.name == c.Path.Name && r.attr.CaseSensitive() == exact {
			var rec *record
			if exact {
				rec = t.unique[i][v]
			} else {
				rec = t.unique[i][string(k)]
			}
			if rec != nil {
				return rec.self[:], true
			}
			return nil, true
		}
	}
	for i, r := range t.rules.multi {
		if r.name == c.Path.Name && r.attr.CaseSensitive() == exact {
			var recs []*record
			if exact {
				recs = t.multi[i][v]
			} else {
				recs = t.multi[i][string(k)]
			}
			if !slices.IsSortedFunc(recs, bySeq) {
				recs = slices.SortedFunc(slices.Values(recs), bySeq)
			}
			return recs, true
		}
	}
	return nil, false
}

func bySeq(a, b *record) int {
	switch {
	case a.seq < b.seq:
		return -1
	case a.seq > b.seq:
		return 1
	}
	return strings.Compare(a.base.ID, b.base.ID)
}

// checkUnique returns a *ConflictError (which wraps ErrConflict) if a
// unique attribute in attrs has a value that a resource other than self
// holds.
func (t *table) checkUnique(attrs map[string]any, self *record) error {
	for i, rule := range t.rules.unique {
		v, ok := attrs[rule.name].(string)
		if !ok {
			continue
		}
		if other := t.unique[i][rule.attr.Key(v)]; other != nil && other != self {
			return &ConflictError{Attribute: rule.name, Value: v}
		}
	}
	return nil
}

// index adds rec to the attribute indexes. Indexed attributes are never
// held in a member set, so rec.attrs() has them all.
func (t *table) index(rec *record) {
	attrs := rec.attrs()
	for i, rule := range t.rules.unique {
		if v, ok := attrs[rule.name].(string); ok {
			t.unique[i][rule.attr.Key(v)] = rec
		}
	}
	for i, rule := range t.rules.multi {
		if v, ok := attrs[rule.name].(string); ok {
			k := rule.attr.Key(v)
			t.multi[i][k] = append(t.multi[i][k], rec)
		}
	}
}

// unindex removes rec from the attribute indexes.
func (t *table) unindex(rec *record) {
	attrs := rec.attrs()
	for i, rule := range t.rules.unique {
		if v, ok := attrs[rule.name].(string); ok {
			k := rule.attr.Key(v)
			if t.unique[i][k] == rec {
				delete(t.unique[i], k)
			}
		}
	}
	for i, rule := range t.rules.multi {
		if v, ok := attrs[rule.name].(string); ok {
			k := rule.attr.Key(v)
			recs := slices.DeleteFunc(t.multi[i][k], func(x *record) bool { return x == rec })
			if len(recs) == 0 {
				delete(t.multi[i], k)
			} else {
				t.multi[i][k] = recs
			}
		}
	}
}

// compact drops the deleted entries of t.order once they are a good part
// of it, so deletes cost amortized constant time and scans stay short.
func (t *table) compact() {
	if t.holes < 64 || t.holes*4 < len(t.order) {
		return
	}
	live := make([]*record, 0, len(t.order)-t.holes)
	seqs := make([]uint64, 0, len(t.order)-t.holes)
	for _, rec := range t.order {
		if rec != nil {
			rec.pos = len(live)
			live = append(live, rec)
			seqs = append(seqs, rec.seq)
		}
	}
	t.order = live
	t.seqs = seqs
	t.holes = 0
}
