// Package feed delivers the events of a store's change feed (store.Feed) to
// a host function: at least once, in order, resuming after a crash from a
// checkpoint the store keeps, with one deliverer at a time per consumer
// name among any number of instances.
//
// A host runs [Run] next to its handler, in one goroutine per consumer
// name (and per tenant: a consumer reads the feed of the tenant its
// context names, as every store method does):
//
//	go feed.Run(ctx, feed.Config{
//		Feed:   st, // *store.Memory, *sqlstore.Store, or a host's own store
//		Name:   "sessions",
//		Handle: func(ctx context.Context, e store.Event) error { … },
//	})
//
// # Guarantees
//
//   - Every event the store committed is passed to Handle at least once,
//     in Position order (so in order per resource); the checkpoint moves
//     past an event only after Handle returned nil for it, once per batch
//     (Config.Batch events, or fewer when the feed has no more). An event
//     is passed again after Handle failed (with exponential backoff), and
//     after a crash or a lost lease between Handle's return and the
//     checkpoint's write, with the rest of its batch: Handle must be
//     idempotent, or de-duplicate on Event.ID.
//   - Only committed writes are in the feed, so Handle never sees a write
//     that failed.
//   - Several instances running Run with one Name deliver one at a time:
//     the one holding the consumer's lease (Config.Lease long, renewed
//     while it works) delivers; the others wait, and take over when it
//     stops renewing (it stopped, crashed, or lost its database).
//   - When the store's retention pruned events this consumer had not yet
//     delivered, Run calls Config.Resync (or returns an error wrapping
//     store.ErrFeedTruncated when there is none), then resumes after the
//     pruned events.
//
// # Latency
//
// A consumer waits with store.Feed.WaitFeed: the memory store and the SQL
// store wake it as soon as a write in the same process commits; the SQL
// store sees other processes' writes by polling its head position every
// sqlstore.Config.FeedPoll (250 ms by default). A consumer never waits
// longer than Config.Poll before reading again.
package feed

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/scimkit/scimkit/store"
)

// Defaults of [Config].
const (
	DefaultLease      = 30 * time.Second
	DefaultBatch      = 100
	DefaultPoll       = 5 * time.Second
	DefaultMinRetry   = 100 * time.Millisecond
	DefaultMaxRetry   = time.Minute
	DefaultPruneEvery = time.Minute
)

// Config configures [Run].
type Config struct {
	// Feed is the store's change feed; required.
	Feed store.Feed
	// Name identifies the consumer: its checkpoint and lease. Required.
	Name string
	// Handle is called with each event, one at a time; required. The
	// checkpoint moves past the event after it returned nil for it and for
	// the events before it in the batch; otherwise the event is passed
	// again after a backoff. A panic counts as an error.
	// Its context is cancelled when Run stops or loses the lease.
	Handle func(ctx context.Context, e store.Event) error
	// Holder names this instance in the lease; empty means a random id.
	// Two instances must not share a holder name.
	Holder string
	// Lease is how long the lease lasts without renewal: the time another
	// instance waits before taking over from one that stopped. Run renews
	// it every Lease/3 while it works. 0 means DefaultLease.
	Lease time.Duration
	// Batch is how many events one read asks for, and so how many are
	// delivered between two writes of the checkpoint (at most that many
	// are delivered again after a crash). 0 means DefaultBatch.
	Batch int
	// Poll bounds the time between reads when no write wakes the
	// consumer. 0 means DefaultPoll.
	Poll time.Duration
	// MinRetry and MaxRetry bound the backoff between attempts after an
	// error (of Handle or of the store); it doubles from MinRetry up to
	// MaxRetry. 0 means DefaultMinRetry and DefaultMaxRetry.
	MinRetry, MaxRetry time.Duration
	// PruneEvery is how often the lease holder calls Feed.PruneFeed. 0
	// means DefaultPruneEvery; a negative value never.
	PruneEvery time.Duration
	// Resync, if not nil, is called when the feed no longer holds events
	// after the checkpoint: it must bring whatever the consumer maintains
	// up to date from the store's current state (retried with backoff
	// until it returns nil). Run then resumes with the events retained.
	// Nil makes Run return the error.
	Resync func(ctx context.Context) error
	// OnError, if not nil, is told of each error Run retries: event is the
	// event Handle failed on, or nil for an error of the store.
	OnError func(ctx context.Context, event *store.Event, err error)

	// now is the clock, for tests; nil means time.Now.
	now func() time.Time
}

