package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// grantStep is one exchange of an identity provider and what it must
// leave: the answer's status (and a part of its body), the user's stored
// "roles" and "entitlements" (as JSON, "" for none), and the grants and
// revocations reported in Change (as "roles:admin", sorted).
type grantStep struct {
	name                 string
	method, target, body string
	status               int
	contains             string
	roles, entitlements  string
	granted, revoked     []string
}

// grantScript is a replayed exchange of one identity provider against a
// handler serving the catalog.
type grantScript struct {
	name    string
	catalog []scim.Catalog
	// ignoreUnknown sets Config.IgnoreUnknownGrants.
	ignoreUnknown bool
	steps         []grantStep
}

func staticCatalog(name, endpoint string, entitlement bool, entries ...scim.CatalogEntry) scim.Catalog {
	return scim.Catalog{Name: name, Endpoint: endpoint, Entitlement: entitlement,
		Entries: func(context.Context) ([]scim.CatalogEntry, error) { return entries, nil }}
}

// oktaCatalog is the app's catalog as Okta Identity Governance discovers
// it: roles member and admin at /Roles, licences at /Licenses.
func oktaCatalog() []scim.Catalog {
	return []scim.Catalog{
		staticCatalog("Role", "/Roles", false,
			scim.CatalogEntry{ID: "member", DisplayName: "Member", Description: "Uses the app"},
			scim.CatalogEntry{ID: "admin", DisplayName: "Administrator", Description: "Manages the app"}),
		staticCatalog("License", "/Licenses", true,
			scim.CatalogEntry{ID: "lic-pro", DisplayName: "Pro seat"},
			scim.CatalogEntry{ID: "lic-basic", DisplayName: "Basic seat"}),
	}
}

// entraCatalog lists the app roles of the Entra enterprise app: their
// values are the catalog's ids.
func entraCatalog() []scim.Catalog {
	return []scim.Catalog{staticCatalog("Role", "/Roles", false,
		scim.CatalogEntry{ID: "User", DisplayName: "User"},
		scim.CatalogEntry{ID: "Admin", DisplayName: "Admin"},
		scim.CatalogEntry{ID: "DocumentMgmt-Admin", DisplayName: "DocumentMgmt Admin"})}
}

// entraRole is a role as Entra's AppRoleAssignmentsComplex sends it in a
// PATCH: a JSON object encoded as a string (idp-roles-auth-limits.md §2.2).
func entraRole(id, value, display string) string {
	inner, _ := json.Marshal(map[string]string{"id": id, "value": value, "displayName": display})
	outer, _ := json.Marshal(map[string]string{"value": string(inner)})
	return string(outer)
}

const patchOp = `"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]`

