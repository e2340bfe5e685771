package feed_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/feed"
)

// write makes n writes on s: creates, replaces, failing replaces and
// deletes of a few users, and returns the changes committed, in order.
func write(t *testing.T, s store.Store, n int) []store.Change {
	t.Helper()
	ctx := context.Background()
	var committed []store.Change
	var live []*store.Resource
	for i := range n {
		switch {
		case i%7 == 6 && len(live) > 0:
			r := live[0]
			if err := s.Delete(ctx, r.Type, r.ID, ""); err != nil {
				t.Fatal(err)
			}
			live = live[1:]
			committed = append(committed, store.Change{Kind: store.Deleted, Type: r.Type, ID: r.ID})
		case i%3 == 2 && len(live) > 0:
			r := live[len(live)-1]
			next := &store.Resource{Type: "User", ID: r.ID, Attributes: map[string]any{"userName": r.Attributes["userName"], "displayName": fmt.Sprint(i)}}
			if _, err := s.Replace(ctx, next, "0"); !errors.Is(err, store.ErrVersionMismatch) {
				t.Fatalf("Replace at a wrong version: %v", err)
			}
			got, err := s.Replace(ctx, next, r.Meta.Version)
			if err != nil {
				t.Fatal(err)
			}
			live[len(live)-1] = got
			committed = append(committed, store.Change{Kind: store.Replaced, Type: "User", ID: r.ID, Version: got.Meta.Version})
		default:
			r, err := s.Create(ctx, &store.Resource{Type: "User", Attributes: map[string]any{"userName": fmt.Sprint("u", i)}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Create(ctx, &store.Resource{Type: "User", Attributes: map[string]any{"userName": fmt.Sprint("U", i)}}); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("Create of a taken userName: %v", err)
			}
			live = append(live, r)
			committed = append(committed, store.Change{Kind: store.Created, Type: "User", ID: r.ID, Version: r.Meta.Version})
		}
	}
	return committed
}

// key names a write: its resource and the version it made (kind for
// deletes).
func key(c store.Change) string { return c.Type + "/" + c.ID + "@" + c.Version + string(c.Kind) }

// checkDelivered checks that every committed change was delivered, that
// nothing else was, and that each resource's changes came in order.
func checkDelivered(t *testing.T, committed []store.Change, delivered []store.Event) {
	t.Helper()
	seen := map[string]bool{}
	var got []string
	last := map[string]int64{}
	for _, e := range delivered {
		k := key(e.Change)
		if p, ok := last[e.Change.ID]; ok && e.Position < p {
			t.Errorf("event %d of %s delivered after event %d", e.Position, e.Change.ID, p)
		}
		last[e.Change.ID] = e.Position
		if !seen[k] {
			got = append(got, k)
		}
		seen[k] = true
	}
	var want []string
	for _, c := range committed {
		want = append(want, key(c))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes delivered (first deliveries, in order) (-committed +delivered):\n%s", diff)
	}
}

// TestKilledConsumer kills consumers between the commit and the
// acknowledgement of an event (their context ends while Handle runs, or
// Handle panics) and shows that consumers started afterwards deliver every
// committed change at least once, in order, and nothing else.
func TestKilledConsumer(t *testing.T) {
	s := store.NewMemoryWith(store.MemoryConfig{Feed: true})
	committed := write(t, s, 60)
	var (
		mu        sync.Mutex
		delivered []store.Event
	)
	for kill := 5; ; kill += 11 {
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		done := make(chan error, 1)
		var caughtUp atomic.Bool
		go func() {
			done <- feed.Run(ctx, feed.Config{Feed: s, Name: "test", MinRetry: time.Millisecond, Lease: time.Minute,
				Handle: func(ctx context.Context, e store.Event) error {
					mu.Lock()
					delivered = append(delivered, e)
					mu.Unlock()
					n++
					switch {
					case n == kill && kill%2 == 0:
						panic("killed") // counts as an error: delivered again
					case n == kill:
						cancel() // killed after the host's work, before the acknowledgement
						return ctx.Err()
					}
					if e.Position == int64(len(committed)) {
						caughtUp.Store(true)
						cancel()
					}
					return nil
				}})
		}()
		if err := <-done; err != nil {
			t.Fatalf("Run: %v", err)
		}
		if caughtUp.Load() {
			break
		}
	}
	checkDelivered(t, committed, delivered)
}

// TestOneDelivererPerName runs three consumers of one name while writes
// go on: Handle never runs in two of them at once, and when the one
// delivering stops, another takes over.
func TestOneDelivererPerName(t *testing.T) {
	s := store.NewMemoryWith(store.MemoryConfig{Feed: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu        sync.Mutex
		delivered []store.Event
		inside    atomic.Int32
	)
	const consumers = 3
	stops := make([]context.CancelFunc, consumers)
	var wg sync.WaitGroup
	for i := range consumers {
		cctx, stop := context.WithCancel(ctx)
		stops[i] = stop
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = feed.Run(cctx, feed.Config{Feed: s, Name: "one", Lease: 300 * time.Millisecond, Poll: 10 * time.Millisecond,
				Handle: func(ctx context.Context, e store.Event) error {
					if inside.Add(1) != 1 {
						t.Errorf("two consumers of one name deliver at once (event %d)", e.Position)
					}
					defer inside.Add(-1)
					mu.Lock()
					delivered = append(delivered, e)
					mu.Unlock()
					time.Sleep(time.Millisecond)
					return nil
				}})
		}()
	}
	committed := write(t, s, 40)
	// Stop consumers one after the other; the last one finishes the job.
	for i := range consumers - 1 {
		time.Sleep(50 * time.Millisecond)
		stops[i]()
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(delivered)
		last := int64(0)
		if n > 0 {
			last = delivered[n-1].Position
		}
		mu.Unlock()
		if last == int64(len(committed)) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	checkDelivered(t, committed, delivered)
}

// TestTruncated shows a consumer behind the retention window resyncing,
// and Run returning the error when it has no Resync.
func TestTruncated(t *testing.T) {
	s := store.NewMemoryWith(store.MemoryConfig{Feed: true, FeedRetention: store.Retention{MaxEvents: 5}})
	committed := write(t, s, 12)
	err := feed.Run(context.Background(), feed.Config{Feed: s, Name: "late", Handle: func(context.Context, store.Event) error { return nil }})
	if !errors.Is(err, store.ErrFeedTruncated) {
		t.Fatalf("Run behind the retained events: %v, want ErrFeedTruncated", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var resynced bool
	var got []store.Event
	err = feed.Run(ctx, feed.Config{Feed: s, Name: "late",
		Resync: func(context.Context) error { resynced = true; return nil },
		Handle: func(_ context.Context, e store.Event) error {
			got = append(got, e)
			if e.Position == int64(len(committed)) {
				cancel()
			}
			return nil
		}})
	if err != nil || !resynced {
		t.Fatalf("Run with Resync: %v, resynced %v", err, resynced)
	}
	checkDelivered(t, committed[len(committed)-5:], got)
}

// TestRetry shows a failing Handle retried until it succeeds, and the
// events after it waiting for it.
func TestRetry(t *testing.T) {
	s := store.NewMemoryWith(store.MemoryConfig{Feed: true})
	committed := write(t, s, 3)
	ctx, cancel := context.WithCancel(context.Background())
	var got []store.Event
	var errs []string
	fails := 3
	err := feed.Run(ctx, feed.Config{Feed: s, Name: "retry", MinRetry: time.Millisecond,
		OnError: func(_ context.Context, e *store.Event, err error) {
			errs = append(errs, fmt.Sprint(e.Position, ": ", err))
		},
		Handle: func(_ context.Context, e store.Event) error {
			if e.Position == 2 && fails > 0 {
				fails--
				return errors.New("not now")
			}
			got = append(got, e)
			if e.Position == 3 {
				cancel()
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, committed, got)
	if diff := cmp.Diff([]string{"2: not now", "2: not now", "2: not now"}, errs); diff != "" {
		t.Errorf("OnError (-want +got):\n%s", diff)
	}
}
