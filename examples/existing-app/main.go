// Command existing-app is an application that had users, teams and
// sessions in its own SQLite tables before it offered SCIM, and now serves
// them to Okta and Microsoft Entra ID at /scim/v2 without changing them:
//
//	go run ./examples/existing-app [-addr 127.0.0.1:8080] [-db FILE] [-token T]
//
// Without -db the database is a new file in a temporary directory. It
// prints the SCIM base URL and the bearer token (generated unless -token is
// given), and the session of the administrator it creates on first start
// (admin@example.com, through scimkit's Go API as the app's settings page
// does).
//
// app.go is the app as it was (plus one index); scimstore.go is everything
// it adds to connect its tables to scimkit; this file wires them.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/scimkit/scimkit/examples/demo"
	"github.com/scimkit/scimkit/scim"
)

// newServer serves the app's own routes and, under /scim/v2 behind the
// bearer token, SCIM over the app's tables.
func newServer(db *sql.DB, token string, logger *slog.Logger) (http.Handler, *app, error) {
	h, err := scim.NewHandler(scim.Config{
		Store:         tableStore{db: db},
		ResourceTypes: resourceTypes(),
		Catalogs: []scim.Catalog{{Name: "Role", Endpoint: "/Roles", Description: "The app's roles",
			Entries: func(context.Context) ([]scim.CatalogEntry, error) { return appRoles, nil }}},
		Logger: logger,
	})
	if err != nil {
		return nil, nil, err
	}
	a := &app{db: db, scim: h}
	mux := http.NewServeMux()
	a.routes(mux)
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", scim.NewBearerAuth(token).Wrap(h)))
	return demo.LogRequests(logger, mux), a, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	dbPath := flag.String("db", "", "SQLite database file (default: a new one in a temporary directory)")
	token := flag.String("token", "", "bearer token identity providers must send (default: a random one, printed)")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *dbPath, *token, logger, os.Stdout); err != nil {
		logger.Error("exiting", "error", err)
		os.Exit(1)
	}
}

func run(addr, dbPath, token string, logger *slog.Logger, out io.Writer) error {
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "existing-app-")
		if err != nil {
			return err
		}
		dbPath = filepath.Join(dir, "app.db")
	}
	if token == "" {
		var err error
		if token, err = demo.NewToken(); err != nil {
			return err
		}
	}
	db, err := openDB(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	handler, a, err := newServer(db, token, logger)
	if err != nil {
		return err
	}
	ctx := context.Background()
	if _, err := a.createUser(ctx, "admin@example.com", "Ada", "Admin", "admin"); err != nil && !isConflict(err) {
		return fmt.Errorf("creating the administrator: %w", err)
	}
	session, err := a.login(ctx, "admin@example.com")
	if err != nil {
		return err
	}
	return demo.Serve(addr, handler, logger, func(l net.Addr) {
		fmt.Fprintf(out, "Database:      %s\nSCIM base URL: http://%s/scim/v2\nBearer token:  %s\nAdmin session: %s (Authorization: Session …)\n", dbPath, l, token, session)
	})
}

func isConflict(err error) bool {
	var se *scim.Error
	return errors.As(err, &se) && se.Status == http.StatusConflict
}
