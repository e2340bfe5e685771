package storetest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// kit is a Config made ready for the checks: the resource types and what
// follows from them.
type kit struct {
	cfg Config
	// types are the declared resource types by name; full the defaults,
	// to which the kit's own filters and paths are written.
	types, full map[string]*schema.ResourceType
	// memberType and memberDisplay say whether group members keep "type"
	// and "display".
	memberType, memberDisplay bool
	// payload is the User attribute the checks that need a string to write
	// use: a top-level name, and a sub-attribute or "".
	payload, payloadSub string
	// title is the User attribute that the kit's filter, sort and cursor
	// data write as "title": the payload when it is a top-level attribute
	// that compares case-insensitively (the data's ties and case rules
	// assume so), else "title".
	title string
	// groupExtra is an optional single-valued Group attribute that
	// MemberDelta.Set may remove ("externalId" when kept), or "".
	groupExtra string
}

func defaultTypes() map[string]*schema.ResourceType {
	return map[string]*schema.ResourceType{
		"User":  schema.UserResourceType(schema.EnterpriseUserSchema()),
		"Group": schema.GroupResourceType(),
	}
}

func newKit(cfg Config) (*kit, error) {
	k := &kit{cfg: cfg, types: defaultTypes(), full: defaultTypes()}
	for _, rt := range cfg.ResourceTypes {
		if rt == nil || rt.Schema == nil {
			return nil, fmt.Errorf("Config.ResourceTypes holds a nil resource type or schema")
		}
		if _, ok := k.full[rt.Name]; !ok {
			return nil, fmt.Errorf("Config.ResourceTypes: resource type %q: the kit checks only User and Group", rt.Name)
		}
		k.types[rt.Name] = rt
	}
	if k.types["User"].Schema.Attr("userName") == nil {
		return nil, fmt.Errorf("the User schema has no userName, which the kit needs")
	}
	g := k.types["Group"].Schema
	members := g.Attr("members")
	if g.Attr("displayName") == nil || members == nil || members.Sub("value") == nil {
		return nil, fmt.Errorf("the Group schema needs displayName and members.value")
	}
	k.memberType = members.Sub("type") != nil
	k.memberDisplay = members.Sub("display") != nil
	k.payload = "userName"
	u := k.types["User"].Schema
	for _, a := range u.Attributes {
		if a.Name != "userName" && writableString(a) {
			k.payload = a.Name
			break
		}
	}
	if k.payload == "userName" {
	outer:
		for _, a := range u.Attributes {
			if a.Type == schema.Complex && !a.MultiValued && writable(a) {
				for _, sa := range a.SubAttributes {
					if writableString(sa) {
						k.payload, k.payloadSub = a.Name, sa.Name
						break outer
					}
				}
			}
		}
	}
	k.title = "title"
	if a := u.Attr(k.payload); k.payloadSub == "" && k.payload != "userName" && !a.CaseSensitive() {
		k.title = a.Name
	}
	if !cfg.NoExternalID {
		k.groupExtra = "externalId"
	} else {
		for _, a := range g.Attributes {
			if a.Name != "displayName" && writableString(a) {
				k.groupExtra = a.Name
				break
			}
		}
	}
	return k, nil
}

func writable(a *schema.Attribute) bool {
	m := a.EffectiveMutability()
	return (m == schema.ReadWrite || m == schema.Immutable) && a.EffectiveReturned() != schema.Never
}

// writableString reports whether a is a writable, single-valued,
// non-unique, optional string without canonical values.
func writableString(a *schema.Attribute) bool {
	return a.Type == schema.String && !a.MultiValued && !a.Required && len(a.CanonicalValues) == 0 &&
		(a.Uniqueness == "" || a.Uniqueness == schema.UniqueNone) && a.EffectiveMutability() == schema.ReadWrite &&
		a.EffectiveReturned() != schema.Never
}

// dropsExternalID reports whether text names externalId while the store
// does not keep it.
func (k *kit) dropsExternalID(text string) bool {
	return k.cfg.NoExternalID && strings.Contains(strings.ToLower(text), "externalid")
}

// declaredFilter parses text, a filter written for the default resource
// type typ (or naming the payload), with the declared one; ok is false
// when it names an attribute the store does not declare. A filter that
// neither accepts is a bug of the kit.
func (k *kit) declaredFilter(t tb, typ, text string) (e filter.Expr, ok bool) {
	t.Helper()
	e, err := filter.Parser{Schema: k.types[typ]}.Parse(text)
	if err == nil && !k.dropsExternalID(text) {
		return e, true
	}
	if _, err := (filter.Parser{Schema: k.full[typ]}).Parse(text); err != nil {
		t.Fatalf("parsing filter %s: %v", text, err)
	}
	return nil, false
}

