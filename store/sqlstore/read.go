package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"
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
// driver watches it (pgx's stdlib and modernc's sqlite both do). A driver
// without QueryerContext, or one that declines a statement with
// driver.ErrSkip, gets it through Conn.QueryContext instead, with the
// same results. Like database/sql, read retries on another connection
// when the driver reports driver.ErrBadConn before any row was read.
func (s *Store) read(ctx context.Context, q string, args []any, row func(scanner) error) error {
	if s.traceQuery != nil {
		s.traceQuery(q, args)
	}
	var err error
	for range maxBadConnRetries + 1 {
		var rows int
		err = s.readOnce(ctx, q, args, func(sc scanner) error {
			rows++
			return row(sc)
		})
		if rows > 0 || !errors.Is(err, driver.ErrBadConn) {
			return err
		}
	}
	return err
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

func (s *Store) readOnce(ctx context.Context, q string, args []any, row func(scanner) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
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
		values := make(driverRow, len(rows.Columns()))
		for {
			if err := rows.Next(values); err != nil {
				if err == io.EOF {
					break
				}
				rows.Close()
				return err
			}
			if err := row(values); err != nil {
				rows.Close()
				return err
			}
		}
		return rows.Close()
	})
	if err != errNoQueryer {
		return err
	}
	rows, err := conn.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
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
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: argument %d: %w", i+1, err)
		}
		nv.Value = v
		named[i] = nv
	}
	return named, nil
}

// driverRow is a row as the driver gives it. Its Scan assigns the column
// values to the destinations the store reads into (*string, *[]byte,
// *int64, *int, *bool, *any, *sql.NullString and any sql.Scanner), with
// database/sql's conversions between them; bytes are copied, because the
// driver may reuse its buffers on the next row.
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

func assign(dest any, v driver.Value) error {
	switch d := dest.(type) {
	case *any:
		if b, ok := v.([]byte); ok {
			v = bytes.Clone(b)
		}
		*d = v
		return nil
	case *[]byte:
		switch v := v.(type) {
		case nil:
			*d = nil
			return nil
		case []byte:
			*d = bytes.Clone(v)
			return nil
		case string:
			*d = []byte(v)
			return nil
		}
	case *string:
		switch v := v.(type) {
		case string:
			*d = v
			return nil
		case []byte:
			*d = string(v)
			return nil
		case int64:
			*d = strconv.FormatInt(v, 10)
			return nil
		}
	case *int64:
		n, err := integer(v)
		if err != nil {
			return err
		}
		*d = n
		return nil
	case *int:
		n, err := integer(v)
		if err != nil {
			return err
		}
		if int64(int(n)) != n {
			return fmt.Errorf("%d does not fit an int", n)
		}
		*d = int(n)
		return nil
	case *bool:
		switch v := v.(type) {
		case bool:
			*d = v
			return nil
		case int64:
			*d = v != 0
			return nil
		}
	case sql.Scanner:
		if b, ok := v.([]byte); ok {
			v = bytes.Clone(b)
		}
		return d.Scan(v)
	}
	return fmt.Errorf("cannot read %T into %T", v, dest)
}

// integer reads an integer column value.
func integer(v driver.Value) (int64, error) {
	switch v := v.(type) {
	case int64:
		return v, nil
	case []byte:
		return strconv.ParseInt(string(v), 10, 64)
	case string:
		return strconv.ParseInt(v, 10, 64)
	}
	return 0, fmt.Errorf("cannot read %T as an integer", v)
}
