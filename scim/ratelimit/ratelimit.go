// Package ratelimit is an HTTP middleware that limits the request rate of
// each tenant of a shared SCIM service separately, so that one tenant's
// full import from its identity provider cannot starve the others.
//
// Each tenant (by default the tenant of the request, see package
// scim/tenant: the OAuth client's bound tenant or the name of the bearer
// token) has its own token bucket (golang.org/x/time/rate): Limit.Rate
// requests per second sustained, Limit.Burst at once. A request over the
// limit is answered
//
//	HTTP/1.1 429 Too Many Requests
//	Retry-After: 2
//	Content-Type: application/scim+json; charset=utf-8
//
//	{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"429","detail":"…"}
//
// Retry-After is always an integer number of seconds (RFC 9110 §10.2.3),
// never an HTTP-date: Okta waits exactly that long before retrying, and
// without a usable value waits 5 minutes, doubling on each further 429, for
// at most 10 attempts. Microsoft Entra ID's gallery requires at least 25
// requests per second per tenant, and its non-gallery client has no limiter
// of its own and counts a 429 as a failed object (retried a cycle later,
// and counted toward quarantine). The default limit, 50 requests per second
// with a burst of 100, therefore never throttles a single identity provider
// below what Entra ID requires; set a lower limit only for tenants whose
// identity provider honours 429 (Okta). Config.MaxDelay delays a request
// instead of refusing it when its turn is near, which Entra ID tolerates
// better than a 429.
//
// Put the limiter after authentication, so that the tenant is known:
//
//	lim, err := ratelimit.New(ratelimit.Config{})
//	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", auth.Wrap(lim.Wrap(h))))
//
// A Limiter keeps one bucket per tenant in memory, per process: behind a
// load balancer each instance limits on its own, so a tenant's total rate is
// at most the number of instances times its limit.
package ratelimit

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/scim/tenant"
	"golang.org/x/time/rate"
)

// Default limits, applied to every tenant without one of its own. 50
// requests per second is twice the 25 per second that Microsoft Entra ID's
// app gallery requires per tenant.
const (
	DefaultRate  = 50
	DefaultBurst = 100
)

// Limit is the rate allowed to one tenant.
type Limit struct {
	// Rate is the sustained number of requests per second; it must be
	// positive. math.Inf(1) means unlimited.
	Rate float64
	// Burst is the number of requests admitted at once after a quiet
	// period (the bucket's size); it must be at least 1.
	Burst int
}

func (l Limit) check() error {
	if !(l.Rate > 0) || l.Burst < 1 {
		return fmt.Errorf("ratelimit: limit %v req/s, burst %d: the rate must be positive and the burst at least 1", l.Rate, l.Burst)
	}
	return nil
}

// Config configures a Limiter. The zero value limits every tenant to
// DefaultRate requests per second with a burst of DefaultBurst.
type Config struct {
	// Default is the limit of tenants not in Tenants. The zero value means
	// DefaultRate and DefaultBurst.
	Default Limit

	// Tenants maps a tenant key to its own limit.
	Tenants map[string]Limit

	// Key returns the tenant key of a request; requests with the same key
	// share a bucket. Nil means tenant.FromRequest: the tenant set by the
	// authentication middleware (scim/oauth), else the name of the token
	// scim.BearerAuth accepted. Requests with no tenant ("") share one
	// bucket.
	Key func(*http.Request) string

	// MaxDelay lets a request that would be admitted within MaxDelay wait
	// for its turn instead of being refused (the wait ends early, with a
	// 429, if the request's context is done). Zero refuses at once.
	MaxDelay time.Duration

	// MaxTenants bounds the number of buckets kept; when there are more,
	// buckets that are full again (their tenant has been idle) are dropped,
	// which loses nothing. Zero means 10,000.
	MaxTenants int

	// OnLimited, if not nil, is called for every request refused with 429,
	// with the tenant key and the Retry-After sent, e.g. to count them.
	OnLimited func(r *http.Request, key string, retryAfter time.Duration)
}

// Limiter is a per-tenant rate-limiting middleware. Create one with New; it
// is safe for concurrent use.
type Limiter struct {
	key        func(*http.Request) string
	maxDelay   time.Duration
	maxTenants int
	onLimited  func(*http.Request, string, time.Duration)

	mu      sync.RWMutex
	def     Limit
	tenants map[string]Limit
	buckets map[string]*rate.Limiter
}

