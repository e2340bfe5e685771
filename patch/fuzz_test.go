package patch_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
)

// FuzzApply checks that Apply never panics, never modifies its input, and
// returns either an error or data that validates.
func FuzzApply(f *testing.F) {
	seeds := []string{
		`{"Operations":[{"op":"replace","value":{"active":false}}]}`,
		`{"Operations":[{"op":"remove","path":"members[value eq \"u1\"]"},{"op":"add","path":"members","value":[{"value":"u3","display":"x"}]}]}`,
		`{"Operations":[{"op":"replace","value":{"id":"` + groupID + `","displayName":"Test"}}]}`,
		`{"Operations":[{"op":"replace","path":"members","value":[]}]}`,
		`{"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"a@b"},{"op":"Replace","path":"addresses[type eq \"work\"].formatted","value":"18/2111"}]}`,
		`{"Operations":[{"op":"replace","value":{"name.givenName":"K","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"A"}}]}`,
		`{"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"m"}]}`,
		`{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
		`{"Operations":[{"op":"Remove","path":"members","value":[{"value":"u1"}]}]}`,
		`{"Operations":[{"op":"Replace","path":"roles[primary eq \"True\"].value","value":"Admin"}]}`,
		`{"Operations":[{"op":"replace","path":"emails[type eq \"home\"].primary","value":true},{"op":"add","path":"emails","value":{"value":"c@d","primary":true}}]}`,
		`{"Operations":[{"op":"remove","path":"name.givenName"},{"op":"remove","path":"emails[type eq \"work\"].value"}]}`,
		`{"Operations":[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}]}`,
		`{"Operations":[{"op":"add","value":{"urn:ietf:params:scim:schemas:core:2.0:User":{"title":"t"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"d"}}}]}`,
	}
	for _, s := range seeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	userData := `{"userName":"bjensen","active":true,"name":{"givenName":"B","familyName":"J"},
		"emails":[{"value":"a@x","type":"work","primary":true},{"value":"b@x","type":"home"}],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R","manager":{"value":"m1"}}}`
	f.Fuzz(func(t *testing.T, body string, group bool) {
		ops, err := patch.Decode([]byte(body))
		if err != nil {
			return
		}
		rt, id, data := userType(), userID, userData
		if group {
			rt, id, data = schema.GroupResourceType(), groupID, baseGroup
		}
		attrs := decodeJSON(t, data)
		before := deepCopy(attrs)
		opsBefore := deepCopy(opValues(ops))
		res, err := patch.Apply(rt, id, attrs, ops)
		if diff := cmp.Diff(before, any(attrs)); diff != "" {
			t.Fatalf("Apply modified its input (-before +after):\n%s", diff)
		}
		if diff := cmp.Diff(opsBefore, opValues(ops)); diff != "" {
			t.Fatalf("Apply modified its operations (-before +after):\n%s", diff)
		}
		if err != nil {
			if _, ok := err.(*patch.Error); !ok {
				t.Fatalf("error %v is %T, not *patch.Error", err, err)
			}
			return
		}
		if err := rt.Validate(res.Attributes); err != nil {
			t.Fatalf("result does not validate: %v\n%v", err, res.Attributes)
		}
	})
}

func opValues(ops []patch.Operation) []any {
	out := make([]any, len(ops))
	for i, op := range ops {
		out[i] = op.Value
	}
	return out
}
