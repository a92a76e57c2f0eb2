package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
)

func TestDoReturnsBodyAndSetsUserAgent(t *testing.T) {
	var ua string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua = r.Header.Get("User-Agent")
		w.Header().Set("X-Total", "3")
		io.WriteString(w, `[1,2,3]`)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, Config{Version: "1.2.3"})

	resp, err := c.Do(newReq(t, t.Context(), "GET", srv.URL+"/x", ""))
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != `[1,2,3]` || resp.StatusCode != 200 || resp.Header.Get("X-Total") != "3" || resp.Attempts != 1 {
		t.Errorf("got %+v", resp)
	}
	if ua != "ccetl/1.2.3" {
		t.Errorf("User-Agent = %q, want ccetl/1.2.3", ua)
	}
	if s := c.Stats(); s.Requests != 1 || s.Retries != 0 {
		t.Errorf("stats = %+v", s)
	}
}

func TestDefaultUserAgentNamesCcetl(t *testing.T) {
	var ua string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ua = r.Header.Get("User-Agent") }))
	defer srv.Close()
	c, _ := newTestClient(t, Config{})
	if _, err := c.Do(newReq(t, t.Context(), "GET", srv.URL, "")); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ua, "ccetl/") || len(ua) == len("ccetl/") {
		t.Errorf("User-Agent = %q, want ccetl/<version>", ua)
	}
}

// Bodies are replayed intact on every attempt, whether the request has
// GetBody or only a one-shot reader.
func TestRequestBodyReplayedOnRetry(t *testing.T) {
	const body = `{"startDate":"2021-12-01","endDate":"2022-01-25","timeAxis":"createdAt"}`
	for _, tc := range []struct {
		name string
		make func() io.Reader
	}{
		{"with GetBody", func() io.Reader { return strings.NewReader(body) }},
		{"one-shot reader", func() io.Reader { return iotest.OneByteReader(strings.NewReader(body)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			s := &script{steps: []http.HandlerFunc{
				func(w http.ResponseWriter, r *http.Request) {
					b, _ := io.ReadAll(r.Body)
					got = append(got, string(b))
					w.WriteHeader(503)
				},
				func(w http.ResponseWriter, r *http.Request) {
					b, _ := io.ReadAll(r.Body)
					got = append(got, string(b))
				},
			}}
			srv := httptest.NewServer(s)
			defer srv.Close()
			c, _ := newTestClient(t, Config{})
			req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.URL, tc.make())
			if _, err := c.Do(req); err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0] != body || got[1] != body {
				t.Errorf("server saw bodies %q, want the body twice", got)
			}
		})
	}
}

func TestStreamReturnsLiveBodyAfterRetries(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{status(503, ""), status(200, "streamed")}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _ := newTestClient(t, Config{})
	resp, err := c.Stream(newReq(t, t.Context(), "GET", srv.URL, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || string(b) != "streamed" {
		t.Errorf("body %q, %v", b, err)
	}
	if s.hits() != 2 {
		t.Errorf("hits = %d, want 2", s.hits())
	}
}

// Once Stream has returned, a broken body is the caller's: no retry.
func TestStreamDoesNotRetryOnceStreaming(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{dropMidBody(strings.Repeat("x", 1000))}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _ := newTestClient(t, Config{})
	resp, err := c.Stream(newReq(t, t.Context(), "GET", srv.URL, ""))
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("read error = %v, want unexpected EOF", err)
	}
	if s.hits() != 1 {
		t.Errorf("hits = %d, want 1", s.hits())
	}
}

func TestStreamErrorStatusIsStatusError(t *testing.T) {
	srv := httptest.NewServer(status(404, `{"message":"Agent not found [ID:111111]","code":203}`))
	defer srv.Close()
	c, _ := newTestClient(t, Config{})
	_, err := c.Stream(newReq(t, t.Context(), "GET", srv.URL+"/configuration/agents/111111", ""))
	se, ok := errors.AsType[*StatusError](err)
	if !ok || se.StatusCode != 404 || se.Message != "Agent not found [ID:111111]" || se.Code != "203" {
		t.Errorf("err = %#v", err)
	}
}

// RoundTrip retries like Stream but hands back the final response, unread,
// whatever its status; HTTPClient does not follow redirects.
func TestHTTPClientReturnsFinalResponse(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{status(503, ""), status(503, ""), status(404, "nope")}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _ := newTestClient(t, Config{})
	resp, err := c.HTTPClient().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || string(b) != "nope" || s.hits() != 3 {
		t.Errorf("status %d body %q hits %d, want 404 nope 3", resp.StatusCode, b, s.hits())
	}

	redirect := httptest.NewServer(http.RedirectHandler(srv.URL, http.StatusFound))
	defer redirect.Close()
	resp, err = c.HTTPClient().Get(redirect.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || s.hits() != 3 {
		t.Errorf("status %d hits %d: redirect was followed", resp.StatusCode, s.hits())
	}
}

func TestWithoutRetrySendsOnce(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{status(503, "")}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _ := newTestClient(t, Config{})
	_, err := c.Do(newReq(t, WithoutRetry(t.Context()), "POST", srv.URL, "{}"))
	if se, ok := errors.AsType[*StatusError](err); !ok || se.StatusCode != 503 {
		t.Errorf("err = %v, want 503", err)
	}
	if s.hits() != 1 {
		t.Errorf("hits = %d, want 1", s.hits())
	}
}

func TestBodyTooLargeIsPermanent(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{status(200, strings.Repeat("x", 100))}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _ := newTestClient(t, Config{MaxBodyBytes: 10})
	_, err := c.Do(newReq(t, t.Context(), "GET", srv.URL, ""))
	if !errors.Is(err, ErrBodyTooLarge) || !IsPermanent(err) || s.hits() != 1 {
		t.Errorf("err = %v (permanent %v), hits %d", err, IsPermanent(err), s.hits())
	}
}

func TestBadURLIsPermanent(t *testing.T) {
	c, _ := newTestClient(t, Config{})
	_, err := c.Do(newReq(t, t.Context(), "GET", "ftp://example.com/x", ""))
	if !IsPermanent(err) || c.Stats().Requests != 0 {
		t.Errorf("err = %v, requests %d", err, c.Stats().Requests)
	}
}

func TestConfigValidateJoinsProblems(t *testing.T) {
	err := Config{
		AttemptTimeout: -1,
		Limits:         Limits{"x": {{Requests: 0, Per: 0}}},
		Limiter:        &Limiter{},
		Retry:          RetryPolicy{MaxAttempts: -1, Statuses: []int{42}},
	}.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"vendor is required", "attempt timeout", "limits or limiter", `limits "x"`, "max attempts", "status 42"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New accepted a config without vendor")
	}
	if err := (Config{Vendor: "v"}).Validate(); err != nil {
		t.Errorf("zero config with vendor: %v", err)
	}
}

// Close on an authenticator without a session sends nothing.
func TestCloseWithoutLogoutSendsNothing(t *testing.T) {
	for _, cfg := range []Config{{Auth: StaticHeader{Name: "apiToken"}}, {}} {
		c, _ := newTestClient(t, cfg)
		if err := c.Close(context.Background()); err != nil || c.Stats().Requests != 0 {
			t.Errorf("auth %T: err %v, %d requests", cfg.Auth, err, c.Stats().Requests)
		}
	}
}
