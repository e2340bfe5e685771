package filter_test

import (
	"fmt"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

func ExampleParse() {
	e, err := filter.Parse(`USERNAME Eq "bjensen" and not (emails[type eq "work"].value co "@x")`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e)

	_, err = filter.Parse(`userName eqq "bjensen"`)
	fmt.Println(err)
	// Output:
	// USERNAME eq "bjensen" and not (emails[type eq "work" and value co "@x"])
	// filter: at offset 9: expected operator after "userName", found "eqq"
}

func ExampleParser_Parse() {
	p := filter.Parser{Schema: schema.UserResourceType(schema.EnterpriseUserSchema())}
	e, err := p.Parse(`USERNAME eq "bjensen" and Department eq "Sales" and active eq "True"`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e)

	_, err = filter.Parser{Strict: true}.Parse(`externalId eq jyoung`)
	fmt.Println(err)
	// Output:
	// userName eq "bjensen" and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales" and active eq true
	// filter: at offset 14: invalid value "jyoung": strings must be in double quotes
}

func ExampleMatch() {
	p := filter.Parser{Schema: schema.GroupResourceType()}
	e, err := p.Parse(`displayName eq "tour guides" and members eq "2819c223"`)
	if err != nil {
		fmt.Println(err)
		return
	}
	group := map[string]any{
		"id":          "e9e30dba",
		"displayName": "Tour Guides",
		"members":     []any{map[string]any{"value": "2819c223", "display": "Babs Jensen"}},
	}
	fmt.Println(filter.Match(e, group))
	// Output:
	// true
}

func ExampleParser_ParsePath() {
	p := filter.Parser{Schema: schema.UserResourceType()}
	path, err := p.ParsePath(`Emails[Type eq "work"].Value`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("attribute %s, sub-attribute %s, filter %s\n", path.Name, path.Sub, path.Filter)
	fmt.Println(path)
	// Output:
	// attribute emails, sub-attribute value, filter type eq "work"
	// emails[type eq "work"].value
}

func ExampleConjuncts() {
	e, _ := filter.Parse(`userName eq "bjensen" and (title pr or nickName pr) and active eq true`)
	for _, c := range filter.Conjuncts(e) {
		fmt.Println(c)
	}
	fmt.Println(filter.AndOf(filter.Conjuncts(e)[1:]...))
	// Output:
	// userName eq "bjensen"
	// title pr or nickName pr
	// active eq true
	// (title pr or nickName pr) and active eq true
}
