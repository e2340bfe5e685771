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
// connection the server closed.
type flakyConn struct {
	driver.Conn
	bad *atomic.Int32
}

func (f flakyConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if f.bad.Add(-1) >= 0 {
		return nil, driver.ErrBadConn
	}
	return f.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
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

// TestReadWithoutQueryer runs the conformance kit on a store whose driver
// runs no statement itself, the other way read reads.
func TestReadWithoutQueryer(t *testing.T) {
	if _, ok := any(plainConn{}).(driver.QueryerContext); ok {
		t.Fatal("plainConn runs statements itself; the test would not reach read's other path")
	}
	storetest.Run(t, func(t *testing.T) store.Store {
		return openWrapped(t, func(c driver.Conn) driver.Conn { return plainConn{c} })
	})
}

// TestReadRetriesBadConn requires read to try another connection after
// driver.ErrBadConn, twice, as database/sql does, and to give up after
// that.
func TestReadRetriesBadConn(t *testing.T) {
	var bad atomic.Int32
	s := openWrapped(t, func(c driver.Conn) driver.Conn { return flakyConn{c, &bad} })
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
}

// TestDriverRowScan covers the conversions of driverRow.Scan, and that the
// bytes it gives are copies.
func TestDriverRowScan(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	type dests struct {
		S    string
		B    []byte
		I64  int64
		I    int
		Bool bool
		Any  any
		NS   sql.NullString
	}
	tests := []struct {
		name    string
		row     driverRow
		want    dests
		wantErr bool
	}{
		{"driver types", driverRow{"a", []byte("b"), int64(3), int64(4), true, at, "n"},
			dests{S: "a", B: []byte("b"), I64: 3, I: 4, Bool: true, Any: at, NS: sql.NullString{String: "n", Valid: true}}, false},
		{"text as bytes and bytes as text", driverRow{[]byte("a"), "b", []byte("3"), "4", int64(1), []byte("x"), nil},
			dests{S: "a", B: []byte("b"), I64: 3, I: 4, Bool: true, Any: []byte("x")}, false},
		{"NULLs where allowed", driverRow{"a", nil, int64(0), int64(0), false, nil, nil},
			dests{S: "a"}, false},
		{"NULL into a string", driverRow{nil, nil, int64(0), int64(0), false, nil, nil}, dests{}, true},
		{"text into an integer", driverRow{"a", nil, "x", int64(0), false, nil, nil}, dests{S: "a"}, true},
		{"float into an integer", driverRow{"a", nil, 1.5, int64(0), false, nil, nil}, dests{S: "a"}, true},
		{"too few columns", driverRow{"a"}, dests{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got dests
			err := tt.row.Scan(&got.S, &got.B, &got.I64, &got.I, &got.Bool, &got.Any, &got.NS)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Scan: %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Scan (-want +got):\n%s", diff)
			}
			for _, v := range tt.row {
				if b, ok := v.([]byte); ok {
					clear(b)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("after the driver reused its buffers (-want +got):\n%s", diff)
			}
		})
	}
}
