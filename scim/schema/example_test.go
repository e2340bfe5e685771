package schema_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/scimkit/scimkit/scim/schema"
)

// An Entra-style create body: string boolean, null values, client meta, a
// misspelt URN in schemas and read-only groups.
func ExampleResourceType_Normalize() {
	body := `{
	  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
	  "UserName": "bjensen@example.com",
	  "active": "True",
	  "title": null,
	  "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
	  "groups": [],
	  "meta": {"resourceType": "User"},
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager": "m-42"
	}`
	d := json.NewDecoder(strings.NewReader(body))
	d.UseNumber()
	var in map[string]any
	if err := d.Decode(&in); err != nil {
		fmt.Println(err)
		return
	}
	rt := schema.UserResourceType(schema.EnterpriseUserSchema())
	attrs, ignored, err := rt.Normalize(in)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.MarshalIndent(attrs, "", "  ")
	fmt.Println(string(out))
	fmt.Println("ignored:", ignored)
	// Output:
	// {
	//   "active": true,
	//   "emails": [
	//     {
	//       "primary": true,
	//       "type": "work",
	//       "value": "bjensen@example.com"
	//     }
	//   ],
	//   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
	//     "manager": {
	//       "value": "m-42"
	//     }
	//   },
	//   "userName": "bjensen@example.com"
	// }
	// ignored: [groups]
}

// Errors name the attribute at fault.
func ExampleResourceType_Normalize_error() {
	rt := schema.UserResourceType()
	_, _, err := rt.Normalize(map[string]any{
		"userName": "bjensen",
		"emails":   []any{map[string]any{"value": "b@example.com", "primary": "yes"}},
	})
	fmt.Println(err)
	// Output:
	// attribute "emails[0].primary": must be a boolean, got a string
}

// PATCH normalizes the value of one path; Entra sends manager as a plain id.
func ExampleNormalizeValue() {
	ent := schema.EnterpriseUserSchema()
	v, err := schema.NormalizeValue(ent.Attr("manager"), schema.EnterpriseUserURN+":manager", "m-42")
	fmt.Println(v, err)
	// Output:
	// map[value:m-42] <nil>
}

// Render with Entra's excludedAttributes=members.
func ExampleResourceType_Render() {
	rt := schema.GroupResourceType()
	p, err := rt.ParseProjection("", "members")
	if err != nil {
		fmt.Println(err)
		return
	}
	stored := map[string]any{
		"id":          "g1",
		"meta":        map[string]any{"resourceType": "Group", "version": `W/"3"`},
		"displayName": "Admins",
		"members":     []any{map[string]any{"value": "u1"}},
	}
	out, _ := json.Marshal(rt.Render(stored, p))
	fmt.Println(string(out))
	// Output:
	// {"displayName":"Admins","id":"g1","meta":{"resourceType":"Group","version":"W/\"3\""},"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]}
}

// A stored user written as a response: schemas first, the core attributes
// in schema order, meta last, the password (writeOnly) never; here with
// excludedAttributes=emails.
func ExampleResourceType_AppendResource() {
	rt := schema.UserResourceType(schema.EnterpriseUserSchema())
	p, err := rt.ParseProjection("", "emails.type")
	if err != nil {
		fmt.Println(err)
		return
	}
	attrs := map[string]any{
		"userName": "bjensen@example.com",
		"password": "t1meMa$heen",
		"emails":   []any{map[string]any{"value": "bjensen@example.com", "type": "work"}},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"department": "Tour Operations"},
	}
	meta := schema.Meta{ResourceType: "User", Created: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Location: "https://example.com/scim/v2/Users/2819c223", Version: `W/"1"`}
	b, err := rt.AppendResource(nil, attrs, "2819c223", meta, p)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(b))
	// Output:
	// {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":"2819c223","userName":"bjensen@example.com","emails":[{"value":"bjensen@example.com"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tour Operations"},"meta":{"created":"2026-03-01T12:00:00Z","location":"https://example.com/scim/v2/Users/2819c223","resourceType":"User","version":"W/\"1\""}}
}

// With attributes, only id, schemas, returned=always attributes and what
// was asked for are returned; bracketed filters are tolerated.
func ExampleResourceType_ParseProjection() {
	rt := schema.UserResourceType(schema.EnterpriseUserSchema())
	p, err := rt.ParseProjection(`userName,emails[type eq "work"].value,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	stored := map[string]any{
		"id":                     "u1",
		"meta":                   map[string]any{"resourceType": "User"},
		"userName":               "bjensen",
		"password":               "secret",
		"emails":                 []any{map[string]any{"value": "b@example.com", "type": "work"}},
		schema.EnterpriseUserURN: map[string]any{"department": "Research", "costCenter": "7"},
	}
	out, _ := json.Marshal(rt.Render(stored, p))
	fmt.Println(string(out))
	// Output:
	// {"emails":[{"value":"b@example.com"}],"id":"u1","schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Research"},"userName":"bjensen"}
}

func ExampleSplitPath() {
	rt := schema.UserResourceType(schema.EnterpriseUserSchema())
	for _, path := range []string{
		"name.givenName",
		`emails[type eq "work"].value`,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
	} {
		urn, name, sub := schema.SplitPath(path, rt.URNs)
		fmt.Printf("%q %q %q\n", urn, name, sub)
	}
	// Output:
	// "" "name" "givenName"
	// "" "emails" "value"
	// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" "manager" "value"
	// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" "" ""
}

// A request body decodes to canonical data; numbers keep their text.
func ExampleDecodeObject() {
	body := []byte(`{"userName":"bjensen@example.com","name":{"givenName":"Barbara"},
	  "emails":[{"value":"bjensen@example.com","primary":true}],"badge":1042.50,"manager":null}`)
	m, err := schema.DecodeObject(body, 32)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%q %q %v %#v %v\n", m["userName"], m["name"].(map[string]any)["givenName"],
		m["emails"].([]any)[0].(map[string]any)["primary"], m["badge"], m["manager"])

	// A member name given twice is refused, even when spelled with an escape.
	_, err = schema.DecodeObject([]byte(`{"userName":"a","\u0075serName":"b"}`), 32)
	var de *schema.DecodeError
	if errors.As(err, &de) {
		fmt.Println(de.Kind == schema.DecodeDuplicateMember, de.Member, de.Offset)
	}
	fmt.Println(err)
	// Output:
	// "bjensen@example.com" "Barbara" true "1042.50" <nil>
	// true userName 16
	// json: an object repeats the member "userName" at offset 16
}
