package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/scimkit/scimkit/store"
)

// Defaults of the change feed's Config fields.
const (
	// DefaultFeedMaxAge is the retention of the change feed when
	// Config.FeedRetention is zero.
	DefaultFeedMaxAge = 7 * 24 * time.Hour
	// DefaultFeedPoll is the default of Config.FeedPoll.
	DefaultFeedPoll = 250 * time.Millisecond
)

var _ store.Feed = (*Store)(nil)

// errFeedOff is the error of the Feed methods of a store whose
// Config.Feed is false.
var errFeedOff = fmt.Errorf("sqlstore: the change feed is off (Config.Feed): %w", errors.ErrUnsupported)

// feedSchema returns the statements that create the feed's tables:
// scim_feed (the outbox: one row per event), scim_feed_heads (per tenant,
// the last position handed out and the last pruned) and
// scim_feed_consumers (per tenant and consumer name, the checkpoint and
// the lease). Times are microseconds since 1970 in both dialects.
func feedSchema(d Dialect) []string {
	text, integer := "text", "bigint"
	if _, lite := d.(sqlite); lite {
		text, integer = "TEXT", "INTEGER"
	}
	return []string{
		`CREATE TABLE IF NOT EXISTS scim_feed (
	tenant ` + text + ` NOT NULL,
	position ` + integer + ` NOT NULL,
	id ` + text + ` NOT NULL,
	at ` + integer + ` NOT NULL,
	change ` + text + ` NOT NULL,
	PRIMARY KEY (tenant, position)
)`,
		`CREATE TABLE IF NOT EXISTS scim_feed_heads (
	tenant ` + text + ` PRIMARY KEY,
	position ` + integer + ` NOT NULL,
	pruned ` + integer + ` NOT NULL DEFAULT 0
)`,
		`CREATE TABLE IF NOT EXISTS scim_feed_consumers (
	tenant ` + text + ` NOT NULL,
	name ` + text + ` NOT NULL,
	position ` + integer + ` NOT NULL,
	holder ` + text + ` NOT NULL,
	lease_until ` + integer + ` NOT NULL,
	PRIMARY KEY (tenant, name)
)`,
	}
}

// recordFor records the change of a write of typ/id leaving its
// attributes next (store.ChangeFor: the handler's, or worked out from
// next), when the store keeps a feed; otherwise it does nothing, and
// works nothing out.
func (s *Store) recordFor(ctx context.Context, tx *sql.Tx, tenant string, kind store.ChangeKind, typ, id, version string, next map[string]any, now time.Time) error {
	if !s.feed {
		return nil
	}
	return s.record(ctx, tx, tenant, store.ChangeFor(ctx, kind, typ, id, version, nil, next), now)
}

