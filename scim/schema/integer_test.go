package schema_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/scim/schema"
)

// TestIntegersExact checks that integers are read exactly (no float64
// rounding) or refused with a clear error, whatever their spelling.
func TestIntegersExact(t *testing.T) {
	a := &schema.Attribute{Name: "badgeNumber", Type: schema.Integer}
	tests := []struct {
		in, want, err string
	}{
		{"12345678901234567", "12345678901234567", ""},
		{"12345678901234567.0", "12345678901234567", ""},
		{"1.2345678901234567e16", "12345678901234567", ""},
		{"9223372036854775807", "9223372036854775807", ""},
		{"-9223372036854775808", "-9223372036854775808", ""},
		{"-9223372036854775808.000", "-9223372036854775808", ""},
		{"9223372036854775808", "", "64-bit range"},
		{"-9223372036854775809", "", "64-bit range"},
		{"1e-999999", "", "must be an integer"},
		{"0e999999999999", "0", ""},
		{"1e999999999999", "", "64-bit range"},
		{"1e19", "", "64-bit range"},
		{"15e-1", "", "must be an integer"},
		{"150e-1", "15", ""},
		{"-0.0", "0", ""},
		{"007", "7", ""},
		{"1.5", "", "must be an integer"},
		{"0." + strings.Repeat("0", 500) + "1", "", "must be an integer"},
	}
	for _, tc := range tests {
		for _, v := range []any{json.Number(tc.in), tc.in} {
			got, err := schema.NormalizeValue(a, "badgeNumber", v)
			switch {
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("%T %s: %v, %v; want an error saying %q", v, tc.in, got, err, tc.err)
			case tc.err == "" && (err != nil || got != json.Number(tc.want)):
				t.Errorf("%T %s: %v, %v; want %s", v, tc.in, got, err, tc.want)
			}
		}
	}
}
