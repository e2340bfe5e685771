package filter_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

var (
	userRT  = schema.UserResourceType(schema.EnterpriseUserSchema())
	groupRT = schema.GroupResourceType()
)

func ap(name string) filter.AttrPath { return filter.AttrPath{Name: name} }

func sub(name, s string) filter.AttrPath { return filter.AttrPath{Name: name, Sub: s} }

func cmpE(p filter.AttrPath, op filter.Operator, v any) *filter.Compare {
	return &filter.Compare{Path: p, Op: op, Value: v}
}

func TestParseUnbound(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		in     string
		strict bool
		want   filter.Expr
	}{
		{"eq", "the basic form", `userName eq "bjensen"`, false, cmpE(ap("userName"), filter.Eq, "bjensen")},
		{"ops", "operators are case-insensitive and stored lower case", `title NE "x"`, false, cmpE(ap("title"), filter.Ne, "x")},
		{"co", "", `name.familyName co "O'Malley"`, false, cmpE(sub("name", "familyName"), filter.Co, "O'Malley")},
		{"sw", "", `userName sw "J"`, false, cmpE(ap("userName"), filter.Sw, "J")},
		{"ew", "", `userName Ew "J"`, false, cmpE(ap("userName"), filter.Ew, "J")},
		{"gt", "dateTime values are strings", `meta.lastModified gt "2011-05-13T04:42:34Z"`, false, cmpE(sub("meta", "lastModified"), filter.Gt, "2011-05-13T04:42:34Z")},
		{"ge", "numbers keep their text", `age ge 1.50`, false, cmpE(ap("age"), filter.Ge, json.Number("1.50"))},
		{"lt", "exponents", `age lt -1e+5`, false, cmpE(ap("age"), filter.Lt, json.Number("-1e+5"))},
		{"le", "", `age le 0`, false, cmpE(ap("age"), filter.Le, json.Number("0"))},
		{"pr", "", `title pr`, false, &filter.Present{Path: ap("title")}},
		{"PR", "pr is case-insensitive", `title PR`, false, &filter.Present{Path: ap("title")}},
		{"true", "", `active eq true`, false, cmpE(ap("active"), filter.Eq, true)},
		{"FALSE", "JSON literals are case-insensitive as in RFC 5234 ABNF", `active eq FALSE`, false, cmpE(ap("active"), filter.Eq, false)},
		{"null", "", `title eq null`, false, cmpE(ap("title"), filter.Eq, nil)},
		{"escapes", "escapes are decoded", `userName eq "O\"Brien \\ \/ \b\f\n\r\t"`, false, cmpE(ap("userName"), filter.Eq, "O\"Brien \\ / \b\f\n\r\t")},
		{"unicode lower", "lower-case hex is JSON", `userName eq "\u00e9"`, false, cmpE(ap("userName"), filter.Eq, "é")},
		{"unicode upper", "", `userName eq "\u00E9"`, false, cmpE(ap("userName"), filter.Eq, "é")},
		{"surrogates", "a pair decodes to one rune", `userName eq "\ud83d\ude00"`, false, cmpE(ap("userName"), filter.Eq, "😀")},
		{"lone surrogate", "becomes U+FFFD as in encoding/json", `userName eq "\ud83dx"`, false, cmpE(ap("userName"), filter.Eq, "\ufffdx")},
		{"urn", "unbound: split at the last colon",
			`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"`, false,
			cmpE(filter.AttrPath{URN: schema.EnterpriseUserURN, Name: "manager", Sub: "value"}, filter.Eq, "x")},
		{"and or precedence", "and binds tighter than or",
			`a pr or b pr and c pr`, false,
			&filter.Or{Left: &filter.Present{Path: ap("a")}, Right: &filter.And{Left: &filter.Present{Path: ap("b")}, Right: &filter.Present{Path: ap("c")}}}},
		{"left assoc", "chains associate to the left",
			`a pr AND b pr and c pr`, false,
			&filter.And{Left: &filter.And{Left: &filter.Present{Path: ap("a")}, Right: &filter.Present{Path: ap("b")}}, Right: &filter.Present{Path: ap("c")}}},
		{"grouping", "parentheses override precedence",
			`(a pr or b pr) and c pr`, false,
			&filter.And{Left: &filter.Or{Left: &filter.Present{Path: ap("a")}, Right: &filter.Present{Path: ap("b")}}, Right: &filter.Present{Path: ap("c")}}},
		{"not", "", `not (a pr)`, false, &filter.Not{X: &filter.Present{Path: ap("a")}}},
		{"not no space", "RFC ABNF has no space after not", `NOT(a pr)`, false, &filter.Not{X: &filter.Present{Path: ap("a")}}},
		{"not as name", "an attribute may be called not", `not pr`, false, &filter.Present{Path: ap("not")}},
		{"value path", "",
			`emails[type eq "work" and value co "@x"]`, false,
			&filter.ValuePath{Path: ap("emails"), Filter: &filter.And{Left: cmpE(ap("type"), filter.Eq, "work"), Right: cmpE(ap("value"), filter.Co, "@x")}}},
		{"entra", "a sub-attribute after the brackets joins the filter",
			`emails[type eq "work"].value eq "a@b.com"`, false,
			&filter.ValuePath{Path: ap("emails"), Filter: &filter.And{Left: cmpE(ap("type"), filter.Eq, "work"), Right: cmpE(ap("value"), filter.Eq, "a@b.com")}}},
		{"spaces in groups", "", `( a pr )`, false, &filter.Present{Path: ap("a")}},
		{"unquoted", "lenient: unquoted literal", `externalId eq jyoung`, false, cmpE(ap("externalId"), filter.Eq, "jyoung")},
		{"unquoted guid", "lenient: unquoted literals end at a space",
			`id eq 54D382A4-9A4E and manager eq 2819c223`, false,
			&filter.And{Left: cmpE(ap("id"), filter.Eq, "54D382A4-9A4E"), Right: cmpE(ap("manager"), filter.Eq, "2819c223")}},
		{"unquoted in parens", "lenient: unquoted literals end at )", `(x eq y)`, false, cmpE(ap("x"), filter.Eq, "y")},
		{"outer space", "lenient: surrounding space is ignored", "  a pr\t", false, &filter.Present{Path: ap("a")}},
		{"strict ok", "strict still parses RFC filters", `a eq "x" or b eq 1`, true,
			&filter.Or{Left: cmpE(ap("a"), filter.Eq, "x"), Right: cmpE(ap("b"), filter.Eq, json.Number("1"))}},
		{"$ref", "", `members.$ref pr`, false, &filter.Present{Path: sub("members", "$ref")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := filter.Parser{Strict: tt.strict}.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v (%s)", tt.in, err, tt.reason)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) (-want +got): %s\n%s", tt.in, tt.reason, diff)
			}
			again, err := filter.Parser{Strict: tt.strict}.Parse(got.String())
			if err != nil {
				t.Fatalf("Parse(String()) of %q: %v", got.String(), err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("round trip of %q through %q (-want +got):\n%s", tt.in, got.String(), diff)
			}
		})
	}
}

