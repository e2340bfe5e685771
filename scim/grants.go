package scim

import (
	"context"
	"maps"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// Grant is one role or entitlement that a write gave a user or took away
// (store.Grant). Change.Granted and Change.Revoked carry them, so that a
// host maps them onto its own permissions: Okta Identity Governance grants
// by a full-set PUT of the user (an element missing from it is revoked),
// Entra ID by POST and PATCH (see Config.Catalogs).
type Grant = store.Grant

// changeOf is store.ChangeOf for a write of rt that makes old into next,
// with the grants it gives and takes away; what changed is worked out
// only when someone reads it (Config.OnChange, or a store with a change
// feed).
func (h *Handler) changeOf(rt *resourceType, kind ChangeKind, id string, old, next map[string]any) store.Change {
	if !h.changes {
		return store.Change{Kind: kind, Type: rt.Name, ID: id}
	}
	c := store.ChangeOf(kind, rt.Name, id, "", old, next)
	c.Granted, c.Revoked = grantDelta(rt, old, next)
	return c
}

// withChange passes c to the store with the context of its write
// (store.WithChange) when changeOf worked it out; otherwise the context is
// left as it is, and a store that records changes anyway (a feed behind a
// wrapper that hides it) works out its own (store.ChangeFor).
func (h *Handler) withChange(ctx context.Context, c store.Change) context.Context {
	if !h.changes {
		return ctx
	}
	return store.WithChange(ctx, c)
}

// grantDelta returns the grants in next but not in old, and in old but not
// in next, for each grant attribute of rt (schema.Attribute.Grant), by the
// elements' identity (schema.Attribute.ElementKey: a role's value, an
// entitlement's type and value). The result is sorted by attribute, value
// and type.
func grantDelta(rt *resourceType, old, next map[string]any) (granted, revoked []Grant) {
	for _, a := range rt.Schema.Attributes {
		if a.Grant == schema.NoGrant {
			continue
		}
		ol, _ := old[a.Name].([]any)
		nl, _ := next[a.Name].([]any)
		if len(ol) == 0 && len(nl) == 0 {
			continue
		}
		ok, nk := grantKeys(a, ol), grantKeys(a, nl)
		for k, m := range nk {
			if _, had := ok[k]; !had {
				granted = append(granted, grantOf(a, m))
			}
		}
		for k, m := range ok {
			if _, has := nk[k]; !has {
				revoked = append(revoked, grantOf(a, m))
			}
		}
	}
	sortGrants(granted)
	sortGrants(revoked)
	return granted, revoked
}

func grantKeys(a *schema.Attribute, list []any) map[string]map[string]any {
	out := make(map[string]map[string]any, len(list))
	for _, e := range list {
		m, _ := e.(map[string]any)
		if k, ok := a.ElementKey(m); ok {
			if _, dup := out[k]; !dup {
				out[k] = m
			}
		}
	}
	return out
}

func grantOf(a *schema.Attribute, m map[string]any) Grant {
	g := Grant{Attribute: a.Name}
	g.Value, _ = m["value"].(string)
	g.Display, _ = m["display"].(string)
	g.Type, _ = m["type"].(string)
	return g
}

func sortGrants(gs []Grant) {
	sort.Slice(gs, func(i, j int) bool {
		if gs[i].Attribute != gs[j].Attribute {
			return gs[i].Attribute < gs[j].Attribute
		}
		if gs[i].Value != gs[j].Value {
			return gs[i].Value < gs[j].Value
		}
		return gs[i].Type < gs[j].Type
	})
}

// checkGrants checks the elements of rt's "roles" and "entitlements" in
// next that old does not hold (by schema.Attribute.ElementKey) against the
// handler's catalogs of that kind, when it has any (Config.Catalogs):
//
//   - a role's value must be the ID of an entry of a role catalog; an
//     entitlement's value the ID of an entry of the entitlement catalog its
//     type names, or of exactly one entitlement catalog when it has no
//     type. Values compare by the attribute's rule (case-insensitively).
//   - the element's value is set to the entry's ID as the catalog spells
//     it, its "display" to the entry's DisplayName when it has none, and an
//     entitlement's "type" to the catalog's name when it has none.
//   - an element that names nothing the catalogs list is answered 400
//     invalidValue naming it (roles[1].value), or, with
//     Config.IgnoreUnknownGrants, dropped.
//
// Elements old holds already are not checked again, so that a catalog
// entry withdrawn by the host never blocks an unrelated write, and
// revoking is never refused; they keep their stored spelling and display
// (heldAsStored). next is not modified; the result shares what it does not
// change with it.
func (h *Handler) checkGrants(ctx context.Context, rt *resourceType, old, next map[string]any) (map[string]any, error) {
	if len(h.grantCatalogs) == 0 {
		return next, nil
	}
	out, copied := next, false
	for _, a := range rt.Schema.Attributes {
		kind := a.Grant
		cats := h.grantCatalogs[kind]
		if kind == schema.NoGrant || len(cats) == 0 {
			continue
		}
		list, _ := next[a.Name].([]any)
		if len(list) == 0 {
			continue
		}
		ol, _ := old[a.Name].([]any)
		had := grantKeys(a, ol)
		var idx *grantIndex
		var kept []any
		changed := false
		keep := func(e any, replaced map[string]any) { // replaced nil: e as it is
			if replaced == nil {
				kept = append(kept, e)
				return
			}
			kept = append(kept, replaced)
			changed = true
		}
		for i, e := range list {
			m, _ := e.(map[string]any)
			if k, ok := a.ElementKey(m); ok {
				if was, held := had[k]; held {
					keep(e, heldAsStored(m, was))
					continue
				}
			}
			if idx == nil {
				var err error
				if idx, err = newGrantIndex(ctx, a, cats); err != nil {
					return nil, err
				}
			}
			filled, problem := idx.resolve(a, m)
			if problem != "" {
				if h.cfg.IgnoreUnknownGrants {
					h.log.DebugContext(ctx, "scim: ignored an unknown grant", "attribute", a.Name, "detail", problem)
					changed = true
					continue
				}
				return nil, &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidValue,
					Detail: a.Name + "[" + strconv.Itoa(i) + "]." + problem}
			}
			keep(e, filled)
		}
		if !changed {
			continue
		}
		if !copied {
			out = maps.Clone(next)
			copied = true
		}
		if len(kept) == 0 {
			delete(out, a.Name)
		} else {
			out[a.Name] = kept
		}
	}
	return out, nil
}

