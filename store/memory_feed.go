package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultMemoryFeedEvents is the number of events the memory store keeps
// per tenant when MemoryConfig.FeedRetention.MaxEvents is 0.
const DefaultMemoryFeedEvents = 10000

// feedLog is the change feed of one tenant.
type feedLog struct {
	events    []Event // retained, in position order
	head      int64   // position of the last event
	pruned    int64   // position of the last event pruned
	consumers map[string]*consumer
}

// consumer is the checkpoint and lease of one consumer name.
type consumer struct {
	position int64
	holder   string
	until    time.Time
}

var _ Feed = (*Memory)(nil)

// errMemoryFeedOff is the error of the Feed methods of a memory store
// whose MemoryConfig.Feed is false.
var errMemoryFeedOff = fmt.Errorf("store: the memory store's change feed is off (MemoryConfig.Feed): %w", errors.ErrUnsupported)

// feedOff returns the error of a Feed method: errMemoryFeedOff when the
// feed is off, else ctx's error.
func (m *Memory) feedOff(ctx context.Context) error {
	if !m.feed {
		return errMemoryFeedOff
	}
	return ctx.Err()
}

// record appends the event of a committed write to the tenant's feed and
// wakes the consumers waiting in WaitFeed; now is the write's time (the
// zero time: ask the clock). m.mu must be held for writing.
func (m *Memory) record(tenant string, sp *space, c Change, now time.Time) {
	f := &sp.feed
	f.head++
	if now.IsZero() {
		now = m.now().UTC()
	}
	f.events = append(f.events, Event{ID: NewID(), Tenant: tenant, Position: f.head, Time: now, Change: c})
	m.prune(f, now)
	if m.wake != nil {
		close(m.wake)
		m.wake = nil
	}
}

// prune drops the events m.retention lets go. m.mu must be held for
// writing.
func (m *Memory) prune(f *feedLog, now time.Time) int {
	n := 0
	if max := m.retention.MaxEvents; len(f.events) > max {
		n = len(f.events) - max
	}
	if m.retention.MaxAge > 0 {
		for n < len(f.events) && now.Sub(f.events[n].Time) > m.retention.MaxAge {
			n++
		}
	}
	if n > 0 {
		f.pruned = f.events[n-1].Position
		clear(f.events[:n])
		f.events = f.events[n:]
	}
	return n
}

// ReadFeed returns up to limit events of the tenant after the position
// after. See [Feed].
func (m *Memory) ReadFeed(ctx context.Context, after int64, limit int) ([]Event, error) {
	if err := m.feedOff(ctx); err != nil {
		return nil, err
	}
	tenant := m.tenantOf(ctx)
	m.mu.RLock()
	defer m.mu.RUnlock()
	sp := m.spaces[tenant]
	if sp == nil {
		return nil, nil
	}
	f := &sp.feed
	if after < f.pruned {
		return nil, &TruncatedError{After: after, Pruned: f.pruned}
	}
	// Positions are contiguous: the event after `after` is at index
	// after-pruned.
	i := int(after - f.pruned)
	if i >= len(f.events) || limit <= 0 {
		return nil, nil
	}
	out := f.events[i:min(len(f.events), i+limit)]
	return append([]Event(nil), out...), nil
}

// WaitFeed returns when the tenant's feed has an event after the position
// after, or when ctx is done. See [Feed].
func (m *Memory) WaitFeed(ctx context.Context, after int64) error {
	if !m.feed {
		return errMemoryFeedOff
	}
	tenant := m.tenantOf(ctx)
	for {
		m.mu.Lock()
		if sp := m.spaces[tenant]; sp != nil && sp.feed.head > after {
			m.mu.Unlock()
			return nil
		}
		if m.wake == nil {
			m.wake = make(chan struct{})
		}
		wake := m.wake
		m.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Lease gives the consumer name to holder until until. See [Feed].
func (m *Memory) Lease(ctx context.Context, name, holder string, now, until time.Time) (int64, error) {
	if err := m.feedOff(ctx); err != nil {
		return 0, err
	}
	tenant := m.tenantOf(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.consumer(tenant, name)
	if c.holder != holder && c.until.After(now) {
		return 0, ErrLeaseHeld
	}
	c.holder, c.until = holder, until
	return c.position, nil
}

// Ack records the checkpoint of the consumer name. See [Feed].
func (m *Memory) Ack(ctx context.Context, name, holder string, position int64, now, until time.Time) error {
	if err := m.feedOff(ctx); err != nil {
		return err
	}
	tenant := m.tenantOf(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.consumer(tenant, name)
	if c.holder != holder {
		return ErrLeaseHeld
	}
	c.position, c.until = max(c.position, position), until
	return nil
}

// consumer returns the state of the consumer name, creating it. m.mu must
// be held for writing.
func (m *Memory) consumer(tenant, name string) *consumer {
	f := &m.spaceFor(tenant, true).feed
	c := f.consumers[name]
	if c == nil {
		if f.consumers == nil {
			f.consumers = map[string]*consumer{}
		}
		c = &consumer{}
		f.consumers[name] = c
	}
	return c
}

// PruneFeed removes the events of the tenant that
// MemoryConfig.FeedRetention lets go as of now. The memory store also
// prunes as it writes, so this matters only for MaxAge. See [Feed].
func (m *Memory) PruneFeed(ctx context.Context, now time.Time) (int, error) {
	if err := m.feedOff(ctx); err != nil {
		return 0, err
	}
	tenant := m.tenantOf(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	sp := m.spaces[tenant]
	if sp == nil {
		return 0, nil
	}
	return m.prune(&sp.feed, now.UTC()), nil
}
