package scim_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// partialStore evaluates only "eq" comparisons itself (like a SQL store
// with a few indexed columns) and declares the rest residual, so the
// handler must evaluate it. Its List applies what it is given, through the
// memory store underneath.
type partialStore struct {
	*store.Memory
	splits int
}

func (p *partialStore) SplitFilter(typ string, f filter.Expr) (pushed, residual filter.Expr) {
	p.splits++
	var in, out []filter.Expr
	for _, c := range filter.Conjuncts(f) {
		if cmp, ok := c.(*filter.Compare); ok && cmp.Op == filter.Eq {
			in = append(in, c)
		} else {
			out = append(out, c)
		}
	}
	return filter.AndOf(in...), filter.AndOf(out...)
}

var _ store.FilterSplitter = (*partialStore)(nil)

// TestPushdownResidual runs every filter twice, once against a store that
// evaluates all of it and once against one that evaluates only its "eq"
// parts, and requires the same answers, page by page and by cursor
// (design: one filter semantics for pushdown and in-memory evaluation).
func TestPushdownResidual(t *testing.T) {
	full := newServer(t, nil)
	var partial *partialStore
	split := newServer(t, func(c *scim.Config) {
		partial = &partialStore{Memory: c.Store.(*store.Memory)}
		c.Store = partial
	})
	users := []string{
		`{"userName":"ada@example.com","active":true,"title":"Engineer","name":{"givenName":"Ada","familyName":"Lovelace"},"emails":[{"value":"ada@work.example","type":"work"}]}`,
		`{"userName":"alan@example.com","active":false,"title":"Engineer","name":{"givenName":"Alan","familyName":"Turing"},"emails":[{"value":"alan@home.example","type":"home"}]}`,
		`{"userName":"grace@example.com","active":true,"title":"Admiral","name":{"givenName":"Grace","familyName":"Hopper"}}`,
		`{"userName":"edsger@example.com","active":true,"title":"Engineer","emails":[{"value":"ed@work.example","type":"work"}]}`,
		`{"userName":"barbara@example.com","active":false,"title":"Professor","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"CS"}}`,
		`{"userName":"donald@example.com","active":true,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"CS"}}`,
		`{"userName":"ken@example.com","active":true,"title":"Engineer"}`,
	}
	for _, s := range []*server{full, split} {
		for _, u := range users {
			s.do("POST", "/Users", u).expect(t, 201, "")
		}
	}
	filters := []string{
		`title eq "Engineer"`,
		`title eq "Engineer" and active eq true`,
		`title eq "Engineer" and name.givenName sw "A"`,
		`active eq true and emails[type eq "work"]`,
		`title eq "Engineer" or title eq "Admiral"`,
		`not (title eq "Engineer")`,
		`userName co "a" and active eq false`,
		`department eq "CS" and not (active eq false)`,
		`title pr and userName ew ".com" and active eq true`,
		`emails.value co "work" and title eq "Engineer"`,
		`meta.created le "2030-01-01T00:00:00Z" and title ne "Engineer"`,
	}
	for _, f := range filters {
		for _, page := range []string{"", "&startIndex=1&count=2", "&startIndex=2&count=2", "&startIndex=5&count=3", "&count=0", "&sortBy=userName&sortOrder=descending&count=3"} {
			target := "/Users?filter=" + url.QueryEscape(f) + page
			want, got := full.do("GET", target, ""), split.do("GET", target, "")
			if diff := cmp.Diff(want.body, got.body); diff != "" || want.status != 200 {
				t.Errorf("%s: status %d/%d, pushed-down answer differs (-all in store +residual in handler):\n%s", target, want.status, got.status, diff)
			}
		}
		// Cursor pages: walk both to the end and compare the ids.
		walk := func(s *server) []string {
			var ids []string
			cursor := ""
			for range 10 {
				r := s.do("GET", "/Users?count=2&filter="+url.QueryEscape(f)+"&cursor="+url.QueryEscape(cursor), "")
				r.expect(t, 200, "")
				m := r.body.(map[string]any)
				for _, res := range m["Resources"].([]any) {
					ids = append(ids, res.(map[string]any)["id"].(string))
				}
				next, _ := m["nextCursor"].(string)
				if next == "" {
					return ids
				}
				cursor = next
			}
			t.Fatalf("%s: cursor pages never end", f)
			return nil
		}
		if diff := cmp.Diff(walk(full), walk(split)); diff != "" {
			t.Errorf("%s: cursor walk differs (-all in store +residual in handler):\n%s", f, diff)
		}
	}
	if partial.splits == 0 {
		t.Fatal("the handler never asked the store to split a filter")
	}
	// The root search takes the same path.
	body := fmt.Sprintf(`{"filter":%q,"count":3}`, `title eq "Engineer" and active eq true`)
	want, got := full.do("POST", "/.search", body), split.do("POST", "/.search", body)
	if diff := cmp.Diff(want.body, got.body); diff != "" {
		t.Errorf("root search differs (-want +got):\n%s", diff)
	}
}
