package scim_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// TestBulkRefusesSearches checks that /Bulk runs only what RFC 7644 §3.7
// describes (create, replace, modify, delete of resources): a bulk request
// of 1,000 searches over 2,000 users is answered with 1,000 small
// per-operation 400s, not with 1,000 pages of users.
func TestBulkRefusesSearches(t *testing.T) {
	s := newServer(t, nil)
	for i := range 2000 {
		s.do("POST", "/Users", fmt.Sprintf(`{"userName":"u%d@example.com"}`, i)).expect(t, 201, "")
	}
	var ops []string
	for i := range 1000 {
		path := "/Users/.search"
		if i%2 == 1 {
			path = "/Groups/.search"
		}
		ops = append(ops, fmt.Sprintf(`{"method":"POST","bulkId":"s%d","path":%q,"data":{"count":1000}}`, i, path))
	}
	r := s.do("POST", "/Bulk", `{"Operations":[`+strings.Join(ops, ",")+`]}`)
	r.expect(t, 200, "")
	results := bulkOps(t, r)
	if len(results) != 1000 {
		t.Fatalf("%d results, want 1000", len(results))
	}
	for i, op := range results {
		e, _ := op["response"].(map[string]any)
		if op["status"] != "400" || e["scimType"] != "invalidPath" || !strings.Contains(e["detail"].(string), "searches are not bulk operations") {
			t.Fatalf("operation %d: %v", i, op)
		}
	}
	if len(r.raw) > 400<<10 {
		t.Errorf("response is %d bytes: the searches ran", len(r.raw))
	}
	// Other paths that are no resource write are refused per operation too.
	r = s.do("POST", "/Bulk", `{"Operations":[
	 {"method":"PUT","path":"/Users","data":{"userName":"x"}},
	 {"method":"POST","path":"/Users/id-1","bulkId":"p","data":{"userName":"x"}},
	 {"method":"DELETE","path":"/Users/.search"}]}`)
	r.expect(t, 200, "")
	if got := statuses(bulkOps(t, r)); strings.Join(got, ",") != "<nil> PUT 405,p POST 405,<nil> DELETE 400" {
		t.Errorf("statuses = %v", got)
	}
}

// TestFilterCandidateBudget checks that a filter the store evaluates only
// in part never makes the handler load more than MaxFilterCandidates
// resources: beyond that it is answered 400 tooMany (RFC 7644 §3.12), by
// index and by cursor, while a filter whose pushed part narrows the
// candidates is answered as usual.
func TestFilterCandidateBudget(t *testing.T) {
	s := newServer(t, func(c *scim.Config) {
		c.Store = &partialStore{Memory: c.Store.(*store.Memory)}
		c.MaxFilterCandidates = 5
	})
	for i := range 8 {
		s.do("POST", "/Users", fmt.Sprintf(`{"userName":"u%d@example.com","title":"T%d"}`, i, i%2)).expect(t, 201, "")
	}
	for _, target := range []string{
		`/Users?filter=title+co+%22T%22`,
		`/Users?filter=title+co+%22T%22&count=1&cursor=`,
		`/Users?filter=title+co+%22none%22&count=0`,
	} {
		r := s.do("GET", target, "")
		if r.status != 400 || r.body.(map[string]any)["scimType"] != "tooMany" {
			t.Errorf("%s: %d %s, want 400 tooMany", target, r.status, r.raw)
		}
	}
	r := s.do("GET", `/Users?filter=userName+eq+%22u3@example.com%22+and+title+co+%22T%22`, "")
	r.expect(t, 200, "")
	if r.body.(map[string]any)["totalResults"].(json.Number) != "1" {
		t.Errorf("narrowed filter: %s", r.raw)
	}
	if r := s.do("POST", "/.search", `{"filter":"title co \"T1\""}`); r.status != 400 {
		t.Errorf("root search over the budget: %d", r.status)
	}
}
