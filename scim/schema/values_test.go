package schema_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/scimkit/scimkit/scim/schema"
)

// trickyRunes are the runes whose folding most often goes wrong.
var trickyRunes = []rune("sSſkK\u212AσςΣiIİıßẞåÅ\u212BＡａ\u0301éÉǅǄǆ")

func TestFoldAgreesWithEqualFold(t *testing.T) {
	for _, r := range trickyRunes {
		for _, q := range trickyRunes {
			a, b := string(r), string(q)
			if got, want := schema.Fold(a) == schema.Fold(b), strings.EqualFold(a, b); got != want {
				t.Errorf("Fold(%q) == Fold(%q) is %v, strings.EqualFold says %v", a, b, got, want)
			}
		}
	}
	// Every rune: Fold maps it into its own orbit, to one representative.
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		f := schema.FoldRune(r)
		if !strings.EqualFold(string(r), string(f)) {
			t.Fatalf("FoldRune(%U) = %U, outside its orbit", r, f)
		}
		if g := schema.FoldRune(f); g != f {
			t.Fatalf("FoldRune(%U) = %U, but FoldRune(%U) = %U", r, f, f, g)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"":              "",
		"abc":           "abc",
		"Sam@X.com":     "sam@x.com",
		"ſam":           "sam",
		"\u212Aelvin":   "kelvin",
		"ΣΑΣ":           "σασ",
		"ς":             "σ",
		"İ@x.com":       "İ@x.com",
		"ı@x.com":       "ı@x.com",
		"STRAẞE":        "straße",
		"\u212Bngström": "ångström",
		"ＡＢＣ":           "ａｂｃ",
		"E\u0301":       "e\u0301",
	} {
		if got := schema.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
		if got := string(schema.AppendFold([]byte("x"), in)); got != "x"+want {
			t.Errorf("AppendFold(x, %q) = %q, want %q", in, got, "x"+want)
		}
	}
}

func TestCompareStringsIsOrderOfFold(t *testing.T) {
	words := []string{"", "a", "A", "ab", "a_b", "Ab", "ſ", "s", "t", "S", "\u212A", "k", "l", "ς", "σ", "Σ", "τ", "İ", "i", "ı", "j", "ß", "ẞ", "Å", "\u212B", "å", "Ｂ", "ｂ", "é", "e\u0301"}
	for _, a := range words {
		for _, b := range words {
			want := strings.Compare(schema.Fold(a), schema.Fold(b))
			if got := schema.CompareStrings(false, a, b); got != want {
				t.Errorf("CompareStrings(false, %q, %q) = %d, want %d", a, b, got, want)
			}
			if got, want := schema.CompareStrings(true, a, b), strings.Compare(a, b); got != want {
				t.Errorf("CompareStrings(true, %q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
	// Sort keys agree with CompareStrings, so equal keys sort together.
	a := &schema.Attribute{Name: "nickName", Type: schema.String}
	sorted := slices.SortedFunc(slices.Values(words), func(x, y string) int {
		return schema.CompareSortKeys(a.SortKey(x), a.SortKey(y), false)
	})
	if !slices.IsSortedFunc(sorted, func(x, y string) int {
		if x == "" || y == "" { // missing values last
			return strings.Compare(y, x)
		}
		return schema.CompareStrings(false, x, y)
	}) {
		t.Errorf("sort keys order %q", sorted)
	}
}

func TestCaseSensitive(t *testing.T) {
	for _, c := range []struct {
		a    *schema.Attribute
		want bool
	}{
		{nil, false},
		{&schema.Attribute{Type: schema.String}, false},
		{&schema.Attribute{Type: schema.String, CaseExact: true}, true},
		{&schema.Attribute{Type: schema.Reference}, true},
		{&schema.Attribute{Type: schema.Binary}, true},
	} {
		if got := c.a.CaseSensitive(); got != c.want {
			t.Errorf("%+v.CaseSensitive() = %v", c.a, got)
		}
	}
	if k := (&schema.Attribute{Type: schema.String}).Key("ſAM"); k != "sam" {
		t.Errorf("Key = %q", k)
	}
}

func TestEqual(t *testing.T) {
	str := &schema.Attribute{Type: schema.String}
	exact := &schema.Attribute{Type: schema.String, CaseExact: true}
	num := &schema.Attribute{Type: schema.Decimal}
	dt := &schema.Attribute{Type: schema.DateTime}
	multi := &schema.Attribute{Type: schema.String, MultiValued: true}
	for _, c := range []struct {
		a    *schema.Attribute
		x, y any
		want bool
	}{
		{str, "ſam", "SAM", true},
		{str, "İ", "i", false},
		{exact, "ſam", "sam", false},
		{num, json.Number("1"), json.Number("1.0"), true},
		{num, json.Number("9007199254740993"), json.Number("9007199254740992"), false},
		{dt, "2020-01-01T01:00:00+01:00", "2020-01-01T00:00:00Z", true},
		{dt, "2020-01-01T00:00:00.5Z", "2020-01-01T00:00:00Z", false},
		{&schema.Attribute{Type: schema.Boolean}, true, true, true},
		{multi, []any{"a", "B"}, []any{"b", "A"}, true},
		{multi, []any{"a", "a"}, []any{"a", "b"}, false},
	} {
		if got := c.a.Equal(c.x, c.y); got != c.want {
			t.Errorf("%v.Equal(%v, %v) = %v, want %v", c.a.Type, c.x, c.y, got, c.want)
		}
	}
}

func TestIsEmpty(t *testing.T) {
	for _, v := range []any{nil, "", []any{}, map[string]any{}, []any{""}, map[string]any{"value": ""}} {
		if !schema.IsEmpty(v) {
			t.Errorf("IsEmpty(%#v) = false", v)
		}
	}
	for _, v := range []any{"x", false, json.Number("0"), []any{"x"}, map[string]any{"value": "x"}} {
		if schema.IsEmpty(v) {
			t.Errorf("IsEmpty(%#v) = true", v)
		}
	}
}
