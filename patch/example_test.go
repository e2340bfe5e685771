package patch_test

import (
	"encoding/json"
	"fmt"

	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
)

func ExampleApply() {
	rt := schema.UserResourceType(schema.EnterpriseUserSchema())
	user := map[string]any{
		"userName": "bjensen@example.com",
		"active":   true,
		"emails":   []any{map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true}},
	}
	// Microsoft Entra ID's dialect: capitalized ops, "False" as a string,
	// value filters, the manager as a plain id.
	ops := []patch.Operation{
		{Op: "Replace", Path: "active", Value: "False"},
		{Op: "Replace", Path: `emails[type eq "work"].value`, Value: "babs@example.com"},
		{Op: "Add", Path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", Value: "2c2f6fb8"},
	}
	res, err := patch.Apply(rt, "2819c223", user, ops)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.Marshal(res.Attributes)
	fmt.Println(string(out))
	fmt.Println(res.Changed)
	// Output:
	// {"active":false,"emails":[{"primary":true,"type":"work","value":"babs@example.com"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"2c2f6fb8"}},"userName":"bjensen@example.com"}
	// [active emails urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager]
}

func ExampleApply_members() {
	group := map[string]any{
		"displayName": "Engineering",
		"members":     []any{map[string]any{"value": "89bb1940"}},
	}
	// Okta's membership push.
	body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	 "Operations":[
	  {"op":"remove","path":"members[value eq \"89bb1940\"]"},
	  {"op":"add","path":"members","value":[{"value":"23a35c27","display":"test.user@okta.local"}]}]}`
	ops, err := patch.Decode([]byte(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := patch.Apply(schema.GroupResourceType(), "abf4dd94", group, ops)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("added:", res.MembersAdded, "removed:", res.MembersRemoved)
	// Output:
	// added: [23a35c27] removed: [89bb1940]
}

func ExampleDecode() {
	body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	 "Operations":[{"op":"Remove","path":"members","value":[{"value":"u1091"}]},{"op":"Replace","value":{"displayName":"x"}}]}`
	ops, err := patch.Decode([]byte(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, op := range ops {
		fmt.Printf("%s %q %v\n", op.Op, op.Path, op.Value)
	}
	_, err = patch.Decode([]byte(`{"Operations":[{"op":"remove"}]}`))
	fmt.Println(err)
	// Output:
	// remove "members" [map[value:u1091]]
	// replace "" map[displayName:x]
	// operation 0: remove requires a "path"
}

// A body the caller has already decoded (schema.DecodeObject, as the
// handler does) is read without a second pass over its bytes.
func ExampleOperations() {
	obj, err := schema.DecodeObject([]byte(`{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`), 32)
	if err != nil {
		fmt.Println(err)
		return
	}
	ops, err := patch.Operations(obj)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %q %v\n", ops[0].Op, ops[0].Path, ops[0].Value)
	// Output:
	// replace "active" False
}

func ExampleError() {
	rt := schema.UserResourceType()
	_, err := patch.Apply(rt, "2819c223", map[string]any{"userName": "bjensen"}, []patch.Operation{
		{Op: "add", Path: "nickName", Value: "Babs"},
		{Op: "replace", Path: "groups", Value: []any{map[string]any{"value": "g1"}}},
	})
	if pe, ok := err.(*patch.Error); ok {
		fmt.Println(pe.Index, pe.ScimType())
		fmt.Println(pe)
	}
	// Output:
	// 1 mutability
	// operation 1 (replace "groups"): attribute "groups": the attribute is readOnly
}
