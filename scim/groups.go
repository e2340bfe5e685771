package scim

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// User.groups (RFC 7643 §4.1.2) is read-only and maintained by the service
// provider: the groups a user is a direct member of, and the groups those
// groups are members of ("indirect"), each with value, $ref, display and
// type. The handler computes it when a response (or a Go API result)
// returns it and when a filter names it, from the store's member index
// (store.GroupLister) or, for stores without one, from List with a
// members[value eq …] filter. Writes to it are ignored as read-only.

// maxGroupDepth bounds how many levels of nested groups are followed for
// indirect memberships.
const maxGroupDepth = 32

// groupLookupChunk is how many ids one fallback List names (the filter
// parser's bound on attribute expressions).
const groupLookupChunk = filter.DefaultMaxTerms

// returnsGroups reports whether rt maintains "groups" and p (nil for the
// default set) returns it.
func (rt *resourceType) returnsGroups(p *schema.Projection) bool {
	if !rt.groups || p == nil { // returned by default
		return rt.groups
	}
	probe := map[string]any{"groups": []any{map[string]any{"value": "x", "display": "x", "type": "direct"}}}
	_, ok := rt.Render(probe, p)["groups"]
	return ok
}

// withGroups returns resources (all of rt) with "groups" set to what the
// store's memberships say; ref, if not nil, gives a group's $ref; known,
// if not nil, are the groups of the resources' ids as the store already
// gave them (store.Page.Groups). The resources are not modified.
func (h *Handler) withGroups(ctx context.Context, rt *resourceType, resources []*store.Resource, ref func(id string) string, known map[string][]store.GroupRef) ([]*store.Resource, error) {
	if !rt.groups || len(resources) == 0 {
		return resources, nil
	}
	direct := known
	if direct == nil {
		ids := make([]string, len(resources))
		for i, r := range resources {
			ids[i] = r.ID
		}
		var err error
		if direct, err = h.groupsOf(ctx, ids); err != nil {
			return nil, err
		}
	}
	if len(direct) == 0 {
		return resources, nil // stored data never holds groups
	}
	parents := map[string][]store.GroupRef{} // group id -> the groups listing it
	var frontier []string
	for _, refs := range direct {
		for _, g := range refs {
			frontier = append(frontier, g.ID)
		}
	}
	for depth := 0; len(frontier) > 0 && depth < maxGroupDepth; depth++ {
		var need []string
		asked := map[string]bool{}
		for _, id := range frontier {
			if _, done := parents[id]; !done && !asked[id] {
				asked[id] = true
				need = append(need, id)
			}
		}
		if len(parents)+len(need) > h.maxCandidates {
			return nil, &Error{Status: http.StatusBadRequest, ScimType: schema.ScimTooMany,
				Detail: "the groups of these users nest more than " + itoa(int64(h.maxCandidates)) + " groups deep and wide"}
		}
		got, err := h.groupsOf(ctx, need)
		if err != nil {
			return nil, err
		}
		frontier = frontier[:0]
		for _, id := range need {
			parents[id] = got[id]
			for _, g := range got[id] {
				frontier = append(frontier, g.ID)
			}
		}
	}
	out := make([]*store.Resource, len(resources))
	for i, r := range resources {
		list := h.groupList(direct[r.ID], parents, ref)
		if len(list) == 0 && r.Attributes["groups"] == nil {
			out[i] = r
			continue
		}
		attrs := maps.Clone(r.Attributes)
		meta := r.Meta
		if len(list) == 0 {
			delete(attrs, "groups")
		} else {
			attrs["groups"] = list
			meta.Version = groupsVersion(r.Meta.Version, list)
		}
		out[i] = &store.Resource{Type: r.Type, ID: r.ID, Attributes: attrs, Meta: meta}
	}
	return out, nil
}

// The version of a representation that returns groups. A user's groups
// change when the groups listing it change, which is no write to the user
// (its version counts its own writes), so such a representation carries
// a version of its own: the user's version, groupsMark and a digest of
// its groups (store.ContentVersion of each group's value, type and
// display, in value order; not $ref, which depends on the request's
// URL). Its ETag and meta.version change whenever the user or its groups
// do, so If-None-Match answers 304 only to a client whose copy is current,
// groups included (RFC 7644 §3.14); a user in no group, and a projection
// without groups, keep the user's version. If-Match accepts it as the
// user's version (resourceVersion): groups are read-only, so a write
// based on a copy whose groups are stale loses no change to them.
const groupsMark = ".g"

