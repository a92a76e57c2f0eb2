package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// vendor is the httpx vendor name and the root limiter key: every request
// of a run, logins included, obeys the rate_limit windows.
const vendor = "calabrio"

// logoutTimeout bounds the DELETE /api/rest/authorize sent on Close.
const logoutTimeout = 10 * time.Second

// conn is a logged-in connection to one tenant.
type conn struct {
	c      *httpx.Client
	base   string
	budget *httpx.RetryBudget
	log    *slog.Logger
	bytes  *atomic.Int64 // progress counter, may be nil
}

func newConn(o connOptions, cfg pipeline.SourceConfig) (*conn, error) {
	log := pipeline.OrDiscard(cfg.Logger)
	budget := httpx.NewRetryBudget(o.RetryBudget)
	c, err := httpx.New(httpx.Config{
		Vendor:         vendor,
		Auth:           newAuth(o),
		ReauthOn403:    true, // 16.6 [rec]: "401/403 re-authorize once, then fail"
		Limits:         httpx.Limits{vendor: o.Limits},
		Quota:          httpx.QuotaKey(vendor, o.BaseURL, o.Username),
		Budget:         budget,
		Logger:         log,
		AttemptTimeout: o.Timeout,
		Retry:          httpx.RetryPolicy{BaseDelay: o.RetryDelay},
		Secrets:        []string{o.Password.Reveal()}, // sent in the login body
	})
	if err != nil {
		return nil, err
	}
	return &conn{c: c, base: o.BaseURL, budget: budget, log: log, bytes: cfg.BytesCounter()}, nil
}

// request builds a request to path (which starts with /) on the tenant.
func (k *conn) request(ctx context.Context, method, path string, q url.Values, body []byte, contentType string) (*http.Request, error) {
	u := k.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req, nil
}

// do sends a request and reads the whole answer (retrying a body cut off
// part way); accept is the Accept header.
func (k *conn) do(ctx context.Context, method, path string, q url.Values, body []byte, contentType, accept string) (*httpx.Response, error) {
	req, err := k.request(ctx, method, path, q, body, contentType)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	resp, err := k.c.Do(req)
	if err != nil {
		return nil, err
	}
	if k.bytes != nil {
		k.bytes.Add(int64(len(resp.Body)))
	}
	return resp, nil
}

// stream sends a request and returns the live answer for large downloads.
func (k *conn) stream(ctx context.Context, method, path string, q url.Values, accept string) (*http.Response, error) {
	req, err := k.request(ctx, method, path, q, nil, "")
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	return k.c.Stream(req)
}

// close logs out. A failed logout is logged, not returned: the data is
// committed by then, and the session times out on its own.
func (k *conn) close() {
	ctx, cancel := context.WithTimeout(context.Background(), logoutTimeout)
	defer cancel()
	if err := k.c.Close(ctx); err != nil {
		k.log.Warn("calabrio logout failed", slog.String("error", err.Error()))
	}
}

// report adds the request counts to a run report.
func (k *conn) report(m map[string]any) map[string]any {
	st := k.c.Stats()
	m["requests"] = st.Requests
	m["retries"] = st.Retries
	m["reauths"] = st.Reauths
	m["too_many_requests"] = st.TooManyRequests
	m["limiter_wait_ms"] = st.LimiterWait.Milliseconds()
	m["retry_wait_ms"] = st.RetryWait.Milliseconds()
	m["retry_budget_used"] = k.budget.Used()
	return m
}

// countingReader counts the bytes read through it into a progress counter.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n != nil {
		c.n.Add(int64(n))
	}
	return n, err
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
