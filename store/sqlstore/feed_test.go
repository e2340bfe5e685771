package sqlstore

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/feed"
)

// feedStore returns a store over db with the change feed on, for tenant.
func feedStore(t testing.TB, db *sql.DB, d Dialect, tenant string) *Store {
	t.Helper()
	s, err := New(db, Config{Dialect: d, Tenant: func(context.Context) string { return tenant }, Feed: true, FeedPoll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// changeKey names a committed write: the resource and the version it
// made (the kind for deletes, which make none).
func changeKey(c store.Change) string {
	return c.Type + "/" + c.ID + "@" + c.Version + ":" + string(c.Kind)
}

// provision makes n writes through h's Go API, as an identity provider
// would, among them writes that fail (a taken userName, a stale If-Match)
// and so must not be in the feed; fail is told of unexpected results.
// The handler's OnChange reports the committed changes.
func provision(ctx context.Context, h *scim.Handler, prefix string, n int, fail func(error)) {
	var users []string
	group := ""
	for i := 0; i < n && ctx.Err() == nil; i++ {
		name := fmt.Sprintf("%s-%d", prefix, i)
		switch {
		case i%10 == 9 && len(users) > 1:
			if err := h.Delete(ctx, "User", users[0], ""); err != nil {
				fail(err)
			}
			users = users[1:]
		case i%5 == 3 && len(users) > 0:
			if _, err := h.Patch(ctx, "User", users[len(users)-1], []patch.Operation{{Op: "replace", Path: "active", Value: false}}, ""); err != nil {
				fail(err)
			}
			if _, err := h.Patch(ctx, "User", users[len(users)-1], []patch.Operation{{Op: "replace", Path: "displayName", Value: "x"}}, `"nope"`); err == nil {
				fail(errors.New("a PATCH with a stale If-Match succeeded"))
			}
		case i%5 == 4 && len(users) > 0:
			if group == "" {
				g, err := h.Create(ctx, "Group", map[string]any{"displayName": prefix})
				if err != nil {
					fail(err)
					continue
				}
				group = g.ID
			}
			if _, err := h.Patch(ctx, "Group", group, []patch.Operation{{Op: "add", Path: "members", Value: []any{map[string]any{"value": users[len(users)-1]}}}}, ""); err != nil {
				fail(err)
			}
		default:
			r, err := h.Create(ctx, "User", map[string]any{"userName": name})
			if err != nil {
				fail(err)
				continue
			}
			users = append(users, r.ID)
			if _, err := h.Create(ctx, "User", map[string]any{"userName": strings.ToUpper(name)}); err == nil {
				fail(errors.New("a second user with a taken userName was created"))
			}
		}
	}
}

// TestFeedKilledConsumers writes through the handler from 4 goroutines
// while consumers run one after another, each killed between the commit
// and the acknowledgement of an event (its context ends while Handle
// runs, after Handle did its work): every committed change is delivered
// at least once, in order per resource, and no failed write is.
func TestFeedKilledConsumers(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := feedStore(t, db, d, randomTenant())
			var (
				mu        sync.Mutex
				committed = map[string]bool{}
				order     []string
			)
			h, err := scim.NewHandler(scim.Config{Store: s, OnChange: func(_ context.Context, c scim.Change) {
				sc := store.Change{Kind: c.Kind, Type: c.Type, ID: c.ID}
				if c.Resource != nil {
					sc.Version = c.Resource.Meta.Version
				} else if c.Kind != scim.Deleted {
					r, _ := s.Get(context.Background(), c.Type, c.ID) // a membership delta: no resource
					sc.Version = r.Meta.Version
				}
				mu.Lock()
				committed[changeKey(sc)] = true
				order = append(order, changeKey(sc))
				mu.Unlock()
			}})
			if err != nil {
				t.Fatal(err)
			}
			// Each writer has its own users and group, so that the version a
			// membership delta made (OnChange has no resource) can be read back.
			ctx := context.Background()
			var writers sync.WaitGroup
			for w := range 4 {
				writers.Go(func() { provision(ctx, h, fmt.Sprint("w", w), 60, func(err error) { t.Error(err) }) })
			}
			writing := make(chan struct{})
			go func() { writers.Wait(); close(writing) }()

			var delivered []store.Event
			kills := 0
			for done := false; !done; {
				cctx, kill := context.WithCancel(ctx)
				left := 1 + rand.IntN(25)
				err := feed.Run(cctx, feed.Config{Feed: s, Name: "kill", Lease: 2 * time.Second, MinRetry: time.Millisecond,
					Handle: func(ctx context.Context, e store.Event) error {
						delivered = append(delivered, e)
						left--
						if left == 0 {
							kills++
							kill() // the host's work is done; the acknowledgement is not
							return ctx.Err()
						}
						select {
						case <-writing:
							mu.Lock()
							defer mu.Unlock()
							if e.Position == int64(len(order)) {
								done = true
								kill()
							}
						default:
						}
						return nil
					}})
				kill()
				if err != nil {
					t.Fatal(err)
				}
			}
			checkFeedDelivery(t, committed, nil, delivered)
			t.Logf("%d changes, %d deliveries, %d consumers killed", len(committed), len(delivered), kills)
		})
	}
}