// record appends the event of a write to the feed inside the write's
// transaction tx, if the feed is on. Every write path calls it as the last
// statement of its transaction: it takes the position from the tenant's
// row in scim_feed_heads, which stays locked until the commit, so the
// tenant's events commit in position order with no gaps, and a reader
// never passes a position that commits later (see the package
// documentation, Change feed).
func (s *Store) record(ctx context.Context, tx *sql.Tx, tenant string, c store.Change, now time.Time) error {
	if !s.feed {
		return nil
	}
	change, err := json.Marshal(c)
	if err != nil {
		return err
	}
	const head = `INSERT INTO scim_feed_heads (tenant, position) VALUES (?, 1)
ON CONFLICT (tenant) DO UPDATE SET position = scim_feed_heads.position + 1 RETURNING position`
	if _, pg := s.d.(postgres); pg {
		// One round trip: the head and the event in one statement.
		_, err := tx.ExecContext(ctx, `WITH h AS (`+rebind(s.d, head)+`)
INSERT INTO scim_feed (tenant, position, id, at, change) SELECT $1, h.position, $2, $3, $4 FROM h`,
			tenant, store.NewID(), now.UnixMicro(), string(change))
		return err
	}
	var pos int64
	if err := tx.QueryRowContext(ctx, head, tenant).Scan(&pos); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO scim_feed (tenant, position, id, at, change) VALUES (?, ?, ?, ?, ?)`,
		tenant, pos, store.NewID(), now.UnixMicro(), string(change))
	return err
}

// wake wakes the WaitFeed calls of this process after a commit.
func (s *Store) wake() {
	s.waitMu.Lock()
	if s.waiting != nil {
		close(s.waiting)
		s.waiting = nil
	}
	s.waitMu.Unlock()
}

// ReadFeed returns up to limit events of the tenant after the position
// after, from one snapshot of the database. See [store.Feed].
func (s *Store) ReadFeed(ctx context.Context, after int64, limit int) (_ []store.Event, err error) {
	if !s.feed {
		return nil, errFeedOff
	}
	if limit <= 0 {
		return nil, nil
	}
	ctx, done := s.bound(ctx, false)
	defer done(&err)
	tenant := s.tenant(ctx)
	opts := &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	if _, lite := s.d.(sqlite); lite {
		opts = nil // an SQLite transaction reads one snapshot anyway
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() // read only
	rows, err := tx.QueryContext(ctx, rebind(s.d, `SELECT position, id, at, change FROM scim_feed WHERE tenant = ? AND position > ? ORDER BY position LIMIT ?`), tenant, after, limit)
	if err != nil {
		return nil, err
	}
	var out []store.Event
	for rows.Next() {
		var (
			e      = store.Event{Tenant: tenant}
			at     int64
			change string
		)
		if err := rows.Scan(&e.Position, &e.ID, &at, &change); err != nil {
			rows.Close()
			return nil, err
		}
		e.Time = time.UnixMicro(at).UTC()
		if err := json.Unmarshal([]byte(change), &e.Change); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: event %d of the change feed: %w", e.Position, err)
		}
		out = append(out, e)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	var pruned int64
	err = tx.QueryRowContext(ctx, rebind(s.d, `SELECT pruned FROM scim_feed_heads WHERE tenant = ?`), tenant).Scan(&pruned)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if after < pruned {
		return nil, &store.TruncatedError{After: after, Pruned: pruned}
	}
	return out, nil
}

// WaitFeed returns when the tenant has an event after the position after:
// at once when a write of this process commits one, and within
// Config.FeedPoll for writes of other processes (it returns nil after
// FeedPoll whether or not there is one). See [store.Feed].
func (s *Store) WaitFeed(ctx context.Context, after int64) error {
	if !s.feed {
		return errFeedOff
	}
	s.waitMu.Lock()
	if s.waiting == nil {
		s.waiting = make(chan struct{})
	}
	wake := s.waiting
	s.waitMu.Unlock()
	var head int64
	err := s.readRow(ctx, rebind(s.d, `SELECT position FROM scim_feed_heads WHERE tenant = ?`), []any{s.tenant(ctx)}, &head)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	if head > after {
		return nil
	}
	t := time.NewTimer(s.poll)
	defer t.Stop()
	select {
	case <-wake:
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// Lease gives the consumer name to holder until until. See [store.Feed].
func (s *Store) Lease(ctx context.Context, name, holder string, now, until time.Time) (_ int64, err error) {
	if !s.feed {
		return 0, errFeedOff
	}
	if !validText(name) || !validText(holder) {
		return 0, errors.New("sqlstore: a consumer name and holder must be valid UTF-8 without NUL")
	}
	ctx, done := s.bound(ctx, false)
	defer done(&err)
	var pos int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, rebind(s.d, `INSERT INTO scim_feed_consumers (tenant, name, position, holder, lease_until) VALUES (?, ?, 0, ?, ?)
ON CONFLICT (tenant, name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
WHERE scim_feed_consumers.holder = excluded.holder OR scim_feed_consumers.lease_until <= ?
RETURNING position`), s.tenant(ctx), name, holder, until.UnixMicro(), now.UnixMicro()).Scan(&pos)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return 0, store.ErrLeaseHeld
	}
	return pos, err
}

// Ack records the checkpoint of the consumer name. See [store.Feed].
func (s *Store) Ack(ctx context.Context, name, holder string, position int64, now, until time.Time) (err error) {
	if !s.feed {
		return errFeedOff
	}
	ctx, done := s.bound(ctx, false)
	defer done(&err)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, rebind(s.d, `UPDATE scim_feed_consumers SET position = CASE WHEN position < ? THEN ? ELSE position END, lease_until = ?
WHERE tenant = ? AND name = ? AND holder = ?`), position, position, until.UnixMicro(), s.tenant(ctx), name, holder)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.ErrLeaseHeld
		}
		return nil
	})
}

// PruneFeed removes the tenant's events that Config.FeedRetention lets go
// as of now, oldest first, in one transaction. Finding the events older
// than MaxAge reads the tenant's events up to the first younger one.
// See [store.Feed].
func (s *Store) PruneFeed(ctx context.Context, now time.Time) (n int, err error) {
	if !s.feed {
		return 0, errFeedOff
	}
	ctx, done := s.bound(ctx, false)
	defer done(&err)
	tenant := s.tenant(ctx)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var head, pruned int64
		err := tx.QueryRowContext(ctx, rebind(s.d, `SELECT position, pruned FROM scim_feed_heads WHERE tenant = ?`), tenant).Scan(&head, &pruned)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		cut := pruned
		if s.retention.MaxEvents > 0 {
			cut = max(cut, head-int64(s.retention.MaxEvents))
		}
		if s.retention.MaxAge > 0 {
			var old sql.NullInt64
			if err := tx.QueryRowContext(ctx, rebind(s.d, `SELECT max(position) FROM scim_feed WHERE tenant = ? AND at < ?`),
				tenant, now.Add(-s.retention.MaxAge).UnixMicro()).Scan(&old); err != nil {
				return err
			}
			cut = max(cut, old.Int64)
		}
		if cut <= pruned {
			return nil
		}
		res, err := tx.ExecContext(ctx, rebind(s.d, `DELETE FROM scim_feed WHERE tenant = ? AND position <= ?`), tenant, cut)
		if err != nil {
			return err
		}
		m, err := res.RowsAffected()
		if err != nil {
			return err
		}
		n = int(m)
		_, err = tx.ExecContext(ctx, rebind(s.d, `UPDATE scim_feed_heads SET pruned = ? WHERE tenant = ? AND pruned < ?`), cut, tenant, cut)
		return err
	})
	return n, err
}
