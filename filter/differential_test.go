package filter_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	fp "github.com/scim2/filter-parser/v2"

	"github.com/scimkit/scimkit/filter"
)

// oracle is our parser configured to be compared with filter-parser/v2:
// strict (no leniencies) and with limits that filter-parser does not have
// lifted.
var oracle = filter.Parser{Strict: true, MaxDepth: 1 << 20, MaxLength: 1 << 20, MaxTerms: 1 << 20}

// fromFP converts a filter-parser/v2 tree to ours. filter-parser keeps the
// JSON escapes of string values; they are decoded here.
func fromFP(e fp.Expression) (filter.Expr, error) {
	switch e := e.(type) {
	case *fp.AttributeExpression:
		p := fromFPPath(e.AttributePath)
		if e.Operator == fp.PR {
			return &filter.Present{Path: p}, nil
		}
		v := e.CompareValue
		if s, ok := v.(string); ok {
			var dec string
			if err := json.Unmarshal([]byte(`"`+s+`"`), &dec); err != nil {
				return nil, fmt.Errorf("decoding %q: %v", s, err)
			}
			v = dec
		}
		return &filter.Compare{Path: p, Op: filter.Operator(e.Operator), Value: v}, nil
	case *fp.LogicalExpression:
		l, err := fromFP(e.Left)
		if err != nil {
			return nil, err
		}
		r, err := fromFP(e.Right)
		if err != nil {
			return nil, err
		}
		if e.Operator == fp.AND {
			return &filter.And{Left: l, Right: r}, nil
		}
		return &filter.Or{Left: l, Right: r}, nil
	case *fp.NotExpression:
		x, err := fromFP(e.Expression)
		if err != nil {
			return nil, err
		}
		return &filter.Not{X: x}, nil
	case *fp.ValuePath:
		f, err := fromFP(e.ValueFilter)
		if err != nil {
			return nil, err
		}
		return &filter.ValuePath{Path: fromFPPath(e.AttributePath), Filter: f}, nil
	}
	return nil, fmt.Errorf("unknown filter-parser node %T", e)
}

func fromFPPath(p fp.AttributePath) filter.AttrPath {
	return filter.AttrPath{URN: p.URI(), Name: p.AttributeName, Sub: p.SubAttributeName()}
}

// normalize rewrites what the two parsers spell differently without a
// difference in meaning: filter-parser writes every exponent marker as "e".
func normalize(e filter.Expr) filter.Expr {
	switch e := e.(type) {
	case *filter.Compare:
		if n, ok := e.Value.(json.Number); ok {
			return &filter.Compare{Path: e.Path, Op: e.Op, Value: json.Number(strings.ReplaceAll(string(n), "E", "e"))}
		}
	case *filter.And:
		return &filter.And{Left: normalize(e.Left), Right: normalize(e.Right)}
	case *filter.Or:
		return &filter.Or{Left: normalize(e.Left), Right: normalize(e.Right)}
	case *filter.Not:
		return &filter.Not{X: normalize(e.X)}
	case *filter.ValuePath:
		return &filter.ValuePath{Path: e.Path, Filter: normalize(e.Filter)}
	}
	return e
}

// Deliberate differences from filter-parser/v2 (see also the Parser docs):
//
//   - We reject invalid UTF-8 up front; filter-parser reads it as U+FFFD.
//   - We accept lower-case hex digits in \u escapes, as JSON does.
//   - Inside brackets we accept the whole filter grammar (parentheses,
//     chains of "and"/"or", "not" anywhere), and after them a sub-attribute
//     comparison (`emails[type eq "work"].value eq "x"`); filter-parser
//     accepts only one attrExp, two joined by "and"/"or", or "not (...)".
//   - Inside brackets we reject schema URNs and sub-attributes (they name
//     sub-attributes of the bracketed attribute, which have none), nested
//     brackets, and a sub-attribute before the brackets (`name.x[...]`);
//     we also require spaces around "and"/"or" there as everywhere.
//   - We reject null with operators other than eq and ne.
//
// weAcceptMore and theyAcceptMore say whether a disagreement on s is one of
// these; our error message identifies the rejections.
func weAcceptMore(s string) bool {
	return strings.ContainsRune(s, '[') || hasLowerHexEscape(s)
}

func theyAcceptMore(s string, err error) bool {
	if !utf8.ValidString(s) {
		return true
	}
	msg := err.Error()
	for _, known := range []string{
		"null can only be compared with eq or ne",
		"take no schema URN",
		"have no sub-attributes",
		"value filter after sub-attribute",
		"value filter inside the value filter",
	} {
		if strings.Contains(msg, known) {
			return true
		}
	}
	// Spacing inside brackets: filter-parser allows `a[b eq 1and c pr]`.
	return strings.ContainsRune(s, '[')
}

func hasLowerHexEscape(s string) bool {
	for i := 0; i+5 < len(s); i++ {
		if s[i] == '\\' && s[i+1] == 'u' && strings.ContainsAny(s[i+2:i+6], "abcdef") {
			return true
		}
	}
	return false
}

