package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// Defaults of the Config fields bounding what one call may cost.
const (
	// DefaultMaxScan is the default of Config.MaxScan.
	DefaultMaxScan = 10_000
	// DefaultStatementTimeout is the default of Config.StatementTimeout.
	DefaultStatementTimeout = 5 * time.Second
)

// ErrTooMany (store.ErrTooMany) is wrapped by the error of a List or
// ListAfter that would read more resources than Config.MaxScan to evaluate
// the part of a filter the SQL cannot, or whose statements outlast
// Config.StatementTimeout: the handler answers 400 "tooMany"
// (RFC 7644 §3.12) with the error's store.DetailError detail.
var ErrTooMany = store.ErrTooMany

// ErrTimeout is wrapped by the error of any other call whose statements
// outlast Config.StatementTimeout; it wraps store.ErrUnavailable (503).
var ErrTimeout = fmt.Errorf("sqlstore: the database did not answer in time: %w", store.ErrUnavailable)

// tooMany is the error of a list that would scan more than s.maxScan rows.
func (s *Store) tooMany() error {
	return &store.DetailError{
		Detail: "the filter has terms this service provider evaluates one resource at a time, and more than " +
			strconv.Itoa(s.maxScan) + " resources match the rest of it; narrow it with terms such as userName, externalId or displayName eq",
		Err: ErrTooMany}
}

// bound gives ctx the statement timeout. done cancels it and turns the
// error *err of a call that outlasted it into a client-visible one: 400
// tooMany for a list with a filter (the filter made it slow), 503
// otherwise (the database is slow). A parent context that ended first
// keeps its own error.
func (s *Store) bound(parent context.Context, filtered bool) (context.Context, func(err *error)) {
	if s.timeout <= 0 {
		return parent, func(*error) {}
	}
	ctx, cancel := context.WithTimeout(parent, s.timeout)
	return ctx, func(err *error) {
		defer cancel()
		if *err == nil || parent.Err() != nil || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return
		}
		var de *store.DetailError
		if errors.As(*err, &de) {
			return
		}
		if filtered {
			*err = &store.DetailError{Detail: "the filter took longer than " + s.timeout.String() + " to evaluate; narrow it",
				Err: fmt.Errorf("%w: %w", ErrTooMany, *err)}
			return
		}
		*err = &store.DetailError{Detail: "the database did not answer within " + s.timeout.String(),
			Err: fmt.Errorf("%w: %w", ErrTimeout, *err)}
	}
}

// validText reports whether s can be a text value in both dialects:
// PostgreSQL refuses NUL characters and invalid UTF-8 in text and jsonb.
// An id, a member value or a filter literal that is not valid text names
// or matches nothing the store holds; the store does not send it.
func validText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// checkText returns a *schema.Error naming the first attribute of v (a
// decoded JSON value under path) holding a string or key that is not
// valid text, which the store refuses to write in either dialect. It
// allocates nothing unless it finds one.
func checkText(path string, v any) error {
	found, keys, inKey := badText(v)
	if !found {
		return nil
	}
	for i := len(keys) - 1; i >= 0; i-- {
		if path == "" {
			path = keys[i]
		} else {
			path += "." + keys[i]
		}
	}
	if inKey {
		return schema.Errorf(schema.ScimInvalidValue, path, "has a key with a NUL character or invalid UTF-8")
	}
	return schema.Errorf(schema.ScimInvalidValue, path, "contains a NUL character or invalid UTF-8, which this service provider cannot store")
}

// badText reports whether v holds a string or key that is not valid text,
// the keys leading to the first one, innermost first (for a bad key, those
// of the object holding it), and whether it is a key.
func badText(v any) (found bool, keys []string, inKey bool) {
	switch v := v.(type) {
	case string:
		return !validText(v), nil, false
	case map[string]any:
		for k, x := range v {
			if !validText(k) {
				return true, nil, true
			}
			if found, keys, inKey := badText(x); found {
				return true, append(keys, k), inKey
			}
		}
	case []any:
		for _, x := range v {
			if found, keys, inKey := badText(x); found {
				return true, keys, inKey
			}
		}
	case []map[string]any:
		for _, x := range v {
			if found, keys, inKey := badText(x); found {
				return true, keys, inKey
			}
		}
	}
	return false, nil, false
}

// scanLimit returns nil when at most s.maxScan resources satisfy where,
// and the tooMany error otherwise; it counts at most s.maxScan+1 rows
// through the indexes, reading no attributes.
func (s *Store) scanLimit(ctx context.Context, where string, args []any) error {
	if s.maxScan < 0 {
		return nil
	}
	var n int
	err := s.readRow(ctx, "SELECT count(*) FROM (SELECT 1 FROM scim_resources r WHERE "+where+" LIMIT "+strconv.Itoa(s.maxScan+1)+") c", args, &n)
	if err != nil {
		return err
	}
	if n > s.maxScan {
		return s.tooMany()
	}
	return nil
}

// sqliteConns is the number of connections OpenSQLite allows.
const sqliteConns = 4

// OpenSQLite opens (creating it if need be) the SQLite database file path
// for a Store: in WAL mode, so that reads run beside the one write; with a
// busy timeout of 10 seconds and write transactions that take the write
// lock when they begin (BEGIN IMMEDIATE), so that writers from other
// processes wait for each other instead of failing; and with 4
// connections, so that a slow list does not hold up other requests. An
// in-memory database (":memory:") is one per connection: open it with
// sql.Open and db.SetMaxOpenConns(1) instead.
func OpenSQLite(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(sqliteConns)
	db.SetMaxIdleConns(sqliteConns)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