// declaredPath is declaredFilter for an attribute path.
func (k *kit) declaredPath(t tb, typ, text string) (p filter.AttrPath, ok bool) {
	t.Helper()
	p, err := filter.Parser{Schema: k.types[typ]}.ParseAttrPath(text)
	if err == nil && !k.dropsExternalID(text) {
		return p, true
	}
	if _, err := (filter.Parser{Schema: k.full[typ]}).ParseAttrPath(text); err != nil {
		t.Fatalf("parsing attribute path %s: %v", text, err)
	}
	return filter.AttrPath{}, false
}

func (k *kit) mustParse(t tb, typ, text string) filter.Expr {
	t.Helper()
	e, err := filter.Parser{Schema: k.types[typ]}.Parse(text)
	if err != nil {
		t.Fatalf("parsing filter %s: %v", text, err)
	}
	return e
}

func (k *kit) mustParsePath(t tb, typ, text string) filter.AttrPath {
	t.Helper()
	p, err := filter.Parser{Schema: k.types[typ]}.ParseAttrPath(text)
	if err != nil {
		t.Fatalf("parsing attribute path %s: %v", text, err)
	}
	return p
}

// defaulted reports whether text, a filter or attribute path of typ, names
// an attribute the store gives a default (Config.Defaults): expectations
// written for data that leaves it out do not hold for such a store.
func (k *kit) defaulted(typ, text string) bool {
	for _, m := range []map[string]any{k.cfg.Defaults[typ], k.cfg.Fixed[typ]} {
		for name := range m {
			if strings.Contains(strings.ToLower(text), strings.ToLower(name)) {
				return true
			}
		}
	}
	return false
}

// trim returns the part of attrs, canonical data of typ, that the store
// declares: attributes, sub-attributes and extensions it does not keep are
// left out, and so are values left empty.
func (k *kit) trim(typ string, attrs map[string]any) map[string]any {
	rt := k.types[typ]
	out := make(map[string]any, len(attrs))
	for name, v := range attrs {
		switch {
		case name == "externalId":
			if !k.cfg.NoExternalID {
				out[name] = v
			}
		case strings.HasPrefix(name, "urn:"):
			if ext := rt.Extension(name); ext != nil {
				if m := trimObject(ext.Attributes, v); len(m) > 0 {
					out[name] = m
				}
			}
		default:
			if a := rt.Schema.Attr(name); a != nil {
				if v, ok := trimValue(a, v); ok {
					out[name] = v
				}
			}
		}
	}
	for name, v := range k.cfg.Defaults[typ] {
		if a := rt.Schema.Attr(name); a != nil {
			if _, set := out[a.Name]; !set {
				out[a.Name] = v
			}
		}
	}
	for name, v := range k.cfg.Fixed[typ] {
		if a := rt.Schema.Attr(name); a != nil {
			out[a.Name] = v
		}
	}
	return out
}

func trimValue(a *schema.Attribute, v any) (any, bool) {
	if a.Type != schema.Complex {
		return v, true
	}
	if !a.MultiValued {
		m := trimObject(a.SubAttributes, v)
		return m, len(m) > 0
	}
	list, _ := v.([]any)
	var out []any
	for _, el := range list {
		if m := trimObject(a.SubAttributes, el); len(m) > 0 {
			out = append(out, m)
		}
	}
	return out, len(out) > 0
}

func trimObject(attrs []*schema.Attribute, v any) map[string]any {
	in, _ := v.(map[string]any)
	out := map[string]any{}
	for name, sv := range in {
		for _, a := range attrs {
			if strings.EqualFold(a.Name, name) {
				if sv, ok := trimValue(a, sv); ok {
					out[name] = sv
				}
			}
		}
	}
	return out
}

// newUser returns a User with the given userName and further attributes
// given as name, value pairs, trimmed to what the store declares; "title"
// is written as k.title.
func (k *kit) newUser(userName string, kv ...any) *store.Resource {
	attrs := map[string]any{"userName": userName}
	for i := 0; i+1 < len(kv); i += 2 {
		attrs[kv[i].(string)] = kv[i+1]
	}
	return &store.Resource{Type: "User", Attributes: k.trim("User", k.retitle(attrs))}
}

// retitle returns attrs of a User with "title" renamed to k.title.
func (k *kit) retitle(attrs map[string]any) map[string]any {
	v, ok := attrs["title"]
	if !ok || k.title == "title" {
		return attrs
	}
	out := maps.Clone(attrs)
	delete(out, "title")
	out[k.title] = v
	return out
}

// newGroup returns a Group with the given displayName and members (ids of
// users), trimmed to what the store declares.
func (k *kit) newGroup(displayName string, memberIDs ...string) *store.Resource {
	attrs := map[string]any{"displayName": displayName}
	if len(memberIDs) > 0 {
		members := make([]any, len(memberIDs))
		for i, id := range memberIDs {
			members[i] = map[string]any{"value": id, "type": "User"}
		}
		attrs["members"] = members
	}
	return &store.Resource{Type: "Group", Attributes: k.trim("Group", attrs)}
}

