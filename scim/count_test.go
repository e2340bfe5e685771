package scim_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim"
)

// TestNegativeCount checks RFC 7644 §3.4.2.4: "A negative value SHALL be
// interpreted as 0", wherever count is read: the query string, a
// SearchRequest body (per type and at the root), a cursor request, and the
// Go API.
func TestNegativeCount(t *testing.T) {
	s := newServer(t, nil)
	for _, u := range []string{"a", "b", "c"} {
		s.do("POST", "/Users", `{"userName":"`+u+`@example.com"}`).expect(t, 201, "")
	}
	const empty = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":3,"startIndex":1,"itemsPerPage":0,"Resources":[]}`
	s.do("GET", "/Users?count=-1", "").expect(t, 200, empty)
	s.do("GET", "/Users?count=-1000&startIndex=1", "").expect(t, 200, empty)
	s.do("POST", "/Users/.search", `{"count":-1}`).expect(t, 200, empty)
	s.do("POST", "/Users/.search", `{"count":"-5"}`).expect(t, 200, empty)
	s.do("POST", "/.search", `{"count":-1}`).expect(t, 200, empty)
	r := s.do("GET", "/Users?count=-1&cursor=", "")
	r.expect(t, 200, "")
	if got := r.body.(map[string]any); got["itemsPerPage"].(interface{ String() string }).String() != "0" || len(got["Resources"].([]any)) != 0 {
		t.Errorf("cursor page with count=-1 = %s, want no resources", r.raw)
	}
	n := -1
	l, err := s.h.List(context.Background(), "User", scim.SearchRequest{Count: &n})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&scim.ListResult{TotalResults: 3, StartIndex: 1, Resources: l.Resources}, l); diff != "" || len(l.Resources) != 0 {
		t.Errorf("Go API List with Count -1 (-want +got):\n%s", diff)
	}
}
