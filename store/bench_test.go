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

// BenchmarkPatchMembers adds one member per operation to a group that
// starts with the given number of members; the group is reused, so it
// grows as the benchmark runs. Its cost must not depend on the size.
func BenchmarkPatchMembers(b *testing.B) {
	for _, n := range []int{100, 100000} {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			ctx := context.Background()
			s := store.NewMemory()
			members := make([]any, n)
			for i := range members {
				members[i] = map[string]any{"value": fmt.Sprintf("member-%d", i), "type": "User"}
			}
			g, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "big", "members": members}})
			if err != nil {
				b.Fatal(err)
			}
			// The first delta converts the member list once.
			if _, err := s.PatchMembers(ctx, "Group", g.ID, store.MemberDelta{Attribute: "members", Remove: []string{"none"}}, ""); err != nil {
				b.Fatal(err)
			}
			values := make([]string, 0, 1<<16)
			for i := range cap(values) {
				values = append(values, fmt.Sprintf("new-%d", i))
			}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				v := values[i%len(values)]
				if i >= len(values) {
					v = fmt.Sprintf("new-%d", i)
				}
				i++
				d := store.MemberDelta{Attribute: "members", Add: []map[string]any{{"value": v, "type": "User"}}}
				res, err := s.PatchMembers(ctx, "Group", g.ID, d, "")
				if err != nil || len(res.Added) != 1 {
					b.Fatalf("PatchMembers = %+v, %v", res, err)
				}
			}
		})
	}
}
