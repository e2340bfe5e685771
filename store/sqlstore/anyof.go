package sqlstore

import (
	"database/sql/driver"
	"strconv"
	"strings"

	msqlite "modernc.org/sqlite"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

// needles are the string values of comparisons with the same path and
// operator (eq, co, sw or ew) that a filter or-s together: the text
// matches if it matches any of them. The translator compares the text
// once against all of them (one IN, LIKE ANY or scim_any), instead of
// reading it once per term.
type needles []string

// joinNeedles encodes needles for scim_any as a string (the driver cuts a
// text argument at a NUL, so no separator character is safe): each is its
// length in bytes, a colon and itself.
func joinNeedles(ns []string) string {
	var b strings.Builder
	for _, n := range ns {
		b.WriteString(strconv.Itoa(len(n)))
		b.WriteByte(':')
		b.WriteString(n)
	}
	return b.String()
}

// orTerms returns the terms of the "or" chain e with the value paths on
// the same attribute merged into one ("a[x] or a[y]" is "a[x or y]":
// some element satisfies x or some satisfies y exactly when some satisfies
// either) and the comparisons with the same path and operator merged into
// one with needles, in the order their first terms appear.
func orTerms(e *filter.Or) []filter.Expr {
	var flat []filter.Expr
	var walk func(x filter.Expr)
	walk = func(x filter.Expr) {
		if o, ok := x.(*filter.Or); ok {
			walk(o.Left)
			walk(o.Right)
			return
		}
		flat = append(flat, x)
	}
	walk(e)

	type key struct {
		path     string
		attr, sa *schema.Attribute
		op       filter.Operator
	}
	var (
		out    []filter.Expr
		paths  = map[key]int{}           // key -> index in out of a value path
		inner  = map[int][]filter.Expr{} // index -> the filters to or
		values = map[key]int{}           // key -> index in out of a comparison
		vals   = map[int]needles{}
	)
	for _, x := range flat {
		switch x := x.(type) {
		case *filter.ValuePath:
			k := key{path: x.Path.String(), attr: x.Path.Attr, sa: x.Path.SubAttr}
			if i, ok := paths[k]; ok && x.Path.Attr != nil {
				inner[i] = append(inner[i], x.Filter)
				continue
			}
			paths[k] = len(out)
			inner[len(out)] = []filter.Expr{x.Filter}
		case *filter.Compare:
			if s, ok := groupable(x); ok {
				k := key{path: x.Path.String(), attr: x.Path.Attr, sa: x.Path.SubAttr, op: x.Op}
				if i, ok := values[k]; ok {
					vals[i] = append(vals[i], s)
					continue
				}
				values[k] = len(out)
				vals[len(out)] = needles{s}
			}
		}
		out = append(out, x)
	}
	for i, x := range out {
		switch x := x.(type) {
		case *filter.ValuePath:
			if fs := inner[i]; len(fs) > 1 {
				f := fs[0]
				for _, g := range fs[1:] {
					f = &filter.Or{Left: f, Right: g}
				}
				out[i] = &filter.ValuePath{Path: x.Path, Filter: f}
			}
		case *filter.Compare:
			if vs := vals[i]; len(vs) > 1 {
				out[i] = &filter.Compare{Path: x.Path, Op: x.Op, Value: vs}
			}
		}
	}
	return out
}

// groupable returns the value of a comparison orTerms may merge with
// others: eq, co, sw or ew of a string attribute (not meta) with a
// non-empty string that is valid text.
func groupable(c *filter.Compare) (string, bool) {
	switch c.Op {
	case filter.Eq, filter.Co, filter.Sw, filter.Ew:
	default:
		return "", false
	}
	s, ok := c.Value.(string)
	if !ok || s == "" || !validText(s) || c.Path.Attr == nil || c.Path.URN == "" && c.Path.Name == "meta" {
		return "", false
	}
	leaf := c.Path.Leaf()
	if leaf != nil && leaf.Type == schema.Complex && c.Path.Sub == "" {
		leaf = leaf.Sub("value")
	}
	if leaf == nil || !stringLike(leaf.Type) {
		return "", false
	}
	return s, true
}

// anyMatch reports whether text equals (op eq), contains (co), starts with
// (sw) or ends with (ew) one of the needles joinNeedles encoded.
func anyMatch(op, text, joined string) bool {
	for joined != "" {
		num, rest, ok := strings.Cut(joined, ":")
		size, err := strconv.Atoi(num)
		if !ok || err != nil || size < 0 || size > len(rest) {
			return false
		}
		n := rest[:size]
		joined = rest[size:]
		switch op {
		case "eq":
			if text == n {
				return true
			}
		case "co":
			if strings.Contains(text, n) {
				return true
			}
		case "sw":
			if strings.HasPrefix(text, n) {
				return true
			}
		case "ew":
			if strings.HasSuffix(text, n) {
				return true
			}
		}
	}
	return false
}

func init() {
	// scim_any(op, text, needles) is anyMatch, NULL for a NULL text.
	_ = msqlite.RegisterDeterministicScalarFunction("scim_any", 3, func(_ *msqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		str := func(v driver.Value) (string, bool) {
			switch v := v.(type) {
			case string:
				return v, true
			case []byte:
				return string(v), true
			}
			return "", false
		}
		op, _ := str(args[0])
		text, ok := str(args[1])
		if !ok {
			return nil, nil
		}
		joined, _ := str(args[2])
		if anyMatch(op, text, joined) {
			return int64(1), nil
		}
		return int64(0), nil
	})
}