// oktaUser is the full-set PUT body of Okta Identity Governance for the
// user, carrying roles and entitlements (idp-roles-auth-limits.md §1.4).
func oktaUser(roles, entitlements string) string {
	b := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"id-1","userName":"ada@example.com",` +
		`"name":{"givenName":"Ada","familyName":"Lovelace"},"emails":[{"primary":true,"value":"ada@example.com","type":"work"}],` +
		`"active":true`
	if roles != "" {
		b += `,"roles":` + roles
	}
	if entitlements != "" {
		b += `,"entitlements":` + entitlements
	}
	return b + `}`
}

func grantScripts() []grantScript {
	entraPOST := func(roles string) string {
		return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"alias",` +
			`"userName":"alias@contoso.example","active":true,"meta":{"resourceType":"User"},"roles":` + roles + `}`
	}
	return []grantScript{
		{
			name:    "Okta Identity Governance",
			catalog: oktaCatalog(),
			steps: []grantStep{
				{name: "discovery lists the catalogs in Okta's schemas", method: "GET", target: "/ResourceTypes", status: 200,
					contains: `"schema":"urn:okta:scim:schemas:core:1.0:Role"`},
				{name: "Okta's check of /Roles", method: "GET", target: "/Roles?count=1&startIndex=1", status: 200,
					contains: `"totalResults":2,"startIndex":1,"itemsPerPage":1,"Resources":[{"schemas":["urn:okta:scim:schemas:core:1.0:Role"],"id":"member"`},
				{name: "Okta's check of /Licenses", method: "GET", target: "/Licenses?count=1&startIndex=1", status: 200,
					contains: `"displayName":"Pro seat","type":"License"`},
				{name: "create with the default role", method: "POST", target: "/Users", status: 201,
					body:    oktaUser(`[{"value":"member","display":"Member"}]`, ""),
					roles:   `[{"value":"member","display":"Member"}]`,
					granted: []string{"roles:member"}},
				{name: "import reads the grants back", method: "GET", target: "/Users?filter=userName%20eq%20%22ada@example.com%22", status: 200,
					contains: `"roles":[{"display":"Member","value":"member"}]`,
					roles:    `[{"value":"member","display":"Member"}]`},
				{name: "grant admin and a licence by a full-set PUT", method: "PUT", target: "/Users/id-1", status: 200,
					body:         oktaUser(`[{"value":"member","display":"Member"},{"value":"admin","display":"Administrator"}]`, `[{"value":"lic-pro","display":"Pro seat","type":"License"}]`),
					roles:        `[{"value":"member","display":"Member"},{"value":"admin","display":"Administrator"}]`,
					entitlements: `[{"value":"lic-pro","display":"Pro seat","type":"License"}]`,
					granted:      []string{"entitlements:lic-pro", "roles:admin"}},
				{name: "the same PUT again changes no grant", method: "PUT", target: "/Users/id-1", status: 200,
					body:         oktaUser(`[{"value":"member","display":"Member"},{"value":"admin","display":"Administrator"}]`, `[{"value":"lic-pro","display":"Pro seat","type":"License"}]`),
					roles:        `[{"value":"member","display":"Member"},{"value":"admin","display":"Administrator"}]`,
					entitlements: `[{"value":"lic-pro","display":"Pro seat","type":"License"}]`},
				{name: "a PUT omitting admin revokes it", method: "PUT", target: "/Users/id-1", status: 200,
					body:         oktaUser(`[{"value":"member","display":"Member"}]`, `[{"value":"lic-pro","display":"Pro seat","type":"License"}]`),
					roles:        `[{"value":"member","display":"Member"}]`,
					entitlements: `[{"value":"lic-pro","display":"Pro seat","type":"License"}]`,
					revoked:      []string{"roles:admin"}},
				{name: "an unknown role is refused, naming it; nothing is stored", method: "PUT", target: "/Users/id-1", status: 400,
					body:         oktaUser(`[{"value":"member"},{"value":"owner","display":"Owner"}]`, ""),
					contains:     `roles[1].value \"owner\" is not a role of this service provider`,
					roles:        `[{"value":"member","display":"Member"}]`,
					entitlements: `[{"value":"lic-pro","display":"Pro seat","type":"License"}]`},
				{name: "an entitlement of an unknown type is refused", method: "PUT", target: "/Users/id-1", status: 400,
					body:         oktaUser(`[{"value":"member"}]`, `[{"value":"lic-pro","type":"Seat"}]`),
					contains:     `entitlements[0].type \"Seat\" is not the name of an entitlement catalog`,
					roles:        `[{"value":"member","display":"Member"}]`,
					entitlements: `[{"value":"lic-pro","display":"Pro seat","type":"License"}]`},
				{name: "PATCH add by id in another case: the catalog's spelling, display and type filled in", method: "PATCH", target: "/Users/id-1", status: 200,
					body:         `{` + patchOp + `,"Operations":[{"op":"add","path":"roles","value":[{"value":"ADMIN"}]},{"op":"add","path":"entitlements","value":[{"value":"lic-basic"}]}]}`,
					roles:        `[{"value":"member","display":"Member"},{"value":"admin","display":"Administrator"}]`,
					entitlements: `[{"value":"lic-pro","display":"Pro seat","type":"License"},{"value":"lic-basic","display":"Basic seat","type":"License"}]`,
					granted:      []string{"entitlements:lic-basic", "roles:admin"}},
				{name: "PATCH remove by value filter revokes", method: "PATCH", target: "/Users/id-1", status: 200,
					body:         `{` + patchOp + `,"Operations":[{"op":"remove","path":"roles[value eq \"admin\"]"},{"op":"remove","path":"entitlements[type eq \"License\" and value eq \"lic-pro\"]"}]}`,
					roles:        `[{"value":"member","display":"Member"}]`,
					entitlements: `[{"value":"lic-basic","display":"Basic seat","type":"License"}]`,
					revoked:      []string{"entitlements:lic-pro", "roles:admin"}},
				{name: "path-less replace of roles", method: "PATCH", target: "/Users/id-1", status: 200,
					body:         `{` + patchOp + `,"Operations":[{"op":"replace","value":{"roles":[{"value":"admin"}]}}]}`,
					roles:        `[{"value":"admin","display":"Administrator"}]`,
					entitlements: `[{"value":"lic-basic","display":"Basic seat","type":"License"}]`,
					granted:      []string{"roles:admin"}, revoked: []string{"roles:member"}},
				{name: "the users holding a role, by filter", method: "GET", target: "/Users?filter=roles.value%20eq%20%22admin%22&attributes=userName", status: 200,
					contains: `"totalResults":1`,
					roles:    `[{"value":"admin","display":"Administrator"}]`, entitlements: `[{"value":"lic-basic","display":"Basic seat","type":"License"}]`},
				{name: "catalogs are read-only", method: "POST", target: "/Roles", status: 405, body: `{"displayName":"x"}`,
					roles: `[{"value":"admin","display":"Administrator"}]`, entitlements: `[{"value":"lic-basic","display":"Basic seat","type":"License"}]`},
				{name: "a profile PUT that does not mention roles keeps them (Okta without Identity Governance)", method: "PUT", target: "/Users/id-1", status: 200,
					body:  oktaUser("", ""),
					roles: `[{"value":"admin","display":"Administrator"}]`, entitlements: `[{"value":"lic-basic","display":"Basic seat","type":"License"}]`},
				{name: "a PUT with an empty roles list revokes them all", method: "PUT", target: "/Users/id-1", status: 200,
					body:         oktaUser(`[]`, ""),
					entitlements: `[{"value":"lic-basic","display":"Basic seat","type":"License"}]`,
					revoked:      []string{"roles:admin"}},
				{name: "null revokes too", method: "PUT", target: "/Users/id-1", status: 200,
					body:    oktaUser("", "null"),
					revoked: []string{"entitlements:lic-basic"}},
			},
		},
		{
			name:    "Entra SingleAppRoleAssignment",
			catalog: entraCatalog(),
			steps: []grantStep{
				{name: "POST with the one role, primary", method: "POST", target: "/Users", status: 201,
					body:    entraPOST(`[{"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"Admin"}]`),
					roles:   `[{"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"Admin","display":"Admin"}]`,
					granted: []string{"roles:Admin"}},
				{name: "the role changes: the primary's value is replaced (string boolean in the filter); the old role's display goes, the new one's comes from the catalog", method: "PATCH", target: "/Users/id-1", status: 200,
					body:    `{` + patchOp + `,"Operations":[{"op":"Replace","path":"roles[primary eq \"True\"].value","value":"User"}]}`,
					roles:   `[{"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"User","display":"User"}]`,
					granted: []string{"roles:User"}, revoked: []string{"roles:Admin"}},
				{name: "Entra reads the primary role back", method: "GET", target: "/Users/id-1?attributes=roles", status: 200,
					contains: `"roles":[{"display":"User","primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"User"}]`,
					roles:    `[{"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"User","display":"User"}]`},
				{name: "the same PATCH again changes nothing", method: "PATCH", target: "/Users/id-1", status: 200,
					body:  `{` + patchOp + `,"Operations":[{"op":"Replace","path":"roles[primary eq \"True\"].value","value":"User"}]}`,
					roles: `[{"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"User","display":"User"}]`},
				{name: "the SCIM Validator's form, one op per sub-attribute", method: "PATCH", target: "/Users/id-1", status: 200,
					body: `{` + patchOp + `,"Operations":[{"op":"add","path":"roles[primary eq \"True\"].display","value":"Document admin"},` +
						`{"op":"add","path":"roles[primary eq \"True\"].value","value":"DocumentMgmt-Admin"}]}`,
					roles:   `[{"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"DocumentMgmt-Admin","display":"Document admin"}]`,
					granted: []string{"roles:DocumentMgmt-Admin"}, revoked: []string{"roles:User"}},
				{name: "an app role the catalog does not list", method: "PATCH", target: "/Users/id-1", status: 400,
					body:     `{` + patchOp + `,"Operations":[{"op":"Replace","path":"roles[primary eq \"True\"].value","value":"Ghost"}]}`,
					contains: `roles[0].value \"Ghost\" is not a role`,
					roles:    `[{"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"DocumentMgmt-Admin","display":"Document admin"}]`},
			},
		},
		{
			name:    "Entra AppRoleAssignmentsComplex",
			catalog: entraCatalog(),
			steps: []grantStep{
				{name: "POST with displayName inside the roles and a string boolean", method: "POST", target: "/Users", status: 201,
					body:    entraPOST(`[{"primary":"false","type":"WindowsAzureActiveDirectoryRole","displayName":"Admin","value":"Admin"}]`),
					roles:   `[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Admin","value":"Admin"}]`,
					granted: []string{"roles:Admin"}},
				{name: "Add with JSON-in-a-string values: the held role is kept, the new one added", method: "PATCH", target: "/Users/id-1", status: 200,
					body: `{` + patchOp + `,"Operations":[{"op":"Add","path":"roles","value":[` +
						entraRole("827f0d2e", "Admin", "Admin") + `,` + entraRole("8ae06bd4", "DocumentMgmt-Admin", "DocumentMgmt Admin") + `]}]}`,
					roles:   `[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Admin","value":"Admin"},{"value":"DocumentMgmt-Admin","display":"DocumentMgmt Admin"}]`,
					granted: []string{"roles:DocumentMgmt-Admin"}},
				{name: "a role removed in Entra: the next Add lists the others and revokes nothing", method: "PATCH", target: "/Users/id-1", status: 200,
					body:  `{` + patchOp + `,"Operations":[{"op":"Add","path":"roles","value":[` + entraRole("827f0d2e", "Admin", "Admin") + `]}]}`,
					roles: `[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Admin","value":"Admin"},{"value":"DocumentMgmt-Admin","display":"DocumentMgmt Admin"}]`},
				{name: "GET returns the stored values, not the JSON strings", method: "GET", target: "/Users/id-1?attributes=roles", status: 200,
					contains: `{"display":"DocumentMgmt Admin","value":"DocumentMgmt-Admin"}`,
					roles:    `[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Admin","value":"Admin"},{"value":"DocumentMgmt-Admin","display":"DocumentMgmt Admin"}]`},
				{name: "an unknown role among known ones is refused, naming it", method: "PATCH", target: "/Users/id-1", status: 400,
					body: `{` + patchOp + `,"Operations":[{"op":"Add","path":"roles","value":[` +
						entraRole("1", "User", "User") + `,` + entraRole("2", "Ghost", "Ghost") + `]}]}`,
					contains: `roles[3].value \"Ghost\" is not a role`,
					roles:    `[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Admin","value":"Admin"},{"value":"DocumentMgmt-Admin","display":"DocumentMgmt Admin"}]`},
			},
		},
		{
			name:          "Entra AppRoleAssignmentsComplex, unknown roles ignored",
			catalog:       entraCatalog(),
			ignoreUnknown: true,
			steps: []grantStep{
				{name: "POST with an unknown role: stored without it", method: "POST", target: "/Users", status: 201,
					body:    entraPOST(`[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","displayName":"Ghost","value":"Ghost"},{"primary":false,"type":"WindowsAzureActiveDirectoryRole","displayName":"User","value":"User"}]`),
					roles:   `[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"}]`,
					granted: []string{"roles:User"}},
				{name: "Add of an unknown role changes nothing", method: "PATCH", target: "/Users/id-1", status: 200,
					body:  `{` + patchOp + `,"Operations":[{"op":"Add","path":"roles","value":[` + entraRole("2", "Ghost", "Ghost") + `]}]}`,
					roles: `[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"}]`},
			},
		},
		{
			name:    "Entra AssertiveAppRoleAssignmentsComplex",
			catalog: entraCatalog(),
			steps: []grantStep{
				{name: "POST with two roles", method: "POST", target: "/Users", status: 201,
					body: entraPOST(`[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},` +
						`{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Admin","value":"Admin"}]`),
					roles:   `[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Admin","value":"Admin"}]`,
					granted: []string{"roles:Admin", "roles:User"}},
				{name: "replace of the whole list revokes what it omits", method: "PATCH", target: "/Users/id-1", status: 200,
					body: `{` + patchOp + `,"Operations":[{"op":"replace","path":"roles","value":[` +
						`{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},` +
						`{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"DocumentMgmt Admin","value":"DocumentMgmt-Admin"}]}]}`,
					roles:   `[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"DocumentMgmt Admin","value":"DocumentMgmt-Admin"}]`,
					granted: []string{"roles:DocumentMgmt-Admin"}, revoked: []string{"roles:Admin"}},
				{name: "the same replace again changes nothing", method: "PATCH", target: "/Users/id-1", status: 200,
					body: `{` + patchOp + `,"Operations":[{"op":"replace","path":"roles","value":[` +
						`{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},` +
						`{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"DocumentMgmt Admin","value":"DocumentMgmt-Admin"}]}]}`,
					roles: `[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"DocumentMgmt Admin","value":"DocumentMgmt-Admin"}]`},
				{name: "replace with an empty list revokes every role", method: "PATCH", target: "/Users/id-1", status: 200,
					body:    `{` + patchOp + `,"Operations":[{"op":"replace","path":"roles","value":[]}]}`,
					revoked: []string{"roles:DocumentMgmt-Admin", "roles:User"}},
			},
		},
	}
}

