package patch

import (
	"errors"
	"fmt"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/scim/schema"
)

// Error reports the operation [Apply] failed on.
type Error struct {
	// Index is the position of the operation in the list, from 0. For a
	// rule checked after all operations (a required attribute removed, an
	// immutable value changed) it is the last operation that touched the
	// attribute at fault.
	Index int
	// Op and Path are the operation's op and path as given.
	Op, Path string
	// Err is the cause: a *schema.Error, or a *filter.Error for a path
	// that does not parse.
	Err error
}

// Error returns a message such as
//
//	operation 2 (replace "emails[type eq \"work\"].value"): attribute "emails.value": ...
func (e *Error) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("operation %d (%s): %v", e.Index, e.Op, e.Err)
	}
	return fmt.Sprintf("operation %d (%s %q): %v", e.Index, e.Op, e.Path, e.Err)
}

// Unwrap returns e.Err.
func (e *Error) Unwrap() error { return e.Err }

// ScimType returns the RFC 7644 §3.12 scimType to answer with:
// "invalidPath" for a path that does not parse or names an unknown
// attribute, "noTarget" for a remove without a path or a value filter with
// nothing to act on, "mutability" for a readOnly or immutable attribute,
// "invalidValue" for a value of the wrong type or shape, and
// "invalidSyntax" otherwise.
func (e *Error) ScimType() string {
	var se *schema.Error
	if errors.As(e.Err, &se) && se.ScimType != "" {
		return se.ScimType
	}
	var fe *filter.Error
	if errors.As(e.Err, &fe) {
		return schema.ScimInvalidPath
	}
	return schema.ScimInvalidSyntax
}
