package sqlstore

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// endless is a statement that runs until it is cancelled.
const endless = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c`

// stream is a statement that returns rows until it is cancelled, or for
// far longer than any bound.
const stream = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) SELECT x FROM c`

// TestStatementTimeout runs a statement that never ends under the store's
// bound, through the store's read path, and requires it to fail with the client-visible error within the
// timeout, while a lookup by id on the same store completes meanwhile.
func TestStatementTimeout(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			tenant := randomTenant()
			const timeout = 500 * time.Millisecond
			s, err := New(db, Config{Dialect: d, StatementTimeout: timeout, Tenant: func(context.Context) string { return tenant }})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			u, err := s.Create(ctx, user("lookup"))
			if err != nil {
				t.Fatal(err)
			}
			slow := make(chan error, 1)
			started := time.Now()
			go func() {
				slow <- func() (err error) {
					ctx, done := s.bound(ctx, true)
					defer done(&err)
					var n int64
					return s.readRow(ctx, endless, nil, &n)
				}()
			}()
			time.Sleep(50 * time.Millisecond) // let the slow statement start
			lookup := time.Now()
			if _, err := s.Get(ctx, "User", u.ID); err != nil {
				t.Fatalf("Get while a slow statement runs: %v", err)
			}
			if d := time.Since(lookup); d > timeout/2 {
				t.Errorf("Get took %v while a slow statement ran: it waited for it", d)
			}
			err = <-slow
			if took := time.Since(started); took > 4*timeout {
				t.Errorf("the slow statement ended after %v; its bound is %v", took, timeout)
			}
			se := scim.ErrorOf(err)
			if se == nil || se.Status != http.StatusBadRequest || se.ScimType != schema.ScimTooMany || !errors.Is(err, ErrTooMany) {
				t.Errorf("slow filtered statement: %v, want a 400 tooMany *scim.Error wrapping ErrTooMany", err)
			}
			// The same outside a list is a 503.
			err = func() (err error) {
				ctx, done := s.bound(ctx, false)
				defer done(&err)
				var n int64
				return s.readRow(ctx, endless, nil, &n)
			}()
			if se = scim.ErrorOf(err); se == nil || se.Status != http.StatusServiceUnavailable || !errors.Is(err, ErrTimeout) {
				t.Errorf("slow statement: %v, want a 503 *scim.Error wrapping ErrTimeout", err)
			}
			// A statement whose rows keep coming stops at the bound too,
			// between rows (SQLite's driver watches the context only until
			// the first row).
			started = time.Now()
			rows := 0
			err = func() (err error) {
				ctx, done := s.bound(ctx, true)
				defer done(&err)
				return s.read(ctx, stream, nil, func(scanner) error { rows++; return nil })
			}()
			if took := time.Since(started); took > 4*timeout {
				t.Errorf("the streaming statement ended after %v and %d rows; its bound is %v", took, rows, timeout)
			}
			if !errors.Is(err, ErrTooMany) {
				t.Errorf("streaming statement: %v after %d rows, want ErrTooMany", err, rows)
			}
			// A caller's own cancellation keeps its error.
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := s.Get(cctx, "User", u.ID); !errors.Is(err, context.Canceled) || errors.As(err, &se) {
				t.Errorf("Get with a cancelled context: %v, want context.Canceled", err)
			}
		})
	}
}

// TestMaxScan lists with a filter term the SQL cannot translate (co on a
// number) and requires ErrTooMany once more than MaxScan resources match
// the rest, from List and ListAfter, and the matches otherwise.
func TestMaxScan(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			tenant := randomTenant()
			s, err := New(db, Config{Dialect: d, MaxScan: 5, Tenant: func(context.Context) string { return tenant }})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for i := range 8 {
				if _, err := s.Create(ctx, user("u"+strconv.Itoa(i), "nickName", "n"+strconv.Itoa(i%2))); err != nil {
					t.Fatal(err)
				}
			}
			p := filter.Parser{Schema: s.info("User").rt}
			parse := func(f string) filter.Expr {
				e, err := p.Parse(f)
				if err != nil {
					t.Fatal(err)
				}
				return e
			}
			// meta.version compared with anything but eq stays with
			// filter.Match.
			wide := parse(`userName pr and meta.version gt "0"`)
			if _, residual := s.sqlSplit("User", wide); residual == nil {
				t.Fatalf("%v: no residual; the test needs a term the SQL cannot translate", wide)
			}
			if pushed, residual := s.SplitFilter("User", wide); residual != nil || pushed != wide {
				t.Errorf("SplitFilter(%v) = %v, %v; want the filter whole", wide, pushed, residual)
			}
			_, err = s.List(ctx, "User", store.Query{Filter: wide, StartIndex: 1, Count: 10})
			if se := scim.ErrorOf(err); !errors.Is(err, ErrTooMany) || se == nil || se.Status != http.StatusBadRequest || se.ScimType != schema.ScimTooMany {
				t.Errorf("List over 8 candidates with MaxScan 5: %v, want a 400 tooMany wrapping ErrTooMany", err)
			}
			if _, err = s.ListAfter(ctx, "User", store.Query{Filter: wide, StartIndex: 1, Count: 1}, ""); !errors.Is(err, ErrTooMany) {
				t.Errorf("ListAfter over 8 candidates with MaxScan 5: %v, want ErrTooMany", err)
			}
			narrow := parse(`nickName eq "n1" and meta.version gt "0"`)
			page, err := s.List(ctx, "User", store.Query{Filter: narrow, StartIndex: 1, Count: 10})
			if err != nil || page.Total != len(page.Resources) {
				t.Fatalf("List over 4 candidates: %v, %+v", err, page)
			}
			want := page.Total
			got := 0
			after := ""
			for {
				page, err := s.ListAfter(ctx, "User", store.Query{Filter: narrow, StartIndex: 1, Count: 1}, after)
				if err != nil {
					t.Fatalf("ListAfter over 4 candidates: %v", err)
				}
				got += len(page.Resources)
				if page.Next == "" {
					break
				}
				after = page.Next
			}
			if got != want {
				t.Errorf("ListAfter pages hold %d resources, List %d", got, want)
			}
		})
	}
}

