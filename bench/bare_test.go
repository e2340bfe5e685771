package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// bare is a net/http server doing the least a SCIM service provider can do
// for the two requests identity providers send most: POST /Users (decode,
// require userName, keep it unique case-insensitively, answer 201 with id
// and meta) and GET /Users?filter=userName eq "…" (one map lookup).
type bare struct {
	mu     sync.RWMutex
	byName map[string]*bareUser
	next   atomic.Int64
}

type bareUser struct {
	Schemas    []string        `json:"schemas"`
	ID         string          `json:"id"`
	ExternalID string          `json:"externalId,omitempty"`
	UserName   string          `json:"userName"`
	Name       json.RawMessage `json:"name,omitempty"`
	Emails     json.RawMessage `json:"emails,omitempty"`
	Active     *bool           `json:"active,omitempty"`
	Meta       struct {
		ResourceType string    `json:"resourceType"`
		Created      time.Time `json:"created"`
		LastModified time.Time `json:"lastModified"`
		Version      string    `json:"version"`
	} `json:"meta"`
}

func newBare(b *testing.B, users int) http.Handler {
	s := &bare{byName: map[string]*bareUser{}}
	for i := range users {
		name := fmt.Sprintf("user%d@example.com", i)
		s.byName[name] = &bareUser{ID: strconv.Itoa(i), UserName: name}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /Users", s.create)
	mux.HandleFunc("GET /Users", s.lookup)
	return mux
}

func bareJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *bare) create(w http.ResponseWriter, r *http.Request) {
	var u bareUser
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&u); err != nil || u.UserName == "" {
		bareJSON(w, http.StatusBadRequest, map[string]string{"detail": "bad user"})
		return
	}
	key := strings.ToLower(u.UserName)
	u.ID = strconv.FormatInt(s.next.Add(1), 10)
	u.Meta.ResourceType, u.Meta.Version = "User", "1"
	u.Meta.Created = time.Now().UTC()
	u.Meta.LastModified = u.Meta.Created
	s.mu.Lock()
	if _, taken := s.byName[key]; taken {
		s.mu.Unlock()
		bareJSON(w, http.StatusConflict, map[string]string{"scimType": "uniqueness"})
		return
	}
	s.byName[key] = &u
	s.mu.Unlock()
	w.Header().Set("Location", "/Users/"+u.ID)
	bareJSON(w, http.StatusCreated, &u)
}

func (s *bare) lookup(w http.ResponseWriter, r *http.Request) {
	name, pre := strings.CutPrefix(r.URL.Query().Get("filter"), `userName eq "`)
	name, suf := strings.CutSuffix(name, `"`)
	if !pre || !suf {
		bareJSON(w, http.StatusBadRequest, map[string]string{"scimType": "invalidFilter"})
		return
	}
	s.mu.RLock()
	u := s.byName[strings.ToLower(name)]
	s.mu.RUnlock()
	out := struct {
		Schemas      []string    `json:"schemas"`
		TotalResults int         `json:"totalResults"`
		Resources    []*bareUser `json:"Resources"`
	}{Schemas: []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"}, Resources: []*bareUser{}}
	if u != nil {
		out.TotalResults, out.Resources = 1, append(out.Resources, u)
	}
	bareJSON(w, http.StatusOK, &out)
}

// newMemory is scimkit over the memory store with users as the bare
// server keeps them: userName and active only.
func newMemory(b *testing.B, users int) http.Handler {
	return newScimkitUsers(b, users, func(int) map[string]any { return nil })
}

// BenchmarkBareParallel compares scimkit over the memory store with a bare
// net/http server, each behind a real HTTP server on 127.0.0.1, from 8
// concurrent clients (run it with -cpu 1,2): POST /Users with Okta's body,
// and the userName lookup among 1,000 users. ns/op is wall time per
// request, the inverse of the request rate.
func BenchmarkBareParallel(b *testing.B) {
	const body = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new%d-%d@example.com","name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"new%d@example.com","type":"work"}],"displayName":"Test User","locale":"en-US","externalId":"00u%d","active":true}`
	impls := []struct {
		name string
		new  func(*testing.B, int) http.Handler
	}{{"scimkit", newMemory}, {"bare", newBare}}
	var run atomic.Int64
	for _, op := range []string{"post", "lookup"} {
		for _, im := range impls {
			b.Run("op="+op+"/impl="+im.name, func(b *testing.B) {
				srv := httptest.NewServer(im.new(b, 1000))
				defer srv.Close()
				tr := &http.Transport{MaxIdleConns: 16, MaxIdleConnsPerHost: 16}
				defer tr.CloseIdleConnections()
				client := &http.Client{Transport: tr}
				b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
				r := run.Add(1)
				var next atomic.Int64
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := next.Add(1)
						var req *http.Request
						want := http.StatusOK
						if op == "post" {
							req, _ = http.NewRequest(http.MethodPost, srv.URL+"/Users", strings.NewReader(fmt.Sprintf(body, i, r, i, i)))
							req.Header.Set("Content-Type", "application/scim+json")
							want = http.StatusCreated
						} else {
							req, _ = http.NewRequest(http.MethodGet, srv.URL+"/Users?filter=userName+eq+%22user"+strconv.FormatInt(i%1000, 10)+"%40example.com%22", nil)
						}
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						got, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						if resp.StatusCode != want {
							b.Errorf("%s %s: %d %s", req.Method, req.URL, resp.StatusCode, got)
							return
						}
					}
				})
			})
		}
	}
}