// TestGrantExchangesAcrossStores replays Okta Identity Governance's and
// Entra ID's role exchanges (discovery, import, grant, revoke, Entra's
// three mapping expressions) through the handler over the memory store,
// SQLite and PostgreSQL, and checks each answer, the stored roles and
// entitlements after each step, and the grants reported in Change.
func TestGrantExchangesAcrossStores(t *testing.T) {
	for _, sc := range grantScripts() {
		t.Run(sc.name, func(t *testing.T) {
			stores := []struct {
				name string
				st   store.Store
			}{{"memory", store.NewMemoryWith(store.MemoryConfig{ResourceTypes: handlerTypes(), NewID: counterIDs()})}}
			for _, be := range backends {
				if be.name == "Postgres" && !postgresConfigured() {
					continue
				}
				db, d := be.open(t)
				stores = append(stores, struct {
					name string
					st   store.Store
				}{be.name, sqlHandlerStore(t, db, d)})
			}
			for _, s := range stores {
				t.Run(s.name, func(t *testing.T) { replayGrants(t, sc, s.st) })
			}
		})
	}
}

func replayGrants(t *testing.T, sc grantScript, st store.Store) {
	var mu sync.Mutex
	var changes []scim.Change
	h, err := scim.NewHandler(scim.Config{Store: st, ResourceTypes: handlerTypes(), Catalogs: sc.catalog,
		IgnoreUnknownGrants: sc.ignoreUnknown,
		OnChange: func(_ context.Context, c scim.Change) {
			mu.Lock()
			changes = append(changes, c)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	for i, step := range sc.steps {
		mu.Lock()
		changes = nil
		mu.Unlock()
		rec := serveRaw(h, step.method, step.target, step.body)
		where := fmt.Sprintf("step %d (%s): %s %s", i, step.name, step.method, step.target)
		if rec.Code != step.status {
			t.Fatalf("%s: status %d, want %d: %s", where, rec.Code, step.status, rec.Body)
		}
		if !strings.Contains(rec.Body.String(), step.contains) {
			t.Errorf("%s: body %s\ndoes not contain %s", where, rec.Body, step.contains)
		}
		res, err := st.Get(context.Background(), "User", "id-1")
		if err != nil {
			if step.roles != "" || step.entitlements != "" {
				t.Fatalf("%s: %v", where, err)
			}
		} else {
			for _, a := range []struct{ name, want string }{{"roles", step.roles}, {"entitlements", step.entitlements}} {
				var want any
				if a.want != "" {
					if err := json.Unmarshal([]byte(a.want), &want); err != nil {
						t.Fatalf("%s: want %s: %v", where, a.name, err)
					}
				}
				got, _ := json.Marshal(res.Attributes[a.name])
				var gotV any
				_ = json.Unmarshal(got, &gotV)
				if diff := cmp.Diff(want, gotV); diff != "" {
					t.Errorf("%s: stored %s (-want +got):\n%s", where, a.name, diff)
				}
			}
		}
		mu.Lock()
		var granted, revoked []string
		for _, c := range changes {
			for _, g := range c.Granted {
				granted = append(granted, g.Attribute+":"+g.Value)
			}
			for _, g := range c.Revoked {
				revoked = append(revoked, g.Attribute+":"+g.Value)
			}
		}
		mu.Unlock()
		if diff := cmp.Diff(step.granted, granted); diff != "" {
			t.Errorf("%s: Change.Granted (-want +got):\n%s", where, diff)
		}
		if diff := cmp.Diff(step.revoked, revoked); diff != "" {
			t.Errorf("%s: Change.Revoked (-want +got):\n%s", where, diff)
		}
	}
}
