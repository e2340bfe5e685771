package patch

import (
	"maps"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

// Result is the outcome of [Apply].
type Result struct {
	// Attributes is the new canonical data. It shares the values of
	// attributes that did not change with the input.
	Attributes map[string]any
	// Changed lists, sorted, the canonical paths of the top-level
	// attributes whose value changed: "active", "name",
	// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department".
	// Writes that leave a value as it was are not changes.
	Changed []string
	// MembersAdded and MembersRemoved are the "value"s of the "members"
	// (of a resource type whose core schema has them, such as Group) that
	// the operations added and removed, net of each other, sorted.
	MembersAdded, MembersRemoved []string
	// Ignored lists, sorted, the keys of path-less values (and of objects
	// under a schema URN key) that no schema of the resource type defines:
	// they were ignored, as unknown attributes of POST and PUT bodies are.
	// A host that rejects undefined attributes answers them with 400.
	Ignored []string
}

// Apply applies ops in order to attrs, the canonical data of the resource
// of type rt whose id is id, and returns the new data. See the package
// documentation for the rules.
//
// Apply is pure and atomic: attrs and everything reachable from it are
// never modified, and on error no result is returned. The error is an
// [*Error] naming the failing operation.
func Apply(rt *schema.ResourceType, id string, attrs map[string]any, ops []Operation) (*Result, error) {
	a := &applier{
		rt:     rt,
		parser: filter.Parser{Schema: rt},
		id:     id,
		orig:   attrs,
		cur:    make(map[string]any, len(attrs)+2),
	}
	maps.Copy(a.cur, attrs)
	if m := rt.Schema.Attr("members"); m != nil && m.Name == "members" && m.MultiValued && m.Type == schema.Complex {
		a.members = key{name: m.Name}
		a.trackMembers = true
	}
	for i, op := range ops {
		a.index = i
		if err := a.apply(op); err != nil {
			return nil, &Error{Index: i, Op: op.Op, Path: op.Path, Err: err}
		}
	}
	return a.finish(ops)
}

// key names a top-level attribute: an attribute of the core schema (urn
// "") or of the extension urn.
type key struct{ urn, name string }

func (k key) path() string {
	if k.urn == "" {
		return k.name
	}
	return k.urn + ":" + k.name
}

type applier struct {
	rt     *schema.ResourceType
	parser filter.Parser
	id     string
	orig   map[string]any
	cur    map[string]any
	index  int

	ownedExt  map[string]bool // cur[urn] was allocated by Apply
	ownedList map[key]bool    // the list at key was allocated by Apply
	touched   map[key]int     // last operation that wrote the attribute
	fresh     map[key][]any   // elements of multi-valued attributes written by Apply
	pending   map[key]*removal

	trackMembers   bool
	members        key
	added, removed map[string]struct{}
	ignored        []string
}

func (a *applier) apply(op Operation) error {
	kind, ok := parseKind(op.Op)
	if !ok {
		return schema.Errorf(schema.ScimInvalidSyntax, "", `unknown op %q (want "add", "remove" or "replace")`, op.Op)
	}
	if kind == opRemove {
		if op.Path == "" {
			return schema.Errorf(schema.ScimNoTarget, "", `remove requires a "path"`)
		}
		return a.remove(op.Path, op.Value)
	}
	if op.Path == "" {
		obj, ok := op.Value.(map[string]any)
		if !ok {
			return schema.Errorf(schema.ScimInvalidValue, "", "the value of %s without a path must be an object of attributes", kind)
		}
		return a.writeObject(kind, "", obj)
	}
	return a.write(kind, op.Path, op.Value, false)
}

// parse parses a path and checks that it names an attribute.
func (a *applier) parse(path string) (filter.Path, error) {
	p, err := a.parser.ParsePath(path)
	if err != nil {
		return filter.Path{}, err
	}
	if p.Attr == nil || (p.Sub != "" && p.SubAttr == nil) {
		return filter.Path{}, schema.Errorf(schema.ScimInvalidPath, "", "%q names no attribute of %s", path, a.rt.Name)
	}
	return p, nil
}

func pathOf(k key, sub string) string {
	if sub == "" {
		return k.path()
	}
	return k.path() + "." + sub
}
