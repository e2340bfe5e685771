package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	msqlite "modernc.org/sqlite"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/storetest"
)

// plainConn is a SQLite connection that runs no statement itself: it has
// no driver.QueryerContext, so read must prepare statements through
// database/sql as for any such driver.
type plainConn struct{ c driver.Conn }

func (p plainConn) Prepare(q string) (driver.Stmt, error) { return p.c.Prepare(q) }
func (p plainConn) Close() error                          { return p.c.Close() }
func (p plainConn) Begin() (driver.Tx, error) {
	//lint:ignore SA1019 driver.Conn requires Begin; it forwards the wrapped one
	return p.c.Begin()
}

func (p plainConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return p.c.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

// flakyConn is a SQLite connection whose next bad.Load() statements run
// through QueryContext report driver.ErrBadConn, as a driver does for a
// connection the server closed, and whose next badNext.Load() result sets
// report it on their first row, after the statement ran.
type flakyConn struct {
	driver.Conn
	bad, badNext *atomic.Int32
}

func (f flakyConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if f.bad.Add(-1) >= 0 {
		return nil, driver.ErrBadConn
	}
	rows, err := f.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
	if err != nil || f.badNext.Add(-1) < 0 {
		return rows, err
	}
	return badRows{rows}, nil
}

// badRows fails its first row with driver.ErrBadConn.
type badRows struct{ driver.Rows }

func (badRows) Next([]driver.Value) error { return driver.ErrBadConn }

// skipConn is a SQLite connection whose QueryContext declines every
// statement with driver.ErrSkip.
type skipConn struct{ plainConn }

func (skipConn) QueryContext(context.Context, string, []driver.NamedValue) (driver.Rows, error) {
	return nil, driver.ErrSkip
}

func (f flakyConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return f.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (f flakyConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return f.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

// wrapped is a connector of SQLite connections passed through wrap.
type wrapped struct {
	dsn  string
	wrap func(driver.Conn) driver.Conn
}

func (w wrapped) Connect(context.Context) (driver.Conn, error) {
	c, err := (&msqlite.Driver{}).Open(w.dsn)
	if err != nil {
		return nil, err
	}
	return w.wrap(c), nil
}

func (w wrapped) Driver() driver.Driver { return &msqlite.Driver{} }

// openWrapped opens a migrated store over a new SQLite database whose
// connections pass through wrap.
func openWrapped(t *testing.T, wrap func(driver.Conn) driver.Conn) *Store {
	t.Helper()
	db := sql.OpenDB(wrapped{
		dsn:  "file:" + filepath.Join(t.TempDir(), "scim.db") + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate",
		wrap: wrap,
	})
	db.SetMaxOpenConns(sqliteConns)
	db.SetMaxIdleConns(sqliteConns)
	t.Cleanup(func() { db.Close() })
	return newTestStore(t, db, SQLite)
}

// TestReadWithoutQueryer runs the conformance kit on stores whose driver
// runs no statement itself, or declines each with driver.ErrSkip: read's
// other path.
func TestReadWithoutQueryer(t *testing.T) {
	if _, ok := any(plainConn{}).(driver.QueryerContext); ok {
		t.Fatal("plainConn runs statements itself; the test would not reach read's other path")
	}
	for name, wrap := range map[string]func(driver.Conn) driver.Conn{
		"no QueryerContext": func(c driver.Conn) driver.Conn { return plainConn{c} },
		"ErrSkip":           func(c driver.Conn) driver.Conn { return skipConn{plainConn{c}} },
	} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store { return openWrapped(t, wrap) })
		})
	}
}

// TestReadRetriesBadConn requires read to try another connection after
// the driver refuses a query with driver.ErrBadConn, twice, as
// database/sql does, and to give up after that; and never to run a
// statement again once it ran, even when reading its rows fails with
// driver.ErrBadConn.
func TestReadRetriesBadConn(t *testing.T) {
	var bad, badNext atomic.Int32
	s := openWrapped(t, func(c driver.Conn) driver.Conn { return flakyConn{c, &bad, &badNext} })
	ctx := context.Background()
	u, err := s.Create(ctx, user("flaky"))
	if err != nil {
		t.Fatal(err)
	}
	bad.Store(maxBadConnRetries)
	got, err := s.Get(ctx, "User", u.ID)
	if err != nil {
		t.Fatalf("Get after %d bad connections: %v", maxBadConnRetries, err)
	}
	if diff := cmp.Diff(u, got); diff != "" {
		t.Errorf("Get after bad connections (-created +got):\n%s", diff)
	}
	bad.Store(maxBadConnRetries + 1)
	if _, err := s.Get(ctx, "User", u.ID); !errors.Is(err, driver.ErrBadConn) {
		t.Errorf("Get after %d bad connections: %v, want driver.ErrBadConn", maxBadConnRetries+1, err)
	}
	bad.Store(0)
	if _, err := s.Get(ctx, "User", u.ID); err != nil {
		t.Errorf("Get once connections are good again: %v", err)
	}

	if _, err := s.db.ExecContext(ctx, `CREATE TABLE runs (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	badNext.Store(1)
	var n int64
	if err := s.readRow(ctx, `INSERT INTO runs (n) VALUES (1) RETURNING n`, nil, &n); !errors.Is(err, driver.ErrBadConn) {
		t.Errorf("a statement whose first row fails: %v, want driver.ErrBadConn", err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM runs`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the statement ran %d times (%v), want once", n, err)
	}
}

