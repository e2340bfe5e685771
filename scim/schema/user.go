package schema

import (
	"reflect"
	"strings"
)

// User is a typed view of the canonical data of a User resource (RFC 7643
// §4.1) with the Enterprise User extension (§4.3): what a host reads in an
// OnChange hook or a store maps onto its own tables, instead of type
// assertions through nested maps.
//
// The canonical map stays the source of truth (stores keep it, filters and
// PATCH work on it, and extensions defined at run time live in it); a User
// is converted from it with [UserFrom] and back with [User.Attributes], and
// nothing is lost either way: for canonical data d of resource type rt,
// UserFrom(d).Attributes(rt) equals d.
//
// Field types follow the attribute types: string for string, reference,
// binary (base64 text) and dateTime (RFC 3339 text) attributes, with ""
// meaning absent; *bool for booleans, so that absent (nil) differs from
// false; a pointer for a single-valued complex attribute and a slice for a
// multi-valued one. The json names are the canonical attribute names, so
// encoding/json writes a User in SCIM's shape: id, core and Enterprise User
// attributes (not Extensions, "schemas" or "meta").
type User struct {
	// ID is the server-assigned "id" (RFC 7643 §3.1). It is not part of
	// canonical data: [UserFrom] reads it only if attrs has one, and
	// [User.Attributes] leaves it out (a store keeps it as store.Resource.ID,
	// and store.Resource.User sets it).
	ID string `json:"id,omitempty"`
	// ExternalID is the provisioning client's identifier (RFC 7643 §3.1).
	ExternalID string `json:"externalId,omitempty"`

	// UserName is the unique identifier used to sign in; required and
	// unique (compared case-insensitively).
	UserName string `json:"userName,omitempty"`
	// Name holds the components of the user's name.
	Name              *Name  `json:"name,omitempty"`
	DisplayName       string `json:"displayName,omitempty"`
	NickName          string `json:"nickName,omitempty"`
	ProfileURL        string `json:"profileUrl,omitempty"` // an external URL
	Title             string `json:"title,omitempty"`
	UserType          string `json:"userType,omitempty"`
	PreferredLanguage string `json:"preferredLanguage,omitempty"` // e.g. "en-US" (RFC 7231 §5.3.5)
	Locale            string `json:"locale,omitempty"`            // e.g. "en-US" (RFC 5646)
	Timezone          string `json:"timezone,omitempty"`          // e.g. "America/Los_Angeles" (IANA)
	// Active is the user's administrative status: nil when the client never
	// set it. Read it with [User.IsActive], which says what absent means.
	Active *bool `json:"active,omitempty"`
	// Password is write-only (RFC 7643 §4.1.1, returned "never"): it is
	// there for input. The server never returns it; a store sees it only in
	// the data of the write that set it (to hash it, or hand it on), and a
	// User read from stored data has it only if the store kept it.
	Password string `json:"password,omitempty"`

	Emails       []Email       `json:"emails,omitempty"`
	PhoneNumbers []PhoneNumber `json:"phoneNumbers,omitempty"`
	IMs          []IM          `json:"ims,omitempty"`
	Photos       []Photo       `json:"photos,omitempty"`
	Addresses    []Address     `json:"addresses,omitempty"`
	// Groups lists the groups the user belongs to. It is read-only (RFC
	// 7643 §4.1.2): the server derives it from group membership, clients
	// change membership on the Group. A POST ignores it, but
	// [User.Attributes] keeps it, for a store that builds users from its
	// own tables.
	Groups           []GroupRef        `json:"groups,omitempty"`
	Entitlements     []Entitlement     `json:"entitlements,omitempty"`
	Roles            []Role            `json:"roles,omitempty"`
	X509Certificates []X509Certificate `json:"x509Certificates,omitempty"`

	// Enterprise holds the Enterprise User extension (RFC 7643 §4.3), nil
	// when the user has none of its attributes.
	Enterprise *EnterpriseUser `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,omitempty"`
	// Extensions holds every other extension (Okta custom attributes, a
	// host's own), by URN; see [User.ExtensionValue] and [Extensions].
	Extensions Extensions `json:"-"`
}

