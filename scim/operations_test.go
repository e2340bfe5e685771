package scim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// outcome is what one request came to, in a form both the HTTP side and the
// Go API produce: the error a client is shown, or the resource or page.
type outcome struct {
	Err      *errOutcome
	Resource any // id and attributes, without schemas and meta
	Version  string
	List     *listOutcome
}

type errOutcome struct{ Status, ScimType, Detail string }

type listOutcome struct {
	Total, Start int
	Next         bool
	Resources    []any
}

// httpOutcome reads an HTTP answer. A 204 has no resource: it is compared
// as success only.
func httpOutcome(t *testing.T, r response) outcome {
	t.Helper()
	if r.status >= 400 {
		m := r.body.(map[string]any)
		st, _ := m["status"].(string)
		typ, _ := m["scimType"].(string)
		d, _ := m["detail"].(string)
		return outcome{Err: &errOutcome{st, typ, d}}
	}
	if r.status == 204 {
		return outcome{}
	}
	m := r.body.(map[string]any)
	if _, ok := m["Resources"]; ok {
		l := &listOutcome{}
		l.Total = jsonInt(t, m["totalResults"])
		if m["startIndex"] != nil {
			l.Start = jsonInt(t, m["startIndex"])
		}
		_, l.Next = m["nextCursor"]
		for _, e := range m["Resources"].([]any) {
			l.Resources = append(l.Resources, resourceOutcome(e.(map[string]any)))
		}
		return outcome{List: l}
	}
	return outcome{Resource: resourceOutcome(m), Version: r.header.Get("ETag")}
}

