package scim

import (
	"strconv"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// resourceJSON is a resource to be written in a response: encoded by
// schema.ResourceType.AppendResource, with projection p, its ETag as
// meta.version and location as meta.location.
type resourceJSON struct {
	rt       *resourceType
	res      *store.Resource
	p        *schema.Projection
	location string
}

func (r resourceJSON) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil) }

// AppendJSON appends the resource to b (schema.JSONAppender).
func (r resourceJSON) AppendJSON(b []byte) ([]byte, error) {
	res := r.res
	return r.rt.AppendResource(b, res.Attributes, res.ID, schema.Meta{ResourceType: res.Type,
		Created: res.Meta.Created, LastModified: res.Meta.LastModified,
		Location: r.location, Version: etag(res.Meta.Version)}, r.p)
}

// appendList appends a ListResponse, encoding its resources directly.
func appendList(b []byte, l listResponse) ([]byte, error) {
	b = append(b, `{"schemas":[`...)
	for i, s := range l.Schemas {
		if i > 0 {
			b = append(b, ',')
		}
		b = schema.AppendJSONString(b, s)
	}
	b = append(b, `],"totalResults":`...)
	b = strconv.AppendInt(b, int64(l.TotalResults), 10)
	b = append(b, `,"startIndex":`...)
	b = strconv.AppendInt(b, int64(l.StartIndex), 10)
	b = append(b, `,"itemsPerPage":`...)
	b = strconv.AppendInt(b, int64(l.ItemsPerPage), 10)
	b = append(b, `,"Resources":[`...)
	for i, r := range l.Resources {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = schema.AppendJSON(b, r); err != nil {
			return nil, err
		}
	}
	return append(b, "]}"...), nil
}
