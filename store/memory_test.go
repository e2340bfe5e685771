package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
	// Ids are unique per type: the group "u" shares the id of the user u.
	s := store.NewMemoryWith(store.MemoryConfig{Now: clock(), NewID: listIDs("u", "v", "u", "g1", "g2")})
	ctx := context.Background()
	u := mustCreate(t, s, user("u"))                               // t0, version 1
	v := mustCreate(t, s, user("v"))                               // t0+1s
	sub := mustCreate(t, s, group("sub"))                          // t0+2s
	g1 := mustCreate(t, s, group("g1", member(u.ID), member(v.ID), // t0+3s
		map[string]any{"value": sub.ID, "type": "Group"})) // the group that happens to share the id
	g2 := mustCreate(t, s, group("g2", member(v.ID)))       // t0+4s
	if err := s.Delete(ctx, "User", u.ID, ""); err != nil { // now t0+5s
		t.Fatal(err)
	}
	if sub.ID != u.ID {
		t.Fatalf("the group sub has the id %q, want the user's %q", sub.ID, u.ID)
	}
	got1, _ := s.Get(ctx, "Group", g1.ID)
	want1 := &store.Resource{Type: "Group", ID: g1.ID,
		Attributes: map[string]any{"displayName": "g1", "members": []any{member(v.ID), map[string]any{"value": u.ID, "type": "Group"}}},
		Meta:       store.Meta{Created: t0.Add(3 * time.Second), LastModified: t0.Add(5 * time.Second), Version: "6"}}
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

func patcher(t *testing.T, s *store.Memory, id string, d store.MemberDelta, ifVersion string) *store.MemberResult {
	t.Helper()
	if d.Attribute == "" {
		d.Attribute = "members"
	}
	res, err := s.PatchMembers(context.Background(), "Group", id, d, ifVersion)
	if err != nil {
		t.Fatalf("PatchMembers: %v", err)
	}
	return res
}

func adds(ids ...string) []map[string]any {
	out := make([]map[string]any, len(ids))
	for i, id := range ids {
		out[i] = map[string]any{"value": id, "type": "User"}
	}
	return out
}

func memberValues(r *store.Resource) []string {
	var out []string
	list, _ := r.Attributes["members"].([]any)
	for _, m := range list {
		out = append(out, m.(map[string]any)["value"].(string))
	}
	return out
}

// withUsers returns a deterministic store holding users with the given
// ids (and userNames), created at t0, t0+1s, … with versions 1, 2, …; the
// resources created afterwards get the ids "g1", "g2", ….
func withUsers(t *testing.T, ids ...string) *store.Memory {
	t.Helper()
	n := 0
	s := store.NewMemoryWith(store.MemoryConfig{Now: clock(), NewID: func() string {
		n++
		if n <= len(ids) {
			return ids[n-1]
		}
		return fmt.Sprintf("g%d", n-len(ids))
	}})
	for _, id := range ids {
		if u := mustCreate(t, s, user(id)); u.ID != id {
			t.Fatalf("user %q got the id %q", id, u.ID)
		}
	}
	return s
}

