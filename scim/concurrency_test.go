package scim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// basicStore exposes only the five methods of store.Store, hiding every
// optional capability (MemberPatcher, FilterSplitter, CursorLister) of the
// store it wraps, so that the handler takes its general paths: Get, then
// patch.Apply, then Replace with the version, retried on a version
// mismatch. It counts the Replace calls and the version mismatches.
type basicStore struct {
	s                    store.Store
	replaces, mismatches atomic.Int64
}

func (b *basicStore) Create(ctx context.Context, r *store.Resource) (*store.Resource, error) {
	return b.s.Create(ctx, r)
}

func (b *basicStore) Get(ctx context.Context, typ, id string) (*store.Resource, error) {
	return b.s.Get(ctx, typ, id)
}

func (b *basicStore) Replace(ctx context.Context, r *store.Resource, ifVersion string) (*store.Resource, error) {
	b.replaces.Add(1)
	res, err := b.s.Replace(ctx, r, ifVersion)
	if errors.Is(err, store.ErrVersionMismatch) {
		b.mismatches.Add(1)
	}
	return res, err
}

func (b *basicStore) Delete(ctx context.Context, typ, id, ifVersion string) error {
	return b.s.Delete(ctx, typ, id, ifVersion)
}

func (b *basicStore) List(ctx context.Context, typ string, q store.Query) (*store.Page, error) {
	return b.s.List(ctx, typ, q)
}

// retries describes the Replace calls the handler made, when it saw the
// store through a basicStore.
func (s *raceServer) retries() string {
	b, ok := s.st.(*basicStore)
	if !ok {
		return ""
	}
	return fmt.Sprintf("; %d Replace calls, %d of them lost a race and were retried", b.replaces.Load(), b.mismatches.Load())
}

// raceServer is a handler served over loopback HTTP, as a host serves it,
// for tests that send many requests at once.
type raceServer struct {
	t      *testing.T
	base   string
	client *http.Client
	mem    *store.Memory
	st     store.Store // what the handler sees
}

