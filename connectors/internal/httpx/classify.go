package httpx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Sentinel errors. Match them with errors.Is.
var (
	// ErrRetryBudgetExhausted is returned, wrapping the last failure, when
	// a request needed a retry and the run's RetryBudget was spent. The run
	// should stop and save its progress.
	ErrRetryBudgetExhausted = errors.New("httpx: retry budget exhausted")
	// ErrAttemptTimeout means one attempt ran past Config.AttemptTimeout.
	ErrAttemptTimeout = errors.New("httpx: attempt timed out")
	// ErrBodyTooLarge means a body passed Config.MaxBodyBytes in Do.
	ErrBodyTooLarge = errors.New("httpx: response body too large")
)

// StatusError is a response the client did not retry, or stopped retrying:
// the final word of the server on a request. It carries no query string,
// header or body, only the vendor's message, scrubbed and cut short.
type StatusError struct {
	StatusCode int
	Method     string
	// Path is the URL path, escaped, without the query string.
	Path string
	// Code, Message and RequestID are what the ErrorExtractor found in the
	// body (for example LiveVox's {"code":403,"Request Id":..,"Message":..}).
	Code      string
	Message   string
	RequestID string
	// RetryAfter is the wait the server asked for, if it did.
	RetryAfter time.Duration
	// Attempts is how many times the request was sent.
	Attempts int

	// retryable is set by the client from its policy; classified tells
	// whether it was.
	retryable, classified bool
}

func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode))
	if e.Code != "" {
		fmt.Fprintf(&b, " (code %s)", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request id %s]", e.RequestID)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// Retryable reports whether the status is one the client's policy retries
// (the default policy's statuses when the error was not made by a Client).
func (e *StatusError) Retryable() bool {
	if e.classified {
		return e.retryable
	}
	for _, s := range DefaultRetryPolicy().Statuses {
		if s == e.StatusCode {
			return true
		}
	}
	return false
}

// RequestError is a request that got no usable response: the connection
// failed or dropped, the attempt timed out, the context ended, or the
// request itself was unusable.
type RequestError struct {
	Method   string
	Path     string
	Attempts int
	// Err is the cause, for errors.Is and errors.As.
	Err error

	msg                  string // Err's text, scrubbed of the request's secrets
	retryable, permanent bool
}

func (e *RequestError) Error() string {
	s := fmt.Sprintf("%s %s: %s", e.Method, e.Path, e.msg)
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

func (e *RequestError) Unwrap() error { return e.Err }

// IsRetryable reports whether err is a transient failure that a later
// attempt may get past: a retryable status, a connection error or an
// attempt timeout. An exhausted retry budget is not retryable: the run is
// meant to stop.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, ErrRetryBudgetExhausted) {
		return false
	}
	if se, ok := errors.AsType[*StatusError](err); ok {
		return se.Retryable()
	}
	if re, ok := errors.AsType[*RequestError](err); ok {
		return re.retryable
	}
	return false
}

// IsPermanent reports whether err will recur however often the request is
// sent: a non-retryable status (400, 401 after re-authentication, 403, 404,
// 409, 422...), an oversized body, a bad URL or certificate. An exhausted
// retry budget and a cancelled context are neither retryable nor permanent.
func IsPermanent(err error) bool {
	if err == nil || errors.Is(err, ErrRetryBudgetExhausted) {
		return false
	}
	if se, ok := errors.AsType[*StatusError](err); ok {
		return !se.Retryable()
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if re, ok := errors.AsType[*RequestError](err); ok {
		return re.permanent
	}
	return errors.Is(err, ErrBodyTooLarge)
}

// transportRetryable classifies an error from sending a request or reading
// its body. ctx is the request's own context (not the attempt's).
func transportRetryable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false // the caller gave up
	}
	if errors.Is(err, ErrAttemptTimeout) {
		return true
	}
	if errors.Is(err, ErrBodyTooLarge) {
		return false
	}
	var (
		unknownCA   x509.UnknownAuthorityError
		hostname    x509.HostnameError
		invalidCert x509.CertificateInvalidError
		verify      *tls.CertificateVerificationError
		dns         *net.DNSError
	)
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &hostname),
		errors.As(err, &invalidCert), errors.As(err, &verify):
		return false
	case errors.As(err, &dns):
		return !dns.IsNotFound
	}
	return true // refused, reset, EOF mid-body, timeouts: worth another try
}

// newRequestError wraps err for r, scrubbing its text. Context errors keep
// their identity for errors.Is.
func newRequestError(r *http.Request, attempts int, err error, s scrubber, retryable bool) *RequestError {
	return &RequestError{
		Method:    r.Method,
		Path:      urlPath(r.URL),
		Attempts:  attempts,
		Err:       err,
		msg:       s.scrub(err.Error()),
		retryable: retryable,
		permanent: !retryable && r.Context().Err() == nil,
	}
}

// urlPath is u's escaped path: no query, no user info, no host.
func urlPath(u *url.URL) string {
	if u == nil {
		return ""
	}
	if p := u.EscapedPath(); p != "" {
		return p
	}
	return "/"
}
