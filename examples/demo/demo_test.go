package demo

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

func TestRedactQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{`filter=userName+eq+%22ada%40example.com%22&startIndex=1&count=100`, `count=100&filter=userName eq "…"&startIndex=1`},
		{`filter=password+eq+%22guess%22`, `filter=password eq "…"`},
		{`filter=externalId+eq+jyoung+and+emails%5Bvalue+co+%22%5C%22x%22%5D`, `filter=externalId eq … and emails[value co "…"]`},
		{`access_token=abc&api_key=k&Code=c&attributes=userName`, `Code=REDACTED&access_token=REDACTED&api_key=REDACTED&attributes=userName`},
		{`count=2`, `count=2`},
		{`%zz`, `(unparsable query)`},
		{``, ``},
	}
	for _, tc := range tests {
		got := RedactQuery(tc.in)
		if got != "" && got != "(unparsable query)" {
			var err error
			if got, err = url.QueryUnescape(got); err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("RedactQuery(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

// BenchmarkLogRequests is the per-request cost of LogRequests around a
// handler that does nothing, for Okta's lookup, with a text log written
// to a discarding writer.
func BenchmarkLogRequests(b *testing.B) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := LogRequests(logger, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }))
	req := httptest.NewRequest(http.MethodGet, `/scim/v2/Users?filter=userName+eq+%22ada%40example.com%22&startIndex=1&count=100`, nil)
	req.Header.Set("User-Agent", "Okta SCIM Client 1.0.0")
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
}

// TestRedactFilter compares the filter redaction with the regular
// expression it replaces, on filters identity providers send and on odd
// ones.
func TestRedactFilter(t *testing.T) {
	re := regexp.MustCompile(`(?i)"(?:[^"\\]|\\.)*"|\b(eq|ne|co|sw|ew|gt|ge|lt|le)(\s+)([^\s"()\[\]]+)`)
	want := func(v string) string {
		return re.ReplaceAllStringFunc(v, func(m string) string {
			if strings.HasPrefix(m, `"`) {
				return `"…"`
			}
			sub := re.FindStringSubmatch(m)
			return sub[1] + sub[2] + "…"
		})
	}
	for _, f := range []string{
		`userName eq "ada@example.com"`,
		`externalId eq jyoung and emails[value co "\"x"]`,
		`members[value eq "a" or value eq "b"] and displayName EQ  Ops`,
		`title pr`, `a eq`, `a eq "unterminated`, `"lone`, `x eq(y)`, `seq eq 1`, `a  ne	b`, `name.givenName sw "J" and not (active eq true)`,
		`meta.lastModified gt 2026-01-01T00:00:00Z`, `eqeq eq eq`, `a eq "x\\" b eq c`, ``,
	} {
		if got, want := redactFilter(f), want(f); got != want {
			t.Errorf("redactFilter(%q) = %q, want %q", f, got, want)
		}
	}
}

// TestOnChangeLog checks what OnChange logs for writes to a user: a
// deactivation or reactivation only when "active" changed, an update
// otherwise, also for a user who is already inactive.
func TestOnChangeLog(t *testing.T) {
	user := func(active bool) *store.Resource {
		return &store.Resource{Type: "User", ID: "u1", Attributes: map[string]any{"userName": "ada@example.com", "active": active}}
	}
	tests := []struct {
		name    string
		changed []string
		active  bool
		want    string
	}{
		{name: "deactivated", changed: []string{"active"}, active: false, want: "user deactivated"},
		{name: "reactivated", changed: []string{"active"}, active: true, want: "user reactivated"},
		{name: "inactive user renamed", changed: []string{"name"}, active: false, want: "user updated"},
		{name: "active user renamed", changed: []string{"displayName", "name"}, active: true, want: "user updated"},
	}
	for _, tc := range tests {
		var buf strings.Builder
		a := NewApp(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, at slog.Attr) slog.Attr {
			if at.Key == slog.TimeKey || at.Key == slog.LevelKey {
				return slog.Attr{}
			}
			return at
		}})))
		a.OnChange(context.Background(), scim.Change{Kind: scim.Replaced, Type: "User", ID: "u1", Resource: user(tc.active), Changed: tc.changed})
		got := strings.TrimSpace(buf.String())
		if !strings.HasPrefix(got, "msg=\""+tc.want+"\" ") {
			t.Errorf("%s: logged %q, want the message %q", tc.name, got, tc.want)
		}
	}
}
