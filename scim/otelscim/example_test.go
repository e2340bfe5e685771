package otelscim_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/otelscim"
	"github.com/scimkit/scimkit/store"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// Wire telemetry between authentication and the handler, and wrap the
// store; any SDK and exporter will do (here an in-memory one).
func ExampleNew() {
	spans := tracetest.NewInMemoryExporter()
	tel, err := otelscim.New(otelscim.Config{
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans)),
		MeterProvider:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader())),
	})
	if err != nil {
		panic(err)
	}
	h, err := scim.NewHandler(scim.Config{Store: tel.Store(store.NewMemory())})
	if err != nil {
		panic(err)
	}
	auth := scim.NewBearerAuth()
	auth.SetNamedTokens(map[string]string{"acme": "token-a"})
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", auth.Wrap(tel.Wrap(h))))

	req := httptest.NewRequest("POST", "/scim/v2/Users", strings.NewReader(`{"userName":"bjensen"}`))
	req.Header.Set("Authorization", "Bearer token-a")
	mux.ServeHTTP(httptest.NewRecorder(), req)
	for _, s := range spans.GetSpans() {
		fmt.Println(s.Name)
	}
	// Output:
	// scim.store Create
	// SCIM create User
}

// Store keeps the optional capabilities of the store it wraps, so the
// handler's fallbacks stay as they were.
func ExampleTelemetry_Store() {
	tel, err := otelscim.New(otelscim.Config{}) // global (by default no-op) providers
	if err != nil {
		panic(err)
	}
	traced := tel.Store(store.NewMemory())
	_, members := traced.(store.MemberPatcher)
	_, cursors := traced.(store.CursorLister)
	_, splits := traced.(store.FilterSplitter)
	fmt.Println(members, cursors, splits)
	// Output: true true false
}
