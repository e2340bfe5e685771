package sqlstore

import (
	"context"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/scimkit/scimkit/scim/schema"
)

// TestSQLFoldIsSchemaFold checks that scim_fold in the database gives
// schema.Fold for every rune (NUL aside, which text cannot hold).
func TestSQLFoldIsSchemaFold(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			db, d := be.open(t)
			newTestStore(t, db, d) // creates the function
			var b strings.Builder
			flush := func() {
				in := b.String()
				b.Reset()
				var got string
				if err := db.QueryRowContext(context.Background(), rebind(d, `SELECT scim_fold(?)`), in).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if want := schema.Fold(in); got != want {
					gr, wr := []rune(got), []rune(want)
					for i := range min(len(gr), len(wr)) {
						if gr[i] != wr[i] {
							t.Fatalf("scim_fold(%U) = %U, schema.Fold gives %U", []rune(in)[i], gr[i], wr[i])
						}
					}
					t.Fatalf("scim_fold gives %d runes, schema.Fold %d", len(gr), len(wr))
				}
			}
			for r := rune(1); r <= unicode.MaxRune; r++ {
				if utf8.ValidRune(r) {
					b.WriteRune(r)
				}
				if b.Len() > 1<<16 {
					flush()
				}
			}
			flush()
			for _, s := range []string{"ASCII Only", "ſ", "İ@X.com", ""} {
				var got string
				if err := db.QueryRowContext(context.Background(), rebind(d, `SELECT scim_fold(?)`), s).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != schema.Fold(s) {
					t.Errorf("scim_fold(%q) = %q, want %q", s, got, schema.Fold(s))
				}
			}
		})
	}
}
