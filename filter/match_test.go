package filter_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

func testUser() map[string]any {
	return map[string]any{
		"id":          "2819c223-7f76-453a-919d-413861904646",
		"externalId":  "bjensen",
		"userName":    "Bjensen@Example.com",
		"displayName": "Babs Jensen",
		"nickName":    "",
		"title":       nil,
		"active":      true,
		"name":        map[string]any{"familyName": "Jensen", "givenName": "Barbara"},
		"emails": []any{
			map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
			map[string]any{"value": "babs@jensen.org", "type": "home"},
		},
		"phoneNumbers":     []any{},
		"ims":              []any{map[string]any{}},
		"x509Certificates": []any{map[string]any{"value": "TUlJRE"}},
		"profileUrl":       "https://login.example.com/bjensen",
		"meta": map[string]any{
			"resourceType": "User",
			"created":      "2010-01-23T04:56:22Z",
			"lastModified": "2011-05-13T04:42:34.5+02:00",
		},
		schema.EnterpriseUserURN: map[string]any{
			"employeeNumber": "701984",
			"department":     "Tour Operations",
			"manager":        map[string]any{"value": "26118915-6090-4610-87e4-49d8ca9f808d"},
		},
		"urn:example:custom:2.0:User": map[string]any{
			"age":    json.Number("42"),
			"height": json.Number("1.85"),
			"tags":   []any{"a", "B"},
		},
	}
}

func testGroup() map[string]any {
	return map[string]any{
		"id":          "e9e30dba-f08f-4109-8486-d5c6a331660a",
		"displayName": "Tour Guides",
		"members": []any{
			map[string]any{"value": "2819c223-7f76-453a-919d-413861904646", "display": "Babs Jensen"},
			map[string]any{"value": "902c246b-6245-4190-8e05-00816be7344a", "display": "Mandy Pepperidge"},
		},
	}
}

