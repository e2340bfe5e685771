package sqlstore

import (
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim/schema"
)

func TestKeyDoc(t *testing.T) {
	const ent = schema.EnterpriseUserURN
	user := filterTypes()[0]
	tests := []struct {
		name  string
		attrs map[string]any
		want  map[string]any
	}{
		{name: "nothing folds to anything else", attrs: map[string]any{
			"userName": "bjensen@example.com", "active": true, "externalId": "E-1",
			"name":   map[string]any{"givenName": "barbara"},
			"emails": []any{map[string]any{"value": "b@example.com", "primary": true}},
		}},
		{name: "a simple attribute", attrs: map[string]any{"userName": "BJensen", "active": true},
			want: map[string]any{"userName": "bjensen"}},
		{name: "case-exact strings stay out", attrs: map[string]any{"externalId": "E-1", "id": "ABC", "userName": "x"}},
		{name: "a complex attribute whole, with what does not fold", attrs: map[string]any{"name": map[string]any{"givenName": "Barbara", "familyName": "jensen"}},
			want: map[string]any{"name": map[string]any{"givenName": "barbara", "familyName": "jensen"}}},
		{name: "a multi-valued attribute whole, elements in order", attrs: map[string]any{"emails": []any{
			map[string]any{"value": "a@example.com", "type": "home"},
			map[string]any{"value": "B@Example.com", "type": "work", "primary": true},
		}}, want: map[string]any{"emails": []any{
			map[string]any{"value": "a@example.com", "type": "home"},
			map[string]any{"value": "b@example.com", "type": "work", "primary": true},
		}}},
		{name: "an extension object whole", attrs: map[string]any{ent: map[string]any{"employeeNumber": "701984", "department": "Tour Operations"}},
			want: map[string]any{ent: map[string]any{"employeeNumber": "701984", "department": "tour operations"}}},
		{name: "an extension object that folds to itself stays out", attrs: map[string]any{ent: map[string]any{"department": "tour operations"}}},
		{name: "attributes the type does not define stay out", attrs: map[string]any{"Undefined": "ABC", "urn:example:other": map[string]any{"x": "ABC"}}},
		{name: "Unicode simple folding", attrs: map[string]any{"displayName": "Zoë ÅNGSTRÖM", "nickName": "straße"},
			want: map[string]any{"displayName": "zoë ångström"}},
	}
	for _, tc := range tests {
		before, _ := json.Marshal(tc.attrs)
		got := keyDocOf(t, user, tc.attrs)
		if diff := gocmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: appendKeyDoc (-want +got):\n%s", tc.name, diff)
		}
		if after, _ := json.Marshal(tc.attrs); string(after) != string(before) {
			t.Errorf("%s: appendKeyDoc changed its input: %s, was %s", tc.name, after, before)
		}
		if tc.want == nil {
			if n := testing.AllocsPerRun(10, func() { _, _, _ = appendKeyDoc(nil, user, tc.attrs) }); n != 0 {
				t.Errorf("%s: appendKeyDoc of attributes folding keeps allocates %v times, want 0", tc.name, n)
			}
		}
	}
	if got := keyDocOf(t, nil, map[string]any{"userName": "ABC"}); got != nil {
		t.Errorf("the key document of a type the store does not define = %v, want none", got)
	}
}

// keyDocOf returns the document appendKeyDoc writes for attrs, decoded, or
// nil when it writes none. The document must be JSON and written as
// schema.AppendJSON writes the decoded value (member order and all), and
// must follow what b already holds.
func keyDocOf(t testing.TB, rt *schema.ResourceType, attrs map[string]any) map[string]any {
	t.Helper()
	b, keyed, err := appendKeyDoc([]byte("prefix"), rt, attrs)
	if err != nil {
		t.Fatalf("appendKeyDoc: %v", err)
	}
	doc, ok := strings.CutPrefix(string(b), "prefix")
	if !ok {
		t.Fatalf("appendKeyDoc overwrote the buffer: %q", b)
	}
	if !keyed {
		if doc != "" {
			t.Fatalf("appendKeyDoc reported no document and wrote %q", doc)
		}
		return nil
	}
	m, err := schema.DecodeObject([]byte(doc), 64)
	if err != nil {
		t.Fatalf("appendKeyDoc wrote %q: %v", doc, err)
	}
	if again, err := schema.AppendJSON(nil, m); err != nil || string(again) != doc {
		t.Fatalf("appendKeyDoc wrote %q, schema.AppendJSON writes %q (%v)", doc, again, err)
	}
	return m
}

// BenchmarkSplit measures building the row of Okta's usual user: the
// attributes document, attrs_key and the key columns.
func BenchmarkSplit(b *testing.B) {
	s, err := New(&sql.DB{}, Config{Dialect: Postgres})
	if err != nil {
		b.Fatal(err)
	}
	attrs, err := schema.DecodeObject([]byte(`{"userName":"new1-abc@example.com","name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"new1@example.com","type":"work"}],"displayName":"Test User","locale":"en-US","externalId":"00u1","active":true}`), 32)
	if err != nil {
		b.Fatal(err)
	}
	ti := s.info("User")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.split(ti, attrs); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzFolded requires folded(s) to say whether schema.Fold keeps s.
func FuzzFolded(f *testing.F) {
	for _, s := range []string{"", "abc", "ABC", "aBc", "x@Y.com", "İ", "ſam", "straße", "é", "É", "\xff", "a\xffB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := folded(s), schema.Fold(s) == s; got != want {
			t.Errorf("folded(%q) = %t, want %t", s, got, want)
		}
	})
}
