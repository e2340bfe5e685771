package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type client struct {
	t     *testing.T
	srv   *httptest.Server
	token string
}

func (c client) do(method, path, body string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+"/scim/v2"+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.srv.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	var m map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	if resp.StatusCode >= 500 {
		c.t.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, m
}

func (c client) create(path, body string) string {
	c.t.Helper()
	code, m := c.do("POST", path, body)
	if code != http.StatusCreated {
		c.t.Fatalf("POST %s: %d %v", path, code, m)
	}
	return m["id"].(string)
}

func ids(m map[string]any) []string {
	var out []string
	list, _ := m["Resources"].([]any)
	for _, r := range list {
		out = append(out, r.(map[string]any)["id"].(string))
	}
	return out
}

// TestTenantIsolation shows that one tenant's token can neither read, list,
// filter, search, reference in bulk, replace, patch nor delete another
// tenant's resources, and that uniqueness is per tenant.
func TestTenantIsolation(t *testing.T) {
	h, err := newServer(map[string]string{"acme": "token-a", "globex": "token-b"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	a := client{t, srv, "token-a"}
	b := client{t, srv, "token-b"}

	aUser := a.create("/Users", `{"userName":"ada@example.com","active":true}`)
	bUser := b.create("/Users", `{"userName":"ada@example.com","active":true}`) // same userName: another tenant
	bGroup := b.create("/Groups", `{"displayName":"Globex staff","members":[{"value":"`+bUser+`"}]}`)
	_, before := b.do("GET", "/Users/"+bUser, "")

	tests := []struct {
		name, reason, method, path, body string
		status                           int
		wantIDs                          []string // for lists: exactly these
	}{
		{"get", "ids from another tenant do not exist", "GET", "/Users/" + bUser, "", 404, nil},
		{"get group", "nor do its groups", "GET", "/Groups/" + bGroup, "", 404, nil},
		{"list", "a list shows only the caller's users", "GET", "/Users", "", 200, []string{aUser}},
		{"list groups", "and only the caller's groups", "GET", "/Groups", "", 200, nil},
		{"filter by userName", "a filter matching both tenants finds only the caller's", "GET", "/Users?filter=userName+eq+%22ada%40example.com%22", "", 200, []string{aUser}},
		{"filter by id", "an id filter cannot reach across", "GET", "/Users?filter=id+eq+%22" + bUser + "%22", "", 200, nil},
		{"filter members", "a membership probe cannot reach across", "GET", "/Groups?filter=members+eq+%22" + bUser + "%22", "", 200, nil},
		{"search", "POST .search sees only the caller's", "POST", "/Users/.search", `{"filter":"userName eq \"ada@example.com\""}`, 200, []string{aUser}},
		{"root search", "so does the root search", "POST", "/.search", `{"filter":"id eq \"` + bGroup + `\" or id eq \"` + bUser + `\""}`, 200, nil},
		{"put", "no replace", "PUT", "/Users/" + bUser, `{"userName":"stolen@example.com"}`, 404, nil},
		{"patch", "no patch", "PATCH", "/Users/" + bUser, `{"Operations":[{"op":"replace","path":"active","value":false}]}`, 404, nil},
		{"patch group", "no membership change", "PATCH", "/Groups/" + bGroup, `{"Operations":[{"op":"add","path":"members","value":[{"value":"` + aUser + `"}]}]}`, 404, nil},
		{"delete", "no delete", "DELETE", "/Users/" + bUser, "", 404, nil},
		{"delete group", "no group delete", "DELETE", "/Groups/" + bGroup, "", 404, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a.t = t
			code, m := a.do(tc.method, tc.path, tc.body)
			if code != tc.status {
				t.Fatalf("status %d, want %d (%s): %v", code, tc.status, tc.reason, m)
			}
			if code == 200 && tc.method != "PUT" && tc.method != "PATCH" {
				got := ids(m)
				if strings.Join(got, ",") != strings.Join(tc.wantIDs, ",") {
					t.Errorf("ids %v, want %v (%s)", got, tc.wantIDs, tc.reason)
				}
			}
		})
	}
	a.t = t

	// Bulk operations aimed at the other tenant fail one by one.
	code, m := a.do("POST", "/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
	  {"method":"PATCH","path":"/Users/`+bUser+`","data":{"Operations":[{"op":"replace","path":"active","value":false}]}},
	  {"method":"DELETE","path":"/Groups/`+bGroup+`"}]}`)
	if code != 200 {
		t.Fatalf("bulk: %d %v", code, m)
	}
	for i, op := range m["Operations"].([]any) {
		if st := op.(map[string]any)["status"]; st != "404" {
			t.Errorf("bulk operation %d: status %v, want 404", i, st)
		}
	}

	// The other tenant's data is untouched.
	_, after := b.do("GET", "/Users/"+bUser, "")
	if before["meta"].(map[string]any)["version"] != after["meta"].(map[string]any)["version"] || after["active"] != true {
		t.Errorf("tenant B's user changed: before %v, after %v", before, after)
	}
	if code, g := b.do("GET", "/Groups/"+bGroup, ""); code != 200 || len(g["members"].([]any)) != 1 {
		t.Errorf("tenant B's group: %d %v", code, g)
	}
	if code, _ := b.do("GET", "/Users/"+aUser, ""); code != 404 {
		t.Errorf("tenant B sees tenant A's user: %d", code)
	}
}
