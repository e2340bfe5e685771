package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/store"
)

// feedOf returns the store's Feed, skipping t when it has none or its
// feed is switched off (ReadFeed wraps errors.ErrUnsupported).
func feedOf(t tb, s store.Store) store.Feed {
	t.Helper()
	if _, ok := s.(store.Feed); !ok {
		t.Skipf("the store does not implement store.Feed")
	}
	f, ok := store.FeedOf(s)
	if !ok {
		t.Skipf("the store's change feed is off")
	}
	return f
}

// readAll returns every event of f after position after.
func readAll(t tb, f store.Feed, after int64) []store.Event {
	t.Helper()
	var out []store.Event
	for {
		evs, err := f.ReadFeed(context.Background(), after, 7)
		if err != nil {
			t.Fatalf("ReadFeed(%d): %v", after, err)
		}
		if len(evs) > 7 {
			t.Errorf("ReadFeed(%d, 7) returned %d events", after, len(evs))
		}
		if len(evs) == 0 {
			return out
		}
		out = append(out, evs...)
		after = evs[len(evs)-1].Position
	}
}

// checkPositions reports events whose positions are not first, first+1, …
// or whose ids are empty or repeated.
func checkPositions(t tb, evs []store.Event, first int64) {
	t.Helper()
	ids := map[string]bool{}
	for i, e := range evs {
		if e.Position != first+int64(i) {
			t.Errorf("event %d has position %d, want %d (positions are 1, 2, 3, … in order)", i, e.Position, first+int64(i))
		}
		if e.ID == "" || ids[e.ID] {
			t.Errorf("event at position %d has the id %q, empty or seen before", e.Position, e.ID)
		}
		ids[e.ID] = true
		if e.Time.IsZero() {
			t.Errorf("event at position %d has no time", e.Position)
		}
	}
}

// testFeed checks that each committed write is one event with its change,
// and that failed writes are none.
func (k *kit) testFeed(t tb) {
	s := t.Store()
	f := feedOf(t, s)
	ctx := context.Background()
	u := mustCreate(t, s, k.newUser("feed-user"))
	next := &store.Resource{Type: "User", ID: u.ID, Attributes: k.trim("User", k.userP("feed-user", "two"))}
	if _, err := s.Replace(ctx, next, "no-such-version"); !errors.Is(err, store.ErrVersionMismatch) {
		t.Fatalf("Replace with a wrong ifVersion: %v, want ErrVersionMismatch", err)
	}
	if _, err := s.Create(ctx, k.newUser("FEED-USER")); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Create of a taken userName: %v, want ErrConflict", err)
	}
	r1, err := s.Replace(ctx, next, u.Meta.Version)
	if err != nil {
		t.Fatalf("Replace: %v", err)
	}
	// A write made through scim.Handler carries its change in the context.
	hint := store.Change{Kind: store.Patched, Type: "User", ID: u.ID, Changed: []string{k.payload}}
	next = &store.Resource{Type: "User", ID: u.ID, Attributes: k.trim("User", k.userP("feed-user", "three"))}
	r2, err := s.Replace(store.WithChange(ctx, hint), next, r1.Meta.Version)
	if err != nil {
		t.Fatalf("Replace: %v", err)
	}
	g := mustCreate(t, s, k.newGroup("feed-group", u.ID))
	want := []store.Change{
		store.ChangeOf(store.Created, "User", u.ID, u.Meta.Version, nil, u.Attributes),
		{Kind: store.Replaced, Type: "User", ID: u.ID, Version: r1.Meta.Version},
		{Kind: store.Patched, Type: "User", ID: u.ID, Version: r2.Meta.Version, Changed: []string{k.payload}},
		store.ChangeOf(store.Created, "Group", g.ID, g.Meta.Version, nil, g.Attributes),
	}
	if mp, ok := s.(store.MemberPatcher); ok {
		d := store.MemberDelta{Attribute: "members", Remove: []string{u.ID}}
		res, err := mp.PatchMembers(ctx, "Group", g.ID, d, "")
		if err != nil {
			t.Fatalf("PatchMembers: %v", err)
		}
		want = append(want, store.Change{Kind: store.Patched, Type: "Group", ID: g.ID, Version: res.Version,
			Changed: []string{"members"}, MembersRemoved: []string{u.ID}})
		// A delta that changes nothing is no event, or one that lists
		// nothing if the store gave the group a new version.
		if _, err := mp.PatchMembers(ctx, "Group", g.ID, d, ""); err != nil {
			t.Fatalf("PatchMembers: %v", err)
		}
	}
	if err := s.Delete(ctx, "User", u.ID, "no-such-version"); !errors.Is(err, store.ErrVersionMismatch) {
		t.Fatalf("Delete with a wrong ifVersion: %v, want ErrVersionMismatch", err)
	}
	if err := s.Delete(ctx, "User", u.ID, ""); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	want = append(want, store.Change{Kind: store.Deleted, Type: "User", ID: u.ID})

	evs := readAll(t, f, 0)
	checkPositions(t, evs, 1)
	var got []store.Change
	for _, e := range evs {
		got = append(got, e.Change)
	}
	// A Replace made on the store directly lists at least what changed;
	// a store that does not read the old resource lists more.
	if len(got) > 1 && slices.Contains(got[1].Changed, k.payload) {
		want[1].Changed = got[1].Changed
	}
	if len(got) == len(want)+1 && len(want) > 5 && got[5].Kind == store.Patched && len(got[5].Changed) == 0 {
		got = slices.Delete(got, 5, 6) // a delta that changed nothing, recorded anyway
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the feed after Create, failed writes, Replace, Replace with a change in the context, Create of a group, PatchMembers and Delete (-want +got):\n%s", diff)
	}
	if len(evs) >= 3 {
		part, err := f.ReadFeed(ctx, 1, 2)
		if err != nil {
			t.Fatalf("ReadFeed(1, 2): %v", err)
		}
		if diff := cmp.Diff(evs[1:3], part); diff != "" {
			t.Errorf("ReadFeed(1, 2) (-want +got):\n%s", diff)
		}
	}
	if evs, err := f.ReadFeed(ctx, 1<<40, 10); err != nil || len(evs) != 0 {
		t.Errorf("ReadFeed after the last position: %d events, %v; want none", len(evs), err)
	}
}