// newRaceServer serves a handler over a new memory store; wrap, if not nil,
// chooses what the handler sees of that store.
func newRaceServer(t *testing.T, wrap func(*store.Memory) store.Store) *raceServer {
	t.Helper()
	mem := store.NewMemory()
	var st store.Store = mem
	if wrap != nil {
		st = wrap(mem)
	}
	h, err := scim.NewHandler(scim.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", scim.NewBearerAuth(token).Wrap(h)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	return &raceServer{t: t, base: srv.URL + "/scim/v2", client: &http.Client{Transport: tr, Timeout: time.Minute}, mem: mem, st: st}
}

// answer is one response.
type answer struct {
	status int
	body   []byte
}

func (a answer) String() string { return fmt.Sprintf("%d %s", a.status, a.body) }

// send sends a request; it is safe for concurrent use and reports
// transport failures as status 0.
func (s *raceServer) send(method, path, body string) answer {
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		return answer{body: []byte(err.Error())}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := s.client.Do(req)
	if err != nil {
		return answer{body: []byte(err.Error())}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{body: []byte(err.Error())}
	}
	return answer{status: resp.StatusCode, body: b}
}

// mustSend sends a request from the test goroutine and fails unless the
// status is want; it returns the decoded body.
func (s *raceServer) mustSend(method, path, body string, want int) map[string]any {
	s.t.Helper()
	a := s.send(method, path, body)
	if a.status != want {
		s.t.Fatalf("%s %s: %v, want status %d", method, path, a, want)
	}
	var m map[string]any
	if len(a.body) > 0 {
		if err := json.Unmarshal(a.body, &m); err != nil {
			s.t.Fatalf("%s %s: %v: %s", method, path, err, a.body)
		}
	}
	return m
}

// create creates a resource and returns its id.
func (s *raceServer) create(endpoint, body string) string {
	s.t.Helper()
	id, _ := s.mustSend(http.MethodPost, endpoint, body, http.StatusCreated)["id"].(string)
	if id == "" {
		s.t.Fatalf("POST %s: no id", endpoint)
	}
	return id
}

// users creates n users named prefix-0 … prefix-(n-1) directly in the
// store, to be named as group members, and returns their ids.
func (s *raceServer) users(prefix string, n int) []string {
	s.t.Helper()
	ids := make([]string, n)
	for i := range ids {
		u, err := s.mem.Create(context.Background(), &store.Resource{Type: "User",
			Attributes: map[string]any{"userName": fmt.Sprintf("%s-%d@example.com", prefix, i)}})
		if err != nil {
			s.t.Fatal(err)
		}
		ids[i] = u.ID
	}
	return ids
}

// memberValues returns the member values of a stored group, in order.
func (s *raceServer) memberValues(gid string) []string {
	s.t.Helper()
	g, err := s.mem.Get(context.Background(), "Group", gid)
	if err != nil {
		s.t.Fatal(err)
	}
	members, _ := g.Attributes["members"].([]any)
	out := make([]string, 0, len(members))
	for _, m := range members {
		v, _ := m.(map[string]any)["value"].(string)
		out = append(out, v)
	}
	return out
}

// collector gathers what goroutines report.
type collector struct {
	mu   sync.Mutex
	msgs []string
}

func (c *collector) add(format string, args ...any) {
	c.mu.Lock()
	c.msgs = append(c.msgs, fmt.Sprintf(format, args...))
	c.mu.Unlock()
}

// report fails t with the first few messages.
func (c *collector) report(t *testing.T) {
	t.Helper()
	for i, m := range c.msgs {
		if i == 10 {
			t.Errorf("… and %d more", len(c.msgs)-10)
			break
		}
		t.Error(m)
	}
}

// storeVariants are the two ways the handler sees a memory store: as it
// is, with whatever optional capabilities it has, and through basicStore.
var storeVariants = []struct {
	name, reason string
	wrap         func(*store.Memory) store.Store
}{
	{"memory", "the memory store as is: atomic member deltas when it implements store.MemberPatcher", nil},
	{"get-apply-replace", "only the five Store methods: the handler's fallback with versioned Replace and retries",
		func(m *store.Memory) store.Store { return &basicStore{s: m} }},
}

// caseVariant spells s with the case of its letters flipped where the bits
// of n say so.
func caseVariant(s string, n int) string {
	b := []rune(s)
	bit := 0
	for i, r := range b {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			if n>>(bit%8)&1 == 1 {
				if r >= 'a' {
					b[i] = r - 'a' + 'A'
				} else {
					b[i] = r - 'A' + 'a'
				}
			}
			bit++
		}
	}
	return string(b)
}

// TestConcurrentCreateSameUserName sends 16 simultaneous POSTs of one
// userName in different cases, in 20 rounds: each round exactly one is
// created (201) and the others are refused with 409 uniqueness, and the
// store holds one such user.
func TestConcurrentCreateSameUserName(t *testing.T) {
	const rounds, writers = 20, 16
	s := newRaceServer(t, nil)
	begin := time.Now()
	for round := range rounds {
		name := fmt.Sprintf("race.user%d@example.com", round)
		answers := make([]answer, writers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				answers[i] = s.send(http.MethodPost, "/Users", fmt.Sprintf(`{"userName":%q,"active":true}`, caseVariant(name, i)))
			}()
		}
		close(start)
		wg.Wait()
		created := 0
		for i, a := range answers {
			switch a.status {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
				var e map[string]any
				if err := json.Unmarshal(a.body, &e); err != nil || e["scimType"] != schema.ScimUniqueness || e["status"] != "409" {
					t.Errorf("round %d writer %d: 409 without uniqueness error: %s", round, i, a.body)
				}
			default:
				t.Errorf("round %d writer %d: %v, want 201 or 409", round, i, a)
			}
		}
		if created != 1 {
			t.Errorf("round %d: %d users created, want exactly 1", round, created)
		}
		page, err := s.mem.List(context.Background(), "User", store.Query{StartIndex: 1, Count: 1000})
		if err != nil {
			t.Fatal(err)
		}
		same := 0
		for _, u := range page.Resources {
			if strings.EqualFold(u.Attributes["userName"].(string), name) {
				same++
			}
		}
		if same != 1 {
			t.Errorf("round %d: the store holds %d users named %q in some case, want 1", round, same, name)
		}
	}
	t.Logf("%d rounds of %d concurrent POSTs (%d requests) in %v", rounds, writers, rounds*writers, time.Since(begin))
}

