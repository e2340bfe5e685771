package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// fuzzFilterMaxLen bounds the filters the fuzz targets try: longer ones
// only add terms sqlSplit leaves to filter.Match (maxSQLCost).
const fuzzFilterMaxLen = 512

// fuzzFixtures holds the fixtures (see newFixture) of one fuzz target in
// this process: one per backend and key layout, built by the first input
// and shared by every later one, so that an input costs only its Lists.
type fuzzFixtures struct {
	backends []backend
	mu       sync.Mutex
	built    []fuzzFixture // nil until the first input
}

// fuzzFixture is one fixture and what it runs on.
type fuzzFixture struct {
	name string // backend/layout
	*fixture
}

// newFuzzFixtures opens the databases of a fuzz target: SQLite in f's
// temporary directory, and, when dsnEnv is set, a PostgreSQL schema of its
// own, dropped when f ends. The schema keeps the fixtures' keys from other
// processes' Migrate: the key signatures in scim_settings are shared by
// every tenant, and a store with other resource types (TestConformance's)
// recomputes attrs_key for all of them (see rekey).
func newFuzzFixtures(f *testing.F) *fuzzFixtures {
	db, d := openSQLite(f)
	ff := &fuzzFixtures{backends: []backend{{"SQLite", func(testing.TB) (*sql.DB, Dialect) { return db, d }}}}
	if dsn := os.Getenv(dsnEnv); dsn != "" {
		pg := fuzzPostgresSchema(f, dsn)
		ff.backends = append(ff.backends, backend{"Postgres", func(testing.TB) (*sql.DB, Dialect) { return pg, Postgres }})
	}
	return ff
}

