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

// benchUsers creates n users named prefix-0 … prefix-(n-1) directly in
// the store and returns their ids.
func benchUsers(b *testing.B, st store.Store, prefix string, n int) []string {
	b.Helper()
	ids := make([]string, n)
	for i := range ids {
		u, err := st.Create(context.Background(), &store.Resource{Type: "User",
			Attributes: map[string]any{"userName": fmt.Sprintf("%s-%07d", prefix, i)}})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = u.ID
	}
	return ids
}

// benchGroup creates n users and a group with them as members directly in
// the store, and returns a handler over it, the group id and the member
// ids in order.
func benchGroup(b *testing.B, st store.Store, n int) (*scim.Handler, string, []string) {
	b.Helper()
	ids := benchUsers(b, st, "user", n)
	members := make([]any, n)
	for i, id := range ids {
		members[i] = map[string]any{"value": id}
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
	return h, g.ID, ids
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
// cost must not grow with the group. Every added member is an existing
// user not yet in the group, taken from a pool created beforehand; when the
// pool is used up its users leave the group again outside the timer, so
// the group holds between n and n+len(pool) members.
func BenchmarkPatchAddMember(b *testing.B) {
	for _, n := range []int{100, 100000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			st := store.NewMemory()
			h, gid, _ := benchGroup(b, st, n)
			pool := benchUsers(b, st, "new", 1<<14)
			warm := benchUsers(b, st, "warm-up", 1)[0]
			// The first membership delta may reorganise the group once.
			serve(b, h, "PATCH", "/Groups/"+gid, `{"Operations":[{"op":"add","path":"members","value":[{"value":"`+warm+`"}]}]}`, http.StatusNoContent)
			ctx := context.Background()
			i := 0
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if i == len(pool) {
					b.StopTimer()
					res, err := st.PatchMembers(ctx, "Group", gid, store.MemberDelta{Attribute: "members", Remove: pool}, "")
					if err != nil || len(res.Removed) != len(pool) {
						b.Fatalf("removing the pool: %+v, %v", res, err)
					}
					i = 0
					b.StartTimer()
				}
				body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":%q,"display":"n"}]}]}`, pool[i])
				i++
				serve(b, h, "PATCH", "/Groups/"+gid, body, http.StatusNoContent)
			}
		})
	}
}

// BenchmarkPatchRemoveMembers100 is Okta's membership push removing 100
// members by filter path from a 10,000-member group, end to end.
func BenchmarkPatchRemoveMembers100(b *testing.B) {
	st := store.NewMemory()
	h, gid, ids := benchGroup(b, st, 10000)
	var rm, ad []string
	for i := range 100 {
		rm = append(rm, fmt.Sprintf(`{"op":"remove","path":"members[value eq \"%s\"]"}`, ids[i*100]))
		ad = append(ad, fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":%q}]}`, ids[i*100]))
	}
	const patchOp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`
	remove := patchOp + strings.Join(rm, ",") + `]}`
	add := patchOp + strings.Join(ad, ",") + `]}`
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

// BenchmarkPatchRemoveOrFilters sends about 900 removals, each naming 20
// members by value joined with or (a 1 MiB PATCH), to groups of 1,000 and
// 20,000 members: the cost must not grow with the group.
func BenchmarkPatchRemoveOrFilters(b *testing.B) {
	for _, n := range []int{1000, 20000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			st := store.NewMemory()
			h, gid, ids := benchGroup(b, st, n)
			var ops []string
			for i := range 900 {
				var terms []string
				for j := range 20 {
					terms = append(terms, fmt.Sprintf(`value eq \"nobody-%d-%d\"`, i, j))
				}
				terms[0] = fmt.Sprintf(`value eq \"%s\"`, ids[i%len(ids)])
				ops = append(ops, `{"op":"remove","path":"members[`+strings.Join(terms, " or ")+`]"}`)
			}
			body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(ops, ",") + `]}`
			var add []string
			for i := range 900 {
				add = append(add, fmt.Sprintf(`{"value":%q}`, ids[i%len(ids)]))
			}
			readd := `{"Operations":[{"op":"add","path":"members","value":[` + strings.Join(add, ",") + `]}]}`
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				serve(b, h, "PATCH", "/Groups/"+gid, body, http.StatusNoContent)
				b.StopTimer()
				serve(b, h, "PATCH", "/Groups/"+gid, readd, http.StatusNoContent)
				b.StartTimer()
			}
		})
	}
}

// BenchmarkUserGroups reads a user with its groups (RFC 7643 §4.1.2)
// through the handler: a user in 1,000 groups, and a user in one group of
// 100,000 members, over the memory store's member index.
func BenchmarkUserGroups(b *testing.B) {
	b.Run("groups=1000", func(b *testing.B) {
		st := store.NewMemory()
		uid := benchUsers(b, st, "user", 1)[0]
		for i := range 1000 {
			if _, err := st.Create(context.Background(), &store.Resource{Type: "Group",
				Attributes: map[string]any{"displayName": fmt.Sprintf("g%04d", i), "members": []any{map[string]any{"value": uid}}}}); err != nil {
				b.Fatal(err)
			}
		}
		h, err := scim.NewHandler(scim.Config{Store: st})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			serve(b, h, "GET", "/Users/"+uid, "", http.StatusOK)
		}
	})
	b.Run("members=100000", func(b *testing.B) {
		st := store.NewMemory()
		h, _, ids := benchGroup(b, st, 100000)
		b.ReportAllocs()
		for b.Loop() {
			serve(b, h, "GET", "/Users/"+ids[500], "", http.StatusOK)
		}
	})
}

// BenchmarkGrantPUT measures Okta Identity Governance's full-set PUT of a
// user holding 10 roles, alternately granting and revoking an eleventh,
// with no catalog and with a catalog of 1,000 roles that every new grant is
// checked against.
func BenchmarkGrantPUT(b *testing.B) {
	var entries []scim.CatalogEntry
	for i := range 1000 {
		entries = append(entries, scim.CatalogEntry{ID: fmt.Sprintf("role-%04d", i), DisplayName: fmt.Sprintf("Role %d", i)})
	}
	var held []string
	for i := range 10 {
		held = append(held, fmt.Sprintf(`{"value":"role-%04d","display":"Role %d"}`, i*7, i*7))
	}
	body := func(extra bool) string {
		roles := held
		if extra {
			roles = append(roles[:len(roles):len(roles)], `{"value":"role-0999","display":"Role 999"}`)
		}
		return `{"userName":"ada@example.com","name":{"givenName":"Ada"},"active":true,"roles":[` + strings.Join(roles, ",") + `]}`
	}
	for _, c := range []struct {
		name     string
		catalogs []scim.Catalog
	}{
		{"catalog=none", nil},
		{"catalog=1000", []scim.Catalog{{Name: "Role", Endpoint: "/Roles",
			Entries: func(context.Context) ([]scim.CatalogEntry, error) { return entries, nil }}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			h, err := scim.NewHandler(scim.Config{Store: store.NewMemory(), Catalogs: c.catalogs})
			if err != nil {
				b.Fatal(err)
			}
			u, err := h.Create(context.Background(), "User", map[string]any{"userName": "ada@example.com"})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				serve(b, h, "PUT", "/Users/"+u.ID, body(i%2 == 0), 200)
				i++
			}
		})
	}
}
