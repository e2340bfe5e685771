package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

const (
	acmeURN  = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"
	testBase = "http://app.example.com/scim/v2"
	token    = "s3cret-token"
)

var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func acmeExtension() *schema.Schema {
	return &schema.Schema{ID: acmeURN, Name: "AcmeUser", Attributes: []*schema.Attribute{
		{Name: "costCenter", Type: schema.String},
		{Name: "badgeNumber", Type: schema.Integer},
		{Name: "isContractor", Type: schema.Boolean},
	}}
}

// server is a handler under test, mounted as a host would mount it, over a
// memory store with deterministic ids ("id-1", "id-2", …) and clock.
type server struct {
	t       *testing.T
	mux     http.Handler
	h       *scim.Handler
	store   store.Store
	changes []scim.Change
}

func newServer(t *testing.T, mutate func(*scim.Config)) *server {
	t.Helper()
	var n atomic.Int64
	st := store.NewMemoryWith(store.MemoryConfig{
		ResourceTypes: []*schema.ResourceType{
			schema.UserResourceType(schema.EnterpriseUserSchema(), acmeExtension()),
			schema.GroupResourceType(),
		},
		Now:   func() time.Time { return fixedNow },
		NewID: func() string { return fmt.Sprintf("id-%d", n.Add(1)) },
	})
	s := &server{t: t, store: st}
	cfg := scim.Config{
		Store: st,
		ResourceTypes: []*schema.ResourceType{
			schema.UserResourceType(schema.EnterpriseUserSchema(), acmeExtension()),
			schema.GroupResourceType(),
		},
		OnChange:     func(_ context.Context, c scim.Change) { s.changes = append(s.changes, c) },
		HashPassword: testHash,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	h, err := scim.NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", scim.NewBearerAuth(token).Wrap(h)))
	s.mux, s.h = mux, h
	return s
}

// testHash stands for a host's password hash: the stored form shows which
// value was hashed.
func testHash(_ context.Context, password string) (string, error) {
	return "hash(" + password + ")", nil
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	body   any // decoded JSON (numbers as json.Number), nil if empty
	raw    string
}

// do sends a request with the bearer token; target is relative to the base
// URL (e.g. "/Users?count=2").
func (s *server) do(method, target, body string, headers ...string) response {
	s.t.Helper()
	var rd *strings.Reader
	if body != "" {
		rd = strings.NewReader(body)
	} else {
		rd = strings.NewReader("")
	}
	req := httptest.NewRequest(method, testBase+target, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	rec := httptest.NewRecorder()
	s.mux.ServeHTTP(rec, req)
	resp := response{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if rec.Body.Len() > 0 {
		dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&resp.body); err != nil {
			s.t.Fatalf("%s %s: response is not JSON: %v\n%s", method, target, err, rec.Body.String())
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
			s.t.Errorf("%s %s: Content-Type = %q, want application/scim+json", method, target, ct)
		}
	}
	if rec.Code >= 500 {
		s.t.Errorf("%s %s: status %d: %s", method, target, rec.Code, rec.Body.String())
	}
	return resp
}

// expect checks the status and, when want is not "", the body against the
// JSON in want.
func (r response) expect(t *testing.T, status int, want string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.status, status, r.raw)
	}
	if want == "" {
		return
	}
	if obj, ok := r.body.(map[string]any); ok {
		if m, ok := obj["meta"].(map[string]any); ok && r.header.Get("ETag") != "" {
			if m["version"] != r.header.Get("ETag") {
				t.Errorf("meta.version = %v, ETag = %q; want them equal", m["version"], r.header.Get("ETag"))
			}
		}
	}
	if diff := cmp.Diff(decode(t, want), stripVersions(t, r.body)); diff != "" {
		t.Errorf("body mismatch (-want +got):\n%s", diff)
	}
}

// stripVersions returns a copy of v without meta.version values, after
// checking each is a weak ETag; versions are opaque, so tests do not pin them.
func stripVersions(t *testing.T, v any) any {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if k == "meta" {
				if m, ok := e.(map[string]any); ok {
					mm := make(map[string]any, len(m))
					for mk, mv := range m {
						if mk == "version" {
							if s, _ := mv.(string); !strings.HasPrefix(s, `W/"`) || !strings.HasSuffix(s, `"`) {
								t.Errorf("meta.version %v is not a weak ETag", mv)
							}
							continue
						}
						mm[mk] = mv
					}
					out[k] = mm
					continue
				}
			}
			out[k] = stripVersions(t, e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = stripVersions(t, e)
		}
		return out
	}
	return v
}

func decode(t *testing.T, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("bad JSON in test: %v\n%s", err, s)
	}
	return v
}

// stored returns the canonical attributes the store holds for typ/id.
func (s *server) stored(typ, id string) map[string]any {
	s.t.Helper()
	r, err := s.store.Get(context.Background(), typ, id)
	if err != nil {
		s.t.Fatalf("store.Get(%s, %s): %v", typ, id, err)
	}
	return r.Attributes
}

// expectStored compares the stored attributes with the JSON in want.
func (s *server) expectStored(typ, id, want string) {
	s.t.Helper()
	got := any(s.stored(typ, id))
	if diff := cmp.Diff(decode(s.t, want), normalizeJSON(s.t, got)); diff != "" {
		s.t.Errorf("stored %s %s mismatch (-want +got):\n%s", typ, id, diff)
	}
}

// normalizeJSON round-trips v through JSON so that typed values compare
// with decoded test data.
func normalizeJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, string(b))
}

// meta is the expected meta object (without version) of a resource served
// by the test server.
func meta(typ, id string) string {
	return fmt.Sprintf(`{"resourceType":%q,"created":"2026-01-02T03:04:05Z","lastModified":"2026-01-02T03:04:05Z","location":"%s/%ss/%s"}`,
		typ, testBase, typ, id)
}
