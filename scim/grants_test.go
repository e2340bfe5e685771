package scim_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// grantHandler returns a handler over the memory store with a role catalog
// (per tenant: the tenant "beta" also has "auditor") and two entitlement
// catalogs that share the id "pro", and the changes it reports.
func grantHandler(t *testing.T, mutate func(*scim.Config)) (*scim.Handler, *[]scim.Change, *[]scim.CatalogEntry) {
	t.Helper()
	roles := []scim.CatalogEntry{{ID: "member", DisplayName: "Member"}, {ID: "admin", DisplayName: "Administrator"}}
	var changes []scim.Change
	cfg := scim.Config{
		Store: store.NewMemory(),
		Catalogs: []scim.Catalog{
			{Name: "Role", Endpoint: "/Roles", Entries: func(ctx context.Context) ([]scim.CatalogEntry, error) {
				if ctx.Value(tenantKey{}) == "beta" {
					return append(roles[:len(roles):len(roles)], scim.CatalogEntry{ID: "auditor", DisplayName: "Auditor"}), nil
				}
				if ctx.Value(tenantKey{}) == "broken" {
					return nil, store.ErrUnavailable
				}
				return roles, nil
			}},
			{Name: "License", Endpoint: "/Licenses", Entitlement: true, Entries: func(context.Context) ([]scim.CatalogEntry, error) {
				return []scim.CatalogEntry{{ID: "pro", DisplayName: "Pro seat"}, {ID: "basic", DisplayName: "Basic seat"}}, nil
			}},
			{Name: "Profile", Endpoint: "/Profiles", Entitlement: true, Entries: func(context.Context) ([]scim.CatalogEntry, error) {
				return []scim.CatalogEntry{{ID: "pro", DisplayName: "Pro profile"}, {ID: "p-123", DisplayName: "Profile 123"}}, nil
			}},
		},
		OnChange: func(_ context.Context, c scim.Change) { changes = append(changes, c) },
	}
	if mutate != nil {
		mutate(&cfg)
	}
	h, err := scim.NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h, &changes, &roles
}