// TestReadPanicKeepsConnection panics in a row function of read on a store
// over an in-memory SQLite database, whose one connection is the
// database, and requires the panic to reach the caller and the database to
// be there after it.
func TestReadPanicKeepsConnection(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	s := newTestStore(t, db, SQLite)
	ctx := context.Background()
	u, err := s.Create(ctx, user("kept"))
	if err != nil {
		t.Fatal(err)
	}
	got := func() (p any) {
		defer func() { p = recover() }()
		_ = s.read(ctx, `SELECT id FROM scim_resources`, nil, func(scanner) error { panic("row function") })
		return nil
	}()
	if got != "row function" {
		t.Errorf("read with a panicking row function: recovered %v, want the panic", got)
	}
	if _, err := s.Get(ctx, "User", u.ID); err != nil {
		t.Errorf("Get after the panic: %v", err)
	}
}

// TestReadScansAsDatabaseSQL reads column values of each type the
// drivers give into each destination the store uses, through read and
// through *sql.Row.Scan, and requires the same value or the same failure.
func TestReadScansAsDatabaseSQL(t *testing.T) {
	exprs := map[string][]string{
		"SQLite": {`'text'`, `'12'`, `x'6279746573'`, `7`, `0`, `1`, `3.0`, `1.5`, `NULL`, `'2026-12-01T10:00:00Z'`},
		"Postgres": {`'text'::text`, `'12'::text`, `'\x6279746573'::bytea`, `7::bigint`, `7::int`, `1::int`, `true`, `false`,
			`3.0::float8`, `1.5::float8`, `NULL`, `'2026-12-01T10:00:00Z'::timestamptz`, `'{"a":1}'::jsonb`, `'{"a": 1}'::json`},
	}
	type dest struct {
		name string
		make func() any // a new destination
	}
	dests := []dest{
		{"*string", func() any { return new(string) }},
		{"*[]byte", func() any { return new([]byte) }},
		{"*int64", func() any { return new(int64) }},
		{"*int", func() any { return new(int) }},
		{"*bool", func() any { return new(bool) }},
		{"*any", func() any { return new(any) }},
		{"*time.Time", func() any { return new(time.Time) }},
		{"*sql.NullString", func() any { return new(sql.NullString) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := newTestStore(t, db, d)
			ctx := context.Background()
			for _, e := range exprs[be.name] {
				for _, ds := range dests {
					want, got := ds.make(), ds.make()
					q := "SELECT " + e
					wantErr := db.QueryRowContext(ctx, q).Scan(want)
					gotErr := s.readRow(ctx, q, nil, got)
					if (wantErr != nil) != (gotErr != nil) {
						t.Errorf("%s into %s: read: %v, database/sql: %v", e, ds.name, gotErr, wantErr)
						continue
					}
					if diff := cmp.Diff(want, got); wantErr == nil && diff != "" {
						t.Errorf("%s into %s (-database/sql +read):\n%s", e, ds.name, diff)
					}
				}
			}
		})
	}
}

// TestDriverRowCopiesBytes requires the bytes driverRow.Scan gives to
// outlive the driver's reuse of its buffers.
func TestDriverRowCopiesBytes(t *testing.T) {
	row := driverRow{[]byte("b"), []byte("a")}
	var (
		b []byte
		a any
	)
	if err := row.Scan(&b, &a); err != nil {
		t.Fatal(err)
	}
	for _, v := range row {
		clear(v.([]byte))
	}
	if diff := cmp.Diff([]any{[]byte("b"), []byte("a")}, []any{b, a}); diff != "" {
		t.Errorf("after the driver reused its buffers (-want +got):\n%s", diff)
	}
}