// testFeedConcurrent checks that concurrent writes get distinct,
// contiguous positions and that each write is one event.
func (k *kit) testFeedConcurrent(t tb) {
	s := t.Store()
	f := feedOf(t, s)
	const writers, each = 8, 10
	var mu sync.Mutex
	versions := map[string][]string{} // id -> versions written, in order
	parallel(writers, func(w int) {
		ctx := context.Background()
		r, err := s.Create(ctx, k.newUser(fmt.Sprintf("feed-%d", w)))
		if err != nil {
			t.Errorf("Create: %v", err)
			return
		}
		mine := []string{r.Meta.Version}
		for i := 1; i < each; i++ {
			next := &store.Resource{Type: "User", ID: r.ID, Attributes: k.trim("User", k.userP(fmt.Sprintf("feed-%d", w), fmt.Sprint(i)))}
			if r, err = s.Replace(ctx, next, r.Meta.Version); err != nil {
				t.Errorf("Replace: %v", err)
				return
			}
			mine = append(mine, r.Meta.Version)
		}
		mu.Lock()
		versions[r.ID] = mine
		mu.Unlock()
	})
	evs := readAll(t, f, 0)
	checkPositions(t, evs, 1)
	got := map[string][]string{}
	for _, e := range evs {
		got[e.Change.ID] = append(got[e.Change.ID], e.Change.Version)
	}
	if diff := cmp.Diff(versions, got); diff != "" {
		t.Errorf("versions per resource in feed order after %d writers made %d writes each (-want +got):\n%s", writers, each, diff)
	}
}

