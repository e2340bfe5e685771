package store_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/storetest"
)

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return store.NewMemory() })
}

func TestMemoryConformanceWithCounterIDs(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store {
		var n int
		return store.NewMemoryWith(store.MemoryConfig{NewID: func() string { n++; return strconv.Itoa(n) }})
	})
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)

// clock returns a Now function that starts at t0 and advances by a second
// on every call.
func clock() func() time.Time {
	n := 0
	return func() time.Time {
		n++
		return t0.Add(time.Duration(n-1) * time.Second)
	}
}

func counterIDs() func() string {
	n := 0
	return func() string { n++; return fmt.Sprintf("id-%d", n) }
}

func deterministic() *store.Memory {
	return store.NewMemoryWith(store.MemoryConfig{Now: clock(), NewID: counterIDs()})
}

func user(userName string, kv ...any) *store.Resource {
	attrs := map[string]any{"userName": userName}
	for i := 0; i+1 < len(kv); i += 2 {
		attrs[kv[i].(string)] = kv[i+1]
	}
	return &store.Resource{Type: "User", Attributes: attrs}
}

func group(name string, members ...any) *store.Resource {
	attrs := map[string]any{"displayName": name}
	if len(members) > 0 {
		attrs["members"] = members
	}
	return &store.Resource{Type: "Group", Attributes: attrs}
}

func member(id string) any { return map[string]any{"value": id, "type": "User"} }

func mustCreate(t *testing.T, s store.Store, r *store.Resource) *store.Resource {
	t.Helper()
	got, err := s.Create(context.Background(), r)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return got
}

func parse(t testing.TB, typ, s string) filter.Expr {
	t.Helper()
	rt := schema.UserResourceType(schema.EnterpriseUserSchema())
	if typ == "Group" {
		rt = schema.GroupResourceType()
	}
	e, err := filter.Parser{Schema: rt}.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%s): %v", s, err)
	}
	return e
}

func TestResourceObject(t *testing.T) {
	tests := []struct {
		name, reason string
		in           *store.Resource
		want         map[string]any
	}{
		{
			name:   "stored",
			reason: "attributes plus id and meta, times in UTC with fractional seconds",
			in: &store.Resource{Type: "User", ID: "42", Attributes: map[string]any{"userName": "bjensen", "active": true},
				Meta: store.Meta{Created: t0, LastModified: t0.Add(time.Hour).In(time.FixedZone("x", 3600)), Version: "7"}},
			want: map[string]any{"userName": "bjensen", "active": true, "id": "42", "meta": map[string]any{
				"resourceType": "User", "created": "2026-03-01T12:00:00.123456789Z",
				"lastModified": "2026-03-01T13:00:00.123456789Z", "version": "7",
			}},
		},
		{
			name:   "new",
			reason: "empty and zero fields are left out",
			in:     &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "g"}},
			want:   map[string]any{"displayName": "g", "meta": map[string]any{"resourceType": "Group"}},
		},
		{
			name:   "nothing",
			reason: "a zero Resource gives an empty object",
			in:     &store.Resource{},
			want:   map[string]any{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := fmt.Sprint(tc.in.Attributes)
			if diff := cmp.Diff(tc.want, tc.in.Object()); diff != "" {
				t.Errorf("Object() mismatch (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
			if after := fmt.Sprint(tc.in.Attributes); after != before {
				t.Errorf("Object modified Attributes: %s, was %s", after, before)
			}
		})
	}
}

