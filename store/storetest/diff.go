package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/scimkit/scimkit/store"
)

// This file replaces a general diff library, so that a host importing the
// kit gets no dependency besides scimkit itself.

// diffValues returns the differences between two canonical values (maps,
// slices and scalars), one per line as "path: want …, got …", or "" when
// they are equal. Maps and slices compare element by element, scalars by
// type and value.
func diffValues(want, got any) string {
	var b strings.Builder
	diffAt(&b, "", want, got)
	return b.String()
}

func diffAt(b *strings.Builder, path string, want, got any) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || (w == nil) != (g == nil) {
			break
		}
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			wv, wok := w[k]
			gv, gok := g[k]
			p := join(path, k)
			switch {
			case !gok:
				fmt.Fprintf(b, "%s: want %s, got nothing\n", p, show(wv))
			case !wok:
				fmt.Fprintf(b, "%s: want nothing, got %s\n", p, show(gv))
			default:
				diffAt(b, p, wv, gv)
			}
		}
		return
	case []any:
		g, ok := got.([]any)
		if !ok || (w == nil) != (g == nil) {
			break
		}
		if len(w) != len(g) {
			fmt.Fprintf(b, "%s: want %d elements %s, got %d %s\n", or(path), len(w), show(w), len(g), show(g))
			return
		}
		for i := range w {
			diffAt(b, fmt.Sprintf("%s[%d]", path, i), w[i], g[i])
		}
		return
	default:
		if reflect.DeepEqual(want, got) {
			return
		}
	}
	fmt.Fprintf(b, "%s: want %s, got %s\n", or(path), show(want), show(got))
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func or(path string) string {
	if path == "" {
		return "(value)"
	}
	return path
}

// show formats a value with its Go type, so that "1" and json.Number 1
// are told apart.
func show(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case string:
		return fmt.Sprintf("%q", v)
	case bool, map[string]any, []any:
		return fmt.Sprintf("%v", v)
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

// diffResources returns the differences between two resources (times
// compared as instants), or "".
func diffResources(want, got *store.Resource) string {
	if want == nil || got == nil {
		if want == got {
			return ""
		}
		return fmt.Sprintf("want %v, got %v\n", want, got)
	}
	var b strings.Builder
	if want.Type != got.Type {
		fmt.Fprintf(&b, "Type: want %q, got %q\n", want.Type, got.Type)
	}
	if want.ID != got.ID {
		fmt.Fprintf(&b, "ID: want %q, got %q\n", want.ID, got.ID)
	}
	if !want.Meta.Created.Equal(got.Meta.Created) {
		fmt.Fprintf(&b, "Meta.Created: want %v, got %v\n", want.Meta.Created, got.Meta.Created)
	}
	if !want.Meta.LastModified.Equal(got.Meta.LastModified) {
		fmt.Fprintf(&b, "Meta.LastModified: want %v, got %v\n", want.Meta.LastModified, got.Meta.LastModified)
	}
	if want.Meta.Version != got.Meta.Version {
		fmt.Fprintf(&b, "Meta.Version: want %q, got %q\n", want.Meta.Version, got.Meta.Version)
	}
	if d := diffValues(want.Attributes, got.Attributes); d != "" {
		b.WriteString(indent("Attributes: ", d))
	}
	return b.String()
}

func indent(prefix, s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// diffStrings returns "" when want and got are equal (nil and empty are
// equal), else both lists.
func diffStrings(want, got []string) string {
	if slices.Equal(want, got) {
		return ""
	}
	return fmt.Sprintf("want %q\n got %q\n", want, got)
}
