package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/scimkit/scimkit/store"
)

// parallel runs f(0) … f(n-1) in n goroutines released at the same moment
// and waits for them. f must not call t.Fatalf.
func parallel(n int, f func(i int)) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			f(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

func (k *kit) testConcurrentCreate(t tb) {
	s := t.Store()
	const writers, each = 16, 8
	var mu sync.Mutex
	seen := map[string]bool{}
	parallel(writers, func(w int) {
		for i := range each {
			r, err := s.Create(context.Background(), k.newUser(fmt.Sprintf("user-%d-%d", w, i)))
			if err != nil {
				t.Errorf("concurrent Create: %v", err)
				continue
			}
			mu.Lock()
			if seen[r.ID] {
				t.Errorf("concurrent Creates gave the id %q twice", r.ID)
			}
			seen[r.ID] = true
			mu.Unlock()
		}
	})
	got := all(t, s, "User", nil)
	if len(got) != writers*each {
		t.Errorf("List after %d concurrent Creates: %d users", writers*each, len(got))
	}
	for _, r := range got {
		if !seen[r.ID] {
			t.Errorf("List returned id %q that no Create returned", r.ID)
		}
	}
}

func (k *kit) testConcurrentSameUserName(t tb) {
	s := t.Store()
	names := []string{"dup", "DUP", "Dup", "dUp", "duP", "DUp", "dup", "DuP"}
	var mu sync.Mutex
	var won []string
	parallel(len(names), func(i int) {
		_, err := s.Create(context.Background(), k.newUser(names[i]))
		switch {
		case err == nil:
			mu.Lock()
			won = append(won, names[i])
			mu.Unlock()
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("concurrent Create of a taken userName: error %v, want one wrapping ErrConflict", err)
		}
	})
	if len(won) != 1 {
		t.Errorf("%d concurrent Creates of one userName (in various cases): %d succeeded (%q), want exactly 1", len(names), len(won), won)
	}
	if got := all(t, s, "User", nil); len(got) != 1 {
		t.Errorf("List after concurrent Creates of one userName: %d users, want 1", len(got))
	}
}

func (k *kit) testConcurrentReplace(t tb) {
	s := t.Store()
	u := mustCreate(t, s, k.with(&store.Resource{Type: "User"}, k.userP("bjensen", "start")))
	const writers = 8
	var mu sync.Mutex
	var won []string
	parallel(writers, func(i int) {
		title := fmt.Sprintf("writer %d", i)
		_, err := s.Replace(context.Background(), k.with(u, k.userP("bjensen", title)), u.Meta.Version)
		switch {
		case err == nil:
			mu.Lock()
			won = append(won, title)
			mu.Unlock()
		case !errors.Is(err, store.ErrVersionMismatch):
			t.Errorf("concurrent Replace with a stale version: error %v, want one wrapping ErrVersionMismatch", err)
		}
	})
	if len(won) != 1 {
		t.Fatalf("%d concurrent Replaces with one ifVersion: %d succeeded (%q), want exactly 1", writers, len(won), won)
	}
	if p, _ := k.payloadOf(mustGet(t, s, "User", u.ID)); p != won[0] {
		t.Errorf("after concurrent Replaces, %s = %q, want the winner's %q", k.payloadName(), p, won[0])
	}
}

func (k *kit) testConcurrentDelete(t tb) {
	s := t.Store()
	u := mustCreate(t, s, k.newUser("bjensen"))
	const deleters = 8
	var mu sync.Mutex
	succeeded := 0
	parallel(deleters, func(int) {
		err := s.Delete(context.Background(), "User", u.ID, u.Meta.Version)
		switch {
		case err == nil:
			mu.Lock()
			succeeded++
			mu.Unlock()
		case !errors.Is(err, store.ErrVersionMismatch) && !errors.Is(err, store.ErrNotFound):
			t.Errorf("concurrent Delete of a deleted resource: error %v, want one wrapping ErrNotFound or ErrVersionMismatch", err)
		}
	})
	if succeeded != 1 {
		t.Errorf("%d concurrent Deletes with one ifVersion: %d succeeded, want exactly 1", deleters, succeeded)
	}
}

// testNoLostUpdates runs read-modify-write increments of a counter (kept
// in the payload attribute) from several goroutines, retrying on version mismatches as
// the handler does for PATCH, while readers list and get. Every increment
// must survive, and every write must get a version of its own.
func (k *kit) testNoLostUpdates(t tb) {
	s := t.Store()
	ctx := context.Background()
	u := mustCreate(t, s, k.with(&store.Resource{Type: "User"}, k.userP("counter", "0")))
	g := mustCreate(t, s, k.newGroup("readers", u.ID))
	const writers, each = 6, 10
	var mu sync.Mutex
	versions := map[string]bool{u.Meta.Version: true}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Microsecond):
				}
				if _, err := s.Get(ctx, "User", u.ID); err != nil {
					t.Errorf("Get during updates: %v", err)
					return
				}
				if _, err := s.List(ctx, "User", store.Query{StartIndex: 1, Count: 10}); err != nil {
					t.Errorf("List during updates: %v", err)
					return
				}
				if _, err := s.Get(ctx, "Group", g.ID); err != nil {
					t.Errorf("Get(Group) during updates: %v", err)
					return
				}
			}
		})
	}
	parallel(writers, func(int) {
		for range each {
			for attempt := 0; ; attempt++ {
				if attempt == 10000 {
					t.Errorf("an increment did not succeed in %d attempts", attempt)
					return
				}
				cur, err := s.Get(ctx, "User", u.ID)
				if err != nil {
					t.Errorf("Get: %v", err)
					return
				}
				p, _ := k.payloadOf(cur)
				n, err := strconv.Atoi(p)
				if err != nil {
					t.Errorf("%s = %q, want a number", k.payloadName(), p)
					return
				}
				next, err := s.Replace(ctx, k.with(cur, k.userP("counter", strconv.Itoa(n+1))), cur.Meta.Version)
				if errors.Is(err, store.ErrVersionMismatch) {
					continue
				}
				if err != nil {
					t.Errorf("Replace: %v", err)
					return
				}
				mu.Lock()
				if versions[next.Meta.Version] {
					t.Errorf("Replace returned version %q, which an earlier write had", next.Meta.Version)
				}
				versions[next.Meta.Version] = true
				mu.Unlock()
				break
			}
		}
	})
	close(stop)
	readers.Wait()
	if got, _ := k.payloadOf(mustGet(t, s, "User", u.ID)); got != strconv.Itoa(writers*each) {
		t.Errorf("after %d increments the counter is %q: updates were lost", writers*each, got)
	}
}
