package otelscim_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/otelscim"
	"github.com/scimkit/scimkit/scim/tenant"
	"github.com/scimkit/scimkit/store"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// BenchmarkHandler measures the handler without telemetry (off), with
// every span sampled and batched to a no-op exporter (on), and with spans
// not sampled (unsampled: metrics only, as for most requests of a host
// sampling a fraction); metrics are aggregated by the SDK. Compare with
//
//	go test -run '^$' -bench Handler -count 6 | tee bench.txt
//	benchstat -col /telemetry bench.txt
func BenchmarkHandler(b *testing.B) {
	for _, mode := range []string{"off", "on", "unsampled"} {
		b.Run("telemetry="+mode, func(b *testing.B) {
			h, st := benchHandler(b, mode)
			ctx := tenant.NewContext(context.Background(), "acme")
			for i := range 1000 {
				r := &store.Resource{Type: "User", Attributes: map[string]any{"userName": "user" + strconv.Itoa(i) + "@acme.example"}}
				if _, err := st.Create(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
			g, err := st.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "eng"}})
			if err != nil {
				b.Fatal(err)
			}
			page, err := st.List(ctx, "User", store.Query{StartIndex: 1, Count: 1})
			if err != nil {
				b.Fatal(err)
			}
			member := page.Resources[0].ID
			serve := func(b *testing.B, method, target, body string, want int) {
				req := httptest.NewRequest(method, target, strings.NewReader(body))
				req = req.WithContext(ctx)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != want {
					b.Fatalf("%s %s: %d %s", method, target, rec.Code, rec.Body)
				}
			}
			i := 0 // userName suffix, unique across the sub-benchmark's runs
			b.Run("op=post-user", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					i++
					serve(b, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new`+strconv.Itoa(i)+`@acme.example","name":{"givenName":"A","familyName":"B"},"emails":[{"value":"a@b.example","primary":true}],"active":true}`, 201)
				}
			})
			b.Run("op=get-filter", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					serve(b, "GET", `/Users?filter=userName+eq+%22user500@acme.example%22`, "", 200)
				}
			})
			b.Run("op=patch-group", func(b *testing.B) {
				b.ReportAllocs()
				add := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"` + member + `"}]}]}`
				for b.Loop() {
					serve(b, "PATCH", "/Groups/"+g.ID, add, 204)
				}
			})
		})
	}
}

func benchHandler(b *testing.B, mode string) (http.Handler, store.Store) {
	on := mode != "off"
	var st store.Store = store.NewMemoryWith(store.MemoryConfig{
		Tenant: func(ctx context.Context) string { t, _ := tenant.FromContext(ctx); return t },
	})
	var tel *otelscim.Telemetry
	if on {
		sampler := sdktrace.AlwaysSample()
		if mode == "unsampled" {
			sampler = sdktrace.NeverSample()
		}
		tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler), sdktrace.WithBatcher(tracetest.NewNoopExporter()))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
		var err error
		if tel, err = otelscim.New(otelscim.Config{TracerProvider: tp, MeterProvider: mp}); err != nil {
			b.Fatal(err)
		}
		st = tel.Store(st)
	}
	h, err := scim.NewHandler(scim.Config{Store: st})
	if err != nil {
		b.Fatal(err)
	}
	if on {
		return tel.Wrap(h), st
	}
	return h, st
}

// BenchmarkOverhead isolates the cost of the instrumentation: a request
// through Wrap to a handler that makes one store call (Get of a missing
// resource on an empty memory store) and writes a 200, with telemetry off,
// on (sampled) and unsampled.
func BenchmarkOverhead(b *testing.B) {
	for _, mode := range []string{"off", "on", "unsampled"} {
		b.Run("telemetry="+mode, func(b *testing.B) {
			var st store.Store = store.NewMemory()
			var wrap func(http.Handler) http.Handler = func(h http.Handler) http.Handler { return h }
			if mode != "off" {
				sampler := sdktrace.AlwaysSample()
				if mode == "unsampled" {
					sampler = sdktrace.NeverSample()
				}
				tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler), sdktrace.WithBatcher(tracetest.NewNoopExporter()))
				mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
				b.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
				tel, err := otelscim.New(otelscim.Config{TracerProvider: tp, MeterProvider: mp})
				if err != nil {
					b.Fatal(err)
				}
				st, wrap = tel.Store(st), tel.Wrap
			}
			h := wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = st.Get(r.Context(), "User", "x")
				w.WriteHeader(http.StatusOK)
			}))
			req := httptest.NewRequest("GET", "/Users/x", nil)
			req = req.WithContext(tenant.NewContext(req.Context(), "acme"))
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, req)
			}
		})
	}
}