func jsonInt(t *testing.T, v any) int {
	t.Helper()
	n, err := v.(json.Number).Int64()
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func resourceOutcome(m map[string]any) any {
	out := map[string]any{}
	for k, v := range m {
		if k != "schemas" && k != "meta" {
			out[k] = v
		}
	}
	return out
}

// goOutcome reads what a Go API call returned.
func goOutcome(t *testing.T, v any, err error) outcome {
	t.Helper()
	if err != nil {
		var e *scim.Error
		if !errors.As(err, &e) {
			t.Fatalf("Go API error %T is not a *scim.Error: %v", err, err)
		}
		return outcome{Err: &errOutcome{fmt.Sprint(e.Status), e.ScimType, e.Detail}}
	}
	switch v := v.(type) {
	case *store.Resource:
		return outcome{Resource: resourceMap(t, v), Version: `W/"` + v.Meta.Version + `"`}
	case *scim.ListResult:
		l := &listOutcome{Total: v.TotalResults, Start: v.StartIndex, Next: v.NextCursor != ""}
		for _, r := range v.Resources {
			l.Resources = append(l.Resources, resourceMap(t, r))
		}
		return outcome{List: l}
	}
	return outcome{}
}

func resourceMap(t *testing.T, r *store.Resource) any {
	m := map[string]any{"id": r.ID}
	for k, v := range r.Attributes {
		m[k] = v
	}
	return normalizeJSON(t, m)
}

// step is one request, written both ways.
type step struct {
	name                 string
	method, target, body string
	ifMatch              string
	// endpointDetail marks a step whose error detail names the endpoint
	// over HTTP and the resource type name in Go.
	endpointDetail bool
	goCall         func(ctx context.Context, h *scim.Handler) (any, error)
}

func ops(t *testing.T, body string) []patch.Operation {
	t.Helper()
	o, err := patch.Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func count(n int) *int { return &n }

// TestGoAPIMatchesHTTP drives the same provisioning scenario (Okta's and
// Entra ID's request shapes, errors included) through HTTP on one server and
// through the Go API on another, and requires the same answers, the same
// stored state and the same OnChange reports.
func TestGoAPIMatchesHTTP(t *testing.T) {
	alice := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice@example.com",
	  "name":{"givenName":"Alice","familyName":"Smith"},"emails":[{"value":"alice@example.com","primary":true,"type":"work"}],
	  "active":true,"password":"secret","` + acmeURN + `":{"costCenter":"CC1","badgeNumber":42}}`
	obj := func(s string) map[string]any { return decode(t, s).(map[string]any) }
	cur := ""
	steps := []step{
		{name: "create", method: "POST", target: "/Users", body: alice,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) { return h.Create(ctx, "User", obj(alice)) }},
		{name: "create duplicate userName", method: "POST", target: "/Users", body: `{"userName":"ALICE@example.com"}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.Create(ctx, "user", map[string]any{"userName": "ALICE@example.com"})
			}},
		{name: "create without userName", method: "POST", target: "/Users", body: `{"displayName":"x"}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.Create(ctx, "User", map[string]any{"displayName": "x"})
			}},
		{name: "create with a wrong type", method: "POST", target: "/Users", body: `{"userName":"b@example.com","active":"maybe"}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.Create(ctx, "User", map[string]any{"userName": "b@example.com", "active": "maybe"})
			}},
		{name: "create bob", method: "POST", target: "/Users", body: `{"userName":"bob@example.com","displayName":"Bob"}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.Create(ctx, "User", struct {
					UserName    string `json:"userName"`
					DisplayName string `json:"displayName"`
				}{"bob@example.com", "Bob"})
			}},
		{name: "get", method: "GET", target: "/Users/id-1",
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) { return h.Get(ctx, "User", "id-1") }},
		{name: "get missing", method: "GET", target: "/Users/nosuch",
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) { return h.Get(ctx, "User", "nosuch") }},
		{name: "lookup", method: "GET", target: `/Users?filter=userName+eq+%22Alice@Example.com%22&startIndex=1&count=100`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.List(ctx, "User", scim.SearchRequest{Filter: `userName eq "Alice@Example.com"`, StartIndex: 1, Count: count(100)})
			}},
		{name: "bad filter", method: "GET", target: `/Users?filter=userName+eqq+%22x%22`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.List(ctx, "User", scim.SearchRequest{Filter: `userName eqq "x"`})
			}},
		{name: "sorted projection", method: "GET", target: `/Users?sortBy=userName&sortOrder=descending&attributes=userName,emails.value&count=1&startIndex=2`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.List(ctx, "User", scim.SearchRequest{SortBy: "userName", SortOrder: "descending",
					Attributes: []string{"userName", "emails.value"}, Count: count(1), StartIndex: 2})
			}},
		{name: "bad sortBy", method: "GET", target: `/Users?sortBy=password`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.List(ctx, "User", scim.SearchRequest{SortBy: "password"})
			}},
		{name: "negative count", method: "GET", target: `/Users?count=-1`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.List(ctx, "User", scim.SearchRequest{Count: count(-1)})
			}},
		{name: "cursor", method: "GET", target: `/Users?count=1&cursor=`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				c := ""
				return h.List(ctx, "User", scim.SearchRequest{Count: count(1), Cursor: &c})
			}},
		{name: "forged cursor", method: "GET", target: `/Users?count=1&cursor=AAAA`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				c := "AAAA"
				return h.List(ctx, "User", scim.SearchRequest{Count: count(1), Cursor: &c})
			}},
		{name: "deactivate by PATCH (Okta)", method: "PATCH", target: "/Users/id-1",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.Patch(ctx, "User", "id-1", []patch.Operation{{Op: "replace", Value: map[string]any{"active": false}}}, "")
			}},
		{name: "PATCH with Entra's string boolean", method: "PATCH", target: "/Users/id-1",
			body: `{"Operations":[{"op":"Replace","path":"active","value":"True"}]}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.Patch(ctx, "User", "id-1", ops(t, `{"Operations":[{"op":"Replace","path":"active","value":"True"}]}`), "")
			}},
		{name: "PATCH a bad path", method: "PATCH", target: "/Users/id-1",
			body: `{"Operations":[{"op":"replace","path":"emails[type eq","value":"x"}]}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.Patch(ctx, "User", "id-1", []patch.Operation{{Op: "replace", Path: "emails[type eq", Value: "x"}}, "")
			}},
		{name: "PATCH value-path removal", method: "PATCH", target: "/Users/id-1",
			body: `{"Operations":[{"op":"remove","path":"emails[value eq \"ALICE@example.com\"]"}]}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.Patch(ctx, "User", "id-1", []patch.Operation{{Op: "remove", Path: `emails[value eq "ALICE@example.com"]`}}, "")
			}},
		{name: "PUT with a stale If-Match", method: "PUT", target: "/Users/id-1", ifMatch: `W/"1"`,
			body: `{"userName":"alice@example.com","active":false}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.Replace(ctx, "User", "id-1", map[string]any{"userName": "alice@example.com", "active": false}, `W/"1"`)
			}},
		{name: "PUT", method: "PUT", target: "/Users/id-1",
			body: `{"userName":"alice@example.com","active":false,"displayName":"Alice S"}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.Replace(ctx, "User", "id-1", map[string]any{"userName": "alice@example.com", "active": false, "displayName": "Alice S"}, "")
			}},
		{name: "PUT with the current If-Match", method: "PUT", target: "/Users/id-1", ifMatch: "current",
			body: `{"userName":"alice@example.com","active":true}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.Replace(ctx, "User", "id-1", map[string]any{"userName": "alice@example.com", "active": true}, cur)
			}},
		{name: "create group", method: "POST", target: "/Groups", body: `{"displayName":"Engineering","members":[{"value":"id-1"}]}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.Create(ctx, "Group", map[string]any{"displayName": "Engineering", "members": []any{map[string]any{"value": "id-1"}}})
			}},
		{name: "create group with a missing member", method: "POST", target: "/Groups", body: `{"displayName":"X","members":[{"value":"nosuch"}]}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.Create(ctx, "Group", map[string]any{"displayName": "X", "members": []any{map[string]any{"value": "nosuch"}}})
			}},
		{name: "push membership (delta)", method: "PATCH", target: "/Groups/id-3",
			body: `{"Operations":[{"op":"add","path":"members","value":[{"value":"id-2"}]},{"op":"remove","path":"members[value eq \"id-1\"]"}]}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.Patch(ctx, "Group", "id-3", []patch.Operation{
					{Op: "add", Path: "members", Value: []any{map[string]any{"value": "id-2"}}},
					{Op: "remove", Path: `members[value eq "id-1"]`}}, "")
			}},
		{name: "rename group", method: "PATCH", target: "/Groups/id-3?attributes=displayName",
			body: `{"Operations":[{"op":"replace","value":{"id":"id-3","displayName":"Eng"}}]}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				r, err := h.Patch(ctx, "Group", "id-3", []patch.Operation{{Op: "replace", Value: map[string]any{"id": "id-3", "displayName": "Eng"}}}, "")
				if err != nil {
					return nil, err
				}
				// The HTTP request asked for displayName only.
				return &store.Resource{ID: r.ID, Meta: r.Meta, Attributes: map[string]any{"displayName": r.Attributes["displayName"]}}, nil
			}},
		{name: "root search", method: "POST", target: "/.search", body: `{"filter":"displayName sw \"E\"","count":10}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.Search(ctx, scim.SearchRequest{Filter: `displayName sw "E"`, Count: count(10)})
			}},
		{name: "too many PATCH operations", method: "PATCH", target: "/Users/id-2",
			body: `{"Operations":[` + strings.Repeat(`{"op":"replace","path":"title","value":"x"},`, 3) + `{"op":"replace","path":"title","value":"y"}]}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				o := make([]patch.Operation, 4)
				for i := range o {
					o[i] = patch.Operation{Op: "replace", Path: "title", Value: "x"}
				}
				o[3].Value = "y"
				return h.Patch(ctx, "User", "id-2", o, "")
			}},
		{name: "value too long", method: "PATCH", target: "/Users/id-2",
			body: `{"Operations":[{"op":"replace","path":"title","value":"` + strings.Repeat("x", 300) + `"}]}`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return h.Patch(ctx, "User", "id-2", []patch.Operation{{Op: "replace", Path: "title", Value: strings.Repeat("x", 300)}}, "")
			}},
		{name: "unknown resource type", method: "GET", target: "/Widgets/x", endpointDetail: true,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) { return h.Get(ctx, "Widget", "x") }},
		{name: "delete with a stale If-Match", method: "DELETE", target: "/Users/id-2", ifMatch: `W/"1"`,
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) {
				return nil, h.Delete(ctx, "User", "id-2", `W/"1"`)
			}},
		{name: "delete", method: "DELETE", target: "/Users/id-2",
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) { return nil, h.Delete(ctx, "User", "id-2", "") }},
		{name: "delete again", method: "DELETE", target: "/Users/id-2",
			goCall: func(ctx context.Context, h *scim.Handler) (any, error) { return nil, h.Delete(ctx, "User", "id-2", "") }},
	}
	limits := func(c *scim.Config) { c.MaxPatchOperations = 3; c.MaxValueBytes = 256 }
	viaHTTP, viaGo := newServer(t, limits), newServer(t, limits)
	ctx := context.Background()
	for _, st := range steps {
		ifMatch := st.ifMatch
		if ifMatch == "current" {
			r, err := viaHTTP.store.Get(ctx, "User", "id-1")
			if err != nil {
				t.Fatal(err)
			}
			ifMatch = `W/"` + r.Meta.Version + `"`
			cur = ifMatch
		}
		r := viaHTTP.do(st.method, st.target, st.body, "If-Match", ifMatch)
		want := httpOutcome(t, r)
		v, err := st.goCall(ctx, viaGo.h)
		got := goOutcome(t, v, err)
		if st.endpointDetail && want.Err != nil && got.Err != nil {
			want.Err.Detail, got.Err.Detail = "", ""
		}
		if r.status == 204 {
			if got.Err != nil {
				t.Errorf("%s: HTTP answered 204, the Go API %+v", st.name, *got.Err)
			}
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: HTTP %d and Go API differ (-http +go):\n%s", st.name, r.status, diff)
		}
	}
	for _, typ := range []string{"User", "Group"} {
		a, _ := viaHTTP.store.List(ctx, typ, store.Query{StartIndex: 1, Count: 100})
		b, _ := viaGo.store.List(ctx, typ, store.Query{StartIndex: 1, Count: 100})
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("stored %s differ (-http +go):\n%s", typ, diff)
		}
	}
	if len(viaHTTP.changes) < 8 {
		t.Fatalf("only %d changes reported", len(viaHTTP.changes))
	}
	if diff := cmp.Diff(viaHTTP.changes, viaGo.changes); diff != "" {
		t.Errorf("OnChange reports differ (-http +go):\n%s", diff)
	}
}

// FuzzGoAPI sends the same input through HTTP (POST, PUT or PATCH of a
// user) and through the Go API, on two servers with the same data, and
// requires the same answer (status, scimType, detail, or the same resource),
// no panic and no 5xx. Bodies the Go API cannot express (a JSON object that
// repeats a member name, which Go maps cannot hold; PATCH bodies that do not
// decode into operations) are only sent over HTTP.
func FuzzGoAPI(f *testing.F) {
	for _, s := range []struct {
		kind uint8
		body string
	}{
		{0, `{"userName":"bob@example.com","emails":[{"value":"b@x","primary":"True"}]}`},
		{0, `{"userName":"ALICE@example.com"}`},
		{0, `{"userName":"x","` + acmeURN + `":{"badgeNumber":"12"}}`},
		{0, `{"userName":"x","name":{"givenName":1}}`},
		{0, `[]`},
		{1, `{"userName":"alice@example.com","active":false}`},
		{1, `{"userName":"alice@example.com","id":"other"}`},
		{1, `{"displayName":"no userName"}`},
		{2, `{"Operations":[{"op":"replace","value":{"active":false}}]}`},
		{2, `{"Operations":[{"op":"add","path":"emails[type eq \"work\"].value","value":"w@x"}]}`},
		{2, `{"Operations":[{"op":"remove","path":"emails[value eq \"ALICE@example.com\"]"}]}`},
		{2, `{"Operations":[{"op":"replace","path":"userName","value":null}]}`},
		{2, `{"Operations":[{"op":"remove","path":""}]}`},
		{2, `{"Operations":[{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:acme:2.0:User:badgeNumber":7}}]}`},
	} {
		f.Add(s.kind, s.body)
	}
	limits := func(c *scim.Config) { c.MaxPatchOperations = 8; c.MaxValueBytes = 64 }
	const alice = `{"userName":"alice@example.com","emails":[{"value":"alice@example.com","type":"work"}],"active":true}`
	f.Fuzz(func(t *testing.T, kind uint8, body string) {
		viaHTTP, viaGo := newServer(t, limits), newServer(t, limits)
		viaHTTP.do("POST", "/Users", alice).expect(t, 201, "")
		viaGo.do("POST", "/Users", alice).expect(t, 201, "")
		ctx := context.Background()
		var (
			r   response
			v   any
			err error
		)
		switch kind % 3 {
		case 0, 1:
			method, target := "POST", "/Users"
			if kind%3 == 1 {
				method, target = "PUT", "/Users/id-1"
			}
			r = viaHTTP.do(method, target, body)
			obj, ok := jsonObject(body)
			if !ok {
				return
			}
			if method == "POST" {
				v, err = viaGo.h.Create(ctx, "User", obj)
			} else {
				v, err = viaGo.h.Replace(ctx, "User", "id-1", obj, "")
			}
		default:
			r = viaHTTP.do("PATCH", "/Users/id-1", body)
			if _, ok := jsonObject(body); !ok {
				return
			}
			o, derr := patch.Decode([]byte(body))
			if derr != nil {
				return
			}
			v, err = viaGo.h.Patch(ctx, "User", "id-1", o, "")
		}
		want, got := httpOutcome(t, r), goOutcome(t, v, err)
		if want.Err != nil && strings.Contains(want.Err.Detail, "repeats the member") {
			return // a Go map cannot repeat a member
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("HTTP %d and Go API differ on %q (-http +go):\n%s", r.status, body, diff)
		}
	})
}

// jsonObject decodes s as a client's JSON object, and reports false when it
// is not one.
func jsonObject(s string) (map[string]any, bool) {
	m, err := schema.DecodeObject([]byte(s), schema.MaxNestingDepth)
	return m, err == nil
}

// TestGoAPITypedViews checks that typed views reach the store whole,
// host extensions included, and read back through the Go API.
func TestGoAPITypedViews(t *testing.T) {
	s := newServer(t, nil)
	ctx := context.Background()
	res, err := s.h.Create(ctx, "User", &schema.User{
		UserName:   "ada@example.com",
		Active:     new(false),
		Extensions: schema.Extensions{acmeURN: {"costCenter": "CC7", "badgeNumber": json.Number("12345678901234567")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.expectStored("User", res.ID, `{"userName":"ada@example.com","active":false,
	  "`+acmeURN+`":{"costCenter":"CC7","badgeNumber":12345678901234567}}`)
	g, err := s.h.Create(ctx, "Group", &schema.Group{DisplayName: "Eng", Members: []schema.Member{{Value: res.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.Group()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{res.ID}, got.MemberIDs()); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	var nilUser *schema.User
	if _, err := s.h.Create(ctx, "User", nilUser); err == nil || err.(*scim.Error).Status != 400 {
		t.Errorf("a nil user: %v, want 400", err)
	}
}
