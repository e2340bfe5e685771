package scim_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// clause is one normative sentence (MUST, SHALL, SHOULD, their negations,
// REQUIRED, RECOMMENDED) of RFC 7644 §3.2–§3.4 and §3.7 or RFC 7643 §2–§4,
// and what covers it.
type clause struct {
	rfc     int
	section string
	text    string // a short quote or close paraphrase of the sentence
	// status is "covered", or "n/a: <why>" (a client obligation, or a
	// sentence with no case in this handler), "not supported: <why>", or
	// "gap: <what>" (the handler departs from the clause; the named test
	// shows it and is skipped until the handler is fixed).
	status string
	// tests cover the clause. "TestX" is a test of this package, "TestX/y"
	// also names a subtest (a string literal "y" in TestX's file), and
	// "filter:TestX", "schema:TestX", "patch:TestX", "store:TestX" are tests
	// of those packages.
	tests []string
}

const covered = "covered"

func c(rfc int, section, text, status string, tests ...string) clause {
	return clause{rfc, section, text, status, tests}
}

// rfcClauses lists the clauses: every sentence of those sections with an
// upper-case keyword, and a few that define behaviour without one (MAY
// clauses a client relies on, lower-case "must", the sort order of missing
// values); the latter have no upper-case keyword in their text. Clauses that
// bind only clients are "n/a: client obligation"; where the handler still
// checks them, the row says how.
var rfcClauses = []clause{
	// RFC 7644 §3.2 SCIM Endpoints and HTTP Methods
	c(7644, "3.2", "Error status codes SHOULD be transmitted via the HTTP status code of the response", covered,
		"TestBadInput", "FuzzHandler"),
	c(7644, "3.2", "[error status codes] SHOULD also be specified in the body of the response (see Section 3.12)", covered,
		"TestBadInput", "FuzzHandler", "TestBulk/errors"),
	c(7644, "3.2", "Service providers that support extended resources SHOULD define resource endpoints [by] pluralizing",
		"n/a: the host names each resource type's endpoint (schema.ResourceType.Endpoint); the built-in ones are /Users, /Groups",
		"TestDiscovery"),
	c(7644, "3.2", "clients SHOULD discover resource endpoints via the \"/ResourceTypes\" endpoint", "n/a: client obligation"),
	c(7644, "3.2", "PUT MUST NOT be used to create new resources", covered,
		"TestBadInput/put unknown user"),

	// §3.3 Creating Resources
	c(7644, "3.3", "The server SHALL process attributes according to the following mutability rules", covered,
		"TestRFC7644_3_3_CreateIgnoresReadOnly", "TestOktaProvisioning"),
	c(7644, "3.3", "In the request body, attributes whose mutability is \"readOnly\" … SHALL be ignored", covered,
		"TestRFC7644_3_3_CreateIgnoresReadOnly", "TestOktaProvisioning", "patch:TestApplyOkta"),
	c(7644, "3.3", "The service provider MAY assign a default value to non-asserted attributes",
		"not supported: no attribute is given a default value", "TestRFC7643_2_5_NullAndEmptyAreUnassigned"),
	c(7644, "3.3", "Clients … MAY specify \"null\" for a single-valued attribute, or \"[]\" … to clear all values", covered,
		"TestRFC7643_2_5_NullAndEmptyAreUnassigned"),
	c(7644, "3.3", "an HTTP response SHALL be returned with HTTP status code 201 (Created)", covered,
		"TestOktaProvisioning", "TestEntraProvisioning"),
	c(7644, "3.3", "The response body SHOULD contain the service provider's representation of the newly created resource", covered,
		"TestOktaProvisioning", "TestRFC7644_3_3_CreateIgnoresReadOnly"),
	c(7644, "3.3", "The URI of the created resource SHALL include, in the HTTP \"Location\" header and … \"meta.location\"", covered,
		"TestLocation", "TestOktaProvisioning"),
	c(7644, "3.3", "[on a conflict] MUST return HTTP status code 409 (Conflict) with a \"scimType\" error code of \"uniqueness\"", covered,
		"TestOktaProvisioning", "TestConcurrentCreateSameUserName", "TestBulk/errors"),
	c(7644, "3.3.1", "the meta attribute \"resourceType\" SHALL be set by the HTTP service provider to the … resource type", covered,
		"TestRFC7644_3_3_CreateIgnoresReadOnly", "TestOktaProvisioning"),

	// §3.4.2 Query Resources
	c(7644, "3.4.2", "Queries MAY be made against … a resource type endpoint … or the service provider Base URI", covered,
		"TestPaging", "TestSearch/root all"),
	c(7644, "3.4.2", "SHOULD ignore any query parameters they do not recognize instead of rejecting the query", covered,
		"TestRFC7644_3_4_2_IgnoresUnknownParameters"),
	c(7644, "3.4.2", "Responses MUST be identified using … urn:ietf:params:scim:api:messages:2.0:ListResponse", covered,
		"TestPaging", "TestOktaProvisioning"),
	c(7644, "3.4.2", "totalResults … REQUIRED", covered, "TestPaging", "TestSearch"),
	c(7644, "3.4.2", "Resources … REQUIRED if \"totalResults\" is non-zero", covered, "TestPaging", "TestSearch"),
	c(7644, "3.4.2", "startIndex … REQUIRED when partial results are returned due to pagination", covered, "TestPaging"),
	c(7644, "3.4.2", "itemsPerPage … REQUIRED when partial results are returned due to pagination", covered, "TestPaging"),
	c(7644, "3.4.2", "A query that does not return any matches SHALL return success (HTTP status code 200) with \"totalResults\" … 0", covered,
		"TestOktaProvisioning", "TestRFC7643_2_5_NullAndEmptyAreUnassigned"),

	// §3.4.2.1 Query Endpoints
	c(7644, "3.4.2.1", "Queries MAY be performed against a SCIM resource object [e.g. /Users/{id}]",
		"not supported: a filter on /Users/{id} is ignored like any unknown parameter", "TestRFC7644_3_4_2_IgnoresUnknownParameters"),
	c(7644, "3.4.2.1", "A query against a server root indicates that all resources within the server SHALL be included", covered,
		"TestSearch/root all", "TestSearch/root page across types"),
	c(7644, "3.4.2.1", "A filter expression using \"meta.resourceType\" MAY be used to restrict results to … resource types", covered,
		"TestRFC7644_3_4_2_1_RootResourceTypeFilter"),
	c(7644, "3.4.2.1", "If … too many results would be returned … the server SHALL reject the request … \"tooMany\"",
		"n/a: never too many; every page is capped at Config.MaxResults (advertised as filter.maxResults)"),
	c(7644, "3.4.2.1", "[for queries over several resource types] filters MUST be processed as outlined in Section 3.4.2.2", covered,
		"TestSearch/root type-specific filter", "TestRFC7644_3_4_2_1_RootResourceTypeFilter"),
	c(7644, "3.4.2.1", "For filtered attributes that are not part of a particular resource type, the SP SHALL treat [them] as … no value",
		covered,
		"TestRFC7644_3_4_2_1_RootUndefinedAttributeIsUnassigned"),

	// §3.4.2.2 Filtering
	c(7644, "3.4.2.2", "When specified, only those resources matching the filter expression SHALL be returned", covered,
		"TestPaging", "TestOktaProvisioning", "filter:TestMatch"),
	c(7644, "3.4.2.2", "Attribute names and attribute operators used in filters are case insensitive", covered,
		"TestRFC7644_3_4_2_2_CaseInsensitiveNames", "filter:TestParseUnbound/ops", "filter:TestMatch"),
	c(7644, "3.4.2.2", "The filter parameter MUST contain at least one valid expression", covered,
		"TestBadInput/empty filter", "TestSearch/empty filter", "filter:TestParseErrors"),
	c(7644, "3.4.2.2", "Each expression MUST contain an attribute name followed by an attribute operator and optional value", covered,
		"TestBadInput/bad filter", "filter:TestParseErrors"),
	c(7644, "3.4.2.2", "[operators eq ne co sw ew gt lt ge le pr]: comparison by attribute type (lexical, chronological, numeric)", covered,
		"filter:TestMatch", "filter:TestMatchUnicode"),
	c(7644, "3.4.2.2", "[gt ge lt le:] Boolean and Binary attributes SHALL cause a failed response (400) with scimType invalidFilter", covered,
		"TestRFC7644_3_4_2_2_OrderingOnBooleanOrBinary"),
	c(7644, "3.4.2.2", "Filters MUST be evaluated using the following order of operations [grouping; not, and, or; attribute ops]", covered,
		"filter:TestParseUnbound/and or precedence", "filter:TestMatch/precedence", "filter:TestMatch/grouping"),
	c(7644, "3.4.2.2", "[a multi-valued attribute] matches if any of the values of the specified attribute match", covered,
		"filter:TestMatch/multi sub", "filter:TestMatch/value path same element", "filter:TestMatchGroup"),
	c(7644, "3.4.2.2", "For complex attributes, a fully qualified sub-attribute MUST be specified",
		"n/a: client obligation (leniently, a bare complex attribute means its value sub-attribute)", "filter:TestMatch/complex value"),
	c(7644, "3.4.2.2", "[a filter on a defaulted attribute] SHALL use the value that was returned to the client",
		"n/a: no attribute is defaulted by the service provider"),
	c(7644, "3.4.2.2", "Providers MAY support additional filter operations", covered,
		"TestStrictFilters", "filter:TestMatch/True string"),
	c(7644, "3.4.2.2", "Providers MUST decline to filter … if the … filter operation is not recognized and return … 400 invalidFilter", covered,
		"TestBadInput/bad filter", "TestStrictFilters"),
	c(7644, "3.4.2.2", "the case sensitivity for String type attributes SHALL be determined by the attribute's \"caseExact\"", covered,
		"filter:TestMatch/eq caseExact", "filter:TestMatch/eq ci", "TestOktaProvisioning"),
	c(7644, "3.4.2.2", "Clients MAY query by schema or schema extensions by using a filter expression including the \"schemas\" attribute",
		"gap: a filter naming \"schemas\" is 400 invalidFilter (unknown attribute)", "TestRFC7644_3_4_2_2_FilterOnSchemas"),
	c(7644, "3.4.2.2", "The expression within square brackets (\"[\" and \"]\") MUST be a valid filter expression [on sub-attributes]", covered,
		"filter:TestParseBound", "filter:TestParseErrors", "filter:TestMatch/value path"),
	c(7644, "3.4.2.2", "SCIM filters MUST conform to the following ABNF [RFC5234] rules", covered,
		"filter:TestParseUnbound", "filter:TestParseErrors", "filter:FuzzParse", "TestStrictFilters"),

	// §3.4.2.3 Sorting
	c(7644, "3.4.2.3", "\"sortBy\" … specifies the attribute whose value SHALL be used to order the returned responses", covered,
		"TestSort", "TestSort/search", "store:TestMemorySortBy"),
	c(7644, "3.4.2.3", "[multi-valued:] sorted by the value of the primary attribute, if any, or else the first value", covered,
		"TestRFC7644_3_4_2_3_SortMultiValuedByPrimary"),
	c(7644, "3.4.2.3", "If the attribute is complex, the attribute name must be a path to a sub-attribute",
		"n/a: client obligation (a complex sortBy is 400)", "TestMalformedParameters/complex sortBy"),
	c(7644, "3.4.2.3", "no data for the specified \"sortBy\" value … ordered last if ascending and first if descending",
		covered,
		"TestRFC7644_3_4_2_3_SortMissingValues", "TestSort/missing first descending"),
	c(7644, "3.4.2.3", "sortOrder: Allowed values are \"ascending\" and \"descending\"", covered,
		"TestSort/descending", "TestMalformedParameters/bad sortOrder"),
	c(7644, "3.4.2.3", "If a value for \"sortBy\" is provided and no \"sortOrder\" is specified, \"sortOrder\" SHALL default to ascending", covered,
		"TestSort/ascending"),
	c(7644, "3.4.2.3", "\"sortOrder\" MUST sort according to the attribute type [case-insensitive or case-exact Unicode order]", covered,
		"TestSort/ascending", "TestRFC7644_3_4_2_3_SortCaseExact"),

	// §3.4.2.4 Pagination
	c(7644, "3.4.2.4", "Because pagination is not stateful, clients MUST be prepared to handle inconsistent results",
		"n/a: client obligation"),
	c(7644, "3.4.2.4", "startIndex: A value less than 1 SHALL be interpreted as 1", covered, "TestMalformedParameters"),
	c(7644, "3.4.2.4", "count: A negative value SHALL be interpreted as \"0\"", covered, "TestNegativeCount", "TestSearch/negative count"),
	c(7644, "3.4.2.4", "A value of \"0\" indicates that no resource results are to be returned except for \"totalResults\"", covered,
		"TestPaging", "TestSearch/root count zero"),
	c(7644, "3.4.2.4", "When specified, the service provider MUST NOT return more results than specified [by count]", covered,
		"TestPaging", "TestOktaProvisioning", "TestSearch/root page across types"),

	// §3.4.2.5 Attributes
	c(7644, "3.4.2.5", "The following attributes control which attributes SHALL be returned with a returned resource", covered,
		"TestProjection", "TestRFC7644_3_4_3_SearchExcludedKeepsAlways"),
	c(7644, "3.4.2.5", "[attributes and excludedAttributes] MUST be supported by SCIM service providers", covered,
		"TestProjection", "schema:TestRender"),
	c(7644, "3.4.2.5", "attributes: … overriding the set of attributes that would be returned by default", covered,
		"TestProjection/list attributes", "schema:TestRender/request attribute listed"),
	c(7644, "3.4.2.5", "Attribute names MUST be in standard attribute notation (Section 3.10) form",
		"n/a: client obligation (a malformed path is 400)", "TestProjection/malformed path", "schema:TestParseProjectionErrors"),
	c(7644, "3.4.2.5", "[excludedAttributes] SHALL have no effect on attributes whose schema \"returned\" setting is \"always\"", covered,
		"TestProjection/excluded id"),

	// §3.4.3 Querying Resources Using HTTP POST
	c(7644, "3.4.3", "The inclusion of \"/.search\" on the end of a valid SCIM endpoint SHALL be used to indicate … a query", covered,
		"TestSearch", "TestSort/search"),
	c(7644, "3.4.3", "Query requests MUST be identified using … urn:ietf:params:scim:api:messages:2.0:SearchRequest",
		"n/a: client obligation (a body without it is accepted)", "TestSearch/negative count", "TestNegativeCount"),
	c(7644, "3.4.3", "[attributes, excludedAttributes:] Attribute names MUST be in standard attribute notation",
		"n/a: client obligation (a malformed name is 400)", "TestSearch/bad attributes type", "TestProjection/malformed path"),
	c(7644, "3.4.3", "[excludedAttributes:] This parameter SHALL have no effect on attributes whose … \"returned\" setting is \"always\"", covered,
		"TestRFC7644_3_4_3_SearchExcludedKeepsAlways"),
	c(7644, "3.4.3", "The filter string MUST be a valid filter (Section 3.4.2.2) expression",
		"n/a: client obligation (an invalid filter is 400 invalidFilter)", "TestSearch/bad filter", "TestSearch/empty filter"),
	c(7644, "3.4.3", "sortBy A string indicating the attribute whose value SHALL be used to order the returned responses", covered,
		"TestSort/search"),
	c(7644, "3.4.3", "The \"sortBy\" attribute MUST be in standard attribute notation (Section 3.10) form",
		"n/a: client obligation (an unknown or complex sortBy is 400)", "TestMalformedParameters/unknown sortBy"),

	// §3.7 Bulk Operations
	c(7644, "3.7", "Bulk requests MUST be identified using … urn:ietf:params:scim:api:messages:2.0:BulkRequest",
		"n/a: client obligation (a body without it is accepted)", "TestBulk/errors"),
	c(7644, "3.7", "Bulk responses MUST be identified using … urn:ietf:params:scim:api:messages:2.0:BulkResponse", covered,
		"TestRFC7644_3_7_BulkResponseSchema"),
	c(7644, "3.7", "failOnErrors … OPTIONAL in a request. Not valid in a response.", covered,
		"TestBulk/failOnErrors", "TestRFC7644_3_7_BulkResponseSchema"),
	c(7644, "3.7", "Operations … REQUIRED", "n/a: client obligation (a request without Operations is 400)",
		"TestBulk/no operations", "TestBulk/operations not array"),
	c(7644, "3.7", "method … Possible values are \"POST\", \"PUT\", \"PATCH\", or \"DELETE\". REQUIRED.", covered,
		"TestBulk/errors", "TestBulkRefusesSearches"),
	c(7644, "3.7", "bulkId … REQUIRED when \"method\" is \"POST\"", "n/a: client obligation (a POST without one is 400)",
		"TestBulk/errors"),
	c(7644, "3.7", "bulkId: … unique within a bulk request", "n/a: client obligation (a repeated bulkId is 400)", "TestBulk/errors"),
	c(7644, "3.7", "version … MAY be used if the service provider supports entity-tags", covered, "TestBulk/errors"),
	c(7644, "3.7", "path: [POST] must specify a resource type endpoint … other methods … a specific resource",
		"n/a: client obligation (other paths are refused per operation)", "TestBulkRefusesSearches"),
	c(7644, "3.7", "path … REQUIRED in a request", "n/a: client obligation (a missing or odd path is refused per operation)",
		"TestBulkRefusesSearches"),
	c(7644, "3.7", "data … REQUIRED in a request when \"method\" is \"POST\", \"PUT\", or \"PATCH\"", "n/a: client obligation"),
	c(7644, "3.7", "location … REQUIRED in a response, except in the event of a POST failure",
		covered, "TestRFC7644_3_7_3_BulkLocationOnFailures"),
	c(7644, "3.7", "[response:] with an HTTP status other than a 200-series response, the response body MUST be included", covered,
		"TestBulk/errors", "FuzzHandler"),
	c(7644, "3.7", "[status:] When indicating an error, the \"response\" attribute MUST contain the detail error response", covered,
		"TestBulk/errors", "FuzzHandler", "TestBulkRefusesSearches"),
	c(7644, "3.7", "If a bulk job is processed successfully, HTTP response code 200 OK MUST be returned; otherwise, an … error code", covered,
		"TestBulk", "TestBulk/limits"),
	c(7644, "3.7", "The service provider MUST continue performing as many changes as possible and disregard partial failures", covered,
		"TestBulk/errors"),
	c(7644, "3.7", "The client MAY override this behavior by specifying a value for the \"failOnErrors\" attribute", covered,
		"TestBulk/failOnErrors"),
	c(7644, "3.7", "The service provider MUST return the same \"bulkId\" together with the newly created resource", covered,
		"TestBulk/references", "TestRFC7644_3_7_BulkResponseSchema"),
	c(7644, "3.7", "[optimizing the sequence of operations] MUST ensure that the client's intent is preserved", covered,
		"TestBulk/references"),
	c(7644, "3.7.1", "The service provider MUST try to resolve circular cross-references … but MAY stop … and … return 409",
		"gap: circular bulkId references are answered 409 without an attempt to resolve them",
		"TestRFC7644_3_7_1_BulkCircularReferences", "TestBulk/errors"),
	c(7644, "3.7.2", "The \"bulkId\" attribute value must be prepended with the literal \"bulkId:\"", "n/a: client obligation"),
	c(7644, "3.7.2", "The service provider MUST replace the string \"bulkId:qwerty\" with the permanent resource id once created", covered,
		"TestBulk/references"),
	c(7644, "3.7.2", "Extensions that include references to other resources MUST be handled in the same way", covered,
		"TestBulk/references"),
	c(7644, "3.7.3", "The service provider response MUST include the result of all processed operations", covered,
		"TestBulk/errors", "TestBulkRefusesSearches"),
	c(7644, "3.7.3", "A \"location\" attribute … MUST be returned for all operations except for failed POST operations",
		covered, "TestRFC7644_3_7_3_BulkLocationOnFailures"),
	c(7644, "3.7.3", "The status attribute MUST include the code attribute that holds the HTTP response code [of a single request]", covered,
		"TestBulk/errors", "TestBulk/references"),
	c(7644, "3.7.3", "If an error occurred, the status MUST also include the description … [response.detail]", covered,
		"TestBulk/errors", "FuzzHandler"),
	c(7644, "3.7.4", "The service provider MUST define the maximum number of operations and maximum payload size", covered,
		"TestRFC7644_3_7_4_BulkLimitsAdvertised", "TestBulk/limits"),
	c(7644, "3.7.4", "If either limit is exceeded, the service provider MUST return HTTP response code 413 (Payload Too Large)", covered,
		"TestBulk/maxOperations", "TestBulk/maxPayloadSize", "TestRFC7644_3_7_4_BulkLimitsAdvertised"),
	c(7644, "3.7.4", "The returned response MUST specify the limit exceeded in the body of the error response", covered,
		"TestBulk/limits", "TestRFC7644_3_7_4_BulkLimitsAdvertised"),

	// RFC 7643 §2 SCIM Schema
	c(7643, "2.1", "SCIM resources are represented in JSON … and MUST specify schema via the \"schemas\" attribute", covered,
		"TestRFC7643_3_SchemasAttribute", "TestOktaProvisioning"),
	c(7643, "2.1", "Attribute names MUST conform to the following ABNF rules: ATTRNAME = ALPHA *(nameChar)",
		covered, "TestRFC7643_2_SchemaDefinitionRules"),
	c(7643, "2.2", "If not otherwise stated in Section 7 … \"required\" is \"false\" (i.e., not REQUIRED) [and the other defaults]", covered,
		"TestDiscovery", "schema:TestUserAttributes"),
	c(7643, "2.3", "SCIM extensions SHOULD NOT introduce new data types", "n/a: schema.Type is a closed set of the RFC's types"),
	c(7643, "2.3.4", "[integer:] the value MUST NOT contain fractional or exponent parts", covered,
		"TestRFC7643_2_3_4_Integers", "schema:TestNormalize/fractional integer"),
	c(7643, "2.3.5", "[dateTime:] MUST be encoded as a valid xsd:dateTime … and MUST include both a date and a time", covered,
		"TestRFC7643_2_3_5_DateTime", "schema:TestNormalize/bad dateTime", "filter:TestMatch/gt dateTime"),
	c(7643, "2.3.5", "Values represented in JSON MUST conform to the XML constraints above and are represented as a JSON string", covered,
		"schema:TestNormalize/bad dateTime", "TestRFC7643_3_1_LastModified"),
	c(7643, "2.3.6", "[binary:] The attribute value MUST be base64 encoded as specified in Section 4 of [RFC4648]", covered,
		"schema:TestNormalize/bad binary"),
	c(7643, "2.3.7", "[reference:] The value MUST be the absolute or relative URI of the target resource",
		"n/a: client obligation (reference values are stored as sent; the handler writes absolute URIs)", "TestLocation"),
	c(7643, "2.3.7", "the base URI for relative URI resolution MUST include all URI components … up to … the Endpoint URI",
		"n/a: the handler writes no relative references"),
	c(7643, "2.3.7", "A reference URI MUST be to an HTTP-addressable resource", covered,
		"TestLocation", "TestOktaProvisioning"),
	c(7643, "2.3.7", "An HTTP client performing a GET operation on a reference URI MUST receive the target resource or an … code", covered,
		"TestOktaProvisioning", "TestBadInput/unknown user"),
	c(7643, "2.3.8", "Servers and clients MUST NOT require or expect attributes to be in any specific order", covered,
		"TestRFC7643_3_SchemasAttribute", "schema:TestNormalize"),
	c(7643, "2.3.8", "A complex attribute MUST NOT contain sub-attributes that have sub-attributes (i.e., that are complex)",
		covered, "TestRFC7643_2_SchemaDefinitionRules"),
	c(7643, "2.4", "[objects with sub-attributes in a multi-valued attribute] SHALL be considered to be complex attributes", covered,
		"schema:TestNormalize/single object for a multi-valued attribute"),
	c(7643, "2.4", "these sub-attributes [type, primary, display, value, $ref] MUST be used with the meanings defined here",
		"n/a: schema definition; the built-in schemas use them so"),
	c(7643, "2.4", "URIs for SCIM resources with an API version SHALL be considered comparable to URIs without a version",
		"n/a: the handler compares resource ids, never resource URIs"),
	c(7643, "2.4", "The primary attribute value \"true\" MUST appear no more than once", covered,
		"TestRFC7643_2_4_OnePrimary", "schema:TestNormalize/one primary"),
	c(7643, "2.4", "If not specified, the value of \"primary\" SHALL be assumed to be \"false\"",
		covered, "TestRFC7643_2_4_PrimaryAssumedFalse"),
	c(7643, "2.4", "service providers SHOULD canonicalize the value returned (e.g., by returning a value for … \"type\")",
		"not supported: values and types are returned as the client sent them"),
	c(7643, "2.4", "[service providers] SHOULD NOT return the same (type, value) combination more than once per attribute",
		covered, "TestRFC7643_2_4_NoRepeatedTypeValue"),
	c(7643, "2.5", "Unassigned attributes, the null value, or empty array … SHALL be considered to be equivalent in \"state\"", covered,
		"TestRFC7643_2_5_NullAndEmptyAreUnassigned", "schema:TestNormalize/empty values are absent"),

	// RFC 7643 §3 SCIM Resources
	c(7643, "3", "The \"schemas\" attribute is a REQUIRED attribute", covered,
		"TestRFC7643_3_SchemasAttribute", "TestOktaProvisioning", "TestDiscovery"),
	c(7643, "3", "All representations of SCIM schemas MUST include a non-empty array with value(s) of the URIs supported", covered,
		"TestRFC7643_3_SchemasAttribute", "TestDiscovery"),
	c(7643, "3", "The \"schemas\" attribute for a resource MUST only contain values defined as \"schema\" and \"schemaExtensions\"", covered,
		"TestRFC7643_3_SchemasAttribute", "TestOktaProvisioning"),
	c(7643, "3", "[schemas:] Duplicate values MUST NOT be included", covered, "TestRFC7643_3_SchemasAttribute"),
	c(7643, "3", "[schemas:] Value order is not specified and MUST NOT impact behavior", covered, "TestRFC7643_3_SchemasAttribute"),
	c(7643, "3", "[common attributes] SHALL be assumed to be present in every resource, regardless of the … \"schemas\" attribute", covered,
		"TestRFC7643_3_SchemasAttribute", "TestRFC7644_3_3_CreateIgnoresReadOnly"),
	c(7643, "3.1", "[common attributes id, externalId, meta] MUST be defined for all resources [but ServiceProviderConfig, ResourceType]", covered,
		"TestOktaProvisioning", "TestEntraProvisioning"),
	c(7643, "3.1", "When accepted by a service provider (e.g., after a SCIM create), the attributes \"id\" and \"meta\" MUST be assigned", covered,
		"TestRFC7644_3_3_CreateIgnoresReadOnly", "TestRFC7643_3_1_LastModified"),
	c(7643, "3.1", "The attribute characteristics … listed here SHALL take precedence over older definitions … in existing schemas",
		"n/a: the handler defines id, externalId and meta itself; no served schema lists them"),
	c(7643, "3.1", "Each representation of the resource MUST include a non-empty \"id\" value", covered,
		"TestOktaProvisioning", "TestRFC7643_3_1_IDStableAndUnique"),
	c(7643, "3.1", "[id] MUST be unique across the service provider's entire set of resources", covered,
		"TestRFC7643_3_1_IDStableAndUnique", "store:TestMemoryConformance"),
	c(7643, "3.1", "[id] MUST be a stable, non-reassignable identifier", covered, "TestRFC7643_3_1_IDStableAndUnique"),
	c(7643, "3.1", "The value of the \"id\" attribute is always issued by the service provider and MUST NOT be specified by the client",
		"n/a: client obligation (a client's id is ignored)", "TestRFC7644_3_3_CreateIgnoresReadOnly"),
	c(7643, "3.1", "The string \"bulkId\" is a reserved keyword and MUST NOT be used within any unique identifier value",
		"n/a: ids are issued by the host's store.Store (the memory store's are UUIDs)"),
	c(7643, "3.1", "[externalId] is issued by the provisioning client and MUST NOT be specified by the service provider", covered,
		"TestRFC7644_3_3_CreateIgnoresReadOnly"),
	c(7643, "3.1", "The service provider MUST always interpret the externalId as scoped to the provisioning domain",
		"n/a: one provisioning domain per handler (and tenant); externalId has uniqueness none"),
	c(7643, "3.1", "[meta] SHALL be ignored when provided by clients", covered,
		"TestRFC7644_3_3_CreateIgnoresReadOnly", "TestOktaProvisioning", "patch:TestApplyOkta"),
	c(7643, "3.1", "[meta.created:] This attribute MUST be a DateTime", covered,
		"TestRFC7643_3_1_LastModified", "TestOktaProvisioning"),
	c(7643, "3.1", "[meta.lastModified:] If this resource has never been modified … the value MUST be the same as … \"created\"", covered,
		"TestRFC7643_3_1_LastModified"),
	c(7643, "3.1", "[meta.location:] This value MUST be the same as the \"Content-Location\" HTTP response header",
		"n/a: no Content-Location header is sent; on a create the Location header equals meta.location", "TestLocation"),
	c(7643, "3.1", "[meta.version:] must be the same as the entity-tag (ETag) HTTP response header", covered,
		"TestETags", "TestOktaProvisioning"),
	c(7643, "3.1", "the origin server MUST mark the \"version\" (entity-tag) as weak by prefixing its opaque value with \"W/\"", covered,
		"TestETags"),
	c(7643, "3.3", "Schema extensions SHOULD avoid redefining any attributes defined in this specification",
		"n/a: obligation of the host that writes an extension schema"),
	c(7643, "3.3", "The \"schemas\" attribute MUST contain at least one value, which SHALL be the base schema for the resource", covered,
		"TestRFC7643_3_SchemasAttribute"),
	c(7643, "3.3", "the schema extension URI SHALL be used as a JSON container to distinguish attributes [of the extension]", covered,
		"TestOktaProvisioning", "TestRFC7643_3_SchemasAttribute", "schema:TestNormalize/extension object not in schemas"),

	// RFC 7643 §4 SCIM Core Resources and Extensions
	c(7643, "4.1.1", "Each User MUST include a non-empty userName value", covered,
		"TestRFC7643_4_UserNameAndDisplayNameRequired", "TestBadInput/missing userName", "schema:TestNormalize/userName missing"),
	c(7643, "4.1.1", "This identifier MUST be unique across the service provider's entire set of Users", covered,
		"TestOktaProvisioning", "TestConcurrentCreateSameUserName", "FuzzHandler"),
	c(7643, "4.1.1", "[userName:] This attribute is REQUIRED and is case insensitive", covered,
		"TestOktaProvisioning", "store:TestMemoryUniquenessRules"),
	c(7643, "4.1.1", "[name:] If both variants are returned, they SHOULD be describing the same name",
		"n/a: client obligation (name is returned as the client sent it)"),
	c(7643, "4.1.1", "[displayName:] The name SHOULD be the full name of the User being described, if known", "n/a: client obligation"),
	c(7643, "4.1.1", "The value provided SHOULD be the primary textual label by which this User is normally displayed",
		"n/a: client obligation"),
	c(7643, "4.1.1", "[nickName:] This attribute SHOULD NOT be used to represent a User's username", "n/a: client obligation"),
	c(7643, "4.1.1", "The cleartext value or the hashed value of a password SHALL NOT be returnable by a service provider", covered,
		"TestOktaProvisioning", "TestProjection/password selected", "FuzzHandler"),
	c(7643, "4.1.1", "If a service provider holds the value locally, the value SHOULD be hashed",
		"not supported: the password is handed to the store as sent; hashing is the host's (doc.go)"),
	c(7643, "4.1.1", "the cleartext password SHOULD be processed … [prepared for comparison, checked against policy, hashed]",
		"not supported: the host's store receives the password as sent and applies its own policy"),
	c(7643, "4.1.1", "[passing the cleartext password on] MUST pass the value directly over a secured connection (e.g., TLS)",
		"n/a: obligation of the host's store"),
	c(7643, "4.1.1", "If the value needs to be temporarily persisted … the value MUST be protected by some method, such as encryption",
		"n/a: obligation of the host's store (the handler persists nothing itself)"),
	c(7643, "4.1.1", "[password is writeOnly,] indicating that the value MUST NOT be returned by a service provider in any form", covered,
		"TestProjection/password selected", "TestDiscovery", "FuzzHandler"),
	c(7643, "4.1.2", "[emails:] The value SHOULD be specified according to [RFC5321]", "n/a: client obligation"),
	c(7643, "4.1.2", "[emails:] Service providers SHOULD canonicalize the value according to [RFC5321]",
		"not supported: email values are stored and returned as sent"),
	c(7643, "4.1.2", "[phoneNumbers:] The value SHOULD be specified according to the format defined in [RFC3966]", "n/a: client obligation"),
	c(7643, "4.1.2", "[phoneNumbers:] Service providers SHOULD canonicalize the value according to [RFC3966] format, when appropriate",
		"not supported: phone numbers are stored as sent (identity providers send free text)"),
	c(7643, "4.1.2", "[ims:] service providers SHOULD, when appropriate, remove all whitespace and convert the address to lowercase",
		"not supported: ims values are stored as sent"),
	c(7643, "4.1.2", "[ims:] The \"type\" sub-attribute SHOULD take one of the following values: \"aim\", \"gtalk\", …",
		"n/a: client obligation"),
	c(7643, "4.1.2", "[photos:] The resource MUST be a file … rather than a web page containing an image", "n/a: client obligation"),
	c(7643, "4.1.2", "[photos:] this attribute SHOULD NOT be used to send down arbitrary photos taken by this user",
		"n/a: client obligation"),
	c(7643, "4.1.2", "[addresses.country:] When specified, the value MUST be in ISO 3166-1 \"alpha-2\" code format",
		"n/a: client obligation (not checked)"),
	c(7643, "4.1.2", "Direct group membership … SHOULD indicate that clients may modify membership through the \"Group\" resource",
		"not supported: User.groups is not derived from Group memberships, so it is never returned"),
	c(7643, "4.1.2", "[groups:] the \"value\" sub-attribute MUST be the \"id\", and the \"$ref\" … the URI of the … \"Group\"",
		"not supported: User.groups is not derived from Group memberships, so it is never returned",
		"TestRFC7643_4_1_2_GroupsViaGroupResource"),
	c(7643, "4.1.2", "Since this attribute has a mutability of \"readOnly\", group membership changes MUST be applied via the \"Group\"", covered,
		"TestRFC7643_4_1_2_GroupsViaGroupResource", "patch:TestApplyErrors/readOnly by path"),
	c(7643, "4.1.2", "[x509Certificates:] Each value contains exactly one DER-encoded X.509 certificate … MUST be base64 encoded", covered,
		"schema:TestNormalize/bad binary"),
	c(7643, "4.1.2", "[x509Certificates:] A single value MUST NOT contain multiple certificates", "n/a: client obligation (not checked)"),
	c(7643, "4.2", "[displayName:] A human-readable name for the Group. REQUIRED.", covered,
		"TestRFC7643_4_UserNameAndDisplayNameRequired", "schema:TestNormalize/group displayName missing"),
	c(7643, "4.2", "[members:] the \"value\" sub-attribute contains the value of an \"id\" attribute of a SCIM resource", covered,
		"FuzzHandler", "TestDeleteUserWhileAddedToGroups"),
	c(7643, "4.2", "[members:] While values MAY be added or removed, sub-attributes of members are \"immutable\"", covered,
		"patch:TestApplyErrors"),
	c(7643, "4.3", "[manager:] value … RECOMMENDED; $ref … RECOMMENDED", "n/a: client obligation"),
	c(7643, "4.3", "[manager.displayName:] … mutability is \"readOnly\"", covered,
		"TestRFC7644_3_3_CreateIgnoresReadOnly", "schema:TestNormalize/read-only sub-attribute by URN path"),
}

