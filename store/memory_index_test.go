package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

func TestMemoryUniquenessRules(t *testing.T) {
	exactUser := schema.UserResourceType()
	exactUser.Schema.Attr("userName").CaseExact = true
	hostUser := schema.UserResourceType()
	hostUser.Schema.Attributes = append(hostUser.Schema.Attributes,
		&schema.Attribute{Name: "badge", Type: schema.String, Uniqueness: schema.UniqueGlobal},
		&schema.Attribute{Name: "aliases", Type: schema.String, MultiValued: true, Uniqueness: schema.UniqueServer})
	tests := []struct {
		name, reason string
		types        []*schema.ResourceType
		first        *store.Resource
		second       *store.Resource
		wantConflict bool
	}{
		{name: "ASCII case", reason: "userName is not caseExact",
			first: user("bjensen"), second: user("BJENSEN"), wantConflict: true},
		{name: "Kelvin sign", reason: "U+212A folds to k as in strings.EqualFold",
			first: user("kate"), second: user("\u212Aate"), wantConflict: true},
		{name: "non-ASCII case", reason: "Ö and ö are one letter case-insensitively",
			first: user("jörg"), second: user("JÖRG"), wantConflict: true},
		{name: "title case", reason: "ǅ, ǆ and Ǆ fold together",
			first: user("ǅemal"), second: user("ǆemal"), wantConflict: true},
		{name: "different", reason: "different names", first: user("a"), second: user("b")},
		{name: "caseExact", reason: "a caseExact userName is compared exactly",
			types: []*schema.ResourceType{exactUser}, first: user("bjensen"), second: user("BJensen")},
		{name: "caseExact same", reason: "a caseExact userName is still unique",
			types: []*schema.ResourceType{exactUser}, first: user("bjensen"), second: user("bjensen"), wantConflict: true},
		{name: "host attribute", reason: "every unique attribute of the core schema is enforced",
			types: []*schema.ResourceType{hostUser}, first: user("a", "badge", "B-1"), second: user("b", "badge", "b-1"), wantConflict: true},
		{name: "multi-valued", reason: "multi-valued attributes are not indexed for uniqueness",
			types: []*schema.ResourceType{hostUser}, first: user("a", "aliases", []any{"x"}), second: user("b", "aliases", []any{"x"})},
		{name: "unconfigured type", reason: "a type missing from the config has no unique attributes",
			types: []*schema.ResourceType{schema.GroupResourceType()}, first: user("a"), second: user("a")},
		{name: "externalId", reason: "externalId is not unique",
			first: user("a", "externalId", "x"), second: user("b", "externalId", "x")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := store.NewMemoryWith(store.MemoryConfig{ResourceTypes: tc.types})
			mustCreate(t, s, tc.first)
			_, err := s.Create(context.Background(), tc.second)
			if got := errors.Is(err, store.ErrConflict); got != tc.wantConflict {
				t.Errorf("second Create: error %v, want conflict %v (%s)", err, tc.wantConflict, tc.reason)
			}
			if err != nil && !tc.wantConflict {
				t.Errorf("second Create: unexpected error %v", err)
			}
		})
	}
}

