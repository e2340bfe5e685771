package patch_test

import (
	"fmt"
	"testing"

	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
)

func bigGroup(n int) map[string]any {
	members := make([]any, n)
	for i := range members {
		members[i] = map[string]any{"value": fmt.Sprintf("user-%08d", i), "display": fmt.Sprintf("user%d@example.com", i)}
	}
	return map[string]any{"displayName": "Big", "members": members}
}

// BenchmarkApply_RemoveMembers100of10000 is Okta removing 100 members, one
// operation each, from a 10,000-member group.
func BenchmarkApply_RemoveMembers100of10000(b *testing.B) {
	rt := schema.GroupResourceType()
	group := bigGroup(10000)
	ops := make([]patch.Operation, 100)
	for i := range ops {
		ops[i] = patch.Operation{Op: "remove", Path: fmt.Sprintf(`members[value eq "user-%08d"]`, i*97)}
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := patch.Apply(rt, groupID, group, ops)
		if err != nil || len(res.MembersRemoved) != 100 {
			b.Fatalf("Apply: %v", err)
		}
	}
}

// BenchmarkApply_AddMember adds one member to groups of several sizes.
func BenchmarkApply_AddMember(b *testing.B) {
	rt := schema.GroupResourceType()
	for _, n := range []int{100, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			group := bigGroup(n)
			ops := []patch.Operation{{Op: "add", Path: "members", Value: []any{map[string]any{"value": "new-user", "display": "new@example.com"}}}}
			b.ReportAllocs()
			for b.Loop() {
				res, err := patch.Apply(rt, groupID, group, ops)
				if err != nil || len(res.MembersAdded) != 1 {
					b.Fatalf("Apply: %v", err)
				}
			}
		})
	}
}

// BenchmarkApply_OktaRename is the rename Okta sends with every push.
func BenchmarkApply_OktaRename(b *testing.B) {
	rt := schema.GroupResourceType()
	group := bigGroup(1000)
	ops := []patch.Operation{{Op: "replace", Value: map[string]any{"id": groupID, "displayName": "Big"}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := patch.Apply(rt, groupID, group, ops); err != nil {
			b.Fatal(err)
		}
	}
}