// groupsVersion returns the version of a representation of a resource at
// version whose "groups" value is list (not empty).
func groupsVersion(version string, list []any) string {
	parts := make([]any, 0, 3*len(list))
	els := make([]map[string]any, 0, len(list))
	for _, el := range list {
		if m, ok := el.(map[string]any); ok {
			els = append(els, m)
		}
	}
	slices.SortFunc(els, func(a, b map[string]any) int {
		x, _ := a["value"].(string)
		y, _ := b["value"].(string)
		return strings.Compare(x, y)
	})
	for _, m := range els {
		display, _ := m["display"].(string)
		parts = append(parts, m["value"], m["type"], display)
	}
	return version + groupsMark + store.ContentVersion(parts...)
}

// resourceVersion returns the version of the resource an entity tag's
// version names: tag itself, or for the version of a representation with
// groups (groupsVersion), the resource's version before the digest; ok is
// false when tag is no such version.
func resourceVersion(tag string) (version string, ok bool) {
	const digest = 16 // base64url characters of store.ContentVersion
	i := len(tag) - digest - len(groupsMark)
	if i < 0 || tag[i:i+len(groupsMark)] != groupsMark {
		return "", false
	}
	for _, c := range []byte(tag[i+len(groupsMark):]) {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return "", false
		}
	}
	return tag[:i], true
}

// groupList is the "groups" value of a member of the direct groups: those
// first, then the groups they are nested in, each once.
func (h *Handler) groupList(direct []store.GroupRef, parents map[string][]store.GroupRef, ref func(string) string) []any {
	seen := map[string]bool{}
	var list []any
	add := func(g store.GroupRef, kind string) {
		if seen[g.ID] {
			return
		}
		seen[g.ID] = true
		el := map[string]any{"value": g.ID, "type": kind}
		if g.Display != "" {
			el["display"] = g.Display
		}
		if ref != nil {
			el["$ref"] = ref(g.ID)
		}
		list = append(list, el)
	}
	for _, g := range direct {
		add(g, "direct")
	}
	queue := slices.Clone(direct)
	for len(queue) > 0 {
		g := queue[0]
		queue = queue[1:]
		for _, p := range parents[g.ID] {
			if !seen[p.ID] {
				add(p, "indirect")
				queue = append(queue, p)
			}
		}
	}
	return list
}

// groupsOf answers store.GroupLister.GroupsOf, from the store when it has
// the capability, else with List.
func (h *Handler) groupsOf(ctx context.Context, ids []string) (map[string][]store.GroupRef, error) {
	if gl, ok := h.store.(store.GroupLister); ok {
		return gl.GroupsOf(ctx, ids)
	}
	out := map[string][]store.GroupRef{}
	grt := h.groupType
	if grt == nil {
		return out, nil
	}
	for chunk := range slices.Chunk(ids, groupLookupChunk) {
		var terms []string
		for _, id := range chunk {
			terms = append(terms, `value eq `+string(schema.AppendJSONString(nil, id)))
		}
		f, err := grt.parser.Parse("members[" + strings.Join(terms, " or ") + "]")
		if err != nil {
			return nil, err
		}
		page, err := h.query(ctx, grt, store.Query{Filter: f, StartIndex: 1, Count: h.maxCandidates + 1})
		if err != nil {
			return nil, err
		}
		if len(page.Resources) > h.maxCandidates {
			return nil, &Error{Status: http.StatusBadRequest, ScimType: schema.ScimTooMany,
				Detail: "these resources are members of more than " + itoa(int64(h.maxCandidates)) + " groups"}
		}
		for _, g := range page.Resources {
			name, _ := g.Attributes["displayName"].(string)
			for _, v := range store.MemberValues(g.Attributes) {
				if slices.Contains(chunk, v) && !slices.ContainsFunc(out[v], func(r store.GroupRef) bool { return r.ID == g.ID }) {
					out[v] = append(out[v], store.GroupRef{ID: g.ID, Display: name})
				}
			}
		}
	}
	return out, nil
}

// namesGroups reports whether e names the "groups" attribute.
func namesGroups(e filter.Expr) bool {
	return filter.AnyPath(e, func(p filter.AttrPath) bool { return p.URN == "" && p.Name == "groups" })
}

// queryGroups answers sq, whose filter names "groups": the store selects
// candidates by the rest of the filter (at most MaxFilterCandidates), and
// the whole filter is evaluated on them with their groups.
func (h *Handler) queryGroups(ctx context.Context, rt *resourceType, sq store.Query) (*store.Page, error) {
	var rest []filter.Expr
	for _, c := range filter.Conjuncts(sq.Filter) {
		if !namesGroups(c) {
			rest = append(rest, c)
		}
	}
	cand, err := h.candidates(ctx, sq, filter.AndOf(rest...), sq.Filter, func(q store.Query) (*store.Page, error) { return h.query(ctx, rt, q) })
	if err != nil {
		return nil, err
	}
	with, err := h.withGroups(ctx, rt, cand, nil, nil)
	if err != nil {
		return nil, err
	}
	return pageMatching(cand, sq, func(i int) bool { return filter.Match(sq.Filter, with[i].Object()) }), nil
}