func TestMemoryMeta(t *testing.T) {
	s := deterministic()
	ctx := context.Background()
	in := user("bjensen")
	got := mustCreate(t, s, in)
	want := &store.Resource{Type: "User", ID: "id-1", Attributes: in.Attributes,
		Meta: store.Meta{Created: t0, LastModified: t0, Version: "1"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Create (-want +got):\n%s", diff)
	}
	if in.ID != "" || !in.Meta.Created.IsZero() {
		t.Errorf("Create modified its argument: %+v", in)
	}
	rep, err := s.Replace(ctx, &store.Resource{Type: "User", ID: "id-1", Attributes: map[string]any{"userName": "b"}}, "1")
	if err != nil {
		t.Fatal(err)
	}
	want = &store.Resource{Type: "User", ID: "id-1", Attributes: map[string]any{"userName": "b"},
		Meta: store.Meta{Created: t0, LastModified: t0.Add(time.Second), Version: "2"}}
	if diff := cmp.Diff(want, rep); diff != "" {
		t.Errorf("Replace (-want +got):\n%s", diff)
	}
	// The resource returned by Create is a value: Replace did not touch it.
	if got.Meta.Version != "1" || got.Attributes["userName"] != "bjensen" {
		t.Errorf("Replace modified the earlier resource: %+v", got)
	}
	_, err = s.Replace(ctx, &store.Resource{Type: "User", ID: "id-1", Attributes: map[string]any{"userName": "c"}}, "1")
	if want := `store: version mismatch: User "id-1" is at version "2", not "1"`; err == nil || err.Error() != want {
		t.Errorf("stale Replace: error %v, want %q", err, want)
	}
}

func TestMemoryErrors(t *testing.T) {
	ctx := context.Background()
	dupID := store.NewMemoryWith(store.MemoryConfig{NewID: func() string { return "same" }})
	mustCreate(t, dupID, user("a"))
	taken := store.NewMemory()
	mustCreate(t, taken, user("bjensen"))
	tests := []struct {
		name, reason string
		call         func() error
		wantIs       error // nil: any error
		wantMsg      string
	}{
		{
			name: "conflict names attribute and value", reason: "the handler shows the detail to the client",
			call:    func() error { _, err := taken.Create(ctx, user("BJensen")); return err },
			wantIs:  store.ErrConflict,
			wantMsg: `store: uniqueness violation: userName "BJensen" is taken`,
		},
		{
			name: "not found names type and id", reason: "for the log",
			call:    func() error { _, err := store.NewMemory().Get(ctx, "User", "x"); return err },
			wantIs:  store.ErrNotFound,
			wantMsg: `store: resource not found: User "x"`,
		},
		{
			name: "nil resource", reason: "no panic on a nil argument",
			call:    func() error { _, err := store.NewMemory().Create(ctx, nil); return err },
			wantMsg: "store: Create needs a resource with a type",
		},
		{
			name: "no type", reason: "a resource needs a type",
			call:    func() error { _, err := store.NewMemory().Create(ctx, &store.Resource{}); return err },
			wantMsg: "store: Create needs a resource with a type",
		},
		{
			name: "nil replace", reason: "no panic on a nil argument",
			call:    func() error { _, err := store.NewMemory().Replace(ctx, nil, ""); return err },
			wantMsg: "store: Replace needs a resource",
		},
		{
			name: "repeated id", reason: "a NewID that repeats itself must not overwrite a resource",
			call:    func() error { _, err := dupID.Create(ctx, user("b")); return err },
			wantMsg: `store: the id generator returned "same", which is in use`,
		},
		{
			name: "empty id", reason: "a resource needs an id",
			call: func() error {
				_, err := store.NewMemoryWith(store.MemoryConfig{NewID: func() string { return "" }}).Create(ctx, user("b"))
				return err
			},
			wantMsg: "store: the id generator returned an empty id",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil {
				t.Fatalf("no error, want %q (%s)", tc.wantMsg, tc.reason)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("error %v does not wrap %v", err, tc.wantIs)
			}
			if diff := cmp.Diff(tc.wantMsg, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
		})
	}
	if got, err := dupID.Get(ctx, "User", "same"); err != nil || got.Attributes["userName"] != "a" {
		t.Errorf("after a repeated id, Get = %v, %v; want the first resource", got, err)
	}
}

func TestMemoryCanceled(t *testing.T) {
	s := store.NewMemory()
	u := mustCreate(t, s, user("a"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := map[string]func() error{
		"Create": func() error { _, err := s.Create(ctx, user("b")); return err },
		"Get":    func() error { _, err := s.Get(ctx, "User", u.ID); return err },
		"Replace": func() error {
			_, err := s.Replace(ctx, &store.Resource{Type: "User", ID: u.ID, Attributes: u.Attributes}, "")
			return err
		},
		"Delete": func() error { return s.Delete(ctx, "User", u.ID, "") },
		"List":   func() error { _, err := s.List(ctx, "User", store.Query{StartIndex: 1, Count: 1}); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context: error %v, want context.Canceled", name, err)
		}
	}
	if got, err := s.Get(context.Background(), "User", u.ID); err != nil || got != u {
		t.Errorf("calls with a canceled context changed the store: %v, %v", got, err)
	}
}

func TestMemoryUniquenessRules(t *testing.T) {
	exactUser := schema.UserResourceType()
	exactUser.Schema.Attr("userName").CaseExact = true
	hostUser := schema.UserResourceType()
	hostUser.Schema.Attributes = append(hostUser.Schema.Attributes,
		&schema.Attribute{Name: "badge", Type: schema.String, Uniqueness: schema.UniqueGlobal},
		&schema.Attribute{Name: "aliases", Type: schema.String, MultiValued: true, Uniqueness: schema.UniqueServer})
	tests := []struct {
		name, reason string
		types        []*schema.ResourceType
		first        *store.Resource
		second       *store.Resource
		wantConflict bool
	}{
		{name: "ASCII case", reason: "userName is not caseExact",
			first: user("bjensen"), second: user("BJENSEN"), wantConflict: true},
		{name: "Kelvin sign", reason: "U+212A folds to k as in strings.EqualFold",
			first: user("kate"), second: user("\u212Aate"), wantConflict: true},
		{name: "non-ASCII case", reason: "Ö and ö are one letter case-insensitively",
			first: user("jörg"), second: user("JÖRG"), wantConflict: true},
		{name: "title case", reason: "ǅ, ǆ and Ǆ fold together",
			first: user("ǅemal"), second: user("ǆemal"), wantConflict: true},
		{name: "different", reason: "different names", first: user("a"), second: user("b")},
		{name: "caseExact", reason: "a caseExact userName is compared exactly",
			types: []*schema.ResourceType{exactUser}, first: user("bjensen"), second: user("BJensen")},
		{name: "caseExact same", reason: "a caseExact userName is still unique",
			types: []*schema.ResourceType{exactUser}, first: user("bjensen"), second: user("bjensen"), wantConflict: true},
		{name: "host attribute", reason: "every unique attribute of the core schema is enforced",
			types: []*schema.ResourceType{hostUser}, first: user("a", "badge", "B-1"), second: user("b", "badge", "b-1"), wantConflict: true},
		{name: "multi-valued", reason: "multi-valued attributes are not indexed for uniqueness",
			types: []*schema.ResourceType{hostUser}, first: user("a", "aliases", []any{"x"}), second: user("b", "aliases", []any{"x"})},
		{name: "unconfigured type", reason: "a type missing from the config has no unique attributes",
			types: []*schema.ResourceType{schema.GroupResourceType()}, first: user("a"), second: user("a")},
		{name: "externalId", reason: "externalId is not unique",
			first: user("a", "externalId", "x"), second: user("b", "externalId", "x")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := store.NewMemoryWith(store.MemoryConfig{ResourceTypes: tc.types})
			mustCreate(t, s, tc.first)
			_, err := s.Create(context.Background(), tc.second)
			if got := errors.Is(err, store.ErrConflict); got != tc.wantConflict {
				t.Errorf("second Create: error %v, want conflict %v (%s)", err, tc.wantConflict, tc.reason)
			}
			if err != nil && !tc.wantConflict {
				t.Errorf("second Create: unexpected error %v", err)
			}
		})
	}
}

// TestMemoryIndexAgreesWithScan lists by every indexed attribute and
// compares with the same filter wrapped so that no index applies.
func TestMemoryIndexAgreesWithScan(t *testing.T) {
	s := store.NewMemory()
	ctx := context.Background()
	var userIDs, groupIDs []string
	names := []string{"bjensen", "BJensen2", "jörg", "kate", "ǅemal", "a\u212Ab"}
	for i := range 300 {
		r := mustCreate(t, s, user(fmt.Sprintf("%s-%d", names[i%len(names)], i), "externalId", fmt.Sprintf("ext-%d", i%7)))
		userIDs = append(userIDs, r.ID)
	}
	for i := range 40 {
		r := mustCreate(t, s, group(fmt.Sprintf("Group %d", i%5), member(userIDs[i])))
		groupIDs = append(groupIDs, r.ID)
	}
	// Renames move resources between index keys, out of creation order.
	for i := 0; i < 300; i += 3 {
		r, err := s.Get(ctx, "User", userIDs[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Replace(ctx, &store.Resource{Type: "User", ID: r.ID,
			Attributes: map[string]any{"userName": r.Attributes["userName"], "externalId": "ext-0"}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 40; i += 4 {
		if _, err := s.Replace(ctx, &store.Resource{Type: "Group", ID: groupIDs[i], Attributes: map[string]any{"displayName": "group 1"}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < 300; i += 10 {
		if err := s.Delete(ctx, "User", userIDs[i], ""); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		typ, filter string
	}{
		{"User", `userName eq "bjensen-0"`},
		{"User", `userName eq "BJENSEN-6"`},
		{"User", `userName eq "JÖRG-2"`},
		{"User", `userName eq "KATE-3"`},
		{"User", `userName eq "ǆemal-4"`},
		{"User", `userName eq "AKB-5"`},
		{"User", `userName eq "bjensen-1"`},
		{"User", `userName eq "nobody"`},
		{"User", `externalId eq "ext-0"`},
		{"User", `externalId eq "ext-3"`},
		{"User", `externalId eq "EXT-3"`},
		{"User", `externalId eq "ext-3" and userName sw "k"`},
		{"User", `userName sw "b" and externalId eq "ext-0"`},
		{"User", `id eq "` + userIDs[5] + `"`},
		{"User", `id eq "` + userIDs[1] + `"`},
		{"User", `id eq "` + groupIDs[0] + `"`},
		{"Group", `displayName eq "group 1"`},
		{"Group", `displayName eq "GROUP 3" and members[value eq "` + userIDs[3] + `"]`},
		{"Group", `externalId eq "nothing"`},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			for _, page := range []store.Query{{StartIndex: 1, Count: 1000}, {StartIndex: 2, Count: 3}, {StartIndex: 1, Count: 0}} {
				indexed, err := s.List(ctx, tc.typ, store.Query{Filter: parse(t, tc.typ, tc.filter), StartIndex: page.StartIndex, Count: page.Count})
				if err != nil {
					t.Fatal(err)
				}
				scanned, err := s.List(ctx, tc.typ, store.Query{Filter: parse(t, tc.typ, "not (not ("+tc.filter+"))"), StartIndex: page.StartIndex, Count: page.Count})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(scanned, indexed); diff != "" {
					t.Errorf("page %+v: indexed List differs from a scan (-scan +indexed):\n%s", page, diff)
				}
			}
		})
	}
}

func TestMemoryDeleteUserUpdatesGroups(t *testing.T) {
	s := deterministic()
	ctx := context.Background()
	u := mustCreate(t, s, user("u"))                               // t0
	v := mustCreate(t, s, user("v"))                               // t0+1s
	g1 := mustCreate(t, s, group("g1", member(u.ID), member(v.ID), // t0+2s
		map[string]any{"value": u.ID, "type": "Group"})) // a group that happens to share the id
	g2 := mustCreate(t, s, group("g2", member(v.ID)))       // t0+3s
	if err := s.Delete(ctx, "User", u.ID, ""); err != nil { // now t0+4s
		t.Fatal(err)
	}
	got1, _ := s.Get(ctx, "Group", g1.ID)
	want1 := &store.Resource{Type: "Group", ID: g1.ID,
		Attributes: map[string]any{"displayName": "g1", "members": []any{member(v.ID), map[string]any{"value": u.ID, "type": "Group"}}},
		Meta:       store.Meta{Created: t0.Add(2 * time.Second), LastModified: t0.Add(4 * time.Second), Version: "5"}}
	if diff := cmp.Diff(want1, got1); diff != "" {
		t.Errorf("group with the deleted user (-want +got):\n%s", diff)
	}
	if got2, _ := s.Get(ctx, "Group", g2.ID); got2 != g2 {
		t.Errorf("a group without the deleted user was rewritten: %+v", got2)
	}
	if n := len(g1.Attributes["members"].([]any)); n != 3 {
		t.Errorf("the earlier group resource was modified: %d members", n)
	}
	page, err := s.List(ctx, "Group", store.Query{Filter: parse(t, "Group", `members[value eq "`+v.ID+`" and type eq "User"]`), StartIndex: 1, Count: 10})
	if err != nil || page.Total != 2 {
		t.Errorf("groups of the remaining user: %v, %v; want 2", page, err)
	}
}

func TestMemoryCompaction(t *testing.T) {
	s := store.NewMemory()
	ctx := context.Background()
	var want []string
	for i := range 1000 {
		r := mustCreate(t, s, user(fmt.Sprintf("u%d", i)))
		if i%3 == 0 {
			want = append(want, r.ID)
			continue
		}
		if err := s.Delete(ctx, "User", r.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for start := 1; start <= len(want); start += 7 {
		page, err := s.List(ctx, "User", store.Query{StartIndex: start, Count: 7})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != len(want) {
			t.Fatalf("Total %d, want %d", page.Total, len(want))
		}
		for _, r := range page.Resources {
			got = append(got, r.ID)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("creation order after many deletes (-want +got):\n%s", diff)
	}
}

func TestMemorySortBy(t *testing.T) {
	s := deterministic() // lastModified grows with every write
	ctx := context.Background()
	email := func(v string, primary bool) any { return map[string]any{"value": v, "primary": primary} }
	mustCreate(t, s, user("carol", "title", "b", "active", true, "emails", []any{email("z@x", false), email("a@x", true)}))
	mustCreate(t, s, user("Alice", "active", false, "emails", []any{email("m@x", false)}))
	mustCreate(t, s, user("bob", "title", "A", "active", true))
	mustCreate(t, s, user("dave", "title", "a"))
	rt := schema.UserResourceType(schema.EnterpriseUserSchema())
	tests := []struct {
		name, reason string
		sortBy       string
		descending   bool
		filter       string
		start, count int
		want         []string
	}{
		{name: "userName", reason: "case-insensitive", sortBy: "userName", want: []string{"Alice", "bob", "carol", "dave"}},
		{name: "userName descending", reason: "reversed", sortBy: "userName", descending: true, want: []string{"dave", "carol", "bob", "Alice"}},
		{name: "missing last", reason: "ties (A, a) keep creation order; no title sorts last", sortBy: "title", want: []string{"bob", "dave", "carol", "Alice"}},
		{name: "missing last descending", reason: "missing values stay last", sortBy: "title", descending: true, want: []string{"carol", "bob", "dave", "Alice"}},
		{name: "multi-valued primary", reason: "carol sorts by her primary email a@x", sortBy: "emails.value", want: []string{"carol", "Alice", "bob", "dave"}},
		{name: "boolean", reason: "false first, absent last", sortBy: "active", want: []string{"Alice", "carol", "bob", "dave"}},
		{name: "dateTime descending", reason: "meta.lastModified as instants", sortBy: "meta.lastModified", descending: true, want: []string{"dave", "bob", "Alice", "carol"}},
		{name: "filtered page", reason: "sort the matches, then page", sortBy: "userName", descending: true, filter: `active eq true`, start: 2, count: 1, want: []string{"bob"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := filter.Parser{Schema: rt}.ParseAttrPath(tc.sortBy)
			if err != nil {
				t.Fatal(err)
			}
			q := store.Query{SortBy: p, Descending: tc.descending, StartIndex: max(tc.start, 1), Count: 10}
			if tc.count > 0 {
				q.Count = tc.count
			}
			if tc.filter != "" {
				q.Filter = parse(t, "User", tc.filter)
			}
			page, err := s.List(ctx, "User", q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range page.Resources {
				got = append(got, r.Attributes["userName"].(string))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("sorted List (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
		})
	}
}

func TestMemoryConflictError(t *testing.T) {
	s := store.NewMemory()
	mustCreate(t, s, user("bjensen"))
	_, err := s.Create(context.Background(), user("BJENSEN"))
	var ce *store.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *store.ConflictError", err)
	}
	if diff := cmp.Diff(&store.ConflictError{Attribute: "userName", Value: "BJENSEN"}, ce); diff != "" {
		t.Errorf("ConflictError (-want +got):\n%s", diff)
	}
}