// testDirs maps a test reference's package prefix to its directory,
// relative to this package.
var testDirs = map[string]string{"": ".", "schema": "schema", "filter": "../filter", "patch": "../patch", "store": "../store"}

// testFunc is a top-level function of a test file.
type testFunc struct {
	file string // the source of the file that declares it
	body string // the function's own source
}

// testFuncs parses the test files of dir and returns their top-level
// functions by name.
func testFuncs(t *testing.T, dir string) map[string]testFunc {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files in %s: %v", dir, err)
	}
	funcs := map[string]testFunc{}
	fset := gotoken.NewFileSet()
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("parsing %s: %v", name, err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
				from, to := fset.Position(fd.Pos()).Offset, fset.Position(fd.End()).Offset
				funcs[fd.Name.Name] = testFunc{file: string(src), body: string(src[from:to])}
			}
		}
	}
	return funcs
}

var sectionRE = regexp.MustCompile(`^\d+(\.\d+)*$`)

// inScope reports whether section is one the table covers: RFC 7644
// §3.2–§3.4 and §3.7, RFC 7643 §2–§4.
func inScope(rfc int, section string) bool {
	switch rfc {
	case 7644:
		for _, p := range []string{"3.2", "3.3", "3.4", "3.7"} {
			if section == p || strings.HasPrefix(section, p+".") {
				return true
			}
		}
	case 7643:
		for _, p := range []string{"2", "3", "4"} {
			if section == p || strings.HasPrefix(section, p+".") {
				return true
			}
		}
	}
	return false
}

