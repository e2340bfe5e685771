package sqlstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// foldBreakers are strings chosen to break case folding: the long s, the
// Kelvin sign, the three sigmas, the four Turkish i's, the sharp s and its
// capital, the Angstrom sign, fullwidth letters and combining marks, next
// to the ASCII letters they resemble.
var foldBreakers = []string{
	"ſam@example.com", "sam@example.com", "Sam@example.com", "SAM@EXAMPLE.COM",
	"\u212Aelvin", "kelvin", "KELVIN",
	"σ", "ς", "Σ", "ΣΑΣ", "σας",
	"İ@x.com", "i@x.com", "ı@x.com", "I@x.com",
	"straße", "STRAẞE", "strasse",
	"\u212Bngström", "Ångström", "ångström",
	"ＡＢＣ", "ａｂｃ", "ABC",
	"e\u0301", "é", "É", "E\u0301",
}

// foldLiterals are the filter literals: every breaker and fragments of
// them for co, sw and ew.
var foldLiterals = append(slices.Clone(foldBreakers), "ſ", "S", "\u212A", "k", "ς", "İ", "ı", "ß", "ẞ", "\u212B", "ｂ", "\u0301", "@x.com")

// diffStore is one store under test with a handler in front of it.
type diffStore struct {
	name string
	h    http.Handler
	s    store.Store
}

// diffStores returns a fresh memory store, SQLite store and PostgreSQL
// store (a new tenant), each behind scim.NewHandler.
func diffStores(t *testing.T) []diffStore {
	t.Helper()
	out := []diffStore{{name: "memory", s: store.NewMemory()}}
	for _, be := range backends {
		db, d := be.open(t)
		out = append(out, diffStore{name: be.name, s: newTestStore(t, db, d)})
	}
	for i := range out {
		h, err := scim.NewHandler(scim.Config{Store: out[i].s})
		if err != nil {
			t.Fatal(err)
		}
		out[i].h = h
	}
	return out
}

func (ds diffStore) do(t *testing.T, method, target string, body any) (int, map[string]any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, target, rd)
	req.Header.Set("Content-Type", "application/scim+json")
	rec := httptest.NewRecorder()
	ds.h.ServeHTTP(rec, req)
	var out map[string]any
	if rec.Body.Len() > 0 {
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
	}
	return rec.Code, out
}

func (ds diffStore) create(t *testing.T, attrs map[string]any) (int, string) {
	t.Helper()
	body := map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User"}}
	for k, v := range attrs {
		body[k] = v
	}
	code, out := ds.do(t, http.MethodPost, "/Users", body)
	id, _ := out["id"].(string)
	return code, id
}

// userNames lists the userNames of a list response, in order, or the
// status of a failed request.
func userNames(code int, body map[string]any) []string {
	if code != http.StatusOK {
		return []string{"status " + strconv.Itoa(code)}
	}
	res, _ := body["Resources"].([]any)
	out := []string{}
	for _, r := range res {
		m, _ := r.(map[string]any)
		n, _ := m["userName"].(string)
		out = append(out, n)
	}
	return out
}

// diffUser is the i-th user of the data set: every string attribute holds
// the i-th breaker.
func diffUser(i int) map[string]any {
	v := foldBreakers[i]
	return map[string]any{
		"userName":    "user" + strconv.Itoa(i),
		"nickName":    v,
		"displayName": v,
		"title":       v,
		"name":        map[string]any{"givenName": v},
		"emails": []any{
			map[string]any{"value": v, "type": "work"},
			map[string]any{"value": "other" + strconv.Itoa(i) + "@x.org", "type": "home", "primary": true},
		},
	}
}

