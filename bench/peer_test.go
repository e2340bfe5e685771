package bench

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	elimity "github.com/elimity-com/scim"
	elimityschema "github.com/elimity-com/scim/schema"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// elimityUsers is what an elimity-based host writes: the library hands it
// the parsed filter, and the host evaluates it over its users
// (FilterValidator.PassesFilter), then pages.
type elimityUsers struct {
	mu    sync.RWMutex
	users []elimity.Resource
}

func (h *elimityUsers) Create(r *http.Request, attrs elimity.ResourceAttributes) (elimity.Resource, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	res := elimity.Resource{ID: strconv.Itoa(len(h.users) + 1), Attributes: attrs}
	h.users = append(h.users, res)
	return res, nil
}

func (h *elimityUsers) Get(r *http.Request, id string) (elimity.Resource, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, u := range h.users {
		if u.ID == id {
			return u, nil
		}
	}
	return elimity.Resource{}, fmt.Errorf("not found")
}

func (h *elimityUsers) GetAll(r *http.Request, p elimity.ListRequestParams) (elimity.Page, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var match []elimity.Resource
	for _, u := range h.users {
		if p.FilterValidator != nil {
			obj := map[string]any{"id": u.ID}
			for k, v := range u.Attributes {
				obj[k] = v
			}
			if p.FilterValidator.PassesFilter(obj) != nil {
				continue
			}
		}
		match = append(match, u)
	}
	page := elimity.Page{TotalResults: len(match), Resources: []elimity.Resource{}}
	start := max(p.StartIndex, 1) - 1
	if start < len(match) {
		page.Resources = match[start:min(len(match), start+p.Count)]
	}
	return page, nil
}

func (h *elimityUsers) Replace(r *http.Request, id string, attrs elimity.ResourceAttributes) (elimity.Resource, error) {
	return elimity.Resource{}, fmt.Errorf("not used")
}

func (h *elimityUsers) Delete(r *http.Request, id string) error { return fmt.Errorf("not used") }

func (h *elimityUsers) Patch(r *http.Request, id string, ops []elimity.PatchOperation) (elimity.Resource, error) {
	return elimity.Resource{}, fmt.Errorf("not used")
}

func newElimity(b *testing.B, users int) http.Handler {
	b.Helper()
	h := &elimityUsers{}
	for i := range users {
		h.users = append(h.users, elimity.Resource{ID: strconv.Itoa(i + 1), Attributes: elimity.ResourceAttributes{
			"userName": fmt.Sprintf("user%d@example.com", i), "active": true,
			"name": map[string]any{"givenName": "U", "familyName": strconv.Itoa(i)},
		}})
	}
	srv, err := elimity.NewServer(&elimity.ServerArgs{
		ServiceProviderConfig: &elimity.ServiceProviderConfig{},
		ResourceTypes: []elimity.ResourceType{{
			Name: "User", Endpoint: "/Users", Schema: elimityschema.CoreUserSchema(), Handler: h,
		}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return srv
}

func newScimkit(b *testing.B, users int) http.Handler {
	return newScimkitUsers(b, users, func(i int) map[string]any {
		return map[string]any{"name": map[string]any{"givenName": "U", "familyName": strconv.Itoa(i)}}
	})
}

// newScimkitUsers is a handler over the memory store holding users
// user0@example.com … (active), each with the attributes more(i) adds.
func newScimkitUsers(b *testing.B, users int, more func(i int) map[string]any) http.Handler {
	b.Helper()
	st := store.NewMemory()
	for i := range users {
		attrs := map[string]any{"userName": fmt.Sprintf("user%d@example.com", i), "active": true}
		maps.Copy(attrs, more(i))
		if _, err := st.Create(context.Background(), &store.Resource{Type: "User", Attributes: attrs}); err != nil {
			b.Fatal(err)
		}
	}
	h, err := scim.NewHandler(scim.Config{Store: st})
	if err != nil {
		b.Fatal(err)
	}
	return h
}

func do(b *testing.B, h http.Handler, method, target, body string, want int) {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: status %d: %s", method, target, rec.Code, rec.Body.String())
	}
}

// BenchmarkUserNameLookup is the request Okta and Entra ID send before every
// create: GET /Users?filter=userName eq "…", over the given number of users.
func BenchmarkUserNameLookup(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		for _, lib := range []struct {
			name string
			new  func(*testing.B, int) http.Handler
		}{{"scimkit", newScimkit}, {"elimity", newElimity}} {
			b.Run(fmt.Sprintf("%s/users=%d", lib.name, n), func(b *testing.B) {
				h := lib.new(b, n)
				target := fmt.Sprintf("/Users?filter=userName+eq+%%22user%d%%40example.com%%22&startIndex=1&count=100", n/2)
				b.ReportAllocs()
				for b.Loop() {
					do(b, h, "GET", target, "", http.StatusOK)
				}
			})
		}
	}
}

// BenchmarkCreateUser is Okta's POST /Users with its usual body.
func BenchmarkCreateUser(b *testing.B) {
	for _, lib := range []struct {
		name string
		new  func(*testing.B, int) http.Handler
	}{{"scimkit", newScimkit}, {"elimity", newElimity}} {
		b.Run(lib.name, func(b *testing.B) {
			h := lib.new(b, 0)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new%d@example.com","name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"new%d@example.com","type":"work"}],"displayName":"Test User","locale":"en-US","externalId":"00u%d","active":true}`, i, i, i)
				do(b, h, "POST", "/Users", body, http.StatusCreated)
			}
		})
	}
}
