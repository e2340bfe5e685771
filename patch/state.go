package patch

import (
	"maps"
	"reflect"
)

// Copy-on-write access to the working data.

func (a *applier) container(urn string) map[string]any {
	if urn == "" {
		return a.cur
	}
	m, _ := a.cur[urn].(map[string]any)
	return m
}

func (a *applier) get(k key) any {
	c := a.container(k.urn)
	if c == nil {
		return nil
	}
	return c[k.name]
}

func (a *applier) origValue(k key) any {
	c := a.orig
	if k.urn != "" {
		c, _ = a.orig[k.urn].(map[string]any)
	}
	if c == nil {
		return nil
	}
	return c[k.name]
}

func (a *applier) list(k key) []any {
	l, _ := a.get(k).([]any)
	return l
}

func (a *applier) touch(k key) {
	if a.touched == nil {
		a.touched = make(map[key]int)
	}
	a.touched[k] = a.index
}

// set stores v (nil removes) at k, copying the extension object on first
// write.
func (a *applier) set(k key, v any) {
	a.touch(k)
	if k.urn == "" {
		setOrDelete(a.cur, k.name, v)
		return
	}
	c := a.container(k.urn)
	if c == nil || !a.ownedExt[k.urn] {
		if c == nil && v == nil {
			return
		}
		next := make(map[string]any, len(c)+1)
		maps.Copy(next, c)
		c = next
		a.cur[k.urn] = c
		if a.ownedExt == nil {
			a.ownedExt = make(map[string]bool)
		}
		a.ownedExt[k.urn] = true
	}
	setOrDelete(c, k.name, v)
	if len(c) == 0 {
		delete(a.cur, k.urn)
		delete(a.ownedExt, k.urn)
	}
}

// setList stores the list l at k; owned says Apply allocated it and may
// change it in place.
func (a *applier) setList(k key, l []any, owned bool) {
	if a.ownedList == nil {
		a.ownedList = make(map[key]bool)
	}
	if len(l) == 0 {
		a.set(k, nil)
		delete(a.ownedList, k)
		return
	}
	a.set(k, l)
	a.ownedList[k] = owned
}

// freshSet returns a test for "m is an element of k that an earlier
// operation of this PATCH wrote" (the same map, not an equal one), built
// once per call in time linear in those elements.
func (a *applier) freshSet(k key) func(map[string]any) bool {
	set := make(map[uintptr]bool, len(a.fresh[k]))
	for _, e := range a.fresh[k] {
		if em, ok := e.(map[string]any); ok {
			set[uintptr(reflect.ValueOf(em).UnsafePointer())] = true
		}
	}
	return func(m map[string]any) bool { return set[uintptr(reflect.ValueOf(m).UnsafePointer())] }
}

func (a *applier) addFresh(k key, e any) {
	if a.fresh == nil {
		a.fresh = make(map[key][]any)
	}
	a.fresh[k] = append(a.fresh[k], e)
}

// Helpers on canonical values.

func setOrDelete(m map[string]any, name string, v any) {
	if v == nil {
		delete(m, name)
		return
	}
	m[name] = v
}

func emptyToNil(m map[string]any) any {
	if len(m) == 0 {
		return nil
	}
	return m
}

// isNull reports whether a value as sent means "no value".
func isNull(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	}
	return false
}

// elementValue returns the string "value" of an element of a multi-valued
// attribute, or the element itself when it is a string.
func elementValue(e any) (string, bool) {
	switch e := e.(type) {
	case map[string]any:
		s, ok := e["value"].(string)
		return s, ok
	case string:
		return e, true
	}
	return "", false
}

// elementObject returns an element as the object a value filter is
// evaluated against: itself when complex, {"value": e} otherwise.
func elementObject(e any) map[string]any {
	if m, ok := e.(map[string]any); ok {
		return m
	}
	return map[string]any{"value": e}
}
