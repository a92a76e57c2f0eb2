package httpx

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// Defaults used for zero Config fields.
const (
	DefaultAttemptTimeout = 60 * time.Second
	DefaultMaxBodyBytes   = 256 << 20
)

// Config configures a Client. Zero fields take the defaults named on them.
type Config struct {
	// Vendor names the client in logs and is the limiter key of requests
	// that carry none (see WithLimitKey). Required.
	Vendor string
	// Version goes into the User-Agent "ccetl/<Version>". Default: the main
	// module's version from the build info, or "dev".
	Version string
	// Transport sends the requests. Default: a clone of http.DefaultTransport.
	Transport http.RoundTripper
	// Logger receives one record per attempt and one per retry. Default:
	// discard. Header values, query values and bodies are never logged.
	Logger *slog.Logger
	// RequestLogLevel is the level of the per-attempt records (default
	// Info). Retries are logged at Warn.
	RequestLogLevel slog.Level

	// Auth applies credentials. Nil sends requests as they are.
	Auth Authenticator
	// ReauthOn403 also re-authenticates on 403 (Calabrio answers 403 for an
	// expired session). 401 always re-authenticates when Auth is set.
	ReauthOn403 bool

	// Limits builds a Limiter private to this Client. Use Limiter instead
	// to share one between clients that draw on the same vendor quota.
	Limits Limits
	// Limiter is a shared limiter. Set Limits or Limiter, not both.
	Limiter *Limiter
	// Quota names the vendor quota the client draws on (QuotaKey of the
	// vendor, its address and the credential). Clients with the same Quota
	// and Limits share one Limiter in this process, whichever job, window
	// or connection they serve, so two jobs using one credential keep its
	// limit together. Empty: Limits builds a limiter of the client's own.
	Quota string

	// Retry is the per-request retry policy.
	Retry RetryPolicy
	// Budget caps the retries of the whole run. Share one between every
	// client of a run. Nil: no cap beyond Retry.MaxAttempts.
	Budget *RetryBudget

	// AttemptTimeout bounds one attempt: the whole exchange for Do, the wait
	// for headers and then each idle read for Stream. Limiter waits and
	// backoff sleeps do not count. Default DefaultAttemptTimeout.
	AttemptTimeout time.Duration
	// MaxBodyBytes bounds the body Do reads into memory. Default
	// DefaultMaxBodyBytes. Use Stream for anything larger.
	MaxBodyBytes int64
	// Secrets are credentials sent in request bodies (a login's password):
	// like header and query values they are cut out of every vendor
	// message, error and log record.
	Secrets []string
	// ErrorExtractor pulls the vendor's message out of an error body.
	// Default DefaultErrorExtractor.
	ErrorExtractor ErrorExtractor
}

// RetryPolicy says which failures are retried, how often and how long to
// wait. Zero fields take the defaults of DefaultRetryPolicy.
type RetryPolicy struct {
	// MaxAttempts counts every attempt of one request, the first included.
	// 1 disables retries. The single retry after re-authentication does not
	// count.
	MaxAttempts int
	// BaseDelay and MaxDelay bound the exponential backoff: before retry n
	// (from 0) the client sleeps a uniformly random time in
	// [0, min(MaxDelay, BaseDelay*2^n)] ("full jitter").
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// MaxRetryAfter caps the wait a Retry-After header asks for. A longer
	// Retry-After is waited for MaxRetryAfter, then the request is retried.
	MaxRetryAfter time.Duration
	// Statuses are the retryable response statuses. Connection errors and
	// attempt timeouts are always retryable.
	Statuses []int
}

// DefaultRetryPolicy returns 8 attempts, backoff from 500ms up to 30s,
// Retry-After honoured up to 2 minutes, on 408, 429, 500, 502, 503 and 504.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxAttempts:   8,
		BaseDelay:     500 * time.Millisecond,
		MaxDelay:      30 * time.Second,
		MaxRetryAfter: 2 * time.Minute,
		Statuses: []int{
			http.StatusRequestTimeout, http.StatusTooManyRequests,
			http.StatusInternalServerError, http.StatusBadGateway,
			http.StatusServiceUnavailable, http.StatusGatewayTimeout,
		},
	}
}

// Validate reports every problem in c at once. Zero fields are valid: they
// take defaults.
func (c Config) Validate() error {
	var errs []error
	if c.Vendor == "" {
		errs = append(errs, errors.New("vendor is required"))
	}
	if c.AttemptTimeout < 0 {
		errs = append(errs, fmt.Errorf("attempt timeout %v is negative", c.AttemptTimeout))
	}
	if c.MaxBodyBytes < 0 {
		errs = append(errs, fmt.Errorf("max body bytes %d is negative", c.MaxBodyBytes))
	}
	if c.Limits != nil && c.Limiter != nil {
		errs = append(errs, errors.New("set limits or limiter, not both"))
	}
	if err := c.Limits.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Retry.validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("httpx config: %w", err)
	}
	return nil
}

func (p RetryPolicy) validate() error {
	var errs []error
	if p.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("retry max attempts %d is negative", p.MaxAttempts))
	}
	if p.BaseDelay < 0 || p.MaxDelay < 0 || p.MaxRetryAfter < 0 {
		errs = append(errs, errors.New("retry delays must not be negative"))
	}
	for _, s := range p.Statuses {
		if s < 100 || s > 599 {
			errs = append(errs, fmt.Errorf("retry status %d is not an HTTP status", s))
		}
	}
	return errors.Join(errs...)
}

func (c Config) withDefaults() Config {
	if c.Version == "" {
		c.Version = buildVersion()
	}
	if c.Transport == nil {
		c.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.AttemptTimeout == 0 {
		c.AttemptTimeout = DefaultAttemptTimeout
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.ErrorExtractor == nil {
		c.ErrorExtractor = DefaultErrorExtractor
	}
	d := DefaultRetryPolicy()
	if c.Retry.MaxAttempts == 0 {
		c.Retry.MaxAttempts = d.MaxAttempts
	}
	if c.Retry.BaseDelay == 0 {
		c.Retry.BaseDelay = d.BaseDelay
	}
	if c.Retry.MaxDelay == 0 {
		c.Retry.MaxDelay = d.MaxDelay
	}
	if c.Retry.MaxRetryAfter == 0 {
		c.Retry.MaxRetryAfter = d.MaxRetryAfter
	}
	if c.Retry.Statuses == nil {
		c.Retry.Statuses = d.Statuses
	}
	return c
}

// buildVersion is the main module's version, or "dev" for a development
// build. Release builds stamp it; Config.Version overrides it.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
	}
	return "dev"
}
