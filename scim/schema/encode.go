package schema

import (
	"encoding/json"
	"slices"
	"strconv"
)

// JSONAppender is a value that appends its own JSON encoding to b, as
// [AppendJSON] does: the handler's rendered resources, written inside a
// list response.
type JSONAppender interface {
	AppendJSON(b []byte) ([]byte, error)
}

// AppendJSON appends v, canonical data, to b as JSON (RFC 8259): string,
// bool, nil, json.Number, map[string]any (members sorted by name, as
// encoding/json sorts a map's keys), []any and []string are encoded
// directly, strings by [AppendJSONString]; a json.Number that is not a
// JSON number is written as 0; a [JSONAppender] appends itself. Any other
// value goes through encoding/json.Marshal, whose error is returned.
func AppendJSON(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return AppendJSONString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case json.Number:
		if v == "" || !json.Valid([]byte(v)) {
			return append(b, '0'), nil
		}
		return append(b, v...), nil
	case map[string]any:
		var buf [16]string
		keys := buf[:0]
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSONString(b, k)
			b = append(b, ':')
			var err error
			if b, err = AppendJSON(b, v[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []any:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = AppendJSON(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case []string:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSONString(b, e)
		}
		return append(b, ']'), nil
	case JSONAppender:
		return v.AppendJSON(b)
	}
	m, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, m...), nil
}
