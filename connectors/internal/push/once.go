package push

import (
	"context"
	"errors"
	"net/http"
	"syscall"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
)

// SendOnce sends a write that a retry could duplicate (a create, an
// import) without the client's retries: it is sent again only when it
// cannot have reached the vendor, because the connection was refused or
// the vendor answered 429 (a request refused by the rate limit is not
// carried out), at most attempts times in all. do sends the request with
// the context it is given.
func SendOnce(ctx context.Context, attempts int, do func(context.Context) (*httpx.Response, error)) (*httpx.Response, error) {
	for attempt := 1; ; attempt++ {
		resp, err := do(httpx.WithoutRetry(ctx))
		wait, again := unsent(err, attempt)
		if err == nil || !again || attempt >= attempts {
			return resp, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// unsent says whether err proves the request was not carried out, and how
// long to wait before sending it again.
func unsent(err error, attempt int) (time.Duration, bool) {
	var se *httpx.StatusError
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, syscall.ECONNREFUSED):
		return time.Duration(attempt) * time.Second, true
	case errors.As(err, &se) && se.StatusCode == http.StatusTooManyRequests:
		if se.RetryAfter > 0 {
			return se.RetryAfter, true
		}
		return time.Duration(attempt) * time.Second, true
	}
	return 0, false
}
