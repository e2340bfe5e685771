package scim_test

import (
	"fmt"
	"strings"
	"testing"
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
