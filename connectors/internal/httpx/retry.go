package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// mode is what send does with the response.
type mode int

const (
	modeWhole  mode = iota // Do: read the body, retrying if it breaks off
	modeStream             // Stream: hand over the body; errors as *StatusError
	modeRaw                // RoundTrip: hand over the final response as it is
)

type result struct {
	resp     *http.Response
	body     []byte
	attempts int
}

var errBadURL = errors.New("URL must be absolute http or https")

// send runs the attempts of one request: limiter, credentials, timeout,
// classification, re-authentication, backoff and the retry budget.
func (c *Client) send(req *http.Request, m mode) (result, error) {
	if req.URL == nil || (req.URL.Scheme != "http" && req.URL.Scheme != "https") || req.URL.Host == "" {
		if req.Body != nil {
			req.Body.Close()
		}
		return result{}, &RequestError{Method: req.Method, Path: urlPath(req.URL), Err: errBadURL, msg: errBadURL.Error(), permanent: true}
	}
	ctx := req.Context()
	getBody, size, err := replayable(req)
	if err != nil {
		return result{}, newRequestError(req, 0, fmt.Errorf("read request body: %w", err), nil, false)
	}
	maxRetries := c.retry.MaxAttempts - 1
	if ctx.Value(ctxNoRetry) != nil {
		maxRetries = 0
	}
	rt := c.stream
	if m == modeWhole {
		rt = c.whole
	}
	retries, reauths := 0, refreshes{}
	c.budget.request()
	for attempt := 1; ; attempt++ {
		r, gen, err := c.prepare(req, getBody, size, attempt)
		if err != nil {
			return result{attempts: attempt - 1}, err
		}
		scrub := newScrubber(r, c.secrets...)
		resp, err := rt.RoundTrip(r)
		var body []byte
		if err == nil && m == modeWhole && resp.StatusCode < 400 {
			body, err = c.readBody(resp)
		}
		c.budget.attempt(err != nil || c.retryOn[resp.StatusCode])
		if err != nil {
			if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
				err = fmt.Errorf("%w (%v)", cerr, err) // the caller gave up: say so, matchably
			}
			rerr := newRequestError(r, attempt, err, scrub, transportRetryable(ctx, err))
			if !IsRetryable(rerr) || retries >= maxRetries {
				return result{attempts: attempt}, rerr
			}
			if err := c.backoff(r, 0, false, rerr, retries); err != nil {
				return result{attempts: attempt}, err
			}
			retries++
			continue
		}

		status := resp.StatusCode
		if status == http.StatusTooManyRequests {
			c.stats.tooMany.Add(1)
		}
		if status < 400 {
			if c.auth != nil {
				c.auth.worked(gen)
			}
			return result{resp: resp, body: body, attempts: attempt}, nil
		}
		if c.auth != nil && (status == http.StatusUnauthorized || (status == http.StatusForbidden && c.reauth403)) &&
			c.auth.mayRefresh(gen, &reauths) {
			err := c.auth.refresh(ctx, gen, c.noAuth, c.stats)
			if err == nil {
				discard(resp)
				continue
			}
			if !errors.Is(err, ErrNoRefresh) {
				discard(resp)
				return result{attempts: attempt}, fmt.Errorf("%s %s: re-authenticate after %d: %w", r.Method, urlPath(r.URL), status, err)
			}
		}
		final := !c.retryOn[status] || retries >= maxRetries
		if final && m == modeRaw {
			return result{resp: resp, attempts: attempt}, nil
		}
		ra, hasRA := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		serr := c.statusError(r, resp, attempt, scrub, ra, m != modeRaw)
		if final {
			return result{attempts: attempt}, serr
		}
		if err := c.backoff(r, ra, hasRA, serr, retries); err != nil {
			return result{attempts: attempt}, err
		}
		retries++
	}
}

// prepare makes attempt n's own copy of req with a fresh body, the
// User-Agent and credentials. It returns the credentials' generation.
func (c *Client) prepare(req *http.Request, getBody func() (io.ReadCloser, error), size int64, n int) (*http.Request, uint64, error) {
	r := req.Clone(context.WithValue(req.Context(), ctxAttempt, n))
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	if getBody != nil {
		b, err := getBody()
		if err != nil {
			return nil, 0, newRequestError(r, n-1, fmt.Errorf("replay request body: %w", err), nil, false)
		}
		r.Body, r.GetBody = b, getBody
		if size >= 0 {
			r.ContentLength = size
		}
	}
	if r.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", c.userAgent)
	}
	if c.auth == nil {
		return r, 0, nil
	}
	gen := c.auth.gen.Load()
	if err := c.auth.a.Apply(r, c.noAuth); err != nil {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, 0, fmt.Errorf("%s %s: authenticate: %w", r.Method, urlPath(r.URL), err)
	}
	return r, gen, nil
}

