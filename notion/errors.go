package notion

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/jomei/notionapi"
)

// Error is an error answer from the Notion API, or a failure to get any answer
// after all retries. It never carries the token.
type Error struct {
	// Method and Endpoint say which request failed; Endpoint has ids replaced
	// by {id} so that errors group well in reports.
	Method   string
	Endpoint string
	// Status is the HTTP status, 0 when no answer arrived at all.
	Status int
	// Code and Message are Notion's own (for example "object_not_found").
	Code      string
	Message   string
	RequestID string
	// Err is the underlying transport error when Status is 0.
	Err error
}

func (e *Error) Error() string {
	where := e.Method + " " + e.Endpoint
	switch {
	case e.Status == 0 && e.Err != nil:
		return fmt.Sprintf("notion: %s: %v", where, e.Err)
	case e.Status == http.StatusUnauthorized:
		return fmt.Sprintf("notion: %s: 401 unauthorized: the token was rejected; "+
			"set NOTION_TOKEN (or --token) to the internal integration secret of an "+
			"integration in this workspace, and share the pages with it", where)
	case e.Code != "":
		return fmt.Sprintf("notion: %s: %d %s: %s", where, e.Status, e.Code, e.Message)
	default:
		return fmt.Sprintf("notion: %s: HTTP %d: %s", where, e.Status, e.Message)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// decodeError reads Notion's error body. jomei/notionapi's Error matches the
// body's documented fields; request_id is read beside it.
func decodeError(status int, body []byte) (code, message, requestID string) {
	var wire struct {
		notionapi.Error
		RequestID string `json:"request_id"`
	}
	if err := jsonUnmarshal(body, &wire); err != nil || wire.Object != notionapi.ObjectTypeError {
		return "", http.StatusText(status), ""
	}
	return string(wire.Code), wire.Message, wire.RequestID
}

func asError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsNotFound reports whether Notion said the object does not exist or is not
// shared with the integration (Notion does not tell the two apart).
func IsNotFound(err error) bool {
	e, ok := asError(err)
	return ok && (e.Status == http.StatusNotFound || e.Code == "object_not_found")
}

// IsUnauthorized reports whether the token was rejected.
func IsUnauthorized(err error) bool {
	e, ok := asError(err)
	return ok && e.Status == http.StatusUnauthorized
}

// IsRestricted reports whether the integration lacks a capability for the
// object (403 restricted_resource).
func IsRestricted(err error) bool {
	e, ok := asError(err)
	return ok && (e.Status == http.StatusForbidden || e.Code == "restricted_resource")
}

// IsValidation reports whether Notion rejected the request body.
func IsValidation(err error) bool {
	e, ok := asError(err)
	return ok && e.Status == http.StatusBadRequest
}

// IsRetryable reports whether the failure is one a later attempt may not
// repeat: rate limits, overload, conflicts, server faults and the network.
func IsRetryable(err error) bool {
	e, ok := asError(err)
	if !ok {
		return false
	}
	return e.Status == 0 || retryableStatus(e.Status)
}

func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, 529, http.StatusConflict,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout, 522:
		return true
	}
	return false
}
