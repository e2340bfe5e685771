package sqlstore

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/store"
)

func TestPatchMembers(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := newTestStore(t, db, d)
			ctx := context.Background()
			usersWithIDs(t, s, "u1", "u2", "u3", "u4", "u9", "u10")
			g, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{
				"displayName": "Ops",
				"members":     []any{map[string]any{"value": "u1", "type": "User"}, map[string]any{"value": "u2"}},
			}})
			if err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name, reason     string
				delta            store.MemberDelta
				ifVersion        string
				wantErr          error
				added, removed   []string
				wantMembers      []string
				wantDisplayName  string
				stale, wantNoRes bool
			}{
				{name: "add", reason: "present values are skipped", delta: store.MemberDelta{Attribute: "members", Add: []map[string]any{{"value": "u2"}, {"value": "u3", "display": "Three"}}},
					added: []string{"u3"}, wantMembers: []string{"u1", "u2", "u3"}, wantDisplayName: "Ops"},
				{name: "remove", reason: "absent values are ignored", delta: store.MemberDelta{Attribute: "members", Remove: []string{"u1", "nobody"}},
					removed: []string{"u1"}, wantMembers: []string{"u2", "u3"}, wantDisplayName: "Ops"},
				{name: "rename", reason: "Set writes top-level attributes", delta: store.MemberDelta{Attribute: "members", Set: map[string]any{"displayName": "Operations"}, Add: []map[string]any{{"value": "u4"}}},
					added: []string{"u4"}, wantMembers: []string{"u2", "u3", "u4"}, wantDisplayName: "Operations"},
				{name: "replace all", reason: "RemoveAll comes before Add", delta: store.MemberDelta{Attribute: "members", RemoveAll: true, Add: []map[string]any{{"value": "u9"}}},
					added: []string{"u9"}, removed: []string{"u2", "u3", "u4"}, wantMembers: []string{"u9"}, wantDisplayName: "Operations"},
				{name: "stale version", reason: "ifVersion must be current", delta: store.MemberDelta{Attribute: "members", Add: []map[string]any{{"value": "u10"}}},
					stale: true, wantErr: store.ErrVersionMismatch, wantMembers: []string{"u9"}, wantDisplayName: "Operations"},
				{name: "wrong attribute", reason: "only members has a table", delta: store.MemberDelta{Attribute: "emails"},
					wantErr: errors.ErrUnsupported, wantMembers: []string{"u9"}, wantDisplayName: "Operations"},
			}
			version := g.Meta.Version
			for _, tc := range tests {
				ifv := version
				if tc.stale {
					ifv = "1"
				}
				res, err := s.PatchMembers(ctx, "Group", g.ID, tc.delta, ifv)
				if tc.wantErr != nil {
					if !errors.Is(err, tc.wantErr) {
						t.Errorf("%s: error %v, want %v (%s)", tc.name, err, tc.wantErr, tc.reason)
					}
				} else {
					if err != nil {
						t.Fatalf("%s: %v", tc.name, err)
					}
					if res.Version == version {
						t.Errorf("%s: version unchanged", tc.name)
					}
					version = res.Version
					if diff := cmp.Diff(tc.added, res.Added); diff != "" {
						t.Errorf("%s: Added (-want +got):\n%s", tc.name, diff)
					}
					if diff := cmp.Diff(tc.removed, res.Removed); diff != "" {
						t.Errorf("%s: Removed (-want +got):\n%s", tc.name, diff)
					}
					got, err := s.Get(ctx, "Group", g.ID)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(got, res.Resource); diff != "" {
						t.Errorf("%s: result resource differs from Get (-get +result):\n%s", tc.name, diff)
					}
				}
				got, err := s.Get(ctx, "Group", g.ID)
				if err != nil {
					t.Fatal(err)
				}
				var members []string
				ms, _ := got.Attributes["members"].([]any)
				for _, m := range ms {
					members = append(members, m.(map[string]any)["value"].(string))
				}
				if diff := cmp.Diff(tc.wantMembers, members); diff != "" {
					t.Errorf("%s: members (-want +got):\n%s\nreason: %s", tc.name, diff, tc.reason)
				}
				if got.Attributes["displayName"] != tc.wantDisplayName {
					t.Errorf("%s: displayName %v, want %q", tc.name, got.Attributes["displayName"], tc.wantDisplayName)
				}
				if got.Meta.Version != version {
					t.Errorf("%s: stored version %q, want %q", tc.name, got.Meta.Version, version)
				}
			}
			if _, err := s.PatchMembers(ctx, "Group", "missing", store.MemberDelta{Attribute: "members"}, ""); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("PatchMembers of a missing group: %v, want ErrNotFound", err)
			}
		})
	}
}

func TestPatchMembersBigGroupHasNoResource(t *testing.T) {
	db, d := openSQLite(t)
	s := newTestStore(t, db, d)
	ctx := context.Background()
	var (
		members []any
		uids    = []string{"new"}
	)
	for i := range patchResultMembers + 1 {
		members = append(members, map[string]any{"value": "u" + strconv.Itoa(i)})
		uids = append(uids, "u"+strconv.Itoa(i))
	}
	usersWithIDs(t, s, uids...)
	g, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "Big", "members": members}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.PatchMembers(ctx, "Group", g.ID, store.MemberDelta{Attribute: "members", Add: []map[string]any{{"value": "new"}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Resource != nil || res.Version == "" || !slices.Equal(res.Added, []string{"new"}) {
		t.Errorf("PatchMembers of a big group = %+v, want no Resource, a Version and Added [new]", res)
	}
}

func TestConcurrentPatchMembers(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			s := newTestStore(t, db, d)
			ctx := context.Background()
			g, err := s.Create(ctx, &store.Resource{Type: "Group", Attributes: map[string]any{"displayName": "Everyone"}})
			if err != nil {
				t.Fatal(err)
			}
			const workers, each = 8, 250
			var uids []string
			for w := range workers {
				for i := range each {
					uids = append(uids, "w"+strconv.Itoa(w)+"-"+strconv.Itoa(i))
				}
			}
			usersWithIDs(t, s, uids...)
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			versions := make([][]string, workers)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						res, err := s.PatchMembers(ctx, "Group", g.ID, store.MemberDelta{Attribute: "members",
							Add: []map[string]any{{"value": "w" + strconv.Itoa(w) + "-" + strconv.Itoa(i), "type": "User"}}}, "")
						if err != nil {
							errs <- err
							return
						}
						versions[w] = append(versions[w], res.Version)
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
			ms, _ := got.Attributes["members"].([]any)
			if len(ms) != workers*each {
				t.Errorf("after %d concurrent adds: %d members", workers*each, len(ms))
			}
			seen := map[string]bool{}
			for _, vs := range versions {
				for _, v := range vs {
					if seen[v] {
						t.Fatalf("version %s given to two writes", v)
					}
					seen[v] = true
				}
			}
			if want := strconv.Itoa(1 + workers*each); got.Meta.Version != want {
				t.Errorf("final version %s, want %s", got.Meta.Version, want)
			}
		})
	}
}
