package push

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// Refused reports whether err is the vendor's final refusal of a write:
// a 4xx other than 429 (a request refused by the rate limit was not
// judged). The write failed; the push goes on.
func Refused(err error) bool {
	se, ok := errors.AsType[*httpx.StatusError](err)
	return ok && se.StatusCode >= 400 && se.StatusCode < 500 && se.StatusCode != http.StatusTooManyRequests
}

// FailedBy makes o the outcome of a change the vendor answered err for:
// failed, with the vendor's code (its HTTP status when the body has none)
// and message (the status text when it has none). It returns the
// request id the vendor gave, and false when err is not a vendor's answer.
func FailedBy(err error, o *pipeline.Outcome) (requestID string, ok bool) {
	se, ok := errors.AsType[*httpx.StatusError](err)
	if !ok {
		return "", false
	}
	o.Status, o.TargetID = pipeline.StatusFailed, ""
	o.Code, o.Message = se.Code, se.Message
	if o.Code == "" {
		o.Code = strconv.Itoa(se.StatusCode)
	}
	if o.Message == "" {
		o.Message = http.StatusText(se.StatusCode)
	}
	return se.RequestID, true
}
