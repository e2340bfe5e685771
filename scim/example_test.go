package scim_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// A host mounts the handler under its SCIM prefix, behind authentication,
// and reacts to provisioning through OnChange.
func ExampleNewHandler() {
	h, err := scim.NewHandler(scim.Config{
		Store: store.NewMemory(),
		OnChange: func(ctx context.Context, c scim.Change) {
			if c.Kind == scim.Created && c.Type == "User" {
				fmt.Println("give the default role to", c.Resource.Attributes["userName"])
			}
		},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", scim.NewBearerAuth("secret").Wrap(h)))

	req := httptest.NewRequest("POST", "/scim/v2/Users", strings.NewReader(`{"userName":"ada@example.com","active":true}`))
	req.Header.Set("Authorization", "Bearer secret")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	// Output:
	// give the default role to ada@example.com
	// 201 application/scim+json; charset=utf-8
}

// BearerAuth answers requests without a valid token with a SCIM 401.
func ExampleBearerAuth() {
	auth := scim.NewBearerAuth("current-token", "next-token")
	h := auth.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, _ := scim.TokenName(r.Context())
		fmt.Println("admitted with token", name)
	}))
	for _, tok := range []string{"next-token", "wrong"} {
		req := httptest.NewRequest("GET", "/Users", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Values("WWW-Authenticate"))
	}
	// Output:
	// admitted with token 1
	// 200 []
	// 401 [Bearer realm="scim"]
}

// Okta's "HTTP Header" authentication sends the pasted token without the
// Bearer scheme; BearerAuth accepts both forms.
func ExampleBearerAuth_oktaHeader() {
	h := scim.NewBearerAuth("api-key").Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, header := range []string{"Bearer api-key", "api-key", "Bearer wrong"} {
		req := httptest.NewRequest("GET", "/Users", nil)
		req.Header.Set("Authorization", header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(header, rec.Code)
	}
	// Output:
	// Bearer api-key 200
	// api-key 200
	// Bearer wrong 401
}

// BasicAuth serves Okta custom apps set up with Basic authentication; list
// it in Config.AuthenticationSchemes so /ServiceProviderConfig says so.
func ExampleBasicAuth() {
	auth := scim.NewBasicAuth(scim.BasicCredential{Name: "acme", Username: "okta", Password: "s3cret"})
	h := auth.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant, _ := scim.TokenName(r.Context())
		fmt.Println("tenant", tenant)
	}))
	req := httptest.NewRequest("GET", "/Users", nil)
	req.SetBasicAuth("okta", "s3cret")
	h.ServeHTTP(httptest.NewRecorder(), req)
	// Output:
	// tenant acme
}

// newExampleHandler is a handler over an empty memory store.
func newExampleHandler() *scim.Handler {
	h, err := scim.NewHandler(scim.Config{Store: store.NewMemory()})
	if err != nil {
		panic(err)
	}
	return h
}

// A host's settings page creates an administrator through the same pipeline
// as its identity provider: validation, uniqueness and OnChange included.
func ExampleHandler_Create() {
	h := newExampleHandler()
	ctx := context.Background()
	u, err := h.Create(ctx, "User", map[string]any{
		"userName": "admin@example.com",
		"name":     map[string]any{"givenName": "Ada", "familyName": "Lovelace"},
		"active":   true,
		"password": "never returned",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(u.Attributes["userName"], u.Attributes["name"].(map[string]any)["givenName"], u.Attributes["password"])

	_, err = h.Create(ctx, "User", map[string]any{"userName": "ADMIN@example.com"})
	var e *scim.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.ScimType, errors.Is(err, store.ErrConflict))
	}
	// Output:
	// admin@example.com Ada <nil>
	// 409 uniqueness true
}

func ExampleHandler_Get() {
	h := newExampleHandler()
	ctx := context.Background()
	u, _ := h.Create(ctx, "User", map[string]any{"userName": "ada@example.com"})
	got, err := h.Get(ctx, "User", u.ID)
	fmt.Println(got.Attributes["userName"], err)
	_, err = h.Get(ctx, "User", "nosuch")
	fmt.Println(err.(*scim.Error).Status, errors.Is(err, store.ErrNotFound))
	// Output:
	// ada@example.com <nil>
	// 404 true
}

// Replace with an entity tag writes only if nobody changed the resource
// since it was read.
func ExampleHandler_Replace() {
	h := newExampleHandler()
	ctx := context.Background()
	u, _ := h.Create(ctx, "User", map[string]any{"userName": "ada@example.com"})
	etag := `W/"` + u.Meta.Version + `"`
	_, err := h.Replace(ctx, "User", u.ID, map[string]any{"userName": "ada@example.com", "active": false}, etag)
	fmt.Println(err)
	_, err = h.Replace(ctx, "User", u.ID, map[string]any{"userName": "ada@example.com", "active": true}, etag)
	fmt.Println(err.(*scim.Error).Status)
	// Output:
	// <nil>
	// 412
}

