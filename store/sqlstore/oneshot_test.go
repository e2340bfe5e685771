package sqlstore

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
)

// TestSkipResource runs membership deltas whose caller needs no resource
// (in PostgreSQL, those that only add are one statement) and checks what
// they return and store, the reference check, the compare-and-swap and
// the missing group.
func TestSkipResource(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := newTestStore(t, db, d)
			ctx := context.Background()
			usersWithIDs(t, s, "u1", "u2", "u3", "u4")
			g, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{
				"displayName": "Ops", "members": []any{map[string]any{"value": "u1", "type": "User"}}}})
			if err != nil {
				t.Fatal(err)
			}
			other, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "Other"}})
			if err != nil {
				t.Fatal(err)
			}
			add := func(ms ...map[string]any) store.MemberDelta {
				return store.MemberDelta{Attribute: "members", Add: ms, SkipResource: true}
			}
			tests := []struct {
				name, reason string
				id           string
				delta        store.MemberDelta
				stale        bool
				wantErr      error
				wantRef      string // the value a *store.ReferenceError names
				added        []string
				wantMembers  []string
			}{
				{name: "add", reason: "present values are skipped, the others added in order",
					delta: add(map[string]any{"value": "u1"}, map[string]any{"value": "u3", "display": "Three"}, map[string]any{"value": "u2", "type": "User"}, map[string]any{"value": "u3"}),
					added: []string{"u3", "u2"}, wantMembers: []string{"u1", "u3", "u2"}},
				{name: "missing user", reason: "a member must name a resource", delta: add(map[string]any{"value": "u4"}, map[string]any{"value": "nobody"}),
					wantErr: store.ErrInvalidReference, wantRef: "nobody", wantMembers: []string{"u1", "u3", "u2"}},
				{name: "wrong type", reason: "a typed member must name a resource of its type", delta: add(map[string]any{"value": "u4", "type": "Group"}),
					wantErr: store.ErrInvalidReference, wantRef: "u4", wantMembers: []string{"u1", "u3", "u2"}},
				{name: "group member", reason: "an untyped member may name a group", delta: add(map[string]any{"value": other.ID}),
					added: []string{other.ID}, wantMembers: []string{"u1", "u3", "u2", other.ID}},
				{name: "stale version", reason: "ifVersion must be current", delta: add(map[string]any{"value": "u4"}), stale: true,
					wantErr: store.ErrVersionMismatch, wantMembers: []string{"u1", "u3", "u2", other.ID}},
				{name: "nothing new", reason: "the version moves even when every value is present", delta: add(map[string]any{"value": "u1"}),
					wantMembers: []string{"u1", "u3", "u2", other.ID}},
				{name: "missing group", reason: "the group must exist", id: "missing", delta: add(map[string]any{"value": "u4"}),
					wantErr: store.ErrNotFound, wantMembers: []string{"u1", "u3", "u2", other.ID}},
				{name: "a user's id", reason: "the id must name a group", id: "u1", delta: add(map[string]any{"value": "u4"}),
					wantErr: store.ErrNotFound, wantMembers: []string{"u1", "u3", "u2", other.ID}},
				{name: "remove", reason: "removals take the transaction", delta: store.MemberDelta{Attribute: "members", Remove: []string{"u3"}, SkipResource: true},
					wantMembers: []string{"u1", "u2", other.ID}},
			}
			version := g.Meta.Version
			for _, tc := range tests {
				id := g.ID
				if tc.id != "" {
					id = tc.id
				}
				ifv := version
				if tc.stale {
					ifv = "1"
				}
				res, err := s.PatchMembers(ctx, "Group", id, tc.delta, ifv)
				switch {
				case tc.wantErr != nil:
					if !errors.Is(err, tc.wantErr) {
						t.Errorf("%s: error %v, want %v (%s)", tc.name, err, tc.wantErr, tc.reason)
					}
					var re *store.ReferenceError
					if tc.wantRef != "" && (!errors.As(err, &re) || re.Value != tc.wantRef || re.Attribute != "members") {
						t.Errorf("%s: error %#v, want a ReferenceError naming members value %q", tc.name, err, tc.wantRef)
					}
				case err != nil:
					t.Fatalf("%s: %v (%s)", tc.name, err, tc.reason)
				default:
					if res.Resource != nil {
						t.Errorf("%s: a Resource came back though SkipResource was set", tc.name)
					}
					if diff := cmp.Diff(tc.added, res.Added); diff != "" {
						t.Errorf("%s: Added (-want +got):\n%s", tc.name, diff)
					}
					if want := strconv.Itoa(mustAtoi(t, version) + 1); res.Version != want {
						t.Errorf("%s: version %s, want %s", tc.name, res.Version, want)
					}
					version = res.Version
				}
				got, err := s.Get(ctx, "Group", g.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Meta.Version != version {
					t.Errorf("%s: stored version %s, want %s", tc.name, got.Meta.Version, version)
				}
				var members []string
				ms, _ := got.Attributes["members"].([]any)
				for _, m := range ms {
					members = append(members, m.(map[string]any)["value"].(string))
				}
				if diff := cmp.Diff(tc.wantMembers, members); diff != "" {
					t.Errorf("%s: members (-want +got):\n%s\nreason: %s", tc.name, diff, tc.reason)
				}
			}
			// The display given with an added member is stored.
			got, _ := s.Get(ctx, "Group", g.ID)
			if diff := cmp.Diff(map[string]any{"value": "u2", "type": "User"}, got.Attributes["members"].([]any)[1]); diff != "" {
				t.Errorf("stored member (-want +got):\n%s", diff)
			}
		})
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAddWhileDeleting adds users to a group while other clients delete
// them: whichever commits first, no member outlives its user, and an add
// that lost the race fails with the reference error.
func TestAddWhileDeleting(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := newTestStore(t, db, d)
			ctx := context.Background()
			const n = 200
			var uids []string
			for i := range n {
				uids = append(uids, "d"+strconv.Itoa(i))
			}
			usersWithIDs(t, s, uids...)
			g, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "Racing"}})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 2*n)
			for _, id := range uids {
				wg.Add(2)
				go func() {
					defer wg.Done()
					_, err := s.PatchMembers(ctx, "Group", g.ID, store.MemberDelta{Attribute: "members", Add: []map[string]any{{"value": id}}, SkipResource: true}, "")
					if err != nil && !errors.Is(err, store.ErrInvalidReference) {
						errs <- err
					}
				}()
				go func() {
					defer wg.Done()
					if err := s.Delete(ctx, "User", id, ""); err != nil {
						errs <- err
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			got, err := s.Get(ctx, "Group", g.ID)
			if err != nil {
				t.Fatal(err)
			}
			if ms, _ := got.Attributes["members"].([]any); len(ms) != 0 {
				t.Errorf("%d members outlived their users: %v", len(ms), ms)
			}
		})
	}
}

