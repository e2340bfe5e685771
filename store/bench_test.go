package store_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/scimkit/scimkit/store"
)

// fill creates n users named user-0 … user-(n-1) in a new memory store.
func fill(b *testing.B, n int) *store.Memory {
	b.Helper()
	ctx := context.Background()
	s := store.NewMemory()
	for i := range n {
		attrs := map[string]any{"userName": fmt.Sprintf("user-%d", i), "active": true}
		if _, err := s.Create(ctx, &store.Resource{Type: "User", Attributes: attrs}); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

func BenchmarkListByUserName(b *testing.B) {
	for _, n := range []int{1000, 1000000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			var before runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			s := fill(b, n)
			setup := time.Since(start)
			var after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&after)
			q := store.Query{Filter: parse(b, "User", fmt.Sprintf(`userName eq "USER-%d"`, n/2)), StartIndex: 1, Count: 100}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() { // b.Loop runs this function once, so the store is built once
				page, err := s.List(ctx, "User", q)
				if err != nil || page.Total != 1 {
					b.Fatalf("List = %v, %v; want one user", page, err)
				}
			}
			// The cost of building the store, reported beside the timing.
			b.ReportMetric(setup.Seconds(), "setup-s")
			b.ReportMetric(float64(after.HeapAlloc-min(before.HeapAlloc, after.HeapAlloc))/(1<<20), "setup-heap-MiB")
		})
	}
}

func BenchmarkCreate(b *testing.B) {
	s := store.NewMemory()
	ctx := context.Background()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		attrs := map[string]any{"userName": fmt.Sprintf("user-%d", i), "active": true}
		i++
		if _, err := s.Create(ctx, &store.Resource{Type: "User", Attributes: attrs}); err != nil {
			b.Fatal(err)
		}
	}
}

// createUsers creates n users named prefix-0 … prefix-(n-1) in s and
// returns their ids.
func createUsers(b *testing.B, s store.Store, prefix string, n int) []string {
	b.Helper()
	ctx := context.Background()
	ids := make([]string, n)
	for i := range ids {
		u, err := s.Create(ctx, &store.Resource{Type: "User", Attributes: map[string]any{"userName": fmt.Sprintf("%s-%d", prefix, i)}})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = u.ID
	}
	return ids
}

// BenchmarkPatchMembers adds one member per operation to a group that
// starts with the given number of members. Every added member is an
// existing user that is not yet in the group, taken from a pool of users
// created beforehand; when the pool is used up, its users are removed from
// the group again outside the timer, so the group holds between n and
// n+len(pool) members. Its cost must not depend on the size.
func BenchmarkPatchMembers(b *testing.B) {
	for _, n := range []int{100, 100000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			ctx := context.Background()
			s := store.NewMemory()
			members := make([]any, n)
			for i, id := range createUsers(b, s, "member", n) {
				members[i] = map[string]any{"value": id, "type": "User"}
			}
			g, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "big", "members": members}})
			if err != nil {
				b.Fatal(err)
			}
			// The first delta converts the member list once.
			if _, err := s.PatchMembers(ctx, "Group", g.ID, store.MemberDelta{Attribute: "members", Remove: []string{"none"}}, ""); err != nil {
				b.Fatal(err)
			}
			pool := createUsers(b, s, "new", 1<<16)
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				if i == len(pool) {
					b.StopTimer()
					res, err := s.PatchMembers(ctx, "Group", g.ID, store.MemberDelta{Attribute: "members", Remove: pool}, "")
					if err != nil || len(res.Removed) != len(pool) {
						b.Fatalf("removing the pool: %d removed, %v", len(res.Removed), err)
					}
					i = 0
					b.StartTimer()
				}
				d := store.MemberDelta{Attribute: "members", Add: []map[string]any{{"value": pool[i], "type": "User"}}}
				i++
				res, err := s.PatchMembers(ctx, "Group", g.ID, d, "")
				if err != nil || len(res.Added) != 1 {
					b.Fatalf("PatchMembers = %+v, %v", res, err)
				}
			}
		})
	}
}
