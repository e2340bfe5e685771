package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/store"
)

var _ store.GroupLister = (*Store)(nil)

// groupsOfChunk bounds the ids one GroupsOf statement names.
const groupsOfChunk = 500

// GroupsOf implements store.GroupLister from the members table's
// (tenant, value) index: the groups whose members name each id, with their
// displayName, one statement per 500 ids, without reading member lists.
func (s *Store) GroupsOf(ctx context.Context, ids []string) (_ map[string][]store.GroupRef, err error) {
	ctx, done := s.bound(ctx, false)
	defer done(&err)
	ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !validText(id) })
	var out map[string][]store.GroupRef
	tenant := s.tenant(ctx)
	display := s.d.jsonText("r.attrs", []string{"displayName"})
	for chunk := range slices.Chunk(ids, groupsOfChunk) {
		q := `SELECT m.value, m.group_id, ` + display + ` FROM scim_members m
			JOIN scim_resources r ON r.tenant = m.tenant AND r.id = m.group_id AND ` + typeOfID(s.d, "r.type", "?") + `
			WHERE m.tenant = ? AND m.value IN (?` + strings.Repeat(", ?", len(chunk)-1) + `) ORDER BY m.value, m.group_id`
		args := []any{groupType, tenant}
		for _, id := range chunk {
			args = append(args, id)
		}
		err := s.read(ctx, rebind(s.d, q), args, func(sc scanner) error {
			var value, gid string
			var name sql.NullString
			if err := sc.Scan(&value, &gid, &name); err != nil {
				return err
			}
			if out == nil {
				out = make(map[string][]store.GroupRef, len(ids))
			}
			out[value] = append(out[value], store.GroupRef{ID: gid, Display: name.String})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
