package store

import (
	"context"
	"slices"
	"strings"
)

// userMember returns the value of a member element that may name a user:
// one whose "type" is absent or not "Group".
func userMember(el any) (string, bool) {
	v, isGroup, ok := memberRef(el)
	return v, ok && !isGroup
}

// memberRef returns the value of a member element and whether it is typed
// "Group".
func memberRef(el any) (value string, isGroup, ok bool) {
	mm, isMap := el.(map[string]any)
	if !isMap {
		return "", false, false
	}
	typ, _ := mm["type"].(string)
	v, _ := mm["value"].(string)
	return v, typ == groupType, v != ""
}

// sameMember reports whether the listed element have (nil if none) has the
// value and type of el.
func sameMember(have any, el map[string]any) bool {
	h, ok := have.(map[string]any)
	if !ok {
		return false
	}
	ht, _ := h["type"].(string)
	et, _ := el["type"].(string)
	return h["value"] == el["value"] && ht == et
}

// checkMembers returns an error wrapping ErrInvalidReference if a member
// in list (a new group's "members") names no existing resource of sp. self
// is the id of the group being written, which may list itself.
func (sp *space) checkMembers(list any, self string) error {
	l, _ := list.([]any)
	for _, el := range l {
		if err := sp.checkMember(el, self); err != nil {
			return err
		}
	}
	return nil
}

// checkMember checks one member element: type "Group" must name a group,
// type "User" a user, and no type either.
func (sp *space) checkMember(el any, self string) error {
	mm, ok := el.(map[string]any)
	if !ok {
		return nil
	}
	v, ok := mm["value"].(string)
	if !ok || v == self {
		return nil
	}
	exists := func(typ string) bool {
		t := sp.tables[typ]
		if t == nil {
			return false
		}
		_, ok := t.byID[v]
		return ok
	}
	typ, _ := mm["type"].(string)
	switch {
	case typ == groupType && exists(groupType),
		typ == userType && exists(userType),
		typ != groupType && typ != userType && (exists(userType) || exists(groupType)):
		return nil
	}
	return &ReferenceError{Attribute: membersAttr, Value: v}
}

// linkOne records that group gid has the member el: in nestedIn if it is
// typed "Group", else in memberOf (it may name a user).
func (sp *space) linkOne(gid string, el any) {
	id, isGroup, ok := memberRef(el)
	if !ok {
		return
	}
	index := sp.memberOf
	if isGroup {
		index = sp.nestedIn
	}
	set := index[id]
	if set == nil {
		set = make(map[string]struct{}, 1)
		index[id] = set
	}
	set[gid] = struct{}{}
}

// unlinkOne forgets that group gid has the member el.
func (sp *space) unlinkOne(gid string, el any) {
	id, isGroup, ok := memberRef(el)
	if !ok {
		return
	}
	index := sp.memberOf
	if isGroup {
		index = sp.nestedIn
	}
	if set := index[id]; set != nil {
		delete(set, gid)
		if len(set) == 0 {
			delete(index, id)
		}
	}
}

// GroupsOf returns the groups whose members list each of ids, from the
// member indexes: constant time per group found.
func (m *Memory) GroupsOf(ctx context.Context, ids []string) (map[string][]GroupRef, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tenant := m.tenantOf(ctx)
	m.mu.RLock()
	defer m.mu.RUnlock()
	sp := m.spaces[tenant]
	var out map[string][]GroupRef // made when a first group is found
	if sp == nil || sp.tables[groupType] == nil {
		return out, nil
	}
	groups := sp.tables[groupType]
	for _, id := range ids {
		if _, done := out[id]; done {
			continue
		}
		direct, nested := sp.memberOf[id], sp.nestedIn[id]
		if len(direct)+len(nested) == 0 {
			continue
		}
		refs := make([]GroupRef, 0, len(direct)+len(nested))
		for _, index := range []map[string]struct{}{direct, nested} {
			for gid := range index {
				rec := groups.byID[gid]
				if rec == nil {
					continue
				}
				name, _ := rec.current().res.Attributes["displayName"].(string)
				refs = append(refs, GroupRef{ID: gid, Display: name})
			}
		}
		slices.SortFunc(refs, func(a, b GroupRef) int { return strings.Compare(a.ID, b.ID) })
		if out == nil {
			out = make(map[string][]GroupRef, len(ids))
		}
		out[id] = slices.CompactFunc(refs, func(a, b GroupRef) bool { return a.ID == b.ID })
	}
	return out, nil
}

// link records the members of the group rec (with id gid).
func (sp *space) link(gid string, rec *record) {
	rec.members(func(el any) { sp.linkOne(gid, el) })
}

// unlink forgets the members of the group rec (with id gid).
func (sp *space) unlink(gid string, rec *record) {
	rec.members(func(el any) { sp.unlinkOne(gid, el) })
}

// dropMember removes the deleted user uid from the members of every group
// of sp that has it, writing each such group anew. A group whose members
// can be held in a member set is converted to one, so that the removal
// (and the next ones) cost constant time; the others get a new list.
func (m *Memory) dropMember(sp *space, uid string) {
	gids := sp.memberOf[uid]
	if len(gids) == 0 {
		return
	}
	delete(sp.memberOf, uid)
	groups := sp.tables[groupType]
	if groups == nil {
		return
	}
	now := m.now().UTC()
	for gid := range gids {
		rec := groups.byID[gid]
		if rec == nil {
			continue
		}
		if rec.set == nil || rec.set.attr != membersAttr {
			rec.toSet(membersAttr)
		}
		old := rec.base
		if rec.set != nil && rec.set.attr == membersAttr {
			if _, ok := userMember(rec.set.get(uid)); !ok {
				continue
			}
			rec.set.remove(uid)
			rec.base = &Resource{Type: old.Type, ID: old.ID, Attributes: old.Attributes,
				Meta: Meta{Created: old.Meta.Created, LastModified: now, Version: sp.nextVersion()}}
			rec.view.Store(nil)
			continue
		}
		// Members in a form no member set holds (repeated values):
		// rebuild the list without the user.
		members, _ := old.Attributes[membersAttr].([]any)
		kept := make([]any, 0, len(members))
		for _, mv := range members {
			if v, ok := userMember(mv); ok && v == uid {
				continue
			}
			kept = append(kept, mv)
		}
		attrs := make(map[string]any, len(old.Attributes))
		for k, v := range old.Attributes {
			attrs[k] = v
		}
		if len(kept) == 0 {
			delete(attrs, membersAttr)
		} else {
			attrs[membersAttr] = kept
		}
		// Only members changed: the attribute indexes stay valid.
		rec.setWhole(&Resource{Type: old.Type, ID: old.ID, Attributes: attrs,
			Meta: Meta{Created: old.Meta.Created, LastModified: now, Version: sp.nextVersion()}})
	}
}
