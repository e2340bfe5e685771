package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// TestMemoryListAfterSorted pages sorted lists by every kind of sort key,
// with the resource of each position deleted before the next page.
func TestMemoryListAfterSorted(t *testing.T) {
	rt := &schema.ResourceType{Name: "Device", Schema: &schema.Schema{ID: "urn:example:Device", Attributes: []*schema.Attribute{
		{Name: "name", Type: schema.String},
		{Name: "rank", Type: schema.Integer},
		{Name: "enabled", Type: schema.Boolean},
		{Name: "seen", Type: schema.DateTime},
	}}}
	s := store.NewMemoryWith(store.MemoryConfig{ResourceTypes: []*schema.ResourceType{rt}})
	ctx := context.Background()
	for i := range 12 {
		attrs := map[string]any{"name": fmt.Sprintf("D%d", i%5)}
		if i%4 != 0 {
			attrs["rank"] = json.Number(strconv.Itoa(10 - i%6))
			attrs["enabled"] = i%2 == 0
			attrs["seen"] = t0.Add(time.Duration(i%3) * time.Hour).Format(time.RFC3339Nano)
		}
		mustCreate(t, s, &store.Resource{Type: "Device", Attributes: attrs})
	}
	for _, attr := range []string{"name", "rank", "enabled", "seen"} {
		for _, desc := range []bool{false, true} {
			p, err := filter.Parser{Schema: rt}.ParseAttrPath(attr)
			if err != nil {
				t.Fatal(err)
			}
			q := store.Query{SortBy: p, Descending: desc, StartIndex: 1, Count: 100}
			full, err := s.List(ctx, "Device", q)
			if err != nil {
				t.Fatal(err)
			}
			var want, got []string
			for _, r := range full.Resources {
				want = append(want, r.ID)
			}
			q.Count = 2
			deleted := map[string]bool{}
			for after := ""; ; {
				page, err := s.ListAfter(ctx, "Device", q, after)
				if err != nil {
					t.Fatalf("%s: ListAfter(%q): %v", attr, after, err)
				}
				for _, r := range page.Resources {
					got = append(got, r.ID)
				}
				if page.Next == "" {
					break
				}
				// The position outlives its resource.
				last := page.Resources[len(page.Resources)-1]
				if err := s.Delete(ctx, "Device", last.ID, ""); err != nil {
					t.Fatal(err)
				}
				deleted[last.ID] = true
				after = page.Next
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s descending %v: pages (-want +got):\n%s", attr, desc, diff)
			}
			for id := range deleted {
				r := full.Resources[slices.IndexFunc(full.Resources, func(r *store.Resource) bool { return r.ID == id })]
				if _, err := s.Create(ctx, &store.Resource{Type: "Device", Attributes: r.Attributes}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// Numbers sort numerically: 9 before 10.
	p, _ := filter.Parser{Schema: rt}.ParseAttrPath("rank")
	page, _ := s.List(ctx, "Device", store.Query{SortBy: p, StartIndex: 1, Count: 100})
	var ranks []string
	for _, r := range page.Resources {
		if v, ok := r.Attributes["rank"]; ok {
			ranks = append(ranks, fmt.Sprint(v))
		}
	}
	if !slices.IsSortedFunc(ranks, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y }) || len(ranks) != 9 {
		t.Errorf("ranks sorted by rank: %v", ranks)
	}

	for _, tc := range []struct {
		name, after string
		sorted      bool
	}{
		{name: "not a number", after: "x"},
		{name: "sorted position for the default order", after: "3,sabc"},
		{name: "default position for a sorted list", after: "3", sorted: true},
		{name: "unknown kind", after: "3,qabc", sorted: true},
		{name: "bad boolean", after: "3,b2", sorted: true},
		{name: "bad time", after: "3,tyesterday", sorted: true},
	} {
		q := store.Query{Count: 5}
		if tc.sorted {
			q.SortBy = p
		}
		_, err := s.ListAfter(ctx, "Device", q, tc.after)
		want := `store: "` + tc.after + `" is not a list position this store gave for this query`
		if err == nil || err.Error() != want {
			t.Errorf("%s: ListAfter(%q) error %v, want %q", tc.name, tc.after, err, want)
		}
	}
}
