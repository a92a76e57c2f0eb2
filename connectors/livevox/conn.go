package livevox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// Conn is a logged-in connection to a tenant's Configuration API for the
// livevox-agents push target: the pull kind's options, session, rate
// limit and retries.
type Conn struct {
	c *client
	o Options
}

// Connect parses the connection options in m (the pull kind's) and returns
// a connection; it logs in at its first request.
func Connect(m map[string]string, log *slog.Logger) (*Conn, error) {
	o, err := ParseOptions(m)
	if err != nil {
		return nil, err
	}
	log = pipeline.OrDiscard(log)
	conn := &Conn{o: o}
	if conn.c, err = newClient(&conn.o, pipeline.SourceConfig{}, log); err != nil {
		return nil, err
	}
	return conn, nil
}

// Path is the request path of a Configuration API resource
// ("agents/324515" -> "/configuration/agents/324515").
func (c *Conn) Path(resource string) string { return c.c.path(resource) }

// Do sends one request to resource with body (nil, or a value to send as
// JSON). Reads and writes that cannot duplicate anything (PUT, DELETE) are
// retried as the options say; a POST that creates is sent under
// httpx.WithoutRetry by the caller.
func (c *Conn) Do(ctx context.Context, method, resource string, q url.Values, body any) (*httpx.Response, error) {
	full := c.o.BaseURL.String() + c.c.path(resource)
	if len(q) > 0 {
		full += "?" + q.Encode()
	}
	var rd *bytes.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(data)
	}
	var req *http.Request
	var err error
	if rd != nil {
		req, err = http.NewRequestWithContext(httpx.WithLimitKey(ctx, limitKey), method, full, rd)
	} else {
		req, err = http.NewRequestWithContext(httpx.WithLimitKey(ctx, limitKey), method, full, nil)
	}
	if err != nil {
		return nil, err
	}
	jsonHeaders(req)
	return c.c.http.Do(req)
}

// List calls f with every item of a list ("agents" with key "agent",
// "agents/skills" with key "agentSkill"), page by page.
func (c *Conn) List(ctx context.Context, resource, key string, f func(item json.RawMessage) error) error {
	l := &lister{resource: resource, key: key}
	for !l.done {
		p, err := c.c.next(ctx, l)
		if err != nil {
			return err
		}
		for _, it := range p.items {
			if err := f(it); err != nil {
				return fmt.Errorf("%s: %w", p.source, err)
			}
		}
	}
	return nil
}

// ClientID is the client the agents belong to: the client_id option, or
// the client the session logged in to (0 before the first request).
func (c *Conn) ClientID() int64 { return c.c.clientID() }

// Stats are the connection's request counters, for the run report.
func (c *Conn) Stats() map[string]any { return c.c.stats() }

// Close logs out.
func (c *Conn) Close() { c.c.close(c.o.Timeout) }