func TestMemoryPatchMembers(t *testing.T) {
	s := withUsers(t, "a", "b", "c", "d") // versions 1 to 4, t0 to t0+3s
	ctx := context.Background()
	g := mustCreate(t, s, group("g", member("a"), member("b"))) // version 5, t0+4s
	snap := fmt.Sprint(g.Attributes)

	res := patcher(t, s, g.ID, store.MemberDelta{Add: adds("c")}, g.Meta.Version)
	if diff := cmp.Diff(&store.MemberResult{Version: "6", Added: []string{"c"}}, res); diff != "" {
		t.Errorf("add (-want +got):\n%s", diff)
	}
	got1, _ := s.Get(ctx, "Group", g.ID)
	want1 := &store.Resource{Type: "Group", ID: g.ID,
		Attributes: map[string]any{"displayName": "g", "members": []any{member("a"), member("b"), member("c")}},
		Meta:       store.Meta{Created: t0.Add(4 * time.Second), LastModified: t0.Add(5 * time.Second), Version: "6"}}
	if diff := cmp.Diff(want1, got1); diff != "" {
		t.Errorf("Get after add (-want +got):\n%s", diff)
	}
	if again, _ := s.Get(ctx, "Group", g.ID); again != got1 {
		t.Errorf("a second Get built the resource again")
	}

	// Nothing changes: the version is kept and the stored resource returned.
	res = patcher(t, s, g.ID, store.MemberDelta{Set: map[string]any{"displayName": "g"}, Add: adds("a"), Remove: []string{"zz"}}, "")
	if diff := cmp.Diff(&store.MemberResult{Version: "6", Resource: got1}, res); diff != "" {
		t.Errorf("no change (-want +got):\n%s", diff)
	}
	// Removed and added back as it was: nothing changes either.
	res = patcher(t, s, g.ID, store.MemberDelta{Remove: []string{"b"}, Add: adds("b")}, "")
	if res.Version != "6" || len(res.Added)+len(res.Removed) > 0 {
		t.Errorf("remove and add back = %+v, want no change", res)
	}
	// Added back different: both.
	res = patcher(t, s, g.ID, store.MemberDelta{Remove: []string{"b"}, Add: []map[string]any{{"value": "b", "display": "Bee"}}}, "")
	if diff := cmp.Diff(&store.MemberResult{Version: "7", Added: []string{"b"}, Removed: []string{"b"}}, res); diff != "" {
		t.Errorf("replace an element (-want +got):\n%s", diff)
	}
	got3, _ := s.Get(ctx, "Group", g.ID)
	if diff := cmp.Diff([]any{member("a"), member("c"), map[string]any{"value": "b", "display": "Bee"}}, got3.Attributes["members"]); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	// Old snapshots never change.
	if after := fmt.Sprint(g.Attributes); after != snap {
		t.Errorf("the created resource changed: %s, was %s", after, snap)
	}
	if diff := cmp.Diff(want1, got1); diff != "" {
		t.Errorf("an earlier Get result changed (-want +got):\n%s", diff)
	}

	// RemoveAll with the same elements in another order changes nothing.
	res = patcher(t, s, g.ID, store.MemberDelta{RemoveAll: true, Add: []map[string]any{{"value": "b", "display": "Bee"}, member("c").(map[string]any), member("a").(map[string]any)}}, "")
	if res.Version != "7" || len(res.Added)+len(res.Removed) > 0 {
		t.Errorf("RemoveAll with the same elements = %+v, want no change", res)
	}
	res = patcher(t, s, g.ID, store.MemberDelta{RemoveAll: true, Add: adds("c", "d", "d")}, "")
	if diff := cmp.Diff(&store.MemberResult{Version: "8", Added: []string{"d"}, Removed: []string{"a", "b"}}, res); diff != "" {
		t.Errorf("RemoveAll (-want +got):\n%s", diff)
	}
	// Set and members together.
	res = patcher(t, s, g.ID, store.MemberDelta{Set: map[string]any{"displayName": "h", "externalId": "x"}, Remove: []string{"c"}}, "")
	if diff := cmp.Diff(&store.MemberResult{Version: "9", Removed: []string{"c"}, Changed: []string{"displayName", "externalId"}}, res); diff != "" {
		t.Errorf("Set (-want +got):\n%s", diff)
	}
	// The indexes follow Set.
	page, err := s.List(ctx, "Group", store.Query{Filter: parse(t, "Group", `displayName eq "H" and externalId eq "x"`), StartIndex: 1, Count: 10})
	if err != nil || page.Total != 1 || memberValues(page.Resources[0])[0] != "d" {
		t.Errorf("List by the new displayName = %+v, %v", page, err)
	}
	page, _ = s.List(ctx, "Group", store.Query{Filter: parse(t, "Group", `displayName eq "g"`), StartIndex: 1, Count: 10})
	if page.Total != 0 {
		t.Errorf("the old displayName still finds the group")
	}
	res = patcher(t, s, g.ID, store.MemberDelta{RemoveAll: true}, "")
	got, _ := s.Get(ctx, "Group", g.ID)
	if _, ok := got.Attributes["members"]; ok || res.Version != got.Meta.Version {
		t.Errorf("after RemoveAll: %+v, version %q", got, res.Version)
	}
}

