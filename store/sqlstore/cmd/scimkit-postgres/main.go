// Command scimkit-postgres is a SCIM 2.0 service provider over the SQL
// store (package github.com/scimkit/scimkit/store/sqlstore), in PostgreSQL
// or SQLite: the memory example with data that survives a restart.
//
//	go run ./cmd/scimkit-postgres -dsn postgres://user@localhost/scim [-addr 127.0.0.1:8080] [-token T]
//	go run ./cmd/scimkit-postgres -driver sqlite -dsn scim.db
//
// Several instances behind a load balancer share one PostgreSQL database
// and must share the key that seals pagination cursors, so that a cursor
// one instance gives another accepts: pass the same -cursor-key (or
// SCIMKIT_CURSOR_KEY) to each, at least 32 random bytes in hex or base64
// (openssl rand -hex 32). Without one each instance makes a key of its own
// and cursors fail over to another instance or across a restart.
// -max-scan and -statement-timeout set the store's bounds on one request
// (sqlstore.Config.MaxScan and StatementTimeout).
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
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"

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
func newServer(token string, cursorKey []byte, st store.Store, rts []*schema.ResourceType, logger *slog.Logger) (http.Handler, error) {
	app := demo.NewApp(logger)
	h, err := scim.NewHandler(scim.Config{
		Store:         st,
		CursorKey:     cursorKey,
		ResourceTypes: rts,
		Catalogs:      []scim.Catalog{demo.RoleCatalog()},
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
	cursorKey := flag.String("cursor-key", os.Getenv(cursorKeyEnv), "key sealing pagination cursors, the same on every instance: at least 32 bytes in hex or base64 (default $"+cursorKeyEnv+"; none: a random key per process)")
	maxScan := flag.Int("max-scan", sqlstore.DefaultMaxScan, "most resources one list reads to evaluate filter terms the SQL cannot (negative: no bound)")
	timeout := flag.Duration("statement-timeout", sqlstore.DefaultStatementTimeout, "longest time one request spends in the database (negative: no bound)")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	key, err := parseCursorKey(*cursorKey)
	if err != nil {
		logger.Error("exiting", "error", err)
		os.Exit(2)
	}
	if key == nil {
		logger.Warn("no -cursor-key: cursors are sealed with a key of this process, so another instance or a restart refuses them")
	}
	cfg := sqlstore.Config{ResourceTypes: resourceTypes(), MaxScan: *maxScan, StatementTimeout: *timeout}
	if err := run(*addr, *token, key, *driver, *dsn, cfg, logger, os.Stdout); err != nil {
		logger.Error("exiting", "error", err)
		os.Exit(1)
	}
}

// cursorKeyEnv names the environment variable -cursor-key defaults to.
const cursorKeyEnv = "SCIMKIT_CURSOR_KEY"

// minCursorKey is the shortest cursor key accepted, in bytes.
const minCursorKey = 32

// parseCursorKey decodes a cursor key given in hex or base64 (standard or
// URL alphabet, padded or not); "" is no key. A key shorter than 32 bytes
// is refused.
func parseCursorKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var key []byte
	if b, err := hex.DecodeString(s); err == nil {
		key = b
	} else {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(s); err == nil {
				key = b
				break
			}
		}
		if key == nil {
			return nil, errors.New("-cursor-key is neither hex nor base64")
		}
	}
	if len(key) < minCursorKey {
		return nil, fmt.Errorf("-cursor-key has %d bytes; use at least %d random bytes (openssl rand -hex 32)", len(key), minCursorKey)
	}
	return key, nil
}

// resourceTypes are the resource types served and stored.
func resourceTypes() []*schema.ResourceType { return demo.ResourceTypes() }

// openStore opens the database, migrates it and returns the store; cfg
// gives everything but the dialect.
func openStore(ctx context.Context, driver, dsn string, cfg sqlstore.Config) (*sqlstore.Store, *sql.DB, error) {
	if dsn == "" {
		return nil, nil, errors.New("-dsn is required")
	}
	var (
		db  *sql.DB
		err error
	)
	switch driver {
	case "postgres":
		cfg.Dialect = sqlstore.Postgres
		if db, err = sql.Open("pgx", dsn); err != nil {
			return nil, nil, err
		}
		// PostgreSQL starts a server process for every new connection:
		// keep as many idle as may be open, so that a busy server reuses
		// them instead of connecting for each request.
		db.SetMaxOpenConns(32)
		db.SetMaxIdleConns(32)
	case "sqlite":
		// WAL and several connections: a slow list does not hold up
		// the other requests.
		cfg.Dialect = sqlstore.SQLite
		if db, err = sqlstore.OpenSQLite(dsn); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, fmt.Errorf("-driver %q: want postgres or sqlite", driver)
	}
	st, err := sqlstore.New(db, cfg)
	if err == nil {
		err = st.Migrate(ctx)
	}
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return st, db, nil
}

func run(addr, token string, cursorKey []byte, driver, dsn string, cfg sqlstore.Config, logger *slog.Logger, out io.Writer) error {
	st, db, err := openStore(context.Background(), driver, dsn, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if token == "" {
		if token, err = demo.NewToken(); err != nil {
			return err
		}
	}
	handler, err := newServer(token, cursorKey, st, cfg.ResourceTypes, logger)
	if err != nil {
		return err
	}
	return demo.Serve(addr, handler, logger, func(a net.Addr) {
		fmt.Fprintf(out, "SCIM base URL: http://%s/scim/v2\nBearer token:  %s\n", a, token)
	})
}
