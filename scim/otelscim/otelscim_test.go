package otelscim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/otelscim"
	"github.com/scimkit/scimkit/scim/tenant"
	"github.com/scimkit/scimkit/store"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// fixture is a SCIM service for tenant "acme" (token "token-acme"),
// instrumented with an in-memory span exporter and a manual metric reader.
type fixture struct {
	t      *testing.T
	srv    *httptest.Server
	spans  *tracetest.InMemoryExporter
	reader *sdkmetric.ManualReader
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, spans: tracetest.NewInMemoryExporter(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(f.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(f.reader))
	tel, err := otelscim.New(otelscim.Config{TracerProvider: tp, MeterProvider: mp})
	if err != nil {
		t.Fatal(err)
	}
	h, err := scim.NewHandler(scim.Config{Store: tel.Store(store.NewMemoryWith(store.MemoryConfig{
		Tenant: func(ctx context.Context) string { t, _ := tenant.FromContext(ctx); return t },
	}))})
	if err != nil {
		t.Fatal(err)
	}
	auth := scim.NewBearerAuth()
	auth.SetNamedTokens(map[string]string{"acme": "token-acme"})
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", auth.Wrap(tel.Wrap(h))))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) do(method, path, body string) (int, map[string]any) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+"/scim/v2"+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer token-acme")
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	var m map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			f.t.Fatalf("%s %s: %q: %v", method, path, b, err)
		}
	}
	return resp.StatusCode, m
}

// span is the part of an exported span a test compares.
type span struct {
	Name   string
	Kind   string
	Parent string // name of the parent span, "" for a root
	Error  bool
	Attrs  map[string]any
}

func (f *fixture) takeSpans() []span {
	stubs := f.spans.GetSpans()
	f.spans.Reset()
	names := map[trace.SpanID]string{}
	for _, s := range stubs {
		names[s.SpanContext.SpanID()] = s.Name
	}
	var out []span
	for _, s := range stubs {
		sp := span{Name: s.Name, Kind: s.SpanKind.String(), Parent: names[s.Parent.SpanID()],
			Error: s.Status.Code.String() == "Error", Attrs: map[string]any{}}
		for _, a := range s.Attributes {
			sp.Attrs[string(a.Key)] = a.Value.AsInterface()
		}
		out = append(out, sp)
	}
	return out
}

const userBody = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice@acme.example"}`