// TestCreateGroupReferences checks the reference check of a Create with
// members (one statement in PostgreSQL): a missing or mistyped member
// fails it whole, naming the value.
func TestCreateGroupReferences(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := newTestStore(t, db, d)
			ctx := context.Background()
			usersWithIDs(t, s, "u1", "u2")
			for _, tc := range []struct {
				name    string
				members []any
				wantRef string
			}{
				{"missing", []any{map[string]any{"value": "u1"}, map[string]any{"value": "ghost"}}, "ghost"},
				{"mistyped", []any{map[string]any{"value": "u2", "type": "Group"}}, "u2"},
				{"fine", []any{map[string]any{"value": "u1", "type": "User"}, map[string]any{"value": "u2"}, map[string]any{"value": "u1"}}, ""},
			} {
				g, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": tc.name, "members": tc.members}})
				var re *store.ReferenceError
				if tc.wantRef != "" {
					if !errors.As(err, &re) || re.Value != tc.wantRef {
						t.Errorf("%s: error %v, want a ReferenceError naming %q", tc.name, err, tc.wantRef)
					}
					page, err := s.List(ctx, "Group", store.Query{StartIndex: 1, Count: 10})
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range page.Resources {
						if r.Attributes["displayName"] == tc.name {
							t.Errorf("%s: the group was stored", tc.name)
						}
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				got, err := s.Get(ctx, "Group", g.ID)
				if err != nil {
					t.Fatal(err)
				}
				want := []any{map[string]any{"value": "u1", "type": "User"}, map[string]any{"value": "u2"}}
				if diff := cmp.Diff(want, got.Attributes["members"]); diff != "" {
					t.Errorf("%s: members (-want +got):\n%s", tc.name, diff)
				}
			}
		})
	}
}

