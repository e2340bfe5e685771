package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/scimkit/scimkit/store"
)

// cursorLister returns s as a store.CursorLister, or skips the test.
func cursorLister(t tb, s store.Store) store.CursorLister {
	t.Helper()
	cl, ok := s.(store.CursorLister)
	if !ok {
		t.Skipf("the store does not implement store.CursorLister")
	}
	return cl
}

// walk pages through every result of q with ListAfter, count at a time,
// checking Total on every page, and returns the ids in the order given.
func walk(t tb, cl store.CursorLister, typ string, q store.Query, count, total int) []string {
	t.Helper()
	var got []string
	after := ""
	for range 1000 {
		q.StartIndex, q.Count = 1, count
		page, err := cl.ListAfter(context.Background(), typ, q, after)
		if err != nil {
			t.Fatalf("ListAfter(%s, after %q): %v", typ, after, err)
		}
		if page.Total != total {
			t.Errorf("ListAfter(%s, after %q): Total %d, want %d as List gives", typ, after, page.Total, total)
		}
		if len(page.Resources) > count {
			t.Errorf("ListAfter(%s, after %q, Count %d) returned %d resources", typ, after, count, len(page.Resources))
		}
		got = append(got, ids(page.Resources)...)
		if page.Next == "" {
			return got
		}
		if len(page.Resources) == 0 {
			t.Fatalf("ListAfter(%s, after %q) returned no resources but Next %q", typ, after, page.Next)
		}
		after = page.Next
	}
	t.Fatalf("ListAfter(%s) did not reach the end in 1000 pages", typ)
	return nil
}

func (k *kit) testListAfter(t tb) {
	s := t.Store()
	cl := cursorLister(t, s)
	ctx := context.Background()
	for i := range 10 {
		mustCreate(t, s, k.newUser(fmt.Sprintf("user-%02d", i), "active", i%3 != 0, "title", fmt.Sprintf("t%d", i%4)))
	}
	mustCreate(t, s, k.newGroup("not a user"))
	active, hasActive := k.declaredFilter(t, "User", `active eq true`)
	title, hasTitle := k.declaredPath(t, "User", k.title)
	queries := []struct {
		name string
		q    store.Query
		skip bool // the store does not declare an attribute named
	}{
		{name: "all", q: store.Query{}},
		{name: "filtered", q: store.Query{Filter: active}, skip: !hasActive},
		{name: "indexed", q: store.Query{Filter: k.mustParse(t, "User", `userName eq "USER-03"`)}},
		{name: "sorted", q: store.Query{SortBy: title, Descending: true}, skip: !hasTitle},
		{name: "sorted and filtered", q: store.Query{Filter: active, SortBy: k.mustParsePath(t, "User", "userName")}, skip: !hasActive},
	}
	for _, tc := range queries {
		if tc.skip {
			continue
		}
		list := tc.q
		list.StartIndex, list.Count = 1, 1000
		want := mustList(t, s, "User", list)
		for _, count := range []int{1, 3, 4, 100} {
			q := tc.q
			if q.SortBy.Name != "" {
				q.StartIndex, q.Count = 1, count
				if _, err := cl.ListAfter(ctx, "User", q, ""); errors.Is(err, errors.ErrUnsupported) {
					continue // a store may refuse to page a sorted list by position
				}
			}
			got := walk(t, cl, "User", q, count, want.Total)
			if diff := diffStrings(ids(want.Resources), got); diff != "" {
				t.Errorf("%s: pages of %d from ListAfter differ from List (want: list, got: pages):\n%s", tc.name, count, diff)
			}
		}
	}

	// The last page has Next "", also when it is full.
	page, err := cl.ListAfter(ctx, "User", store.Query{StartIndex: 1, Count: 10}, "")
	if err != nil {
		t.Fatalf("ListAfter: %v", err)
	}
	if len(page.Resources) != 10 || page.Next != "" {
		t.Errorf("ListAfter of all 10 users in a page of 10: %d resources and Next %q, want 10 and \"\"", len(page.Resources), page.Next)
	}
	if page, err := cl.ListAfter(ctx, "Nothing", store.Query{StartIndex: 1, Count: 10}, ""); err != nil || page.Total != 0 || len(page.Resources) != 0 || page.Next != "" {
		t.Errorf("ListAfter of a type with no resources = %+v, %v; want an empty page", page, err)
	}
}

// testListAfterChanges checks that positions survive the deletion of the
// resource they were taken from and creates in between.
func (k *kit) testListAfterChanges(t tb) {
	s := t.Store()
	cl := cursorLister(t, s)
	ctx := context.Background()
	for i := range 9 {
		mustCreate(t, s, k.newUser(fmt.Sprintf("user-%d", i)))
	}
	for _, tc := range []struct {
		name string
		q    store.Query
	}{
		{name: "default order", q: store.Query{StartIndex: 1, Count: 3}},
		{name: "sorted", q: store.Query{SortBy: k.mustParsePath(t, "User", "userName"), Descending: true, StartIndex: 1, Count: 3}},
	} {
		before := mustList(t, s, "User", store.Query{SortBy: tc.q.SortBy, Descending: tc.q.Descending, StartIndex: 1, Count: 100})
		first, err := cl.ListAfter(ctx, "User", tc.q, "")
		if errors.Is(err, errors.ErrUnsupported) && tc.q.SortBy.Name != "" {
			continue
		}
		if err != nil {
			t.Fatalf("%s: ListAfter: %v", tc.name, err)
		}
		if len(first.Resources) != 3 || first.Next == "" {
			t.Fatalf("%s: first page of 3 of %d: %d resources, Next %q", tc.name, len(before.Resources), len(first.Resources), first.Next)
		}
		// Delete the resource the position was taken from and one on the
		// next page; create one.
		last := first.Resources[2]
		gone := before.Resources[4]
		for _, id := range []string{last.ID, gone.ID} {
			if err := s.Delete(ctx, "User", id, ""); err != nil {
				t.Fatalf("%s: Delete: %v", tc.name, err)
			}
		}
		added := mustCreate(t, s, k.newUser("user-new-"+tc.name))
		var rest []string
		for after := first.Next; after != ""; {
			page, err := cl.ListAfter(ctx, "User", tc.q, after)
			if err != nil {
				t.Fatalf("%s: ListAfter after deletes: %v", tc.name, err)
			}
			rest = append(rest, ids(page.Resources)...)
			if len(rest) > 100 {
				t.Fatalf("%s: ListAfter does not end", tc.name)
			}
			after = page.Next
		}
		// Every resource that followed the position and still exists comes,
		// in order; nothing from before the position or deleted comes; the
		// new one may come or not, depending on where it sorts.
		var want []string
		for _, r := range before.Resources[3:] {
			if r.ID != gone.ID {
				want = append(want, r.ID)
			}
		}
		got := slices.DeleteFunc(slices.Clone(rest), func(id string) bool { return id == added.ID })
		if diff := diffStrings(want, got); diff != "" {
			t.Errorf("%s: pages after the position of a deleted resource:\n%s", tc.name, diff)
		}
		// Start again for the next query.
		for _, r := range mustList(t, s, "User", store.Query{StartIndex: 1, Count: 100}).Resources {
			if err := s.Delete(ctx, "User", r.ID, ""); err != nil {
				t.Fatalf("Delete: %v", err)
			}
		}
		for i := range 9 {
			mustCreate(t, s, k.newUser(fmt.Sprintf("%s-%d", tc.name, i)))
		}
	}
}
