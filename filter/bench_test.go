package filter_test

import (
	"fmt"
	"testing"

	fp "github.com/scim2/filter-parser/v2"

	"github.com/scimkit/scimkit/filter"
)

var benchCases = []struct {
	name string
	in   string
	path bool // a PATCH path: ParsePath / fp.ParsePath
}{
	{"eq", `userName eq "bjensen@example.com"`, false},
	{"valuepath", `members[value eq "2819c223-7f76-453a-919d-413861904646"]`, true},
	{"complex", `emails[type eq "work" and value co "@example.com"] or (name.familyName sw "J" and not (active eq false))`, false},
}

var sink any

func BenchmarkParseFilter(b *testing.B) {
	for _, bc := range benchCases {
		b.Run("ours/"+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if bc.path {
					sink, err = filter.Parser{}.ParsePath(bc.in)
				} else {
					sink, err = filter.Parse(bc.in)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("ours-bound/"+bc.name, func(b *testing.B) {
			p := filter.Parser{Schema: userRT}
			if bc.path {
				p.Schema = groupRT
			}
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if bc.path {
					sink, err = p.ParsePath(bc.in)
				} else {
					sink, err = p.Parse(bc.in)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("filterparser/"+bc.name, func(b *testing.B) {
			in := []byte(bc.in)
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if bc.path {
					sink, err = fp.ParsePathNumber(in)
				} else {
					sink, err = fp.ParseFilterNumber(in)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMatch evaluates filters against 10,000 users, as the memory store
// does for a list request without pushdown.
func BenchmarkMatch(b *testing.B) {
	users := make([]map[string]any, 10000)
	for i := range users {
		u := testUser()
		u["userName"] = fmt.Sprintf("user%05d@example.com", i)
		u["id"] = fmt.Sprintf("%08d-7f76-453a-919d-413861904646", i)
		users[i] = u
	}
	for _, bc := range []struct{ name, in string }{
		{"eq", `userName eq "USER09999@example.com"`},
		{"valuepath", `emails[type eq "work" and value co "@example.com"]`},
		{"complex", benchCases[2].in},
		{"dateTime", `meta.lastModified gt "2011-01-01T00:00:00Z"`},
		{"extension", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`},
	} {
		for _, bound := range []bool{true, false} {
			p := filter.Parser{}
			name := "unbound/" + bc.name
			if bound {
				p.Schema = userRT
				name = "bound/" + bc.name
			}
			e, err := p.Parse(bc.in)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					n := 0
					for _, u := range users {
						if filter.Match(e, u) {
							n++
						}
					}
					sink = n
				}
			})
		}
	}
}