// New checks cfg and returns a Limiter. It returns an error if a limit has
// a rate that is not positive or a burst below 1.
func New(cfg Config) (*Limiter, error) {
	l := &Limiter{key: cfg.Key, maxDelay: cfg.MaxDelay, maxTenants: cfg.MaxTenants,
		onLimited: cfg.OnLimited, buckets: map[string]*rate.Limiter{}}
	if l.key == nil {
		l.key = tenant.FromRequest
	}
	if l.maxTenants <= 0 {
		l.maxTenants = 10000
	}
	if err := l.SetLimits(cfg.Default, cfg.Tenants); err != nil {
		return nil, err
	}
	return l, nil
}

// SetLimits replaces the default limit (zero: DefaultRate, DefaultBurst)
// and the per-tenant limits while requests are served. Buckets keep the
// tokens they hold, up to their new burst.
func (l *Limiter) SetLimits(def Limit, tenants map[string]Limit) error {
	if def == (Limit{}) {
		def = Limit{Rate: DefaultRate, Burst: DefaultBurst}
	}
	if err := def.check(); err != nil {
		return err
	}
	copied := make(map[string]Limit, len(tenants))
	for k, v := range tenants {
		if err := v.check(); err != nil {
			return fmt.Errorf("tenant %q: %w", k, err)
		}
		copied[k] = v
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.def, l.tenants = def, copied
	now := time.Now()
	for k, b := range l.buckets {
		lim := l.limitLocked(k)
		b.SetLimitAt(now, toRate(lim.Rate))
		b.SetBurstAt(now, lim.Burst)
	}
	return nil
}

func (l *Limiter) limitLocked(key string) Limit {
	if lim, ok := l.tenants[key]; ok {
		return lim
	}
	return l.def
}

func toRate(r float64) rate.Limit {
	if math.IsInf(r, 1) {
		return rate.Inf
	}
	return rate.Limit(r)
}

// bucket returns the bucket of key, creating it.
func (l *Limiter) bucket(key string) *rate.Limiter {
	l.mu.RLock()
	b := l.buckets[key]
	l.mu.RUnlock()
	if b != nil {
		return b
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if b = l.buckets[key]; b != nil {
		return b
	}
	if len(l.buckets) >= l.maxTenants {
		l.sweepLocked()
	}
	lim := l.limitLocked(key)
	b = rate.NewLimiter(toRate(lim.Rate), lim.Burst)
	l.buckets[key] = b
	return b
}

// sweepLocked drops the buckets that are full: their tenants are idle, and
// a new bucket would start full too.
func (l *Limiter) sweepLocked() {
	now := time.Now()
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(b.Burst()) {
			delete(l.buckets, k)
		}
	}
}

// Reserve takes one request from the bucket of key at time now. It returns
// 0 if the request is admitted now, else how long until it would be, having
// taken nothing (the request is refused or the caller waits and tries
// again). This is the Go API beneath Wrap, for hosts that limit outside
// HTTP.
func (l *Limiter) Reserve(key string, now time.Time) time.Duration {
	r := l.bucket(key).ReserveN(now, 1)
	if !r.OK() {
		return time.Duration(math.MaxInt64)
	}
	d := r.DelayFrom(now)
	if d > 0 {
		r.CancelAt(now)
	}
	return d
}

// Wrap returns next guarded by the limiter.
func (l *Limiter) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := l.key(r)
		d := l.Reserve(key, time.Now())
		if d > 0 && d <= l.maxDelay {
			if waitErr := l.wait(r.Context(), key, d); waitErr == nil {
				d = 0
			}
		}
		if d > 0 {
			l.refuse(w, r, key, d)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// wait blocks until the bucket of key admits one request, or ctx is done,
// or no later than about max(d, MaxDelay).
func (l *Limiter) wait(ctx context.Context, key string, d time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, l.maxDelay+d/10+time.Millisecond)
	defer cancel()
	return l.bucket(key).Wait(ctx)
}

func (l *Limiter) refuse(w http.ResponseWriter, r *http.Request, key string, d time.Duration) {
	secs := int64(3600) // a bucket that can never admit (not reachable with a valid Limit)
	if d < time.Hour {
		secs = max(1, int64(math.Ceil(d.Seconds())))
	}
	retry := time.Duration(secs) * time.Second
	if l.onLimited != nil {
		l.onLimited(r, key, retry)
	}
	s := strconv.FormatInt(secs, 10)
	h := w.Header()
	h.Set("Retry-After", s)
	h.Set("Content-Type", "application/scim+json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte(`{"schemas":["` + schema.ErrorURN + `"],"status":"429","detail":"too many requests for this tenant; retry after ` + s + ` seconds"}`))
}