// heldAsStored returns m, an element naming a grant the user holds as was,
// with was's spelling of the value (and of the type, compared
// case-insensitively), and was's type and display where m has none: a PUT
// that echoes "ADMIN", or no display, keeps "admin" and "Administrator".
// It returns nil when m needs none of that.
func heldAsStored(m, was map[string]any) map[string]any {
	var out map[string]any
	for _, k := range []string{"value", "type", "display"} {
		w, ok := was[k].(string)
		if !ok {
			continue
		}
		v, _ := m[k].(string)
		if v != w && (k == "value" || v == "" || k == "type" && strings.EqualFold(v, w)) {
			if out == nil {
				out = maps.Clone(m)
			}
			out[k] = w
		}
	}
	return out
}

// grantIndex finds the catalog entries of one kind by their id. The first
// lookups scan the entries; once lookups times entries pass
// grantScanBudget, it indexes them by the key of their id, so that a write
// granting one role costs a scan without allocation, and one granting
// thousands costs one index.
type grantIndex struct {
	vs, ts   *schema.Attribute // a's "value" and "type"
	catalogs []grantCatalog
	total    int                     // entries in all catalogs
	byKey    map[string][]grantEntry // nil until built
	scanned  int                     // entries compared so far
}

// grantCatalog is the entries of one catalog for one request.
type grantCatalog struct {
	name    string
	entries []CatalogEntry
}

// grantScanBudget is how many entry comparisons a write makes before the
// entries are indexed.
const grantScanBudget = 1 << 14

type grantEntry struct {
	CatalogEntry
	catalog string // the catalog's name
}

// newGrantIndex reads the entries of cats (for the request in ctx), to be
// matched under a's "value" rule.
func newGrantIndex(ctx context.Context, a *schema.Attribute, cats []*Catalog) (*grantIndex, error) {
	idx := &grantIndex{vs: a.Sub("value"), ts: a.Sub("type")}
	for _, c := range cats {
		entries, err := c.Entries(ctx)
		if err != nil {
			return nil, err
		}
		idx.catalogs = append(idx.catalogs, grantCatalog{c.Name, entries})
		idx.total += len(entries)
	}
	return idx, nil
}

