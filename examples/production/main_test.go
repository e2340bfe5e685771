package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimkit/scimkit/scim/oauth"
	"github.com/scimkit/scimkit/scim/ratelimit"
)

// syncBuffer is a bytes.Buffer safe for the exporters' goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProductionHost drives the example host end to end: Entra ID's client
// credentials, a static token, tenant isolation, a throttled tenant, and
// the spans and metrics on the stdout exporters.
func TestProductionHost(t *testing.T) {
	const secret = "acme-secret-0123456789abcdefghijklmnopqrstuvwxyz"
	hash, err := oauth.HashSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	srv, err := newServer(config{
		baseURL:    "https://app.example.com",
		signingKey: []byte("0123456789abcdef0123456789abcdef"),
		clients:    []oauth.Client{{ID: "acme-entra", Tenant: "acme", Secrets: []oauth.Secret{{Hash: hash}}}},
		static:     map[string]string{"initech": "initech-token"},
		limits:     ratelimit.Config{Tenants: map[string]ratelimit.Limit{"initech": {Rate: 0.1, Burst: 2}}},
		telemetry:  out,
		logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	do := func(req *http.Request) (int, map[string]any) {
		t.Helper()
		resp, err := hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if len(b) > 0 {
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s: %q", req.URL, b)
			}
		}
		return resp.StatusCode, m
	}
	scimReq := func(method, path, token, body string) *http.Request {
		req, err := http.NewRequest(method, hs.URL+"/scim/v2"+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		return req
	}

	tokReq, err := http.NewRequest("POST", hs.URL+"/oauth/token", strings.NewReader(url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"acme-entra"}, "client_secret": {secret}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	tokReq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, tok := do(tokReq)
	if status != 200 {
		t.Fatalf("token: %d %v", status, tok)
	}
	acme := tok["access_token"].(string)

	if status, m := do(scimReq("POST", "/Users", acme, `{"userName":"alice@acme.example"}`)); status != 201 {
		t.Fatalf("POST /Users as acme: %d %v", status, m)
	}
	if status, m := do(scimReq("GET", "/Users", "initech-token", "")); status != 200 || m["totalResults"] != 0.0 {
		t.Errorf("GET /Users as initech: %d %v, want 200 and none of acme's users", status, m)
	}
	do(scimReq("GET", "/Users", "initech-token", ""))
	if status, m := do(scimReq("GET", "/Users", "initech-token", "")); status != 429 {
		t.Errorf("third GET as initech: %d %v, want 429", status, m)
	}
	if status, _ := do(scimReq("GET", "/Users", acme, "")); status != 200 {
		t.Errorf("GET /Users as acme while initech is throttled: %d", status)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{`"Name":"SCIM create User"`, `"Name":"scim.store Create"`, `"Value":"acme"`,
		`"Name":"scim.server.requests"`, `"Name":"scim.server.errors"`, `"Value":429`} {
		if !strings.Contains(got, want) {
			t.Errorf("telemetry output lacks %s", want)
		}
	}
}
