package schema_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim/schema"
)

// storedUser is canonical data plus id and meta, as the handler passes it.
const storedUser = `{
 "id":"u1",
 "meta":{"resourceType":"User","created":"2024-01-02T03:04:05Z","lastModified":"2024-02-03T04:05:06Z","version":"W/\"1\""},
 "userName":"bjensen","externalId":"ext-1","password":"secret","active":true,
 "name":{"givenName":"Barbara","familyName":"Jensen"},
 "emails":[{"value":"b@work.example","type":"work","primary":true},{"value":"b@home.example","type":"home"}],
 "groups":[{"value":"g1","display":"Admins"}],
 "` + entURN + `":{"department":"R&D","manager":{"value":"m1","displayName":"Boss"}},
 "` + acmeURN + `":{"tenant":"t1","secretQuestion":"pet?","badges":[{"value":"b1","pin":"1234","issuer":"HQ"},{"pin":"99"}]}
}`

const coreURN = schema.UserURN

func TestRender(t *testing.T) {
	rt := userType()
	groups := schema.GroupResourceType()
	group := `{"id":"g1","displayName":"Admins","members":[{"value":"u1","display":"B"},{"value":"u2"}],"meta":{"resourceType":"Group"}}`
	fullUser := `{
	 "schemas":["` + coreURN + `","` + entURN + `","` + acmeURN + `"],
	 "id":"u1",
	 "meta":{"resourceType":"User","created":"2024-01-02T03:04:05Z","lastModified":"2024-02-03T04:05:06Z","version":"W/\"1\""},
	 "userName":"bjensen","externalId":"ext-1","active":true,
	 "name":{"givenName":"Barbara","familyName":"Jensen"},
	 "emails":[{"value":"b@work.example","type":"work","primary":true},{"value":"b@home.example","type":"home"}],
	 "groups":[{"value":"g1","display":"Admins"}],
	 "` + entURN + `":{"department":"R&D","manager":{"value":"m1","displayName":"Boss"}},
	 "` + acmeURN + `":{"tenant":"t1","badges":[{"value":"b1"}]}}`
	tests := []struct {
		name       string
		reason     string
		rt         *schema.ResourceType
		obj        string
		attributes string
		excluded   string
		want       string
	}{
		{
			name:   "default",
			reason: "everything but password (never), secretQuestion (request) and badge pin/issuer; empty elements dropped",
			want:   fullUser,
		},
		{
			name:       "attributes userName",
			reason:     "the minimum set is id, schemas and returned=always attributes (acme tenant); meta is returned=default",
			attributes: "userName",
			want:       `{"schemas":["` + coreURN + `","` + acmeURN + `"],"id":"u1","userName":"bjensen","` + acmeURN + `":{"tenant":"t1"}}`,
		},
		{
			name:       "attributes with meta",
			reason:     "meta appears when listed",
			attributes: "userName,meta",
			want: `{"schemas":["` + coreURN + `","` + acmeURN + `"],"id":"u1","userName":"bjensen","` + acmeURN + `":{"tenant":"t1"},
			 "meta":{"resourceType":"User","created":"2024-01-02T03:04:05Z","lastModified":"2024-02-03T04:05:06Z","version":"W/\"1\""}}`,
		},
		{
			name:       "meta sub-attribute",
			reason:     "meta.lastModified selects one sub-attribute of meta",
			attributes: "meta.lastModified",
			want:       `{"schemas":["` + coreURN + `","` + acmeURN + `"],"id":"u1","` + acmeURN + `":{"tenant":"t1"},"meta":{"lastModified":"2024-02-03T04:05:06Z"}}`,
		},
		{
			name:       "sub-attributes case-insensitive",
			reason:     "USERNAME and Name.GivenName match canonical names",
			attributes: "USERNAME, Name.GivenName",
			want:       `{"schemas":["` + coreURN + `","` + acmeURN + `"],"id":"u1","userName":"bjensen","name":{"givenName":"Barbara"},"` + acmeURN + `":{"tenant":"t1"}}`,
		},
		{
			name:       "multi-valued sub-attribute",
			reason:     "emails.value keeps only value in each element",
			attributes: "emails.value",
			want:       `{"schemas":["` + coreURN + `","` + acmeURN + `"],"id":"u1","emails":[{"value":"b@work.example"},{"value":"b@home.example"}],"` + acmeURN + `":{"tenant":"t1"}}`,
		},
		{
			name:       "bracketed attribute",
			reason:     `emails[type eq "work"] is treated as emails`,
			attributes: `emails[type eq "work"]`,
			want: `{"schemas":["` + coreURN + `","` + acmeURN + `"],"id":"u1","` + acmeURN + `":{"tenant":"t1"},
			 "emails":[{"value":"b@work.example","type":"work","primary":true},{"value":"b@home.example","type":"home"}]}`,
		},
		{
			name:       "bracketed sub-attribute with comma",
			reason:     `emails[type eq "a,b"].value is emails.value; the comma inside quotes does not split`,
			attributes: `emails[type eq "a,b"].value,userName`,
			want:       `{"schemas":["` + coreURN + `","` + acmeURN + `"],"id":"u1","userName":"bjensen","emails":[{"value":"b@work.example"},{"value":"b@home.example"}],"` + acmeURN + `":{"tenant":"t1"}}`,
		},
		{
			name:       "URN-qualified attribute",
			reason:     "an extension attribute by its full path; schemas lists only extensions present",
			attributes: entURN + ":department",
			want:       `{"schemas":["` + coreURN + `","` + entURN + `","` + acmeURN + `"],"id":"u1","` + entURN + `":{"department":"R&D"},"` + acmeURN + `":{"tenant":"t1"}}`,
		},
		{
			name:       "URN-qualified sub-attribute",
			reason:     "manager.value of the enterprise extension",
			attributes: entURN + ":manager.value",
			want:       `{"schemas":["` + coreURN + `","` + entURN + `","` + acmeURN + `"],"id":"u1","` + entURN + `":{"manager":{"value":"m1"}},"` + acmeURN + `":{"tenant":"t1"}}`,
		},
		{
			name:       "core URN-qualified attribute",
			reason:     "urn:...:core:2.0:User:userName is userName",
			attributes: coreURN + ":userName",
			want:       `{"schemas":["` + coreURN + `","` + acmeURN + `"],"id":"u1","userName":"bjensen","` + acmeURN + `":{"tenant":"t1"}}`,
		},
		{
			name:       "bare extension URN",
			reason:     "the bare URN lists the whole extension",
			attributes: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user",
			want:       `{"schemas":["` + coreURN + `","` + entURN + `","` + acmeURN + `"],"id":"u1","` + entURN + `":{"department":"R&D","manager":{"value":"m1","displayName":"Boss"}},"` + acmeURN + `":{"tenant":"t1"}}`,
		},
		{
			name:       "request attribute listed",
			reason:     "returned=request attributes appear when listed, also by sub-attribute",
			attributes: acmeURN + ":secretQuestion," + acmeURN + ":badges.issuer",
			want:       `{"schemas":["` + coreURN + `","` + acmeURN + `"],"id":"u1","` + acmeURN + `":{"tenant":"t1","secretQuestion":"pet?","badges":[{"issuer":"HQ"}]}}`,
		},
		{
			name:       "bare URN skips request attributes",
			reason:     "a bare URN lists default attributes only",
			attributes: acmeURN,
			want:       `{"schemas":["` + coreURN + `","` + acmeURN + `"],"id":"u1","` + acmeURN + `":{"tenant":"t1","badges":[{"value":"b1"}]}}`,
		},
		{
			name:       "never is never",
			reason:     "password cannot be requested; badges.pin neither",
			attributes: "password," + acmeURN + ":badges.pin",
			want:       `{"schemas":["` + coreURN + `","` + acmeURN + `"],"id":"u1","` + acmeURN + `":{"tenant":"t1"}}`,
		},
		{
			name:       "unknown names",
			reason:     "paths naming nothing are ignored; attributes was still given, so only the minimum set remains",
			attributes: "foo,name.nothing,urn:unknown:x:y",
			want:       `{"schemas":["` + coreURN + `","` + acmeURN + `"],"id":"u1","` + acmeURN + `":{"tenant":"t1"}}`,
		},
		{
			name:     "exclude attribute",
			reason:   "excludedAttributes=emails",
			excluded: "emails,groups",
			want: `{"schemas":["` + coreURN + `","` + entURN + `","` + acmeURN + `"],"id":"u1",
			 "meta":{"resourceType":"User","created":"2024-01-02T03:04:05Z","lastModified":"2024-02-03T04:05:06Z","version":"W/\"1\""},
			 "userName":"bjensen","externalId":"ext-1","active":true,"name":{"givenName":"Barbara","familyName":"Jensen"},
			 "` + entURN + `":{"department":"R&D","manager":{"value":"m1","displayName":"Boss"}},"` + acmeURN + `":{"tenant":"t1","badges":[{"value":"b1"}]}}`,
		},
		{
			name:     "exclude sub-attributes",
			reason:   "emails.value and name.givenName leave the rest of their parents",
			excluded: "emails.value,NAME.givenName,meta,groups," + entURN + ",externalId",
			want: `{"schemas":["` + coreURN + `","` + acmeURN + `"],"id":"u1","userName":"bjensen","active":true,
			 "name":{"familyName":"Jensen"},"emails":[{"type":"work","primary":true},{"type":"home"}],
			 "` + acmeURN + `":{"tenant":"t1","badges":[{"value":"b1"}]}}`,
		},
		{
			name:     "always survives exclusion",
			reason:   "id, schemas and returned=always attributes cannot be excluded",
			excluded: "id,schemas," + acmeURN + ",userName,name,emails,groups,meta,externalId,active," + entURN,
			want:     `{"schemas":["` + coreURN + `","` + acmeURN + `"],"id":"u1","` + acmeURN + `":{"tenant":"t1"}}`,
		},
		{
			name:     "exclude URN-qualified sub-attribute",
			reason:   "manager.displayName excluded by full path",
			excluded: entURN + ":manager.displayName,emails,groups,name,meta",
			want: `{"schemas":["` + coreURN + `","` + entURN + `","` + acmeURN + `"],"id":"u1","userName":"bjensen","externalId":"ext-1","active":true,
			 "` + entURN + `":{"department":"R&D","manager":{"value":"m1"}},"` + acmeURN + `":{"tenant":"t1","badges":[{"value":"b1"}]}}`,
		},
		{
			name:       "both parameters",
			reason:     "exclusion applies to the selection",
			attributes: "name,emails",
			excluded:   "name.familyName,emails.type,emails.primary",
			want:       `{"schemas":["` + coreURN + `","` + acmeURN + `"],"id":"u1","name":{"givenName":"Barbara"},"emails":[{"value":"b@work.example"},{"value":"b@home.example"}],"` + acmeURN + `":{"tenant":"t1"}}`,
		},
		{
			name:     "group without members",
			reason:   "Entra's excludedAttributes=members",
			rt:       groups,
			obj:      group,
			excluded: "members",
			want:     `{"schemas":["` + schema.GroupURN + `"],"id":"g1","displayName":"Admins","meta":{"resourceType":"Group"}}`,
		},
		{
			name:   "group default",
			reason: "members are returned by default",
			rt:     groups,
			obj:    group,
			want:   `{"schemas":["` + schema.GroupURN + `"],"id":"g1","displayName":"Admins","members":[{"value":"u1","display":"B"},{"value":"u2"}],"meta":{"resourceType":"Group"}}`,
		},
		{
			name:   "stray keys",
			reason: "an incoming schemas, unknown keys and empty values are dropped",
			rt:     groups,
			obj:    `{"id":"g1","schemas":["x"],"displayName":"A","bogus":1,"members":[],"urn:x:y":{"a":1}}`,
			want:   `{"schemas":["` + schema.GroupURN + `"],"id":"g1","displayName":"A"}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.rt
			if r == nil {
				r = rt
			}
			src := tc.obj
			if src == "" {
				src = storedUser
			}
			obj := decode(t, src)
			before := deepCopy(obj)
			var p *schema.Projection
			if tc.attributes != "" || tc.excluded != "" {
				var err error
				if p, err = r.ParseProjection(tc.attributes, tc.excluded); err != nil {
					t.Fatalf("ParseProjection: %v", err)
				}
			}
			got := r.Render(obj, p)
			if diff := cmp.Diff(before, any(obj)); diff != "" {
				t.Fatalf("obj was modified (-before +after):\n%s", diff)
			}
			// Compare as JSON would be sent.
			if diff := cmp.Diff(decode(t, tc.want), decode(t, mustJSON(t, got))); diff != "" {
				t.Errorf("Render mismatch (-want +got):\n%s\nreason: %s", diff, tc.reason)
			}
		})
	}
}

func TestRenderNilAndEmptyProjection(t *testing.T) {
	rt := userType()
	obj := decode(t, storedUser)
	p, err := rt.ParseProjection("", " ")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rt.Render(obj, nil), rt.Render(obj, p)); diff != "" {
		t.Errorf("empty parameters differ from nil projection (-nil +empty):\n%s", diff)
	}
}

func TestParseProjectionErrors(t *testing.T) {
	rt := userType()
	tests := []struct {
		name, reason         string
		attributes, excluded string
		wantErr              *wantErr
	}{
		{"space in name", "attribute names have no spaces", "user name", "", &wantErr{schema.ScimInvalidValue, "user name", "well-formed"}},
		{"two levels", "sub-attributes have no sub-attributes", "", "name.givenName.x", &wantErr{schema.ScimInvalidValue, "name.givenName.x", "well-formed"}},
		{"filter only", "a bare bracket names nothing", `[type eq "work"]`, "", &wantErr{schema.ScimInvalidValue, `[type eq "work"]`, "not an attribute path"}},
		{"empty items", "empty items between commas are skipped", "userName,, ,name", "", nil},
		{"dollar ref", "$ref is a valid sub-attribute name", "groups.$ref", "", nil},
		{"unclosed bracket", "an unclosed bracket runs to the end", `emails[type eq "work"`, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rt.ParseProjection(tc.attributes, tc.excluded)
			checkErr(t, err, tc.wantErr, tc.reason)
		})
	}
}

func TestSplitPath(t *testing.T) {
	rt := userType()
	tests := []struct {
		name, reason, path string
		urn, attr, sub     string
		withoutKnown       bool
	}{
		{name: "plain", reason: "no URN", path: "userName", attr: "userName"},
		{name: "sub", reason: "split at the first dot", path: "name.givenName", attr: "name", sub: "givenName"},
		{name: "extension", reason: "the URN contains a dot of its own", path: entURN + ":manager.value", urn: entURN, attr: "manager", sub: "value"},
		{name: "bare URN", reason: "a known URN alone", path: entURN, urn: entURN},
		{name: "bracket", reason: "filters are removed", path: `emails[type eq "work"].value`, attr: "emails", sub: "value"},
		{name: "bracket with specials", reason: "quotes protect ] : and . inside the filter", path: `urn:ietf:params:scim:schemas:core:2.0:User:emails[value eq "a]:b.c"].type`, urn: coreURN, attr: "emails", sub: "type"},
		{name: "unknown URN", reason: "without a known prefix the URN ends at the last colon", path: "urn:foo:bar:baz", urn: "urn:foo:bar", attr: "baz"},
		{name: "no known", reason: "known may be nil", path: entURN + ":department", urn: entURN, attr: "department", withoutKnown: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			known := rt.URNs
			if tc.withoutKnown {
				known = nil
			}
			urn, attr, sub := schema.SplitPath(tc.path, known)
			got := []string{urn, attr, sub}
			if diff := cmp.Diff([]string{tc.urn, tc.attr, tc.sub}, got); diff != "" {
				t.Errorf("SplitPath(%q) mismatch (-want +got):\n%s\nreason: %s", tc.path, diff, tc.reason)
			}
		})
	}
}

// TestRenderNormalizeRoundTrip: what Render returns normalizes back to the
// stored data, minus what is never returned.
func TestRenderNormalizeRoundTrip(t *testing.T) {
	rt := userType()
	obj := decode(t, storedUser)
	out := decode(t, mustJSON(t, rt.Render(obj, nil)))
	got, ignored, err := rt.Normalize(out)
	if err != nil {
		t.Fatal(err)
	}
	want := deepCopy(obj).(map[string]any)
	delete(want, "id")
	delete(want, "meta")
	delete(want, "password")
	delete(want, "groups")                                                           // readOnly: ignored on input
	delete(want[entURN].(map[string]any)["manager"].(map[string]any), "displayName") // readOnly
	acme := want[acmeURN].(map[string]any)
	delete(acme, "secretQuestion")                        // returned=request
	acme["badges"] = []any{map[string]any{"value": "b1"}} // pin never, issuer request
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"groups", entURN + ":manager.displayName"}, ignored); diff != "" {
		t.Errorf("ignored mismatch (-want +got):\n%s", diff)
	}
}

func BenchmarkRender(b *testing.B) {
	rt := userType()
	obj := decode(b, storedUser)
	b.Run("default", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = rt.Render(obj, nil)
		}
	})
	b.Run("attributes", func(b *testing.B) {
		p, err := rt.ParseProjection("userName,name.givenName,emails.value,"+entURN+":department", "")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			_ = rt.Render(obj, p)
		}
	})
	groups := schema.GroupResourceType()
	members := make([]any, 1000)
	for i := range members {
		members[i] = map[string]any{"value": fmt.Sprintf("user-%d", i), "display": "User"}
	}
	group := map[string]any{"id": "g1", "displayName": "Big", "members": members,
		"meta": map[string]any{"resourceType": "Group"}}
	b.Run("group1000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = groups.Render(group, nil)
		}
	})
	b.Run("group1000-excluded", func(b *testing.B) {
		p, err := groups.ParseProjection("", "members")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			_ = groups.Render(group, p)
		}
	})
	b.Run("group1000-members.value", func(b *testing.B) {
		p, err := groups.ParseProjection("members.value", "")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			_ = groups.Render(group, p)
		}
	})
}

func BenchmarkParseProjection(b *testing.B) {
	rt := userType()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rt.ParseProjection(`userName,emails[type eq "work"].value,`+entURN+`:manager.value`, "meta"); err != nil {
			b.Fatal(err)
		}
	}
}
