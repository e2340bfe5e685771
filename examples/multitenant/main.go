// Command multitenant serves two tenants from one SCIM endpoint: each
// tenant's identity provider authenticates with its own bearer token, and
// the token decides which tenant's users and groups every request sees.
//
//	go run ./examples/multitenant [-addr 127.0.0.1:8081]
//
// It prints one token per tenant. Nothing one tenant does is visible to the
// other: ids from another tenant are 404, filters and searches only ever
// match the caller's own resources, and uniqueness (userName) is per tenant.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"

	"github.com/scimkit/scimkit/examples/demo"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// tenantOf is the tenant of a request: the name of the bearer token that
// BearerAuth accepted. Every store call scopes by it.
func tenantOf(ctx context.Context) string {
	name, _ := scim.TokenName(ctx)
	return name
}

// newServer builds SCIM under /scim/v2 for the tenants in tokens (tenant
// name → bearer token).
func newServer(tokens map[string]string, logger *slog.Logger) (http.Handler, error) {
	h, err := scim.NewHandler(scim.Config{
		Store:  store.NewMemoryWith(store.MemoryConfig{Tenant: tenantOf}),
		Logger: logger,
	})
	if err != nil {
		return nil, err
	}
	auth := scim.NewBearerAuth()
	auth.SetNamedTokens(tokens)
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", auth.Wrap(h)))
	return mux, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, logger, os.Stdout); err != nil {
		logger.Error("exiting", "error", err)
		os.Exit(1)
	}
}

func run(addr string, logger *slog.Logger, out io.Writer) error {
	tokens := map[string]string{}
	for _, tenant := range []string{"acme", "globex"} {
		t, err := demo.NewToken()
		if err != nil {
			return err
		}
		tokens[tenant] = t
	}
	handler, err := newServer(tokens, logger)
	if err != nil {
		return err
	}
	return demo.Serve(addr, demo.LogRequests(logger, handler), logger, func(a net.Addr) {
		fmt.Fprintf(out, "SCIM base URL: http://%s/scim/v2\n", a)
		for _, tenant := range []string{"acme", "globex"} {
			fmt.Fprintf(out, "Bearer token for %s: %s\n", tenant, tokens[tenant])
		}
	})
}
