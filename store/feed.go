package store

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// Event is one committed write in a store's change feed ([Feed]).
//
// Its fields map onto a Security Event Token (RFC 8417) should a host
// sign and send it: ID is the "jti", Time the "iat", Tenant the audience
// or issuer a host chooses, and Change the event payload.
type Event struct {
	// ID is unique among all events (a random UUID): consumers
	// de-duplicate deliveries on it.
	ID string `json:"id"`
	// Tenant is the tenant of the write ("" with a single tenant).
	Tenant string `json:"tenant,omitempty"`
	// Position orders the events of one tenant: 1, 2, 3, … in commit
	// order, with no gaps and never reused.
	Position int64 `json:"position"`
	// Time is when the store made the write, in UTC.
	Time time.Time `json:"time"`
	// Change is what the write changed.
	Change Change `json:"change"`
}

// Feed is an optional Store capability: a durable change feed. A store
// that has it records each committed write (Create, Replace, Delete,
// MemberPatcher.PatchMembers) as an [Event] in the same atomic step as
// the write itself, so no committed write is missing from the feed and no
// write that failed is in it. The Change of an event is the one
// [ChangeFor] gives, the same that scim.Config.OnChange gets.
//
// Package github.com/scimkit/scimkit/store/feed delivers the events to a
// host function, at least once and in order, with checkpoints and leases
// kept by the store under a consumer name. Every method works within the
// tenant of its context, as the Store methods do.
//
// A store whose feed is switched on by its configuration
// ([MemoryConfig.Feed], sqlstore.Config.Feed) answers every method with an
// error wrapping errors.ErrUnsupported while the feed is off, at once and
// without I/O; [FeedOf] tells the two apart.
type Feed interface {
	// ReadFeed returns up to limit events with a Position greater than
	// after, in Position order; none when there are none yet. It returns
	// a *[TruncatedError] (wrapping [ErrFeedTruncated]) when events after
	// after were pruned.
	ReadFeed(ctx context.Context, after int64, limit int) ([]Event, error)
	// WaitFeed returns nil when an event after position after may have
	// been committed since it was called, or when the store's polling
	// interval elapsed (it may return early), and ctx.Err() when ctx is
	// done first.
	WaitFeed(ctx context.Context, after int64) error
	// Lease gives the consumer name to holder until the time until, if no
	// other holder has it at now (its lease ends at or before now), and
	// returns the consumer's checkpoint: the position of the last event it
	// acknowledged, 0 for a new consumer. A holder renews its own lease
	// the same way. It returns an error wrapping [ErrLeaseHeld] when
	// another holder has the lease.
	Lease(ctx context.Context, name, holder string, now, until time.Time) (int64, error)
	// Ack records position as the checkpoint of the consumer name (a
	// checkpoint never moves back) and renews holder's lease until until,
	// if holder is the consumer's holder (the last to take the lease, even
	// if it has run out since: nobody else took it); otherwise it changes
	// nothing and returns an error wrapping [ErrLeaseHeld]. until equal to
	// now releases the lease.
	Ack(ctx context.Context, name, holder string, position int64, now, until time.Time) error
	// PruneFeed removes the events of the store's retention ([Retention])
	// has let go as of now, oldest first, and returns how many it removed.
	PruneFeed(ctx context.Context, now time.Time) (int, error)
}

// FeedOf returns s as a [Feed] and true if s records a change feed: it
// implements Feed and its feed is switched on (ReadFeed with limit 0 does
// not fail with an error wrapping errors.ErrUnsupported). The handler
// (scim.NewHandler) asks once, and works out what each write changed
// only for a store that records it or for Config.OnChange.
func FeedOf(s Store) (Feed, bool) {
	f, ok := s.(Feed)
	if !ok {
		return nil, false
	}
	if _, err := f.ReadFeed(context.Background(), 0, 0); errors.Is(err, errors.ErrUnsupported) {
		return nil, false
	}
	return f, true
}

// Retention bounds the events a [Feed] keeps per tenant: PruneFeed (and a
// store that prunes as it writes) removes the oldest events while there
// are more than MaxEvents, or while they are older than MaxAge. Zero
// fields bound nothing.
type Retention struct {
	MaxAge    time.Duration
	MaxEvents int
}

var (
	// ErrFeedTruncated: a consumer asked for events that the feed's
	// retention has removed; it missed changes and must resynchronise
	// (read the resources it mirrors again) before it resumes.
	ErrFeedTruncated = errors.New("store: the change feed no longer holds the events after the checkpoint; resynchronise")
	// ErrLeaseHeld: another holder has the lease of the consumer name.
	ErrLeaseHeld = errors.New("store: another holder has the lease of the feed consumer")
)

// TruncatedError is the error of Feed.ReadFeed for a position whose
// following events were pruned. It wraps ErrFeedTruncated.
type TruncatedError struct {
	// After is the position asked for; Pruned the last position pruned.
	// A consumer that has resynchronised resumes after Pruned.
	After, Pruned int64
}

func (e *TruncatedError) Error() string {
	return ErrFeedTruncated.Error() + " (checkpoint " + strconv.FormatInt(e.After, 10) + ", pruned through " + strconv.FormatInt(e.Pruned, 10) + ")"
}

// Unwrap returns ErrFeedTruncated.
func (e *TruncatedError) Unwrap() error { return ErrFeedTruncated }
