package schema_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim/schema"
)

func TestKeep(t *testing.T) {
	full := schema.UserSchema()
	kept := full.Keep("userName", "NAME.givenName", "name.familyName", "active")
	var got []string
	for _, a := range kept.Attributes {
		got = append(got, a.Name)
		for _, s := range a.SubAttributes {
			got = append(got, a.Name+"."+s.Name)
		}
	}
	if diff := cmp.Diff([]string{"userName", "name", "name.familyName", "name.givenName", "active"}, got); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
	if kept.ID != full.ID || len(full.Attr("name").SubAttributes) < 3 {
		t.Errorf("the original was changed or the id lost")
	}
	rt := &schema.ResourceType{Name: "User", Endpoint: "/Users", Schema: kept}
	attrs, ignored, err := rt.Normalize(map[string]any{"userName": "a", "title": "x", "name": map[string]any{"formatted": "A", "givenName": "A"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"userName": "a", "name": map[string]any{"givenName": "A"}}, attrs); diff != "" {
		t.Errorf("normalized (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"name.formatted", "title"}, ignored); diff != "" {
		t.Errorf("ignored (-want +got):\n%s", diff)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("Keep of an unknown attribute did not panic")
		}
	}()
	full.Keep("nosuch")
}

// A host whose users table holds only some attributes serves a trimmed
// schema.
func ExampleSchema_Keep() {
	user := schema.UserSchema().Keep("userName", "name.givenName", "name.familyName", "active")
	rt := &schema.ResourceType{Name: "User", Endpoint: "/Users", Schema: user}
	attrs, ignored, _ := rt.Normalize(map[string]any{"userName": "ada@example.com", "title": "Countess"})
	fmt.Println(attrs, ignored)
	// Output:
	// map[userName:ada@example.com] [title]
}
