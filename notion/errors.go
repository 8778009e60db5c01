package notion

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

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
	// RateLimitReason is additional_data.rate_limit_reason of a 429: which
	// of Notion's limits was hit.
	RateLimitReason string
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

// rateLimitReason reads additional_data.rate_limit_reason from an error
// body: which limit a 429 hit. Notion documents the field but not its
// values, so it is kept as sent; "" when absent or not a string.
func rateLimitReason(body []byte) string {
	var wire struct {
		Object         string         `json:"object"`
		AdditionalData map[string]any `json:"additional_data"`
	}
	if jsonUnmarshal(body, &wire) != nil || wire.Object != "error" {
		return ""
	}
	s, _ := wire.AdditionalData["rate_limit_reason"].(string)
	return s
}

// sharedLimit reports whether a rate_limit_reason names the workspace-wide
// limit, which every connection to the workspace shares. Notion does not
// list the values; any that speaks of the workspace is taken as that one,
// and any other (or none) as this connection's own budget.
func sharedLimit(reason string) bool {
	return strings.Contains(strings.ToLower(reason), "workspace")
}

// ErrWaitTooLong says Notion asked for a wait longer than the run may wait
// (Config.MaxWait, or what is left before Config.Deadline). The run stops
// rather than sleep for hours unattended; a *WaitTooLongError says how long.
var ErrWaitTooLong = errors.New("the wait Notion asked for is longer than this run may wait")

// WaitTooLongError is ErrWaitTooLong with the figures of the case.
type WaitTooLongError struct {
	// Wait is what was asked for; Limit what the run may wait.
	Wait, Limit time.Duration
	// Deadline is true when the run's deadline, not MaxWait, set Limit.
	Deadline bool
	// RetryAfter is the header as sent, "" for a wait of the client's own
	// (a backoff before a retry); Reason is the rate_limit_reason, if any.
	RetryAfter, Reason string
	// Why says what the wait was for.
	Why string
}

func (e *WaitTooLongError) Error() string {
	limit := fmt.Sprintf("the %s this run may wait", e.Limit)
	if e.Deadline {
		limit = fmt.Sprintf("the %s left before this run's time limit", e.Limit.Round(time.Second))
	}
	if e.RetryAfter == "" {
		return fmt.Sprintf("%s needs a wait of %s, longer than %s", e.Why, FormatWait(e.Wait), limit)
	}
	asked := "Retry-After: " + e.RetryAfter
	if e.Reason != "" {
		asked += ", rate_limit_reason: " + e.Reason
	}
	return fmt.Sprintf("Notion asked to wait %s (%s) before the next request, longer than %s", FormatWait(e.Wait), asked, limit)
}

// Is makes errors.Is(err, ErrWaitTooLong) true.
func (e *WaitTooLongError) Is(target error) bool { return target == ErrWaitTooLong }

// FormatWait writes a wait for people: days, hours and minutes for long
// ones ("11d13h46m"), Go's form for the rest ("42s", "1m30s").
func FormatWait(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd%dh%dm", d/(24*time.Hour), d%(24*time.Hour)/time.Hour, d%time.Hour/time.Minute)
	case d >= time.Hour:
		return fmt.Sprintf("%dh%dm", d/time.Hour, d%time.Hour/time.Minute)
	}
	return d.Round(time.Second).String()
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
	if e.Status == 0 {
		return !permanent(e.Err)
	}
	return retryableStatus(e.Status)
}

// IsFatal reports whether err stops a whole run, not just the object being
// read: the token was refused, or Notion asked for a wait longer than the
// run may wait. Any other request would fail the same way.
func IsFatal(err error) bool {
	return IsUnauthorized(err) || errors.Is(err, ErrWaitTooLong)
}

// ErrUnsupportedScheme says a URL (or a redirect) pointed somewhere the
// client does not go: not HTTPS, or plain HTTP beyond the loopback.
var ErrUnsupportedScheme = errors.New("only HTTPS file hosts are allowed")

// ErrRedirect says the API answered with a redirect. Notion's API does not
// redirect, and following one would carry the token to wherever it points.
var ErrRedirect = errors.New("the API answered with a redirect, which is not followed")

// permanent reports whether a failure to get any answer would happen again
// on every attempt, so that retrying it only wastes the backoff: a scheme
// or redirect refused here, plain HTTP answering a TLS handshake, a
// certificate that does not verify, a host name that does not exist. It
// looks at error types, never at error text.
func permanent(err error) bool {
	if err == nil {
		return false
	}
	var (
		record   tls.RecordHeaderError
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		dns      *net.DNSError
	)
	switch {
	case errors.Is(err, ErrUnsupportedScheme), errors.Is(err, ErrRedirect),
		errors.Is(err, http.ErrSchemeMismatch):
		return true
	case errors.As(err, &record), errors.As(err, &verify), errors.As(err, &unknown),
		errors.As(err, &hostname), errors.As(err, &invalid):
		return true
	case errors.As(err, &dns):
		return dns.IsNotFound
	}
	return false
}

func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, 529, http.StatusConflict, http.StatusRequestTimeout,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout, 522:
		return true
	}
	return false
}