// Patch takes RFC 7644 operations, in any dialect an identity provider
// sends.
func ExampleHandler_Patch() {
	h := newExampleHandler()
	ctx := context.Background()
	u, _ := h.Create(ctx, "User", map[string]any{"userName": "ada@example.com", "active": true})
	u, err := h.Patch(ctx, "User", u.ID, []patch.Operation{
		{Op: "replace", Value: map[string]any{"active": "False"}}, // Entra ID's string boolean
		{Op: "add", Path: `emails[type eq "work"].value`, Value: "ada@example.com"},
	}, "")
	if err != nil {
		panic(err)
	}
	fmt.Println(u.Attributes["active"], u.Attributes["emails"])
	// Output:
	// false [map[type:work value:ada@example.com]]
}

func ExampleHandler_Delete() {
	h := newExampleHandler()
	ctx := context.Background()
	u, _ := h.Create(ctx, "User", map[string]any{"userName": "ada@example.com"})
	fmt.Println(h.Delete(ctx, "User", u.ID, ""))
	fmt.Println(h.Delete(ctx, "User", u.ID, "").(*scim.Error).Status)
	// Output:
	// <nil>
	// 404
}

// List takes the parameters of a SearchRequest (RFC 7644 §3.4.3).
func ExampleHandler_List() {
	h := newExampleHandler()
	ctx := context.Background()
	for _, n := range []string{"carol", "alice", "bob"} {
		if _, err := h.Create(ctx, "User", map[string]any{"userName": n + "@example.com", "title": "Engineer"}); err != nil {
			panic(err)
		}
	}
	two := 2
	page, err := h.List(ctx, "User", scim.SearchRequest{
		Filter:     `title eq "engineer"`, // title is not caseExact
		SortBy:     "userName",
		Count:      &two,
		Attributes: []string{"userName"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(page.TotalResults, page.StartIndex)
	for _, u := range page.Resources {
		fmt.Println(u.Attributes)
	}
	// Output:
	// 3 1
	// map[userName:alice@example.com]
	// map[userName:bob@example.com]
}

// Search looks through every resource type, as POST /.search does.
func ExampleHandler_Search() {
	h := newExampleHandler()
	ctx := context.Background()
	_, _ = h.Create(ctx, "User", map[string]any{"userName": "eve@example.com", "displayName": "Eve"})
	_, _ = h.Create(ctx, "Group", map[string]any{"displayName": "Everyone"})
	res, err := h.Search(ctx, scim.SearchRequest{Filter: `displayName sw "Ev"`})
	if err != nil {
		panic(err)
	}
	for _, r := range res.Resources {
		fmt.Println(r.Type, r.Attributes["displayName"])
	}
	// Output:
	// User Eve
	// Group Everyone
}

// The typed views of package schema work as input and output of the Go API.
func ExampleHandler_Create_typed() {
	h := newExampleHandler()
	ctx := context.Background()
	res, err := h.Create(ctx, "User", &schema.User{
		UserName:   "grace@example.com",
		Name:       &schema.Name{GivenName: "Grace", FamilyName: "Hopper"},
		Emails:     []schema.Email{{Value: "grace@example.com", Type: "work", Primary: new(true)}},
		Enterprise: &schema.EnterpriseUser{Department: "Research"},
	})
	if err != nil {
		panic(err)
	}
	u, err := res.User()
	if err != nil {
		panic(err)
	}
	fmt.Println(u.UserName, u.Name.GivenName, u.PrimaryEmail(), u.Enterprise.Department, u.IsActive())
	// Output:
	// grace@example.com Grace grace@example.com Research true
}

// An app declares its roles once; Okta Identity Governance discovers them
// at /Roles and grants them in users' "roles", Entra ID sends its app roles
// there. The handler checks each grant against the catalog, fills in its
// display name, and reports grants and revocations in Change, which the app
// maps onto its own permissions.
func ExampleCatalog() {
	roles := []scim.CatalogEntry{
		{ID: "member", DisplayName: "Member"},
		{ID: "admin", DisplayName: "Administrator", Description: "Manages the app"},
	}
	h, err := scim.NewHandler(scim.Config{
		Store: store.NewMemory(),
		Catalogs: []scim.Catalog{{Name: "Role", Endpoint: "/Roles",
			Entries: func(context.Context) ([]scim.CatalogEntry, error) { return roles, nil }}},
		OnChange: func(_ context.Context, c scim.Change) {
			for _, g := range c.Granted {
				fmt.Println("granted", g.Value, g.Display)
			}
			for _, g := range c.Revoked {
				fmt.Println("revoked", g.Value)
			}
		},
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	u, _ := h.Create(ctx, "User", &schema.User{UserName: "ada@example.com", Roles: []schema.Role{{Value: "admin"}}})
	// Okta's full-set PUT without "admin" revokes it.
	_, _ = h.Replace(ctx, "User", u.ID, &schema.User{UserName: "ada@example.com", Roles: []schema.Role{{Value: "member"}}}, "")

	_, err = h.Replace(ctx, "User", u.ID, &schema.User{UserName: "ada@example.com", Roles: []schema.Role{{Value: "owner"}}}, "")
	fmt.Println(scim.ErrorOf(err).Detail)
	// Output:
	// granted admin Administrator
	// granted member Member
	// revoked admin
	// roles[0].value "owner" is not a role of this service provider (the catalog resource types list them)
}