func TestParseBound(t *testing.T) {
	user := userRT.Schema
	ent := userRT.Extensions[0].Schema
	emails := user.Attr("emails")
	members := groupRT.Schema.Attr("members")
	tests := []struct {
		name   string
		reason string
		rt     *schema.ResourceType
		in     string
		want   filter.Expr
	}{
		{"canonical case", "names are rewritten in canonical case", userRT, `USERNAME EQ "x"`,
			cmpE(filter.AttrPath{Name: "userName", Attr: user.Attr("userName")}, filter.Eq, "x")},
		{"sub", "", userRT, `Name.FamilyName sw "J"`,
			cmpE(filter.AttrPath{Name: "name", Sub: "familyName", Attr: user.Attr("name"), SubAttr: user.Attr("name").Sub("familyName")}, filter.Sw, "J")},
		{"core urn", "the core URN is dropped", userRT, `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`,
			cmpE(filter.AttrPath{Name: "userName", Attr: user.Attr("userName")}, filter.Eq, "x")},
		{"core urn common", "common attributes may be qualified with the core URN", userRT, `urn:ietf:params:scim:schemas:core:2.0:User:id eq "x"`,
			cmpE(filter.AttrPath{Name: "id", Attr: schema.Common("id")}, filter.Eq, "x")},
		{"extension urn", "the URN is canonicalised", userRT, `URN:IETF:params:scim:schemas:extension:enterprise:2.0:user:manager.VALUE eq "x"`,
			cmpE(filter.AttrPath{URN: schema.EnterpriseUserURN, Name: "manager", Sub: "value", Attr: ent.Attr("manager"), SubAttr: ent.Attr("manager").Sub("value")}, filter.Eq, "x")},
		{"extension unqualified", "an extension attribute gets its URN", userRT, `department eq "x"`,
			cmpE(filter.AttrPath{URN: schema.EnterpriseUserURN, Name: "department", Attr: ent.Attr("department")}, filter.Eq, "x")},
		{"extension dot", "lenient: URN joined with a dot", userRT, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department eq "x"`,
			cmpE(filter.AttrPath{URN: schema.EnterpriseUserURN, Name: "department", Attr: ent.Attr("department")}, filter.Eq, "x")},
		{"meta", "", userRT, `meta.lastModified gt "2011-05-13T04:42:34Z"`,
			cmpE(filter.AttrPath{Name: "meta", Sub: "lastModified", Attr: schema.Common("meta"), SubAttr: schema.Common("meta").Sub("lastModified")}, filter.Gt, "2011-05-13T04:42:34Z")},
		{"True string", "lenient: a string compared with a boolean", userRT, `active eq "True"`,
			cmpE(filter.AttrPath{Name: "active", Attr: user.Attr("active")}, filter.Eq, true)},
		{"number to string", "lenient: an unquoted number compared with a string", userRT, `externalId eq 12345`,
			cmpE(filter.AttrPath{Name: "externalId", Attr: schema.Common("externalId")}, filter.Eq, "12345")},
		{"members eq", "lenient: a complex attribute compared as its value", groupRT, `members eq "2819c223"`,
			cmpE(filter.AttrPath{Name: "members", Attr: members}, filter.Eq, "2819c223")},
		{"value path", "", userRT, `Emails[Type eq "work"].Value eq "a@b.com"`,
			&filter.ValuePath{Path: filter.AttrPath{Name: "emails", Attr: emails}, Filter: &filter.And{
				Left:  cmpE(filter.AttrPath{Name: "type", Attr: emails.Sub("type")}, filter.Eq, "work"),
				Right: cmpE(filter.AttrPath{Name: "value", Attr: emails.Sub("value")}, filter.Eq, "a@b.com"),
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filter.Parser{Schema: tt.rt}
			got, err := p.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v (%s)", tt.in, err, tt.reason)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) (-want +got): %s\n%s", tt.in, tt.reason, diff)
			}
			again, err := p.Parse(got.String())
			if err != nil {
				t.Fatalf("Parse(String()) of %q: %v", got.String(), err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("round trip of %q through %q (-want +got):\n%s", tt.in, got.String(), diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		p       filter.Parser
		in      string
		wantOff int
		wantMsg string
	}{
		{"bad operator", "", filter.Parser{}, `userName eqq "x"`, 9, `expected operator after "userName", found "eqq"`},
		{"bare value", "Okta expects 400 for a bare value", filter.Parser{}, `someone@example.com`, 7, `expected operator after "someone", found "@example.com"`},
		{"bare word", "", filter.Parser{}, `bjensen`, 7, `expected operator after "bjensen", found end of input`},
		{"empty", "", filter.Parser{}, ``, 0, `empty input`},
		{"missing value", "", filter.Parser{}, `a eq `, 5, `expected value after "a" eq, found end of input`},
		{"unterminated", "", filter.Parser{}, `a eq "x`, 5, `unterminated string`},
		{"bad escape", "", filter.Parser{}, `a eq "\x"`, 6, `invalid escape "\\x" in string`},
		{"short unicode", "", filter.Parser{}, `a eq "\u12"`, 6, `invalid escape "\\u12": \u needs four hex digits`},
		{"control char", "", filter.Parser{}, "a eq \"\x01\"", 6, `control character "\u0001" in string; escape it`},
		{"unclosed paren", "", filter.Parser{}, `(a pr`, 5, `expected ")" or a logical operator, found end of input`},
		{"unclosed bracket", "", filter.Parser{}, `emails[type pr`, 14, `expected "]" or a logical operator, found end of input`},
		{"trailing", "", filter.Parser{}, `a pr b`, 5, `unexpected "b" after a complete filter`},
		{"strict unquoted", "strict: literals must be JSON", filter.Parser{Strict: true}, `externalId eq jyoung`, 14, `invalid value "jyoung": strings must be in double quotes`},
		{"strict space", "strict: no surrounding space", filter.Parser{Strict: true}, ` a pr`, 0, `expected attribute path, found " a"`},
		{"null co", "null only with eq and ne", filter.Parser{}, `a co null`, 5, `null can only be compared with eq or ne`},
		{"nested value path", "", filter.Parser{}, `a[b[c pr]]`, 3, `value filter inside the value filter of "a"`},
		{"urn in value path", "", filter.Parser{}, `a[urn:x:b pr]`, 2, `"urn:x:b": inside a value path, attribute paths name sub-attributes of "a" and take no schema URN`},
		{"two dots", "", filter.Parser{}, `a.b.c pr`, 3, `attribute path "a.b.c" has more than one sub-attribute`},
		{"bad name", "", filter.Parser{}, `1a pr`, 0, `invalid attribute name "1a"`},
		{"invalid utf8", "", filter.Parser{}, "a eq \"\xff\"", 6, `invalid UTF-8`},
		{"too long", "", filter.Parser{MaxLength: 10}, `userName eq "x"`, 10, `input longer than 10 bytes`},
		{"too deep", "", filter.Parser{}, strings.Repeat("(", 500) + "a pr" + strings.Repeat(")", 500), 32, `filter nested more than 32 levels deep`},
		{"too deep not", "", filter.Parser{MaxDepth: 1}, `not (not (a pr))`, 9, `filter nested more than 1 levels deep`},
		{"too many terms", "the work of a filter is bounded", filter.Parser{}, strings.Repeat(`a pr or `, 50) + `b pr`, 401, `filter has more than 50 attribute expressions`},
		{"too many terms in a value path", "value-path terms count", filter.Parser{MaxTerms: 3}, `a pr and e[v eq "1" or v eq "2" or v eq "3"]`, 36, `filter has more than 3 attribute expressions`},
		{"NUL", "no store holds a NUL; PostgreSQL cannot even compare one", filter.Parser{}, `userName eq "a\u0000b"`, 12, `a value containing a NUL character (\u0000) matches nothing a server stores`},
		{"NUL in a value path", "", filter.Parser{}, `emails[value co "\u0000"]`, 16, `a value containing a NUL character (\u0000) matches nothing a server stores`},
		{"unknown attribute", "bound", filter.Parser{Schema: userRT}, `userNam eq "x"`, 0, `unknown attribute "userNam"`},
		{"unknown sub", "bound", filter.Parser{Schema: userRT}, `name.first eq "x"`, 5, `unknown sub-attribute "name.first"`},
		{"unknown schema", "bound", filter.Parser{Schema: userRT}, `urn:x:y eq "x"`, 0, `unknown schema "urn:x" for resource type User`},
		{"sub of simple", "bound", filter.Parser{Schema: userRT}, `userName.x pr`, 9, `attribute "userName" is not complex and has no sub-attribute "x"`},
		{"gt boolean", "RFC 7644: gt on booleans is an error", filter.Parser{Schema: userRT}, `active gt true`, 10, `boolean attribute "active" supports only eq, ne and pr, not gt`},
		{"co boolean", "booleans support only eq and ne", filter.Parser{Schema: userRT}, `active co "t"`, 10, `boolean attribute "active" supports only eq, ne and pr, not co`},
		{"gt complex", "RFC 7644: gt on complex attributes is an error", filter.Parser{Schema: userRT}, `emails gt "a"`, 10, `operator gt cannot compare complex attribute "emails"`},
		{"gt binary", "RFC 7644: gt on binary attributes is an error", filter.Parser{Schema: userRT}, `x509Certificates.value gt "a"`, 26, `operator gt cannot compare binary attribute "x509Certificates.value"`},
		{"strict complex", "strict: members eq needs members.value", filter.Parser{Schema: groupRT, Strict: true}, `members eq "x"`, 11, `complex attribute "members" cannot be compared; compare one of its sub-attributes`},
		{"strict True", "strict: no boolean strings", filter.Parser{Schema: userRT, Strict: true}, `active eq "True"`, 10, `boolean attribute "active" must be compared with true or false`},
		{"strict number", "strict: no number for a string", filter.Parser{Schema: userRT, Strict: true}, `externalId eq 5`, 14, `string attribute "externalId" must be compared with a string`},
		{"bad dateTime", "bound dateTimes are checked", filter.Parser{Schema: userRT}, `meta.created gt "yesterday"`, 16, `invalid dateTime "yesterday" for attribute "meta.created"`},
		{"value path simple", "bound: only complex attributes have values to filter", filter.Parser{Schema: userRT}, `userName[value pr]`, 0, `attribute "userName" is not complex and has no values to filter`},
		{"value path unknown sub", "", filter.Parser{Schema: userRT}, `emails[kind eq "x"]`, 7, `unknown sub-attribute "emails.kind"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.p.Parse(tt.in)
			var fe *filter.Error
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%q) error = %v, want *filter.Error (%s)", tt.in, err, tt.reason)
			}
			// Errors naming an attribute the schema lacks say so (Unknown).
			want := &filter.Error{Offset: tt.wantOff, Msg: tt.wantMsg, Unknown: strings.HasPrefix(tt.wantMsg, "unknown ")}
			if diff := cmp.Diff(want, fe); diff != "" {
				t.Errorf("Parse(%q) error (-want +got): %s\n%s", tt.in, tt.reason, diff)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	_, err := filter.Parse(`userName eqq "x"`)
	want := `filter: at offset 9: expected operator after "userName", found "eqq"`
	if err == nil || err.Error() != want {
		t.Errorf("Error() = %v, want %s", err, want)
	}
}
