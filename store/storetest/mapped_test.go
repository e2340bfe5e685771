package storetest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// trimmedConfig declares what mappedStore keeps: users(id, userName,
// given_name, family_name, display_name, active), groups(id, name) and
// group_members(group_id, user_id).
func trimmedConfig() Config {
	user := schema.UserResourceType()
	user.Schema = user.Schema.Keep("userName", "name.givenName", "name.familyName", "displayName", "active")
	group := schema.GroupResourceType()
	group.Schema = group.Schema.Keep("displayName", "members.value")
	return Config{ResourceTypes: []*schema.ResourceType{user, group}, NoNestedGroups: true, NoExternalID: true}
}

// TestRunWithMappedStore shows that a store over a host's own tables,
// which holds only some attributes and no nested groups, passes the kit
// when it declares so.
func TestRunWithMappedStore(t *testing.T) {
	RunWith(t, trimmedConfig(), func(*testing.T) store.Store { return &mappedStore{} })
}

// mappedUser and mappedGroup are rows of the host's tables.
type mappedUser struct {
	id, userName, givenName, familyName, displayName string
	active                                           *bool
	meta                                             store.Meta
}

type mappedGroup struct {
	id, name string
	members  []string // user ids, as group_members rows in insertion order
	meta     store.Meta
}

// mappedStore keeps SCIM users and groups as rows with one field per
// column; whatever else a resource holds is not kept.
type mappedStore struct {
	mu      sync.Mutex
	seq     int
	users   []*mappedUser
	groups  []*mappedGroup
	version int
}

func (s *mappedStore) meta(created time.Time) store.Meta {
	s.version++
	now := time.Now().UTC()
	if created.IsZero() {
		created = now
	}
	return store.Meta{Created: created, LastModified: now, Version: "v" + strconv.Itoa(s.version)}
}

func str(m map[string]any, k string) string { v, _ := m[k].(string); return v }

// put sets the row of r (a new one for an empty id) after checking
// uniqueness and member references. s.mu must be held.
func (s *mappedStore) put(r *store.Resource, created time.Time) (*store.Resource, error) {
	meta := s.meta(created)
	switch r.Type {
	case "User":
		for _, o := range s.users {
			if o.id != r.ID && schema.Fold(o.userName) == schema.Fold(str(r.Attributes, "userName")) {
				return nil, &store.ConflictError{Attribute: "userName", Value: str(r.Attributes, "userName")}
			}
		}
		name, _ := r.Attributes["name"].(map[string]any)
		u := &mappedUser{id: r.ID, userName: str(r.Attributes, "userName"), givenName: str(name, "givenName"),
			familyName: str(name, "familyName"), displayName: str(r.Attributes, "displayName"), meta: meta}
		if a, ok := r.Attributes["active"].(bool); ok {
			u.active = &a
		}
		if i := slices.IndexFunc(s.users, func(o *mappedUser) bool { return o.id == r.ID }); i >= 0 {
			s.users[i] = u
		} else {
			s.users = append(s.users, u)
		}
		return u.resource(), nil
	case "Group":
		g := &mappedGroup{id: r.ID, name: str(r.Attributes, "displayName"), meta: meta}
		members, _ := r.Attributes["members"].([]any)
		for _, el := range members {
			m, _ := el.(map[string]any)
			v := str(m, "value")
			if typ := str(m, "type"); (typ != "" && typ != "User") || !slices.ContainsFunc(s.users, func(u *mappedUser) bool { return u.id == v }) {
				return nil, &store.ReferenceError{Attribute: "members", Value: v}
			}
			g.members = append(g.members, v)
		}
		if i := slices.IndexFunc(s.groups, func(o *mappedGroup) bool { return o.id == r.ID }); i >= 0 {
			s.groups[i] = g
		} else {
			s.groups = append(s.groups, g)
		}
		return g.resource(), nil
	}
	return nil, fmt.Errorf("mapped: no table for %q", r.Type)
}

func (u *mappedUser) resource() *store.Resource {
	attrs := map[string]any{"userName": u.userName}
	name := map[string]any{}
	for k, v := range map[string]string{"givenName": u.givenName, "familyName": u.familyName} {
		if v != "" {
			name[k] = v
		}
	}
	if len(name) > 0 {
		attrs["name"] = name
	}
	if u.displayName != "" {
		attrs["displayName"] = u.displayName
	}
	if u.active != nil {
		attrs["active"] = *u.active
	}
	return &store.Resource{Type: "User", ID: u.id, Attributes: attrs, Meta: u.meta}
}

