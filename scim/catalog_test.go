package scim_test

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

type tenantKey struct{}

// TestCatalogOktaDiscovery replays Okta Identity Governance's discovery of
// an app's roles and entitlements: /ResourceTypes names resource types in
// Okta's Role and Entitlement schemas, each endpoint lists its values
// (Okta checks count=1&startIndex=1), values are read by id, filtered and
// sorted, catalogs may depend on the tenant, and every write is 405.
func TestCatalogOktaDiscovery(t *testing.T) {
	roles := []scim.CatalogEntry{{ID: "member", DisplayName: "Member"}, {ID: "admin", DisplayName: "Administrator", Description: "Full control"}}
	s := newServer(t, func(c *scim.Config) {
		c.Catalogs = []scim.Catalog{
			{Name: "Role", Endpoint: "/Roles", Description: "App roles",
				Entries: func(context.Context) ([]scim.CatalogEntry, error) { return roles, nil }},
			{Name: "License", Endpoint: "/Licenses", Description: "Seat licences", Entitlement: true,
				Entries: func(ctx context.Context) ([]scim.CatalogEntry, error) {
					if ctx.Value(tenantKey{}) == "broken" {
						return nil, errors.New("catalog unavailable")
					}
					return []scim.CatalogEntry{{ID: "lic-pro", DisplayName: "Pro seat", Description: "Paid tier"}}, nil
				}},
		}
	})
	r := s.do("GET", "/ResourceTypes/Role", "")
	r.expect(t, 200, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],"id":"Role","name":"Role","endpoint":"/Roles",
	 "description":"App roles","schema":"urn:okta:scim:schemas:core:1.0:Role",
	 "meta":{"resourceType":"ResourceType","location":"`+testBase+`/ResourceTypes/Role"}}`)
	if r := s.do("GET", "/ResourceTypes/License", ""); r.body.(map[string]any)["schema"] != "urn:okta:scim:schemas:core:1.0:Entitlement" {
		t.Errorf("License resource type: %s", r.raw)
	}
	s.do("GET", "/Schemas/urn:okta:scim:schemas:core:1.0:Entitlement", "").expect(t, 200, "")
	s.do("GET", "/Roles?count=1&startIndex=1", "").expect(t, 200, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
	 "totalResults":2,"startIndex":1,"itemsPerPage":1,
	 "Resources":[{"schemas":["urn:okta:scim:schemas:core:1.0:Role"],"id":"member","displayName":"Member","meta":{"resourceType":"Role","location":"`+testBase+`/Roles/member"}}]}`)
	s.do("GET", "/Licenses", "").expect(t, 200, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
	 "totalResults":1,"startIndex":1,"itemsPerPage":1,
	 "Resources":[{"schemas":["urn:okta:scim:schemas:core:1.0:Entitlement"],"id":"lic-pro","type":"License","displayName":"Pro seat",
	  "description":"Paid tier","meta":{"resourceType":"License","location":"`+testBase+`/Licenses/lic-pro"}}]}`)
	s.do("GET", "/Roles/admin", "").expect(t, 200, `{"schemas":["urn:okta:scim:schemas:core:1.0:Role"],"id":"admin","displayName":"Administrator",
	 "description":"Full control","meta":{"resourceType":"Role","location":"`+testBase+`/Roles/admin"}}`)
	s.do("GET", "/Roles/nosuch", "").expect(t, 404, "")
	r = s.do("GET", "/Roles?attributes=id&sortBy=displayName&filter="+url.QueryEscape(`displayName co "m"`), "")
	r.expect(t, 200, "")
	if diff := cmp.Diff([]string{"admin", "member"}, ids(t, r)); diff != "" {
		t.Errorf("filtered and sorted roles (-want +got):\n%s", diff)
	}
	for _, w := range []struct{ method, target, body string }{
		{"POST", "/Roles", `{"displayName":"x"}`},
		{"PUT", "/Roles/admin", `{"displayName":"x"}`},
		{"PATCH", "/Roles/admin", `{"Operations":[{"op":"replace","path":"displayName","value":"x"}]}`},
		{"DELETE", "/Licenses/lic-pro", ""},
	} {
		if r := s.do(w.method, w.target, w.body); r.status != 405 || r.header.Get("Allow") != "GET" {
			t.Errorf("%s %s: %d (Allow %q), want 405 (Allow GET)", w.method, w.target, r.status, r.header.Get("Allow"))
		}
	}
	if _, err := s.h.Create(context.Background(), "Role", map[string]any{"displayName": "x"}); err == nil || err.(*scim.Error).Status != 405 {
		t.Errorf("Go API Create on a catalog: %v", err)
	}
	r = s.do("POST", "/Bulk", `{"Operations":[{"method":"DELETE","path":"/Roles/admin"}]}`)
	if got := statuses(bulkOps(t, r)); len(got) != 1 || got[0] != "<nil> DELETE 405" {
		t.Errorf("bulk write to a catalog: %v", got)
	}
	if _, err := s.h.List(context.WithValue(context.Background(), tenantKey{}, "broken"), "License", scim.SearchRequest{}); err == nil || err.(*scim.Error).Status != 500 {
		t.Errorf("a failing catalog: %v", err)
	}
	if _, err := scim.NewHandler(scim.Config{Store: store.NewMemory(), Catalogs: []scim.Catalog{{Name: "Role", Endpoint: "/Roles"}}}); err == nil {
		t.Errorf("a catalog without Entries was accepted")
	}
}
