package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"time"
)

// read runs q, a statement outside a transaction that returns rows, and
// calls row for each of them in order; it stops at row's first error and
// returns it.
//
// It runs q through the driver's own driver.QueryerContext on a
// connection of s.db (sql.Conn.Raw) rather than through DB.QueryContext,
// which starts a goroutine for every *sql.Rows to watch ctx: on a lookup
// at one client that goroutine, and the thread wake-ups it causes, cost
// about a sixth of the request. ctx still cancels the statement: the
// driver watches it while the statement runs (pgx's stdlib and modernc's
// sqlite both do), and read checks it before each row, as *sql.Rows.Next
// does. A driver without QueryerContext, or one that declines a statement
// with driver.ErrSkip, gets it through Conn.QueryContext instead, with
// the same results. Like database/sql, read tries another connection,
// twice, when the driver answers the query itself with driver.ErrBadConn,
// which promises that the statement was not run; an error while reading
// the rows is returned as it is. A panic in row is raised again once the
// connection is back in the pool, as it would be with *sql.Rows.
func (s *Store) read(ctx context.Context, q string, args []any, row func(scanner) error) error {
	if s.traceQuery != nil {
		s.traceQuery(q, args)
	}
	for attempt := 0; ; attempt++ {
		again, err := s.readOnce(ctx, q, args, row)
		if !again || attempt == maxBadConnRetries {
			return err
		}
	}
}

// maxBadConnRetries is how many times read tries another connection after
// driver.ErrBadConn, as database/sql does.
const maxBadConnRetries = 2

// errStop is what a row function of read returns to stop reading rows
// without an error of its own.
var errStop = errors.New("sqlstore: no more rows wanted")

// errNoQueryer is what readOnce's Raw callback returns when the driver
// cannot run the statement itself.
var errNoQueryer = errors.New("sqlstore: the driver runs no statement itself")

// rowPanic carries a panic of a row function out of sql.Conn.Raw, which
// would otherwise discard the connection (and with it an in-memory SQLite
// database).
type rowPanic struct{ value any }

func (p *rowPanic) Error() string { return fmt.Sprintf("sqlstore: panic reading a row: %v", p.value) }

// readOnce is one attempt of read; again reports that the driver refused
// the query with driver.ErrBadConn before running it.
func (s *Store) readOnce(ctx context.Context, q string, args []any, row func(scanner) error) (again bool, err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	queried := false
	err = conn.Raw(func(dc any) error {
		qc, ok := dc.(driver.QueryerContext)
		if !ok {
			return errNoQueryer
		}
		named, err := namedValues(dc, args)
		if err != nil {
			return err
		}
		rows, err := qc.QueryContext(ctx, q, named)
		if errors.Is(err, driver.ErrSkip) {
			return errNoQueryer
		}
		if err != nil {
			return err
		}
		queried = true
		return eachRow(ctx, rows, row)
	})
	if rp, ok := err.(*rowPanic); ok {
		panic(rp.value)
	}
	if err != errNoQueryer {
		return !queried && errors.Is(err, driver.ErrBadConn), err
	}
	rows, err := conn.QueryContext(ctx, q, args...)
	if err != nil {
		return errors.Is(err, driver.ErrBadConn), err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return false, err
		}
	}
	return false, rows.Err()
}

// eachRow calls row for each of rows, checking ctx before each, and
// closes rows. A panic in row comes back as a *rowPanic.
func eachRow(ctx context.Context, rows driver.Rows, row func(scanner) error) (err error) {
	defer func() {
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
	}()
	values := make(driverRow, len(rows.Columns()))
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := rows.Next(values); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if err := callRow(row, values); err != nil {
			return err
		}
	}
}

// callRow calls row, turning a panic into a *rowPanic.
func callRow(row func(scanner) error, sc scanner) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &rowPanic{value: p}
		}
	}()
	return row(sc)
}

// readRow runs q like read and scans its first row into dest; with no row
// it returns sql.ErrNoRows, as *sql.Row does.
func (s *Store) readRow(ctx context.Context, q string, args []any, dest ...any) error {
	found := false
	err := s.read(ctx, q, args, func(sc scanner) error {
		if found {
			return nil
		}
		found = true
		return sc.Scan(dest...)
	})
	if err == nil && !found {
		return sql.ErrNoRows
	}
	return err
}

// namedValues converts args for the driver connection dc as database/sql
// does: the connection's driver.NamedValueChecker first, then
// driver.DefaultParameterConverter.
func namedValues(dc any, args []any) ([]driver.NamedValue, error) {
	checker, _ := dc.(driver.NamedValueChecker)
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		nv := driver.NamedValue{Ordinal: i + 1, Value: a}
		if checker != nil {
			err := checker.CheckNamedValue(&nv)
			if err == nil {
				named[i] = nv
				continue
			}
			if !errors.Is(err, driver.ErrSkip) {
				return nil, fmt.Errorf("sqlstore: argument %d: %w", i+1, err)
			}
		}
		v, err := driver.DefaultParameterConverter.ConvertValue(nv.Value)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: argument %d: %w", i+1, err)
		}
		nv.Value = v
		named[i] = nv
	}
	return named, nil
}

// driverRow is a row as the driver gives it. Its Scan assigns the column
// values to the destinations as *sql.Rows.Scan does (see assign).
type driverRow []driver.Value

func (r driverRow) Scan(dest ...any) error {
	if len(dest) != len(r) {
		return fmt.Errorf("sqlstore: %d destinations for %d columns", len(dest), len(r))
	}
	for i, d := range dest {
		if err := assign(d, r[i]); err != nil {
			return fmt.Errorf("sqlstore: column %d: %w", i+1, err)
		}
	}
	return nil
}

// assign stores v, a column value as the driver gives it, in dest, the way
// *sql.Rows.Scan does: a sql.Scanner scans it itself; the destinations
// the store reads into (*string, *[]byte, *int64, *int, *bool, *any,
// *time.Time) get database/sql's own conversions, through
// sql.Null[T].Scan, bytes copied; NULL goes only into *[]byte and *any.
func assign(dest any, v driver.Value) error {
	switch d := dest.(type) {
	case sql.Scanner:
		return d.Scan(v)
	case *any:
		return scanInto(d, v, true)
	case *[]byte:
		return scanInto(d, v, true)
	case *string:
		return scanInto(d, v, false)
	case *int64:
		return scanInto(d, v, false)
	case *int:
		if n, ok := v.(int64); ok && int64(int(n)) == n {
			*d = int(n) // as convertAssign, without its detour through text
			return nil
		}
		return scanInto(d, v, false)
	case *bool:
		return scanInto(d, v, false)
	case *time.Time:
		return scanInto(d, v, false)
	}
	return fmt.Errorf("sqlstore: cannot read a column into %T", dest)
}

// scanInto is assign for a *T; nullable says whether NULL is T's zero
// value or an error.
func scanInto[T any](d *T, v driver.Value, nullable bool) error {
	if v == nil {
		if !nullable {
			return fmt.Errorf("converting NULL to %T is unsupported", *d)
		}
		*d = *new(T)
		return nil
	}
	if x, ok := v.(T); ok {
		if _, bytes := v.([]byte); !bytes {
			*d = x // the driver's own type: nothing to convert
			return nil
		}
	}
	var n sql.Null[T]
	if err := n.Scan(v); err != nil {
		return err
	}
	*d = n.V
	return nil
}
