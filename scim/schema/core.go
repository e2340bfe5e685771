package schema

// URNs of the schemas defined by RFC 7643 and RFC 7644.
const (
	UserURN           = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupURN          = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseUserURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

	ListResponseURN          = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	ErrorURN                 = "urn:ietf:params:scim:api:messages:2.0:Error"
	PatchOpURN               = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	SearchRequestURN         = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	BulkRequestURN           = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	BulkResponseURN          = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
	ServiceProviderConfigURN = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	ResourceTypeURN          = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaURN                = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

func str(name string, caseExact bool) *Attribute {
	return &Attribute{Name: name, Type: String, CaseExact: caseExact}
}

func with(a *Attribute, f func(*Attribute)) *Attribute { f(a); return a }

// multi builds a multi-valued complex attribute with the usual value,
// display, type and primary sub-attributes (RFC 7643 §2.4).
func multi(name string, valueType Type, types ...string) *Attribute {
	return &Attribute{
		Name: name, Type: Complex, MultiValued: true,
		SubAttributes: []*Attribute{
			{Name: "value", Type: valueType},
			str("display", false),
			{Name: "type", Type: String, CanonicalValues: types},
			{Name: "primary", Type: Boolean},
		},
	}
}

var commonAttributes = []*Attribute{
	{Name: "id", Type: String, CaseExact: true, Mutability: ReadOnly, Returned: Always, Uniqueness: UniqueServer,
		Description: "A unique identifier for a SCIM resource as defined by the service provider."},
	{Name: "externalId", Type: String, CaseExact: true,
		Description: "A String that is an identifier for the resource as defined by the provisioning client."},
	{Name: "meta", Type: Complex, Mutability: ReadOnly,
		Description: "A complex attribute containing resource metadata.",
		SubAttributes: []*Attribute{
			{Name: "resourceType", Type: String, CaseExact: true, Mutability: ReadOnly},
			{Name: "created", Type: DateTime, Mutability: ReadOnly},
			{Name: "lastModified", Type: DateTime, Mutability: ReadOnly},
			{Name: "location", Type: Reference, ReferenceTypes: []string{"uri"}, Mutability: ReadOnly},
			{Name: "version", Type: String, CaseExact: true, Mutability: ReadOnly},
		}},
}

// UserSchema returns a new copy of the core User schema (RFC 7643 §4.1,
// §8.7.1). Each call returns fresh values that the caller may modify.
func UserSchema() *Schema {
	return &Schema{
		ID: UserURN, Name: "User", Description: "User Account",
		Attributes: []*Attribute{
			with(str("userName", false), func(a *Attribute) { a.Required = true; a.Uniqueness = UniqueServer }),
			{Name: "name", Type: Complex, SubAttributes: []*Attribute{
				str("formatted", false), str("familyName", false), str("givenName", false),
				str("middleName", false), str("honorificPrefix", false), str("honorificSuffix", false),
			}},
			str("displayName", false),
			str("nickName", false),
			{Name: "profileUrl", Type: Reference, ReferenceTypes: []string{"external"}},
			str("title", false),
			str("userType", false),
			str("preferredLanguage", false),
			str("locale", false),
			str("timezone", false),
			{Name: "active", Type: Boolean},
			{Name: "password", Type: String, Mutability: WriteOnly, Returned: Never},
			multi("emails", String, "work", "home", "other"),
			multi("phoneNumbers", String, "work", "home", "mobile", "fax", "pager", "other"),
			multi("ims", String, "aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"),
			with(multi("photos", Reference, "photo", "thumbnail"), func(a *Attribute) {
				a.SubAttributes[0].ReferenceTypes = []string{"external"}
			}),
			{Name: "addresses", Type: Complex, MultiValued: true, SubAttributes: []*Attribute{
				str("formatted", false), str("streetAddress", false), str("locality", false),
				str("region", false), str("postalCode", false), str("country", false),
				{Name: "type", Type: String, CanonicalValues: []string{"work", "home", "other"}},
				{Name: "primary", Type: Boolean},
			}},
			{Name: "groups", Type: Complex, MultiValued: true, Mutability: ReadOnly, SubAttributes: []*Attribute{
				{Name: "value", Type: String, Mutability: ReadOnly},
				{Name: "$ref", Type: Reference, ReferenceTypes: []string{"User", "Group"}, Mutability: ReadOnly},
				{Name: "display", Type: String, Mutability: ReadOnly},
				{Name: "type", Type: String, CanonicalValues: []string{"direct", "indirect"}, Mutability: ReadOnly},
			}},
			with(multi("entitlements", String), func(a *Attribute) { a.Grant = EntitlementGrant }),
			with(multi("roles", String), func(a *Attribute) { a.Grant = RoleGrant }),
			multi("x509Certificates", Binary),
		},
	}
}

// GroupSchema returns a new copy of the core Group schema (RFC 7643 §4.2,
// §8.7.1). Member "display" is accepted and stored as sent, since Okta and
// others send it.
func GroupSchema() *Schema {
	return &Schema{
		ID: GroupURN, Name: "Group", Description: "Group",
		Attributes: []*Attribute{
			with(str("displayName", false), func(a *Attribute) { a.Required = true }),
			{Name: "members", Type: Complex, MultiValued: true, SubAttributes: []*Attribute{
				{Name: "value", Type: String, CaseExact: true, Mutability: Immutable},
				{Name: "$ref", Type: Reference, ReferenceTypes: []string{"User", "Group"}, Mutability: Immutable},
				{Name: "display", Type: String},
				{Name: "type", Type: String, CanonicalValues: []string{"User", "Group"}, Mutability: Immutable},
			}},
		},
	}
}

// EnterpriseUserSchema returns a new copy of the Enterprise User extension
// (RFC 7643 §4.3).
func EnterpriseUserSchema() *Schema {
	return &Schema{
		ID: EnterpriseUserURN, Name: "EnterpriseUser", Description: "Enterprise User",
		Attributes: []*Attribute{
			str("employeeNumber", false),
			str("costCenter", false),
			str("organization", false),
			str("division", false),
			str("department", false),
			{Name: "manager", Type: Complex, SubAttributes: []*Attribute{
				{Name: "value", Type: String, CaseExact: true},
				{Name: "$ref", Type: Reference, ReferenceTypes: []string{"User"}},
				{Name: "displayName", Type: String, Mutability: ReadOnly},
			}},
		},
	}
}

// UserResourceType returns the User resource type at "/Users" with the given
// extensions (typically the Enterprise User schema and host extensions).
func UserResourceType(extensions ...*Schema) *ResourceType {
	rt := &ResourceType{Name: "User", Endpoint: "/Users", Description: "User Account", Schema: UserSchema()}
	for _, e := range extensions {
		rt.Extensions = append(rt.Extensions, Extension{Schema: e})
	}
	return rt
}

// GroupResourceType returns the Group resource type at "/Groups".
func GroupResourceType(extensions ...*Schema) *ResourceType {
	rt := &ResourceType{Name: "Group", Endpoint: "/Groups", Description: "Group", Schema: GroupSchema()}
	for _, e := range extensions {
		rt.Extensions = append(rt.Extensions, Extension{Schema: e})
	}
	return rt
}
