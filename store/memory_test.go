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
	storetest.Run(t, func(*testing.T) store.Store { return store.NewMemoryWith(store.MemoryConfig{Feed: true}) })
}

// TestMemoryConformanceFeedOff runs the kit on the default memory store,
// whose change feed is off: everything but the feed checks applies.
func TestMemoryConformanceFeedOff(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return store.NewMemory() })
}

// TestMemoryFeedOff shows that a memory store without MemoryConfig.Feed
// records nothing and says so: every Feed method fails with an error
// wrapping errors.ErrUnsupported, and store.FeedOf reports no feed.
func TestMemoryFeedOff(t *testing.T) {
	ctx := context.Background()
	s := store.NewMemory()
	if _, err := s.Create(ctx, user("a")); err != nil {
		t.Fatal(err)
	}
	if _, ok := store.FeedOf(s); ok {
		t.Error("FeedOf(NewMemory()) = true; the feed is off")
	}
	now := time.Now()
	for name, err := range map[string]error{
		"ReadFeed":  func() error { _, err := s.ReadFeed(ctx, 0, 10); return err }(),
		"WaitFeed":  s.WaitFeed(ctx, 0),
		"Lease":     func() error { _, err := s.Lease(ctx, "c", "h", now, now.Add(time.Minute)); return err }(),
		"Ack":       s.Ack(ctx, "c", "h", 1, now, now),
		"PruneFeed": func() error { _, err := s.PruneFeed(ctx, now); return err }(),
	} {
		if !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("%s: %v, want an error wrapping errors.ErrUnsupported", name, err)
		}
	}
	on := store.NewMemoryWith(store.MemoryConfig{Feed: true})
	if _, err := on.Create(ctx, user("a")); err != nil {
		t.Fatal(err)
	}
	if f, ok := store.FeedOf(on); !ok {
		t.Error("FeedOf(Feed: true) = false")
	} else if evs, err := f.ReadFeed(ctx, 0, 10); err != nil || len(evs) != 1 {
		t.Errorf("ReadFeed = %d events, %v; want the create", len(evs), err)
	}
}

func TestMemoryConformanceWithCounterIDs(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store {
		var n int
		return store.NewMemoryWith(store.MemoryConfig{NewID: func() string { n++; return strconv.Itoa(n) },
			Feed: true, FeedRetention: store.Retention{MaxAge: time.Hour}})
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

// TestMemoryVersionsPerTenant checks that each tenant's versions count only
// its own writes: a tenant cannot read the pace of another's provisioning
// from its ETags.
func TestMemoryVersionsPerTenant(t *testing.T) {
	s := store.NewMemoryWith(store.MemoryConfig{
		Tenant: func(ctx context.Context) string { v, _ := ctx.Value(tenantKey{}).(string); return v },
	})
	a := context.WithValue(context.Background(), tenantKey{}, "a")
	b := context.WithValue(context.Background(), tenantKey{}, "b")
	first, err := s.Create(a, user("one"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := s.Create(b, user(fmt.Sprint("b", i))); err != nil {
			t.Fatal(err)
		}
	}
	second, err := s.Create(a, user("two"))
	if err != nil {
		t.Fatal(err)
	}
	if first.Meta.Version != "1" || second.Meta.Version != "2" {
		t.Errorf("tenant a's versions are %s and %s around 5 writes of tenant b; want 1 and 2", first.Meta.Version, second.Meta.Version)
	}
}
