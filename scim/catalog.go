package scim

import (
	"cmp"
	"context"
	"net/http"
	"strings"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// Catalog is a read-only resource type listing an app's roles or
// entitlements, as Okta Identity Governance discovers them: it reads
// /ResourceTypes, then GETs the endpoint of every resource type whose
// schema is Okta's Role or Entitlement schema (checking that
// "?count=1&startIndex=1" answers one value), and shows the values for
// grants; users then carry them in "roles" and "entitlements", by id.
// Entra ID app roles whose values are the catalog's ids arrive in "roles"
// too. Every grant a write gives a user is checked against the catalogs
// (see Config.Catalogs), and reported in Change.Granted and Change.Revoked.
type Catalog struct {
	// Name is the resource type's name, shown by Okta ("Role",
	// "License"); for entitlements it is also each value's "type".
	Name string
	// Endpoint is its path, e.g. "/Roles".
	Endpoint string
	// Description is shown in /ResourceTypes.
	Description string
	// Entitlement selects Okta's Entitlement schema; false means the Role
	// schema.
	Entitlement bool
	// Entries returns the catalog for a request: static, or per tenant
	// from ctx. Required.
	Entries func(ctx context.Context) ([]CatalogEntry, error)
}

// CatalogEntry is one role or entitlement.
type CatalogEntry struct {
	// ID is the value users carry (roles[].value, entitlements[].value).
	// Grants match it case-insensitively (as roles' values compare, RFC
	// 7643 §4.1.2) and store this spelling; GET <endpoint>/<id> needs it
	// exactly, as every resource id does.
	ID string
	// DisplayName is what administrators see (the ID when empty);
	// Description is optional and served cut to 1,000 characters, Okta's
	// limit. An entry without an ID is not served.
	DisplayName, Description string
}

// catalogType builds the resource type of c.
func catalogType(c *Catalog) *schema.ResourceType {
	s := schema.RoleSchema()
	if c.Entitlement {
		s = schema.EntitlementSchema()
	}
	return &schema.ResourceType{Name: c.Name, Endpoint: c.Endpoint, Description: c.Description, Schema: s}
}

// catalogResources returns the catalog of rt as resources.
func catalogResources(ctx context.Context, rt *resourceType) ([]*store.Resource, error) {
	entries, err := rt.catalog.Entries(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*store.Resource, 0, len(entries))
	for _, e := range entries {
		if e.ID == "" {
			continue // nothing could grant it
		}
		attrs := schema.Compact(map[string]any{"displayName": cmp.Or(e.DisplayName, e.ID), "description": cutRunes(e.Description, maxCatalogDescription)})
		if rt.catalog.Entitlement {
			attrs["type"] = rt.catalog.Name
		}
		out = append(out, &store.Resource{Type: rt.Name, ID: e.ID, Attributes: attrs,
			Meta: store.Meta{Version: store.ContentVersion(e.ID, e.DisplayName, e.Description)}})
	}
	return out, nil
}

// maxCatalogDescription is the length, in characters, at which Okta cuts an
// entitlement's description (Okta, "Build a SCIM 2.0 server with entitlements").
const maxCatalogDescription = 1000

// cutRunes returns s cut to at most n characters.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// catalogGet returns the entry of rt with that id.
func catalogGet(ctx context.Context, rt *resourceType, id string) (*store.Resource, error) {
	all, err := catalogResources(ctx, rt)
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.ID == id {
			return r, nil
		}
	}
	return nil, notFoundAs(store.ErrNotFound, rt, id)
}

// readOnly answers a write to a catalog resource type (RFC 7644 §3.2: a
// service provider may answer 405 for operations it does not support).
func readOnly(rt *resourceType) *Error {
	return &Error{Status: http.StatusMethodNotAllowed,
		Detail: strings.TrimPrefix(rt.Endpoint, "/") + " are the app's own catalog and read-only; grant them through users' roles and entitlements"}
}
