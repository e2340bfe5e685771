package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// deviceType is a resource type with attributes of every sortable type.
func deviceType() *schema.ResourceType {
	return &schema.ResourceType{
		Name:     "Device",
		Endpoint: "/Devices",
		Schema: &schema.Schema{
			ID:   "urn:example:params:scim:schemas:Device",
			Name: "Device",
			Attributes: []*schema.Attribute{
				{Name: "serial", Type: schema.String, Uniqueness: schema.UniqueServer},
				{Name: "label", Type: schema.String, CaseExact: true},
				{Name: "rank", Type: schema.Integer},
				{Name: "score", Type: schema.Decimal},
				{Name: "seen", Type: schema.DateTime},
				{Name: "enabled", Type: schema.Boolean},
				{Name: "tags", Type: schema.String, MultiValued: true},
			},
		},
	}
}

// loadDevices creates the devices of TestListAfterSorted.
func loadDevices(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 13 {
		attrs := map[string]any{"serial": fmt.Sprintf("SN-%02d", i)}
		if i%4 != 0 {
			attrs["label"] = []string{"b", "B", "a", "c"}[i%4]
		}
		if i%3 != 0 {
			attrs["rank"] = json.Number(strconv.Itoa(i % 5))
		}
		if i%5 != 0 {
			attrs["score"] = json.Number([]string{"1.5", "-2", "1.50", "10", "0.25"}[i%5])
		}
		if i%6 != 0 {
			// Offsets and sub-microsecond digits: instants, not text, order.
			seen := base.Add(time.Duration(i%4) * time.Hour).Add(time.Duration(i%3) * time.Nanosecond)
			attrs["seen"] = seen.In(time.FixedZone("", (i%3-1)*3600)).Format(time.RFC3339Nano)
		}
		if i%7 != 0 {
			attrs["enabled"] = i%2 == 0
		}
		if i%2 != 0 {
			attrs["tags"] = []any{[]string{"x", "Y", "z"}[i%3], "w"}
		}
		if i%3 == 1 {
			attrs["externalId"] = fmt.Sprintf("ext-%d", i%4)
		}
		if _, err := s.Create(ctx, &store.Resource{Type: "Device", Attributes: attrs}); err != nil {
			t.Fatal(err)
		}
	}
	// Give some devices later versions.
	page, err := s.List(ctx, "Device", store.Query{StartIndex: 1, Count: 100})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range page.Resources {
		for range i % 3 {
			if _, err := s.Replace(ctx, r, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// walkAfter pages through q with ListAfter, count at a time, and returns
// the ids in the order given, checking Total against total.
func walkAfter(t *testing.T, s *Store, typ string, q store.Query, count, total int) []string {
	t.Helper()
	var got []string
	after := ""
	for range 200 {
		q.StartIndex, q.Count = 1, count
		page, err := s.ListAfter(context.Background(), typ, q, after)
		if err != nil {
			t.Fatalf("ListAfter(after %q): %v", after, err)
		}
		if page.Total != total {
			t.Errorf("ListAfter(after %q): Total %d, want %d", after, page.Total, total)
		}
		if len(page.Resources) > count {
			t.Fatalf("ListAfter(after %q): %d resources for Count %d", after, len(page.Resources), count)
		}
		got = append(got, ids(page.Resources)...)
		if page.Next == "" {
			return got
		}
		after = page.Next
	}
	t.Fatal("ListAfter did not reach the end")
	return nil
}

func TestListAfterSorted(t *testing.T) {
	rt := deviceType()
	p := filter.Parser{Schema: rt}
	path := func(s string) filter.AttrPath {
		t.Helper()
		ap, err := p.ParseAttrPath(s)
		if err != nil {
			t.Fatal(err)
		}
		return ap
	}
	parse := func(s string) filter.Expr {
		t.Helper()
		e, err := p.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	// An unbound comparison is left to filter.Match.
	residual := &filter.Compare{Path: filter.AttrPath{Name: "LABEL"}, Op: filter.Ne, Value: "a"}
	tests := []struct {
		name, reason string
		q            store.Query
	}{
		{name: "default order", reason: "keyset on seq", q: store.Query{}},
		{name: "text", reason: "case-insensitive key column", q: store.Query{SortBy: path("serial"), Descending: true}},
		{name: "caseExact text", reason: "ties and missing values", q: store.Query{SortBy: path("label")}},
		{name: "caseExact text descending", reason: "missing values still last", q: store.Query{SortBy: path("label"), Descending: true}},
		{name: "integer", reason: "numeric keys with ties", q: store.Query{SortBy: path("rank")}},
		{name: "integer descending", reason: "numeric keys with ties", q: store.Query{SortBy: path("rank"), Descending: true}},
		{name: "decimal", reason: "1.5 and 1.50 tie", q: store.Query{SortBy: path("score")}},
		{name: "decimal descending", reason: "negative numbers", q: store.Query{SortBy: path("score"), Descending: true}},
		{name: "dateTime", reason: "instants with offsets and nanoseconds", q: store.Query{SortBy: path("seen")}},
		{name: "dateTime descending", reason: "instants with offsets and nanoseconds", q: store.Query{SortBy: path("seen"), Descending: true}},
		{name: "boolean", reason: "false first", q: store.Query{SortBy: path("enabled")}},
		{name: "boolean descending", reason: "true first", q: store.Query{SortBy: path("enabled"), Descending: true}},
		{name: "multi-valued", reason: "first value, folded", q: store.Query{SortBy: path("tags")}},
		{name: "externalId", reason: "a column with missing values", q: store.Query{SortBy: path("externalId"), Descending: true}},
		{name: "id", reason: "the id column", q: store.Query{SortBy: path("id")}},
		{name: "meta.created", reason: "a timestamp column", q: store.Query{SortBy: path("meta.created"), Descending: true}},
		{name: "meta.version", reason: "an integer column", q: store.Query{SortBy: path("meta.version")}},
		{name: "meta.resourceType", reason: "no resource has a key", q: store.Query{SortBy: path("meta.resourceType")}},
		{name: "unbound sort", reason: "List keeps the default order", q: store.Query{SortBy: filter.AttrPath{Name: "nothing"}}},
		{name: "pushed filter", reason: "the filter runs in SQL", q: store.Query{Filter: parse(`rank ge 2 or not (label pr)`), SortBy: path("rank"), Descending: true}},
		{name: "residual filter", reason: "filter.Match after SQL", q: store.Query{Filter: filter.AndOf(parse(`serial sw "sn"`), residual), SortBy: path("label")}},
		{name: "residual filter in default order", reason: "filter.Match after SQL", q: store.Query{Filter: residual}},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s, err := New(db, Config{Dialect: d, ResourceTypes: []*schema.ResourceType{rt}, Tenant: tenantOf(randomTenant())})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			loadDevices(t, s)
			for _, tc := range tests {
				list := tc.q
				list.StartIndex, list.Count = 1, 100
				want, err := s.List(context.Background(), "Device", list)
				if err != nil {
					t.Fatalf("%s: List: %v", tc.name, err)
				}
				if want.Total == 0 {
					t.Fatalf("%s: List found nothing", tc.name)
				}
				for _, count := range []int{1, 2, 5, 100} {
					got := walkAfter(t, s, "Device", tc.q, count, want.Total)
					if diff := cmp.Diff(ids(want.Resources), got); diff != "" {
						t.Errorf("%s: pages of %d differ from List (%s) (-list +pages):\n%s", tc.name, count, tc.reason, diff)
					}
				}
			}
		})
	}
}

func tenantOf(tenant string) func(context.Context) string {
	return func(context.Context) string { return tenant }
}

func TestListAfterPositions(t *testing.T) {
	rt := deviceType()
	p := filter.Parser{Schema: rt}
	rank, err := p.ParseAttrPath("rank")
	if err != nil {
		t.Fatal(err)
	}
	label, err := p.ParseAttrPath("label")
	if err != nil {
		t.Fatal(err)
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s, err := New(db, Config{Dialect: d, ResourceTypes: []*schema.ResourceType{rt}, Tenant: tenantOf(randomTenant())})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			loadDevices(t, s)
			byRank := store.Query{SortBy: rank, StartIndex: 1, Count: 2}
			first, err := s.ListAfter(ctx, "Device", byRank, "")
			if err != nil {
				t.Fatal(err)
			}
			plain, err := s.ListAfter(ctx, "Device", store.Query{StartIndex: 1, Count: 2}, "")
			if err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name, reason string
				q            store.Query
				after        string
			}{
				{name: "garbage", reason: "not a position", q: byRank, after: "x"},
				{name: "negative", reason: "seqs are not negative", q: byRank, after: "-1,m"},
				{name: "unsorted for sorted", reason: "a sorted list needs a key", q: byRank, after: plain.Next},
				{name: "sorted for unsorted", reason: "the default order has no key", q: store.Query{StartIndex: 1, Count: 2}, after: first.Next},
				{name: "other kind", reason: "a number position for a text key", q: store.Query{SortBy: label, StartIndex: 1, Count: 2}, after: first.Next},
				{name: "bad number", reason: "the key does not parse", q: byRank, after: "3,nabc"},
				{name: "bad missing", reason: "a missing key has no value", q: byRank, after: "3,mx"},
				{name: "unknown kind", reason: "no such letter", q: byRank, after: "3,q1"},
			}
			for _, tc := range tests {
				if _, err := s.ListAfter(ctx, "Device", tc.q, tc.after); err == nil {
					t.Errorf("%s: ListAfter(after %q) succeeded, want an error (%s)", tc.name, tc.after, tc.reason)
				}
			}

			// Count 0 gives the total only.
			page, err := s.ListAfter(ctx, "Device", store.Query{StartIndex: 1}, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Resources) != 0 || page.Total != 13 || page.Next != "" {
				t.Errorf("ListAfter with Count 0 = %d resources, Total %d, Next %q; want 0, 13, \"\"", len(page.Resources), page.Total, page.Next)
			}
			// A position past the end gives an empty last page.
			var last string
			for after := first.Next; after != ""; {
				page, err := s.ListAfter(ctx, "Device", byRank, after)
				if err != nil {
					t.Fatal(err)
				}
				last, after = after, page.Next
			}
			page, err = s.ListAfter(ctx, "Device", store.Query{SortBy: rank, StartIndex: 1, Count: 100}, last)
			if err != nil || page.Next != "" || page.Total != 13 {
				t.Errorf("ListAfter from the last position = %+v, %v; want Next \"\" and Total 13", page, err)
			}
		})
	}
}