func TestMatch(t *testing.T) {
	custom := "urn:example:custom:2.0:User:"
	tests := []struct {
		name   string
		reason string
		rt     *schema.ResourceType // nil: unbound
		filter string
		want   bool
	}{
		{"eq ci", "userName is caseExact=false", userRT, `userName eq "bjensen@example.com"`, true},
		{"eq ci unbound", "unbound strings compare case-insensitively", nil, `USERNAME eq "bjensen@example.com"`, true},
		{"eq caseExact", "externalId is caseExact", userRT, `externalId eq "BJENSEN"`, false},
		{"eq caseExact exact", "", userRT, `externalId eq "bjensen"`, true},
		{"eq id", "id is caseExact", userRT, `id eq "2819C223-7F76-453A-919D-413861904646"`, false},
		{"ne", "", userRT, `displayName ne "Babs"`, true},
		{"ne absent", "ne is the negation of eq: absent attributes satisfy it", userRT, `title ne "Boss"`, true},
		{"ne multi", "ne holds only if no value equals", userRT, `emails.type ne "home"`, false},
		{"co", "", userRT, `displayName co "BS JEN"`, true},
		{"co miss", "", userRT, `displayName co "xyz"`, false},
		{"sw", "", userRT, `name.familyName sw "j"`, true},
		{"ew", "", userRT, `userName ew "EXAMPLE.COM"`, true},
		{"ew caseExact", "references compare exactly", userRT, `profileUrl ew "BJENSEN"`, false},
		{"gt string", "", userRT, `name.givenName gt "Alice"`, true},
		{"lt string ci", "ordering folds case", userRT, `name.givenName lt "barbara z"`, true},
		{"le string equal", "", userRT, `name.givenName le "BARBARA"`, true},
		{"gt dateTime", "dateTimes compare as instants", userRT, `meta.lastModified gt "2011-05-13T02:42:34Z"`, true},
		{"eq dateTime offset", "offsets are honoured", userRT, `meta.lastModified eq "2011-05-13T02:42:34.500Z"`, true},
		{"lt dateTime", "", userRT, `meta.created lt "2010-01-23T04:56:22.001Z"`, true},
		{"ge dateTime unbound", "unbound dateTimes compare as instants too", nil, `meta.lastModified ge "2011-05-13T02:42:34.5Z"`, true},
		{"eq true", "", userRT, `active eq true`, true},
		{"eq false", "", userRT, `active eq false`, false},
		{"ne true", "", userRT, `active ne true`, false},
		{"True string", "lenient: the string True equals true", userRT, `active eq "True"`, true},
		{"True string unbound", "", nil, `active eq "TRUE"`, true},
		{"integer", "numbers compare numerically", nil, custom + `age eq 42.0`, true},
		{"integer gt decimal", "", nil, custom + `age gt 41.5`, true},
		{"decimal le", "", nil, custom + `height le 1.850`, true},
		{"decimal lt exp", "", nil, custom + `height lt 2e0`, true},
		{"number unquoted string", "lenient: an unquoted number against a string attribute", userRT, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq 701984`, true},
		{"pr", "", userRT, `displayName pr`, true},
		{"pr empty string", "\"\" is not present", userRT, `nickName pr`, false},
		{"pr null", "null is not present", userRT, `title pr`, false},
		{"pr empty array", "[] is not present", userRT, `phoneNumbers pr`, false},
		{"pr array of empty objects", "", userRT, `ims pr`, false},
		{"pr absent", "", userRT, `locale pr`, false},
		{"pr sub", "", userRT, `emails.primary pr`, true},
		{"pr complex", "", userRT, `name pr`, true},
		{"eq null", "eq null means not present", userRT, `nickName eq null`, true},
		{"ne null", "", userRT, `displayName ne null`, true},
		{"multi sub", "any element's sub-attribute", userRT, `emails.value eq "BABS@jensen.org"`, true},
		{"complex value", "a complex attribute compares its value", userRT, `emails co "@jensen"`, true},
		{"value path", "", userRT, `emails[type eq "work" and value co "@example.com"]`, true},
		{"value path same element", "both conditions must hold for one element", userRT, `emails[type eq "home" and value co "@example.com"]`, false},
		{"entra", "", userRT, `emails[type eq "work"].value eq "bjensen@example.com"`, true},
		{"entra miss", "", userRT, `emails[type eq "home"].value eq "bjensen@example.com"`, false},
		{"value path not", "", userRT, `emails[not (type eq "work")]`, true},
		{"extension qualified", "", userRT, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "tour operations"`, true},
		{"extension unqualified", "", userRT, `department sw "Tour"`, true},
		{"extension sub", "", userRT, schema.EnterpriseUserURN + `:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`, true},
		{"extension unbound", "", nil, schema.EnterpriseUserURN + `:MANAGER.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`, true},
		{"core urn unbound", "an unbound core URN selects the top level", nil, schema.UserURN + `:userName eq "bjensen@example.com"`, true},
		{"core urn bound", "", userRT, schema.UserURN + `:userName eq "bjensen@example.com"`, true},
		{"multi simple", "multi-valued strings", nil, custom + `tags eq "b"`, true},
		{"and", "", userRT, `active eq true and name.familyName eq "Jensen"`, true},
		{"and false", "", userRT, `active eq true and name.familyName eq "Smith"`, false},
		{"or", "", userRT, `active eq false or name.familyName eq "Jensen"`, true},
		{"not", "", userRT, `not (userName eq "bjensen@example.com")`, false},
		{"precedence", "and binds tighter than or", userRT, `userName eq "x" and active eq true or displayName pr`, true},
		{"grouping", "", userRT, `userName eq "x" and (active eq true or displayName pr)`, false},
		{"meta created", "", userRT, `meta.created eq "2010-01-23T04:56:22Z"`, true},
		{"unquoted lenient", "", userRT, `externalId eq bjensen`, true},
		{"binary", "binary values compare exactly", userRT, `x509Certificates.value eq "tUlJRE"`, false},
		{"type mismatch", "a number never equals a boolean", nil, `active eq 1`, false},
		{"type mismatch ne", "and so satisfies ne", nil, `active ne 1`, true},
		{"unicode fold", "case folding beyond ASCII", nil, `displayName co "babs jensen"`, true},
	}
	obj := testUser()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := filter.Parser{Schema: tt.rt}.Parse(tt.filter)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.filter, err)
			}
			if got := filter.Match(e, obj); got != tt.want {
				t.Errorf("Match(%q) = %v, want %v (%s)", tt.filter, got, tt.want, tt.reason)
			}
			if diff := cmp.Diff(testUser(), obj); diff != "" {
				t.Errorf("Match modified its input (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMatchGroup(t *testing.T) {
	tests := []struct {
		name   string
		reason string
		rt     *schema.ResourceType
		filter string
		want   bool
	}{
		{"members eq", "PingFederate and Entra: members eq id", groupRT, `id eq "e9e30dba-f08f-4109-8486-d5c6a331660a" and members eq "902c246b-6245-4190-8e05-00816be7344a"`, true},
		{"members eq caseExact", "members.value is caseExact", groupRT, `members eq "902C246B-6245-4190-8E05-00816BE7344A"`, false},
		{"members eq unbound", "", nil, `members eq "902c246b-6245-4190-8e05-00816be7344a"`, true},
		{"members value path", "", groupRT, `members[value eq "2819c223-7f76-453a-919d-413861904646"]`, true},
		{"members value path miss", "", groupRT, `members[value eq "nobody"]`, false},
		{"displayName", "", groupRT, `DisplayName eq "tour guides"`, true},
		{"members.display", "", groupRT, `members.display sw "mandy"`, true},
	}
	obj := testGroup()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := filter.Parser{Schema: tt.rt}.Parse(tt.filter)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.filter, err)
			}
			if got := filter.Match(e, obj); got != tt.want {
				t.Errorf("Match(%q) = %v, want %v (%s)", tt.filter, got, tt.want, tt.reason)
			}
		})
	}
}