func (g *mappedGroup) resource() *store.Resource {
	attrs := map[string]any{"displayName": g.name}
	var members []any
	for _, id := range g.members {
		members = append(members, map[string]any{"value": id})
	}
	if len(members) > 0 {
		attrs["members"] = members
	}
	return &store.Resource{Type: "Group", ID: g.id, Attributes: attrs, Meta: g.meta}
}

// get returns the current resource typ/id, or nil. s.mu must be held.
func (s *mappedStore) get(typ, id string) *store.Resource {
	for _, r := range s.all(typ) {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// all returns every resource of typ in insertion order. s.mu must be held.
func (s *mappedStore) all(typ string) []*store.Resource {
	var out []*store.Resource
	if typ == "User" {
		for _, u := range s.users {
			out = append(out, u.resource())
		}
	}
	if typ == "Group" {
		for _, g := range s.groups {
			out = append(out, g.resource())
		}
	}
	return out
}

func (s *mappedStore) Create(_ context.Context, r *store.Resource) (*store.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return s.put(&store.Resource{Type: r.Type, ID: "row-" + strconv.Itoa(s.seq), Attributes: r.Attributes}, time.Time{})
}

func (s *mappedStore) Get(_ context.Context, typ, id string) (*store.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.get(typ, id); r != nil {
		return r, nil
	}
	return nil, fmt.Errorf("%w: %s %q", store.ErrNotFound, typ, id)
}

// current returns the resource typ/id after the ifVersion rule. s.mu must be held.
func (s *mappedStore) current(typ, id, ifVersion string) (*store.Resource, error) {
	cur := s.get(typ, id)
	if cur == nil {
		return nil, fmt.Errorf("%w: %s %q", store.ErrNotFound, typ, id)
	}
	if ifVersion != "" && ifVersion != cur.Meta.Version {
		return nil, fmt.Errorf("%w: %q", store.ErrVersionMismatch, ifVersion)
	}
	return cur, nil
}

func (s *mappedStore) Replace(_ context.Context, r *store.Resource, ifVersion string) (*store.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.current(r.Type, r.ID, ifVersion)
	if err != nil {
		return nil, err
	}
	return s.put(r, cur.Meta.Created)
}

func (s *mappedStore) Delete(_ context.Context, typ, id, ifVersion string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.current(typ, id, ifVersion); err != nil {
		return err
	}
	s.users = slices.DeleteFunc(s.users, func(u *mappedUser) bool { return typ == "User" && u.id == id })
	s.groups = slices.DeleteFunc(s.groups, func(g *mappedGroup) bool { return typ == "Group" && g.id == id })
	for i, g := range s.groups {
		if typ == "User" && slices.Contains(g.members, id) {
			c := *g
			c.members = slices.DeleteFunc(slices.Clone(g.members), func(m string) bool { return m == id })
			c.meta = s.meta(g.meta.Created)
			s.groups[i] = &c
		}
	}
	return nil
}

func (s *mappedStore) List(_ context.Context, typ string, q store.Query) (*store.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*store.Resource
	for _, r := range s.all(typ) {
		if q.Filter == nil || filter.Match(q.Filter, r.Object()) {
			match = append(match, r)
		}
	}
	if q.SortBy.Name != "" {
		key := func(r *store.Resource) schema.SortKey {
			return q.SortBy.Leaf().SortKey(sortValue(r.Object(), q.SortBy))
		}
		slices.SortStableFunc(match, func(a, b *store.Resource) int {
			return schema.CompareSortKeys(key(a), key(b), q.Descending)
		})
	}
	lo := min(q.StartIndex-1, len(match))
	return &store.Page{Resources: match[lo:min(lo+q.Count, len(match))], Total: len(match)}, nil
}

// sortValue returns the value of p in obj; a multi-valued attribute gives
// its primary element, else its first.
func sortValue(obj map[string]any, p filter.AttrPath) any {
	pick := func(v any) any {
		list, ok := v.([]any)
		if !ok || len(list) == 0 {
			return v
		}
		for _, e := range list {
			if m, ok := e.(map[string]any); ok && m["primary"] == true {
				return e
			}
		}
		return list[0]
	}
	if p.URN != "" {
		obj, _ = obj[p.URN].(map[string]any)
	}
	v := pick(obj[p.Name])
	if p.Sub != "" {
		m, _ := v.(map[string]any)
		v = pick(m[p.Sub])
	}
	return v
}

// TestRunMappedStoreUndeclared shows that the same store fails the kit
// when it claims the defaults: it loses the attributes it has no column
// for, and refuses groups as members.
func TestRunMappedStoreUndeclared(t *testing.T) {
	rec := newRecorder(func() store.Store { return &mappedStore{} })
	runAll(rec, mustKit(t, Config{}))
	failed := rec.failedTests()
	for _, name := range []string{"Create", "Replace", "MemberReferences", "ExternalIDNotUnique", "Filter"} {
		if !slices.Contains(failed, name) {
			t.Errorf("check %s passed on a store that keeps less than it declares; failed: %v", name, failed)
		}
	}
}

func TestNewKitErrors(t *testing.T) {
	user := func(keep ...string) *schema.ResourceType {
		rt := schema.UserResourceType()
		rt.Schema = rt.Schema.Keep(keep...)
		return rt
	}
	group := func(keep ...string) *schema.ResourceType {
		rt := schema.GroupResourceType()
		rt.Schema = rt.Schema.Keep(keep...)
		return rt
	}
	tests := []struct {
		name, reason string
		types        []*schema.ResourceType
	}{
		{name: "no userName", reason: "uniqueness is checked on userName", types: []*schema.ResourceType{user("displayName")}},
		{name: "no members", reason: "member references are checked", types: []*schema.ResourceType{group("displayName")}},
		{name: "no group displayName", reason: "groups are told apart by displayName", types: []*schema.ResourceType{group("members")}},
		{name: "other type", reason: "the kit checks User and Group only",
			types: []*schema.ResourceType{{Name: "Device", Schema: &schema.Schema{ID: "urn:x:Device"}}}},
		{name: "nil", reason: "a nil resource type", types: []*schema.ResourceType{nil}},
	}
	for _, tc := range tests {
		if _, err := newKit(Config{ResourceTypes: tc.types}); err == nil {
			t.Errorf("%s: newKit gave no error (%s)", tc.name, tc.reason)
		}
	}
	k, err := newKit(trimmedConfig())
	if err != nil {
		t.Fatal(err)
	}
	if k.payloadName() != "displayName" || k.memberType || k.memberDisplay || k.groupExtra != "" {
		t.Errorf("trimmed kit: payload %s, member type %v, member display %v, group attribute %q; want displayName, false, false, \"\"",
			k.payloadName(), k.memberType, k.memberDisplay, k.groupExtra)
	}
	k, err = newKit(Config{ResourceTypes: []*schema.ResourceType{user("userName", "name.givenName", "emails")}})
	if err != nil {
		t.Fatal(err)
	}
	if k.payloadName() != "name.givenName" {
		t.Errorf("payload %s, want name.givenName (the only single-valued string besides userName)", k.payloadName())
	}
	k, err = newKit(Config{ResourceTypes: []*schema.ResourceType{user("userName", "active")}})
	if err != nil {
		t.Fatal(err)
	}
	if k.payloadName() != "userName" {
		t.Errorf("payload %s, want userName (no other string)", k.payloadName())
	}
}

// TestRunWithOnlyUserName runs the kit on a store that declares userName
// alone: the payload falls back to userName.
func TestRunWithOnlyUserName(t *testing.T) {
	user := schema.UserResourceType()
	user.Schema = user.Schema.Keep("userName")
	cfg := trimmedConfig()
	cfg.ResourceTypes[0] = user
	RunWith(t, cfg, func(*testing.T) store.Store { return &mappedStore{} })
}

// customConfig declares a User extension with an attribute of every type.
func customConfig() Config {
	ext := &schema.Schema{ID: "urn:example:params:scim:schemas:extension:app:2.0:User", Name: "App", Attributes: []*schema.Attribute{
		{Name: "level", Type: schema.Integer},
		{Name: "score", Type: schema.Decimal},
		{Name: "hired", Type: schema.DateTime},
		{Name: "badge", Type: schema.Binary},
		{Name: "homepage", Type: schema.Reference, ReferenceTypes: []string{"external"}},
		{Name: "tags", Type: schema.String, MultiValued: true},
		{Name: "code", Type: schema.String, CaseExact: true, Uniqueness: schema.UniqueNone},
		{Name: "flags", Type: schema.Complex, SubAttributes: []*schema.Attribute{
			{Name: "on", Type: schema.Boolean},
			{Name: "count", Type: schema.Integer},
			{Name: "computed", Type: schema.String, Mutability: schema.ReadOnly},
		}},
		{Name: "secret", Type: schema.String, Mutability: schema.WriteOnly, Returned: schema.Never},
	}}
	return Config{ResourceTypes: []*schema.ResourceType{schema.UserResourceType(schema.EnterpriseUserSchema(), ext)}}
}

// TestRich checks that the generated resources are canonical data of
// their type, use every writable attribute and no other, and differ
// between seeds.
func TestRich(t *testing.T) {
	for name, cfg := range map[string]Config{"default": {}, "trimmed": trimmedConfig(), "custom": customConfig()} {
		k := mustKit(t, cfg)
		for _, typ := range []string{"User", "Group"} {
			rt := k.types[typ]
			a, b := k.rich(typ, 1, "u-1", "u-2"), k.rich(typ, 2, "u-1")
			if err := rt.Validate(a.Attributes); err != nil {
				t.Errorf("%s %s: rich data is not valid: %v", name, typ, err)
			}
			norm, ignored, err := rt.Normalize(a.Attributes)
			if err != nil || len(ignored) > 0 {
				t.Errorf("%s %s: Normalize(rich) ignored %q, error %v", name, typ, ignored, err)
			} else if diff := diffValues(a.Attributes, norm); diff != "" {
				t.Errorf("%s %s: rich data is not canonical:\n%s", name, typ, diff)
			}
			if diff := diffValues(a.Attributes, k.trim(typ, a.Attributes)); diff != "" {
				t.Errorf("%s %s: rich data holds what the store does not declare:\n%s", name, typ, diff)
			}
			if typ == "User" && a.Attributes["userName"] == b.Attributes["userName"] {
				t.Errorf("%s: two seeds give the userName %v", name, a.Attributes["userName"])
			}
		}
	}
	k := mustKit(t, customConfig())
	app := k.rich("User", 3).Attributes["urn:example:params:scim:schemas:extension:app:2.0:User"].(map[string]any)
	for _, want := range []string{"level", "score", "hired", "badge", "homepage", "tags", "code", "flags"} {
		if _, ok := app[want]; !ok {
			t.Errorf("custom extension: no value for %s in %v", want, app)
		}
	}
	for _, never := range []string{"secret"} {
		if _, ok := app[never]; ok {
			t.Errorf("custom extension: a value for the never returned %s", never)
		}
	}
	if flags, _ := app["flags"].(map[string]any); len(flags) != 2 {
		t.Errorf("custom extension: flags = %v, want on and count (computed is read-only)", app["flags"])
	}
}

func TestRunWithCustomExtension(t *testing.T) {
	RunWith(t, customConfig(), func(*testing.T) store.Store { return &naive{} })
	RunWith(t, customConfig(), func(*testing.T) store.Store { return store.NewMemory() })
}

// TestRunWithConfigs runs the kit on the correct reference store declared
// in several ways: whatever a store declares, a store that keeps it passes.
func TestRunWithConfigs(t *testing.T) {
	keep := func(rt *schema.ResourceType, names ...string) *schema.ResourceType {
		rt.Schema = rt.Schema.Keep(names...)
		for i, e := range rt.Extensions {
			if e.Schema.ID == schema.EnterpriseUserURN {
				rt.Extensions[i].Schema = e.Schema.Keep("department")
			}
		}
		return rt
	}
	custom := keep(schema.UserResourceType(), "userName", "name", "active")
	custom.Schema.Attributes = append([]*schema.Attribute{{Name: "badgeCode", Type: schema.String}}, custom.Schema.Attributes...)
	configs := map[string]Config{
		"emails without primary": {ResourceTypes: []*schema.ResourceType{
			keep(schema.UserResourceType(schema.EnterpriseUserSchema()), "userName", "emails.value", "emails.type", "title"),
			keep(schema.GroupResourceType(), "displayName", "members.value", "members.type"),
		}},
		"sub-attribute payload": {NoNestedGroups: true, ResourceTypes: []*schema.ResourceType{
			keep(schema.UserResourceType(), "userName", "name.familyName", "emails", "active"),
			keep(schema.GroupResourceType(), "displayName", "members.value", "members.display"),
		}},
		"nested groups without member types": {NoExternalID: true, ResourceTypes: []*schema.ResourceType{
			keep(schema.GroupResourceType(), "displayName", "members.value"),
		}},
		"nickName payload": {ResourceTypes: []*schema.ResourceType{
			keep(schema.UserResourceType(), "userName", "nickName", "title", "active"),
		}},
		"custom core attribute payload": {ResourceTypes: []*schema.ResourceType{custom}},
		"users only with member types": {NoNestedGroups: true, ResourceTypes: []*schema.ResourceType{
			keep(schema.GroupResourceType(), "displayName", "members.value", "members.type"),
		}},
	}
	for name, cfg := range configs {
		t.Run(name, func(t *testing.T) {
			RunWith(t, cfg, func(*testing.T) store.Store { return &naive{usersOnly: cfg.NoNestedGroups} })
		})
	}
}
