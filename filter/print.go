package filter

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/scimkit/scimkit/scim/schema"
)

// The String methods print SCIM filter syntax that [Parse] reads back into
// an equal tree: string values are written as JSON strings, "or" inside
// "and" and a right-nested "and" or "or" are parenthesized, and "not" is
// written "not (...)".

// String returns the path as [URN ":"] name ["." sub].
func (p AttrPath) String() string { return string(p.appendTo(nil)) }

func (p AttrPath) appendTo(b []byte) []byte {
	if p.URN != "" {
		b = append(b, p.URN...)
		b = append(b, ':')
	}
	b = append(b, p.Name...)
	if p.Sub != "" {
		b = append(b, '.')
		b = append(b, p.Sub...)
	}
	return b
}

// String returns the path as written in a PATCH operation, such as
// `emails[type eq "work"].value`.
func (p Path) String() string {
	if p.Filter == nil {
		return p.AttrPath.String()
	}
	b := make([]byte, 0, 64)
	b = AttrPath{URN: p.URN, Name: p.Name}.appendTo(b)
	b = append(b, '[')
	b = appendExpr(b, p.Filter)
	b = append(b, ']')
	if p.Sub != "" {
		b = append(b, '.')
		b = append(b, p.Sub...)
	}
	return string(b)
}

func (e *Compare) String() string   { return string(appendExpr(make([]byte, 0, 48), e)) }
func (e *Present) String() string   { return string(appendExpr(make([]byte, 0, 24), e)) }
func (e *And) String() string       { return string(appendExpr(make([]byte, 0, 96), e)) }
func (e *Or) String() string        { return string(appendExpr(make([]byte, 0, 96), e)) }
func (e *Not) String() string       { return string(appendExpr(make([]byte, 0, 64), e)) }
func (e *ValuePath) String() string { return string(appendExpr(make([]byte, 0, 64), e)) }

func appendExpr(b []byte, e Expr) []byte {
	switch e := e.(type) {
	case *Compare:
		b = e.Path.appendTo(b)
		b = append(b, ' ')
		b = append(b, e.Op...)
		b = append(b, ' ')
		return appendValue(b, e.Value)
	case *Present:
		b = e.Path.appendTo(b)
		return append(b, " pr"...)
	case *And:
		b = appendOperand(b, e.Left, false, true)
		b = append(b, " and "...)
		return appendOperand(b, e.Right, true, true)
	case *Or:
		b = appendOperand(b, e.Left, false, false)
		b = append(b, " or "...)
		return appendOperand(b, e.Right, true, false)
	case *Not:
		b = append(b, "not ("...)
		b = appendExpr(b, e.X)
		return append(b, ')')
	case *ValuePath:
		b = e.Path.appendTo(b)
		b = append(b, '[')
		b = appendExpr(b, e.Filter)
		return append(b, ']')
	case nil:
		return b
	default:
		return append(b, e.String()...)
	}
}

// appendOperand writes an operand of "and" (inAnd) or "or", in parentheses
// where precedence or left associativity would otherwise change the tree.
func appendOperand(b []byte, e Expr, right, inAnd bool) []byte {
	paren := false
	switch e.(type) {
	case *Or:
		paren = inAnd || right
	case *And:
		paren = inAnd && right
	}
	if !paren {
		return appendExpr(b, e)
	}
	b = append(b, '(')
	b = appendExpr(b, e)
	return append(b, ')')
}

func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case string:
		return schema.AppendJSONString(b, v)
	case json.Number:
		if schema.IsNumber(string(v)) {
			return append(b, v...)
		}
		return schema.AppendJSONString(b, string(v))
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	default:
		return schema.AppendJSONString(b, fmt.Sprint(v))
	}
}

// quote returns s as a JSON string, for error messages.
func quote(s string) string { return string(schema.AppendJSONString(nil, s)) }

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
