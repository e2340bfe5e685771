package scim

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/scimkit/scimkit/scim/schema"
)

// serviceProviderConfig answers GET /ServiceProviderConfig (RFC 7643 §5)
// from what the handler really does.
func (h *Handler) serviceProviderConfig(r *http.Request) (any, error) {
	schemes := h.cfg.AuthenticationSchemes
	if schemes == nil {
		schemes = []AuthenticationScheme{{
			Type:        "oauthbearertoken",
			Name:        "OAuth Bearer Token",
			Description: "Authentication scheme using the OAuth Bearer Token Standard",
			SpecURI:     "https://www.rfc-editor.org/info/rfc6750",
			Primary:     true,
		}}
	}
	type supported struct {
		Supported bool `json:"supported"`
	}
	return map[string]any{
		"schemas":               []string{schema.ServiceProviderConfigURN},
		"documentationUri":      "https://github.com/scimkit/scimkit",
		"patch":                 supported{true},
		"bulk":                  h.bulkConfig(),
		"filter":                map[string]any{"supported": true, "maxResults": h.maxCount},
		"changePassword":        supported{h.cfg.HashPassword != nil},
		"sort":                  supported{true},
		"etag":                  supported{true},
		"pagination":            h.paginationConfig(),
		"authenticationSchemes": schemes,
		"meta": map[string]any{
			"resourceType": "ServiceProviderConfig",
			"location":     h.baseURL(r) + "/ServiceProviderConfig",
		},
	}, nil
}

// resourceTypes answers GET /ResourceTypes and /ResourceTypes/{name}
// (RFC 7643 §6, RFC 7644 §4), in configuration order (Users first by
// default).
func (h *Handler) resourceTypes(r *http.Request, name string) (any, error) {
	base := h.baseURL(r)
	repr := func(rt *resourceType) map[string]any {
		exts := make([]map[string]any, 0, len(rt.Extensions))
		for _, e := range rt.Extensions {
			exts = append(exts, map[string]any{"schema": e.Schema.ID, "required": e.Required})
		}
		m := map[string]any{
			"schemas":  []string{schema.ResourceTypeURN},
			"id":       rt.Name,
			"name":     rt.Name,
			"endpoint": "/" + strings.Trim(rt.Endpoint, "/"),
			"schema":   rt.Schema.ID,
			"meta": map[string]any{
				"resourceType": "ResourceType",
				"location":     base + "/ResourceTypes/" + url.PathEscape(rt.Name),
			},
		}
		if rt.Description != "" {
			m["description"] = rt.Description
		}
		if len(exts) > 0 {
			m["schemaExtensions"] = exts
		}
		return m
	}
	if name != "" {
		for _, rt := range h.types {
			if strings.EqualFold(rt.Name, name) {
				return repr(rt), nil
			}
		}
		return nil, notFound("no resource type " + name)
	}
	items := make([]any, 0, len(h.types))
	for _, rt := range h.types {
		items = append(items, repr(rt))
	}
	return newList(len(items), 1, items), nil
}

// schemas answers GET /Schemas and /Schemas/{id} (RFC 7643 §7) with every
// core schema and extension of the configured resource types, once each.
func (h *Handler) schemas(r *http.Request, id string) (any, error) {
	base := h.baseURL(r)
	var all []*schema.Schema
	seen := map[string]bool{}
	add := func(s *schema.Schema) {
		if !seen[s.ID] {
			seen[s.ID] = true
			all = append(all, s)
		}
	}
	for _, rt := range h.types {
		add(rt.Schema)
		for _, e := range rt.Extensions {
			add(e.Schema)
		}
	}
	repr := func(s *schema.Schema) map[string]any {
		m := map[string]any{
			"schemas":    []string{schema.SchemaURN},
			"id":         s.ID,
			"name":       s.Name,
			"attributes": attributesRepr(s.Attributes),
			"meta": map[string]any{
				"resourceType": "Schema",
				"location":     base + "/Schemas/" + url.PathEscape(s.ID),
			},
		}
		if s.Description != "" {
			m["description"] = s.Description
		}
		return m
	}
	if id != "" {
		for _, s := range all {
			if strings.EqualFold(s.ID, id) {
				return repr(s), nil
			}
		}
		return nil, notFound("no schema " + id)
	}
	items := make([]any, 0, len(all))
	for _, s := range all {
		items = append(items, repr(s))
	}
	return newList(len(items), 1, items), nil
}

// attributesRepr renders attribute definitions as RFC 7643 §7 says, with
// every characteristic spelled out and no nulls.
func attributesRepr(attrs []*schema.Attribute) []any {
	out := make([]any, 0, len(attrs))
	for _, a := range attrs {
		uniq := a.Uniqueness
		if uniq == "" {
			uniq = schema.UniqueNone
		}
		m := map[string]any{
			"name":        a.Name,
			"type":        a.Type,
			"multiValued": a.MultiValued,
			"description": a.Description,
			"required":    a.Required,
			"caseExact":   a.CaseExact,
			"mutability":  a.EffectiveMutability(),
			"returned":    a.EffectiveReturned(),
			"uniqueness":  uniq,
		}
		if len(a.CanonicalValues) > 0 {
			m["canonicalValues"] = a.CanonicalValues
		}
		if len(a.ReferenceTypes) > 0 {
			m["referenceTypes"] = a.ReferenceTypes
		}
		if len(a.SubAttributes) > 0 {
			m["subAttributes"] = attributesRepr(a.SubAttributes)
		}
		out = append(out, m)
	}
	return out
}

func (h *Handler) bulkConfig() map[string]any {
	if h.bulkMaxOps < 0 {
		return map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0}
	}
	return map[string]any{"supported": true, "maxOperations": h.bulkMaxOps, "maxPayloadSize": h.bulkMaxPayload}
}
