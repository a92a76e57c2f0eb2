package httpx

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fastRetry keeps backoffs in milliseconds so retry tests run quickly.
func fastRetry() RetryPolicy {
	return RetryPolicy{MaxAttempts: 5, BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond, MaxRetryAfter: 40 * time.Millisecond}
}

// logBuf collects log output from concurrent requests.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newTestClient builds a client with fast retries and a debug JSON logger
// unless cfg says otherwise.
func newTestClient(t testing.TB, cfg Config) (*Client, *logBuf) {
	t.Helper()
	lb := &logBuf{}
	if cfg.Vendor == "" {
		cfg.Vendor = "test"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
		cfg.RequestLogLevel = slog.LevelDebug
	}
	if r := cfg.Retry; r.MaxAttempts == 0 && r.BaseDelay == 0 && r.MaxDelay == 0 && r.MaxRetryAfter == 0 {
		cfg.Retry = fastRetry()
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, lb
}

func newReq(t testing.TB, ctx context.Context, method, url, body string) *http.Request {
	t.Helper()
	var req *http.Request
	var err error
	if body == "" {
		req, err = http.NewRequestWithContext(ctx, method, url, nil)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	}
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// script answers the n-th request (from 0) with steps[n], repeating the
// last step; it counts the requests.
type script struct {
	n     atomic.Int64
	steps []http.HandlerFunc
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i := int(s.n.Add(1) - 1)
	s.steps[min(i, len(s.steps)-1)](w, r)
}

func (s *script) hits() int { return int(s.n.Load()) }

func status(code int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

// dropMidBody announces len(body) bytes, sends half and closes the
// connection.
func dropMidBody(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:len(body)/2])
		buf.Flush()
	}
}

func times(n int, h http.HandlerFunc) []http.HandlerFunc {
	s := make([]http.HandlerFunc, n)
	for i := range s {
		s[i] = h
	}
	return s
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
