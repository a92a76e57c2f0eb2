package livevox

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// limitKey is the limiter key of every request: LiveVox documents no
// per-endpoint limits, so one set of windows covers them all.
const limitKey = "livevox"

// client sends the connector's Configuration API requests through httpx.
type client struct {
	o    *Options
	http *httpx.Client
	// transport is the connection pool under http, kept so that tests can
	// open a connection outside the rate limit (see warm in the tests).
	transport *http.Transport
	sess      *session
	bytes     atomic.Int64  // response bytes read
	prog      *atomic.Int64 // the run's progress counter, may be nil
	log       *slog.Logger
}

func newClient(o *Options, cfg pipeline.SourceConfig, log *slog.Logger) (*client, error) {
	sess := &session{o: o}
	var limits httpx.Limits
	if len(o.RateLimit) > 0 {
		limits = httpx.Limits{limitKey: o.RateLimit}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	hc, err := httpx.New(httpx.Config{
		Vendor:          limitKey,
		Transport:       tr,
		Logger:          log,
		RequestLogLevel: slog.LevelDebug,
		Auth:            sess.authenticator(),
		Limits:          limits,
		Quota:           httpx.QuotaKey(limitKey, o.BaseURL.String(), o.ClientName, o.Username),
		Retry:           httpx.RetryPolicy{MaxAttempts: o.MaxAttempts, BaseDelay: o.RetryDelay},
		Budget:          httpx.NewRetryBudget(o.RetryBudget),
		AttemptTimeout:  o.Timeout,
		ErrorExtractor:  redactingExtractor(o.Password, o.AccessToken),
		Secrets:         []string{o.Password.Reveal(), o.AccessToken.Reveal()},
	})
	if err != nil {
		return nil, err
	}
	return &client{o: o, http: hc, transport: tr, sess: sess, prog: cfg.BytesCounter(), log: log}, nil
}

// path is the path of a Configuration API resource, such as
// "/configuration/agents/324515", as rejects and errors name it.
func (c *client) path(resource string) string {
	return c.o.ConfigurationPath + "/" + resource
}

// get sends GET resource?q and returns the body.
func (c *client) get(ctx context.Context, resource string, q url.Values) ([]byte, error) {
	full := c.o.BaseURL.String() + c.path(resource)
	if len(q) > 0 {
		full += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(httpx.WithLimitKey(ctx, limitKey), http.MethodGet, full, nil)
	if err != nil {
		return nil, err
	}
	jsonHeaders(req)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	n := int64(len(resp.Body))
	c.bytes.Add(n)
	if c.prog != nil {
		c.prog.Add(n)
	}
	return resp.Body, nil
}

// clientID is the client the rows belong to: the client_id option, or the
// client the session logged in to; 0 when neither is known.
func (c *client) clientID() int64 {
	if c.o.ClientID != "" {
		n, _ := strconv.ParseInt(c.o.ClientID, 10, 64)
		return n
	}
	return c.sess.clientID.Load()
}

// close logs out; a failure is logged, not returned: the data is already
// committed when the source closes, and the session times out anyway.
func (c *client) close(timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := c.http.Close(ctx); err != nil {
		c.log.Warn("livevox logout failed", slog.String("error", err.Error()))
	}
	c.transport.CloseIdleConnections()
}

// redactingExtractor reads the three LiveVox error bodies with httpx's
// default extractor and removes the password and token from the message,
// should the vendor echo them: httpx scrubs header and query values, but
// the password travels in the login body.
func redactingExtractor(secrets ...pipeline.Secret) httpx.ErrorExtractor {
	return func(body []byte) httpx.ErrorDetail {
		d := httpx.DefaultErrorExtractor(body)
		for _, s := range secrets {
			if v := s.Reveal(); v != "" {
				d.Message = strings.ReplaceAll(d.Message, v, s.String())
				d.Code = strings.ReplaceAll(d.Code, v, s.String())
			}
		}
		return d
	}
}

// stats is the report's view of the HTTP counters.
func (c *client) stats() map[string]any {
	st := c.http.Stats()
	return map[string]any{
		"requests": st.Requests, "retries": st.Retries, "reauths": st.Reauths,
		"too_many_requests": st.TooManyRequests,
		"limiter_wait_ms":   st.LimiterWait.Milliseconds(), "retry_wait_ms": st.RetryWait.Milliseconds(),
		"response_bytes": c.bytes.Load(),
	}
}

// notFound reports whether err is a final 404.
func notFound(err error) bool {
	se, ok := errors.AsType[*httpx.StatusError](err)
	return ok && se.StatusCode == http.StatusNotFound
}
