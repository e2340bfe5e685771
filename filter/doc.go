// Package filter implements the SCIM filter language of RFC 7644 §3.4.2.2
// and the attribute-path grammar used by PATCH paths, "attributes",
// "excludedAttributes" and "sortBy".
package filter