func TestConjuncts(t *testing.T) {
	a, b, c := &filter.Present{Path: ap("a")}, &filter.Present{Path: ap("b")}, &filter.Present{Path: ap("c")}
	tests := []struct {
		name   string
		reason string
		in     string
		want   []filter.Expr
	}{
		{"single", "", `a pr`, []filter.Expr{a}},
		{"chain", "", `a pr and b pr and c pr`, []filter.Expr{a, b, c}},
		{"right nested", "", `a pr and (b pr and c pr)`, []filter.Expr{a, b, c}},
		{"or", "or is one conjunct", `a pr or b pr`, []filter.Expr{&filter.Or{Left: a, Right: b}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := filter.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got := filter.Conjuncts(e)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Conjuncts(%q) (-want +got): %s\n%s", tt.in, tt.reason, diff)
			}
			if diff := cmp.Diff(filter.Conjuncts(filter.AndOf(got...)), got); diff != "" {
				t.Errorf("Conjuncts(AndOf(...)) (-want +got):\n%s", diff)
			}
		})
	}
	if got := filter.AndOf(); got != nil {
		t.Errorf("AndOf() = %v, want nil", got)
	}
	if got := filter.Conjuncts(nil); got != nil {
		t.Errorf("Conjuncts(nil) = %v, want nil", got)
	}
	if diff := cmp.Diff(filter.Expr(&filter.And{Left: &filter.And{Left: a, Right: b}, Right: c}), filter.AndOf(a, nil, b, c)); diff != "" {
		t.Errorf("AndOf(a, nil, b, c) (-want +got):\n%s", diff)
	}
}

func TestMatchUnicode(t *testing.T) {
	obj := map[string]any{"displayName": "ÉLODIE Dupont", "nickName": "\u212aate"}
	tests := []struct {
		name   string
		reason string
		filter string
		want   bool
	}{
		{"eq fold", "non-ASCII case folding", `displayName eq "élodie dupont"`, true},
		{"co fold", "", `displayName co "lodie d"`, true},
		{"sw fold", "", `displayName sw "éLo"`, true},
		{"ew fold", "", `displayName ew "DUPONT"`, true},
		{"escaped", "escapes are decoded before matching", `displayName sw "\u00e9lodie"`, true},
		{"kelvin", "the Kelvin sign folds to k", `nickName sw "k"`, true},
		{"kelvin ew", "", `nickName ew "KATE"`, true},
		{"gt fold", "ordering folds case", `displayName gt "élodie a"`, true},
		{"lt fold", "", `displayName lt "élodie e"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := filter.Parse(tt.filter)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.filter, err)
			}
			if got := filter.Match(e, obj); got != tt.want {
				t.Errorf("Match(%q) = %v, want %v (%s)", tt.filter, got, tt.want, tt.reason)
			}
		})
	}
}

// TestFoldOperatorsAgreeWithFold checks that co, sw and ew on strings that
// are not caseExact are "Fold(a) contains, starts with, ends with Fold(b)"
// for the runes folding most often gets wrong, and eq and gt agree with
// Fold's equality and order.
func TestFoldOperatorsAgreeWithFold(t *testing.T) {
	runes := []string{"s", "S", "ſ", "k", "K", "\u212A", "σ", "ς", "Σ", "i", "I", "İ", "ı", "ß", "ẞ", "å", "Å", "\u212B", "Ａ", "ａ", "a", "\u0301", "é", "@"}
	var words []string
	for _, a := range runes {
		for _, b := range runes {
			words = append(words, a+b)
		}
		words = append(words, a)
	}
	words = append(words, "")
	for _, a := range words {
		if a == "" {
			continue
		}
		obj := map[string]any{"nickName": a}
		fa := schema.Fold(a)
		for _, b := range words {
			fb := schema.Fold(b)
			for op, want := range map[filter.Operator]bool{
				filter.Eq: fa == fb,
				filter.Co: strings.Contains(fa, fb),
				filter.Sw: strings.HasPrefix(fa, fb),
				filter.Ew: strings.HasSuffix(fa, fb),
				filter.Gt: fa > fb,
				filter.Le: fa <= fb,
			} {
				e := &filter.Compare{Path: filter.AttrPath{Name: "nickName"}, Op: op, Value: b}
				if got := filter.Match(e, obj); got != want {
					t.Errorf("%q %s %q: Match = %v, Fold says %v", a, op, b, got, want)
				}
			}
		}
	}
}
