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
// identity provider granted it and takes it back when revoked
// (Config.OnChange), ends the sessions of users an identity provider
// deactivates or deletes (from the store's change feed, see endSessions),
// and stops cleanly on SIGINT or SIGTERM.
//
// At start-up it creates the app's first administrator (-admin, default
// admin@example.com) the way the app's own settings page would: through
// scimkit's Go API, so the user is validated and stored exactly like one
// created over SCIM, and the identity provider finds it with its userName
// lookup.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"

	"github.com/scimkit/scimkit/examples/demo"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/feed"
)

// newServer builds the host's HTTP handler: SCIM under /scim/v2 behind the
// bearer token, with request logging. app receives every committed change,
// and a consumer of the store's change feed ends the sessions of users
// deactivated or deleted until ctx is done. The SCIM handler is returned
// too, for the app's own code.
func newServer(ctx context.Context, token string, app *demo.App, logger *slog.Logger) (http.Handler, *scim.Handler, error) {
	st := store.NewMemoryWith(store.MemoryConfig{Feed: true})
	go func() {
		err := feed.Run(ctx, feed.Config{Feed: st, Name: "sessions", Handle: endSessions(st, app),
			OnError: func(ctx context.Context, _ *store.Event, err error) {
				logger.WarnContext(ctx, "ending sessions (retried)", "err", err)
			}})
		if err != nil {
			logger.Error("the sessions consumer stopped", "err", err)
		}
	}()
	h, err := scim.NewHandler(scim.Config{
		Store:         st,
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

// endSessions is the change feed's handler that ends the sessions of a
// user who is deleted, or whose "active" changed to false. It works from
// the feed rather than OnChange so that no deactivation is missed: the
// consumer retries until it succeeds, and with a durable store
// (store/sqlstore with Config.Feed) resumes after a crash from where it
// stopped. Events may come twice; ending sessions again does no harm.
func endSessions(st store.Store, app *demo.App) func(ctx context.Context, e store.Event) error {
	return func(ctx context.Context, e store.Event) error {
		c := e.Change
		switch {
		case c.Type != "User":
			return nil
		case c.Kind == store.Deleted:
			app.EndSessions(ctx, c.ID)
			return nil
		case !slices.Contains(c.Changed, "active"):
			return nil
		}
		r, err := st.Get(ctx, "User", c.ID) // the state now: the event names what changed, not how
		if errors.Is(err, store.ErrNotFound) {
			return nil // deleted since; that event ends them
		}
		if err != nil {
			return err // retried with backoff
		}
		if u, err := r.User(); err == nil && !u.IsActive() {
			app.EndSessions(ctx, c.ID)
		}
		return nil
	}
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
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	handler, h, err := newServer(ctx, token, demo.NewApp(logger), logger)
	if err != nil {
		return err
	}
	if admin != "" {
		u, err := createAdmin(ctx, h, admin)
		if err != nil {
			return fmt.Errorf("creating the administrator: %w", err)
		}
		fmt.Fprintf(out, "Administrator: %s (id %s)\n", u.UserName, u.ID)
	}
	return demo.Serve(addr, handler, logger, func(a net.Addr) {
		fmt.Fprintf(out, "SCIM base URL: http://%s/scim/v2\nBearer token:  %s\n", a, token)
	})
}