// TestDifferentialFolding runs the same filters, sorts, PATCH value-path
// removals and uniqueness checks over strings that break case folding on
// the memory store, SQLite and PostgreSQL, and checks that every answer is
// the same on every store and by every code path: the handler (with its
// pushdown) against filter.Match, a single value-path removal against the
// same removal or-ed with a filter that matches nothing.
func TestDifferentialFolding(t *testing.T) {
	stores := diffStores(t)
	for _, ds := range stores {
		for i := range foldBreakers {
			if code, _ := ds.create(t, diffUser(i)); code != http.StatusCreated {
				t.Fatalf("%s: creating user %d: status %d", ds.name, i, code)
			}
		}
	}

	// The data set in canonical form, for filter.Match.
	rt := schema.UserResourceType(schema.EnterpriseUserSchema())
	page, err := stores[0].s.List(context.Background(), "User", store.Query{StartIndex: 1, Count: 1000})
	if err != nil {
		t.Fatal(err)
	}
	parser := filter.Parser{Schema: rt}

	t.Run("filters", func(t *testing.T) {
		paths := []string{"userName", "nickName", "displayName", "title", "name.givenName", "emails.value", "emails[type eq \"work\" and value eq %s]"}
		// The userName literals are the user names with the breakers as
		// suffix, so that the name_key column is exercised too.
		for _, p := range paths {
			for _, op := range []string{"eq", "ne", "co", "sw", "ew", "gt", "lt"} {
				for _, lit := range foldLiterals {
					q, _ := json.Marshal(lit)
					var f string
					switch {
					case strings.Contains(p, "%s"):
						if op != "eq" {
							continue
						}
						f = fmt.Sprintf(p, q)
					default:
						f = p + " " + op + " " + string(q)
					}
					e, err := parser.Parse(f)
					if err != nil {
						t.Fatalf("%s: %v", f, err)
					}
					want := []string{}
					for _, r := range page.Resources {
						obj := maps(r)
						if filter.Match(e, obj) {
							want = append(want, r.Attributes["userName"].(string))
						}
					}
					for _, ds := range stores {
						got := userNames(ds.do(t, http.MethodGet, "/Users?count=1000&attributes=userName&filter="+url.QueryEscape(f), nil))
						if d := cmp.Diff(want, got); d != "" {
							t.Errorf("%s: %s: filter.Match and the handler disagree (-Match +handler):\n%s", ds.name, f, d)
						}
					}
				}
			}
		}
	})

	t.Run("sort", func(t *testing.T) {
		for _, by := range []string{"nickName", "displayName", "title", "name.givenName", "emails.value", "emails"} {
			for _, order := range []string{"ascending", "descending"} {
				target := "/Users?count=1000&attributes=userName&sortBy=" + url.QueryEscape(by) + "&sortOrder=" + order
				want := userNames(stores[0].do(t, http.MethodGet, target, nil))
				for _, ds := range stores[1:] {
					got := userNames(ds.do(t, http.MethodGet, target, nil))
					if d := cmp.Diff(want, got); d != "" {
						t.Errorf("sortBy=%s %s: %s and %s disagree (-%s +%s):\n%s", by, order, stores[0].name, ds.name, stores[0].name, ds.name, d)
					}
				}
			}
		}
	})

	t.Run("patch", func(t *testing.T) {
		emails := make([]any, len(foldBreakers))
		for i, v := range foldBreakers { // one type each: (type, value) pairs are kept once
			emails[i] = map[string]any{"value": v, "type": "t" + strconv.Itoa(i)}
		}
		for j, lit := range foldLiterals {
			q, _ := json.Marshal(lit)
			single := "emails[value eq " + string(q) + "]"
			ored := "emails[value eq " + string(q) + " or value eq \"nobody@x\"]"
			e, err := filter.Parse("value eq " + string(q)) // unbound: folded, as emails.value
			if err != nil {
				t.Fatal(err)
			}
			want := []string{}
			for _, v := range foldBreakers {
				if !filter.Match(e, map[string]any{"value": v}) {
					want = append(want, v)
				}
			}
			for _, ds := range stores {
				for k, path := range []string{single, ored} {
					code, id := ds.create(t, map[string]any{"userName": "patch" + strconv.Itoa(j) + "-" + strconv.Itoa(k), "emails": emails})
					if code != http.StatusCreated {
						t.Fatalf("%s: create: status %d", ds.name, code)
					}
					code, _ = ds.do(t, http.MethodPatch, "/Users/"+id, map[string]any{
						"schemas":    []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
						"Operations": []any{map[string]any{"op": "remove", "path": path}},
					})
					if code != http.StatusOK && code != http.StatusNoContent {
						t.Fatalf("%s: PATCH %s: status %d", ds.name, path, code)
					}
					_, body := ds.do(t, http.MethodGet, "/Users/"+id, nil)
					got := []string{}
					list, _ := body["emails"].([]any)
					for _, el := range list {
						m, _ := el.(map[string]any)
						s, _ := m["value"].(string)
						got = append(got, s)
					}
					if d := cmp.Diff(want, got); d != "" {
						t.Errorf("%s: remove %s: kept (-filter.Match +PATCH):\n%s", ds.name, path, d)
					}
				}
			}
		}
	})

	t.Run("uniqueness", func(t *testing.T) {
		var want []int
		for _, ds := range stores {
			var got []int
			for _, v := range foldBreakers {
				code, _ := ds.create(t, map[string]any{"userName": "u:" + v})
				got = append(got, code)
			}
			if want == nil {
				want = got
				// The statuses must follow strings.EqualFold.
				var expect []int
				for i, v := range foldBreakers {
					code := http.StatusCreated
					for _, w := range foldBreakers[:i] {
						if strings.EqualFold(v, w) {
							code = http.StatusConflict
						}
					}
					expect = append(expect, code)
				}
				if d := cmp.Diff(expect, got); d != "" {
					t.Errorf("%s: POST statuses differ from strings.EqualFold (-EqualFold +POST):\n%s", ds.name, d)
				}
				continue
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("POST statuses: %s and %s disagree (-%s +%s):\n%s", stores[0].name, ds.name, stores[0].name, ds.name, d)
			}
		}
	})
}

// maps returns the object filter.Match evaluates for r.
func maps(r *store.Resource) map[string]any {
	obj := make(map[string]any, len(r.Attributes)+2)
	for k, v := range r.Attributes {
		obj[k] = v
	}
	obj["id"] = r.ID
	return obj
}
