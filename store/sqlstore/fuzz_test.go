package sqlstore

import (
	"database/sql"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	fuzzDBOnce sync.Once
	fuzzDB     *sql.DB
	fuzzDBErr  error
)

// fuzzSQLite returns the SQLite database of this process's FuzzHandlerSQLite
// runs; each run uses a tenant of its own in it.
func fuzzSQLite(t *testing.T) *sql.DB {
	fuzzDBOnce.Do(func() {
		dir, err := os.MkdirTemp("", "scimkit-fuzz-")
		if err != nil {
			fuzzDBErr = err
			return
		}
		fuzzDB, fuzzDBErr = OpenSQLite(filepath.Join(dir, "fuzz.db"))
	})
	if fuzzDBErr != nil {
		t.Fatal(fuzzDBErr)
	}
	return fuzzDB
}

var fuzzSQLMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, "PROPFIND"}

var fuzzSQLPaths = []string{
	"/Users", "/Groups", "/Users/id-1", "/Users/id-2", "/Groups/id-3", "/Users/.search", "/.search", "/Groups/.search",
	"/Bulk", "/Users/%00", "/Users/%FF", "/Users/x%C0%AF", "/Groups/" + strings.Repeat("a", 3000), "/Users/id-999",
}

var fuzzSQLQueries = []string{
	"", "count=1&cursor=", "sortBy=userName&sortOrder=descending", "sortBy=emails.value&count=1&cursor=",
	"filter=" + url.QueryEscape(`userName eq "alice@example.com"`),
	"filter=" + url.QueryEscape(`emails[type eq "work" and value co "@"] or emails[value ew ".com"]`),
	"filter=" + url.QueryEscape(`not (userName sw "a" or userName sw "b") and displayName pr`),
	"filter=" + url.QueryEscape(`meta.version gt "0" and externalId eq "ext-a"`),
	"filter=" + url.QueryEscape(`members[value eq "id-1"] or members.display co "x"`),
	"filter=" + url.QueryEscape(`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department co "R"`),
	"filter=" + url.QueryEscape(`meta.lastModified gt "2020-01-01T00:00:00.123456789+02:00"`),
	"filter=" + url.QueryEscape(`userName eq "a\u0000b"`), "filter=userName%20eq%20%22%FF%22",
	"count=1&cursor=AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "sortBy=%00", "filter=%zz",
}

var fuzzSQLBodies = []string{
	"",
	`{"userName":"carol@example.com","displayName":"Carol","emails":[{"value":"c@x.org","type":"work"}],"externalId":"ext-c"}`,
	`{"displayName":"ops","members":[{"value":"id-1"},{"value":"id-2","type":"User"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"x"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"id-2"}]},{"op":"remove","path":"members[value eq \"id-1\"]"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"n@x.org"}]}`,
	`{"filter":"userName sw \"a\" or userName sw \"b\"","count":1,"cursor":""}`,
	`{"Operations":[{"method":"POST","path":"/Users","bulkId":"q","data":{"userName":"bulk"}},{"method":"DELETE","path":"/Users/id-2"}]}`,
	`{"userName":"a\u0000b"}`, `{"displayName":"g","members":[{"value":"\u0000"}]}`, "{", "\xff\xfe\x00",
}

// FuzzHandlerSQLite sends one arbitrary request to a handler over a
// SQLite store holding two users and a group with both, and requires no
// 5xx and a SCIM Error message for every failure: the checks of the scim
// package's FuzzHandler, over the SQL store.
func FuzzHandlerSQLite(f *testing.F) {
	for i, p := range fuzzSQLPaths {
		for j, q := range fuzzSQLQueries {
			if (i+j)%3 == 0 {
				f.Add(uint8(0), p, q, "")
			}
		}
	}
	for i, b := range fuzzSQLBodies {
		for m := 1; m <= 3; m++ {
			f.Add(uint8(m), fuzzSQLPaths[(i+m)%len(fuzzSQLPaths)], "", b)
		}
	}
	for _, r := range hostileRequests() {
		path, query, _ := strings.Cut(r.target, "?")
		for i, m := range fuzzSQLMethods {
			if m == r.method {
				f.Add(uint8(i), path, query, r.body)
			}
		}
	}
	f.Fuzz(func(t *testing.T, method uint8, path, query, body string) {
		h := seededHandler(t, sqlHandlerStore(t, fuzzSQLite(t), SQLite))
		target := path
		if query != "" {
			target += "?" + query
		}
		if _, err := url.ParseRequestURI(target); err != nil {
			return // not a request line a server would accept
		}
		m := fuzzSQLMethods[int(method)%len(fuzzSQLMethods)]
		rec := serveRaw(h, m, target, body)
		checkSCIMError(t, m+" "+target, rec.Code, rec.Body.Bytes())
		// The seeded users stay readable and listed.
		if rec := serveRaw(h, http.MethodGet, "/Users?count=0", ""); rec.Code != http.StatusOK {
			t.Fatalf("after %s %q: listing users: %d %s", m, target, rec.Code, rec.Body)
		}
	})
}
