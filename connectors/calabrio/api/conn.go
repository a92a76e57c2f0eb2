package api

import (
	"context"
	"log/slog"
	"net/url"

	"github.com/ccetl/ccetl/connectors/internal/apiopt"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/pipeline"
)

// Conn is a logged-in connection to one tenant for the Calabrio push
// targets: the same login, session renewal, rate limits, retries and
// retry budget as the pull kinds.
type Conn struct{ k *conn }

// ConnOptionDocs returns the connection options (base_url, username,
// password, rate_limit, ...) followed by own.
func ConnOptionDocs(own ...pipeline.Option) []pipeline.Option { return withConnDocs(own...) }

// CheckConn checks the connection options in m, naming kind in the error.
func CheckConn(kind string, m map[string]string) error {
	var p apiopt.Problems
	parseConn(m, &p)
	return p.Err(kind)
}

// Connect parses the connection options in m and returns a connection;
// it logs in at the first request.
func Connect(kind string, m map[string]string, log *slog.Logger) (*Conn, error) {
	var p apiopt.Problems
	o := parseConn(m, &p)
	if err := p.Err(kind); err != nil {
		return nil, err
	}
	k, err := newConn(o, pipeline.SourceConfig{Logger: log})
	if err != nil {
		return nil, err
	}
	return &Conn{k: k}, nil
}

// Do sends a request to path on the tenant and reads the whole answer.
// Requests a retry could duplicate go with httpx.WithoutRetry on ctx.
func (c *Conn) Do(ctx context.Context, method, path string, q url.Values, body []byte, contentType, accept string) (*httpx.Response, error) {
	return c.k.do(ctx, method, path, q, body, contentType, accept)
}

// Report adds the connection's request counts to m.
func (c *Conn) Report(m map[string]any) map[string]any { return c.k.report(m) }

// Close logs out.
func (c *Conn) Close() { c.k.close() }
