package patch

import (
	"errors"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/scim/schema"
)

// finish carries out what remains after the last operation and checks the
// result.
func (a *applier) finish(ops []Operation) (*Result, error) {
	for k := range a.pending {
		a.flush(k)
	}
	res := &Result{Attributes: a.cur}
	if len(a.ignored) > 0 {
		res.Ignored = slices.Compact(slices.Sorted(slices.Values(a.ignored)))
	}
	var changed []key
	for k := range a.touched {
		if !schema.Identical(a.origValue(k), a.get(k)) || a.secret(k) {
			changed = append(changed, k)
		}
	}
	slices.SortFunc(changed, func(x, y key) int { return strings.Compare(x.path(), y.path()) })
	for _, k := range changed {
		res.Changed = append(res.Changed, k.path())
	}
	if len(changed) > 0 {
		old := make(map[string]any, len(changed))
		next := make(map[string]any, len(changed))
		for _, k := range changed {
			top := k.name
			if k.urn != "" {
				top = k.urn
			}
			if v, ok := a.orig[top]; ok {
				old[top] = v
			}
			if v, ok := a.cur[top]; ok {
				next[top] = v
			}
		}
		if err := a.rt.CheckImmutable(old, next); err != nil {
			return nil, a.finalErr(ops, err)
		}
		if err := a.rt.Validate(a.validationView()); err != nil {
			return nil, a.finalErr(ops, err)
		}
	}
	res.MembersAdded = sortedKeys(a.added)
	res.MembersRemoved = sortedKeys(a.removed)
	return res, nil
}

// secret reports whether k is a write-only or never-returned attribute
// (password). A write to one always counts as a change, even of the same
// value, so that the answer (a new version or not) cannot tell a client
// whether it guessed the stored value.
func (a *applier) secret(k key) bool {
	r, ok := a.rt.Lookup(k.urn, k.name)
	return ok && (r.Attr.Mutability == schema.WriteOnly || r.Attr.Returned == schema.Never)
}

// validationView returns the data to validate: the result, with each list
// of more than one element reduced to the elements Apply wrote, or to its
// first element when Apply wrote none. The elements Apply did not write
// are those of attrs, which is valid canonical data, and one element of a
// list is enough to show that the attribute is present. This keeps
// validating a PATCH of a large group proportional to the change.
func (a *applier) validationView() map[string]any {
	view := make(map[string]any, len(a.cur))
	for name, v := range a.cur {
		if ext, ok := v.(map[string]any); ok && a.isExtensionKey(name) {
			ev := make(map[string]any, len(ext))
			for n, x := range ext {
				ev[n] = a.viewValue(key{name, n}, x)
			}
			view[name] = ev
			continue
		}
		view[name] = a.viewValue(key{name: name}, v)
	}
	return view
}

func (a *applier) isExtensionKey(name string) bool {
	for _, e := range a.rt.Extensions {
		if e.Schema.ID == name {
			return true
		}
	}
	return false
}

func (a *applier) viewValue(k key, v any) any {
	l, ok := v.([]any)
	if !ok || len(l) <= 1 {
		return v
	}
	if f := a.fresh[k]; len(f) > 0 {
		return f
	}
	return l[:1]
}

// finalErr wraps an error found after all operations, attributing it to
// the last operation that touched the attribute it names.
func (a *applier) finalErr(ops []Operation, err error) error {
	i := len(ops) - 1
	var se *schema.Error
	if errors.As(err, &se) && se.Path != "" {
		u, rest := schema.SplitURN(se.Path, a.rt.URNs)
		name := rest
		if j := strings.IndexAny(name, ".["); j >= 0 {
			name = name[:j]
		}
		if r, ok := a.rt.Lookup(u, name); ok {
			if at, ok := a.touched[key{r.URN, r.Attr.Name}]; ok {
				i = at
			}
		}
	}
	if i < 0 {
		return &Error{Index: 0, Err: err}
	}
	return &Error{Index: i, Op: ops[i].Op, Path: ops[i].Path, Err: err}
}

func sortedKeys(m map[string]struct{}) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}
