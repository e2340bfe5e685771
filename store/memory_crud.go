package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Create stores a copy of r with a new ID and Meta (Created equal to
// LastModified) and returns it. The ID and Meta of r are ignored. It returns
// an error wrapping ErrConflict if a unique attribute's value is taken.
func (m *Memory) Create(ctx context.Context, r *Resource) (*Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r == nil || r.Type == "" {
		return nil, errors.New("store: Create needs a resource with a type")
	}
	tenant := m.tenantOf(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	sp := m.spaceFor(tenant, true)
	t := m.tableFor(sp, r.Type)
	if err := t.checkUnique(r.Attributes, nil); err != nil {
		return nil, err
	}
	if r.Type == groupType {
		if err := sp.checkMembers(r.Attributes[membersAttr], ""); err != nil {
			return nil, err
		}
	}
	id := m.newID()
	if id == "" {
		return nil, errors.New("store: the id generator returned an empty id")
	}
	if _, taken := t.byID[id]; taken {
		return nil, fmt.Errorf("store: the id generator returned %q, which is in use", id)
	}
	now := m.now().UTC()
	res := &Resource{
		Type:       r.Type,
		ID:         id,
		Attributes: r.Attributes,
		Meta:       Meta{Created: now, LastModified: now, Version: sp.nextVersion()},
	}
	m.seq++
	rec := &record{seq: m.seq, pos: len(t.order)}
	rec.self[0] = rec
	rec.setWhole(res)
	t.byID[id] = rec
	t.order = append(t.order, rec)
	t.seqs = append(t.seqs, rec.seq)
	t.index(rec)
	if r.Type == groupType {
		sp.link(id, rec)
	}
	if m.feed {
		m.record(tenant, sp, ChangeFor(ctx, Created, r.Type, id, res.Meta.Version, nil, r.Attributes), now)
	}
	return res, nil
}

// Get returns the stored resource, or an error wrapping ErrNotFound.
func (m *Memory) Get(ctx context.Context, typ, id string) (*Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tenant := m.tenantOf(ctx)
	m.mu.RLock()
	defer m.mu.RUnlock()
	rec, err := m.lookup(tenant, typ, id)
	if err != nil {
		return nil, err
	}
	return rec.current().res, nil
}

// lookup returns the record of typ/id or an error wrapping ErrNotFound.
// m.mu must be held.
func (m *Memory) lookup(tenant, typ, id string) (*record, error) {
	if t := m.table(tenant, typ); t != nil {
		if rec := t.byID[id]; rec != nil {
			return rec, nil
		}
	}
	return nil, fmt.Errorf("%w: %s %q", ErrNotFound, typ, id)
}

// checkVersion returns an error wrapping ErrVersionMismatch unless
// ifVersion is empty or the version of rec.
func checkVersion(rec *record, ifVersion string) error {
	if cur := rec.base.Meta.Version; ifVersion != "" && ifVersion != cur {
		return fmt.Errorf("%w: %s %q is at version %q, not %q", ErrVersionMismatch, rec.base.Type, rec.base.ID, cur, ifVersion)
	}
	return nil
}

// Replace stores a copy of r in place of the resource r.Type/r.ID, with
// Meta.Created kept, a new LastModified and a new Version, and returns it.
// The Meta of r is ignored. See [Store] for the ifVersion rule and errors.
func (m *Memory) Replace(ctx context.Context, r *Resource, ifVersion string) (*Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, errors.New("store: Replace needs a resource")
	}
	tenant := m.tenantOf(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, err := m.lookup(tenant, r.Type, r.ID)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(rec, ifVersion); err != nil {
		return nil, err
	}
	sp := m.spaces[tenant]
	t := sp.tables[r.Type]
	if err := t.checkUnique(r.Attributes, rec); err != nil {
		return nil, err
	}
	if r.Type == groupType {
		// Only members the group does not list yet are checked: a nested
		// group deleted since it was added stays listed until a write
		// drops it, and must not block writes that keep it.
		typed := func(el any) (string, bool) {
			v, ok := elementValue(el)
			if !ok {
				return "", false
			}
			typ, _ := el.(map[string]any)["type"].(string)
			return v + "\x00" + typ, true
		}
		have := map[string]bool{}
		rec.members(func(el any) {
			if k, ok := typed(el); ok {
				have[k] = true
			}
		})
		l, _ := r.Attributes[membersAttr].([]any)
		for _, el := range l {
			if k, ok := typed(el); ok && have[k] {
				continue
			}
			if err := sp.checkMember(el, r.ID); err != nil {
				return nil, err
			}
		}
	}
	old := rec.base
	res := &Resource{
		Type:       old.Type,
		ID:         old.ID,
		Attributes: r.Attributes,
		Meta:       Meta{Created: old.Meta.Created, LastModified: m.now().UTC(), Version: sp.nextVersion()},
	}
	var c Change
	if m.feed {
		var hint bool
		if c, hint = hinted(ctx, Replaced, r.Type, r.ID, res.Meta.Version); !hint {
			c = ChangeOf(Replaced, r.Type, r.ID, res.Meta.Version, rec.current().res.Attributes, r.Attributes)
		}
	}
	if r.Type == groupType {
		sp.unlink(old.ID, rec)
	}
	t.unindex(rec)
	rec.setWhole(res)
	t.index(rec)
	if r.Type == groupType {
		sp.link(old.ID, rec)
	}
	if m.feed {
		m.record(tenant, sp, c, res.Meta.LastModified)
	}
	return res, nil
}

// Delete removes the resource typ/id. See [Store] for the ifVersion rule
// and errors. Deleting a User also removes it from the members of every
// Group.
func (m *Memory) Delete(ctx context.Context, typ, id, ifVersion string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tenant := m.tenantOf(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, err := m.lookup(tenant, typ, id)
	if err != nil {
		return err
	}
	if err := checkVersion(rec, ifVersion); err != nil {
		return err
	}
	sp := m.spaces[tenant]
	t := sp.tables[typ]
	t.unindex(rec)
	delete(t.byID, id)
	t.order[rec.pos] = nil
	t.holes++
	t.compact()
	switch typ {
	case groupType:
		sp.unlink(id, rec)
	case userType:
		m.dropMember(sp, id)
	}
	if m.feed {
		m.record(tenant, sp, ChangeFor(ctx, Deleted, typ, id, "", nil, nil), time.Time{})
	}
	return nil
}