// TestMemoryIndexAgreesWithScan lists by every indexed attribute and
// compares with the same filter wrapped so that no index applies.
func TestMemoryIndexAgreesWithScan(t *testing.T) {
	s := store.NewMemory()
	ctx := context.Background()
	var userIDs, groupIDs []string
	names := []string{"bjensen", "BJensen2", "jörg", "kate", "ǅemal", "a\u212Ab"}
	for i := range 300 {
		r := mustCreate(t, s, user(fmt.Sprintf("%s-%d", names[i%len(names)], i), "externalId", fmt.Sprintf("ext-%d", i%7)))
		userIDs = append(userIDs, r.ID)
	}
	for i := range 40 {
		r := mustCreate(t, s, group(fmt.Sprintf("Group %d", i%5), member(userIDs[i])))
		groupIDs = append(groupIDs, r.ID)
	}
	// Renames move resources between index keys, out of creation order.
	for i := 0; i < 300; i += 3 {
		r, err := s.Get(ctx, "User", userIDs[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Replace(ctx, &store.Resource{Type: "User", ID: r.ID,
			Attributes: map[string]any{"userName": r.Attributes["userName"], "externalId": "ext-0"}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 40; i += 4 {
		if _, err := s.Replace(ctx, &store.Resource{Type: "Group", ID: groupIDs[i], Attributes: map[string]any{"displayName": "group 1"}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < 300; i += 10 {
		if err := s.Delete(ctx, "User", userIDs[i], ""); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		typ, filter string
	}{
		{"User", `userName eq "bjensen-0"`},
		{"User", `userName eq "BJENSEN-6"`},
		{"User", `userName eq "JÖRG-2"`},
		{"User", `userName eq "KATE-3"`},
		{"User", `userName eq "ǆemal-4"`},
		{"User", `userName eq "AKB-5"`},
		{"User", `userName eq "bjensen-1"`},
		{"User", `userName eq "nobody"`},
		{"User", `externalId eq "ext-0"`},
		{"User", `externalId eq "ext-3"`},
		{"User", `externalId eq "EXT-3"`},
		{"User", `externalId eq "ext-3" and userName sw "k"`},
		{"User", `userName sw "b" and externalId eq "ext-0"`},
		{"User", `id eq "` + userIDs[5] + `"`},
		{"User", `id eq "` + userIDs[1] + `"`},
		{"User", `id eq "` + groupIDs[0] + `"`},
		{"Group", `displayName eq "group 1"`},
		{"Group", `displayName eq "GROUP 3" and members[value eq "` + userIDs[3] + `"]`},
		{"Group", `externalId eq "nothing"`},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			for _, page := range []store.Query{{StartIndex: 1, Count: 1000}, {StartIndex: 2, Count: 3}, {StartIndex: 1, Count: 0}} {
				indexed, err := s.List(ctx, tc.typ, store.Query{Filter: parse(t, tc.typ, tc.filter), StartIndex: page.StartIndex, Count: page.Count})
				if err != nil {
					t.Fatal(err)
				}
				scanned, err := s.List(ctx, tc.typ, store.Query{Filter: parse(t, tc.typ, "not (not ("+tc.filter+"))"), StartIndex: page.StartIndex, Count: page.Count})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(scanned, indexed); diff != "" {
					t.Errorf("page %+v: indexed List differs from a scan (-scan +indexed):\n%s", page, diff)
				}
			}
		})
	}
}

func TestMemoryCompaction(t *testing.T) {
	s := store.NewMemory()
	ctx := context.Background()
	var want []string
	for i := range 1000 {
		r := mustCreate(t, s, user(fmt.Sprintf("u%d", i)))
		if i%3 == 0 {
			want = append(want, r.ID)
			continue
		}
		if err := s.Delete(ctx, "User", r.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for start := 1; start <= len(want); start += 7 {
		page, err := s.List(ctx, "User", store.Query{StartIndex: start, Count: 7})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != len(want) {
			t.Fatalf("Total %d, want %d", page.Total, len(want))
		}
		for _, r := range page.Resources {
			got = append(got, r.ID)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("creation order after many deletes (-want +got):\n%s", diff)
	}
}

func TestMemoryConflictError(t *testing.T) {
	s := store.NewMemory()
	mustCreate(t, s, user("bjensen"))
	_, err := s.Create(context.Background(), user("BJENSEN"))
	var ce *store.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *store.ConflictError", err)
	}
	if diff := cmp.Diff(&store.ConflictError{Attribute: "userName", Value: "BJENSEN"}, ce); diff != "" {
		t.Errorf("ConflictError (-want +got):\n%s", diff)
	}
}
