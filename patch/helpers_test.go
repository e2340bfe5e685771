package patch_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/scimkit/scimkit/scim/schema"
)

func userType() *schema.ResourceType {
	return schema.UserResourceType(schema.EnterpriseUserSchema())
}

// decodeJSON decodes s as canonical data is decoded: numbers as
// json.Number. An empty s is nil.
func decodeJSON(t testing.TB, s string) map[string]any {
	t.Helper()
	if s == "" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("bad test JSON %q: %v", s, err)
	}
	return m
}

// deepCopy copies a decoded JSON value.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = deepCopy(x)
		}
		return l
	}
	return v
}
