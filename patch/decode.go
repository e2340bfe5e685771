package patch

import (
	"errors"
	"strings"

	"github.com/scimkit/scimkit/scim/schema"
)

// Operation is one PATCH operation (RFC 7644 §3.5.2), decoded.
type Operation struct {
	// Op is "add", "remove" or "replace". [Decode] lower-cases it; [Apply]
	// accepts any case.
	Op string
	// Path is the target path, or "" when the operation has none.
	Path string
	// Value is the operation's value as decoded from JSON with numbers as
	// json.Number: nil, bool, string, json.Number, []any or map[string]any.
	Value any
}

// Decode reads a PatchOp request body (RFC 7644 §3.5.2).
//
// It is lenient where clients differ and harmless: the "Operations" member
// and the members of each operation ("op", "path", "value") may be in any
// case, op names may be in any case ("Add", "Replace", "Remove"), a missing
// or different "schemas" is accepted, and an empty "Operations" array
// decodes to no operations. Numbers are kept as json.Number. The body is
// read by schema.DecodeObject in one pass.
//
// Errors are *schema.Error: "invalidSyntax" for a body that is not a JSON
// object (or one that repeats a member name in an object), lacks "Operations", or has an operation without a valid "op" or,
// for add and replace, without "value"; "noTarget" for a remove without a
// path (RFC 7644 §3.5.2.2). The detail names the operation by its index,
// counting from 0.
func Decode(body []byte) ([]Operation, error) {
	obj, err := schema.DecodeObject(body, schema.MaxNestingDepth)
	if err != nil {
		var de *schema.DecodeError
		if errors.As(err, &de) {
			switch de.Kind {
			case schema.DecodeTrailingData:
				return nil, schema.Errorf(schema.ScimInvalidSyntax, "", "the request body has data after the JSON object")
			case schema.DecodeNotObject:
				return nil, schema.Errorf(schema.ScimInvalidSyntax, "", "the request body must be a JSON object")
			}
		}
		return nil, schema.Errorf(schema.ScimInvalidSyntax, "", "the request body is not valid JSON: %v", err)
	}
	return Operations(obj)
}

// Operations reads the operations of a PatchOp body that is already
// decoded into canonical data (with schema.DecodeObject), by the rules
// of [Decode].
func Operations(obj map[string]any) ([]Operation, error) {
	raw, found, err := member(obj, "Operations")
	if err != nil {
		return nil, err
	}
	if !found || raw == nil {
		return nil, schema.Errorf(schema.ScimInvalidSyntax, "", `the request body has no "Operations"`)
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, schema.Errorf(schema.ScimInvalidSyntax, "", `"Operations" must be an array`)
	}
	ops := make([]Operation, 0, len(list))
	for i, item := range list {
		op, err := decodeOperation(i, item)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	return ops, nil
}

func decodeOperation(i int, item any) (Operation, error) {
	m, ok := item.(map[string]any)
	if !ok {
		return Operation{}, schema.Errorf(schema.ScimInvalidSyntax, "", "operation %d is not a JSON object", i)
	}
	rawOp, found, err := member(m, "op")
	if err != nil {
		return Operation{}, operationErr(i, err)
	}
	if !found || rawOp == nil {
		return Operation{}, schema.Errorf(schema.ScimInvalidSyntax, "", `operation %d has no "op"`, i)
	}
	name, ok := rawOp.(string)
	if !ok {
		return Operation{}, schema.Errorf(schema.ScimInvalidSyntax, "", `operation %d: "op" must be a string`, i)
	}
	kind, ok := parseKind(strings.TrimSpace(name))
	if !ok {
		return Operation{}, schema.Errorf(schema.ScimInvalidSyntax, "", `operation %d: unknown op %q (want "add", "remove" or "replace")`, i, name)
	}
	op := Operation{Op: kind.String()}
	rawPath, _, err := member(m, "path")
	if err != nil {
		return Operation{}, operationErr(i, err)
	}
	switch p := rawPath.(type) {
	case nil:
	case string:
		op.Path = strings.TrimSpace(p)
	default:
		return Operation{}, schema.Errorf(schema.ScimInvalidSyntax, "", `operation %d: "path" must be a string`, i)
	}
	value, hasValue, err := member(m, "value")
	if err != nil {
		return Operation{}, operationErr(i, err)
	}
	op.Value = value
	switch {
	case kind == opRemove && op.Path == "":
		return Operation{}, schema.Errorf(schema.ScimNoTarget, "", `operation %d: remove requires a "path"`, i)
	case kind != opRemove && !hasValue:
		return Operation{}, schema.Errorf(schema.ScimInvalidSyntax, "", `operation %d: %s requires a "value"`, i, op.Op)
	}
	return op, nil
}

// member returns the member of m called name, compared case-insensitively.
// Two members that differ only in case are an error.
func member(m map[string]any, name string) (v any, found bool, err error) {
	if v, ok := m[name]; ok {
		found = true
		for k := range m {
			if k != name && strings.EqualFold(k, name) {
				return nil, false, schema.Errorf(schema.ScimInvalidSyntax, "", "both %q and %q are present", name, k)
			}
		}
		return v, true, nil
	}
	var key string
	for k, x := range m {
		if strings.EqualFold(k, name) {
			if found {
				return nil, false, schema.Errorf(schema.ScimInvalidSyntax, "", "both %q and %q are present", key, k)
			}
			key, v, found = k, x, true
		}
	}
	return v, found, nil
}

func operationErr(i int, err error) error {
	var se *schema.Error
	if errors.As(err, &se) {
		return schema.Errorf(se.ScimType, se.Path, "operation %d: %s", i, se.Detail)
	}
	return err
}

// opKind is a PATCH operation kind.
type opKind uint8

const (
	opAdd opKind = iota + 1
	opRemove
	opReplace
)

func (k opKind) String() string {
	switch k {
	case opAdd:
		return "add"
	case opRemove:
		return "remove"
	case opReplace:
		return "replace"
	}
	return ""
}

// parseKind recognises an op name in any case.
func parseKind(s string) (opKind, bool) {
	switch {
	case strings.EqualFold(s, "add"):
		return opAdd, true
	case strings.EqualFold(s, "remove"):
		return opRemove, true
	case strings.EqualFold(s, "replace"):
		return opReplace, true
	}
	return 0, false
}