// TestRFCClauses checks the clause table: every row is well formed, every
// test it names exists (a renamed or deleted test fails here), every gap
// names the test that shows it, and every test written for a clause is in
// the table.
func TestRFCClauses(t *testing.T) {
	funcs := map[string]map[string]testFunc{}
	for pkg, dir := range testDirs {
		funcs[pkg] = testFuncs(t, dir)
	}
	referenced := map[string]bool{}
	counts := map[string]int{}
	keyword := regexp.MustCompile(`\b(MUST|SHALL|SHOULD|REQUIRED|RECOMMENDED)\b`)
	normative := 0
	for i, cl := range rfcClauses {
		where := fmt.Sprintf("RFC %d §%s (row %d)", cl.rfc, cl.section, i)
		if !inScope(cl.rfc, cl.section) || !sectionRE.MatchString(cl.section) {
			t.Errorf("%s: section out of scope", where)
		}
		if cl.text == "" || len([]rune(cl.text)) > 120 {
			t.Errorf("%s: clause text is empty or longer than 120 characters: %q", where, cl.text)
		}
		kind, why, _ := strings.Cut(cl.status, ": ")
		switch {
		case cl.status == covered:
			if len(cl.tests) == 0 {
				t.Errorf("%s: covered by no test", where)
			}
		case kind == "n/a" || kind == "not supported":
			if strings.TrimSpace(why) == "" {
				t.Errorf("%s: status %q gives no reason", where, cl.status)
			}
		case kind == "gap":
			if strings.TrimSpace(why) == "" || len(cl.tests) == 0 {
				t.Errorf("%s: a gap needs a description and the test that shows it", where)
			}
		default:
			t.Errorf("%s: unknown status %q", where, cl.status)
		}
		counts[kind]++
		if keyword.MatchString(cl.text) {
			normative++
		}
		for j, ref := range cl.tests {
			pkg, name := "", ref
			if p, n, ok := strings.Cut(ref, ":"); ok {
				pkg, name = p, n
			}
			fn, sub, _ := strings.Cut(name, "/")
			byName, ok := funcs[pkg]
			if !ok {
				t.Errorf("%s: %q: unknown package %q", where, ref, pkg)
				continue
			}
			f, ok := byName[fn]
			if !ok || !(strings.HasPrefix(fn, "Test") || strings.HasPrefix(fn, "Fuzz")) {
				t.Errorf("%s: test %q not found in %s", where, ref, testDirs[pkg])
				continue
			}
			if kind == "gap" && j == 0 && !strings.Contains(f.body, `"gap: `) {
				t.Errorf("%s: %s, the first test of a gap row, has no t.Skip(\"gap: …\"); if the gap is fixed, mark the row covered", where, fn)
			}
			if sub != "" && !strings.Contains(f.file, `"`+sub+`"`) {
				t.Errorf("%s: subtest %q of %s not found", where, sub, fn)
			}
			if pkg == "" {
				referenced[fn] = true
			}
		}
	}
	var orphans []string
	for fn := range funcs[""] {
		if strings.HasPrefix(fn, "TestRFC7") && !referenced[fn] {
			orphans = append(orphans, fn)
		}
	}
	sort.Strings(orphans)
	if len(orphans) > 0 {
		t.Errorf("tests written for a clause but named by no row: %v", orphans)
	}
	t.Logf("%d clauses (%d with an upper-case keyword): %d covered, %d n/a, %d not supported, %d gaps",
		len(rfcClauses), normative, counts[covered], counts["n/a"], counts["not supported"], counts["gap"])
}
