package filter_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
)

// FuzzParse checks that no input makes the parsers panic, that every parsed
// filter prints as a filter that parses back to an equal tree (lenient,
// strict and bound), and that Match never panics.
func FuzzParse(f *testing.F) {
	for _, s := range corpus {
		f.Add(s)
	}
	for _, s := range []string{
		`externalId eq jyoung`,
		`id eq 54D382A4-9A4E and manager eq 2819c223`,
		`active eq "True"`,
		`members eq "2819c223"`,
		`Emails[Type eq "work"].Value eq "a@b.com"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department eq "x"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"`,
		`meta.created ge "2010-01-23T04:56:22+02:00" and age gt 4`,
		"a eq \"\x7f\"",
	} {
		f.Add(s)
	}
	user, group := testUser(), testGroup()
	parsers := []filter.Parser{
		{},
		{Strict: true},
		{Schema: userRT},
		{Schema: groupRT, Strict: true},
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range parsers {
			e, err := p.Parse(s)
			if err != nil {
				if _, ok := err.(*filter.Error); !ok {
					t.Fatalf("Parse(%q) error %T, want *filter.Error", s, err)
				}
			} else {
				printed := e.String()
				again, err := p.Parse(printed)
				if err != nil {
					t.Fatalf("%+v: Parse(%q) = %q, which does not parse: %v", p, s, printed, err)
				}
				if diff := cmp.Diff(e, again); diff != "" {
					t.Fatalf("%+v: Parse(%q) printed as %q parses differently (-want +got):\n%s", p, s, printed, diff)
				}
				filter.Match(e, user)
				filter.Match(e, group)
			}
			if path, err := p.ParsePath(s); err == nil {
				printed := path.String()
				again, err := p.ParsePath(printed)
				if err != nil {
					t.Fatalf("%+v: ParsePath(%q) = %q, which does not parse: %v", p, s, printed, err)
				}
				if diff := cmp.Diff(path, again); diff != "" {
					t.Fatalf("%+v: ParsePath(%q) printed as %q parses differently (-want +got):\n%s", p, s, printed, diff)
				}
			}
			if ap, err := p.ParseAttrPath(s); err == nil {
				again, err := p.ParseAttrPath(ap.String())
				if err != nil || again != ap {
					t.Fatalf("%+v: ParseAttrPath(%q) = %v, reparsed as %v, %v", p, s, ap, again, err)
				}
			}
		}
	})
}
