package httpx

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// observeRT counts every request it passes on and logs it: method, path,
// limiter key, attempt, status or error, and time to the response headers.
// It never logs header values, the query string or bodies; error text is
// scrubbed of the request's header and query values.
type observeRT struct {
	next  http.RoundTripper
	log   *slog.Logger
	level slog.Level
	key   string // default limiter key
	stats *counters
	// secrets are values sent in bodies that messages must not show.
	secrets []string
}

func (o *observeRT) RoundTrip(req *http.Request) (*http.Response, error) {
	o.stats.requests.Add(1)
	ctx := req.Context()
	if !o.log.Enabled(ctx, o.level) {
		return o.next.RoundTrip(req)
	}
	start := time.Now()
	resp, err := o.next.RoundTrip(req)
	attrs := append(requestAttrs(ctx, req, o.key), slog.Duration("duration", time.Since(start)))
	if err != nil {
		attrs = append(attrs, slog.String("error", newScrubber(req, o.secrets...).scrub(err.Error())))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	o.log.LogAttrs(ctx, o.level, "http request", attrs...)
	return resp, err
}

// requestAttrs are the attributes every record about req carries.
func requestAttrs(ctx context.Context, req *http.Request, defaultKey string) []slog.Attr {
	return []slog.Attr{
		slog.String("method", req.Method),
		slog.String("path", urlPath(req.URL)),
		slog.String("key", limitKey(ctx, defaultKey)),
		slog.Int("attempt", attemptFrom(ctx)),
	}
}

// logRetry records the decision to retry r after wait.
func (c *Client) logRetry(r *http.Request, reason error, wait time.Duration) {
	ctx := r.Context()
	if !c.log.Enabled(ctx, slog.LevelWarn) {
		return
	}
	attrs := append(requestAttrs(ctx, r, c.vendor), slog.Duration("wait", wait))
	if se, ok := reason.(*StatusError); ok {
		attrs = append(attrs, slog.Int("status", se.StatusCode))
	} else {
		attrs = append(attrs, slog.String("error", reason.Error())) // already scrubbed
	}
	c.log.LogAttrs(ctx, slog.LevelWarn, "http retry", attrs...)
}
