package ratelimit_test

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/ratelimit"
	"github.com/scimkit/scimkit/scim/tenant"
	"github.com/scimkit/scimkit/store"
)

// newServer serves SCIM for tenants acme and globex (token "token-acme",
// "token-globex") behind BearerAuth and lim.
func newServer(t *testing.T, cfg ratelimit.Config) *httptest.Server {
	t.Helper()
	h, err := scim.NewHandler(scim.Config{Store: store.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	lim, err := ratelimit.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	auth := scim.NewBearerAuth()
	auth.SetNamedTokens(map[string]string{"acme": "token-acme", "globex": "token-globex"})
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", auth.Wrap(lim.Wrap(h))))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type answer struct {
	status     int
	retryAfter string
	body       map[string]any
}

func get(t *testing.T, srv *httptest.Server, token string) answer {
	t.Helper()
	req, err := http.NewRequest("GET", srv.URL+"/scim/v2/Users", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	if err := json.Unmarshal(b, &a.body); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	return a
}

// TestTenantThrottledOthersServed shows tenant acme refused with 429, an
// integer Retry-After and a SCIM Error body once its burst is spent, while
// tenant globex, sharing the process, is served normally.
func TestTenantThrottledOthersServed(t *testing.T) {
	srv := newServer(t, ratelimit.Config{
		Tenants: map[string]ratelimit.Limit{"acme": {Rate: 0.5, Burst: 2}},
	})
	for i := range 2 {
		if a := get(t, srv, "token-acme"); a.status != http.StatusOK {
			t.Fatalf("acme request %d: status %d, want 200", i+1, a.status)
		}
	}
	a := get(t, srv, "token-acme")
	if a.status != http.StatusTooManyRequests {
		t.Fatalf("acme request 3: status %d, want 429", a.status)
	}
	secs, err := strconv.Atoi(a.retryAfter)
	if err != nil || secs < 1 || secs > 2 {
		t.Errorf("Retry-After = %q, want an integer number of seconds in [1, 2]", a.retryAfter)
	}
	want := map[string]any{
		"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:Error"},
		"status":  "429",
		"detail":  "too many requests for this tenant; retry after " + a.retryAfter + " seconds",
	}
	if diff := cmp.Diff(want, a.body); diff != "" {
		t.Errorf("429 body mismatch (-want +got):\n%s", diff)
	}
	for i := range 20 {
		if b := get(t, srv, "token-globex"); b.status != http.StatusOK {
			t.Fatalf("globex request %d while acme is throttled: status %d, want 200", i+1, b.status)
		}
	}
}

// TestDefaultSustainsEntraRate drives one tenant at 25 requests per second
// (Microsoft Entra ID's gallery floor) for ten minutes of simulated time,
// and at 50 per second, with the default limit: nothing is refused.
func TestDefaultSustainsEntraRate(t *testing.T) {
	for _, perSecond := range []int{25, 50} {
		lim, err := ratelimit.New(ratelimit.Config{})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Unix(1_800_000_000, 0)
		step := time.Second / time.Duration(perSecond)
		for i := range perSecond * 600 {
			if d := lim.Reserve("entra-tenant", now); d != 0 {
				t.Fatalf("%d req/s: request %d refused (retry in %v)", perSecond, i, d)
			}
			now = now.Add(step)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  ratelimit.Config
	}{
		{"zero rate", ratelimit.Config{Default: ratelimit.Limit{Burst: 1}}},
		{"negative rate", ratelimit.Config{Default: ratelimit.Limit{Rate: -1, Burst: 1}}},
		{"zero burst", ratelimit.Config{Tenants: map[string]ratelimit.Limit{"a": {Rate: 1}}}},
		{"NaN rate", ratelimit.Config{Tenants: map[string]ratelimit.Limit{"a": {Rate: math.NaN(), Burst: 1}}}},
	}
	for _, tc := range tests {
		if _, err := ratelimit.New(tc.cfg); err == nil {
			t.Errorf("%s: New succeeded, want an error", tc.name)
		}
	}
	if _, err := ratelimit.New(ratelimit.Config{Default: ratelimit.Limit{Rate: math.Inf(1), Burst: 1}}); err != nil {
		t.Errorf("unlimited: %v", err)
	}
}

// TestMaxDelay shows a request whose turn is near delayed instead of
// refused.
func TestMaxDelay(t *testing.T) {
	lim, err := ratelimit.New(ratelimit.Config{
		Default:  ratelimit.Limit{Rate: 20, Burst: 1},
		MaxDelay: time.Second,
		Key:      func(*http.Request) string { return "t" },
	})
	if err != nil {
		t.Fatal(err)
	}
	h := lim.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	start := time.Now()
	for i := range 3 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/Users", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("request %d: status %d, want 200 after a delay", i+1, rec.Code)
		}
	}
	if el := time.Since(start); el < 80*time.Millisecond {
		t.Errorf("3 requests at 20/s with burst 1 took %v, want about 100ms", el)
	}
}

// TestSetLimits changes a tenant's limit while serving.
func TestSetLimits(t *testing.T) {
	var limited []string
	lim, err := ratelimit.New(ratelimit.Config{
		Default:   ratelimit.Limit{Rate: 0.001, Burst: 1},
		OnLimited: func(r *http.Request, key string, _ time.Duration) { limited = append(limited, key) },
	})
	if err != nil {
		t.Fatal(err)
	}
	h := lim.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	do := func() int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/Users", nil)
		h.ServeHTTP(rec, req.WithContext(tenant.NewContext(req.Context(), "acme")))
		return rec.Code
	}
	got := []int{do(), do()}
	if err := lim.SetLimits(ratelimit.Limit{}, map[string]ratelimit.Limit{"acme": {Rate: 1000, Burst: 10}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	got = append(got, do())
	if diff := cmp.Diff([]int{200, 429, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"acme"}, limited); diff != "" {
		t.Errorf("OnLimited keys (-want +got):\n%s", diff)
	}
}

// TestManyTenantsBounded shows idle buckets dropped past MaxTenants.
func TestManyTenantsBounded(t *testing.T) {
	lim, err := ratelimit.New(ratelimit.Config{MaxTenants: 10})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i := range 1000 {
		if d := lim.Reserve("t"+strconv.Itoa(i), now); d != 0 {
			t.Fatalf("tenant %d refused", i)
		}
	}
}

func BenchmarkWrap(b *testing.B) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	// A finite limit that the benchmark never reaches, so every request
	// goes through the token bucket's arithmetic (rate.Inf would skip it).
	lim, err := ratelimit.New(ratelimit.Config{Default: ratelimit.Limit{Rate: 1e12, Burst: 1 << 30}})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"limiter=off", ok}, {"limiter=on", lim.Wrap(ok)}} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/Users", nil)
			req = req.WithContext(tenant.NewContext(req.Context(), "acme"))
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				bc.h.ServeHTTP(w, req)
			}
		})
	}
	b.Run("limiter=on/tenants=1000/parallel", func(b *testing.B) {
		h := lim.Wrap(ok)
		reqs := make([]*http.Request, 1000)
		for i := range reqs {
			r := httptest.NewRequest("GET", "/Users", nil)
			reqs[i] = r.WithContext(tenant.NewContext(r.Context(), "t"+strconv.Itoa(i)))
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			w := httptest.NewRecorder()
			i := 0
			for pb.Next() {
				h.ServeHTTP(w, reqs[i%len(reqs)])
				i++
			}
		})
	})
}

