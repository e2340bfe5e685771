package schema

import "fmt"

// The scimType keywords of RFC 7644 §3.12.
const (
	ScimInvalidFilter = "invalidFilter"
	ScimTooMany       = "tooMany"
	ScimUniqueness    = "uniqueness"
	ScimMutability    = "mutability"
	ScimInvalidSyntax = "invalidSyntax"
	ScimInvalidPath   = "invalidPath"
	ScimNoTarget      = "noTarget"
	ScimInvalidValue  = "invalidValue"
	ScimInvalidVers   = "invalidVers"
	ScimSensitive     = "sensitive"
)

// Error is a client error found while reading or validating a resource: it
// becomes HTTP 400 with ScimType as the RFC 7644 §3.12 scimType and a detail
// built from Path and Detail.
type Error struct {
	// ScimType is one of the RFC 7644 §3.12 keywords above.
	ScimType string
	// Path names the attribute at fault in canonical form, e.g.
	// "emails[1].primary" or "urn:...:enterprise:2.0:User:manager"; it may
	// be empty.
	Path string
	// Detail says what is wrong, without the path.
	Detail string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Detail
	}
	return fmt.Sprintf("attribute %q: %s", e.Path, e.Detail)
}

// Errorf returns an *Error with a formatted detail.
func Errorf(scimType, path, format string, args ...any) *Error {
	return &Error{ScimType: scimType, Path: path, Detail: fmt.Sprintf(format, args...)}
}

// collector keeps the error with the smallest path, so that results do not
// depend on map iteration order.
type collector struct {
	err *Error
}

func (c *collector) fail(e *Error) {
	if c.err == nil || e.Path < c.err.Path || (e.Path == c.err.Path && e.Detail < c.err.Detail) {
		c.err = e
	}
}
