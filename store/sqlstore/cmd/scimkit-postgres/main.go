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
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// AcmeURN is the demo custom extension: Okta sends custom attributes nested
// under the namespace URN chosen in its Profile Editor.
const AcmeURN = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"

// acmeExtension defines the demo custom attributes.
func acmeExtension() *schema.Schema {
	return &schema.Schema{
		ID: AcmeURN, Name: "AcmeUser", Description: "Acme custom user attributes",
		Attributes: []*schema.Attribute{
			{Name: "costCenter", Type: schema.String, Description: "Cost center code"},
			{Name: "badgeNumber", Type: schema.Integer, Description: "Building badge number"},
			{Name: "isContractor", Type: schema.Boolean, Description: "Whether the user is a contractor"},
		},
	}
}

// app stands for the host application: it keeps the role of each user.
type app struct {
	mu    sync.Mutex
	roles map[string]string // user id -> role
	log   *slog.Logger
}

// onChange is the provisioning hook: users created over SCIM get the
// default role; deleted users lose theirs.
func (a *app) onChange(ctx context.Context, c scim.Change) {
	if c.Type != "User" {
		if c.Type == "Group" && (len(c.MembersAdded) > 0 || len(c.MembersRemoved) > 0) {
			a.log.InfoContext(ctx, "group membership changed", "group", c.ID, "added", len(c.MembersAdded), "removed", len(c.MembersRemoved))
		}
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	switch c.Kind {
	case scim.Created:
		a.roles[c.ID] = "member"
		a.log.InfoContext(ctx, "assigned default role", "user", c.ID, "role", "member")
	case scim.Deleted:
		delete(a.roles, c.ID)
		a.log.InfoContext(ctx, "removed user", "user", c.ID)
	default:
		if active, ok := c.Resource.Attributes["active"].(bool); ok && !active {
			a.log.InfoContext(ctx, "user deactivated", "user", c.ID)
		} else {
			a.log.InfoContext(ctx, "user updated", "user", c.ID, "changed", c.Changed)
		}
	}
}

// newServer builds the host's HTTP handler: SCIM under /scim/v2 behind the
// bearer token, with request logging.
func newServer(token string, st store.Store, rts []*schema.ResourceType, logger *slog.Logger) (http.Handler, error) {
	a := &app{roles: map[string]string{}, log: logger}
	h, err := scim.NewHandler(scim.Config{
		Store:         st,
		ResourceTypes: rts,
		OnChange:      a.onChange,
		Logger:        logger,
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", scim.NewBearerAuth(token).Wrap(h)))
	return logRequests(logger, mux), nil
}

// statusRecorder remembers the status code written.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// logRequests logs method, path, query, status and duration of each
// request; never the Authorization header.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		logger.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "query", r.URL.RawQuery,
			"status", rec.status, "duration", time.Since(start).Round(time.Microsecond), "agent", r.UserAgent())
	})
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
func resourceTypes() []*schema.ResourceType {
	return []*schema.ResourceType{
		schema.UserResourceType(schema.EnterpriseUserSchema(), acmeExtension()),
		schema.GroupResourceType(),
	}
}

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

func run(addr, token, driver, dsn string, logger *slog.Logger, out *os.File) error {
	rts := resourceTypes()
	st, db, err := openStore(context.Background(), driver, dsn, rts)
	if err != nil {
		return err
	}
	defer db.Close()
	if token == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		token = base64.RawURLEncoding.EncodeToString(b)
	}
	handler, err := newServer(token, st, rts, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "SCIM base URL: http://%s/scim/v2\nBearer token:  %s\n", ln.Addr(), token)
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