// TestListGroups checks that the groups List gives with a page when asked
// (store.Query.Groups) are what GroupsOf answers for the page's ids, on the
// ordered list and on a lookup by a unique key.
func TestListGroups(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := newTestStore(t, db, d)
			ctx := context.Background()
			usersWithIDs(t, s, "u1", "u2", "u3")
			ga, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "A",
				"members": []any{map[string]any{"value": "u1"}, map[string]any{"value": "u2"}}}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "B",
				"members": []any{map[string]any{"value": "u1"}, map[string]any{"value": ga.ID, "type": "Group"}}}}); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct{ name, typ, filter string }{
				{"all users", "User", ""},
				{"one user", "User", `userName eq "U1"`},
				{"groups", "Group", ""},
				{"a missing user", "User", `userName eq "nobody"`},
			} {
				q := store.Query{StartIndex: 1, Count: 10, Groups: true}
				if tc.filter != "" {
					e, err := filter.Parser{Schema: s.info(tc.typ).rt}.Parse(tc.filter)
					if err != nil {
						t.Fatal(err)
					}
					q.Filter = e
				}
				page, err := s.List(ctx, tc.typ, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Resources) == 0 {
					continue
				}
				want, err := s.GroupsOf(ctx, ids(page.Resources))
				if err != nil {
					t.Fatal(err)
				}
				if want == nil {
					want = map[string][]store.GroupRef{}
				}
				if diff := cmp.Diff(want, page.Groups); diff != "" {
					t.Errorf("%s: Page.Groups differs from GroupsOf (-GroupsOf +Page.Groups):\n%s", tc.name, diff)
				}
				q.Groups = false
				if page, err := s.List(ctx, tc.typ, q); err != nil || page.Groups != nil {
					t.Errorf("%s without Groups: Page.Groups %v, %v; want nil", tc.name, page.Groups, err)
				}
			}
		})
	}
}

// TestKeyLookupShapes runs the key lookups where List writes them in their
// own shape, beside terms the SQL cannot translate (evaluated one
// resource at a time), with a count of zero, past the end, and through
// ListAfter: each must give what the lookup alone gives, filtered.
func TestKeyLookupShapes(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := newTestStore(t, db, d)
			ctx := context.Background()
			usersWithIDs(t, s, "u1", "u2")
			g, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "G",
				"members": []any{map[string]any{"value": "u1"}}}})
			if err != nil {
				t.Fatal(err)
			}
			// meta.version compared with anything but eq stays with
			// filter.Match; every version here is "1".
			const untranslated = `not (meta.version gt "9")`
			for _, tc := range []struct {
				typ, filter string
				want        []string
			}{
				{"User", `id eq "u1"`, []string{"u1"}},
				{"User", `id eq "u1" and ` + untranslated, []string{"u1"}},
				{"User", `userName eq "USER1" and ` + untranslated, []string{"u2"}},
				{"Group", `members[value eq "u1"]`, []string{g.ID}},
				{"Group", `members[value eq "u1"] and displayName pr`, []string{g.ID}},
				{"Group", `members.value eq "u2"`, []string{}},
				{"User", `id eq "u1" and userName eq "user1"`, []string{}},
			} {
				e, err := filter.Parser{Schema: s.info(tc.typ).rt}.Parse(tc.filter)
				if err != nil {
					t.Fatalf("%s: %v", tc.filter, err)
				}
				page, err := s.List(ctx, tc.typ, store.Query{Filter: e, StartIndex: 1, Count: 10})
				if err != nil {
					t.Fatalf("List %s: %v", tc.filter, err)
				}
				if diff := cmp.Diff(tc.want, ids(page.Resources)); diff != "" || page.Total != len(tc.want) {
					t.Errorf("List %s: total %d, ids (-want +got):\n%s", tc.filter, page.Total, diff)
				}
				for _, q := range []store.Query{{Filter: e, StartIndex: 1}, {Filter: e, StartIndex: 5, Count: 10}} {
					page, err := s.List(ctx, tc.typ, q)
					if err != nil || page.Total != len(tc.want) || len(page.Resources) != 0 {
						t.Errorf("List %s from %d, count %d: %+v, %v; want total %d and no resources", tc.filter, q.StartIndex, q.Count, page, err, len(tc.want))
					}
				}
				after, err := s.ListAfter(ctx, tc.typ, store.Query{Filter: e, Count: 10}, "")
				if err != nil {
					t.Fatalf("ListAfter %s: %v", tc.filter, err)
				}
				if diff := cmp.Diff(tc.want, ids(after.Resources)); diff != "" {
					t.Errorf("ListAfter %s: ids (-want +got):\n%s", tc.filter, diff)
				}
			}
		})
	}
}
