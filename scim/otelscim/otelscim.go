// Package otelscim instruments a SCIM service with OpenTelemetry: a span per
// SCIM operation, child spans for store calls, and request metrics by
// resource type, operation and tenant. It uses only the OpenTelemetry Go
// API (go.opentelemetry.io/otel, /trace, /metric); the host chooses the SDK
// and exporters. It is its own module, so hosts that do not use it never
// download OpenTelemetry.
//
// Wire it between authentication (so the tenant is known) and the rate
// limiter (so 429 answers are counted), and wrap the store:
//
//	tel, err := otelscim.New(otelscim.Config{})           // global providers
//	h, err := scim.NewHandler(scim.Config{Store: tel.Store(myStore)})
//	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", auth.Wrap(tel.Wrap(lim.Wrap(h)))))
//
// # Spans
//
// Wrap starts one server span per request, named "SCIM <operation>
// <resource type>" (e.g. "SCIM create User", "SCIM patch Group", "SCIM
// bulk"), as a child of any span already in the request context (an outer
// otelhttp handler's), with these attributes:
//
//	scim.operation          create, get, list, replace, patch, delete, search,
//	                        bulk, discovery, or unknown (derived from method and path)
//	scim.resource_type      the resource type name from Config.ResourceTypes ("User"),
//	                        ServiceProviderConfig, ResourceType, Schema or Me; absent
//	                        for bulk, root searches and unknown paths
//	scim.tenant             the tenant (Config.Tenant), when there is one
//	http.request.method     GET, POST, …
//	http.response.status_code
//	scim.error.type         the scimType of a SCIM Error answer (RFC 7644 §3.12),
//	                        e.g. uniqueness, invalidFilter; absent when there is none
//
// The span status is Error for 5xx answers (a 4xx is the client's error,
// not the server's, per the OpenTelemetry HTTP conventions).
//
// Store wraps a store.Store so that each call is a child span "scim.store
// <Method>" (Create, Get, Replace, Delete, List, PatchMembers, ListAfter)
// with scim.resource_type and, for lists, scim.store.results (the page
// size) and scim.store.total. The wrapper has exactly the optional
// capabilities of the wrapped store (store.MemberPatcher,
// store.FilterSplitter, store.CursorLister), so the handler's fallbacks and
// its /ServiceProviderConfig stay as they were. Sentinel errors that are
// answers, not failures (store.ErrNotFound, ErrConflict,
// ErrVersionMismatch, ErrInvalidReference, errors.ErrUnsupported), are
// recorded as scim.store.outcome; any other error sets the span status to
// Error.
//
// # Metrics
//
//	scim.server.requests          counter, {request}: every request
//	scim.server.request.duration  histogram, s: time to answer
//	scim.server.errors            counter, {error}: answers with status >= 400
//
// each with scim.operation, scim.resource_type, scim.tenant (unless
// Config.OmitTenantFromMetrics) and http.response.status_code; errors also
// carry scim.error.type ("" when the answer has no scimType, as for a 404
// or a 429). A 429 from scim/ratelimit is counted as an error
// with status 429, so a tenant drifting toward Microsoft Entra ID's
// quarantine threshold (more than 40 % of its operations failing) shows in
// scim.server.errors / scim.server.requests by tenant. The scimType is read
// from the first 512 bytes of error answers only; successful answers are
// not buffered.
package otelscim

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/scim/tenant"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/scimkit/scimkit/scim/otelscim"

// Attribute keys.
const (
	AttrOperation    = attribute.Key("scim.operation")
	AttrResourceType = attribute.Key("scim.resource_type")
	AttrTenant       = attribute.Key("scim.tenant")
	AttrErrorType    = attribute.Key("scim.error.type")
	AttrMethod       = attribute.Key("http.request.method")
	AttrStatusCode   = attribute.Key("http.response.status_code")
	AttrStoreResults = attribute.Key("scim.store.results")
	AttrStoreTotal   = attribute.Key("scim.store.total")
	AttrStoreOutcome = attribute.Key("scim.store.outcome")
)

