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
