package schema_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/scim/schema"
)

const (
	typedEntURN  = schema.EnterpriseUserURN
	typedAcmeURN = "urn:ietf:params:scim:schemas:extension:acme:2.0:User"
)

// typedAcmeSchema is a host extension as Okta custom attributes define one, with
// a read-only attribute the host computes.
func typedAcmeSchema() *schema.Schema {
	return &schema.Schema{
		ID: typedAcmeURN, Name: "AcmeUser",
		Attributes: []*schema.Attribute{
			{Name: "costCenter", Type: schema.String},
			{Name: "badgeNumber", Type: schema.Integer},
			{Name: "isContractor", Type: schema.Boolean},
			{Name: "score", Type: schema.Decimal},
			{Name: "hiredAt", Type: schema.DateTime},
			{Name: "riskLevel", Type: schema.String, Mutability: schema.ReadOnly},
			{Name: "badges", Type: schema.Complex, MultiValued: true, SubAttributes: []*schema.Attribute{
				{Name: "value", Type: schema.Integer},
				{Name: "issuer", Type: schema.String},
				{Name: "checkedBy", Type: schema.String, Mutability: schema.ReadOnly},
			}},
		},
	}
}

func typedUserType() *schema.ResourceType {
	return schema.UserResourceType(schema.EnterpriseUserSchema(), typedAcmeSchema())
}

// decode reads JSON the way the handler does, numbers as json.Number.
func typedDecode(t testing.TB, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return m
}

// TestTypedFieldsCoverSchemas fails when an attribute or sub-attribute of
// the core schemas has no field of the matching shape in the typed views,
// or a field names no attribute, so that the types cannot drift from the
// schemas.
func TestTypedFieldsCoverSchemas(t *testing.T) {
	for _, tc := range []struct {
		s    *schema.Schema
		typ  reflect.Type
		more []string // json names that are not attributes of s
	}{
		{schema.UserSchema(), reflect.TypeFor[schema.User](), []string{"id", "externalId", typedEntURN}},
		{schema.EnterpriseUserSchema(), reflect.TypeFor[schema.EnterpriseUser](), nil},
		{schema.GroupSchema(), reflect.TypeFor[schema.Group](), []string{"id", "externalId"}},
	} {
		t.Run(tc.s.Name, func(t *testing.T) {
			checkFields(t, tc.s.Name, tc.s.Attributes, tc.typ, tc.more)
		})
	}
}

func checkFields(t *testing.T, path string, attrs []*schema.Attribute, typ reflect.Type, more []string) {
	t.Helper()
	fields := map[string]reflect.StructField{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			t.Errorf("%s: field %s.%s has no json name", path, typ.Name(), f.Name)
			continue
		}
		if !strings.Contains(f.Tag.Get("json"), ",omitempty") {
			t.Errorf("%s: field %s.%s is not omitempty", path, typ.Name(), f.Name)
		}
		fields[name] = f
	}
	for _, a := range attrs {
		p := path + "." + a.Name
		f, ok := fields[a.Name]
		if !ok {
			t.Errorf("%s: %s has no field with json name %q", p, typ.Name(), a.Name)
			continue
		}
		delete(fields, a.Name)
		ft := f.Type
		switch {
		case a.Type == schema.Complex && a.MultiValued:
			if ft.Kind() != reflect.Slice || ft.Elem().Kind() != reflect.Struct {
				t.Errorf("%s: field %s is %s, want a slice of structs", p, f.Name, ft)
				continue
			}
			checkFields(t, p, a.SubAttributes, ft.Elem(), nil)
		case a.Type == schema.Complex:
			if ft.Kind() != reflect.Pointer || ft.Elem().Kind() != reflect.Struct {
				t.Errorf("%s: field %s is %s, want a pointer to a struct", p, f.Name, ft)
				continue
			}
			checkFields(t, p, a.SubAttributes, ft.Elem(), nil)
		case a.MultiValued:
			t.Errorf("%s: multi-valued simple attributes have no typed shape", p)
		case a.Type == schema.Boolean:
			if ft != reflect.TypeFor[*bool]() {
				t.Errorf("%s: field %s is %s, want *bool", p, f.Name, ft)
			}
		case a.Type == schema.Integer || a.Type == schema.Decimal:
			t.Errorf("%s: numbers have no typed shape yet", p)
		default:
			if ft.Kind() != reflect.String {
				t.Errorf("%s: field %s is %s, want string", p, f.Name, ft)
			}
		}
	}
	for _, name := range more {
		if _, ok := fields[name]; !ok {
			t.Errorf("%s: %s has no field %q", path, typ.Name(), name)
		}
		delete(fields, name)
	}
	for name, f := range fields {
		t.Errorf("%s: field %s.%s (json %q) is no attribute of the schema", path, typ.Name(), f.Name, name)
	}
}