func TestMemoryPatchMembersReverseIndex(t *testing.T) {
	s := deterministic()
	ctx := context.Background()
	u1 := mustCreate(t, s, user("u1"))
	u2 := mustCreate(t, s, user("u2"))
	sub := mustCreate(t, s, group("sub"))
	g := mustCreate(t, s, group("g", member(u1.ID)))
	patcher(t, s, g.ID, store.MemberDelta{Add: append(adds(u2.ID), map[string]any{"value": sub.ID, "type": "Group"})}, "")
	patcher(t, s, g.ID, store.MemberDelta{Remove: []string{u1.ID}}, "")
	before, _ := s.Get(ctx, "Group", g.ID)
	// u1 left the group by a delta: deleting it does not write the group.
	if err := s.Delete(ctx, "User", u1.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, "Group", g.ID); got != before {
		t.Errorf("deleting a former member wrote the group: %+v", got)
	}
	if err := s.Delete(ctx, "User", u2.ID, ""); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, "Group", g.ID)
	if diff := cmp.Diff([]string{sub.ID}, memberValues(got)); diff != "" {
		t.Errorf("members after deleting a member added by a delta (-want +got):\n%s", diff)
	}
	if got.Meta.Version == before.Meta.Version {
		t.Errorf("the group's version did not change")
	}
	// Replace resets the member set and the reverse index.
	u3 := mustCreate(t, s, user("u3"))
	u4 := mustCreate(t, s, user("u4"))
	if _, err := s.Replace(ctx, &store.Resource{Type: "Group", ID: g.ID, Attributes: map[string]any{"displayName": "g", "members": []any{member(u3.ID)}}}, ""); err != nil {
		t.Fatal(err)
	}
	res := patcher(t, s, g.ID, store.MemberDelta{Add: adds(u3.ID, u4.ID)}, "")
	if diff := cmp.Diff([]string{u4.ID}, res.Added); diff != "" {
		t.Errorf("Added after Replace (-want +got):\n%s", diff)
	}
	if err := s.Delete(ctx, "User", u3.ID, ""); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Get(ctx, "Group", g.ID)
	if diff := cmp.Diff([]string{u4.ID}, memberValues(got)); diff != "" {
		t.Errorf("members after Replace, a delta and a delete (-want +got):\n%s", diff)
	}
}

func TestMemoryPatchMembersCompaction(t *testing.T) {
	ids := make([]string, 0, 1001)
	for i := range 1000 {
		ids = append(ids, strconv.Itoa(i))
	}
	s := withUsers(t, append(ids, "new")...)
	ctx := context.Background()
	g := mustCreate(t, s, group("g"))
	var want []string
	for i := range 1000 {
		v := strconv.Itoa(i)
		patcher(t, s, g.ID, store.MemberDelta{Add: adds(v)}, "")
		if i%10 == 3 {
			want = append(want, v)
		}
	}
	for i := range 1000 {
		if i%10 != 3 {
			patcher(t, s, g.ID, store.MemberDelta{Remove: []string{strconv.Itoa(i)}}, "")
		}
	}
	got, _ := s.Get(ctx, "Group", g.ID)
	if diff := cmp.Diff(want, memberValues(got)); diff != "" {
		t.Errorf("members after many removals (-want +got):\n%s", diff)
	}
	res := patcher(t, s, g.ID, store.MemberDelta{Add: adds("3", "new")}, "")
	if diff := cmp.Diff([]string{"new"}, res.Added); diff != "" {
		t.Errorf("Added after compaction (-want +got):\n%s", diff)
	}
}