// errLost reports that another holder took the lease.
var errLost = errors.New("feed: lease lost")

// Run delivers the events of cfg.Feed to cfg.Handle until ctx is done, and
// then returns nil after releasing the lease. It returns an error for an
// invalid cfg or a store whose feed is off (an error wrapping
// errors.ErrUnsupported: switch it on, e.g. store.MemoryConfig.Feed), and
// one wrapping store.ErrFeedTruncated when events were pruned before
// delivery and cfg.Resync is nil. Other errors of the store and of Handle
// are retried, never returned.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Feed == nil || cfg.Name == "" || cfg.Handle == nil {
		return errors.New("feed: Config.Feed, Config.Name and Config.Handle are required")
	}
	if _, err := cfg.Feed.ReadFeed(ctx, 0, 0); errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("feed: %w", err)
	}
	c := &consumer{cfg: cfg}
	c.defaults()
	for ctx.Err() == nil {
		pos, err := c.cfg.Feed.Lease(ctx, c.cfg.Name, c.cfg.Holder, c.now(), c.now().Add(c.cfg.Lease))
		if err != nil {
			if !errors.Is(err, store.ErrLeaseHeld) {
				c.fail(ctx, nil, err)
				c.sleep(ctx, c.backoff.next())
				continue
			}
			c.sleep(ctx, min(c.cfg.Poll, c.cfg.Lease/3))
			continue
		}
		c.backoff.reset()
		pos, err = c.deliver(ctx, pos)
		if errors.Is(err, store.ErrFeedTruncated) {
			c.release(ctx, pos)
			return err
		}
	}
	return nil
}

type consumer struct {
	cfg       Config
	backoff   backoff
	lastPrune time.Time
}

