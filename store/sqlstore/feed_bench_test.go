package sqlstore

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/feed"
)

// BenchmarkHandlerWriteFeed writes through the handler on PostgreSQL
// with the change feed off and on: POST /Users and a PATCH that
// deactivates the user, from 16 concurrent clients of one tenant (the
// tenant's events take turns at the commit, so one tenant is the costly
// case) and of a tenant each. Compare feed=off with feed=on in benchstat.
func BenchmarkHandlerWriteFeed(b *testing.B) {
	for _, tenants := range []string{"1", "16"} {
		for _, on := range []bool{false, true} {
			b.Run("tenants="+tenants+"/feed="+map[bool]string{false: "off", true: "on"}[on], func(b *testing.B) { benchWriteFeed(b, tenants == "1", on) })
		}
	}
}

func benchWriteFeed(b *testing.B, oneTenant, on bool) {
	{
		{
			db, d := openPostgres(b)
			tenant := randomTenant()
			type tkey struct{}
			s, err := New(db, Config{Dialect: d, Tenant: func(ctx context.Context) string {
				if t, ok := ctx.Value(tkey{}).(string); ok {
					return t
				}
				return tenant
			}, Feed: on})
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Migrate(context.Background()); err != nil {
				b.Fatal(err)
			}
			h := newHandler(b, s)
			var n atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				mine := context.Background()
				if !oneTenant {
					mine = context.WithValue(mine, tkey{}, randomTenant())
				}
				for pb.Next() {
					i := n.Add(1)
					rec := httptest.NewRecorder()
					req := httptest.NewRequest(http.MethodPost, "/Users", strings.NewReader(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"u`+strconv.FormatInt(i, 10)+`@example.com","active":true}`)).WithContext(mine)
					req.Header.Set("Content-Type", "application/scim+json")
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusCreated {
						b.Fatalf("POST: %d %s", rec.Code, rec.Body)
					}
					loc := rec.Header().Get("Location")
					id := loc[strings.LastIndexByte(loc, '/')+1:]
					rec = httptest.NewRecorder()
					req = httptest.NewRequest(http.MethodPatch, "/Users/"+id, strings.NewReader(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`)).WithContext(mine)
					req.Header.Set("Content-Type", "application/scim+json")
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK && rec.Code != http.StatusNoContent {
						b.Fatalf("PATCH: %d %s", rec.Code, rec.Body)
					}
				}
			})
			b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "writes/s")
		}
	}
}

// BenchmarkFeedLatency measures the time from a write's commit (when
// OnChange is called) to the delivery of its event by a consumer on
// PostgreSQL: a consumer of the same Store (woken by the commit) and one
// of another Store over the same database, as another instance would run
// (woken by polling, Config.FeedPoll at its 250ms default). It reports the
// median and 99th percentile in milliseconds. Each iteration is one
// write followed by a 2ms pause: a steady pace, below what one consumer
// acknowledges, so that the figures are latency and not a backlog.
func BenchmarkFeedLatency(b *testing.B) {
	for _, other := range []bool{false, true} {
		b.Run("consumer="+map[bool]string{false: "same-instance", true: "other-instance"}[other], func(b *testing.B) {
			db, d := openPostgres(b)
			tenant := randomTenant()
			cfg := Config{Dialect: d, Tenant: func(context.Context) string { return tenant }, Feed: true}
			s, err := New(db, cfg)
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Migrate(context.Background()); err != nil {
				b.Fatal(err)
			}
			reader := s
			if other {
				if reader, err = New(db, cfg); err != nil {
					b.Fatal(err)
				}
			}
			var (
				mu        sync.Mutex
				committed = map[string]time.Time{}
				latencies []time.Duration
			)
			h, err := scim.NewHandler(scim.Config{Store: s, OnChange: func(_ context.Context, c scim.Change) {
				mu.Lock()
				committed[c.ID] = time.Now()
				mu.Unlock()
			}})
			if err != nil {
				b.Fatal(err)
			}
			ctx, stop := context.WithCancel(context.Background())
			var delivered atomic.Int64
			consumer := make(chan struct{})
			go func() {
				defer close(consumer)
				_ = feed.Run(ctx, feed.Config{Feed: reader, Name: "latency", Handle: func(_ context.Context, e store.Event) error {
					now := time.Now()
					mu.Lock()
					if t, ok := committed[e.Change.ID]; ok {
						latencies = append(latencies, max(0, now.Sub(t)))
					} else {
						// Delivered before OnChange ran: no time to wait.
						latencies = append(latencies, 0)
					}
					mu.Unlock()
					delivered.Add(1)
					return nil
				}})
			}()
			var n atomic.Int64
			b.ResetTimer()
			for b.Loop() {
				i := n.Add(1)
				if _, err := h.Create(ctx, "User", map[string]any{"userName": "l" + strconv.FormatInt(i, 10)}); err != nil {
					b.Fatal(err)
				}
				time.Sleep(2 * time.Millisecond) // a steady pace the consumer keeps up with
			}
			b.StopTimer()
			for deadline := time.Now().Add(10 * time.Second); delivered.Load() < n.Load() && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			stop()
			<-consumer
			mu.Lock()
			defer mu.Unlock()
			if len(latencies) == 0 {
				return
			}
			slices.Sort(latencies)
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
			b.ReportMetric(ms(latencies[len(latencies)/2]), "p50-ms")
			b.ReportMetric(ms(latencies[len(latencies)*99/100]), "p99-ms")
		})
	}
}

// BenchmarkFeedDrain measures how fast one consumer delivers a backlog:
// 2,000 events written beforehand, delivered by feed.Run on PostgreSQL
// with a Handle that does nothing; reported as events/s.
func BenchmarkFeedDrain(b *testing.B) {
	db, d := openPostgres(b)
	for b.Loop() {
		b.StopTimer()
		tenant := randomTenant()
		s, err := New(db, Config{Dialect: d, Tenant: func(context.Context) string { return tenant }, Feed: true})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
		const backlog = 2000
		for i := range backlog {
			if _, err := s.Create(context.Background(), &store.Resource{Type: "User",
				Attributes: map[string]any{"userName": "d" + strconv.Itoa(i)}}); err != nil {
				b.Fatal(err)
			}
		}
		ctx, stop := context.WithCancel(context.Background())
		var delivered atomic.Int64
		b.StartTimer()
		start := time.Now()
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = feed.Run(ctx, feed.Config{Feed: s, Name: "drain", Handle: func(context.Context, store.Event) error {
				if delivered.Add(1) == backlog {
					stop()
				}
				return nil
			}})
		}()
		<-done
		b.ReportMetric(backlog/time.Since(start).Seconds(), "events/s")
	}
}
