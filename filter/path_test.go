package filter_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

func TestParsePath(t *testing.T) {
	emails := userRT.Schema.Attr("emails")
	members := groupRT.Schema.Attr("members")
	ent := userRT.Extensions[0].Schema
	tests := []struct {
		name   string
		reason string
		p      filter.Parser
		in     string
		want   filter.Path
	}{
		{"attr", "", filter.Parser{}, "members", filter.Path{AttrPath: ap("members")}},
		{"sub", "", filter.Parser{}, "name.givenName", filter.Path{AttrPath: sub("name", "givenName")}},
		{"urn", "", filter.Parser{}, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
			filter.Path{AttrPath: filter.AttrPath{URN: schema.EnterpriseUserURN, Name: "manager"}}},
		{"filter only", "Okta member removal", filter.Parser{}, `members[value eq "2819c223"]`,
			filter.Path{AttrPath: ap("members"), Filter: cmpE(ap("value"), filter.Eq, "2819c223")}},
		{"filter and sub", "Entra", filter.Parser{}, `emails[type eq "work"].value`,
			filter.Path{AttrPath: sub("emails", "value"), Filter: cmpE(ap("type"), filter.Eq, "work")}},
		{"bound", "canonical case and definitions", filter.Parser{Schema: userRT}, `EMAILS[TYPE eq "work"].Primary`,
			filter.Path{AttrPath: filter.AttrPath{Name: "emails", Sub: "primary", Attr: emails, SubAttr: emails.Sub("primary")},
				Filter: cmpE(filter.AttrPath{Name: "type", Attr: emails.Sub("type")}, filter.Eq, "work")}},
		{"bound members", "", filter.Parser{Schema: groupRT}, `members[value eq "2819c223"]`,
			filter.Path{AttrPath: filter.AttrPath{Name: "members", Attr: members},
				Filter: cmpE(filter.AttrPath{Name: "value", Attr: members.Sub("value")}, filter.Eq, "2819c223")}},
		{"bound urn dot", "lenient: Microsoft's manager path", filter.Parser{Schema: userRT}, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager",
			filter.Path{AttrPath: filter.AttrPath{URN: schema.EnterpriseUserURN, Name: "manager", Attr: ent.Attr("manager")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.p.ParsePath(tt.in)
			if err != nil {
				t.Fatalf("ParsePath(%q): %v (%s)", tt.in, err, tt.reason)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParsePath(%q) (-want +got): %s\n%s", tt.in, tt.reason, diff)
			}
			again, err := tt.p.ParsePath(got.String())
			if err != nil {
				t.Fatalf("ParsePath(String()) of %q: %v", got.String(), err)
			}
			if diff := cmp.Diff(got, again); diff != "" {
				t.Errorf("round trip through %q (-want +got):\n%s", got.String(), diff)
			}
		})
	}
}

func TestParsePathErrors(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		p       filter.Parser
		in      string
		wantOff int
		wantMsg string
	}{
		{"empty", "", filter.Parser{}, "", 0, "empty input"},
		{"filter expression", "a path is not a filter", filter.Parser{}, `userName eq "x"`, 9, `unexpected "eq" after attribute path`},
		{"sub then filter", "", filter.Parser{}, `name.givenName[value pr]`, 0, `value filter after sub-attribute "name.givenName": filter the attribute (name[...].givenName)`},
		{"two subs", "", filter.Parser{}, `emails[type pr].value.x`, 16, `"value.x": sub-attributes of "emails" have no sub-attributes`},
		{"unknown", "bound", filter.Parser{Schema: userRT}, `emails[type pr].kind`, 16, `unknown sub-attribute "emails.kind"`},
		{"unclosed", "", filter.Parser{}, `members[value eq "x"`, 20, `expected "]" or a logical operator, found end of input`},
		{"schema urn", "a schema URN alone is not an attribute path", filter.Parser{Schema: userRT}, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", 0,
			`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" is a schema URN, not an attribute path`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.p.ParsePath(tt.in)
			var fe *filter.Error
			if !errors.As(err, &fe) {
				t.Fatalf("ParsePath(%q) error = %v, want *filter.Error (%s)", tt.in, err, tt.reason)
			}
			if diff := cmp.Diff(&filter.Error{Offset: tt.wantOff, Msg: tt.wantMsg, Unknown: strings.HasPrefix(tt.wantMsg, "unknown ")}, fe); diff != "" {
				t.Errorf("ParsePath(%q) error (-want +got): %s\n%s", tt.in, tt.reason, diff)
			}
		})
	}
}

func TestParseAttrPath(t *testing.T) {
	tests := []struct {
		name    string
		reason  string
		p       filter.Parser
		in      string
		want    filter.AttrPath
		wantErr string
	}{
		{"name", "", filter.Parser{}, "displayName", ap("displayName"), ""},
		{"sub", "", filter.Parser{}, "name.familyName", sub("name", "familyName"), ""},
		{"urn", "", filter.Parser{}, schema.UserURN + ":name.familyName", filter.AttrPath{URN: schema.UserURN, Name: "name", Sub: "familyName"}, ""},
		{"bound", "", filter.Parser{Schema: userRT}, schema.UserURN + ":NAME.familyname",
			filter.AttrPath{Name: "name", Sub: "familyName", Attr: userRT.Schema.Attr("name"), SubAttr: userRT.Schema.Attr("name").Sub("familyName")}, ""},
		{"filter", "brackets are not part of an attribute path", filter.Parser{}, `emails[type eq "work"]`, filter.AttrPath{},
			`filter: at offset 6: unexpected "[type" after attribute path`},
		{"unknown", "", filter.Parser{Schema: groupRT}, "userName", filter.AttrPath{}, `filter: at offset 0: unknown attribute "userName"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.p.ParseAttrPath(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseAttrPath(%q) error = %v, want %s (%s)", tt.in, err, tt.wantErr, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAttrPath(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseAttrPath(%q) (-want +got): %s\n%s", tt.in, tt.reason, diff)
			}
			if s := got.String(); s != tt.in && tt.p.Schema == nil {
				t.Errorf("String() = %q, want %q", s, tt.in)
			}
		})
	}
}

func TestAnyPath(t *testing.T) {
	e, err := filter.Parse(`userName eq "a" and not (emails[type eq "work" and value pr] or title pr)`)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	filter.AnyPath(e, func(p filter.AttrPath) bool { seen = append(seen, p.String()); return false })
	if diff := cmp.Diff([]string{"userName", "emails", "type", "value", "title"}, seen); diff != "" {
		t.Errorf("paths visited (-want +got):\n%s", diff)
	}
	if !filter.AnyPath(e, func(p filter.AttrPath) bool { return p.Name == "value" }) || filter.AnyPath(e, func(p filter.AttrPath) bool { return p.Name == "x" }) {
		t.Errorf("AnyPath does not report what f finds")
	}
}