// testFeedLease checks consumer checkpoints and leases.
func (k *kit) testFeedLease(t tb) {
	s := t.Store()
	f := feedOf(t, s)
	ctx := context.Background()
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	ttl := 30 * time.Second
	step := func(what string, err, want error) {
		t.Helper()
		if !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", what, err, want)
		}
	}
	lease := func(holder string, now time.Time, wantPos int64, want error) {
		t.Helper()
		pos, err := f.Lease(ctx, "c", holder, now, now.Add(ttl))
		step("Lease("+holder+")", err, want)
		if err == nil && pos != wantPos {
			t.Errorf("Lease(%s) at %v: checkpoint %d, want %d", holder, now.Sub(t0), pos, wantPos)
		}
	}
	lease("a", t0, 0, nil)
	lease("b", t0.Add(time.Second), 0, store.ErrLeaseHeld)
	step("Ack by a holder without the lease", f.Ack(ctx, "c", "b", 5, t0, t0.Add(ttl)), store.ErrLeaseHeld)
	step("Ack", f.Ack(ctx, "c", "a", 3, t0.Add(time.Second), t0.Add(time.Second+ttl)), nil)
	lease("a", t0.Add(2*time.Second), 3, nil) // renewal
	lease("b", t0.Add(ttl), 0, store.ErrLeaseHeld)
	lease("b", t0.Add(2*time.Second+ttl), 3, nil) // a's lease ran out
	step("Ack by the holder that lost the lease", f.Ack(ctx, "c", "a", 9, t0.Add(3*time.Second+ttl), t0.Add(4*time.Second+ttl)), store.ErrLeaseHeld)
	step("Ack of an earlier position", f.Ack(ctx, "c", "b", 2, t0.Add(3*time.Second+ttl), t0.Add(3*time.Second+2*ttl)), nil)
	now := t0.Add(4*time.Second + ttl)
	step("Ack releasing the lease", f.Ack(ctx, "c", "b", 4, now, now), nil)
	lease("a", now, 4, nil)
	lease("a", now, 4, nil)
	other, err := f.Lease(ctx, "other", "b", now, now.Add(ttl))
	if err != nil || other != 0 {
		t.Errorf("Lease of another consumer name: %d, %v; want 0, nil", other, err)
	}
}

// testFeedWait checks that WaitFeed returns at once when there are events
// after the position, and returns after a write.
func (k *kit) testFeedWait(t tb) {
	s := t.Store()
	f := feedOf(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mustCreate(t, s, k.newUser("wait-1"))
	if err := f.WaitFeed(ctx, 0); err != nil {
		t.Fatalf("WaitFeed(0) with one event: %v", err)
	}
	woke := make(chan error, 1)
	go func() { woke <- f.WaitFeed(ctx, 1) }()
	time.Sleep(10 * time.Millisecond)
	mustCreate(t, s, k.newUser("wait-2"))
	if err := <-woke; err != nil {
		t.Errorf("WaitFeed(1) with a write after it: %v", err)
	}
	short, cancelShort := context.WithCancel(context.Background())
	cancelShort()
	if err := f.WaitFeed(short, 2); err == nil {
		// It may return nil early (a poll), but not forever with a done ctx.
		if err := f.WaitFeed(short, 2); err == nil {
			t.Errorf("WaitFeed with a done context returned nil twice, want ctx.Err()")
		}
	}
}

// testFeedPrune checks that a consumer behind the pruned events gets a
// TruncatedError.
func (k *kit) testFeedPrune(t tb) {
	s := t.Store()
	f := feedOf(t, s)
	ctx := context.Background()
	for i := range 3 {
		mustCreate(t, s, k.newUser(fmt.Sprintf("prune-%d", i)))
	}
	n, err := f.PruneFeed(ctx, time.Now().AddDate(100, 0, 0))
	if err != nil {
		t.Fatalf("PruneFeed: %v", err)
	}
	if n == 0 {
		t.Skipf("the store's retention keeps events without an age bound")
	}
	_, err = f.ReadFeed(ctx, 0, 10)
	var te *store.TruncatedError
	if !errors.As(err, &te) || !errors.Is(err, store.ErrFeedTruncated) || te.Pruned < int64(n) {
		t.Fatalf("ReadFeed(0) after %d events were pruned: %v, want a *store.TruncatedError wrapping ErrFeedTruncated", n, err)
	}
	if _, err := f.ReadFeed(ctx, te.Pruned, 10); err != nil {
		t.Errorf("ReadFeed after the pruned events: %v", err)
	}
}