// Name is the components of a user's name (RFC 7643 §4.1.1 "name").
type Name struct {
	Formatted       string `json:"formatted,omitempty"` // the full name, for display
	FamilyName      string `json:"familyName,omitempty"`
	GivenName       string `json:"givenName,omitempty"`
	MiddleName      string `json:"middleName,omitempty"`
	HonorificPrefix string `json:"honorificPrefix,omitempty"` // "Ms."
	HonorificSuffix string `json:"honorificSuffix,omitempty"` // "III"
}

// Email is an element of "emails"; Type is "work", "home" or "other".
//
// Like the elements of the other multi-valued attributes (RFC 7643 §2.4,
// §4.1.2), it has the sub-attributes value, display, type and primary.
// Primary is a *bool because canonical data keeps an explicit false; at
// most one element of an attribute has primary true (canonical data and
// [User.Attributes] keep the first). Type is usually one of the canonical
// values listed, but identity providers send others (Entra:
// "WindowsAzureActiveDirectoryRole" for roles), which are kept.
type Email struct {
	Value   string `json:"value,omitempty"` // the address, e.g. "bjensen@example.com"
	Display string `json:"display,omitempty"`
	Type    string `json:"type,omitempty"`
	Primary *bool  `json:"primary,omitempty"`
}

// PhoneNumber is an element of "phoneNumbers"; Type is "work", "home",
// "mobile", "fax", "pager" or "other". Primary and Type
// are as for [Email].
type PhoneNumber struct {
	Value   string `json:"value,omitempty"` // e.g. "tel:+1-201-555-0123" (RFC 3966) or as sent
	Display string `json:"display,omitempty"`
	Type    string `json:"type,omitempty"`
	Primary *bool  `json:"primary,omitempty"`
}

// IM is an element of "ims", an instant messaging address; Type is "aim",
// "gtalk", "icq", "xmpp", "msn", "skype", "qq" or "yahoo". Primary and Type
// are as for [Email].
type IM struct {
	Value   string `json:"value,omitempty"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type,omitempty"`
	Primary *bool  `json:"primary,omitempty"`
}

// Photo is an element of "photos"; Value is the URL of an image, Type
// "photo" or "thumbnail". Primary and Type
// are as for [Email].
type Photo struct {
	Value   string `json:"value,omitempty"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type,omitempty"`
	Primary *bool  `json:"primary,omitempty"`
}

// Address is an element of "addresses" (RFC 7643 §4.1.2); Type is "work",
// "home" or "other". Primary and Type
// are as for [Email].
type Address struct {
	Formatted     string `json:"formatted,omitempty"` // the full address, for display
	StreetAddress string `json:"streetAddress,omitempty"`
	Locality      string `json:"locality,omitempty"` // city
	Region        string `json:"region,omitempty"`   // state or province
	PostalCode    string `json:"postalCode,omitempty"`
	Country       string `json:"country,omitempty"` // ISO 3166-1 alpha-2, e.g. "US"
	Type          string `json:"type,omitempty"`
	Primary       *bool  `json:"primary,omitempty"`
}

// GroupRef is an element of a user's read-only "groups": a group the user
// belongs to. Type is "direct" or "indirect".
type GroupRef struct {
	Value   string `json:"value,omitempty"` // the group's id
	Ref     string `json:"$ref,omitempty"`  // the group's URI
	Display string `json:"display,omitempty"`
	Type    string `json:"type,omitempty"`
}

// Entitlement is an element of "entitlements": something the user is
// entitled to, in the host's terms (Okta Identity Governance sends them). Primary and Type
// are as for [Email].
type Entitlement struct {
	Value   string `json:"value,omitempty"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type,omitempty"`
	Primary *bool  `json:"primary,omitempty"`
}

// Role is an element of "roles", e.g. an Entra app role or an Okta
// Identity Governance role. Primary and Type
// are as for [Email].
type Role struct {
	Value   string `json:"value,omitempty"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type,omitempty"`
	Primary *bool  `json:"primary,omitempty"`
}

