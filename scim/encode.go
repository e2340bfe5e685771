package scim

import (
	"bytes"
	"encoding/json"
	"sort"
)

// resourceJSON is a rendered resource that marshals with its members in a
// reading order: schemas, id, externalId, the core attributes in schema
// order, extensions in configuration order, then meta. (encoding/json
// would sort a map's keys alphabetically.)
type resourceJSON struct {
	rt  *resourceType
	obj map[string]any
}

func (r resourceJSON) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	written := make(map[string]bool, len(r.obj))
	first := true
	put := func(k string) error {
		v, ok := r.obj[k]
		if !ok || written[k] {
			return nil
		}
		written[k] = true
		if !first {
			buf.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		vb, err := json.Marshal(v)
		if err != nil {
			return err
		}
		buf.Write(vb)
		return nil
	}
	order := []string{"schemas", "id", "externalId"}
	for _, a := range r.rt.Schema.Attributes {
		order = append(order, a.Name)
	}
	for _, e := range r.rt.Extensions {
		order = append(order, e.Schema.ID)
	}
	var rest []string
	for k := range r.obj {
		if k != "meta" {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	order = append(order, rest...)
	order = append(order, "meta")
	for _, k := range order {
		if err := put(k); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