// TestGrantsChecked checks the roles and entitlements of users' writes
// against the catalogs, through the Go API, one write per case on a fresh
// handler: the stored grants, or the error's status, scimType and detail.
func TestGrantsChecked(t *testing.T) {
	for _, c := range []struct {
		name   string
		ctx    context.Context
		ignore bool
		user   schema.User
		// want is the stored roles and entitlements, or wantErr the error.
		wantRoles        []schema.Role
		wantEntitlements []schema.Entitlement
		wantErr          string
	}{
		{name: "known role: display filled in",
			user:      schema.User{UserName: "a", Roles: []schema.Role{{Value: "admin"}}},
			wantRoles: []schema.Role{{Value: "admin", Display: "Administrator"}}},
		{name: "case: the catalog's spelling is stored, the display sent is kept",
			user:      schema.User{UserName: "a", Roles: []schema.Role{{Value: "ADMIN", Display: "Boss"}}},
			wantRoles: []schema.Role{{Value: "admin", Display: "Boss"}}},
		{name: "unknown role",
			user:    schema.User{UserName: "a", Roles: []schema.Role{{Value: "member"}, {Value: "owner"}}},
			wantErr: `400 invalidValue roles[1].value "owner" is not a role of this service provider (the catalog resource types list them)`},
		{name: "role without a value",
			user:    schema.User{UserName: "a", Roles: []schema.Role{{Display: "Member", Type: "x"}}},
			wantErr: `400 invalidValue roles[0].value is required: the id of a role the app's catalog lists`},
		{name: "unknown role ignored",
			ignore:    true,
			user:      schema.User{UserName: "a", Roles: []schema.Role{{Value: "owner"}, {Value: "member"}}},
			wantRoles: []schema.Role{{Value: "member", Display: "Member"}}},
		{name: "only unknown roles ignored: none stored",
			ignore: true,
			user:   schema.User{UserName: "a", Roles: []schema.Role{{Value: "owner"}}}},
		{name: "per-tenant catalog",
			ctx:       context.WithValue(context.Background(), tenantKey{}, "beta"),
			user:      schema.User{UserName: "a", Roles: []schema.Role{{Value: "auditor"}}},
			wantRoles: []schema.Role{{Value: "auditor", Display: "Auditor"}}},
		{name: "another tenant's role",
			user:    schema.User{UserName: "a", Roles: []schema.Role{{Value: "auditor"}}},
			wantErr: `400 invalidValue roles[0].value "auditor" is not a role of this service provider (the catalog resource types list them)`},
		{name: "catalog unavailable",
			ctx:     context.WithValue(context.Background(), tenantKey{}, "broken"),
			user:    schema.User{UserName: "a", Roles: []schema.Role{{Value: "admin"}}},
			wantErr: `503  the service provider's store did not answer in time`},
		{name: "entitlement by type and value",
			user:             schema.User{UserName: "a", Entitlements: []schema.Entitlement{{Value: "pro", Type: "profile"}}},
			wantEntitlements: []schema.Entitlement{{Value: "pro", Display: "Pro profile", Type: "Profile"}}},
		{name: "entitlement without type, in one catalog: type filled in",
			user:             schema.User{UserName: "a", Entitlements: []schema.Entitlement{{Value: "basic"}}},
			wantEntitlements: []schema.Entitlement{{Value: "basic", Display: "Basic seat", Type: "License"}}},
		{name: "entitlement without type, in two catalogs",
			user:    schema.User{UserName: "a", Entitlements: []schema.Entitlement{{Value: "pro"}}},
			wantErr: `400 invalidValue entitlements[0].type is required: value "pro" is in the catalogs "License" and "Profile"`},
		{name: "entitlement in another catalog than its type",
			user:    schema.User{UserName: "a", Entitlements: []schema.Entitlement{{Value: "basic", Type: "Profile"}}},
			wantErr: `400 invalidValue entitlements[0].value "basic" is not an entitlement of this service provider (the catalog resource types list them)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, _, _ := grantHandler(t, func(cfg *scim.Config) { cfg.IgnoreUnknownGrants = c.ignore })
			ctx := c.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			res, err := h.Create(ctx, "User", &c.user)
			if c.wantErr != "" {
				e := scim.ErrorOf(err)
				if err == nil || e == nil {
					t.Fatalf("created %v; want %s", res, c.wantErr)
				}
				if got := fmt.Sprintf("%d %s %s", e.Status, e.ScimType, e.Detail); got != c.wantErr {
					t.Errorf("error %q\nwant  %q", got, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			u, err := res.User()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.wantRoles, u.Roles); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.wantEntitlements, u.Entitlements); diff != "" {
				t.Errorf("entitlements (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGrantsHeldAreKept checks that a grant the user holds is not checked
// again: once the host withdraws a role from its catalog, unrelated writes
// and writes that keep the role still succeed, and revoking it works,
// while granting it anew is refused.
func TestGrantsHeldAreKept(t *testing.T) {
	h, changes, roles := grantHandler(t, nil)
	ctx := context.Background()
	res, err := h.Create(ctx, "User", &schema.User{UserName: "ada", Roles: []schema.Role{{Value: "admin"}, {Value: "member"}}})
	if err != nil {
		t.Fatal(err)
	}
	*roles = (*roles)[:1] // "admin" withdrawn
	if _, err := h.Patch(ctx, "User", res.ID, []patch.Operation{{Op: "replace", Path: "title", Value: "CTO"}}, ""); err != nil {
		t.Fatalf("unrelated PATCH: %v", err)
	}
	if _, err := h.Replace(ctx, "User", res.ID, &schema.User{UserName: "ada", Roles: []schema.Role{{Value: "admin", Display: "Administrator"}, {Value: "member"}}}, ""); err != nil {
		t.Fatalf("PUT keeping the role: %v", err)
	}
	*changes = nil
	if _, err := h.Patch(ctx, "User", res.ID, []patch.Operation{{Op: "remove", Path: `roles[value eq "admin"]`}}, ""); err != nil {
		t.Fatalf("revoking: %v", err)
	}
	want := []scim.Grant{{Attribute: "roles", Value: "admin", Display: "Administrator"}}
	if len(*changes) != 1 {
		t.Fatalf("changes: %+v", *changes)
	}
	if diff := cmp.Diff(want, (*changes)[0].Revoked); diff != "" {
		t.Errorf("Revoked (-want +got):\n%s", diff)
	}
	_, err = h.Patch(ctx, "User", res.ID, []patch.Operation{{Op: "add", Path: "roles", Value: []any{map[string]any{"value": "admin"}}}}, "")
	var e *scim.Error
	if !errors.As(err, &e) || e.Status != 400 {
		t.Errorf("granting a withdrawn role: %v; want 400", err)
	}
}

// TestGrantsInBulk checks that /Bulk writes are checked like single ones.
func TestGrantsInBulk(t *testing.T) {
	s := newServer(t, func(c *scim.Config) {
		c.Catalogs = []scim.Catalog{{Name: "Role", Endpoint: "/Roles",
			Entries: func(context.Context) ([]scim.CatalogEntry, error) {
				return []scim.CatalogEntry{{ID: "admin", DisplayName: "Administrator"}}, nil
			}}}
	})
	r := s.do("POST", "/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
	  {"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"a","roles":[{"value":"admin"}]}},
	  {"method":"POST","path":"/Users","bulkId":"b","data":{"userName":"b","roles":[{"value":"root"}]}}]}`)
	r.expect(t, 200, "")
	ops := r.body.(map[string]any)["Operations"].([]any)
	got := []any{ops[0].(map[string]any)["status"], ops[1].(map[string]any)["status"]}
	if diff := cmp.Diff([]any{"201", "400"}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s\n%s", diff, r.raw)
	}
	if len(s.changes) != 1 || len(s.changes[0].Granted) != 1 || s.changes[0].Granted[0].Display != "Administrator" {
		t.Errorf("changes: %+v", s.changes)
	}
}

// TestCatalogEntriesServed checks what Okta is shown of odd entries: one
// without an id is left out, one without a display name shows its id, and
// a description is cut to Okta's 1,000 characters (not bytes).
func TestCatalogEntriesServed(t *testing.T) {
	long := strings.Repeat("é", 1500)
	s := newServer(t, func(c *scim.Config) {
		c.Catalogs = []scim.Catalog{{Name: "Role", Endpoint: "/Roles", Entries: func(context.Context) ([]scim.CatalogEntry, error) {
			return []scim.CatalogEntry{{DisplayName: "no id"}, {ID: "viewer", Description: long}}, nil
		}}}
	})
	r := s.do("GET", "/Roles", "")
	r.expect(t, 200, "")
	res := r.body.(map[string]any)["Resources"].([]any)
	if len(res) != 1 {
		t.Fatalf("served %d entries: %s", len(res), r.raw)
	}
	e := res[0].(map[string]any)
	got := []any{e["id"], e["displayName"], utf8.RuneCountInString(e["description"].(string))}
	if diff := cmp.Diff([]any{"viewer", "viewer", 1000}, got); diff != "" {
		t.Errorf("entry (-want +got):\n%s", diff)
	}
}

// TestGrantsManyAgainstLargeCatalog grants more roles than a scan of a
// large catalog allows, so that the lookups switch from scanning to an
// index halfway: every role is found either way, in the catalog's spelling.
func TestGrantsManyAgainstLargeCatalog(t *testing.T) {
	var entries []scim.CatalogEntry
	for i := range 2000 {
		entries = append(entries, scim.CatalogEntry{ID: fmt.Sprintf("Role-%04d", i), DisplayName: fmt.Sprintf("R%d", i)})
	}
	h, err := scim.NewHandler(scim.Config{Store: store.NewMemory(), Catalogs: []scim.Catalog{{Name: "Role", Endpoint: "/Roles",
		Entries: func(context.Context) ([]scim.CatalogEntry, error) { return entries, nil }}}})
	if err != nil {
		t.Fatal(err)
	}
	var roles, want []schema.Role
	for i := range 40 {
		roles = append(roles, schema.Role{Value: fmt.Sprintf("ROLE-%04d", i*37)})
		want = append(want, schema.Role{Value: fmt.Sprintf("Role-%04d", i*37), Display: fmt.Sprintf("R%d", i*37)})
	}
	res, err := h.Create(context.Background(), "User", &schema.User{UserName: "a", Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := res.User()
	if diff := cmp.Diff(want, u.Roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	_, err = h.Create(context.Background(), "User", &schema.User{UserName: "b", Roles: append(roles, schema.Role{Value: "Role-9999"})})
	if e := scim.ErrorOf(err); e == nil || !strings.HasPrefix(e.Detail, `roles[40].value "Role-9999"`) {
		t.Errorf("unknown 41st role: %v", err)
	}
}

// TestGrantsHeldKeepTheirSpelling checks that a PUT naming held grants in
// another case, or without their display, stores them as they were, and
// that nothing is reported granted or revoked.
func TestGrantsHeldKeepTheirSpelling(t *testing.T) {
	h, changes, _ := grantHandler(t, nil)
	ctx := context.Background()
	res, err := h.Create(ctx, "User", &schema.User{UserName: "ada", Roles: []schema.Role{{Value: "admin"}},
		Entitlements: []schema.Entitlement{{Value: "basic"}}})
	if err != nil {
		t.Fatal(err)
	}
	*changes = nil
	res, err = h.Replace(ctx, "User", res.ID, &schema.User{UserName: "ada", Roles: []schema.Role{{Value: "ADMIN", Type: "x"}, {Value: "MEMBER"}},
		Entitlements: []schema.Entitlement{{Value: "BASIC", Type: "license"}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := res.User()
	wantRoles := []schema.Role{{Value: "admin", Display: "Administrator", Type: "x"}, {Value: "member", Display: "Member"}}
	if diff := cmp.Diff(wantRoles, u.Roles); diff != "" {
		t.Errorf("roles (-want +got):\n%s", diff)
	}
	wantEnt := []schema.Entitlement{{Value: "basic", Display: "Basic seat", Type: "License"}}
	if diff := cmp.Diff(wantEnt, u.Entitlements); diff != "" {
		t.Errorf("entitlements (-want +got):\n%s", diff)
	}
	if len(*changes) != 1 || fmt.Sprint((*changes)[0].Granted) != "[{roles member Member }]" || len((*changes)[0].Revoked) != 0 {
		t.Errorf("changes: %+v", *changes)
	}
}

// TestGrantJSONWithNUL checks that a role sent as a JSON object in a
// string (Entra) whose strings hold a NUL character, hidden by the escape
// from the checks of the request, is refused naming it, not stored.
func TestGrantJSONWithNUL(t *testing.T) {
	h, err := scim.NewHandler(scim.Config{Store: store.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ inner, want string }{
		{`{"value":"a\u0000b"}`, `attribute "roles[0].value": is a JSON object whose "value" holds a NUL character (\u0000)`},
		{`{"value":"r","displayName":"d\u0000"}`, `attribute "roles[0].value": is a JSON object whose "displayName" holds a NUL character (\u0000)`},
	} {
		_, err := h.Create(context.Background(), "User", map[string]any{"userName": "a", "roles": []any{map[string]any{"value": c.inner}}})
		e := scim.ErrorOf(err)
		if e == nil || e.Status != 400 || e.ScimType != "invalidValue" || e.Detail != c.want {
			t.Errorf("role %s: %v; want 400 invalidValue %s", c.inner, err, c.want)
		}
	}
}