// X509Certificate is an element of "x509Certificates"; Value is a
// DER-encoded certificate in base64 (RFC 4648 §4), as sent. Primary and Type
// are as for [Email].
type X509Certificate struct {
	Value   string `json:"value,omitempty"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type,omitempty"`
	Primary *bool  `json:"primary,omitempty"`
}

// EnterpriseUser is the Enterprise User extension (RFC 7643 §4.3), held in
// canonical data under the key [EnterpriseUserURN].
type EnterpriseUser struct {
	EmployeeNumber string   `json:"employeeNumber,omitempty"`
	CostCenter     string   `json:"costCenter,omitempty"`
	Organization   string   `json:"organization,omitempty"`
	Division       string   `json:"division,omitempty"`
	Department     string   `json:"department,omitempty"`
	Manager        *Manager `json:"manager,omitempty"`
}

// Manager is the user's manager (RFC 7643 §4.3 "manager").
type Manager struct {
	// Value is the manager's id (Entra sends it as a bare string, which
	// normalization turns into this field).
	Value string `json:"value,omitempty"`
	// Ref is the URI of the manager's User resource.
	Ref string `json:"$ref,omitempty"`
	// DisplayName is read-only: the server may fill it in; a POST ignores
	// it, [User.Attributes] keeps it.
	DisplayName string `json:"displayName,omitempty"`
}

// UserFrom returns the typed view of canonical User data attrs (see the
// package documentation), such as store.Resource.Attributes of a User: core
// attributes at the top level, the Enterprise User extension under
// [EnterpriseUserURN], every other extension object under its URN in
// Extensions (copied, so the User shares no maps with attrs). An "id" is
// read into ID; "schemas" and "meta" are skipped, so that the object form
// of a stored resource converts too.
//
// The error is a *Error with ScimType "invalidValue" naming the first
// attribute at fault, for a value of the wrong Go type (canonical types
// only: a boolean must be a bool, not "true") or a name the core User or
// Enterprise User schema does not define (names are exact, as canonical
// data spells them). attrs is not modified.
func UserFrom(attrs map[string]any) (*User, error) {
	u := &User{}
	id, exts, err := decodeResource(u, attrs, func(urn string, m map[string]any) (bool, error) {
		if !strings.EqualFold(urn, EnterpriseUserURN) || u.Enterprise != nil {
			return false, nil
		}
		e := &EnterpriseUser{}
		if err := decodeStruct(reflect.ValueOf(e).Elem(), m, urn+":", nil); err != nil {
			return false, err
		}
		u.Enterprise = e
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	u.ID, u.Extensions = id, exts
	return u, nil
}

// decodeResource reads canonical data attrs into dst (a pointer to a typed
// view): the core attributes into its fields, "id" into id, and each
// non-empty extension object into exts (copied) unless typed(urn, object)
// took it. "schemas" and "meta" are skipped.
func decodeResource(dst any, attrs map[string]any, typed func(urn string, m map[string]any) (bool, error)) (id string, exts Extensions, err error) {
	skip := func(k string) bool {
		return hasURNPrefix(k) || k == "id" || k == "schemas" || k == "meta"
	}
	if err := decodeStruct(reflect.ValueOf(dst).Elem(), attrs, "", skip); err != nil {
		return "", nil, err
	}
	if id, err = idFrom(attrs); err != nil {
		return "", nil, err
	}
	for _, k := range sortedKeys(attrs) {
		if !hasURNPrefix(k) || attrs[k] == nil {
			continue
		}
		m, err := extensionObject(k, attrs[k])
		if err != nil {
			return "", nil, err
		}
		if len(m) == 0 {
			continue
		}
		if typed != nil {
			done, err := typed(k, m)
			if err != nil {
				return "", nil, err
			}
			if done {
				continue
			}
		}
		if exts == nil {
			exts = make(Extensions)
		}
		exts[k] = cloneValue(m).(map[string]any)
	}
	return id, exts, nil
}

func idFrom(attrs map[string]any) (string, error) {
	v, ok := attrs["id"]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", Errorf(ScimInvalidValue, "id", "must be a string, got %s", describe(v))
	}
	return s, nil
}

func extensionObject(urn string, v any) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, Errorf(ScimInvalidValue, urn, "must be an object holding the extension's attributes, got %s", describe(v))
	}
	return m, nil
}

