package schema

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// scalarValue returns the canonical form of v for type t, or a description
// of what was expected.
func scalarValue(t Type, v any) (any, string) {
	switch t {
	case Boolean:
		switch x := v.(type) {
		case bool:
			return x, ""
		case string:
			if strings.EqualFold(x, "true") {
				return true, ""
			}
			if strings.EqualFold(x, "false") {
				return false, ""
			}
		}
		return nil, "must be a boolean"
	case Integer:
		var s string
		switch x := v.(type) {
		case json.Number:
			s = string(x)
		case string:
			s = x
		case float64:
			if x == math.Trunc(x) && x >= -(1<<63) && x < 1<<63 {
				return json.Number(strconv.FormatInt(int64(x), 10)), ""
			}
			return nil, "must be an integer"
		case int:
			return json.Number(strconv.Itoa(x)), ""
		case int64:
			return json.Number(strconv.FormatInt(x, 10)), ""
		default:
			return nil, "must be an integer"
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			c := strconv.FormatInt(i, 10)
			if c == s {
				if _, ok := v.(json.Number); ok {
					return v, ""
				}
				return json.Number(s), ""
			}
			return json.Number(c), ""
		}
		if !IsNumber(s) {
			return nil, "must be an integer"
		}
		i, problem := exactInt64(s)
		if problem != "" {
			return nil, problem
		}
		return json.Number(strconv.FormatInt(i, 10)), ""
	case Decimal:
		var s string
		switch x := v.(type) {
		case json.Number:
			s = string(x)
		case string:
			s = x
		case float64:
			if math.IsInf(x, 0) || math.IsNaN(x) {
				return nil, "must be a finite number"
			}
			return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), ""
		case int:
			return json.Number(strconv.Itoa(x)), ""
		case int64:
			return json.Number(strconv.FormatInt(x, 10)), ""
		default:
			return nil, "must be a number"
		}
		if !IsNumber(s) {
			return nil, "must be a number"
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return nil, "must be a number in the range of a 64-bit float"
		}
		if _, ok := v.(json.Number); ok {
			return v, ""
		}
		return json.Number(s), ""
	case DateTime:
		if s, ok := v.(string); ok {
			if validDateTime(s) {
				return v, ""
			}
			return nil, "must be an RFC 3339 date-time such as 2008-01-23T04:56:22Z"
		}
		return nil, "must be a date-time string"
	case Binary:
		if s, ok := v.(string); ok {
			if validBase64(s) {
				return v, ""
			}
			return nil, "must be base64-encoded"
		}
		return nil, "must be a base64 string"
	case Reference:
		if _, ok := v.(string); ok {
			return v, ""
		}
		return nil, "must be a reference string"
	default: // String, and attributes defined without a type
		switch x := v.(type) {
		case string:
			return v, "" // as given: boxing x again would allocate
		case json.Number:
			if IsNumber(string(x)) {
				return string(x), ""
			}
		case float64:
			if !math.IsInf(x, 0) && !math.IsNaN(x) {
				return strconv.FormatFloat(x, 'f', -1, 64), ""
			}
		case int:
			return strconv.Itoa(x), ""
		case int64:
			return strconv.FormatInt(x, 10), ""
		}
		return nil, "must be a string"
	}
}

func validDateTime(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

func validBase64(s string) bool {
	if _, err := base64.StdEncoding.DecodeString(s); err == nil {
		return true
	}
	_, err := base64.RawStdEncoding.DecodeString(s)
	return err == nil
}

// describe names the JSON type of v for error details, without echoing the
// value itself.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64, int, int64:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	default:
		return "an unsupported value"
	}
}

// exactInt64 returns the value of the JSON number s (IsNumber) when it is
// an integer in the int64 range, read exactly (12345678901234567.0 and
// 1.5e1 are integers; no float64 rounding), or what is wrong with it. Its
// work is bounded by len(s), whatever the exponent.
func exactInt64(s string) (int64, string) {
	mant, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(mant, "-")
	whole, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(whole+frac, "0")
	if digits == "" {
		return 0, ""
	}
	exp := -len(frac)
	if hasExp {
		e, err := strconv.Atoi(strings.TrimPrefix(expText, "+"))
		if err != nil || e > 1<<20 || e < -(1<<20) { // far beyond any int64 or fraction
			if strings.HasPrefix(expText, "-") {
				return 0, "must be an integer"
			}
			return 0, "must be an integer in the 64-bit range"
		}
		exp += e
	}
	for exp < 0 && strings.HasSuffix(digits, "0") {
		digits, exp = digits[:len(digits)-1], exp+1
	}
	if exp < 0 {
		return 0, "must be an integer"
	}
	if len(digits)+exp > 19 {
		return 0, "must be an integer in the 64-bit range"
	}
	if neg {
		digits = "-" + digits
	}
	i, err := strconv.ParseInt(digits+strings.Repeat("0", exp), 10, 64)
	if err != nil {
		return 0, "must be an integer in the 64-bit range"
	}
	return i, ""
}