// TestConcurrentMemberAdds has 8 goroutines each add 250 distinct users
// to one group, one Okta-shaped PATCH per member: every PATCH succeeds and
// the group ends with all 2,000, each once, whether the store applies
// member deltas itself or the handler reads, patches and replaces the
// group with retries.
func TestConcurrentMemberAdds(t *testing.T) {
	const writers, perWriter = 8, 250
	for _, v := range storeVariants {
		t.Run(v.name, func(t *testing.T) {
			s := newRaceServer(t, v.wrap)
			gid := s.create("/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Race Group","members":[]}`)
			uids := make([][]string, writers)
			for w := range uids {
				uids[w] = s.users(fmt.Sprintf("u-%d", w), perWriter)
			}
			var bad collector
			var wg sync.WaitGroup
			start := make(chan struct{})
			begin := time.Now()
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					for k := range perWriter {
						body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":%q}]}]}`, uids[w][k])
						if a := s.send(http.MethodPatch, "/Groups/"+gid, body); a.status != http.StatusNoContent {
							bad.add("writer %d member %d: %v, want 204", w, k, a)
						}
					}
				}()
			}
			close(start)
			wg.Wait()
			elapsed := time.Since(begin)
			bad.report(t)

			got := s.memberValues(gid)
			sort.Strings(got)
			var want []string
			for _, us := range uids {
				want = append(want, us...)
			}
			sort.Strings(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("members after %d concurrent adds (-want +got):\n%s", writers*perWriter, diff)
			}
			t.Logf("%s: %d goroutines, %d PATCHes in %v%s", v.reason, writers, writers*perWriter, elapsed, s.retries())
		})
	}
}

// TestConcurrentUserPatches has goroutines PATCH different attributes of one
// user at once, each writing its own attribute 20 times in a row: 10 simple
// attributes (core and Enterprise User) and 6 phone numbers of their own
// type, created through a value-filter path. No write is lost: every
// attribute ends with the last value its goroutine wrote.
func TestConcurrentUserPatches(t *testing.T) {
	const writes = 20
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	for _, v := range storeVariants {
		t.Run(v.name, func(t *testing.T) {
			s := newRaceServer(t, v.wrap)
			uid := s.create("/Users", `{"userName":"patch.race@example.com","active":true}`)
			simple := []string{"title", "nickName", "userType", "displayName", "preferredLanguage",
				ent + ":employeeNumber", ent + ":costCenter", ent + ":organization", ent + ":division", ent + ":department"}
			const phones = 6
			var bad collector
			var wg sync.WaitGroup
			start := make(chan struct{})
			write := func(path, value string) {
				body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":%q,"value":%q}]}`, path, value)
				if a := s.send(http.MethodPatch, "/Users/"+uid, body); a.status != http.StatusOK {
					bad.add("PATCH %s = %s: %v, want 200", path, value, a)
				}
			}
			begin := time.Now()
			for i, path := range simple {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					for k := range writes {
						write(path, fmt.Sprintf("a%d-%d", i, k))
					}
				}()
			}
			for p := range phones {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					for k := range writes {
						write(fmt.Sprintf(`phoneNumbers[type eq "t%d"].value`, p), fmt.Sprintf("+1 555 %02d%02d", p, k))
					}
				}()
			}
			close(start)
			wg.Wait()
			elapsed := time.Since(begin)
			bad.report(t)

			res, err := s.mem.Get(context.Background(), "User", uid)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]any{}
			for _, path := range simple {
				if name, ok := strings.CutPrefix(path, ent+":"); ok {
					e, _ := res.Attributes[ent].(map[string]any)
					got[path] = e[name]
				} else {
					got[path] = res.Attributes[path]
				}
			}
			nums, _ := res.Attributes["phoneNumbers"].([]any)
			for _, n := range nums {
				m := n.(map[string]any)
				got["phone "+fmt.Sprint(m["type"])] = m["value"]
			}
			want := map[string]any{}
			for i, path := range simple {
				want[path] = fmt.Sprintf("a%d-%d", i, writes-1)
			}
			for p := range phones {
				want[fmt.Sprintf("phone t%d", p)] = fmt.Sprintf("+1 555 %02d%02d", p, writes-1)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("attributes after concurrent PATCHes (-want +got):\n%s", diff)
			}
			if len(nums) != phones {
				t.Errorf("%d phone numbers, want %d: %v", len(nums), phones, nums)
			}
			n := (len(simple) + phones) * writes
			t.Logf("%s: %d goroutines, %d PATCHes in %v%s", v.name, len(simple)+phones, n, elapsed, s.retries())
		})
	}
}