// TestTooManyThroughHandler requires the handler to answer a filter over
// more candidates than MaxScan with 400 tooMany, with and without a
// cursor, and a filter whose translated part is narrow with its matches.
func TestTooManyThroughHandler(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			tenant := randomTenant()
			s, err := New(db, Config{Dialect: d, MaxScan: 2, ResourceTypes: handlerTypes(), NewID: counterIDs(),
				Tenant: func(context.Context) string { return tenant }})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			h := seededHandler(t, s) // two users and a group
			if rec := serveRaw(h, "POST", "/Users", `{"userName":"carol@example.com"}`); rec.Code != http.StatusCreated {
				t.Fatalf("creating carol: %d %s", rec.Code, rec.Body)
			}
			wide := url.QueryEscape(`userName pr and meta.version gt "0"`)
			for _, q := range []string{"filter=" + wide, "count=1&cursor=&filter=" + wide} {
				rec := serveRaw(h, "GET", "/Users?"+q, "")
				checkSCIMError(t, q, rec.Code, rec.Body.Bytes())
				if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"scimType":"tooMany"`) {
					t.Errorf("GET /Users?%s over 3 candidates with MaxScan 2: %d %s, want 400 tooMany", q, rec.Code, rec.Body)
				}
			}
			narrow := url.QueryEscape(`userName sw "a" and meta.version gt "0"`)
			for _, q := range []string{"filter=" + narrow, "count=1&cursor=&filter=" + narrow} {
				rec := serveRaw(h, "GET", "/Users?"+q, "")
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"totalResults":1`) {
					t.Errorf("GET /Users?%s: %d %s, want alice", q, rec.Code, rec.Body)
				}
			}
		})
	}
}

func TestCheckText(t *testing.T) {
	const (
		value = "contains a NUL character or invalid UTF-8, which this service provider cannot store"
		key   = "has a key with a NUL character or invalid UTF-8"
	)
	tests := []struct {
		name  string
		attrs map[string]any
		want  *schema.Error // nil: valid
	}{
		{"valid", map[string]any{"userName": "zoë", "name": map[string]any{"givenName": "Ω"}, "emails": []any{map[string]any{"value": "a@b"}}}, nil},
		{"top-level string", map[string]any{"userName": "a\x00b"}, &schema.Error{ScimType: schema.ScimInvalidValue, Path: "userName", Detail: value}},
		{"sub-attribute", map[string]any{"name": map[string]any{"givenName": "\xff"}}, &schema.Error{ScimType: schema.ScimInvalidValue, Path: "name.givenName", Detail: value}},
		{"element of a multi-valued attribute", map[string]any{"emails": []any{map[string]any{"value": "ok"}, map[string]any{"value": "x\x00"}}}, &schema.Error{ScimType: schema.ScimInvalidValue, Path: "emails.value", Detail: value}},
		{"extension attribute", map[string]any{schema.EnterpriseUserURN: map[string]any{"manager": map[string]any{"displayName": "\xc3"}}}, &schema.Error{ScimType: schema.ScimInvalidValue, Path: schema.EnterpriseUserURN + ".manager.displayName", Detail: value}},
		{"key inside an attribute", map[string]any{"name": map[string]any{"a\x00": "x"}}, &schema.Error{ScimType: schema.ScimInvalidValue, Path: "name", Detail: key}},
		{"top-level key", map[string]any{"\xff": "x"}, &schema.Error{ScimType: schema.ScimInvalidValue, Path: "", Detail: key}},
		{"string of a multi-valued string attribute", map[string]any{"tags": []any{"a", "\x00"}}, &schema.Error{ScimType: schema.ScimInvalidValue, Path: "tags", Detail: value}},
	}
	for _, tc := range tests {
		err := checkText("", tc.attrs)
		var got *schema.Error
		if err != nil && !errors.As(err, &got) {
			t.Fatalf("%s: checkText = %v, not a *schema.Error", tc.name, err)
		}
		if diff := gocmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: checkText (-want +got):\n%s", tc.name, diff)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = checkText("", tests[0].attrs) }); n != 0 {
		t.Errorf("checkText of valid attributes allocates %v times, want 0", n)
	}
}
