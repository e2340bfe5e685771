package schema_test

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/scimkit/scimkit/scim/schema"
)

// Canonical data as a store holds it (store.Resource.Attributes) and an
// OnChange hook receives it, read through the typed view.
func ExampleUserFrom() {
	d := json.NewDecoder(strings.NewReader(`{
	  "userName": "bjensen@example.com",
	  "name": {"givenName": "Barbara", "familyName": "Jensen"},
	  "active": false,
	  "emails": [{"value": "babs@jensen.org", "type": "home"}, {"value": "bjensen@example.com", "type": "work", "primary": true}],
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tour Operations", "manager": {"value": "m-42"}},
	  "urn:ietf:params:scim:schemas:extension:acme:2.0:User": {"badgeNumber": 12345678901234567}
	}`))
	d.UseNumber()
	var attrs map[string]any
	if err := d.Decode(&attrs); err != nil {
		fmt.Println(err)
		return
	}
	u, err := schema.UserFrom(attrs)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u.UserName, "-", u.Name.GivenName, u.Name.FamilyName)
	fmt.Println("active:", u.IsActive())
	fmt.Println("email:", u.PrimaryEmail())
	fmt.Println("department:", u.Enterprise.Department, "manager:", u.ManagerID())
	badge, _ := u.ExtensionValue("urn:ietf:params:scim:schemas:extension:acme:2.0:User", "badgeNumber")
	n, _ := badge.(json.Number).Int64()
	fmt.Println("badge:", n)
	// Output:
	// bjensen@example.com - Barbara Jensen
	// active: false
	// email: bjensen@example.com
	// department: Tour Operations manager: m-42
	// badge: 12345678901234567
}

// A host builds a user in Go (an admin page, an import job) and gets the
// canonical data a POST would store.
func ExampleUser_Attributes() {
	rt := schema.UserResourceType(schema.EnterpriseUserSchema())
	u := &schema.User{
		UserName: "bjensen@example.com",
		Active:   new(true),
		Emails: []schema.Email{
			{Value: "bjensen@example.com", Type: "work", Primary: new(true)},
			{Value: "babs@jensen.org", Type: "home", Primary: new(true)}, // only one primary is kept
			{Type: "other"}, // no value: dropped
		},
		Enterprise: &schema.EnterpriseUser{Department: "Tour Operations"},
	}
	attrs, err := u.Attributes(rt)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.MarshalIndent(attrs, "", "  ")
	fmt.Println(string(out))

	_, err = (&schema.User{DisplayName: "no userName"}).Attributes(rt)
	fmt.Println(err)
	// Output:
	// {
	//   "active": true,
	//   "emails": [
	//     {
	//       "primary": true,
	//       "type": "work",
	//       "value": "bjensen@example.com"
	//     },
	//     {
	//       "type": "home",
	//       "value": "babs@jensen.org"
	//     }
	//   ],
	//   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
	//     "department": "Tour Operations"
	//   },
	//   "userName": "bjensen@example.com"
	// }
	// attribute "userName": required attribute missing
}

// Absent means active: only an explicit false deactivates.
func ExampleUser_IsActive() {
	for _, u := range []*schema.User{
		{UserName: "created-without-active"},
		{UserName: "active", Active: new(true)},
		{UserName: "deactivated", Active: new(false)},
	} {
		fmt.Println(u.UserName, u.IsActive())
	}
	// Output:
	// created-without-active true
	// active true
	// deactivated false
}

func ExampleGroup_MemberIDs() {
	g := &schema.Group{
		DisplayName: "Tour Guides",
		Members: []schema.Member{
			{Value: "2819c223", Display: "Babs Jensen", Type: "User"},
			{Value: "902c246b", Type: "User"},
			{Value: "e9e30dba", Type: "Group"},
		},
	}
	fmt.Println(g.MemberIDs())
	// Output:
	// [2819c223 902c246b e9e30dba]
}

// A host extension defined at run time (Okta custom attributes) read into,
// and written from, a struct of the host's; integers stay exact.
func ExampleExtensions_Decode() {
	const acme = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"
	type AcmeUser struct {
		CostCenter  string `json:"costCenter,omitempty"`
		BadgeNumber int64  `json:"badgeNumber,omitempty"`
		Contractor  *bool  `json:"isContractor,omitempty"`
	}
	u := &schema.User{Extensions: schema.Extensions{
		acme: {"costCenter": "CC-7", "badgeNumber": json.Number("12345678901234567"), "isContractor": true},
	}}
	var a AcmeUser
	if err := u.Extensions.Decode(acme, &a); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.CostCenter, a.BadgeNumber, *a.Contractor)

	a.BadgeNumber++
	if err := u.Extensions.Set(acme, a); err != nil {
		fmt.Println(err)
		return
	}
	v, _ := u.ExtensionValue(acme, "BadgeNumber")
	fmt.Println(v)
	// Output:
	// CC-7 12345678901234567 true
	// 12345678901234568
}