// checkFeedDelivery checks delivered events against the committed
// changes: each delivered at least once, none other but those of maybe
// (writes whose commit was not reported, as in a process killed between
// commit and report), and each resource's in position order.
func checkFeedDelivery(t *testing.T, committed, maybe map[string]bool, delivered []store.Event) {
	t.Helper()
	seen := map[string]bool{}
	last := map[string]int64{}
	for _, e := range delivered {
		k := changeKey(e.Change)
		if !committed[k] && !maybe[k] {
			t.Errorf("delivered %s (position %d), which no committed write made", k, e.Position)
		}
		if p, ok := last[e.Change.ID]; ok && e.Position < p && !seen[k] {
			t.Errorf("%s: event %d delivered first after event %d", e.Change.ID, e.Position, p)
		}
		seen[k] = true
		last[e.Change.ID] = max(last[e.Change.ID], e.Position)
	}
	missing := 0
	for k := range committed {
		if !seen[k] {
			missing++
			if missing < 10 {
				t.Errorf("committed change %s was not delivered", k)
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d committed changes were not delivered", missing, len(committed))
	}
}

// childEnv makes TestFeedProcess a handler process of TestFeedTwoProcesses.
const childEnv = "SCIMKIT_FEED_CHILD"

// TestFeedProcess is the handler process of TestFeedTwoProcesses (and
// skipped otherwise): it provisions through a handler over PostgreSQL
// and runs a consumer, printing "C key" for each committed change (from
// OnChange) and "D position key" for each delivered event.
func TestFeedProcess(t *testing.T) {
	arg := os.Getenv(childEnv)
	if arg == "" {
		t.Skip("run by TestFeedTwoProcesses")
	}
	tenant, prefix, _ := strings.Cut(arg, " ")
	db, d := openPostgres(t)
	s := feedStore(t, db, d, tenant)
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	print := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(out, format+"\n", args...)
		out.Flush()
	}
	h, err := scim.NewHandler(scim.Config{Store: s, OnChange: func(ctx context.Context, c scim.Change) {
		version := ""
		if c.Resource != nil {
			version = c.Resource.Meta.Version
		} else if c.Kind != scim.Deleted {
			r, _ := s.Get(ctx, c.Type, c.ID)
			version = r.Meta.Version
		}
		print("C %s", changeKey(store.Change{Kind: c.Kind, Type: c.Type, ID: c.ID, Version: version}))
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	go func() {
		_ = feed.Run(ctx, feed.Config{Feed: s, Name: "procs", Holder: prefix, Lease: time.Second, Poll: 50 * time.Millisecond, MinRetry: time.Millisecond,
			Handle: func(_ context.Context, e store.Event) error {
				print("D %d %s", e.Position, changeKey(e.Change))
				return nil
			}})
	}()
	provision(ctx, h, prefix, 150, func(err error) { print("E %v", err) })
	print("W") // done writing; keeps consuming until killed
	select {}
}

// TestFeedTwoProcesses runs two handler processes over one PostgreSQL
// database, each writing and consuming the feed under one consumer name,
// kills one of them (SIGKILL) in the middle of its writes, and shows that
// every change either committed is delivered, in order per resource, and
// nothing that was not committed.
func TestFeedTwoProcesses(t *testing.T) {
	openPostgres(t)
	if os.Getenv(childEnv) != "" {
		t.Skip("a child process")
	}
	tenant := randomTenant()
	type line struct {
		proc int
		text string
	}
	lines := make(chan line, 1024)
	var procs [2]*exec.Cmd
	for i := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFeedProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnv+"="+tenant+" p"+fmt.Sprint(i))
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs[i] = cmd
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		go func() {
			r := bufio.NewReader(stdout)
			for {
				text, err := r.ReadString('\n')
				if err != nil {
					return // a last line without its newline was cut by the kill
				}
				lines <- line{i, strings.TrimSuffix(text, "\n")}
			}
		}()
	}
	committed := map[string]bool{}
	var delivered []store.Event
	deliveredBy := [2][]store.Event{}
	killedAt, written := 0, false
	deadline := time.After(45 * time.Second)
	for {
		var l line
		select {
		case l = <-lines:
		case <-deadline:
			seen := map[string]bool{}
			for _, e := range delivered {
				seen[changeKey(e.Change)] = true
			}
			var missing []string
			for k := range committed {
				if !seen[k] {
					missing = append(missing, k)
				}
			}
			last := [2]int64{}
			for i, evs := range deliveredBy {
				if len(evs) > 0 {
					last[i] = evs[len(evs)-1].Position
				}
			}
			t.Fatalf("timed out: %d committed, %d delivered (last positions %v), process 1 done writing %v; not delivered: %.5q",
				len(committed), len(delivered), last, written, missing)
		}
		// Lines of process 0 read after its kill were printed before it:
		// what they report happened (a delivery it printed may also have
		// been acknowledged, and will not come again).
		switch f := strings.Fields(l.text); f[0] {
		case "C":
			committed[f[1]] = true
			if l.proc == 0 && killedAt == 0 && len(committed) >= 60 {
				killedAt = len(committed)
				if err := procs[0].Process.Kill(); err != nil {
					t.Fatal(err)
				}
			}
		case "D":
			var e store.Event
			fmt.Sscan(f[1], &e.Position)
			typ, rest, _ := strings.Cut(f[2], "/")
			id, rest, _ := strings.Cut(rest, "@")
			version, kind, _ := strings.Cut(rest, ":")
			e.Change = store.Change{Kind: store.ChangeKind(kind), Type: typ, ID: id, Version: version}
			delivered = append(delivered, e)
			deliveredBy[l.proc] = append(deliveredBy[l.proc], e)
		case "E":
			t.Errorf("process %d: %s", l.proc, l.text)
		case "W":
			written = l.proc == 1
		default:
			t.Logf("process %d: %s", l.proc, l.text)
		}
		if killedAt == 0 || !written {
			continue
		}
		seen := map[string]bool{}
		for _, e := range delivered {
			seen[changeKey(e.Change)] = true
		}
		all := true
		for k := range committed {
			all = all && seen[k]
		}
		if all {
			break
		}
	}
	// The killed process may have committed writes it had not reported:
	// they are in the feed, and rightly delivered. There are at most as
	// many as it had writes in flight (one), each of its own resources.
	var unreported []string
	for _, e := range delivered {
		if k := changeKey(e.Change); !committed[k] {
			unreported = append(unreported, k)
		}
	}
	if len(unreported) > 1 {
		t.Errorf("delivered %d changes no process reported committing: %v", len(unreported), unreported)
	}
	maybe := map[string]bool{}
	for _, k := range unreported {
		maybe[k] = true
	}
	for i, evs := range deliveredBy {
		last := int64(0)
		for _, e := range evs {
			if e.Position <= last {
				t.Errorf("process %d delivered position %d after %d", i, e.Position, last)
			}
			last = e.Position
		}
	}
	checkFeedDelivery(t, committed, maybe, delivered)
	t.Logf("%d changes committed (process 0 killed after %d), %d deliveries (%d by the killed process)", len(committed), killedAt, len(delivered), len(deliveredBy[0]))
}
