package store_test

import (
	"testing"

	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/storetest"
)

// TestMemoryConformanceTrimmed runs the kit on the memory store declared
// as a store that keeps part of the User and Group schemas and no
// externalId: the kit writes and checks only that part.
func TestMemoryConformanceTrimmed(t *testing.T) {
	user := schema.UserResourceType()
	user.Schema = user.Schema.Keep("userName", "name.givenName", "name.familyName", "displayName", "active", "emails.value")
	group := schema.GroupResourceType()
	group.Schema = group.Schema.Keep("displayName", "members.value", "members.display")
	storetest.RunWith(t, storetest.Config{
		ResourceTypes: []*schema.ResourceType{user, group},
		NoExternalID:  true,
	}, func(*testing.T) store.Store { return store.NewMemory() })
}