// TestSpansPostUsersPatchGroups shows the spans of a POST /Users and of a
// PATCH /Groups membership push: a server span per SCIM operation with
// resource type, operation, status and tenant, and a child span per store
// call.
func TestSpansPostUsersPatchGroups(t *testing.T) {
	f := newFixture(t)
	status, user := f.do("POST", "/Users", userBody)
	if status != 201 {
		t.Fatalf("POST /Users: %d %v", status, user)
	}
	want := []span{
		// A created user is in no group: the 201 asks no GroupsOf.
		{Name: "scim.store Create", Kind: "internal", Parent: "SCIM create User",
			Attrs: map[string]any{"scim.resource_type": "User"}},
		{Name: "SCIM create User", Kind: "server", Attrs: map[string]any{
			"scim.operation": "create", "scim.resource_type": "User", "scim.tenant": "acme",
			"http.request.method": "POST", "http.response.status_code": int64(201)}},
	}
	if diff := cmp.Diff(want, f.takeSpans()); diff != "" {
		t.Errorf("POST /Users spans (-want +got):\n%s", diff)
	}
	if status, _ := f.do("GET", "/Users/"+user["id"].(string), ""); status != 200 {
		t.Fatalf("GET /Users/{id}: %d", status)
	}
	want = []span{
		{Name: "scim.store Get", Kind: "internal", Parent: "SCIM get User",
			Attrs: map[string]any{"scim.resource_type": "User"}},
		{Name: "scim.store GroupsOf", Kind: "internal", Parent: "SCIM get User", // the response's User.groups
			Attrs: map[string]any{"scim.resource_type": "Group", "scim.store.ids": int64(1)}},
		{Name: "SCIM get User", Kind: "server", Attrs: map[string]any{
			"scim.operation": "get", "scim.resource_type": "User", "scim.tenant": "acme",
			"http.request.method": "GET", "http.response.status_code": int64(200)}},
	}
	if diff := cmp.Diff(want, f.takeSpans()); diff != "" {
		t.Errorf("GET /Users/{id} spans (-want +got):\n%s", diff)
	}

	status, group := f.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"eng"}`)
	if status != 201 {
		t.Fatalf("POST /Groups: %d %v", status, group)
	}
	f.takeSpans()
	status, _ = f.do("PATCH", "/Groups/"+group["id"].(string), `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"add","path":"members","value":[{"value":"`+user["id"].(string)+`"}]}]}`)
	if status != 204 {
		t.Fatalf("PATCH /Groups: %d", status)
	}
	want = []span{
		{Name: "scim.store PatchMembers", Kind: "internal", Parent: "SCIM patch Group",
			Attrs: map[string]any{"scim.resource_type": "Group", "scim.store.members_added": int64(1), "scim.store.members_removed": int64(0)}},
		{Name: "SCIM patch Group", Kind: "server", Attrs: map[string]any{
			"scim.operation": "patch", "scim.resource_type": "Group", "scim.tenant": "acme",
			"http.request.method": "PATCH", "http.response.status_code": int64(204)}},
	}
	if diff := cmp.Diff(want, f.takeSpans()); diff != "" {
		t.Errorf("PATCH /Groups spans (-want +got):\n%s", diff)
	}
}

// TestErrorsByScimType shows a 409 uniqueness answer recorded on the span
// and counted in scim.server.errors by scimType, and a 404 from the store
// recorded as an outcome, not a failure.
func TestErrorsByScimType(t *testing.T) {
	f := newFixture(t)
	for range 2 {
		f.do("POST", "/Users", userBody)
	}
	f.do("GET", "/Users/no-such-id", "")
	f.do("GET", "/Users?filter=userName%20eq", "")
	spans := f.takeSpans()
	var got []span
	for _, s := range spans {
		if s.Parent == "" {
			got = append(got, span{Name: s.Name, Attrs: map[string]any{
				"status": s.Attrs["http.response.status_code"], "type": s.Attrs["scim.error.type"]}})
		}
		if s.Name == "scim.store Get" && s.Attrs["scim.store.outcome"] != "not_found" || s.Error && s.Kind == "internal" {
			t.Errorf("store span %+v: want outcome not_found and no error status", s)
		}
	}
	want := []span{
		{Name: "SCIM create User", Attrs: map[string]any{"status": int64(201), "type": nil}},
		{Name: "SCIM create User", Attrs: map[string]any{"status": int64(409), "type": "uniqueness"}},
		{Name: "SCIM get User", Attrs: map[string]any{"status": int64(404), "type": nil}},
		{Name: "SCIM list User", Attrs: map[string]any{"status": int64(400), "type": "invalidFilter"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("server spans (-want +got):\n%s", diff)
	}

	var rm metricdata.ResourceMetrics
	if err := f.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	counts := map[string]map[string]int64{} // metric → "op status type" → count
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				counts[m.Name] = map[string]int64{}
				for _, dp := range d.DataPoints {
					counts[m.Name][key(dp.Attributes)] = dp.Value
				}
			case metricdata.Histogram[float64]:
				counts[m.Name] = map[string]int64{}
				for _, dp := range d.DataPoints {
					counts[m.Name][key(dp.Attributes)] = int64(dp.Count)
				}
			}
		}
	}
	wantCounts := map[string]map[string]int64{
		"scim.server.requests": {
			"create 201 User acme": 1, "create 409 User acme": 1, "get 404 User acme": 1, "list 400 User acme": 1},
		"scim.server.request.duration": {
			"create 201 User acme": 1, "create 409 User acme": 1, "get 404 User acme": 1, "list 400 User acme": 1},
		"scim.server.errors": {
			"create 409 User acme uniqueness": 1, "get 404 User acme ": 1, "list 400 User acme invalidFilter": 1},
	}
	if diff := cmp.Diff(wantCounts, counts); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
}

// key renders metric attributes in a fixed order: operation, status,
// resource type, tenant, error type.
func key(set attribute.Set) string {
	var parts []string
	for _, k := range []attribute.Key{otelscim.AttrOperation, otelscim.AttrStatusCode, otelscim.AttrResourceType, otelscim.AttrTenant, otelscim.AttrErrorType} {
		if v, ok := set.Value(k); ok {
			parts = append(parts, v.String())
		}
	}
	return strings.Join(parts, " ")
}

// TestOperations checks the operation and resource type derived from each
// route of scim.Handler.
func TestOperations(t *testing.T) {
	f := newFixture(t)
	tests := []struct{ method, path, want string }{
		{"GET", "/Users", "SCIM list User"},
		{"POST", "/Users/.search", "SCIM search User"},
		{"GET", "/users/abc", "SCIM get User"},
		{"PUT", "/Users/abc", "SCIM replace User"},
		{"DELETE", "/Groups/abc/", "SCIM delete Group"},
		{"POST", "/.search", "SCIM search"},
		{"POST", "/Bulk", "SCIM bulk"},
		{"GET", "/ServiceProviderConfig", "SCIM discovery ServiceProviderConfig"},
		{"GET", "/ResourceTypes/User", "SCIM discovery ResourceType"},
		{"GET", "/Schemas", "SCIM discovery Schema"},
		{"GET", "/Me", "SCIM get Me"},
		{"GET", "/Widgets", "SCIM unknown"},
		{"GET", "/Users/a/b", "SCIM unknown"},
		{"POST", "/Users/abc", "SCIM unknown User"},
	}
	for _, tc := range tests {
		f.do(tc.method, tc.path, "{}")
		var got []string
		for _, s := range f.takeSpans() {
			if s.Kind == "server" {
				got = append(got, s.Name)
			}
		}
		if diff := cmp.Diff([]string{tc.want}, got); diff != "" {
			t.Errorf("%s %s (-want +got):\n%s", tc.method, tc.path, diff)
		}
	}
}

// fakeStore has the optional capabilities its flags say.
type fakeStore struct{ store.Store }

type mp struct{}
type fs struct{}
type cl struct{}

func (mp) PatchMembers(context.Context, string, string, store.MemberDelta, string) (*store.MemberResult, error) {
	return nil, nil
}
func (fs) SplitFilter(string, filter.Expr) (filter.Expr, filter.Expr) { return nil, nil }
func (cl) ListAfter(context.Context, string, store.Query, string) (*store.Page, error) {
	return nil, nil
}

type gl struct{}

func (gl) GroupsOf(context.Context, []string) (map[string][]store.GroupRef, error) { return nil, nil }

// TestStoreCapabilities shows that the traced store has exactly the
// optional capabilities of the store it wraps.
func TestStoreCapabilities(t *testing.T) {
	tel, err := otelscim.New(otelscim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	type caps struct{ MP, FS, CL, GL bool }
	capsOf := func(s store.Store) caps {
		_, m := s.(store.MemberPatcher)
		_, f := s.(store.FilterSplitter)
		_, c := s.(store.CursorLister)
		_, g := s.(store.GroupLister)
		return caps{m, f, c, g}
	}
	for _, s := range []store.Store{
		fakeStore{},
		struct {
			fakeStore
			mp
		}{},
		struct {
			fakeStore
			fs
		}{},
		struct {
			fakeStore
			cl
		}{},
		struct {
			fakeStore
			mp
			fs
		}{},
		struct {
			fakeStore
			mp
			cl
		}{},
		struct {
			fakeStore
			fs
			cl
		}{},
		struct {
			fakeStore
			mp
			fs
			cl
		}{},
		struct {
			fakeStore
			gl
		}{},
		struct {
			fakeStore
			fs
			gl
		}{},
		struct {
			fakeStore
			mp
			cl
			gl
		}{},
		store.NewMemory(),
	} {
		if diff := cmp.Diff(capsOf(s), capsOf(tel.Store(s))); diff != "" {
			t.Errorf("%T: capabilities (-wrapped +traced):\n%s", s, diff)
		}
	}
}

// TestServerErrorAndPrefix shows a 5xx answer marking the span as an error
// (a 4xx does not), and Config.Prefix classifying paths seen outside
// http.StripPrefix.
func TestServerErrorAndPrefix(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tel, err := otelscim.New(otelscim.Config{
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans)),
		Prefix:         "/scim/v2",
		Tenant:         func(r *http.Request) string { return r.Header.Get("X-Tenant") },
	})
	if err != nil {
		t.Fatal(err)
	}
	h := tel.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := http.StatusInternalServerError
		if r.Method == http.MethodDelete {
			code = http.StatusNotFound
		}
		w.WriteHeader(code)
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("Flush through the recorder: %v", err)
		}
	}))
	for _, method := range []string{"GET", "DELETE"} {
		req := httptest.NewRequest(method, "/scim/v2/Groups/g1", nil)
		req.Header.Set("X-Tenant", "globex")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	type got struct {
		Name, Status, Tenant string
	}
	var gots []got
	for _, s := range spans.GetSpans() {
		g := got{Name: s.Name, Status: s.Status.Code.String()}
		for _, a := range s.Attributes {
			if a.Key == otelscim.AttrTenant {
				g.Tenant = a.Value.AsString()
			}
		}
		gots = append(gots, g)
	}
	want := []got{{"SCIM get Group", "Error", "globex"}, {"SCIM delete Group", "Unset", "globex"}}
	if diff := cmp.Diff(want, gots); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
}
