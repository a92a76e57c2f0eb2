package httpx

import (
	"context"
	"log/slog"
	"net/http"
)

// Client sends one vendor's requests with rate limits, retries,
// re-authentication, timeouts, logs and counters. It is safe for concurrent
// use. Build it with New.
type Client struct {
	vendor    string
	userAgent string
	auth      *authState // nil: no authentication
	reauth403 bool
	retry     RetryPolicy
	retryOn   map[int]bool
	budget    *RetryBudget
	limiter   *Limiter
	log       *slog.Logger
	extract   ErrorExtractor
	maxBody   int64
	whole     http.RoundTripper // attempt chain for Do
	stream    http.RoundTripper // attempt chain for Stream and RoundTrip
	stats     *counters
	noAuth    *Client // this client without auth, for the Authenticator
	secrets   []string
}

// Response is a whole response read by Do.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// Attempts is how many times the request was sent.
	Attempts int
}

// New returns a Client for cfg, or every problem in cfg.
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	lim := cfg.Limiter
	if lim == nil && len(cfg.Limits) > 0 {
		var err error
		if lim, err = quotaLimiter(cfg.Quota, cfg.Limits); err != nil {
			return nil, err
		}
	}
	c := &Client{
		vendor:    cfg.Vendor,
		userAgent: "ccetl/" + cfg.Version,
		reauth403: cfg.ReauthOn403,
		retry:     cfg.Retry,
		retryOn:   make(map[int]bool, len(cfg.Retry.Statuses)),
		budget:    cfg.Budget,
		limiter:   lim,
		log:       cfg.Logger.With(slog.String("vendor", cfg.Vendor)),
		extract:   cfg.ErrorExtractor,
		maxBody:   cfg.MaxBodyBytes,
		stats:     &counters{},
		secrets:   cfg.Secrets,
	}
	for _, s := range cfg.Retry.Statuses {
		c.retryOn[s] = true
	}
	obs := &observeRT{next: cfg.Transport, log: c.log, level: cfg.RequestLogLevel, key: c.vendor, stats: c.stats, secrets: cfg.Secrets}
	c.whole = &timeoutRT{next: obs, d: cfg.AttemptTimeout}
	c.stream = &timeoutRT{next: obs, d: cfg.AttemptTimeout, idle: true}
	if lim != nil {
		c.whole = &limitRT{next: c.whole, limiter: lim, defaultKey: c.vendor, stats: c.stats}
		c.stream = &limitRT{next: c.stream, limiter: lim, defaultKey: c.vendor, stats: c.stats}
	}
	na := *c
	na.noAuth = &na
	c.noAuth = &na
	if cfg.Auth != nil {
		c.auth = &authState{a: cfg.Auth}
	}
	return c, nil
}

// Do sends req and reads the whole response body into Response.Body. It
// retries retryable statuses, connection errors, attempt timeouts and
// bodies cut off part way, re-authenticates once after a 401, and waits for
// the limiter before every attempt. A status of 400 or more that is not
// retried, or is still failing after the last attempt, is returned as a
// *StatusError; redirects are not followed.
//
// The request body is replayed from req.GetBody, or read into memory once
// when there is none. req.Context() bounds the whole call, waits included.
func (c *Client) Do(req *http.Request) (*Response, error) {
	res, err := c.send(req, modeWhole)
	if err != nil {
		return nil, err
	}
	return &Response{StatusCode: res.resp.StatusCode, Header: res.resp.Header, Body: res.body, Attempts: res.attempts}, nil
}

// Stream sends req like Do but returns the response with its body unread,
// for downloads too large to hold. It retries only until response headers
// with a status below 400 arrive; once it returns, a failure while reading
// the body is the caller's to handle (start again, or resume if the vendor
// supports ranges). The attempt timeout applies to each idle read. The
// caller closes the body.
func (c *Client) Stream(req *http.Request) (*http.Response, error) {
	res, err := c.send(req, modeStream)
	if err != nil {
		return nil, err
	}
	return res.resp, nil
}

// RoundTrip implements http.RoundTripper with the same limits, retries and
// authentication as Stream, but returns the final response whatever its
// status, unread, as the RoundTripper contract requires. Errors are still
// returned for failures to get a response and for a spent retry budget.
func (c *Client) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := c.send(req, modeRaw)
	if err != nil {
		return nil, err
	}
	return res.resp, nil
}

// HTTPClient returns an *http.Client sending through c, for libraries that
// need one. It does not follow redirects, so credentials never go to
// another host. Note that http.Client puts the full URL, query included, in
// its errors: keep secrets out of query strings.
func (c *Client) HTTPClient() *http.Client {
	return &http.Client{
		Transport:     c,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Stats returns the counts so far.
func (c *Client) Stats() Stats { return c.stats.snapshot() }

// Close logs out when the Authenticator is a Logouter. The Client remains
// usable; its next request logs in again.
func (c *Client) Close(ctx context.Context) error {
	if c.auth == nil {
		return nil
	}
	if l, ok := c.auth.a.(Logouter); ok {
		return l.Logout(ctx, c.noAuth)
	}
	return nil
}

type ctxKey int

const (
	ctxLimitKey ctxKey = iota
	ctxNoRetry
	ctxAttempt
)

// WithLimitKey returns a context whose requests wait under the limiter key
// key, such as "maestroqa:export", instead of Config.Vendor.
func WithLimitKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, ctxLimitKey, key)
}

// WithoutRetry returns a context whose requests are sent once, for writes
// that must not be repeated (a bulk import). Re-authentication after a 401
// still retries once: the server refused the request before acting on it.
func WithoutRetry(ctx context.Context) context.Context {
	return context.WithValue(ctx, ctxNoRetry, true)
}

func limitKey(ctx context.Context, def string) string {
	if k, ok := ctx.Value(ctxLimitKey).(string); ok && k != "" {
		return k
	}
	return def
}

func attemptFrom(ctx context.Context) int {
	n, _ := ctx.Value(ctxAttempt).(int)
	return n
}