// with returns a copy of r's type and id with new attributes, trimmed to
// what the store declares.
func (k *kit) with(r *store.Resource, attrs map[string]any) *store.Resource {
	if r.Type == "User" {
		attrs = k.retitle(attrs)
	}
	return &store.Resource{Type: r.Type, ID: r.ID, Attributes: k.trim(r.Type, attrs)}
}

// userP returns attributes of a user with the given userName whose
// payload attribute (see kit.payload) holds p.
func (k *kit) userP(userName, p string) map[string]any {
	attrs := map[string]any{"userName": userName}
	switch {
	case k.payload == "userName":
		attrs["userName"] = userName + "=" + p
	case k.payloadSub != "":
		attrs[k.payload] = map[string]any{k.payloadSub: p}
	default:
		attrs[k.payload] = p
	}
	return attrs
}

// payloadOf returns the payload of a user written with userP, and whether
// it has one.
func (k *kit) payloadOf(r *store.Resource) (string, bool) {
	v := r.Attributes[k.payload]
	if k.payloadSub != "" {
		m, _ := v.(map[string]any)
		v = m[k.payloadSub]
	}
	s, ok := v.(string)
	if k.payload == "userName" {
		_, s, ok = strings.Cut(s, "=")
	}
	return s, ok
}

// payloadName returns the attribute path of the payload.
func (k *kit) payloadName() string {
	if k.payloadSub != "" {
		return k.payload + "." + k.payloadSub
	}
	return k.payload
}

// rich returns a resource of typ with a value for every writable attribute
// and sub-attribute the store declares, derived from seed so that two
// seeds give different values everywhere (and distinct userNames). A Group
// lists memberIDs, with the member sub-attributes the store keeps.
func (k *kit) rich(typ string, seed int, memberIDs ...string) *store.Resource {
	rt := k.types[typ]
	attrs := map[string]any{}
	for _, a := range rt.Schema.Attributes {
		if typ == "Group" && a.Name == "members" {
			continue
		}
		if v, ok := gen(a, seed, 0); ok {
			attrs[a.Name] = v
		}
	}
	for _, e := range rt.Extensions {
		m := map[string]any{}
		for _, a := range e.Schema.Attributes {
			if v, ok := gen(a, seed, 0); ok {
				m[a.Name] = v
			}
		}
		if len(m) > 0 {
			attrs[e.Schema.ID] = m
		}
	}
	if !k.cfg.NoExternalID {
		attrs["externalId"] = fmt.Sprintf("Ext-%d", seed)
	}
	if typ == "Group" && len(memberIDs) > 0 {
		var members []any
		for i, id := range memberIDs {
			m := map[string]any{"value": id}
			if k.memberType {
				m["type"] = "User"
			}
			if k.memberDisplay {
				m["display"] = fmt.Sprintf("Member %d-%d", seed, i)
			}
			members = append(members, m)
		}
		attrs["members"] = members
	}
	for name, v := range k.cfg.Fixed[typ] {
		if a := rt.Schema.Attr(name); a != nil {
			attrs[a.Name] = v
		}
	}
	return &store.Resource{Type: typ, Attributes: attrs}
}

// gen returns a value of attribute a, the idx-th of a multi-valued one,
// or false for one the kit does not write (read-only, never returned).
func gen(a *schema.Attribute, seed, idx int) (any, bool) {
	if !writable(a) {
		return nil, false
	}
	if a.MultiValued {
		var list []any
		for i := range 2 {
			v, ok := genOne(a, seed, i)
			if !ok {
				return nil, false
			}
			list = append(list, v)
		}
		return list, true
	}
	return genOne(a, seed, idx)
}

func genOne(a *schema.Attribute, seed, idx int) (any, bool) {
	switch a.Type {
	case schema.Complex:
		m := map[string]any{}
		for _, sa := range a.SubAttributes {
			if sa.Name == "primary" && sa.Type == schema.Boolean && a.MultiValued {
				if idx == 0 {
					m["primary"] = true
				}
				continue
			}
			if v, ok := gen(sa, seed, idx); ok {
				m[sa.Name] = v
			}
		}
		return m, len(m) > 0
	case schema.Boolean:
		return (seed+idx)%2 == 1, true
	case schema.Integer:
		return json.Number(strconv.Itoa(seed*10 + idx)), true
	case schema.Decimal:
		return json.Number(fmt.Sprintf("%d.%d5", seed, idx)), true
	case schema.DateTime:
		return time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC).Add(time.Duration(seed*24+idx) * time.Hour).Format(time.RFC3339), true
	case schema.Reference:
		return fmt.Sprintf("https://example.com/%s/%d/%d", a.Name, seed, idx), true
	case schema.Binary:
		return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "%s %d %d", a.Name, seed, idx)), true
	default:
		if len(a.CanonicalValues) > 0 {
			return a.CanonicalValues[(seed+idx)%len(a.CanonicalValues)], true
		}
		return fmt.Sprintf("%s %d-%d Åé", strings.ToUpper(a.Name[:1])+a.Name[1:], seed, idx), true
	}
}
