package filter

// Conjuncts returns the operands of the top-level "and" chain of e, left to
// right: for `a and (b and c)` it returns [a b c]; for any other expression
// it returns [e]; for nil it returns nil. A store that can evaluate only some
// conjuncts itself evaluates those and hands [AndOf] of the rest to [Match]
// as the residual.
func Conjuncts(e Expr) []Expr {
	if e == nil {
		return nil
	}
	return appendConjuncts(nil, e)
}

func appendConjuncts(out []Expr, e Expr) []Expr {
	if a, ok := e.(*And); ok {
		out = appendConjuncts(out, a.Left)
		return appendConjuncts(out, a.Right)
	}
	return append(out, e)
}

// AndOf joins es with "and", left-associatively as the parser builds
// chains: AndOf(a, b, c) is (a and b) and c. It returns nil for no
// expressions and es[0] for one. Nil elements are skipped.
func AndOf(es ...Expr) Expr {
	var out Expr
	for _, e := range es {
		switch {
		case e == nil:
		case out == nil:
			out = e
		default:
			out = &And{Left: out, Right: e}
		}
	}
	return out
}

// AnyPath reports whether f holds for some attribute path of e: the paths
// of comparisons and "pr" tests, and of value paths together with the
// paths inside their filters (which name sub-attributes of the value
// path's attribute).
func AnyPath(e Expr, f func(p AttrPath) bool) bool {
	switch e := e.(type) {
	case *Compare:
		return f(e.Path)
	case *Present:
		return f(e.Path)
	case *And:
		return AnyPath(e.Left, f) || AnyPath(e.Right, f)
	case *Or:
		return AnyPath(e.Left, f) || AnyPath(e.Right, f)
	case *Not:
		return AnyPath(e.X, f)
	case *ValuePath:
		return f(e.Path) || AnyPath(e.Filter, f)
	}
	return false
}
