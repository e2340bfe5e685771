package patch_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/patch"
)

// TestRemoveValuePathFoldsLikeMatch checks that a removal by a single
// `value eq` filter (batched by key) removes exactly what filter.Match
// selects, as the same removal with an "or" (evaluated by Match) does,
// for strings that break case folding.
func TestRemoveValuePathFoldsLikeMatch(t *testing.T) {
	values := []string{"ſam@x.com", "sam@x.com", "SAM@X.COM", "\u212Aelvin", "kelvin", "σ", "ς", "Σ", "İ", "i", "ı", "I", "ß", "ẞ", "\u212B", "å", "Å", "ａ", "Ａ", "é", "e\u0301"}
	emails := make([]any, len(values))
	for i, v := range values {
		emails[i] = map[string]any{"value": v}
	}
	rt := userType()
	for _, lit := range values {
		q, _ := json.Marshal(lit)
		e, err := filter.Parse("value eq " + string(q))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, v := range values {
			if !filter.Match(e, map[string]any{"value": v}) {
				want = append(want, v)
			}
		}
		for _, path := range []string{
			"emails[value eq " + string(q) + "]",
			"emails[value eq " + string(q) + " or value eq \"nobody@x\"]",
		} {
			res, err := patch.Apply(rt, "id", map[string]any{"userName": "u", "emails": emails}, []patch.Operation{{Op: "remove", Path: path}})
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			var got []string
			list, _ := res.Attributes["emails"].([]any)
			for _, el := range list {
				got = append(got, el.(map[string]any)["value"].(string))
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("remove %s kept (-filter.Match +Apply):\n%s", path, d)
			}
		}
	}
}