// lookup returns the entries whose id equals v under the value rule, in
// catalog order.
func (idx *grantIndex) lookup(v string) []grantEntry {
	if idx.byKey == nil && idx.scanned+idx.total > grantScanBudget {
		idx.byKey = make(map[string][]grantEntry, idx.total)
		for _, c := range idx.catalogs {
			for _, e := range c.entries {
				k := idx.vs.Key(e.ID)
				idx.byKey[k] = append(idx.byKey[k], grantEntry{e, c.name})
			}
		}
	}
	if idx.byKey != nil {
		return idx.byKey[idx.vs.Key(v)]
	}
	idx.scanned += idx.total
	var out []grantEntry
	exact := idx.vs.CaseSensitive()
	for _, c := range idx.catalogs {
		for _, e := range c.entries {
			if schema.EqualStrings(exact, e.ID, v) {
				out = append(out, grantEntry{e, c.name})
			}
		}
	}
	return out
}

// catalogNamed returns the name of the catalog t names, under the type
// rule.
func (idx *grantIndex) catalogNamed(t string) (string, bool) {
	for _, c := range idx.catalogs {
		if schema.EqualStrings(idx.ts.CaseSensitive(), c.name, t) {
			return c.name, true
		}
	}
	return "", false
}

// resolve finds the entry element m of a names. It returns the element to
// store when it differs from m (value as the catalog spells it, display and
// type filled in), or nil when m is right as it is; or a description of
// the fault, starting with the sub-attribute at fault ("value \"x\" is not
// …").
func (idx *grantIndex) resolve(a *schema.Attribute, m map[string]any) (map[string]any, string) {
	v, _ := m["value"].(string)
	if v == "" {
		return nil, "value is required: the id of " + kindNoun(a) + " the app's catalog lists"
	}
	candidates := idx.lookup(v)
	var found *grantEntry
	if a.Grant == schema.EntitlementGrant {
		t, typed := m["type"].(string)
		if typed {
			name, ok := idx.catalogNamed(t)
			if !ok {
				return nil, "type " + strconv.Quote(t) + " is not the name of an entitlement catalog of this service provider"
			}
			for i := range candidates {
				if candidates[i].catalog == name {
					found = &candidates[i]
					break
				}
			}
		} else if len(candidates) > 1 {
			return nil, "type is required: value " + strconv.Quote(v) + " is in the catalogs " +
				strconv.Quote(candidates[0].catalog) + " and " + strconv.Quote(candidates[1].catalog)
		} else if len(candidates) == 1 {
			found = &candidates[0]
		}
	} else if len(candidates) > 0 {
		found = &candidates[0]
	}
	if found == nil {
		return nil, "value " + strconv.Quote(v) + " is not " + kindNoun(a) + " of this service provider (the catalog resource types list them)"
	}
	var out map[string]any
	set := func(k, x string) {
		if out == nil {
			out = maps.Clone(m)
		}
		out[k] = x
	}
	if v != found.ID {
		set("value", found.ID)
	}
	if d, _ := m["display"].(string); d == "" && found.DisplayName != "" {
		set("display", found.DisplayName)
	}
	if a.Grant == schema.EntitlementGrant {
		if t, _ := m["type"].(string); t != found.catalog {
			set("type", found.catalog)
		}
	}
	return out, ""
}

func kindNoun(a *schema.Attribute) string {
	if a.Grant == schema.EntitlementGrant {
		return "an entitlement"
	}
	return "a role"
}

// keepUnsentGrants carries the stored roles and entitlements over into a
// PUT body in that does not mention them at all (RFC 7644 §3.5.1 lets a
// service provider keep attributes a replace omits). Identity providers
// that do not manage grants (Okta without Identity Governance, OneLogin)
// send full PUTs of the profile attributes they map, which must not revoke
// the roles the app or another provider gave; one that manages grants
// sends the attribute, as an empty list or null to revoke every one. A
// PUT naming the attribute replaces it: what its list omits is revoked.
// next is the normalized body; it is not modified.
func keepUnsentGrants(rt *resourceType, in, old, next map[string]any) map[string]any {
	out, copied := next, false
	for _, a := range rt.Schema.Attributes {
		if a.Grant == schema.NoGrant {
			continue
		}
		v, held := old[a.Name]
		if _, set := next[a.Name]; set || !held || mentions(rt, in, a.Name) {
			continue
		}
		if !copied {
			out, copied = maps.Clone(next), true
		}
		out[a.Name] = v
	}
	return out
}

// mentions reports whether a body names the core attribute: as a key in any
// case, URN-qualified, or inside an object under the core schema's URN.
func mentions(rt *resourceType, in map[string]any, name string) bool {
	core := rt.Schema.ID
	for k, v := range in {
		if strings.EqualFold(k, name) || strings.EqualFold(k, core+":"+name) {
			return true
		}
		if m, ok := v.(map[string]any); ok && strings.EqualFold(k, core) && mentions(rt, m, name) {
			return true
		}
	}
	return false
}
