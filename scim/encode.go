package scim

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/scimkit/scimkit/scim/schema"
)

// resourceJSON is a rendered resource that marshals with its members in a
// reading order: schemas, id, externalId, the core attributes in schema
// order, extensions in configuration order, then meta. (encoding/json
// would sort a map's keys alphabetically.)
type resourceJSON struct {
	rt  *resourceType
	obj map[string]any
}

func (r resourceJSON) MarshalJSON() ([]byte, error) { return r.appendJSON(nil) }

// appendJSON appends the resource to b, encoding canonical data directly
// (no reflection, no second validating pass as with a json.Marshaler).
func (r resourceJSON) appendJSON(b []byte) ([]byte, error) {
	b = append(b, '{')
	first := true
	written := make(map[string]bool, len(r.obj))
	put := func(k string) error {
		v, ok := r.obj[k]
		if !ok || written[k] {
			return nil
		}
		written[k] = true
		if !first {
			b = append(b, ',')
		}
		first = false
		b = schema.AppendJSONString(b, k)
		b = append(b, ':')
		var err error
		b, err = appendValue(b, v)
		return err
	}
	for _, k := range []string{"schemas", "id", "externalId"} {
		if err := put(k); err != nil {
			return nil, err
		}
	}
	for _, a := range r.rt.Schema.Attributes {
		if err := put(a.Name); err != nil {
			return nil, err
		}
	}
	for _, e := range r.rt.Extensions {
		if err := put(e.Schema.ID); err != nil {
			return nil, err
		}
	}
	var rest []string
	for k := range r.obj {
		if !written[k] && k != "meta" {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range append(rest, "meta") {
		if err := put(k); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendValue appends v as JSON. Canonical data (string, bool, nil,
// json.Number, map[string]any with sorted keys, []any, []string) is
// encoded directly; anything else goes through encoding/json.
func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return schema.AppendJSONString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case json.Number:
		if v == "" || !json.Valid([]byte(v)) {
			return append(b, '0'), nil
		}
		return append(b, v...), nil
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = schema.AppendJSONString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendValue(b, v[k]); err != nil {
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
			if b, err = appendValue(b, e); err != nil {
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
			b = schema.AppendJSONString(b, e)
		}
		return append(b, ']'), nil
	case resourceJSON:
		return v.appendJSON(b)
	}
	m, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, m...), nil
}

// appendList appends a ListResponse, encoding its resources directly.
func appendList(b []byte, l listResponse) ([]byte, error) {
	b = append(b, `{"schemas":`...)
	b, _ = appendValue(b, l.Schemas)
	b = append(b, `,"totalResults":`...)
	b = strconv.AppendInt(b, int64(l.TotalResults), 10)
	b = append(b, `,"startIndex":`...)
	b = strconv.AppendInt(b, int64(l.StartIndex), 10)
	b = append(b, `,"itemsPerPage":`...)
	b = strconv.AppendInt(b, int64(l.ItemsPerPage), 10)
	b = append(b, `,"Resources":`...)
	b, err := appendValue(b, l.Resources)
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}