// TestPutRacingPatch races a PUT that rewrites a user (title, displayName;
// no nickName) with a PATCH that sets its nickName, 200 times over 8 users
// at once. Whatever the timing, the result is one of the two serial
// orders: PUT then PATCH (nickName "patch") or PATCH then PUT (no
// nickName); the old title, displayName or nickName never comes back.
func TestPutRacingPatch(t *testing.T) {
	const users, rounds = 8, 25
	for _, v := range storeVariants {
		t.Run(v.name, func(t *testing.T) {
			s := newRaceServer(t, v.wrap)
			ids := make([]string, users)
			names := make([]string, users)
			for i := range ids {
				names[i] = fmt.Sprintf("put.race%d@example.com", i)
			}
			var bad collector
			begin := time.Now()
			for round := range rounds {
				for i := range ids {
					body := fmt.Sprintf(`{"userName":%q,"title":"old","nickName":"old","displayName":"old"}`, names[i])
					if ids[i] == "" {
						ids[i] = s.create("/Users", body)
					} else {
						s.mustSend(http.MethodPut, "/Users/"+ids[i], body, http.StatusOK)
					}
				}
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i, id := range ids {
					wg.Add(2)
					go func() {
						defer wg.Done()
						<-start
						body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":%q,"userName":%q,"title":"put","displayName":"put"}`, id, names[i])
						if a := s.send(http.MethodPut, "/Users/"+id, body); a.status != http.StatusOK {
							bad.add("round %d user %d: PUT: %v", round, i, a)
						}
					}()
					go func() {
						defer wg.Done()
						<-start
						if a := s.send(http.MethodPatch, "/Users/"+id, `{"Operations":[{"op":"replace","path":"nickName","value":"patch"}]}`); a.status != http.StatusOK {
							bad.add("round %d user %d: PATCH: %v", round, i, a)
						}
					}()
				}
				close(start)
				wg.Wait()
				for i, id := range ids {
					res, err := s.mem.Get(context.Background(), "User", id)
					if err != nil {
						t.Fatal(err)
					}
					got := map[string]any{"title": res.Attributes["title"], "displayName": res.Attributes["displayName"], "nickName": res.Attributes["nickName"]}
					putThenPatch := map[string]any{"title": "put", "displayName": "put", "nickName": "patch"}
					patchThenPut := map[string]any{"title": "put", "displayName": "put", "nickName": nil}
					if !cmp.Equal(got, putThenPatch) && !cmp.Equal(got, patchThenPut) {
						bad.add("round %d user %d: %v is neither PUT-then-PATCH %v nor PATCH-then-PUT %v", round, i, got, putThenPatch, patchThenPut)
					}
				}
			}
			elapsed := time.Since(begin)
			bad.report(t)
			t.Logf("%s: %d races (%d concurrent requests each round) in %v%s", v.name, users*rounds, 2*users, elapsed, s.retries())
		})
	}
}

