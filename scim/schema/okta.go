package schema

// Schema URNs of Okta Identity Governance: the resource types whose
// schema is one of these are read by Okta as the app's roles and
// entitlements (Okta's "SCIM 2.0 with entitlements").
const (
	OktaRoleURN        = "urn:okta:scim:schemas:core:1.0:Role"
	OktaEntitlementURN = "urn:okta:scim:schemas:core:1.0:Entitlement"
)

// RoleSchema returns a new copy of Okta's Role schema: displayName
// (required) and description; the id is the role's value in a user's
// "roles".
func RoleSchema() *Schema {
	return &Schema{
		ID: OktaRoleURN, Name: "Role", Description: "Role",
		Attributes: []*Attribute{
			with(str("displayName", false), func(a *Attribute) { a.Required = true; a.Mutability = ReadOnly }),
			with(str("description", false), func(a *Attribute) { a.Mutability = ReadOnly }),
		},
	}
}

// EntitlementSchema returns a new copy of Okta's Entitlement schema:
// displayName and type (required; the name of the resource type serving
// it, e.g. "License") and description; the id is the entitlement's value
// in a user's "entitlements".
func EntitlementSchema() *Schema {
	return &Schema{
		ID: OktaEntitlementURN, Name: "Entitlement", Description: "Entitlement",
		Attributes: []*Attribute{
			with(str("displayName", false), func(a *Attribute) { a.Required = true; a.Mutability = ReadOnly }),
			with(str("type", false), func(a *Attribute) { a.Required = true; a.Mutability = ReadOnly }),
			with(str("description", false), func(a *Attribute) { a.Mutability = ReadOnly }),
		},
	}
}