// typedRichUser is canonical User data using every attribute of the core and
// Enterprise User schemas, read-only ones included, and a host extension
// with every type.
const typedRichUser = `{
  "externalId": "00u1abcd",
  "userName": "bjensen@example.com",
  "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara",
    "middleName": "Jane", "honorificPrefix": "Ms.", "honorificSuffix": "III"},
  "displayName": "Babs Jensen",
  "nickName": "Babs",
  "profileUrl": "https://login.example.com/bjensen",
  "title": "Tour Guide",
  "userType": "Employee",
  "preferredLanguage": "en-US",
  "locale": "en-US",
  "timezone": "America/Los_Angeles",
  "active": false,
  "password": "t1meMa$heen",
  "emails": [
    {"value": "bjensen@example.com", "type": "work", "primary": true, "display": "Work"},
    {"value": "babs@jensen.org", "type": "home", "primary": false}
  ],
  "phoneNumbers": [{"value": "555-555-5555", "type": "work"}, {"value": "555-555-4444", "type": "mobile", "primary": true}],
  "ims": [{"value": "someaimhandle", "type": "aim"}],
  "photos": [{"value": "https://photos.example.com/profilephoto/72930000000Ccne/F", "type": "photo"}],
  "addresses": [{"formatted": "100 Universal City Plaza\nHollywood, CA 91608 USA", "streetAddress": "100 Universal City Plaza",
    "locality": "Hollywood", "region": "CA", "postalCode": "91608", "country": "USA", "type": "work", "primary": true}],
  "groups": [{"value": "e9e30dba-f08f-4109-8486-d5c6a331660a", "$ref": "https://example.com/v2/Groups/e9e30dba",
    "display": "Tour Guides", "type": "direct"}],
  "entitlements": [{"value": "delete-users", "display": "Delete users"}],
  "roles": [{"value": "Admin", "type": "WindowsAzureActiveDirectoryRole", "primary": true}],
  "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"}],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
    "employeeNumber": "701984", "costCenter": "4130", "organization": "Universal Studios",
    "division": "Theme Park", "department": "Tour Operations",
    "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "$ref": "../Users/26118915", "displayName": "John Smith"}
  },
  "urn:ietf:params:scim:schemas:extension:acme:2.0:User": {
    "costCenter": "CC-7", "badgeNumber": 12345678901234567, "isContractor": true, "score": 0.1,
    "hiredAt": "2024-02-29T08:00:00.123456789+01:00", "riskLevel": "low",
    "badges": [{"value": -9223372036854775808, "issuer": "HQ", "checkedBy": "guard"}]
  }
}`

