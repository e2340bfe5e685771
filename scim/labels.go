package scim

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"strconv"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// A group member's "type" says what its id names ("User" or "Group"). The
// server knows what an id names, so a label that disagrees is corrected
// rather than refused (scim2-tester and some identity providers pick member
// types at random). Stores check labelled members against what they name,
// atomically with the write; when one refuses a member, the handler looks
// the id up under the other type and, if it names such a resource, writes
// again with the label corrected. That costs nothing for writes whose labels
// are right and one more attempt per wrong label.

// maxRelabels bounds the label corrections of one write.
const maxRelabels = 100

// labels are the corrected member types of one write, by member value.
type labels map[string]string

// otherType is the member type a wrong label stands for.
var otherType = map[string]string{"User": "Group", "Group": "User"}

// learn reports whether err is a store's refusal of a member whose label
// names the wrong type, and if so records the right label. Otherwise it
// returns the error to answer: for a member that names nothing, one that
// says which type was expected.
func (l labels) learn(ctx context.Context, s store.Store, members any, err error) (bool, error) {
	var re *store.ReferenceError
	if !errors.As(err, &re) || re.Attribute != "members" {
		return false, err
	}
	label := ""
	for _, el := range asList(members) {
		if m, ok := el.(map[string]any); ok && m["value"] == re.Value {
			label, _ = m["type"].(string)
		}
	}
	if fixed, ok := l[re.Value]; ok {
		label = fixed
	}
	if other := otherType[label]; other != "" && len(l) < maxRelabels {
		if _, gerr := s.Get(ctx, other, re.Value); gerr == nil {
			l[re.Value] = other
			return true, nil
		} else if !errors.Is(gerr, store.ErrNotFound) {
			return false, gerr
		}
	}
	want := "User or Group"
	if label != "" {
		want = "User (or Group)"
		if label == "Group" {
			want = "Group (or User)"
		}
	}
	return false, &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidValue,
		Detail: "attribute \"members\": " + strconv.Quote(re.Value) + " is the id of no existing " + want, Err: err}
}

// apply returns attrs with the members' labels corrected (attrs itself when
// there is nothing to correct; it is not modified).
func (l labels) apply(attrs map[string]any) map[string]any {
	if len(l) == 0 {
		return attrs
	}
	if list, changed := l.relabel(asList(attrs["members"])); changed {
		attrs = maps.Clone(attrs)
		attrs["members"] = list
	}
	return attrs
}

// relabel returns members with the labels corrected, and whether any was.
func (l labels) relabel(members []any) ([]any, bool) {
	var out []any
	for i, el := range members {
		m, ok := el.(map[string]any)
		if !ok {
			continue
		}
		v, _ := m["value"].(string)
		typ, has := l[v]
		if !has || m["type"] == typ {
			continue
		}
		if out == nil {
			out = append([]any(nil), members...)
		}
		c := maps.Clone(m)
		c["type"] = typ
		out[i] = c
	}
	if out == nil {
		return members, false
	}
	return out, true
}

// applyDelta returns d with the labels of the members it adds corrected.
func (l labels) applyDelta(d store.MemberDelta) store.MemberDelta {
	if len(l) == 0 {
		return d
	}
	add := make([]any, len(d.Add))
	for i, m := range d.Add {
		add[i] = m
	}
	if list, changed := l.relabel(add); changed {
		d.Add = make([]map[string]any, len(list))
		for i, m := range list {
			d.Add[i] = m.(map[string]any)
		}
	}
	return d
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