// replayable returns a function giving a fresh copy of req's body for each
// attempt, and the body's size (-1: leave ContentLength as it is). A body
// without GetBody is read into memory once.
func replayable(req *http.Request) (func() (io.ReadCloser, error), int64, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, -1, nil
	}
	defer req.Body.Close()
	if req.GetBody != nil {
		return req.GetBody, -1, nil
	}
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, -1, err
	}
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }, int64(len(b)), nil
}

// backoff spends a retry from the budget and sleeps before retry number
// retries (from 0). last is the failure being retried, already scrubbed.
func (c *Client) backoff(r *http.Request, ra time.Duration, hasRA bool, last error, retries int) error {
	if err := c.budget.take(); err != nil {
		return fmt.Errorf("%w; last failure: %w", err, last)
	}
	ctx := r.Context()
	wait := c.retryWait(retries, ra, hasRA)
	if se, ok := last.(*StatusError); ok && hasRA && se.StatusCode == http.StatusTooManyRequests && c.limiter != nil {
		c.limiter.Pause(limitKey(ctx, c.vendor), wait) // hold back the key's other requests too
	}
	c.logRetry(r, last, wait)
	start := time.Now()
	err := sleep(ctx, wait)
	c.stats.retryWait.Add(int64(time.Since(start)))
	if err != nil {
		return &RequestError{
			Method: r.Method, Path: urlPath(r.URL), Attempts: attemptFrom(ctx), Err: err,
			msg: fmt.Sprintf("%v while waiting to retry (last failure: %s)", err, reason(last)),
		}
	}
	c.stats.retries.Add(1)
	return nil
}

// reason is the short form of a failure for messages.
func reason(err error) string {
	switch e := err.(type) {
	case *StatusError:
		return strconv.Itoa(e.StatusCode) + " " + http.StatusText(e.StatusCode)
	case *RequestError:
		return e.msg
	}
	return err.Error()
}

// retryWait is the sleep before retry number retries (from 0): the
// Retry-After the server asked for, capped, or a full-jitter exponential
// backoff.
func (c *Client) retryWait(retries int, ra time.Duration, hasRA bool) time.Duration {
	if hasRA {
		return min(ra, c.retry.MaxRetryAfter)
	}
	ceil := c.retry.MaxDelay
	if retries < 32 {
		if d := c.retry.BaseDelay << retries; d>>retries == c.retry.BaseDelay && d < ceil {
			ceil = d
		}
	}
	return rand.N(ceil + 1)
}

// parseRetryAfter reads a Retry-After value in either form: delay-seconds
// or an HTTP-date. A date in the past means no wait.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if secs != secs || secs < 0 { // NaN or negative
			return 0, false
		}
		const maxSecs = 1e6 // beyond any cap; keeps Duration from overflowing
		return time.Duration(min(secs, maxSecs) * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// readBody reads a whole successful body, at most maxBody bytes.
func (c *Client) readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(b)) > c.maxBody {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, c.maxBody)
	}
	resp.Body = http.NoBody
	return b, nil
}

// statusError turns an error response into a *StatusError, reading at most
// maxErrorBody bytes for the vendor's message when readBody is set, and
// closes the response.
func (c *Client) statusError(r *http.Request, resp *http.Response, attempts int, s scrubber, ra time.Duration, readBody bool) *StatusError {
	e := &StatusError{
		StatusCode: resp.StatusCode,
		Method:     r.Method,
		Path:       urlPath(r.URL),
		RetryAfter: ra,
		Attempts:   attempts,
		retryable:  c.retryOn[resp.StatusCode],
		classified: true,
	}
	if readBody {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		d := c.extract(b)
		e.Code = clean(s.scrub(d.Code), maxCodeRunes)
		e.Message = clean(s.scrub(d.Message), maxMessageRunes)
		e.RequestID = clean(s.scrub(d.RequestID), maxCodeRunes)
	}
	discard(resp)
	return e
}

// discard drains a little of a body, so the connection can be reused, and
// closes it.
func discard(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
}