// fuzzPostgresSchema returns a database whose connections use a new
// schema, dropped with its tables when f ends.
func fuzzPostgresSchema(f *testing.F, dsn string) *sql.DB {
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { admin.Close() })
	name := "fuzz_" + strings.TrimPrefix(randomTenant(), "test-")
	if _, err := admin.Exec(`CREATE SCHEMA ` + name); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA ` + name + ` CASCADE`); err != nil {
			f.Errorf("dropping the fuzz schema %s: %v", name, err)
		}
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	db, err := sql.Open("pgx", dsn+sep+"search_path="+name)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	return db
}

// get returns the fixtures, building them on the first call.
func (ff *fuzzFixtures) get(t *testing.T) []fuzzFixture {
	ff.mu.Lock()
	defer ff.mu.Unlock()
	if ff.built != nil {
		return ff.built
	}
	var built []fuzzFixture
	for _, be := range ff.backends {
		for _, keys := range keyLayouts {
			fx := newFixture(t, be.open)
			if keys == fullKeys {
				fx.fullKeyDocs(t)
			}
			built = append(built, fuzzFixture{name: be.name + "/" + keys, fixture: fx})
		}
	}
	ff.built = built
	return built
}

// fuzzLabels returns the labels of rs in f, or their ids if unknown.
func fuzzLabels(f *fixture, rs []*store.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		if l, ok := f.label[r.ID]; ok {
			out[i] = l
		} else {
			out[i] = "id:" + r.ID
		}
	}
	return out
}

// fuzzListAll lists every resource of typ that q selects in f, page after
// page of q.Count, and returns them with the Total of the pages.
func fuzzListAll(f *fixture, typ string, q store.Query) ([]*store.Resource, int, error) {
	var all []*store.Resource
	total := -1
	for q.StartIndex = 1; ; q.StartIndex += q.Count {
		page, err := f.s.List(context.Background(), typ, q)
		if err != nil {
			return nil, 0, err
		}
		if total >= 0 && page.Total != total {
			return nil, 0, fmt.Errorf("total %d on page %d, %d before", page.Total, q.StartIndex, total)
		}
		total = page.Total
		all = append(all, page.Resources...)
		if len(page.Resources) < q.Count || len(all) >= total {
			return all, total, nil
		}
	}
}

// fuzzNoID stands for the ids of TestFilterSuite's {label} placeholders in
// the seeds: the fixtures' ids are random, so no seed can name them.
const fuzzNoID = `"2819c223-7f76-453a-919d-413861904646"`

// fuzzFilterSeeds are the filters of TestFilterSuite (ids replaced by
// fuzzNoID) and others around the rules of filter.go and dialect.go.
var fuzzFilterSeeds = []string{
	// TestFilterSuite.
	`userName eq "bjensen"`, `userName eq "BJENSEN"`, `userName eq "ZOË"`, `userName ne "bjensen"`,
	`userName co "SMITH"`, `userName sw "j"`, `userName ew "SON"`, `userName gt "m"`, `userName le "c"`,
	`userName co "%"`, `userName sw "100%_"`, `userName co "_"`, `userName co "\\"`, `title co ""`,
	`displayName co "ÅNGSTRÖM"`, `displayName eq "grace h"`, `title pr`, `not (title pr)`, `title eq null`,
	`title ne null`, `title ew "GUIDE"`, `title gt "oracle"`, `name.givenName sw "ja"`, `name.familyName eq "smith"`,
	`name pr`, `name.middleName pr`, `emails pr`, `emails.value ew ".org"`, `emails co "EXAMPLE.COM"`,
	`emails.primary pr`, `emails[type eq "work" and primary eq true]`, `emails[type eq "home" or value sw "E"]`,
	`emails[not (type eq "work")]`, `emails[primary ne true]`, `emails[primary pr and type eq "other"]`,
	`emails[type eq "work"].value co "example"`, `emails.type eq "work" and not (emails.primary eq true)`,
	`emails.type ne "work"`,
	`emails[value co "ZETA"] or emails[type eq "home" and primary eq true] or emails[value ew ".net"] or userName eq "peggy"`,
	`not (emails[value co "zeta"] or emails[value co "jensen"] or emails[type eq "other"])`,
	`emails[value co "ZETA" or value co "jensen.org" or value co "nomatch" or type eq "home"]`,
	`userName sw "PEG" or userName sw "Jo" or userName sw "zz"`,
	`userName eq "PEGGY" or userName eq "judy" or userName eq "nobody"`,
	`code ew "a" or code ew "B" or code ew "%"`, `not (emails.value ew ".org" or emails.value ew ".net")`,
	`not (emails[value co "zeta"]) and not (emails[type eq "other"]) and not (userName sw "z") and userName pr and not (emails.value ew ".net")`,
	`emails[value co "e"] and emails[value co "x"] and emails[value co "a"] and emails[value co "m"] and emails[value co "p"] and emails[value co "l"] and emails[value co "o"] and emails[value co "c"] and emails[value co "."] and emails[value co "@"]`,
	`externalId eq "E-2" or externalId eq "e-1" or externalId eq "x"`,
	`phoneNumbers[type eq "mobile"] and addresses[country eq "de"]`, `addresses.locality eq "BERLIN"`,
	`roles eq "ADMIN"`, `x509Certificates.value eq "TUlJ"`, `x509Certificates.value eq "tulj"`,
	`active eq true`, `active eq false`, `active ne true`, `externalId eq "E-2"`, `externalId eq "e-1"`,
	`externalId sw "E"`, `externalId co "%"`, `externalId pr`, `id eq ` + fuzzNoID, `id ne ` + fuzzNoID, `id pr`,
	`meta.created gt "2000-01-01T00:00:00Z"`, `meta.lastModified lt "2000-01-01T00:00:00+01:00"`,
	`meta.created ge "2000-01-01T00:00:00.0000001Z"`, `meta.resourceType eq "User"`, `meta.resourceType eq "Group"`,
	`meta.version eq "1"`, `meta.location pr or meta.location ne "x"`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department sw "TOUR"`, `department co "eng"`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m-1"`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq "M-1" and displayName pr]`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value ne "x"]`,
	`badge gt 100`, `badge eq 42`, `badge le 7`, `badge ne 42`, `score ge 1.50`, `score eq 1.5`, `score lt 2`,
	`contractor eq false`, `contractor pr`, `hired gt "2024-01-15T09:00:00Z"`, `hired eq "2024-01-15T10:00:00Z"`,
	`hired lt "2024-01-15T12:00:00+02:00"`, `hired le "2023-06-01T00:00:00.5Z"`, `tags eq "RED"`, `tags co "E"`,
	`code eq "abc"`, `code gt "B"`, `code sw "A"`, `profileUrl sw "https://Example"`,
	`(userName sw "a" or userName sw "b") and active eq true`, `not (userName sw "a" or active eq false)`,
	`not (not (title pr))`, `hired co "2024"`, `active eq true and hired co "2024"`, `meta.version gt "0"`,
	`displayName eq "admins"`, `displayName sw "T"`, `displayName sw "öl"`, `displayName gt "E"`,
	`members[value eq ` + fuzzNoID + `]`, `members.value eq ` + fuzzNoID, `members eq ` + fuzzNoID,
	`members ne ` + fuzzNoID, `members pr`, `not (members pr)`, `members.value eq null`, `members[type eq "group"]`,
	`members[value eq ` + fuzzNoID + `] or members[type eq "GROUP"] or members[display co "a"]`,
	`members.display co "A" or members.display co "zz"`, `members.display co "BAR"`,
	`members[display pr and value eq ` + fuzzNoID + `]`, `members.value eq "X"`,
	`id eq ` + fuzzNoID + ` and members[value eq ` + fuzzNoID + `]`, `externalId eq "G-1"`,

	// Folding beyond ASCII: ſ and the Kelvin sign fold to ASCII letters.
	`userName eq "ſybil"`, `name.familyName sw "Klum"`, `userName gt "zoe"`, `displayName lt "zoë å"`,
	`displayName ew "ÅNGSTRÖM"`, `nickName eq "z"`, `userName sw "İ"`, `title lt "é"`, `nickName le "Z"`,
	// Numbers: spellings, precision and range.
	`badge eq 42.0`, `badge eq 4.2e1`, `badge gt -3.5`, `badge ge 9223372036854775807`,
	`badge lt 9223372036854775808`, `score le 225e-2`, `badge eq "42"`, `score lt 1e400`, `badge ne 7 and badge pr`,
	// dateTimes: offsets, fractions, forms the SQL leaves to filter.Match.
	`hired gt "2024-01-15T09:59:59.999999999Z"`, `hired eq "2024-01-15T09:59:59.999999999Z"`,
	`hired ge "2024-01-15T09:59:59.9999999991Z"`, `hired lt "2024-01-16T00:30:00+14:00"`,
	`hired eq "2024-01-15T10:00:00+00:00"`, `hired gt "2024-01-15T09:00:00"`, `hired ne "2025-03-01T13:30:00Z"`,
	`hired ge "0001-01-01T00:00:00Z"`, `meta.created eq "2000-01-01T00:00:00.0000001Z"`,
	`meta.lastModified le "2999-01-01T00:00:00Z"`, `not (meta.created pr)`, `meta pr`,
	// meta.version and id.
	`meta.version eq "W/\"1\""`, `meta.version ne "1"`, `meta.resourceType eq "user"`,
	`id sw "0"`, `id gt "8"`, `id co "-"`, `id ew ""`,
	// Columns.
	`externalId eq "x%"`, `externalId gt "E-1"`, `externalId lt "e"`, `externalId co ""`, `externalId eq ""`,
	`externalId eq null`, `not (externalId ne "E-2")`,
	// Booleans.
	`active ne false`, `active eq "TRUE"`, `not (active pr)`, `contractor ne true`, `emails.primary eq false`,
	`emails.primary ne false`,
	// Multi-valued and complex attributes.
	`x509Certificates pr`, `x509Certificates eq "TUlJ"`, `ims[type eq "XMPP"]`, `roles[value sw "AD"]`,
	`name[givenName eq "barbara" and familyName sw "J"]`, `name[not (givenName pr)]`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[not (displayName pr)]`,
	`addresses[locality sw "b" and not (country eq "us")]`, `phoneNumbers.value co " 30 "`,
	`emails ne "JANE@example.com"`, `not (emails.value pr)`, `emails[value eq null]`, `emails[type ne null]`,
	`emails.type eq "work" or emails.type eq "home" or emails.value ew "org"`,
	`emails[type eq "work"] and emails[primary eq true]`, `emails.value gt "j"`, `emails.value le "Babs"`,
	`tags ne "blue"`, `tags sw ""`, `tags pr`, `not (tags co "e")`, `tags gt "r"`, `tags eq null`,
	// Strings, LIKE wildcards and escapes.
	`userName sw "100%"`, `userName co "\\s"`, `displayName co "%"`, `userName eq 100`, `userName ew "_match"`,
	`userName co "a" or userName co "e" or userName co "%" or userName co "\\"`, `userName ew "" or userName sw ""`,
	`title eq ""`, `title gt ""`, `title co "\u0000"`, `title ne "tour GUIDE"`,
	// Extensions.
	`department eq "TOUR OPERATIONS"`, `employeeNumber gt "5"`, `employeeNumber eq 42`, `code lt "a"`,
	`code eq "ABC"`, `code co "b"`, `timezone eq "europe/berlin"`, `preferredLanguage sw "E"`,
	`userType eq "contractor"`, `locale eq "RU-ru"`, `profileUrl eq "https://example.com/carol"`,
	`profileUrl co "EXAMPLE"`, `urn:example:params:scim:schemas:extension:test:2.0:User:tags[value eq "x"]`,
	// Logic.
	`not (userName eq "alice" or userName eq "bob")`, `not (not (emails[type eq "work"]) or active eq true)`,
	`(title pr or nickName pr) and not (active eq false or badge lt 0)`,
	`not (emails[value co "zeta"]) and not (userName co "a") and not (badge gt 10)`,
	// Groups.
	`displayName eq "ÖLWERK"`, `displayName lt "ö"`, `members.type eq "USER"`,
	`members[type eq "User" and display eq null]`, `members.display ne "babs"`, `members.display gt "j"`,
	`members[display sw "B"] or members[display ew "N"]`, `not (members[type eq "user"])`,
	// Found by this target: numbers beyond float64's precision, compared
	// as float64 unless both are integers; an element without "primary"
	// has it false.
	`score eq 1.5000000000000001`, `score gt 1.4999999999999999`, `badge eq 42.00000000000000001`,
	`badge lt 42.0000000000000001`,
	`emails[primary eq false]`, `emails[primary ne false]`, `emails[primary eq false and type eq "work"]`,
	`not (emails[primary eq false])`, `emails[not (primary eq false)]`,
}

// FuzzListMatchesFilter checks that List selects exactly the resources
// filter.Match selects, for each of the User and Group resource types the
// filter binds to, over the fixture of the filter suite in every backend
// and key layout.
func FuzzListMatchesFilter(f *testing.F) {
	for _, s := range fuzzFilterSeeds {
		f.Add(s)
	}
	types := map[string]*schema.ResourceType{}
	for _, rt := range filterTypes() {
		types[rt.Name] = rt
	}
	ff := newFuzzFixtures(f)
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > fuzzFilterMaxLen {
			return
		}
		var exprs []filter.Expr
		var typs []string
		for _, typ := range []string{"User", "Group"} {
			e, err := filter.Parser{Schema: types[typ]}.Parse(text)
			if err == nil {
				exprs, typs = append(exprs, e), append(typs, typ)
			}
		}
		if len(exprs) == 0 {
			return
		}
		for _, fx := range ff.get(t) {
			for i, e := range exprs {
				typ := typs[i]
				want := []string{}
				for _, r := range fx.all[typ] {
					if filter.Match(e, r.Object()) {
						want = append(want, fx.label[r.ID])
					}
				}
				rs, total, err := fuzzListAll(fx.fixture, typ, store.Query{Filter: e, Count: 1000})
				if err != nil {
					t.Errorf("%s: List %s (%s): %v", fx.name, typ, text, err)
					continue
				}
				got := fuzzLabels(fx.fixture, rs)
				if diff := gocmp.Diff(want, got); diff != "" {
					pushed, residual := fx.s.sqlSplit(typ, e)
					t.Errorf("%s: List %s %q differs from filter.Match (-match +list):\n%s\nparsed %s\nSQL %v, filter.Match %v",
						fx.name, typ, text, diff, e, pushed, residual)
				}
				if total != len(rs) {
					t.Errorf("%s: List %s %q: Total %d, %d resources", fx.name, typ, text, total, len(rs))
				}
			}
		}
	})
}

// fuzzSortSeeds are sort paths of the fixture's types.
var fuzzSortSeeds = []string{
	"userName", "name.familyName", "name.givenName", "name.formatted", "badge", "score", "emails.value",
	"emails.type", "emails.primary", "displayName", "nickName", "title", "externalId", "id", "meta.created",
	"meta.lastModified", "meta.version", "meta.resourceType", "active", "contractor", "hired", "tags", "code",
	"profileUrl", "phoneNumbers.value", "addresses.locality", "addresses.country", "roles.value",
	"x509Certificates.value", "ims.type", "locale", "timezone", "userType", "preferredLanguage",
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName",
	"employeeNumber", "members.value", "members.display", "members.type",
}

// FuzzListSortMatches checks that List sorted by an attribute (and
// filtered, when the input has a filter) returns, page by page, the
// resources filter.Match selects in the order of the memory store
// (schema.SortKey and CompareSortKeys of the primary or first value, ties
// in creation order).
func FuzzListSortMatches(f *testing.F) {
	for i, p := range fuzzSortSeeds {
		f.Add(p, i%2 == 1, "")
	}
	f.Add("emails.value", true, `emails[value co "@"] and hired co "2"`)
	f.Add("title", false, `title pr or userName sw "a"`)
	f.Add("badge", true, `not (badge eq 42) and userName ne "x"`)
	f.Add("members.display", false, `members pr`)
	types := map[string]*schema.ResourceType{}
	for _, rt := range filterTypes() {
		types[rt.Name] = rt
	}
	ff := newFuzzFixtures(f)
	f.Fuzz(func(t *testing.T, sortBy string, descending bool, text string) {
		if len(sortBy) > 200 || len(text) > fuzzFilterMaxLen {
			return
		}
		for _, typ := range []string{"User", "Group"} {
			p := filter.Parser{Schema: types[typ]}
			path, err := p.ParseAttrPath(sortBy)
			if err != nil || path.Leaf() == nil || path.Leaf().Type == schema.Complex {
				continue // the handler refuses complex sort paths
			}
			var e filter.Expr
			if text != "" {
				if e, err = p.Parse(text); err != nil {
					continue
				}
			}
			for _, fx := range ff.get(t) {
				all := fx.all[typ]
				// The memory store's order: store.ListSlice over the
				// resources in creation order.
				want, err := store.ListSlice(context.Background(), all, store.Query{Filter: e, SortBy: path, Descending: descending, StartIndex: 1, Count: len(all)})
				if err != nil {
					t.Fatal(err)
				}
				got, total, err := fuzzListAll(fx.fixture, typ, store.Query{Filter: e, SortBy: path, Descending: descending, Count: 4})
				if err != nil {
					t.Errorf("%s: List %s sorted by %q (descending %v) with filter %q: %v", fx.name, typ, sortBy, descending, text, err)
					continue
				}
				if diff := gocmp.Diff(fuzzLabels(fx.fixture, want.Resources), fuzzLabels(fx.fixture, got)); diff != "" {
					t.Errorf("%s: List %s sorted by %q (descending %v) with filter %q (-want +got):\n%s", fx.name, typ, sortBy, descending, text, diff)
				}
				if total != len(got) {
					t.Errorf("%s: List %s sorted by %q with filter %q: Total %d, %d resources", fx.name, typ, sortBy, text, total, len(got))
				}
			}
		}
	})
}
