// Command memory is a SCIM 2.0 service provider over the in-memory store:
// the quickest way to connect Okta or Microsoft Entra ID to scimkit and
// watch what they send.
//
//	go run ./examples/memory [-addr 127.0.0.1:8080] [-token T]
//
// It serves SCIM at http://ADDR/scim/v2. Without -token it generates a
// random token and prints it; paste it into the identity provider as the
// bearer token (Okta: "HTTP Header" authentication). It registers the
// Enterprise User extension and a custom extension
// urn:ietf:params:scim:schemas:extension:acme:2.0:User (costCenter,
// badgeNumber, isContractor), declares the app's roles "member" and "admin"
// at /Roles (Okta Identity Governance discovers them there; Entra ID app
// roles with those values map onto them), logs every request, gives every
// user created over SCIM the app's default "member" role or "admin" when the
// identity provider granted it (and takes it back when revoked), and stops
// cleanly on SIGINT or SIGTERM.
//
// At start-up it creates the app's first administrator (-admin, default
// admin@example.com) the way the app's own settings page would: through
// scimkit's Go API, so the user is validated and stored exactly like one
// created over SCIM, and the identity provider finds it with its userName
// lookup.
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
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// newServer builds the host's HTTP handler: SCIM under /scim/v2 behind the
// bearer token, with request logging. app receives every committed change.
// The SCIM handler is returned too, for the app's own code.
func newServer(token string, app *demo.App, logger *slog.Logger) (http.Handler, *scim.Handler, error) {
	h, err := scim.NewHandler(scim.Config{
		Store:         store.NewMemory(),
		ResourceTypes: demo.ResourceTypes(),               // User + Enterprise + acme, Group
		Catalogs:      []scim.Catalog{demo.RoleCatalog()}, // roles member and admin at /Roles
		OnChange:      app.OnChange,                       // the app's role from the granted roles
		Logger:        logger,
	})
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", scim.NewBearerAuth(token).Wrap(h)))
	return demo.LogRequests(logger, mux), h, nil
}

// createAdmin creates an administrator as the app's settings page does:
// through the Go API, granting the "admin" role, which the app's OnChange
// hook turns into its own role and identity providers read back on import.
// An existing user of that userName is an error (409).
func createAdmin(ctx context.Context, h *scim.Handler, email string) (*schema.User, error) {
	res, err := h.Create(ctx, "User", &schema.User{
		UserName: email,
		Emails:   []schema.Email{{Value: email, Type: "work", Primary: new(true)}},
		Active:   new(true),
		Roles:    []schema.Role{{Value: demo.RoleAdmin}},
	})
	if err != nil {
		return nil, err
	}
	return res.User()
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	token := flag.String("token", "", "bearer token identity providers must send (default: a random one, printed)")
	admin := flag.String("admin", "admin@example.com", "userName of the administrator created at start-up (empty: none)")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *token, *admin, logger, os.Stdout); err != nil {
		logger.Error("exiting", "error", err)
		os.Exit(1)
	}
}

func run(addr, token, admin string, logger *slog.Logger, out io.Writer) error {
	if token == "" {
		var err error
		if token, err = demo.NewToken(); err != nil {
			return err
		}
	}
	handler, h, err := newServer(token, demo.NewApp(logger), logger)
	if err != nil {
		return err
	}
	if admin != "" {
		u, err := createAdmin(context.Background(), h, admin)
		if err != nil {
			return fmt.Errorf("creating the administrator: %w", err)
		}
		fmt.Fprintf(out, "Administrator: %s (id %s)\n", u.UserName, u.ID)
	}
	return demo.Serve(addr, handler, logger, func(a net.Addr) {
		fmt.Fprintf(out, "SCIM base URL: http://%s/scim/v2\nBearer token:  %s\n", a, token)
	})
}
