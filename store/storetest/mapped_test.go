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
