package store

import (
	"errors"
	"fmt"

	"github.com/scimkit/scimkit/scim/schema"
)

// User returns the typed view of r, a resource of type "User": its
// Attributes converted with schema.UserFrom, with ID set from r.ID. A
// store mapping users onto its own tables, or an OnChange hook, reads
// c.Resource.User() instead of asserting its way through maps. The User
// shares no maps with r, so changing it does not change r.
//
// The error says that r is nil (a Deleted change carries no resource),
// that r.Type is set and is not "User", or is the *schema.Error of
// schema.UserFrom for data that is not canonical.
func (r *Resource) User() (*schema.User, error) {
	if err := r.typed("User"); err != nil {
		return nil, err
	}
	u, err := schema.UserFrom(r.Attributes)
	if err != nil {
		return nil, err
	}
	u.ID = r.ID
	return u, nil
}

// Group returns the typed view of r, a resource of type "Group": its
// Attributes converted with schema.GroupFrom, with ID set from r.ID. The
// Group shares no maps with r.
//
// The error says that r is nil, that r.Type is set and is not "Group", or
// is the *schema.Error of schema.GroupFrom for data that is not canonical.
func (r *Resource) Group() (*schema.Group, error) {
	if err := r.typed("Group"); err != nil {
		return nil, err
	}
	g, err := schema.GroupFrom(r.Attributes)
	if err != nil {
		return nil, err
	}
	g.ID = r.ID
	return g, nil
}

func (r *Resource) typed(want string) error {
	if r == nil {
		return errors.New("store: no resource")
	}
	if r.Type != "" && r.Type != want {
		return fmt.Errorf("store: resource %q is a %s, not a %s", r.ID, r.Type, want)
	}
	return nil
}
