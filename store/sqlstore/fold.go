package sqlstore

import (
	"database/sql/driver"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	msqlite "modernc.org/sqlite"

	"github.com/scimkit/scimkit/scim/schema"
)

// asciiKept are ASCII characters translate() maps to themselves before it
// reaches the long table: translate scans the table for every character,
// so the common ones are found early.
const asciiKept = "abcdefghijklmnopqrstuvwxyz0123456789 @.-_'"

// pgFold is the statement that creates scim_fold in PostgreSQL, which
// filters on the member columns display and type use: the function
// computes schema.Fold exactly, whatever the database's locale,
// with translate() over the table of every rune Fold changes (Fold maps
// each rune to one rune, which is what translate does). ASCII text, the
// common case, takes a short table. translate costs time in the length of
// its table for every character of non-ASCII text, which is why stored
// values are folded in Go when written (attrs_key) and scim_fold serves
// only the member columns.
var pgFold = sync.OnceValue(func() string {
	var from, to strings.Builder
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		if utf8.ValidRune(r) {
			if f := schema.FoldRune(r); f != r {
				from.WriteRune(r)
				to.WriteRune(f)
			}
		}
	}
	return `CREATE OR REPLACE FUNCTION scim_fold(s text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fold$
SELECT CASE WHEN octet_length(s) = char_length(s)
	THEN translate(s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
	ELSE translate(s, ` + quoteLiteral("ABCDEFGHIJKLMNOPQRSTUVWXYZ"+asciiKept+from.String()) + `, ` + quoteLiteral("abcdefghijklmnopqrstuvwxyz"+asciiKept+to.String()) + `)
END
$fold$`
})

// instantKey returns the dateTime text s as fixed-width UTC text that
// orders as the instants do, and false if s is not an RFC 3339 dateTime.
func instantKey(s string) (string, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return "", false
	}
	return t.UTC().Format(instantLayout), true
}

func init() {
	// The SQLite dialect's filters call these (scim_fold is schema.Fold); registration only fails
	// for a duplicate name.
	_ = msqlite.RegisterDeterministicScalarFunction("scim_fold", 1, func(_ *msqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return schema.Fold(v), nil
		case []byte:
			return schema.Fold(string(v)), nil
		}
		return nil, nil
	})
	_ = msqlite.RegisterDeterministicScalarFunction("scim_instant", 1, func(_ *msqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		var s string
		switch v := args[0].(type) {
		case string:
			s = v
		case []byte:
			s = string(v)
		default:
			return nil, nil
		}
		if k, ok := instantKey(s); ok {
			return k, nil
		}
		return nil, nil
	})
}
