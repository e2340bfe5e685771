package schema_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scimkit/scim/schema"
)

// renderedJSON is the reference for AppendResource: the object Render
// builds from attrs plus "id" and "meta" (as store.Resource.Object and the
// handler make them), encoded with members in reading order — schemas,
// id, externalId, core attributes in schema order, extensions in order,
// any other key sorted, meta last — and complex values with sorted keys
// (encoding/json's order for maps); values are encoded by AppendJSON.
func renderedJSON(t testing.TB, rt *schema.ResourceType, attrs map[string]any, id string, meta schema.Meta, p *schema.Projection) string {
	t.Helper()
	obj := make(map[string]any, len(attrs)+2)
	for k, v := range attrs {
		obj[k] = v
	}
	for k := range obj { // AppendResource takes id and meta from its arguments only
		if strings.EqualFold(k, "id") || strings.EqualFold(k, "meta") {
			delete(obj, k)
		}
	}
	if id != "" {
		obj["id"] = id
	}
	m := map[string]any{}
	for k, v := range map[string]string{"resourceType": meta.ResourceType, "location": meta.Location, "version": meta.Version} {
		if v != "" {
			m[k] = v
		}
	}
	for k, v := range map[string]time.Time{"created": meta.Created, "lastModified": meta.LastModified} {
		if !v.IsZero() {
			m[k] = v.UTC().Format(time.RFC3339Nano)
		}
	}
	if len(m) > 0 {
		obj["meta"] = m
	}
	out := rt.Render(obj, p)
	var order []string
	order = append(order, "schemas", "id", "externalId")
	for _, a := range rt.Schema.Attributes {
		order = append(order, a.Name)
	}
	for _, e := range rt.Extensions {
		order = append(order, e.Schema.ID)
	}
	var rest []string
	for k := range out {
		if !slices.Contains(order, k) && k != "meta" {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	order = append(append(order, rest...), "meta")
	b := []byte{'{'}
	for _, k := range order {
		v, ok := out[k]
		if !ok {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = schema.AppendJSONString(b, k)
		b = append(b, ':')
		var err error
		if b, err = schema.AppendJSON(b, v); err != nil {
			t.Fatalf("encoding %s: %v", k, err)
		}
	}
	return string(append(b, '}'))
}

// TestAppendResourceMatchesRender checks AppendResource byte for byte
// against Render and an independent encoder, over stored resources (with
// write-only, returned=never and returned=request attributes, keys in
// other cases than the schema's, keys no schema defines, and values
// Render drops) and every projection form.
func TestAppendResourceMatchesRender(t *testing.T) {
	rt := userType()
	objs := map[string]string{
		"stored user": storedUser,
		"odd keys": `{"UserName":"bjensen","EMAILS":[{"VALUE":"a@b.c","Type":"work"},"not an object",{}],"schemas":["x"],"id":"ignored","nope":1,
			"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER":{"Department":"R&D","unknown":2},
			"urn:unknown:ext":{"a":1},"` + acmeURN + `":"not an object"}`,
		"empties":             `{"userName":"","name":{},"emails":[],"active":false,"externalId":"","groups":[{"value":""}],"` + entURN + `":{"department":""}}`,
		"numbers and escapes": `{"userName":"a\"b\\c\u0001\u2028é","x509Certificates":[{"value":"<&>"}],"` + entURN + `":{"employeeNumber":"12","costCenter":"` + strings.Repeat("z", 40) + `"},"` + acmeURN + `":{"tenant":"t","badges":[{"value":"b","pin":"1"},{"pin":"2"},{"issuer":"x"}],"level":12.50}}`,
	}
	projections := [][2]string{
		{"", ""}, {"userName", ""}, {"USERNAME, Name.GivenName", ""}, {"emails.value", ""},
		{"foo,name.nothing,urn:unknown:x:y", ""}, {"meta.lastModified", ""}, {"name,emails", ""},
		{"password," + acmeURN + ":badges.pin", ""}, {entURN, ""}, {"userName,meta", ""},
		{`emails[type eq "a,b"].value,userName`, ""}, {`emails[type eq "work"]`, ""},
		{acmeURN + ":secretQuestion," + acmeURN + ":badges.issuer", ""}, {acmeURN, ""},
		{coreURN + ":userName", ""}, {entURN + ":department", ""}, {entURN + ":manager.value", ""},
		{"meta.version,meta.location,id", ""}, {"meta.nothing", ""},
		{"", "name.familyName,emails.type,emails.primary"}, {"", "emails,groups"},
		{"", "emails.value,NAME.givenName,meta,groups," + entURN + ",externalId"},
		{"", "id,schemas," + acmeURN + ",userName,name,emails,groups,meta,externalId,active," + entURN},
		{"", entURN + ":manager.displayName,emails,groups,name,meta"}, {"", "meta.created,meta.resourceType"},
		{"emails,meta", "emails.type,meta.version"}, {acmeURN, acmeURN + ":badges.value"},
	}
	metas := []schema.Meta{
		{ResourceType: "User", Created: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), LastModified: time.Date(2024, 2, 3, 4, 5, 6, 7000, time.FixedZone("x", 3600)),
			Location: "https://example.com/scim/v2/Users/u1", Version: `W/"1"`},
		{},
		{Version: `W/""`},
	}
	n := 0
	for name, obj := range objs {
		for _, pr := range projections {
			p, err := rt.ParseProjection(pr[0], pr[1])
			if err != nil {
				t.Fatalf("ParseProjection(%q, %q): %v", pr[0], pr[1], err)
			}
			for i, meta := range metas {
				attrs := decode(t, obj)
				delete(attrs, "meta")
				for _, id := range []string{"u1", ""} {
					want := renderedJSON(t, rt, attrs, id, meta, p)
					got, err := rt.AppendResource([]byte("prefix"), attrs, id, meta, p)
					if err != nil {
						t.Fatalf("%s %q/%q meta %d: %v", name, pr[0], pr[1], i, err)
					}
					if string(got) != "prefix"+want {
						t.Errorf("%s, attributes=%q excludedAttributes=%q, meta %d, id %q:\n got %s\nwant prefix%s", name, pr[0], pr[1], i, id, got, want)
					}
					n++
				}
			}
		}
	}
	if p, _ := rt.ParseProjection("", ""); p == nil {
		t.Fatal("no projection")
	}
	got, _ := rt.AppendResource(nil, decode(t, storedUser), "u1", metas[0], nil)
	if want := renderedJSON(t, rt, decode(t, storedUser), "u1", metas[0], nil); string(got) != want {
		t.Errorf("nil projection:\n got %s\nwant %s", got, want)
	}
	if !json.Valid(got) {
		t.Errorf("not valid JSON: %s", got)
	}
	t.Logf("%d renderings compared", n)
}

// FuzzAppendResource compares AppendResource with Render and an
// independent encoder on any object and projection.
func FuzzAppendResource(f *testing.F) {
	f.Add(storedUser, "", "")
	f.Add(storedUser, "emails.value,meta.created", "")
	f.Add(storedUser, "", "name.givenName,"+entURN)
	f.Add(`{"EMAILS":[{"value":"x","Display":"y"},1],"Name":{"GIVENNAME":"a"}}`, "emails.display", "")
	rt := userType()
	meta := schema.Meta{ResourceType: "User", Created: time.Unix(1, 2), Location: "l", Version: `W/"2"`}
	f.Fuzz(func(t *testing.T, obj, attributes, excluded string) {
		var attrs map[string]any
		d := json.NewDecoder(strings.NewReader(obj))
		d.UseNumber()
		if d.Decode(&attrs) != nil || attrs == nil || foldedTwice(attrs) {
			return
		}
		p, err := rt.ParseProjection(attributes, excluded)
		if err != nil {
			return
		}
		delete(attrs, "meta")
		want := renderedJSON(t, rt, attrs, "id1", meta, p)
		got, err := rt.AppendResource(nil, attrs, "id1", meta, p)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("attributes=%q excludedAttributes=%q on %s:\n got %s\nwant %s", attributes, excluded, obj, got, want)
		}
	})
}

// TestAppendResourceAllocations: rendering a stored user costs no
// allocation beyond the output buffer's growth.
func TestAppendResourceAllocations(t *testing.T) {
	rt := userType()
	attrs := decode(t, storedUser)
	delete(attrs, "meta")
	meta := schema.Meta{ResourceType: "User", Created: time.Now(), LastModified: time.Now(), Location: "https://example.com/Users/u1", Version: `W/"1"`}
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() { _, _ = rt.AppendResource(buf[:0], attrs, "u1", meta, nil) }); n != 0 {
		t.Errorf("AppendResource allocates %v times", n)
	}
}

// foldedTwice reports whether an object in v has two member names that
// are equal case-insensitively: which of them Render keeps is not
// defined (canonical data has none).
func foldedTwice(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		seen := map[string]bool{}
		for k, e := range v {
			if seen[strings.ToLower(k)] || foldedTwice(e) {
				return true
			}
			seen[strings.ToLower(k)] = true
		}
	case []any:
		for _, e := range v {
			if foldedTwice(e) {
				return true
			}
		}
	}
	return false
}
