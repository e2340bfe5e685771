package store

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

// This file is the toolkit for a store over a host's existing tables: the
// pieces such a store would otherwise write by hand, each with the same
// rules as the stores of this module.

// ListSlice answers q over resources, all of the listed type in the store's
// stable order, as List must (see [Store]): q.Filter evaluated with
// filter.Match, q.SortBy with the order of [schema.CompareSortKeys]
// (multi-valued attributes by their primary value, missing values last,
// ties in the order of resources), then StartIndex, Count and Total. A
// small store's List reads its rows into Resources and returns ListSlice of
// them; its cost is one filter evaluation per resource, so a store with many
// rows narrows resources first (say, to the row of a userName eq filter,
// which Okta sends before every create) and passes the rest.
//
// It returns ctx's error if ctx ends during the evaluation. resources are
// not modified.
func ListSlice(ctx context.Context, resources []*Resource, q Query) (*Page, error) {
	type match struct {
		res *Resource
		key schema.SortKey
	}
	var matched []match
	for i, r := range resources {
		if i%scanCheckEvery == scanCheckEvery-1 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if q.Filter == nil && q.SortBy.Name == "" {
			matched = append(matched, match{res: r})
			continue
		}
		obj := r.Object()
		if q.Filter != nil && !filter.Match(q.Filter, obj) {
			continue
		}
		m := match{res: r}
		if q.SortBy.Name != "" {
			m.key = sortKeyOf(obj, q.SortBy)
		}
		matched = append(matched, m)
	}
	if q.SortBy.Name != "" {
		slices.SortStableFunc(matched, func(a, b match) int { return schema.CompareSortKeys(a.key, b.key, q.Descending) })
	}
	lo := min(max(q.StartIndex, 1)-1, len(matched))
	hi := min(lo+max(q.Count, 0), len(matched))
	page := &Page{Total: len(matched), Resources: make([]*Resource, 0, hi-lo)}
	for _, m := range matched[lo:hi] {
		page.Resources = append(page.Resources, m.res)
	}
	return page, nil
}

// EqualityTerm finds in f a term `attribute eq "value"` that every match
// must satisfy (f itself, or one of the conjuncts of an and), for a
// top-level string attribute such as userName or externalId, and returns
// its value. A store narrows the rows it reads to those with that value
// (compared by the attribute's rule: [schema.Fold] for userName) and hands
// them to [ListSlice] with the whole filter; Okta and Entra ID send exactly
// such a lookup before every create.
func EqualityTerm(f filter.Expr, attribute string) (string, bool) {
	for _, c := range filter.Conjuncts(f) {
		cmp, ok := c.(*filter.Compare)
		if !ok || cmp.Op != filter.Eq || cmp.Path.URN != "" || cmp.Path.Sub != "" || cmp.Path.Name != attribute {
			continue
		}
		if s, ok := cmp.Value.(string); ok {
			return s, true
		}
	}
	return "", false
}

// ContentVersion returns a version (Meta.Version) computed from a
// resource's stored content: the first 96 bits of the SHA-256 of the JSON
// encoding of values, in base64url (16 characters). A store whose tables
// have no version column passes every column it maps (and its
// last-modified time); then every write that changes the row changes the
// version, the host application's own writes included, without a trigger,
// and compare-and-swap is "read the row, compare its version, update" in
// one transaction. Values must encode with encoding/json (strings,
// numbers, booleans, times, nil); ContentVersion panics otherwise, as that
// is a programming error.
func ContentVersion(values ...any) string {
	b, err := json.Marshal(values)
	if err != nil {
		panic("store: ContentVersion: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// MemberValues returns the "value" of every member in canonical data's
// "members" (a group's member ids), in order.
func MemberValues(attrs map[string]any) []string {
	list, _ := attrs["members"].([]any)
	out := make([]string, 0, len(list))
	for _, m := range list {
		if mm, ok := m.(map[string]any); ok {
			if v, ok := mm["value"].(string); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// CheckMembers checks the members of a group write (canonical data's
// "members") the way Create and Replace must (see [ErrInvalidReference]):
// names reports the resource type that an id names in the caller's tenant
// ("User", "Group"), or "" when it names nothing. A member naming nothing,
// or whose "type" is not what its id names, is a *[ReferenceError] (which
// wraps ErrInvalidReference). Call it inside the write's transaction, so
// that the check and the write are one atomic step; a store that keeps
// only users as members returns "" for group ids.
func CheckMembers(attrs map[string]any, names func(id string) (resourceType string, err error)) error {
	list, _ := attrs["members"].([]any)
	for _, m := range list {
		mm, _ := m.(map[string]any)
		v, _ := mm["value"].(string)
		typ, err := names(v)
		if err != nil {
			return err
		}
		if want, ok := mm["type"].(string); typ == "" || (ok && want != typ) {
			return &ReferenceError{Attribute: "members", Value: v}
		}
	}
	return nil
}