// Config configures a Telemetry. The zero value uses the global providers
// and the default resource types.
type Config struct {
	// TracerProvider makes the tracer. Nil means otel.GetTracerProvider().
	TracerProvider trace.TracerProvider

	// MeterProvider makes the meter. Nil means otel.GetMeterProvider().
	MeterProvider metric.MeterProvider

	// ResourceTypes are those given to scim.Config, so that paths map to
	// resource type names. Nil means User and Group (the scim.Config
	// default).
	ResourceTypes []*schema.ResourceType

	// Prefix is removed from request paths before they are classified.
	// Leave it empty when Wrap sees the paths the scim.Handler sees
	// (inside http.StripPrefix); set it, e.g. "/scim/v2", when Wrap is
	// outside.
	Prefix string

	// Tenant returns the tenant of a request. Nil means
	// tenant.FromRequest: the OAuth client's tenant (scim/oauth), else the
	// name of the token scim.BearerAuth accepted.
	Tenant func(*http.Request) string

	// OmitTenantFromMetrics leaves scim.tenant out of metric attributes
	// (it stays on spans), for hosts with so many tenants that one time
	// series per tenant is too many.
	OmitTenantFromMetrics bool
}

// Telemetry instruments a SCIM handler (Wrap) and its store (Store). Create
// one with New; it is safe for concurrent use.
type Telemetry struct {
	tracer     trace.Tracer
	requests   metric.Int64Counter
	errors     metric.Int64Counter
	duration   metric.Float64Histogram
	byPath     map[string]string // lower-cased endpoint without "/" → resource type name
	prefix     string
	tenant     func(*http.Request) string
	omitTenant bool

	mu    sync.RWMutex
	sets  map[metricKey]metric.MeasurementOption
	names map[[2]string]string
}

// New returns a Telemetry, or an error if an instrument cannot be created.
func New(cfg Config) (*Telemetry, error) {
	tp, mp := cfg.TracerProvider, cfg.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	t := &Telemetry{tracer: tp.Tracer(ScopeName), byPath: map[string]string{},
		sets: map[metricKey]metric.MeasurementOption{}, names: map[[2]string]string{},
		prefix: strings.TrimSuffix(cfg.Prefix, "/"), tenant: cfg.Tenant, omitTenant: cfg.OmitTenantFromMetrics}
	if t.tenant == nil {
		t.tenant = tenant.FromRequest
	}
	types := cfg.ResourceTypes
	if types == nil {
		types = []*schema.ResourceType{schema.UserResourceType(), schema.GroupResourceType()}
	}
	for _, rt := range types {
		if rt != nil {
			t.byPath[strings.ToLower(strings.Trim(rt.Endpoint, "/"))] = rt.Name
		}
	}
	m := mp.Meter(ScopeName)
	var err error
	if t.requests, err = m.Int64Counter("scim.server.requests", metric.WithUnit("{request}"),
		metric.WithDescription("SCIM requests answered")); err != nil {
		return nil, err
	}
	if t.errors, err = m.Int64Counter("scim.server.errors", metric.WithUnit("{error}"),
		metric.WithDescription("SCIM requests answered with a status of 400 or more")); err != nil {
		return nil, err
	}
	if t.duration, err = m.Float64Histogram("scim.server.request.duration", metric.WithUnit("s"),
		metric.WithDescription("Time to answer a SCIM request"),
		metric.WithExplicitBucketBoundaries(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)); err != nil {
		return nil, err
	}
	return t, nil
}

// Wrap returns next instrumented: a span per request and the request
// metrics (see the package documentation).
func (t *Telemetry) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rt, op := t.classify(r.Method, r.URL.Path)
		ten := t.tenant(r)
		attrs := make([]attribute.KeyValue, 0, 4)
		attrs = append(attrs, AttrOperation.String(op), AttrMethod.String(r.Method))
		if rt != "" {
			attrs = append(attrs, AttrResourceType.String(rt))
		}
		if ten != "" {
			attrs = append(attrs, AttrTenant.String(ten))
		}
		ctx, span := t.tracer.Start(r.Context(), t.spanName(rt, op), serverKind, trace.WithAttributes(attrs...))
		rw := &recorder{ResponseWriter: w}
		defer func() {
			status := rw.status
			if status == 0 {
				status = http.StatusOK
			}
			scimType := ""
			if status >= 400 {
				scimType = scimTypeOf(rw.head)
			}
			if span.IsRecording() {
				span.SetAttributes(AttrStatusCode.Int(status))
				if scimType != "" {
					span.SetAttributes(AttrErrorType.String(scimType))
				}
				if status >= 500 {
					span.SetStatus(codes.Error, http.StatusText(status))
				}
			}
			span.End()

			k := metricKey{rt: rt, op: op, status: status}
			if !t.omitTenant {
				k.tenant = ten
			}
			set := t.measurement(k)
			t.requests.Add(ctx, 1, set)
			t.duration.Record(ctx, time.Since(start).Seconds(), set)
			if status >= 400 {
				k.isError, k.scimType = true, scimType
				t.errors.Add(ctx, 1, t.measurement(k))
			}
		}()
		next.ServeHTTP(rw, r.WithContext(ctx))
	})
}

