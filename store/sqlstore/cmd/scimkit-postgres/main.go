// Command scimkit-postgres is a SCIM 2.0 service provider over the SQL
// store (package github.com/scimkit/scimkit/store/sqlstore), in PostgreSQL
// or SQLite: the memory example with data that survives a restart.
//
//	go run ./cmd/scimkit-postgres -dsn postgres://user@localhost/scim [-addr 127.0.0.1:8080] [-token T]
//	go run ./cmd/scimkit-postgres -driver sqlite -dsn scim.db
//
// It creates its tables at start (Migrate is idempotent) and serves SCIM at http://ADDR/scim/v2. Without -token it generates a
// random token and prints it; paste it into the identity provider as the
// bearer token (Okta: "HTTP Header" authentication). It registers the
// Enterprise User extension and a custom extension
// urn:ietf:params:scim:schemas:extension:acme:2.0:User (costCenter,
// badgeNumber, isContractor), logs every request, gives every user created
// over SCIM the app's default "member" role, and stops cleanly on SIGINT or
// SIGTERM.
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

	"github.com/scimkit/scimkit/examples/demo"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// newServer builds the host's HTTP handler: SCIM under /scim/v2 behind the
// bearer token, with request logging.
func newServer(token string, st store.Store, rts []*schema.ResourceType, logger *slog.Logger) (http.Handler, error) {
	app := demo.NewApp(logger)
	h, err := scim.NewHandler(scim.Config{
		Store:         st,
		ResourceTypes: rts,
		OnChange:      app.OnChange,
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
	driver := flag.String("driver", "postgres", "database: postgres or sqlite")
	dsn := flag.String("dsn", "", "data source: a PostgreSQL URL or key=value string, or an SQLite file name (required)")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *token, *driver, *dsn, logger, os.Stdout); err != nil {
		logger.Error("exiting", "error", err)
		os.Exit(1)
	}
}

// resourceTypes are the resource types served and stored.
func resourceTypes() []*schema.ResourceType { return demo.ResourceTypes() }

// openStore opens the database, migrates it and returns the store.
func openStore(ctx context.Context, driver, dsn string, rts []*schema.ResourceType) (*sqlstore.Store, *sql.DB, error) {
	if dsn == "" {
		return nil, nil, errors.New("-dsn is required")
	}
	var (
		d          sqlstore.Dialect
		driverName string
	)
	switch driver {
	case "postgres":
		d, driverName = sqlstore.Postgres, "pgx"
	case "sqlite":
		d, driverName = sqlstore.SQLite, "sqlite"
		dsn += "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)"
	default:
		return nil, nil, fmt.Errorf("-driver %q: want postgres or sqlite", driver)
	}
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, nil, err
	}
	if driver == "sqlite" {
		db.SetMaxOpenConns(1)
	} else {
		// PostgreSQL starts a server process for every new connection:
		// keep as many idle as may be open, so that a busy server reuses
		// them instead of connecting for each request.
		db.SetMaxOpenConns(32)
		db.SetMaxIdleConns(32)
	}
	st, err := sqlstore.New(db, sqlstore.Config{Dialect: d, ResourceTypes: rts})
	if err == nil {
		err = st.Migrate(ctx)
	}
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return st, db, nil
}

func run(addr, token, driver, dsn string, logger *slog.Logger, out io.Writer) error {
	rts := resourceTypes()
	st, db, err := openStore(context.Background(), driver, dsn, rts)
	if err != nil {
		return err
	}
	defer db.Close()
	if token == "" {
		if token, err = demo.NewToken(); err != nil {
			return err
		}
	}
	handler, err := newServer(token, st, rts, logger)
	if err != nil {
		return err
	}
	return demo.Serve(addr, handler, logger, func(a net.Addr) {
		fmt.Fprintf(out, "SCIM base URL: http://%s/scim/v2\nBearer token:  %s\n", a, token)
	})
}
