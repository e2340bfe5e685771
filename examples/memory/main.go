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
// badgeNumber, isContractor), logs every request, gives every user created
// over SCIM the app's default "member" role, and stops cleanly on SIGINT or
// SIGTERM.
package main

import (
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

// newServer builds the host's HTTP handler: SCIM under /scim/v2 behind the
// bearer token, with request logging. app receives every committed change.
func newServer(token string, app *demo.App, logger *slog.Logger) (http.Handler, error) {
	h, err := scim.NewHandler(scim.Config{
		Store:         store.NewMemory(),
		ResourceTypes: demo.ResourceTypes(), // User + Enterprise + acme, Group
		OnChange:      app.OnChange,         // default role for SCIM-created users
		Logger:        logger,
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", scim.NewBearerAuth(token).Wrap(h)))
	return demo.LogRequests(logger, mux), nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	token := flag.String("token", "", "bearer token identity providers must send (default: a random one, printed)")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *token, logger, os.Stdout); err != nil {
		logger.Error("exiting", "error", err)
		os.Exit(1)
	}
}

func run(addr, token string, logger *slog.Logger, out io.Writer) error {
	if token == "" {
		var err error
		if token, err = demo.NewToken(); err != nil {
			return err
		}
	}
	handler, err := newServer(token, demo.NewApp(logger), logger)
	if err != nil {
		return err
	}
	return demo.Serve(addr, handler, logger, func(a net.Addr) {
		fmt.Fprintf(out, "SCIM base URL: http://%s/scim/v2\nBearer token:  %s\n", a, token)
	})
}