var (
	serverKind   = trace.WithSpanKind(trace.SpanKindServer)
	internalKind = trace.WithSpanKind(trace.SpanKindInternal)
)

// maxCached bounds each cache of Telemetry; past it, values are computed
// for every request instead of being kept.
const maxCached = 4096

// metricKey identifies the attribute set of a measurement.
type metricKey struct {
	rt, op, tenant, scimType string
	status                   int
	isError                  bool // scim.server.errors, with scim.error.type
}

// measurement returns the attribute-set option for k, made once.
func (t *Telemetry) measurement(k metricKey) metric.MeasurementOption {
	t.mu.RLock()
	o, ok := t.sets[k]
	t.mu.RUnlock()
	if ok {
		return o
	}
	attrs := []attribute.KeyValue{AttrOperation.String(k.op), AttrStatusCode.Int(k.status)}
	if k.rt != "" {
		attrs = append(attrs, AttrResourceType.String(k.rt))
	}
	if k.tenant != "" {
		attrs = append(attrs, AttrTenant.String(k.tenant))
	}
	if k.isError {
		attrs = append(attrs, AttrErrorType.String(k.scimType))
	}
	o = metric.WithAttributeSet(attribute.NewSet(attrs...))
	t.mu.Lock()
	if len(t.sets) < maxCached {
		t.sets[k] = o
	}
	t.mu.Unlock()
	return o
}

// spanName returns "SCIM <op> <rt>", made once per pair.
func (t *Telemetry) spanName(rt, op string) string {
	k := [2]string{rt, op}
	t.mu.RLock()
	n, ok := t.names[k]
	t.mu.RUnlock()
	if ok {
		return n
	}
	n = "SCIM " + op
	if rt != "" {
		n += " " + rt
	}
	t.mu.Lock()
	if len(t.names) < maxCached {
		t.names[k] = n
	}
	t.mu.Unlock()
	return n
}

// classify derives the resource type and operation of a request from its
// method and path, with the routing rules of scim.Handler.
func (t *Telemetry) classify(method, path string) (rt, op string) {
	if t.prefix != "" {
		if len(path) < len(t.prefix) || !strings.EqualFold(path[:len(t.prefix)], t.prefix) {
			return "", "unknown"
		}
		path = path[len(t.prefix):]
	}
	p := strings.Trim(path, "/")
	first, rest, _ := strings.Cut(p, "/")
	if strings.Contains(rest, "/") {
		return "", "unknown"
	}
	switch strings.ToLower(first) {
	case "serviceproviderconfig":
		return "ServiceProviderConfig", "discovery"
	case "resourcetypes":
		return "ResourceType", "discovery"
	case "schemas":
		return "Schema", "discovery"
	case "bulk":
		return "", "bulk"
	case "me":
		return "Me", byMethod(method, method != http.MethodPost)
	case ".search":
		return "", "search"
	}
	rt = t.byPath[strings.ToLower(first)]
	if rt == "" {
		return "", "unknown"
	}
	if rest == ".search" {
		return rt, "search"
	}
	return rt, byMethod(method, rest != "")
}

func byMethod(method string, withID bool) string {
	switch method {
	case http.MethodGet:
		if withID {
			return "get"
		}
		return "list"
	case http.MethodPost:
		if !withID {
			return "create"
		}
	case http.MethodPut:
		return "replace"
	case http.MethodPatch:
		return "patch"
	case http.MethodDelete:
		return "delete"
	}
	return "unknown"
}

// recorder records the status and the first bytes of an error answer.
type recorder struct {
	http.ResponseWriter
	status int
	head   []byte // first bytes of the body when status >= 400
}

const headBytes = 512

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.status >= 400 && len(w.head) < headBytes {
		w.head = append(w.head, b[:min(len(b), headBytes-len(w.head))]...)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (Flush,
// deadlines).
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// scimTypeOf returns the scimType string of a SCIM Error body's beginning,
// or "" (RFC 7644 §3.12 values are plain ASCII words, so no unescaping).
func scimTypeOf(body []byte) string {
	s := string(body)
	i := strings.Index(s, `"scimType"`)
	if i < 0 {
		return ""
	}
	s = strings.TrimLeft(s[i+len(`"scimType"`):], " \t\r\n")
	s, ok := strings.CutPrefix(s, ":")
	if !ok {
		return ""
	}
	s, ok = strings.CutPrefix(strings.TrimLeft(s, " \t\r\n"), `"`)
	if !ok {
		return ""
	}
	end := strings.IndexAny(s, `"\`)
	if end <= 0 || end > 64 {
		return ""
	}
	return s[:end]
}