// TestDeleteUserWhileGroupsChange deletes a user that is a member of 8
// groups while 8 goroutines keep adding other members to those groups (20
// each, one PATCH per member), in 10 rounds: afterwards no group lists the
// deleted user — a writer that read a group before the delete must not
// write the user back — and every other member is there.
func TestDeleteUserWhileGroupsChange(t *testing.T) {
	const groups, adds, rounds = 8, 20, 10
	for _, v := range storeVariants {
		t.Run(v.name, func(t *testing.T) {
			s := newRaceServer(t, v.wrap)
			var bad collector
			begin := time.Now()
			for round := range rounds {
				uid := s.create("/Users", fmt.Sprintf(`{"userName":"leaver%d@example.com"}`, round))
				others := make([][]string, groups) // the members added, per group
				for g := range others {
					others[g] = s.users(fmt.Sprintf("m-%d-%d", round, g), adds)
				}
				gids := make([]string, groups)
				for g := range gids {
					gids[g] = s.create("/Groups", fmt.Sprintf(`{"displayName":"G%d-%d","members":[{"value":%q}]}`, round, g, uid))
				}
				start := make(chan struct{})
				var wg sync.WaitGroup
				for g, gid := range gids {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						for k := range adds {
							body := fmt.Sprintf(`{"Operations":[{"op":"add","path":"members","value":[{"value":%q}]}]}`, others[g][k])
							if a := s.send(http.MethodPatch, "/Groups/"+gid, body); a.status != http.StatusNoContent {
								bad.add("round %d group %d add %d: %v", round, g, k, a)
							}
						}
					}()
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					time.Sleep(time.Duration(round) * 200 * time.Microsecond) // land at different points of the adds
					if a := s.send(http.MethodDelete, "/Users/"+uid, ""); a.status != http.StatusNoContent {
						bad.add("round %d: DELETE: %v", round, a)
					}
				}()
				close(start)
				wg.Wait()
				for g, gid := range gids {
					got := s.memberValues(gid)
					want := slices.Clone(others[g])
					sort.Strings(got)
					sort.Strings(want)
					if diff := cmp.Diff(want, got); diff != "" {
						bad.add("round %d group %d: members (-want +got):\n%s", round, g, diff)
					}
				}
			}
			elapsed := time.Since(begin)
			bad.report(t)
			t.Logf("%s: %d rounds of %d concurrent requests (1 DELETE, %d PATCHes) in %v%s", v.name, rounds, 1+groups*adds, groups*adds, elapsed, s.retries())
		})
	}
}

// invalidMember reports why a is not the 400 invalidValue answer to a
// write naming the missing member uid, or "" if it is.
func invalidMember(a answer, uid string) string {
	var e map[string]any
	if err := json.Unmarshal(a.body, &e); err != nil {
		return fmt.Sprintf("%v: %v", a, err)
	}
	detail, _ := e["detail"].(string)
	if a.status != http.StatusBadRequest || e["status"] != "400" || e["scimType"] != schema.ScimInvalidValue || !strings.Contains(detail, uid) {
		return fmt.Sprintf("%v, want 400 invalidValue naming %q", a, uid)
	}
	return ""
}