func TestUserRoundTrip(t *testing.T) {
	rt := typedUserType()
	for _, tc := range []struct {
		name, data string
	}{
		{"rich", typedRichUser},
		{"only userName", `{"userName": "a"}`},
		{"active true", `{"userName": "a", "active": true}`},
		{"enterprise manager only", `{"userName": "a", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"value": "m"}}}`},
		{"read-only manager displayName alone", `{"userName": "a", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"displayName": "Boss"}}}`},
		{"extension only read-only", `{"userName": "a", "urn:ietf:params:scim:schemas:extension:acme:2.0:User": {"riskLevel": "high"}}`},
		{"unicode and spaces", `{"userName": " Ǆemal\u00e9 ", "name": {"givenName": "\u0000x"}}`},
		{"primary false only", `{"userName": "a", "emails": [{"value": "x@y", "primary": false}]}`},
		{"element without value", `{"userName": "a", "emails": [{"display": "d"}], "addresses": [{"country": "NL"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := typedDecode(t, tc.data)
			if err := rt.Validate(d); err != nil {
				t.Fatalf("test data is not canonical: %v", err)
			}
			before := typedDecode(t, tc.data)
			u, err := schema.UserFrom(d)
			if err != nil {
				t.Fatalf("UserFrom: %v", err)
			}
			got, err := u.Attributes(rt)
			if err != nil {
				t.Fatalf("Attributes: %v", err)
			}
			if diff := cmp.Diff(d, got); diff != "" {
				t.Errorf("Attributes(UserFrom(d)) differs from d (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, d); diff != "" {
				t.Errorf("UserFrom or Attributes modified d (-before +after):\n%s", diff)
			}
		})
	}
}

// TestUserFromFields checks where UserFrom puts each value, so that the
// round trip cannot pass by accident.
func TestUserFromFields(t *testing.T) {
	u, err := schema.UserFrom(typedDecode(t, typedRichUser))
	if err != nil {
		t.Fatal(err)
	}
	want := &schema.User{
		ExternalID: "00u1abcd",
		UserName:   "bjensen@example.com",
		Name: &schema.Name{Formatted: "Ms. Barbara J Jensen, III", FamilyName: "Jensen", GivenName: "Barbara",
			MiddleName: "Jane", HonorificPrefix: "Ms.", HonorificSuffix: "III"},
		DisplayName: "Babs Jensen", NickName: "Babs", ProfileURL: "https://login.example.com/bjensen",
		Title: "Tour Guide", UserType: "Employee", PreferredLanguage: "en-US", Locale: "en-US",
		Timezone: "America/Los_Angeles", Active: new(false), Password: "t1meMa$heen",
		Emails: []schema.Email{
			{Value: "bjensen@example.com", Type: "work", Primary: new(true), Display: "Work"},
			{Value: "babs@jensen.org", Type: "home", Primary: new(false)},
		},
		PhoneNumbers: []schema.PhoneNumber{{Value: "555-555-5555", Type: "work"}, {Value: "555-555-4444", Type: "mobile", Primary: new(true)}},
		IMs:          []schema.IM{{Value: "someaimhandle", Type: "aim"}},
		Photos:       []schema.Photo{{Value: "https://photos.example.com/profilephoto/72930000000Ccne/F", Type: "photo"}},
		Addresses: []schema.Address{{Formatted: "100 Universal City Plaza\nHollywood, CA 91608 USA", StreetAddress: "100 Universal City Plaza",
			Locality: "Hollywood", Region: "CA", PostalCode: "91608", Country: "USA", Type: "work", Primary: new(true)}},
		Groups: []schema.GroupRef{{Value: "e9e30dba-f08f-4109-8486-d5c6a331660a", Ref: "https://example.com/v2/Groups/e9e30dba",
			Display: "Tour Guides", Type: "direct"}},
		Entitlements:     []schema.Entitlement{{Value: "delete-users", Display: "Delete users"}},
		Roles:            []schema.Role{{Value: "Admin", Type: "WindowsAzureActiveDirectoryRole", Primary: new(true)}},
		X509Certificates: []schema.X509Certificate{{Value: "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"}},
		Enterprise: &schema.EnterpriseUser{EmployeeNumber: "701984", CostCenter: "4130", Organization: "Universal Studios",
			Division: "Theme Park", Department: "Tour Operations",
			Manager: &schema.Manager{Value: "26118915-6090-4610-87e4-49d8ca9f808d", Ref: "../Users/26118915", DisplayName: "John Smith"}},
		Extensions: schema.Extensions{typedAcmeURN: {
			"costCenter": "CC-7", "badgeNumber": json.Number("12345678901234567"), "isContractor": true, "score": json.Number("0.1"),
			"hiredAt": "2024-02-29T08:00:00.123456789+01:00", "riskLevel": "low",
			"badges": []any{map[string]any{"value": json.Number("-9223372036854775808"), "issuer": "HQ", "checkedBy": "guard"}},
		}},
	}
	if diff := cmp.Diff(want, u); diff != "" {
		t.Errorf("UserFrom mismatch (-want +got):\n%s", diff)
	}
}

// UserFrom shares no maps with its input: changing the view leaves the
// stored data alone.
func TestUserFromCopies(t *testing.T) {
	d := typedDecode(t, typedRichUser)
	u, err := schema.UserFrom(d)
	if err != nil {
		t.Fatal(err)
	}
	u.Extensions[typedAcmeURN]["costCenter"] = "changed"
	u.Extensions[typedAcmeURN]["badges"].([]any)[0].(map[string]any)["issuer"] = "changed"
	if diff := cmp.Diff(typedDecode(t, typedRichUser), d); diff != "" {
		t.Errorf("changing the User changed its source (-want +got):\n%s", diff)
	}
	got, err := u.Attributes(typedUserType())
	if err != nil {
		t.Fatal(err)
	}
	got[typedAcmeURN].(map[string]any)["score"] = "changed"
	if v, _ := u.Extensions.Value(typedAcmeURN, "score"); v != json.Number("0.1") {
		t.Errorf("changing the result of Attributes changed the User: score = %v", v)
	}
}

func TestUserFromErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       wantErr
	}{
		{"string boolean", `{"active": "true"}`, wantErr{"invalidValue", "active", "must be a boolean, got a string"}},
		{"number string", `{"userName": 7}`, wantErr{"invalidValue", "userName", "must be a string, got a number"}},
		{"complex not object", `{"name": "Babs"}`, wantErr{"invalidValue", "name", "must be an object, got a string"}},
		{"sub-attribute type", `{"name": {"givenName": true}}`, wantErr{"invalidValue", "name.givenName", "must be a string, got a boolean"}},
		{"unknown sub-attribute", `{"name": {"nick": "B"}}`, wantErr{"invalidValue", "name.nick", "Name has no such attribute"}},
		{"multi not array", `{"emails": {"value": "x"}}`, wantErr{"invalidValue", "emails", "must be an array, got an object"}},
		{"element not object", `{"emails": [{"value": "x"}, "y"]}`, wantErr{"invalidValue", "emails[1]", "must be an object, got a string"}},
		{"element sub-attribute", `{"emails": [{"value": "x"}, {"primary": "True"}]}`, wantErr{"invalidValue", "emails[1].primary", "must be a boolean"}},
		{"unknown attribute", `{"userName": "a", "department": "x", "zzz": 1}`, wantErr{"invalidValue", "department", "User has no such attribute"}},
		{"non-canonical case", `{"UserName": "a"}`, wantErr{"invalidValue", "UserName", "User has no such attribute"}},
		{"enterprise not object", `{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": "x"}`,
			wantErr{"invalidValue", typedEntURN, "must be an object holding the extension's attributes, got a string"}},
		{"enterprise unknown", `{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"badge": "1"}}`,
			wantErr{"invalidValue", typedEntURN + ":badge", "EnterpriseUser has no such attribute"}},
		{"manager type", `{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"value": 5}}}`,
			wantErr{"invalidValue", typedEntURN + ":manager.value", "must be a string, got a number"}},
		{"extension not object", `{"urn:acme:x": ["a"]}`, wantErr{"invalidValue", "urn:acme:x", "got an array"}},
		{"id not string", `{"id": 5}`, wantErr{"invalidValue", "id", "must be a string"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := schema.UserFrom(typedDecode(t, tc.data))
			if checkErr(t, err, &tc.want, tc.name) && u != nil {
				t.Errorf("UserFrom returned %+v with its error", u)
			}
		})
	}
}

// Object form: id is read, schemas and meta are skipped, null is absent.
func TestUserFromObject(t *testing.T) {
	u, err := schema.UserFrom(typedDecode(t, `{"id": "u1", "schemas": ["x"], "meta": {"version": "W/\"1\""}, "userName": "a", "title": null,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {}, "urn:acme:x": null}`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&schema.User{ID: "u1", UserName: "a"}, u); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

// Attributes normalizes like a POST: canonical names and forms, one
// primary, empties dropped; and keeps read-only values.
func TestUserAttributes(t *testing.T) {
	type acme struct {
		CostCenter   string `json:"costCenter,omitempty"`
		BadgeNumber  int64  `json:"BADGENUMBER,omitempty"`
		IsContractor *bool  `json:"isContractor,omitempty"`
		RiskLevel    string `json:"riskLevel,omitempty"`
	}
	var ext schema.Extensions
	if err := ext.Set("URN:IETF:params:scim:schemas:extension:acme:2.0:User", acme{CostCenter: "CC", BadgeNumber: 12345678901234567, IsContractor: new(false), RiskLevel: "low"}); err != nil {
		t.Fatal(err)
	}
	u := &schema.User{
		ID:       "ignored",
		UserName: "bjensen",
		Name:     &schema.Name{},
		Active:   new(true),
		Emails: []schema.Email{
			{Type: "work"}, // hollow: dropped
			{Value: "a@example.com", Primary: new(true)},
			{Value: "b@example.com", Primary: new(true)},
		},
		Groups:     []schema.GroupRef{{Value: "g1", Display: "G"}, {}},
		Enterprise: &schema.EnterpriseUser{Manager: &schema.Manager{Value: "m1", DisplayName: "Boss"}},
		Extensions: ext,
	}
	got, err := u.Attributes(typedUserType())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"userName": "bjensen",
		"active":   true,
		"emails": []any{
			map[string]any{"value": "a@example.com", "primary": true},
			map[string]any{"value": "b@example.com"},
		},
		"groups":    []any{map[string]any{"value": "g1", "display": "G"}},
		typedEntURN: map[string]any{"manager": map[string]any{"value": "m1", "displayName": "Boss"}},
		typedAcmeURN: map[string]any{
			"costCenter": "CC", "badgeNumber": json.Number("12345678901234567"), "isContractor": false, "riskLevel": "low",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Attributes mismatch (-want +got):\n%s", diff)
	}
}

func TestUserAttributesErrors(t *testing.T) {
	rt := typedUserType()
	for _, tc := range []struct {
		name string
		rt   *schema.ResourceType
		u    *schema.User
		want wantErr
	}{
		{"missing userName", rt, &schema.User{DisplayName: "x"}, wantErr{"invalidValue", "userName", "required attribute missing"}},
		{"invalid integer", rt, &schema.User{UserName: "a", Extensions: schema.Extensions{typedAcmeURN: {"badgeNumber": "twelve"}}},
			wantErr{"invalidValue", typedAcmeURN + ":badgeNumber", "must be an integer"}},
		{"invalid dateTime", rt, &schema.User{UserName: "a", Extensions: schema.Extensions{typedAcmeURN: {"hiredAt": "yesterday"}}},
			wantErr{"invalidValue", typedAcmeURN + ":hiredAt", "RFC 3339"}},
		{"invalid read-only value", rt, &schema.User{UserName: "a", Extensions: schema.Extensions{typedAcmeURN: {"riskLevel": true}}},
			wantErr{"invalidValue", typedAcmeURN + ":riskLevel", "must be a string"}},
		{"invalid binary", rt, &schema.User{UserName: "a", X509Certificates: []schema.X509Certificate{{Value: "not base64!"}}},
			wantErr{"invalidValue", "x509Certificates[0].value", "base64"}},
		{"unknown extension attribute", rt, &schema.User{UserName: "a", Extensions: schema.Extensions{typedAcmeURN: {"shoeSize": "9"}}},
			wantErr{"invalidValue", typedAcmeURN + ":shoeSize", "no schema of resource type User defines this attribute"}},
		{"extension rt lacks", schema.UserResourceType(), &schema.User{UserName: "a", Extensions: schema.Extensions{typedAcmeURN: {"costCenter": "9"}}},
			wantErr{"invalidValue", typedAcmeURN, "no schema of resource type User defines this attribute"}},
		{"enterprise rt lacks", schema.UserResourceType(), &schema.User{UserName: "a", Enterprise: &schema.EnterpriseUser{Department: "x"}},
			wantErr{"invalidValue", typedEntURN, "no schema of resource type User defines this attribute"}},
		{"enterprise twice", rt, &schema.User{UserName: "a", Enterprise: &schema.EnterpriseUser{Department: "x"},
			Extensions: schema.Extensions{strings.ToLower(typedEntURN): {"division": "y"}}},
			wantErr{"invalidValue", strings.ToLower(typedEntURN), "given both as a typed field and in Extensions"}},
		{"group resource type", schema.GroupResourceType(), &schema.User{UserName: "a"},
			wantErr{"invalidValue", "displayName", "required attribute missing"}},
		{"nil resource type", nil, &schema.User{UserName: "a"}, wantErr{"invalidValue", "", "no resource type"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.u.Attributes(tc.rt)
			if checkErr(t, err, &tc.want, tc.name) && got != nil {
				t.Errorf("Attributes returned %v with its error", got)
			}
		})
	}
}

func TestExtensions(t *testing.T) {
	type acme struct {
		CostCenter   string `json:"costCenter"`
		BadgeNumber  int64  `json:"badgeNumber"`
		IsContractor bool   `json:"isContractor"`
		Score        any    `json:"score"`
	}
	e := schema.Extensions{typedAcmeURN: {"costCenter": "CC", "badgeNumber": json.Number("12345678901234567"), "isContractor": true, "score": json.Number("0.1")}}

	for _, tc := range []struct {
		urn, name string
		want      any
		ok        bool
	}{
		{typedAcmeURN, "badgeNumber", json.Number("12345678901234567"), true},
		{strings.ToUpper(typedAcmeURN), "BADGENUMBER", json.Number("12345678901234567"), true},
		{typedAcmeURN, "isContractor", true, true},
		{typedAcmeURN, "missing", nil, false},
		{"urn:other", "costCenter", nil, false},
	} {
		got, ok := e.Value(tc.urn, tc.name)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Value(%q, %q) = %v, %v; want %v, %v", tc.urn, tc.name, got, ok, tc.want, tc.ok)
		}
	}

	var a acme
	if err := e.Decode(strings.ToUpper(typedAcmeURN), &a); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(acme{CostCenter: "CC", BadgeNumber: 12345678901234567, IsContractor: true, Score: json.Number("0.1")}, a); diff != "" {
		t.Errorf("Decode mismatch (-want +got):\n%s", diff)
	}
	untouched := acme{CostCenter: "keep"}
	if err := e.Decode("urn:other", &untouched); err != nil || untouched.CostCenter != "keep" {
		t.Errorf("Decode of a missing extension = %v, %+v; want nil and v unchanged", err, untouched)
	}
	var wrong struct {
		BadgeNumber string `json:"badgeNumber"`
	}
	if err := e.Decode(typedAcmeURN, &wrong); err == nil {
		t.Errorf("Decode of an integer into a string field succeeded")
	}

	// Set replaces, whatever the URN's case, exactly.
	if err := e.Set(strings.ToUpper(typedAcmeURN), acme{BadgeNumber: -9223372036854775808, Score: 1.5}); err != nil {
		t.Fatal(err)
	}
	want := schema.Extensions{strings.ToUpper(typedAcmeURN): {"costCenter": "", "badgeNumber": json.Number("-9223372036854775808"), "isContractor": false, "score": json.Number("1.5")}}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("after Set (-want +got):\n%s", diff)
	}
	if err := e.Set(typedAcmeURN, struct{}{}); err != nil || len(e) != 0 {
		t.Errorf("Set of an empty object = %v, leaving %v; want the extension removed", err, e)
	}
	if err := e.Set(typedAcmeURN, []int{1}); err == nil {
		t.Errorf("Set of an array succeeded")
	}
	var nilExt schema.Extensions
	if err := nilExt.Set(typedAcmeURN, map[string]int{"badgeNumber": 1}); err != nil || nilExt[typedAcmeURN]["badgeNumber"] != json.Number("1") {
		t.Errorf("Set on nil Extensions = %v, %v", err, nilExt)
	}
}

// typedSeeds are request bodies of the kinds identity providers send.
var typedSeeds = []string{
	typedRichUser,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","active":"False","emails":[{"value":"x@y","primary":"true"},{"value":"z@y","primary":true}]}`,
	`{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":"m-1","department":"Sales"}`,
	`{"userName":"a","urn:ietf:params:scim:schemas:extension:acme:2.0:User":{"badgeNumber":"12345678901234567","score":1e2,"isContractor":"TRUE"}}`,
	`{"userName":"a","name.givenName":"B","emails":{"value":"x"},"phoneNumbers":[{"value":"","type":"work"}],"groups":[{"value":"g"}]}`,
	`{"displayName":"G","members":[{"value":"u1"},{"value":"u1","display":"dup"},"u2",{"value":"u3","type":"User","$ref":"/Users/u3"}]}`,
}

// FuzzUserRoundTrip: for any body that normalizes, the typed view converts
// the canonical data back to itself, without error or panic.
func FuzzUserRoundTrip(f *testing.F) {
	for _, s := range typedSeeds {
		f.Add([]byte(s))
	}
	rt := typedUserType()
	f.Fuzz(func(t *testing.T, body []byte) {
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		var in map[string]any
		if d.Decode(&in) != nil {
			return
		}
		want, _, err := rt.Normalize(in)
		if err != nil {
			return
		}
		u, err := schema.UserFrom(want)
		if err != nil {
			t.Fatalf("UserFrom of normalized data: %v\ndata: %v", err, want)
		}
		got, err := u.Attributes(rt)
		if err != nil {
			t.Fatalf("Attributes: %v\ndata: %v", err, want)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("round trip differs (-want +got):\n%s", diff)
		}
	})
}

// FuzzGroupRoundTrip is FuzzUserRoundTrip for groups.
func FuzzGroupRoundTrip(f *testing.F) {
	for _, s := range typedSeeds {
		f.Add([]byte(s))
	}
	rt := typedGroupType()
	f.Fuzz(func(t *testing.T, body []byte) {
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		var in map[string]any
		if d.Decode(&in) != nil {
			return
		}
		want, _, err := rt.Normalize(in)
		if err != nil {
			return
		}
		g, err := schema.GroupFrom(want)
		if err != nil {
			t.Fatalf("GroupFrom of normalized data: %v\ndata: %v", err, want)
		}
		got, err := g.Attributes(rt)
		if err != nil {
			t.Fatalf("Attributes: %v\ndata: %v", err, want)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("round trip differs (-want +got):\n%s", diff)
		}
	})
}

func BenchmarkUserFrom(b *testing.B) {
	d := typedDecode(b, typedRichUser)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := schema.UserFrom(d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUserAttributes(b *testing.B) {
	u, err := schema.UserFrom(typedDecode(b, typedRichUser))
	if err != nil {
		b.Fatal(err)
	}
	rt := typedUserType()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := u.Attributes(rt); err != nil {
			b.Fatal(err)
		}
	}
}

// encoding/json writes a User (without Extensions and ID) as its canonical
// data: the json names are the canonical attribute names.
func TestUserJSONIsCanonical(t *testing.T) {
	d := typedDecode(t, typedRichUser)
	delete(d, typedAcmeURN)
	u, err := schema.UserFrom(d)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d, typedDecode(t, string(b))); diff != "" {
		t.Errorf("json.Marshal(User) differs from canonical data (-want +got):\n%s", diff)
	}
}
