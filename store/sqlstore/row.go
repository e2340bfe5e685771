package sqlstore

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// row is the stored form of a resource's attributes.
type row struct {
	attrs      string
	attrsKey   sql.NullString // the top-level attributes that folding changes, folded (appendKeyDoc); NULL when none
	externalID sql.NullString
	nameKey    sql.NullString
	displayKey sql.NullString
	members    []any
	unique     map[string]string // attribute name -> key, for extraUnique
}

// rowBuffers hold the buffers split encodes the documents of a row in;
// buffers grown past maxPooledRow (a resource of many values) are left to
// the collector.
var rowBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

const maxPooledRow = 64 << 10

// split turns canonical attributes into their stored form.
func (s *Store) split(ti *typeInfo, attrs map[string]any) (*row, error) {
	if err := checkText("", attrs); err != nil {
		return nil, err
	}
	r := &row{}
	body := attrs
	if ti.members != nil {
		if m, ok := attrs[membersAttr]; ok {
			r.members, _ = m.([]any)
			body = make(map[string]any, len(attrs))
			for k, v := range attrs {
				if k != membersAttr {
					body[k] = v
				}
			}
		}
	}
	// Canonical data encodes directly (schema.AppendJSON), with no
	// reflection; one pooled buffer serves both documents, which are
	// copied out of it.
	bp := rowBuffers.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledRow {
			rowBuffers.Put(bp)
		}
	}()
	b, err := schema.AppendJSON((*bp)[:0], body)
	*bp = b
	if err != nil {
		return nil, fmt.Errorf("sqlstore: encoding attributes: %w", err)
	}
	r.attrs = string(b)
	b, keyed, err := appendKeyDoc(b[:0], ti.rt, body)
	*bp = b
	if err != nil {
		return nil, fmt.Errorf("sqlstore: encoding attributes: %w", err)
	}
	if keyed {
		r.attrsKey = sql.NullString{String: string(b), Valid: true}
	}
	if v, ok := attrs["externalId"].(string); ok {
		r.externalID = sql.NullString{String: v, Valid: true}
	}
	if ti.nameKey != nil {
		if v, ok := attrs[ti.nameKey.Name].(string); ok {
			r.nameKey = sql.NullString{String: ti.nameKey.Key(v), Valid: true}
		}
	}
	if ti.display != nil {
		if v, ok := attrs[ti.display.Name].(string); ok {
			r.displayKey = sql.NullString{String: ti.display.Key(v), Valid: true}
		}
	}
	for _, a := range ti.extraUnique {
		if v, ok := attrs[a.Name].(string); ok {
			if r.unique == nil {
				r.unique = map[string]string{}
			}
			r.unique[a.Name] = a.Key(v)
		}
	}
	return r, nil
}

// conflict returns the ConflictError of the unique attribute a.
func conflict(a *schema.Attribute, attrs map[string]any) error {
	v, _ := attrs[a.Name].(string)
	return &store.ConflictError{Attribute: a.Name, Value: v}
}

// selectList is the column list every read uses, for the row alias r.
func (s *Store) selectList(ti *typeInfo) string {
	members := "NULL"
	if ti.members != nil {
		members = s.d.membersJSON()
	}
	return "r.id, r.version, r.created, r.last_modified, r.attrs, " + members
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// scanResource reads a row of selectList (plus extra destinations).
func (s *Store) scanResource(sc scanner, typ string, extra ...any) (*store.Resource, error) {
	var (
		id               string
		version          int64
		created, lastMod any
		attrs, members   []byte
	)
	dest := append([]any{&id, &version, &created, &lastMod, &attrs, &members}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	res := &store.Resource{Type: typ, ID: id, Meta: store.Meta{Version: strconv.FormatInt(version, 10)}}
	var err error
	if res.Meta.Created, err = s.d.scanTime(created); err != nil {
		return nil, err
	}
	if res.Meta.LastModified, err = s.d.scanTime(lastMod); err != nil {
		return nil, err
	}
	if res.Attributes, err = decodeObject(attrs); err != nil {
		return nil, err
	}
	if len(members) > 0 {
		ms, err := decodeMembers(members)
		if err != nil {
			return nil, err
		}
		if len(ms) > 0 {
			res.Attributes[membersAttr] = ms
		}
	}
	return res, nil
}

// decodeObject decodes stored attributes with schema.DecodeObject, which
// allows any nesting encoding/json reads and refuses a repeated member name
// (the store writes attributes from maps, so none is ever stored). Stored
// null, the encoding of no attributes, is an empty object.
func decodeObject(b []byte) (map[string]any, error) {
	m, err := schema.DecodeObject(b, schema.MaxNestingDepth)
	if err != nil {
		if de, ok := err.(*schema.DecodeError); ok && de.Kind == schema.DecodeNotObject && string(bytes.TrimSpace(b)) == "null" {
			return map[string]any{}, nil
		}
		return nil, fmt.Errorf("sqlstore: decoding stored attributes: %w", err)
	}
	return m, nil
}

// decodeMembers decodes the members JSON of a read, leaving out null
// fields.
func decodeMembers(b []byte) ([]any, error) {
	var ms []map[string]*string
	if err := json.Unmarshal(b, &ms); err != nil {
		return nil, fmt.Errorf("sqlstore: decoding stored members: %w", err)
	}
	out := make([]any, 0, len(ms))
	for _, m := range ms {
		el := make(map[string]any, len(m))
		for k, v := range m {
			if v != nil {
				el[k] = *v
			}
		}
		out = append(out, el)
	}
	return out, nil
}