// TestDeleteUserWhileAddedToGroups deletes a user while 8 goroutines add it
// to 8 groups, in 20 rounds. Each add is applied either before the DELETE
// (204, and the DELETE then removes the user from the group) or after it
// (400 invalidValue: the member names no existing user), whichever way the
// handler writes the group; an add answered before the DELETE was sent
// must have succeeded. Afterwards no group lists the deleted user. The
// last subtest shows the serial case: a write naming a deleted user fails
// and changes nothing.
func TestDeleteUserWhileAddedToGroups(t *testing.T) {
	const groups, rounds = 8, 20
	for _, v := range storeVariants {
		t.Run(v.name, func(t *testing.T) {
			s := newRaceServer(t, v.wrap)
			var bad collector
			refused, total := 0, 0
			begin := time.Now()
			for round := range rounds {
				uid := s.create("/Users", fmt.Sprintf(`{"userName":"joiner%d@example.com"}`, round))
				gids := make([]string, groups)
				for g := range gids {
					gids[g] = s.create("/Groups", fmt.Sprintf(`{"displayName":"J%d-%d"}`, round, g))
				}
				var mu sync.Mutex
				var deleteSent time.Time
				done := make([]time.Time, groups)
				answers := make([]answer, groups)
				start := make(chan struct{})
				var wg sync.WaitGroup
				for g, gid := range gids {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						time.Sleep(time.Duration(g) * 300 * time.Microsecond)
						a := s.send(http.MethodPatch, "/Groups/"+gid, fmt.Sprintf(`{"Operations":[{"op":"add","path":"members","value":[{"value":%q}]}]}`, uid))
						mu.Lock()
						done[g] = time.Now()
						answers[g] = a
						mu.Unlock()
					}()
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					time.Sleep(time.Duration(round%10) * 250 * time.Microsecond)
					mu.Lock()
					deleteSent = time.Now()
					mu.Unlock()
					if a := s.send(http.MethodDelete, "/Users/"+uid, ""); a.status != http.StatusNoContent {
						bad.add("round %d: DELETE: %v", round, a)
					}
				}()
				close(start)
				wg.Wait()
				for g, gid := range gids {
					total++
					a := answers[g]
					switch {
					case a.status == http.StatusNoContent:
					case done[g].Before(deleteSent):
						bad.add("round %d group %d: the add answered before the DELETE was sent failed: %v", round, g, a)
					default:
						if why := invalidMember(a, uid); why != "" {
							bad.add("round %d group %d: add applied after the DELETE: %s", round, g, why)
						}
						refused++
					}
					if members := s.memberValues(gid); len(members) != 0 {
						bad.add("round %d group %d: the group lists %v after its only member %q was deleted (add answered %d)", round, g, members, uid, a.status)
					}
				}
			}
			elapsed := time.Since(begin)
			bad.report(t)
			t.Logf("%s: %d rounds of %d concurrent requests in %v; %d of %d adds came after the DELETE and were refused",
				v.name, rounds, groups+1, elapsed, refused, total)
		})
	}
	for _, v := range storeVariants {
		t.Run("add after delete/"+v.name, func(t *testing.T) {
			s := newRaceServer(t, v.wrap)
			uid := s.create("/Users", `{"userName":"gone@example.com"}`)
			stay := s.create("/Users", `{"userName":"stay@example.com"}`)
			gid := s.create("/Groups", fmt.Sprintf(`{"displayName":"After","members":[{"value":%q}]}`, stay))
			s.mustSend(http.MethodDelete, "/Users/"+uid, "", http.StatusNoContent)
			before, err := s.mem.Get(context.Background(), "Group", gid)
			if err != nil {
				t.Fatal(err)
			}
			writes := []struct {
				name, reason, method, path, body string
			}{
				{"PATCH add", "Okta's and Entra's membership push", http.MethodPatch, "/Groups/" + gid,
					fmt.Sprintf(`{"Operations":[{"op":"add","path":"members","value":[{"value":%q}]}]}`, uid)},
				{"PATCH replace", "a whole new member list", http.MethodPatch, "/Groups/" + gid,
					fmt.Sprintf(`{"Operations":[{"op":"replace","path":"members","value":[{"value":%q},{"value":%q}]}]}`, stay, uid)},
				{"PATCH typed", "a member of type User", http.MethodPatch, "/Groups/" + gid,
					fmt.Sprintf(`{"Operations":[{"op":"add","path":"members","value":[{"value":%q,"type":"User"}]}]}`, uid)},
				{"PUT", "a replaced group", http.MethodPut, "/Groups/" + gid,
					fmt.Sprintf(`{"displayName":"After","members":[{"value":%q},{"value":%q}]}`, stay, uid)},
				{"POST", "a new group", http.MethodPost, "/Groups",
					fmt.Sprintf(`{"displayName":"Late","members":[{"value":%q}]}`, uid)},
			}
			for _, w := range writes {
				if why := invalidMember(s.send(w.method, w.path, w.body), uid); why != "" {
					t.Errorf("%s naming the deleted user (%s): %s", w.name, w.reason, why)
				}
			}
			after, err := s.mem.Get(context.Background(), "Group", gid)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("refused writes changed the group (-before +after):\n%s", diff)
			}
			page, err := s.mem.List(context.Background(), "Group", store.Query{StartIndex: 1, Count: 10})
			if err != nil || page.Total != 1 {
				t.Errorf("groups after a refused POST: %+v, %v; want only the first", page, err)
			}
		})
	}
}
