package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/scimkit/scimkit/scim"
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