func ExampleNew() {
	h, err := scim.NewHandler(scim.Config{Store: store.NewMemory()})
	if err != nil {
		panic(err)
	}
	auth := scim.NewBearerAuth()
	auth.SetNamedTokens(map[string]string{"acme": "token-a", "globex": "token-g"})
	// 50 requests/s with a burst of 100 for every tenant (above Entra ID's
	// 25/s floor); acme, whose identity provider is Okta, gets less.
	lim, err := ratelimit.New(ratelimit.Config{
		Tenants: map[string]ratelimit.Limit{"acme": {Rate: 10, Burst: 20}},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", auth.Wrap(lim.Wrap(h))))

	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/scim/v2/Users", nil)
	req.Header.Set("Authorization", "Bearer token-a")
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, strings.Contains(rec.Body.String(), "ListResponse"))
	// Output: 200 true
}

// Reserve is the limiter without HTTP, e.g. for a host's own bulk import.
func ExampleLimiter_Reserve() {
	lim, err := ratelimit.New(ratelimit.Config{Default: ratelimit.Limit{Rate: 1, Burst: 2}})
	if err != nil {
		panic(err)
	}
	now := time.Now()
	for range 3 {
		fmt.Println(lim.Reserve("acme", now).Round(100 * time.Millisecond))
	}
	// Output:
	// 0s
	// 0s
	// 1s
}
