package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// benchGroup creates a group with n members directly in the store and
// returns a handler over it and the group id.
func benchGroup(b *testing.B, st store.Store, n int) (*scim.Handler, string) {
	b.Helper()
	members := make([]any, n)
	for i := range members {
		members[i] = map[string]any{"value": fmt.Sprintf("user-%07d", i)}
	}
	g, err := st.Create(context.Background(), &store.Resource{Type: "Group",
		Attributes: map[string]any{"displayName": "Big", "members": members}})
	if err != nil {
		b.Fatal(err)
	}
	h, err := scim.NewHandler(scim.Config{Store: st})
	if err != nil {
		b.Fatal(err)
	}
	return h, g.ID
}

func serve(b *testing.B, h http.Handler, method, target, body string, want int) {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: %d %s", method, target, rec.Code, rec.Body.String())
	}
}

// BenchmarkPatchAddMember adds one new member per PATCH (Okta's shape) to
// a group of the given size, through the handler and the memory store: the
// cost must not grow with the group.
func BenchmarkPatchAddMember(b *testing.B) {
	for _, n := range []int{100, 100000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			h, gid := benchGroup(b, store.NewMemory(), n)
			// The first membership delta may reorganise the group once.
			serve(b, h, "PATCH", "/Groups/"+gid, `{"Operations":[{"op":"add","path":"members","value":[{"value":"warm-up"}]}]}`, http.StatusNoContent)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"new-%d","display":"n"}]}]}`, i)
				serve(b, h, "PATCH", "/Groups/"+gid, body, http.StatusNoContent)
			}
		})
	}
}

// BenchmarkPatchRemoveMembers100 is Okta's membership push removing 100
// members by filter path from a 10,000-member group, end to end.
func BenchmarkPatchRemoveMembers100(b *testing.B) {
	st := store.NewMemory()
	h, gid := benchGroup(b, st, 10000)
	var ops []string
	for i := range 100 {
		ops = append(ops, fmt.Sprintf(`{"op":"remove","path":"members[value eq \"user-%07d\"]"}`, i*100))
	}
	remove := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(ops, ",") + `]}`
	add := strings.ReplaceAll(strings.ReplaceAll(remove, `"remove"`, `"add"`), `"members[value eq \"`, `"members","value":[{"value":"`)
	add = strings.ReplaceAll(add, `\"]"}`, `"}]}`)
	serve(b, h, "PATCH", "/Groups/"+gid, add, http.StatusNoContent)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		serve(b, h, "PATCH", "/Groups/"+gid, remove, http.StatusNoContent)
		b.StopTimer()
		serve(b, h, "PATCH", "/Groups/"+gid, add, http.StatusNoContent)
		b.StartTimer()
	}
}

// BenchmarkListByUserName is Okta's existence check before every create,
// through the handler, over the memory store.
func BenchmarkListByUserName(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			st := store.NewMemory()
			for i := range n {
				if _, err := st.Create(context.Background(), &store.Resource{Type: "User",
					Attributes: map[string]any{"userName": fmt.Sprintf("user%d@example.com", i), "active": true}}); err != nil {
					b.Fatal(err)
				}
			}
			h, err := scim.NewHandler(scim.Config{Store: st})
			if err != nil {
				b.Fatal(err)
			}
			target := fmt.Sprintf("/Users?filter=userName+eq+%%22user%d%%40example.com%%22&startIndex=1&count=100", n/2)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				serve(b, h, "GET", target, "", http.StatusOK)
			}
		})
	}
}