// Attributes returns u as canonical data of resource type rt (typically
// UserResourceType with the Enterprise User schema and the host's
// extensions): the data a POST of the same values would store, through
// [ResourceType.Normalize], so names are canonical, values have their
// canonical types and forms, empty values are left out and only the first
// element marked primary keeps primary true. It differs from a POST in two
// ways: values of read-only attributes (Groups, Manager.DisplayName, and
// those of host extensions), which come from the server and which a POST
// ignores, are kept and normalized by the same rules; and anything rt does
// not define (say, an extension rt lacks) is an error, not silently
// dropped. ID is left out.
//
// The error is a *Error with ScimType "invalidValue" naming the attribute:
// a missing required attribute (UserName), a value that is not valid for
// its type (an extension integer given as "twelve", a dateTime that is not
// RFC 3339), an attribute rt does not define. The result shares no maps or
// slices with u.
func (u *User) Attributes(rt *ResourceType) (map[string]any, error) {
	raw := encodeStruct(reflect.ValueOf(u).Elem())
	if raw == nil {
		raw = make(map[string]any)
	}
	if u.Enterprise != nil {
		if m := encodeStruct(reflect.ValueOf(u.Enterprise).Elem()); m != nil {
			raw[EnterpriseUserURN] = m
		}
	}
	if err := addExtensions(raw, u.Extensions); err != nil {
		return nil, err
	}
	return canonical(rt, raw)
}

// addExtensions adds copies of the objects of ext to raw; an extension
// already there (the typed Enterprise User) is an error.
func addExtensions(raw map[string]any, ext Extensions) error {
	for _, urn := range sortedKeys(ext) {
		m := ext[urn]
		if len(m) == 0 {
			continue
		}
		for k := range raw {
			if strings.EqualFold(k, urn) {
				return Errorf(ScimInvalidValue, urn, "given both as a typed field and in Extensions")
			}
		}
		raw[urn] = cloneValue(m)
	}
	return nil
}

// ExtensionValue returns the value of attribute name of the extension urn,
// both compared case-insensitively, and whether it is set: from Enterprise
// for [EnterpriseUserURN], otherwise from Extensions (see
// [Extensions.Value] for the Go types of values). A host extension defined
// at run time, such as Okta custom attributes, is reachable this way:
// u.ExtensionValue("urn:okta:...:User", "badgeNumber").
func (u *User) ExtensionValue(urn, name string) (any, bool) {
	if strings.EqualFold(urn, EnterpriseUserURN) && u.Enterprise != nil {
		m := encodeStruct(reflect.ValueOf(u.Enterprise).Elem())
		for k, v := range m {
			if strings.EqualFold(k, name) {
				return v, true
			}
		}
		return nil, false
	}
	return u.Extensions.Value(urn, name)
}

// IsActive reports whether the user is active: the value of Active, and
// true when Active is absent (nil).
//
// RFC 7643 §4.1.1 defines "active" without a default, so absent is the
// server's choice. Identity providers use it as a switch that is on unless
// turned off: Okta and Entra ID send "active": true on create and
// "active": false to deactivate (Okta never deletes users), and a user
// created without it (a OneLogin template that leaves it out, a host's own
// import) is meant to be provisioned as an active user. So only an
// explicit false means inactive.
func (u *User) IsActive() bool {
	return u.Active == nil || *u.Active
}

// PrimaryEmail returns the value of the email marked primary, else of the
// first email with a value, else "".
func (u *User) PrimaryEmail() string {
	for _, e := range u.Emails {
		if e.Primary != nil && *e.Primary && e.Value != "" {
			return e.Value
		}
	}
	for _, e := range u.Emails {
		if e.Value != "" {
			return e.Value
		}
	}
	return ""
}

// ManagerID returns the id of the user's manager (Enterprise User
// manager.value), or "".
func (u *User) ManagerID() string {
	if u.Enterprise == nil || u.Enterprise.Manager == nil {
		return ""
	}
	return u.Enterprise.Manager.Value
}
