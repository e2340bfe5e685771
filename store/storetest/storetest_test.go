package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

func TestRunMemory(t *testing.T) {
	Run(t, func(*testing.T) store.Store { return store.NewMemory() })
}

func TestRunNaive(t *testing.T) {
	Run(t, func(*testing.T) store.Store { return &naive{} })
}

func mustKit(t *testing.T, cfg Config) *kit {
	t.Helper()
	k, err := newKit(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// bare hides the optional capabilities of the store it holds.
type bare struct{ store.Store }

func TestRunWithoutCapabilities(t *testing.T) {
	rec := newRecorder(func() store.Store { return bare{&naive{}} })
	runAll(rec, mustKit(t, Config{}))
	if failed := rec.failedTests(); len(failed) != 0 {
		t.Errorf("checks failed on a correct store without optional capabilities: %v\n%s", failed, rec.log())
	}
	want := []string{"Feed", "FeedConcurrent", "FeedLease", "FeedPrune", "FeedWait", "GroupsOf", "ListAfter", "ListAfterChanges", "PatchMembers", "PatchMembersConcurrent"}
	if diff := cmp.Diff(want, rec.skippedTests()); diff != "" {
		t.Errorf("skipped checks (-want +got):\n%s", diff)
	}
}

// TestRunCatches runs the checks on stores broken in one way each and
// asserts that the checks named for that breakage fail, with the zero
// Config and with trimmedConfig.
func TestRunCatches(t *testing.T) {
	tests := []struct {
		name, reason string
		broken       breakage
		wantFailed   []string
		// trimmedFailed, when not nil, replaces wantFailed under
		// trimmedConfig, which keeps less data to check with.
		trimmedFailed []string
	}{
		{
			name: "correct", reason: "the reference store passes everything",
		},
		{
			name: "ignores ifVersion", reason: "a stale ifVersion must give ErrVersionMismatch and change nothing",
			broken:     breakage{ignoreIfVersion: true},
			wantFailed: []string{"Replace", "Delete", "ConcurrentReplaceSameVersion", "PatchMembers"},
		},
		{
			name: "no uniqueness", reason: "userName must be unique",
			broken:     breakage{noUniqueness: true},
			wantFailed: []string{"Replace", "Uniqueness", "ConcurrentCreateSameUserName"},
		},
		{
			name: "case-sensitive uniqueness", reason: "userName is compared case-insensitively",
			broken:     breakage{caseSensitiveUnique: true},
			wantFailed: []string{"Replace", "Uniqueness", "ConcurrentCreateSameUserName"},
		},
		{
			name: "unique externalId", reason: "externalId must not be unique",
			broken:     breakage{uniqueExternalID: true},
			wantFailed: []string{"ExternalIDNotUnique"},
			// The trimmed store keeps no externalId: nothing to catch.
			trimmedFailed: []string{},
		},
		{
			name: "version kept", reason: "every write must give a new version",
			broken:     breakage{keepVersion: true},
			wantFailed: []string{"Replace", "NoLostUpdates"},
		},
		{
			name: "created reset", reason: "Replace keeps Meta.Created",
			broken:     breakage{resetCreated: true},
			wantFailed: []string{"Replace"},
		},
		{
			name: "members kept", reason: "a deleted user leaves every group",
			broken:     breakage{keepMembers: true},
			wantFailed: []string{"DeleteUserLeavesGroups", "PatchMembers"},
		},
		{
			name: "accepts dangling members", reason: "a group member must name an existing user or group",
			broken:     breakage{danglingMembers: true},
			wantFailed: []string{"MemberReferences"},
		},
		{
			name: "unwrapped not found", reason: "errors must wrap ErrNotFound",
			broken:     breakage{unwrappedNotFound: true},
			wantFailed: []string{"Get", "Replace", "Delete"},
		},
		{
			name: "filter ignored", reason: "List must apply the filter",
			broken:        breakage{ignoreFilter: true},
			wantFailed:    []string{"Filter", "ExternalIDNotUnique", "DeleteUserLeavesGroups"},
			trimmedFailed: []string{"Filter", "DeleteUserLeavesGroups"},
		},
		{
			name: "total of the page", reason: "Total counts all matches, not the page",
			broken:     breakage{pageTotal: true},
			wantFailed: []string{"List", "Filter"},
		},
		{
			name: "unstable order", reason: "every List of one result has the same order",
			broken:     breakage{unstableOrder: true},
			wantFailed: []string{"List"},
		},
		{
			name: "start index ignored", reason: "pages start at StartIndex",
			broken:     breakage{ignoreStartIndex: true},
			wantFailed: []string{"List", "Filter"},
		},
		{
			name: "argument modified", reason: "a Resource passed to a store is a value",
			broken:     breakage{setArgumentID: true},
			wantFailed: []string{"Create"},
		},
		{
			name: "racy uniqueness", reason: "the uniqueness check and the insert must be atomic",
			broken:     breakage{racyCreate: true},
			wantFailed: []string{"ConcurrentCreateSameUserName"},
		},
		{
			name: "racy version check", reason: "the version check and the write must be atomic",
			broken:     breakage{racyReplace: true},
			wantFailed: []string{"ConcurrentReplaceSameVersion", "NoLostUpdates"},
		},
		{
			name: "sort missing first", reason: "resources without a value sort last ascending and first descending",
			broken:     breakage{sortMissingFirst: true},
			wantFailed: []string{"SortBy"},
		},
		{
			name: "sort case-sensitively", reason: "strings sort by the attribute's caseExact rule",
			broken:     breakage{sortCaseSensitive: true},
			wantFailed: []string{"SortBy"},
		},
		{
			name: "sort ignores primary", reason: "a multi-valued attribute sorts by its primary value",
			broken:     breakage{sortFirstValue: true},
			wantFailed: []string{"SortBy"},
			// The trimmed store declares no multi-valued attribute with
			// primary values: nothing to catch.
			trimmedFailed: []string{},
		},
		{
			name: "sort reverses ties", reason: "ties keep the default order also when descending",
			broken:     breakage{sortUnstableDescending: true},
			wantFailed: []string{"SortBy"},
		},
		{
			name: "patch loses concurrent adds", reason: "a delta is applied atomically",
			broken:     breakage{racyPatch: true},
			wantFailed: []string{"PatchMembersConcurrent"},
		},
		{
			name: "patch keeps the version", reason: "every change gives a new version",
			broken:     breakage{patchKeepsVersion: true},
			wantFailed: []string{"PatchMembers", "PatchMembersConcurrent"},
		},
		{
			name: "patch reports present members", reason: "Added lists only the values really added",
			broken:     breakage{patchReportsAll: true},
			wantFailed: []string{"PatchMembers"},
		},
		{
			name: "patch mutates", reason: "resources handed out earlier never change",
			broken:     breakage{patchInPlace: true},
			wantFailed: []string{"PatchMembers"},
		},
		{
			name: "cursor skips after a delete", reason: "a position that is an offset moves when a resource before it goes",
			broken:     breakage{cursorOffset: true},
			wantFailed: []string{"ListAfterChanges"},
		},
		{
			name: "cursor never ends", reason: "Next is empty when nothing follows",
			broken:     breakage{cursorNextAtEnd: true},
			wantFailed: []string{"ListAfter"},
		},
		{
			name: "loses a declared attribute", reason: "every attribute the store declares must be kept",
			broken:     breakage{dropFamilyName: true},
			wantFailed: []string{"Create", "Replace", "Filter", "SortBy"},
		},
		{
			name: "nests groups", reason: "a store that declares no nested groups must refuse a group as a member",
			broken: breakage{nestedGroups: true}, trimmedFailed: []string{"MemberReferences"},
		},
	}
	for _, tc := range tests {
		for _, trimmed := range []bool{false, true} {
			name, cfg, want := tc.name, Config{}, tc.wantFailed
			if trimmed {
				name, cfg = name+"/trimmed", trimmedConfig()
				if tc.trimmedFailed != nil {
					want = tc.trimmedFailed
				}
			}
			t.Run(name, func(t *testing.T) {
				rec := newRecorder(func() store.Store { return &naive{broken: tc.broken, usersOnly: cfg.NoNestedGroups} })
				runAll(rec, mustKit(t, cfg))
				failed := rec.failedTests()
				if len(want) == 0 {
					if len(failed) != 0 {
						t.Errorf("checks failed on a correct store: %v\n%s", failed, rec.log())
					}
					return
				}
				for _, name := range want {
					if !slices.Contains(failed, name) {
						t.Errorf("check %s passed on a store with this defect; failed: %v (%s)", name, failed, tc.reason)
					}
				}
			})
		}
	}
}

// TestRecorder shows the recorder reports like testing.T: Fatalf ends the
// subtest, Errorf does not, failures are recorded per subtest.
func TestRecorder(t *testing.T) {
	rec := newRecorder(func() store.Store { return nil })
	reached := false
	rec.Run("a", func(t tb) {
		t.Errorf("first")
		t.Fatalf("second")
		reached = true
	})
	rec.Run("b", func(tb) {})
	rec.Run("c", func(t tb) {
		t.Run("d", func(t tb) { t.Errorf("nested") })
	})
	rec.Run("e", func(t tb) {
		t.Skipf("not here")
		reached = true
	})
	if reached {
		t.Errorf("code after Fatalf or Skipf ran")
	}
	if diff := cmp.Diff([]string{"e"}, rec.skippedTests()); diff != "" {
		t.Errorf("skipped subtests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a", "c", "c/d"}, rec.failedTests()); diff != "" {
		t.Errorf("failed subtests (-want +got):\n%s", diff)
	}
	if want := "a: first\na: second\nc/d: nested\ne: skipped: not here\n"; rec.log() != want {
		t.Errorf("log = %q, want %q", rec.log(), want)
	}
}

// recorder implements tb without failing the real test, recording which
// subtests failed and why.
type recorder struct {
	name     string
	newStore func() store.Store
	shared   *recording
}

type recording struct {
	mu      sync.Mutex
	failed  []string
	skipped []string
	lines   []string
}

func newRecorder(newStore func() store.Store) *recorder {
	return &recorder{newStore: newStore, shared: &recording{}}
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	s := r.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	for name := r.name; name != ""; {
		if !slices.Contains(s.failed, name) {
			s.failed = append(s.failed, name)
		}
		i := strings.LastIndexByte(name, '/')
		if i < 0 {
			break
		}
		name = name[:i]
	}
	s.lines = append(s.lines, r.name+": "+fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	s := r.shared
	s.mu.Lock()
	s.skipped = append(s.skipped, r.name)
	s.lines = append(s.lines, r.name+": skipped: "+fmt.Sprintf(format, args...))
	s.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) skippedTests() []string {
	r.shared.mu.Lock()
	defer r.shared.mu.Unlock()
	return slices.Sorted(slices.Values(r.shared.skipped))
}

func (r *recorder) Run(name string, f func(t tb)) bool {
	child := &recorder{name: name, newStore: r.newStore, shared: r.shared}
	if r.name != "" {
		child.name = r.name + "/" + name
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(child)
	}()
	<-done
	return !slices.Contains(r.failedTests(), child.name)
}

func (r *recorder) Store() store.Store { return r.newStore() }

func (r *recorder) failedTests() []string {
	r.shared.mu.Lock()
	defer r.shared.mu.Unlock()
	return slices.Sorted(slices.Values(r.shared.failed))
}

func (r *recorder) log() string {
	r.shared.mu.Lock()
	defer r.shared.mu.Unlock()
	var b strings.Builder
	for _, l := range r.shared.lines {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// breakage selects the defects of a naive store.
type breakage struct {
	ignoreIfVersion     bool // Replace and Delete ignore ifVersion
	noUniqueness        bool // userName is not unique
	caseSensitiveUnique bool // userName is unique case-sensitively
	uniqueExternalID    bool // externalId is unique too
	keepVersion         bool // Replace keeps the version
	resetCreated        bool // Replace sets Created anew
	keepMembers         bool // Delete leaves members in groups
	danglingMembers     bool // members need not name existing resources
	unwrappedNotFound   bool // not-found errors do not wrap ErrNotFound
	ignoreFilter        bool // List returns everything
	pageTotal           bool // Total is the length of the page
	unstableOrder       bool // every other List reverses the order
	ignoreStartIndex    bool // pages always start at the first result
	setArgumentID       bool // Create writes the new id into its argument
	racyCreate          bool // the uniqueness check and the insert are not atomic
	racyReplace         bool // the version check and the write are not atomic

	sortMissingFirst       bool // resources without a value sort first
	sortCaseSensitive      bool // strings sort case-sensitively always
	sortFirstValue         bool // multi-valued attributes sort by their first value
	sortUnstableDescending bool // descending reverses ties too

	racyPatch         bool // PatchMembers reads and writes in two steps
	patchKeepsVersion bool // PatchMembers never changes the version
	patchReportsAll   bool // Added lists every value of MemberDelta.Add
	patchInPlace      bool // PatchMembers appends to the stored member list

	cursorOffset    bool // positions are offsets into the result
	cursorNextAtEnd bool // the last page has a Next too

	dropFamilyName bool // Create and Replace lose name.familyName
	nestedGroups   bool // groups may list groups although the store is usersOnly
}

// naive is a simple, slow reference Store, correct unless broken says
// otherwise.
type naive struct {
	broken breakage
	// usersOnly makes group members name users only (no nested groups).
	usersOnly bool
	mu        sync.Mutex
	res       []*store.Resource  // creation order
	live      map[[2]string]bool // type and id of every resource in res
	ids       int
	version   int
	listCalls int
}

func (s *naive) notFound(typ, id string) error {
	if s.broken.unwrappedNotFound {
		return fmt.Errorf("no %s %q", typ, id)
	}
	return fmt.Errorf("%w: %s %q", store.ErrNotFound, typ, id)
}

func (s *naive) find(typ, id string) int {
	return slices.IndexFunc(s.res, func(r *store.Resource) bool { return r.Type == typ && r.ID == id })
}

func (s *naive) nextVersion() string {
	s.version++
	return fmt.Sprint(s.version)
}

func (s *naive) conflict(r *store.Resource) error {
	for _, o := range s.res {
		if o.Type != r.Type || o.ID == r.ID {
			continue
		}
		if r.Type == "User" && !s.broken.noUniqueness {
			a, _ := o.Attributes["userName"].(string)
			b, _ := r.Attributes["userName"].(string)
			if a == b || (!s.broken.caseSensitiveUnique && strings.EqualFold(a, b)) {
				return fmt.Errorf("%w: userName %q", store.ErrConflict, b)
			}
		}
		if s.broken.uniqueExternalID {
			if a, ok := o.Attributes["externalId"].(string); ok && a == r.Attributes["externalId"] {
				return fmt.Errorf("%w: externalId %q", store.ErrConflict, a)
			}
		}
	}
	return nil
}

// checkMember returns a *store.ReferenceError unless the member element
// el of the group self names an existing resource: a group for type
// "Group", a user for type "User", either without a type. A group may
// name itself. s.mu must be held.
func (s *naive) checkMember(el any, self string) error {
	m, _ := el.(map[string]any)
	v, _ := m["value"].(string)
	if s.broken.danglingMembers || v == self && (!s.usersOnly || s.broken.nestedGroups) {
		return nil
	}
	typ, _ := m["type"].(string)
	user, group := s.live[[2]string{"User", v}], s.live[[2]string{"Group", v}]
	if s.usersOnly && !s.broken.nestedGroups {
		if typ != "Group" && user {
			return nil
		}
		return &store.ReferenceError{Attribute: "members", Value: v}
	}
	if typ == "Group" && group || typ == "User" && user || typ != "Group" && typ != "User" && (user || group) {
		return nil
	}
	return &store.ReferenceError{Attribute: "members", Value: v}
}

// checkMembers checks every member of the group r (see checkMember).
// s.mu must be held.
func (s *naive) checkMembers(r *store.Resource) error {
	if r.Type != "Group" {
		return nil
	}
	members, _ := r.Attributes["members"].([]any)
	for _, el := range members {
		if err := s.checkMember(el, r.ID); err != nil {
			return err
		}
	}
	return nil
}

func (s *naive) Create(_ context.Context, r *store.Resource) (*store.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.conflict(r); err != nil {
		return nil, err
	}
	if err := s.checkMembers(&store.Resource{Type: r.Type, Attributes: r.Attributes}); err != nil {
		return nil, err
	}
	if s.broken.racyCreate {
		s.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		s.mu.Lock()
	}
	now := time.Now().UTC()
	s.ids++
	out := &store.Resource{Type: r.Type, ID: fmt.Sprintf("id-%d", s.ids), Attributes: s.lose(r.Attributes),
		Meta: store.Meta{Created: now, LastModified: now, Version: s.nextVersion()}}
	if s.broken.setArgumentID {
		r.ID = out.ID
	}
	s.res = append(s.res, out)
	if s.live == nil {
		s.live = map[[2]string]bool{}
	}
	s.live[[2]string{out.Type, out.ID}] = true
	return out, nil
}

// lose returns attrs without the attributes the store loses.
func (s *naive) lose(attrs map[string]any) map[string]any {
	name, ok := attrs["name"].(map[string]any)
	if _, has := name["familyName"]; !s.broken.dropFamilyName || !ok || !has {
		return attrs
	}
	out := maps.Clone(attrs)
	name = maps.Clone(name)
	delete(name, "familyName")
	out["name"] = name
	if len(name) == 0 {
		delete(out, "name")
	}
	return out
}

func (s *naive) Get(_ context.Context, typ, id string) (*store.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := s.find(typ, id); i >= 0 {
		return s.res[i], nil
	}
	return nil, s.notFound(typ, id)
}

func (s *naive) checkVersion(cur *store.Resource, ifVersion string) error {
	if ifVersion != "" && ifVersion != cur.Meta.Version && !s.broken.ignoreIfVersion {
		return fmt.Errorf("%w: %q", store.ErrVersionMismatch, ifVersion)
	}
	return nil
}

func (s *naive) Replace(_ context.Context, r *store.Resource, ifVersion string) (*store.Resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.find(r.Type, r.ID)
	if i < 0 {
		return nil, s.notFound(r.Type, r.ID)
	}
	if err := s.checkVersion(s.res[i], ifVersion); err != nil {
		return nil, err
	}
	if err := s.conflict(r); err != nil {
		return nil, err
	}
	if err := s.checkMembers(r); err != nil {
		return nil, err
	}
	if s.broken.racyReplace {
		s.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		s.mu.Lock()
		if i = s.find(r.Type, r.ID); i < 0 {
			return nil, s.notFound(r.Type, r.ID)
		}
	}
	old := s.res[i]
	out := &store.Resource{Type: old.Type, ID: old.ID, Attributes: s.lose(r.Attributes),
		Meta: store.Meta{Created: old.Meta.Created, LastModified: time.Now().UTC(), Version: s.nextVersion()}}
	if s.broken.keepVersion {
		out.Meta.Version = old.Meta.Version
	}
	if s.broken.resetCreated {
		out.Meta.Created = out.Meta.LastModified
	}
	s.res[i] = out
	return out, nil
}

func (s *naive) Delete(_ context.Context, typ, id, ifVersion string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.find(typ, id)
	if i < 0 {
		return s.notFound(typ, id)
	}
	if err := s.checkVersion(s.res[i], ifVersion); err != nil {
		return err
	}
	s.res = slices.Delete(s.res, i, i+1)
	delete(s.live, [2]string{typ, id})
	if typ != "User" || s.broken.keepMembers {
		return nil
	}
	for j, g := range s.res {
		members, _ := g.Attributes["members"].([]any)
		kept := slices.DeleteFunc(slices.Clone(members), func(m any) bool {
			mm, _ := m.(map[string]any)
			return mm["value"] == id
		})
		if g.Type != "Group" || len(kept) == len(members) {
			continue
		}
		attrs := map[string]any{}
		for k, v := range g.Attributes {
			attrs[k] = v
		}
		attrs["members"] = kept
		if len(kept) == 0 {
			delete(attrs, "members")
		}
		s.res[j] = &store.Resource{Type: g.Type, ID: g.ID, Attributes: attrs,
			Meta: store.Meta{Created: g.Meta.Created, LastModified: time.Now().UTC(), Version: s.nextVersion()}}
	}
	return nil
}

// matches returns the resources of typ that match q.Filter, sorted by
// q.SortBy. s.mu must be held.
func (s *naive) matches(typ string, q store.Query) []*store.Resource {
	var match []*store.Resource
	for _, r := range s.res {
		if r.Type == typ && (q.Filter == nil || s.broken.ignoreFilter || filter.Match(q.Filter, r.Object())) {
			match = append(match, r)
		}
	}
	if q.SortBy.Name == "" {
		return match
	}
	sortFn := slices.SortStableFunc[[]*store.Resource]
	if s.broken.sortUnstableDescending && q.Descending {
		sortFn = func(x []*store.Resource, cmp func(a, b *store.Resource) int) {
			slices.SortStableFunc(x, func(a, b *store.Resource) int { return -cmp(b, a) })
			slices.Reverse(x)
			slices.SortStableFunc(x, cmp)
		}
	}
	sortFn(match, func(a, b *store.Resource) int {
		ka, oka := s.sortKey(a, q.SortBy)
		kb, okb := s.sortKey(b, q.SortBy)
		switch {
		case !oka && !okb:
			return 0
		}
		c := 0
		switch x := ka.(type) {
		case nil: // missing: ordered below
		case string:
			if y, ok := kb.(string); ok {
				c = strings.Compare(x, y)
			}
		case time.Time:
			if y, ok := kb.(time.Time); ok {
				c = x.Compare(y)
			}
		case bool:
			y, _ := kb.(bool)
			switch {
			case !okb:
			case !x && y:
				c = -1
			case x && !y:
				c = 1
			}
		}
		if !oka || !okb { // missing values order after every value
			c = 1
			if !okb {
				c = -1
			}
			if s.broken.sortMissingFirst {
				c = -c
			}
		}
		if q.Descending {
			c = -c
		}
		return c
	})
	return match
}

// sortKey returns the value r sorts by for p, and false if it has none.
func (s *naive) sortKey(r *store.Resource, p filter.AttrPath) (any, bool) {
	pick := func(v any) any {
		list, ok := v.([]any)
		if !ok {
			return v
		}
		if !s.broken.sortFirstValue {
			for _, e := range list {
				if m, ok := e.(map[string]any); ok && m["primary"] == true {
					return e
				}
			}
		}
		if len(list) == 0 {
			return nil
		}
		return list[0]
	}
	m := r.Object()
	if p.URN != "" {
		m, _ = m[p.URN].(map[string]any)
	}
	v := pick(m[p.Name])
	if p.Sub != "" {
		sub, _ := v.(map[string]any)
		v = pick(sub[p.Sub])
	}
	leaf := p.Leaf()
	switch x := v.(type) {
	case string:
		if leaf != nil && leaf.Type == schema.DateTime {
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return t, true
			}
		}
		if leaf != nil && !leaf.CaseExact && !s.broken.sortCaseSensitive {
			x = strings.ToLower(x)
		}
		return x, true
	case bool:
		return x, true
	}
	return nil, false
}

func (s *naive) List(_ context.Context, typ string, q store.Query) (*store.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	match := s.matches(typ, q)
	s.listCalls++
	if s.broken.unstableOrder && s.listCalls%2 == 0 {
		slices.Reverse(match)
	}
	start := q.StartIndex - 1
	if s.broken.ignoreStartIndex {
		start = 0
	}
	lo := min(start, len(match))
	hi := min(lo+q.Count, len(match))
	page := &store.Page{Resources: match[lo:hi], Total: len(match)}
	if s.broken.pageTotal {
		page.Total = len(page.Resources)
	}
	return page, nil
}

// PatchMembers applies d by rewriting the member list. A RemoveAll
// reports every old member removed and every new one added.
func (s *naive) PatchMembers(_ context.Context, typ, id string, d store.MemberDelta, ifVersion string) (*store.MemberResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.find(typ, id)
	if i < 0 {
		return nil, s.notFound(typ, id)
	}
	if err := s.checkVersion(s.res[i], ifVersion); err != nil {
		return nil, err
	}
	if typ == "Group" && d.Attribute == "members" {
		for _, el := range d.Add {
			if err := s.checkMember(el, id); err != nil {
				return nil, err
			}
		}
	}
	cur := s.res[i]
	if s.broken.racyPatch {
		s.mu.Unlock()
		time.Sleep(time.Millisecond)
		s.mu.Lock()
		if i = s.find(typ, id); i < 0 {
			return nil, s.notFound(typ, id)
		}
	}
	old, _ := cur.Attributes[d.Attribute].([]any)
	out := &store.MemberResult{}
	value := func(e any) string {
		m, _ := e.(map[string]any)
		v, _ := m["value"].(string)
		return v
	}
	var kept []any
	switch {
	case s.broken.patchInPlace && !d.RemoveAll && len(d.Remove) == 0:
		kept = old
	case !d.RemoveAll && len(d.Remove) == 0:
		kept = slices.Clone(old)
	default:
		for _, e := range old {
			if d.RemoveAll || slices.Contains(d.Remove, value(e)) {
				out.Removed = append(out.Removed, value(e))
				continue
			}
			kept = append(kept, e)
		}
	}
	present := make(map[string]bool, len(d.Add))
	for _, e := range d.Add {
		present[value(e)] = false
	}
	for _, k := range kept {
		if _, ok := present[value(k)]; ok {
			present[value(k)] = true
		}
	}
	for _, e := range d.Add {
		v := value(e)
		if s.broken.patchReportsAll {
			out.Added = append(out.Added, v)
		}
		if present[v] {
			continue
		}
		present[v] = true
		kept = append(kept, e)
		if !s.broken.patchReportsAll {
			out.Added = append(out.Added, v)
		}
	}
	attrs := map[string]any{}
	for k, v := range cur.Attributes {
		attrs[k] = v
	}
	if s.broken.patchInPlace {
		attrs = cur.Attributes
	}
	for k, v := range d.Set {
		if old, had := attrs[k]; v == nil && had || v != nil && old != v {
			out.Changed = append(out.Changed, k)
		}
		if v == nil {
			delete(attrs, k)
		} else {
			attrs[k] = v
		}
	}
	if len(kept) == 0 {
		delete(attrs, d.Attribute)
	} else {
		attrs[d.Attribute] = kept
	}
	next := &store.Resource{Type: cur.Type, ID: cur.ID, Attributes: attrs, Meta: cur.Meta}
	if len(out.Added)+len(out.Removed)+len(out.Changed) > 0 && !s.broken.patchKeepsVersion {
		next.Meta.LastModified = time.Now().UTC()
		next.Meta.Version = s.nextVersion()
	}
	s.res[i] = next
	out.Version = next.Meta.Version
	out.Resource = next
	return out, nil
}

// ListAfter pages by the number in the id: ids grow with creation, which
// is the default order. It refuses SortBy.
func (s *naive) ListAfter(_ context.Context, typ string, q store.Query, after string) (*store.Page, error) {
	if q.SortBy.Name != "" {
		return nil, fmt.Errorf("naive: no cursor for sorted lists: %w", errors.ErrUnsupported)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	match := s.matches(typ, q)
	num := func(r *store.Resource) int {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.ID, "id-"))
		return n
	}
	lo := 0
	if after != "" {
		pos, err := strconv.Atoi(after)
		if err != nil {
			return nil, fmt.Errorf("naive: bad position %q", after)
		}
		if s.broken.cursorOffset {
			lo = min(pos, len(match))
		} else {
			lo = slices.IndexFunc(match, func(r *store.Resource) bool { return num(r) > pos })
			if lo < 0 {
				lo = len(match)
			}
		}
	}
	hi := min(lo+q.Count, len(match))
	page := &store.Page{Resources: match[lo:hi], Total: len(match)}
	if hi > lo && (hi < len(match) || s.broken.cursorNextAtEnd) {
		page.Next = strconv.Itoa(num(match[hi-1]))
		if s.broken.cursorOffset {
			page.Next = strconv.Itoa(hi)
		}
	}
	return page, nil
}