func TestMemoryPatchMembersErrors(t *testing.T) {
	ctx := context.Background()
	uniqueName := schema.GroupResourceType()
	uniqueName.Schema.Attr("displayName").Uniqueness = schema.UniqueServer
	s := store.NewMemoryWith(store.MemoryConfig{ResourceTypes: []*schema.ResourceType{schema.UserResourceType(), uniqueName},
		NewID: listIDs("a", "b", "taken", "a", "g", "dup")})
	mustCreate(t, s, user("a"))
	mustCreate(t, s, user("b"))
	mustCreate(t, s, group("taken"))
	mustCreate(t, s, group("group a")) // a group with the id of the user a
	g := mustCreate(t, s, group("g", member("a")))
	dup := mustCreate(t, s, group("dup", member("a"), map[string]any{"value": "a", "type": "Group"}))
	tests := []struct {
		name, reason string
		id           string
		d            store.MemberDelta
		ifVersion    string
		wantIs       error
		wantMsg      string
	}{
		{name: "unique Set", reason: "uniqueness applies to Set", id: g.ID,
			d:      store.MemberDelta{Attribute: "members", Set: map[string]any{"displayName": "TAKEN"}, Add: adds("b")},
			wantIs: store.ErrConflict, wantMsg: `store: uniqueness violation: displayName "TAKEN" is taken`},
		{name: "stale version", reason: "ifVersion as Replace", id: g.ID, ifVersion: "1",
			d:      store.MemberDelta{Attribute: "members", Add: adds("b")},
			wantIs: store.ErrVersionMismatch, wantMsg: `store: version mismatch: Group "` + g.ID + `" is at version "` + g.Meta.Version + `", not "1"`},
		{name: "missing member", reason: "an added member must be an existing user", id: g.ID,
			d:      store.MemberDelta{Attribute: "members", Add: append(adds("b"), map[string]any{"value": "nobody"})},
			wantIs: store.ErrInvalidReference, wantMsg: `store: members names "nobody", which does not exist`},
		{name: "user as a group", reason: "a member of type Group must be an existing group", id: g.ID,
			d:      store.MemberDelta{Attribute: "members", Add: []map[string]any{{"value": "b", "type": "Group"}}},
			wantIs: store.ErrInvalidReference, wantMsg: `store: members names "b", which does not exist`},
		{name: "group as a user", reason: "a member of type User must be an existing user", id: g.ID,
			d:      store.MemberDelta{Attribute: "members", Add: []map[string]any{{"value": "taken", "type": "User"}}},
			wantIs: store.ErrInvalidReference, wantMsg: `store: members names "taken", which does not exist`},
		{name: "unknown", reason: "ErrNotFound", id: "nope",
			d:      store.MemberDelta{Attribute: "members"},
			wantIs: store.ErrNotFound, wantMsg: `store: resource not found: Group "nope"`},
		{name: "Set names members", reason: "members change by Add and Remove only", id: g.ID,
			d:      store.MemberDelta{Attribute: "members", Set: map[string]any{"members": nil}},
			wantIs: errors.ErrUnsupported, wantMsg: `store: MemberDelta.Set names the member attribute "members": unsupported operation`},
		{name: "indexed attribute", reason: "an indexed attribute holds no members", id: g.ID,
			d:      store.MemberDelta{Attribute: "externalId"},
			wantIs: errors.ErrUnsupported, wantMsg: `store: "externalId" of Group is an indexed attribute, not a member list: unsupported operation`},
		{name: "repeated values", reason: "the handler falls back to Replace", id: dup.ID,
			d:      store.MemberDelta{Attribute: "members", Add: adds("b")},
			wantIs: errors.ErrUnsupported, wantMsg: `store: "members" of Group "` + dup.ID + `" is not a list of objects with distinct values: unsupported operation`},
		{name: "no attribute", reason: "a delta names its attribute", id: g.ID,
			d: store.MemberDelta{Add: adds("b")}, wantMsg: `store: MemberDelta.Attribute is empty`},
		{name: "no value", reason: "elements need a value", id: g.ID,
			d:       store.MemberDelta{Attribute: "members", Add: []map[string]any{{"value": "b"}, {"display": "x"}}},
			wantMsg: `store: MemberDelta.Add[1] of "members" has no non-empty "value" string`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := s.Get(ctx, "Group", g.ID)
			_, err := s.PatchMembers(ctx, "Group", tc.id, tc.d, tc.ifVersion)
			if err == nil {
				t.Fatalf("no error, want %q (%s)", tc.wantMsg, tc.reason)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("error %v does not wrap %v", err, tc.wantIs)
			}
			if diff := cmp.Diff(tc.wantMsg, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
			if after, _ := s.Get(ctx, "Group", g.ID); after != before {
				t.Errorf("a failed PatchMembers changed the group: %+v", after)
			}
		})
	}
	ctxDone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.PatchMembers(ctxDone, "Group", g.ID, store.MemberDelta{Attribute: "members"}, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("PatchMembers with a canceled context: %v", err)
	}
	if _, err := s.ListAfter(ctxDone, "Group", store.Query{Count: 1}, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("ListAfter with a canceled context: %v", err)
	}
}

type tenantKey struct{}

// listIDs returns a NewID function giving ids in turn.
func listIDs(ids ...string) func() string {
	n := 0
	return func() string { n++; return ids[(n-1)%len(ids)] }
}