// differential parses s with both parsers and reports a disagreement that
// is not one of the deliberate differences.
func differential(t *testing.T, s string) {
	t.Helper()
	ours, ourErr := oracle.Parse(s)
	theirs, theirErr := fp.ParseFilterNumber([]byte(s))
	switch {
	case ourErr != nil && theirErr != nil:
		return
	case ourErr == nil && theirErr != nil:
		if !weAcceptMore(s) {
			t.Errorf("%q: we accept %s, filter-parser rejects: %v", s, ours, theirErr)
		}
		return
	case ourErr != nil && theirErr == nil:
		if !theyAcceptMore(s, ourErr) {
			t.Errorf("%q: filter-parser accepts, we reject: %v", s, ourErr)
		}
		return
	}
	want, err := fromFP(theirs)
	if err != nil {
		t.Fatalf("%q: converting filter-parser's tree: %v", s, err)
	}
	if diff := cmp.Diff(normalize(want), normalize(ours)); diff != "" {
		t.Errorf("%q: trees differ (-filter-parser +ours):\n%s", s, diff)
	}
}

// differentialPath is differential for PATCH paths.
func differentialPath(t *testing.T, s string) {
	t.Helper()
	ours, ourErr := oracle.ParsePath(s)
	theirs, theirErr := fp.ParsePathNumber([]byte(s))
	switch {
	case ourErr != nil && theirErr != nil:
		return
	case ourErr == nil && theirErr != nil:
		if !weAcceptMore(s) {
			t.Errorf("path %q: we accept %s, filter-parser rejects: %v", s, ours, theirErr)
		}
		return
	case ourErr != nil && theirErr == nil:
		if !theyAcceptMore(s, ourErr) {
			t.Errorf("path %q: filter-parser accepts, we reject: %v", s, ourErr)
		}
		return
	}
	want := filter.Path{AttrPath: fromFPPath(theirs.AttributePath)}
	if theirs.ValueExpression != nil {
		f, err := fromFP(theirs.ValueExpression)
		if err != nil {
			t.Fatalf("path %q: converting filter-parser's tree: %v", s, err)
		}
		want.Filter = normalize(f)
		want.Sub = theirs.SubAttributeName()
	}
	ours.Filter = normalize(ours.Filter)
	if diff := cmp.Diff(want, ours); diff != "" {
		t.Errorf("path %q: trees differ (-filter-parser +ours):\n%s", s, diff)
	}
}

// corpus is shared by the differential test and the fuzz seeds.
var corpus = []string{
	`userName eq "bjensen"`,
	`name.familyName co "O'Malley"`,
	`userName sw "J"`,
	`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`,
	`title pr`,
	`meta.lastModified gt "2011-05-13T04:42:34Z"`,
	`meta.lastModified ge "2011-05-13T04:42:34Z"`,
	`meta.lastModified lt "2011-05-13T04:42:34Z"`,
	`meta.lastModified le "2011-05-13T04:42:34Z"`,
	`title pr and userType eq "Employee"`,
	`title pr or userType eq "Intern"`,
	`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`,
	`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
	`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
	`userType eq "Employee" and (emails.type eq "work")`,
	`userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`,
	`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
	`emails[type eq "work"].value eq "a@contoso.com"`,
	`emails[not (type eq "work")]`,
	`a eq 1 and b eq -2.5e+10 or c eq 0.5E-3`,
	`a eq true and b eq FALSE and c eq Null`,
	`a eq "q\"uote \\ \/ \b\f\n\r\t \u00E9 \u00e9 \ud83d\ude00"`,
	`A eq "\u007f"`,
	`not(a pr)`,
	`not  (  a pr  )`,
	`(a pr)`,
	`((a pr) and (b pr))`,
	`a pr and b pr and c pr`,
	`a pr or b pr or c pr`,
	`a pr or b pr and c pr`,
	`a pr and (b pr and c pr)`,
	`a pr or (b pr or c pr)`,
	`not pr`,
	`members.$ref pr`,
	`a-b_c pr`,
	`x:y.z eq 1`,
	`a co null`,
	`a eq null`,
	`userName eq "x"  and  b pr`,
	` a pr`,
	`a pr `,
	`a  pr`,
	`a[b pr]`,
	`a [ b pr ]`,
	`a[b eq 1and c pr]`,
	`a[urn:x:b pr]`,
	`a.b[c pr]`,
	`a[b.c pr]`,
	`a[b pr or c pr or d pr]`,
	`a[(b pr)]`,
	`a eq 01`,
	`a eq 1.`,
	`a eq -`,
	`a eq jyoung`,
	`a eq "x`,
	`a eq "\x"`,
	"a eq \"\t\"",
	"a eq \"\xff\"",
	`someone@example.com`,
	`a eqq 1`,
	`(a pr`,
	`a pr)`,
}

var pathCorpus = []string{
	`members`,
	`name.familyName`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`,
	`members[value eq "2819c223-7f76-453a-919d-413861904646"]`,
	`emails[type eq "work"].value`,
	`addresses[type eq "work"].formatted`,
	`a.b[c pr].d`,
	`a[b pr].c.d`,
	`a[b pr] `,
	`a b`,
	``,
}

func TestDifferential(t *testing.T) {
	for _, s := range corpus {
		differential(t, s)
	}
	for _, s := range pathCorpus {
		differentialPath(t, s)
	}
}

func FuzzDifferential(f *testing.F) {
	for _, s := range corpus {
		f.Add(s)
	}
	for _, s := range pathCorpus {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 512 {
			return
		}
		differential(t, s)
		differentialPath(t, s)
	})
}
