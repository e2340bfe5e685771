package sqlstore

import (
	"database/sql/driver"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	msqlite "modernc.org/sqlite"
)

// fold returns the case-insensitive key of s: every rune is replaced by
// the lower case of the smallest rune of its Unicode simple case-folding
// orbit, so two strings have the same key exactly when strings.EqualFold
// says they are equal, a key has a prefix, suffix or substring key exactly
// when the strings match that way under folding, and keys order as their
// lower-case forms for everything but a few letters such as the long s.
// The indexed userName and displayName columns hold such keys.
func fold(s string) string {
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return foldUnicode(s)
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	if upper {
		return foldASCII(s)
	}
	return s
}

func foldASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func foldUnicode(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return unicode.ToLower(least)
}

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
	// The SQLite dialect's filters call these; registration only fails
	// for a duplicate name.
	_ = msqlite.RegisterDeterministicScalarFunction("scim_fold", 1, func(_ *msqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return fold(v), nil
		case []byte:
			return fold(string(v)), nil
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