func TestMemoryTenants(t *testing.T) {
	s := store.NewMemoryWith(store.MemoryConfig{
		NewID:  listIDs("x", "x", "g"), // ids repeat across tenants on purpose
		Tenant: func(ctx context.Context) string { v, _ := ctx.Value(tenantKey{}).(string); return v },
	})
	a := context.WithValue(context.Background(), tenantKey{}, "a")
	b := context.WithValue(context.Background(), tenantKey{}, "b")
	ua, err := s.Create(a, user("bjensen"))
	if err != nil {
		t.Fatal(err)
	}
	// The same userName in another tenant is no conflict.
	if _, err := s.Create(b, user("BJENSEN")); err != nil {
		t.Fatalf("Create in tenant b: %v", err)
	}
	ga, err := s.Create(a, group("g", member(ua.ID)))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name, reason string
		call         func() error
	}{
		{name: "Get", reason: "another tenant's id is unknown", call: func() error { _, err := s.Get(b, "Group", ga.ID); return err }},
		{name: "Replace", reason: "another tenant's id is unknown", call: func() error {
			_, err := s.Replace(b, &store.Resource{Type: "Group", ID: ga.ID, Attributes: map[string]any{"displayName": "x"}}, "")
			return err
		}},
		{name: "Delete", reason: "another tenant's id is unknown", call: func() error { return s.Delete(b, "Group", ga.ID, "") }},
		{name: "PatchMembers", reason: "another tenant's id is unknown", call: func() error {
			_, err := s.PatchMembers(b, "Group", ga.ID, store.MemberDelta{Attribute: "members", RemoveAll: true}, "")
			return err
		}},
	}
	for _, c := range checks {
		if err := c.call(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s across tenants: error %v, want ErrNotFound (%s)", c.name, err, c.reason)
		}
	}
	for _, ctx := range []context.Context{b, context.Background()} {
		page, err := s.List(ctx, "Group", store.Query{StartIndex: 1, Count: 10})
		if err != nil || page.Total != 0 {
			t.Errorf("List of another tenant's groups = %+v, %v; want none", page, err)
		}
		page, err = s.ListAfter(ctx, "Group", store.Query{Count: 10}, "")
		if err != nil || page.Total != 0 {
			t.Errorf("ListAfter of another tenant's groups = %+v, %v; want none", page, err)
		}
	}
	// Tenant b's user with the same id as a's does not leave a's group.
	if err := s.Delete(b, "User", ua.ID, ""); err != nil {
		t.Fatalf("Delete in tenant b: %v", err)
	}
	got, err := s.Get(a, "Group", ga.ID)
	if err != nil || got != ga {
		t.Errorf("deleting tenant b's user touched tenant a's group: %+v, %v", got, err)
	}
	page, _ := s.List(a, "User", store.Query{StartIndex: 1, Count: 10})
	if page.Total != 1 || page.Resources[0] != ua {
		t.Errorf("tenant a's users = %+v, want bjensen", page)
	}
}

// TestMemoryReferencesPerTenant checks that members are looked up in the
// caller's tenant: another tenant's user is no member candidate.
func TestMemoryReferencesPerTenant(t *testing.T) {
	s := store.NewMemoryWith(store.MemoryConfig{
		Tenant: func(ctx context.Context) string { v, _ := ctx.Value(tenantKey{}).(string); return v },
	})
	a := context.WithValue(context.Background(), tenantKey{}, "a")
	b := context.WithValue(context.Background(), tenantKey{}, "b")
	ua, err := s.Create(a, user("bjensen"))
	if err != nil {
		t.Fatal(err)
	}
	gb, err := s.Create(b, group("b"))
	if err != nil {
		t.Fatal(err)
	}
	want := &store.ReferenceError{Attribute: "members", Value: ua.ID}
	checks := []struct {
		name, reason string
		call         func() error
	}{
		{name: "Create", reason: "tenant a's user is unknown in tenant b", call: func() error {
			_, err := s.Create(b, group("g", member(ua.ID)))
			return err
		}},
		{name: "Replace", reason: "tenant a's user is unknown in tenant b", call: func() error {
			_, err := s.Replace(b, &store.Resource{Type: "Group", ID: gb.ID, Attributes: map[string]any{"displayName": "b", "members": []any{member(ua.ID)}}}, "")
			return err
		}},
		{name: "PatchMembers", reason: "tenant a's user is unknown in tenant b", call: func() error {
			_, err := s.PatchMembers(b, "Group", gb.ID, store.MemberDelta{Attribute: "members", Add: adds(ua.ID)}, "")
			return err
		}},
	}
	for _, c := range checks {
		err := c.call()
		var re *store.ReferenceError
		if !errors.Is(err, store.ErrInvalidReference) || !errors.As(err, &re) {
			t.Errorf("%s across tenants: error %v, want a *store.ReferenceError (%s)", c.name, err, c.reason)
			continue
		}
		if diff := cmp.Diff(want, re); diff != "" {
			t.Errorf("%s across tenants: ReferenceError (-want +got):\n%s", c.name, diff)
		}
	}
	if got, err := s.Get(b, "Group", gb.ID); err != nil || got != gb {
		t.Errorf("failed writes changed tenant b's group: %+v, %v", got, err)
	}
	page, err := s.List(b, "Group", store.Query{StartIndex: 1, Count: 10})
	if err != nil || page.Total != 1 {
		t.Errorf("tenant b's groups = %+v, %v; want only b", page, err)
	}
	if _, err := s.Create(a, group("g", member(ua.ID))); err != nil {
		t.Errorf("Create in the user's own tenant: %v", err)
	}
}

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
