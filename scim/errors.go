package scim

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/scim/schema"
	"github.com/scimkit/scimkit/store"
)

// Error is an error answered to the client as a SCIM Error message
// (RFC 7644 §3.12). A Store may return one (or wrap one) to choose the
// status and detail itself; the handler finds it with errors.As.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// ScimType is the RFC 7644 §3.12 keyword, or "".
	ScimType string
	// Detail is sent to the client: it must not reveal secrets.
	Detail string
	// Err is the cause. It is logged, never sent.
	Err error
}

func (e *Error) Error() string {
	s := "scim: " + strconv.Itoa(e.Status)
	if e.ScimType != "" {
		s += " " + e.ScimType
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// errorBody is the JSON form of a SCIM Error message. Status is a string,
// as in RFC 7644 §3.12.
type errorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

// errorBodyOf is the SCIM Error message of e.
func errorBodyOf(e *Error) errorBody {
	return errorBody{Schemas: []string{schema.ErrorURN}, Status: strconv.Itoa(e.Status), ScimType: e.ScimType, Detail: e.Detail}
}

// ErrorOf returns the SCIM Error the handler answers err with: err itself
// (or the *Error it wraps), the status of a store sentinel it wraps
// (store.ErrNotFound 404, ErrConflict 409 uniqueness, ErrTooMany 400
// tooMany, ErrUnavailable 503, …), or a 500 "internal server error" for
// errors it does not know. It returns nil for nil. Hosts use it in their
// own middleware or jobs to answer errors the way the handler does.
func ErrorOf(err error) *Error {
	if err == nil {
		return nil
	}
	return toError(err)
}

// toError maps any error from the pure packages, the store or the HTTP
// layer to the *Error answered to the client. Errors it does not know
// become a 500 whose detail reveals nothing; the caller logs those.
func toError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var pe *patch.Error
	if errors.As(err, &pe) {
		return &Error{Status: http.StatusBadRequest, ScimType: pe.ScimType(), Detail: pe.Error(), Err: err}
	}
	var se *schema.Error
	if errors.As(err, &se) {
		return &Error{Status: http.StatusBadRequest, ScimType: se.ScimType, Detail: se.Error(), Err: err}
	}
	var fe *filter.Error
	if errors.As(err, &fe) {
		return &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidFilter, Detail: fe.Error(), Err: err}
	}
	var re *store.ReferenceError
	if errors.As(err, &re) {
		return &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidValue,
			Detail: "attribute " + strconv.Quote(re.Attribute) + ": " + strconv.Quote(re.Value) + " is the id of no existing resource", Err: err}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &Error{Status: http.StatusRequestEntityTooLarge,
			Detail: "request body exceeds " + strconv.FormatInt(mbe.Limit, 10) + " bytes", Err: err}
	}
	detail := func(generic string) string {
		var de *store.DetailError
		if errors.As(err, &de) && de.Detail != "" {
			return de.Detail
		}
		return generic
	}
	switch {
	case errors.Is(err, store.ErrTooMany):
		return &Error{Status: http.StatusBadRequest, ScimType: schema.ScimTooMany, Detail: detail("the request would make the service provider read too many resources; narrow it"), Err: err}
	case errors.Is(err, store.ErrUnavailable):
		return &Error{Status: http.StatusServiceUnavailable, Detail: detail("the service provider's store did not answer in time"), Err: err}
	case errors.Is(err, store.ErrInvalidPosition):
		return &Error{Status: http.StatusBadRequest, ScimType: scimInvalidCursor, Detail: detail("cursor is not one this service provider issued"), Err: err}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Detail: "resource not found", Err: err}
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusConflict, ScimType: schema.ScimUniqueness, Detail: conflictDetail(err), Err: err}
	case errors.Is(err, store.ErrInvalidReference):
		return &Error{Status: http.StatusBadRequest, ScimType: schema.ScimInvalidValue, Detail: "the request names a resource that does not exist", Err: err}
	case errors.Is(err, store.ErrVersionMismatch):
		return &Error{Status: http.StatusPreconditionFailed, Detail: "resource version does not match If-Match", Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: http.StatusServiceUnavailable, Detail: "request cancelled", Err: err}
	}
	return &Error{Status: http.StatusInternalServerError, Detail: "internal server error", Err: err}
}

// conflictDetail names the attribute when the store wrapped ErrConflict
// with a *ConflictError, and is generic otherwise.
func conflictDetail(err error) string {
	var ce *store.ConflictError
	if errors.As(err, &ce) && ce.Attribute != "" {
		return "a resource with this " + ce.Attribute + " already exists"
	}
	return "a resource with a unique attribute of the same value already exists"
}