func (c *consumer) defaults() {
	cfg := &c.cfg
	if cfg.Holder == "" {
		cfg.Holder = store.NewID()
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.MinRetry <= 0 {
		cfg.MinRetry = DefaultMinRetry
	}
	if cfg.MaxRetry <= 0 {
		cfg.MaxRetry = DefaultMaxRetry
	}
	if cfg.PruneEvery == 0 {
		cfg.PruneEvery = DefaultPruneEvery
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	c.backoff = backoff{min: cfg.MinRetry, max: cfg.MaxRetry}
}

func (c *consumer) now() time.Time { return c.cfg.now() }

// deliver delivers events after pos while it holds the lease, renewing it
// in the background, and returns the checkpoint it reached and why it
// stopped: ctx done, errLost, or a truncated feed without Resync.
func (c *consumer) deliver(ctx context.Context, pos int64) (int64, error) {
	dctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := make(chan struct{})
	done := make(chan struct{})
	go c.renew(dctx, cancel, stop, done)
	defer func() { close(stop); <-done }()
	for {
		if err := dctx.Err(); err != nil {
			if context.Cause(dctx) == errLost {
				return pos, errLost
			}
			c.release(ctx, pos)
			return pos, err
		}
		c.prune(dctx)
		events, err := c.cfg.Feed.ReadFeed(dctx, pos, c.cfg.Batch)
		var te *store.TruncatedError
		if errors.As(err, &te) {
			if c.cfg.Resync == nil {
				return pos, fmt.Errorf("feed: consumer %q: %w", c.cfg.Name, err)
			}
			if err := c.cfg.Resync(dctx); err != nil {
				c.fail(dctx, nil, fmt.Errorf("feed: resync: %w", err))
				c.sleep(dctx, c.backoff.next())
				continue
			}
			if err := c.ack(dctx, te.Pruned); err != nil {
				if errors.Is(err, store.ErrLeaseHeld) {
					cancel(errLost)
				}
				continue
			}
			pos = te.Pruned
			continue
		}
		if err != nil {
			if dctx.Err() == nil {
				c.fail(dctx, nil, err)
				c.sleep(dctx, c.backoff.next())
			}
			continue
		}
		c.backoff.reset()
		if len(events) == 0 {
			wctx, wcancel := context.WithTimeout(dctx, min(c.cfg.Poll, c.cfg.Lease/3))
			_ = c.cfg.Feed.WaitFeed(wctx, pos) // any error: read again
			wcancel()
			continue
		}
		handled := pos
		for i := range events {
			e := &events[i]
			if err := c.handle(dctx, e); err != nil {
				break // ctx done or lease lost: the loop's first check says which
			}
			handled = e.Position
		}
		if handled == pos {
			continue
		}
		// One checkpoint per batch: a consumer that stops before it is
		// written delivers the batch's handled events again (at least once).
		if err := c.ack(dctx, handled); errors.Is(err, store.ErrLeaseHeld) {
			cancel(errLost)
			continue
		}
		pos = handled // written, or ctx done: release writes it
	}
}

// handle calls Handle until it returns nil, with backoff; it returns an
// error only when ctx is done.
func (c *consumer) handle(ctx context.Context, e *store.Event) error {
	b := backoff{min: c.cfg.MinRetry, max: c.cfg.MaxRetry}
	for {
		err := c.call(ctx, *e)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.fail(ctx, e, err)
		c.sleep(ctx, b.next())
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// call calls Handle, turning a panic into an error.
func (c *consumer) call(ctx context.Context, e store.Event) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("feed: Handle panicked: %v", r)
		}
	}()
	return c.cfg.Handle(ctx, e)
}

// ack records pos as the checkpoint, retrying errors of the store; it
// returns an error when ctx is done or the lease is lost (ErrLeaseHeld).
func (c *consumer) ack(ctx context.Context, pos int64) error {
	b := backoff{min: c.cfg.MinRetry, max: c.cfg.MaxRetry}
	for {
		now := c.now()
		err := c.cfg.Feed.Ack(ctx, c.cfg.Name, c.cfg.Holder, pos, now, now.Add(c.cfg.Lease))
		if err == nil || errors.Is(err, store.ErrLeaseHeld) || ctx.Err() != nil {
			return err
		}
		c.fail(ctx, nil, err)
		c.sleep(ctx, b.next())
	}
}

// renew renews the lease every Lease/3 until stop is closed, and cancels
// deliver with errLost when another holder has taken it.
func (c *consumer) renew(ctx context.Context, cancel context.CancelCauseFunc, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(c.cfg.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := c.now()
		_, err := c.cfg.Feed.Lease(ctx, c.cfg.Name, c.cfg.Holder, now, now.Add(c.cfg.Lease))
		if errors.Is(err, store.ErrLeaseHeld) {
			cancel(errLost)
			return
		}
		if err != nil && ctx.Err() == nil {
			c.fail(ctx, nil, err)
		}
	}
}

// release gives the lease up (keeping the checkpoint pos), so that another
// instance takes over at once.
func (c *consumer) release(ctx context.Context, pos int64) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	now := c.now()
	_ = c.cfg.Feed.Ack(rctx, c.cfg.Name, c.cfg.Holder, pos, now, now) // best effort: the lease ends anyway
}

// prune calls PruneFeed when PruneEvery has passed since the last time.
func (c *consumer) prune(ctx context.Context) {
	if c.cfg.PruneEvery < 0 {
		return
	}
	now := c.now()
	if now.Sub(c.lastPrune) < c.cfg.PruneEvery {
		return
	}
	c.lastPrune = now
	if _, err := c.cfg.Feed.PruneFeed(ctx, now); err != nil && ctx.Err() == nil {
		c.fail(ctx, nil, fmt.Errorf("feed: prune: %w", err))
	}
}

func (c *consumer) fail(ctx context.Context, e *store.Event, err error) {
	if c.cfg.OnError != nil {
		c.cfg.OnError(ctx, e, err)
	}
}

func (c *consumer) sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// backoff doubles from min to max, with ±20% jitter.
type backoff struct {
	min, max, cur time.Duration
}

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	return time.Duration(float64(b.cur) * (0.8 + 0.4*rand.Float64()))
}

func (b *backoff) reset() { b.cur = 0 }
