package httpx

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A 429 storm with Retry-After: each wait follows the header, capped by
// MaxRetryAfter (40ms here; the backoff alone would be under 4ms).
func TestTooManyRequestsStormWithRetryAfter(t *testing.T) {
	storm := status(429, `{"error":"Too many requests in the past second."}`, "Retry-After", "1")
	s := &script{steps: append(times(3, storm), status(200, "ok"))}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _ := newTestClient(t, Config{})

	start := time.Now()
	resp, err := c.Do(newReq(t, t.Context(), "POST", srv.URL, "{}"))
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "ok" || resp.Attempts != 4 {
		t.Errorf("body %q attempts %d", resp.Body, resp.Attempts)
	}
	st := c.Stats()
	if st.TooManyRequests != 3 || st.Retries != 3 || st.Requests != 4 {
		t.Errorf("stats %+v", st)
	}
	if elapsed < 3*40*time.Millisecond || st.RetryWait < 3*40*time.Millisecond {
		t.Errorf("elapsed %v, retry wait %v: Retry-After (capped at 40ms) not honoured", elapsed, st.RetryWait)
	}
	if elapsed > 2*time.Second {
		t.Errorf("elapsed %v: the 1s Retry-After was not capped", elapsed)
	}
}

func TestTooManyRequestsStormWithoutRetryAfter(t *testing.T) {
	s := &script{steps: append(times(6, status(429, "")), status(200, "ok"))}
	srv := httptest.NewServer(s)
	defer srv.Close()
	p := fastRetry()
	p.MaxAttempts = 10
	c, _ := newTestClient(t, Config{Retry: p})
	resp, err := c.Do(newReq(t, t.Context(), "GET", srv.URL, ""))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Attempts != 7 || c.Stats().TooManyRequests != 6 || c.Stats().RetryWait > 6*p.MaxDelay+50*time.Millisecond {
		t.Errorf("attempts %d stats %+v", resp.Attempts, c.Stats())
	}
}

// A storm that outlasts MaxAttempts ends in a retryable StatusError.
func TestTooManyRequestsStormGivesUp(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{status(429, `{"error":"Too many requests in the past minute."}`)}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _ := newTestClient(t, Config{})
	_, err := c.Do(newReq(t, t.Context(), "GET", srv.URL+"/api/v1/coaching-sessions", ""))
	se, ok := errors.AsType[*StatusError](err)
	if !ok || se.StatusCode != 429 || se.Attempts != 5 || !IsRetryable(err) || IsPermanent(err) {
		t.Fatalf("err = %v", err)
	}
	if se.Message != "Too many requests in the past minute." || s.hits() != 5 {
		t.Errorf("message %q hits %d", se.Message, s.hits())
	}
	if !strings.Contains(err.Error(), "after 5 attempts") {
		t.Errorf("error %q does not say how many attempts", err)
	}
}

func TestServerErrorsThenSuccess(t *testing.T) {
	for _, code := range []int{500, 502, 503, 504} {
		s := &script{steps: append(times(2, status(code, "<html>oops</html>")), status(200, "done"))}
		srv := httptest.NewServer(s)
		c, _ := newTestClient(t, Config{})
		resp, err := c.Do(newReq(t, t.Context(), "GET", srv.URL, ""))
		srv.Close()
		if err != nil || string(resp.Body) != "done" || resp.Attempts != 3 || c.Stats().Retries != 2 {
			t.Errorf("%d: resp %+v err %v stats %+v", code, resp, err, c.Stats())
		}
	}
}

// The connection drops after half the body; Do retries and returns the
// whole body.
func TestConnectionDroppedMidBodyThenSuccess(t *testing.T) {
	full := `[` + strings.Repeat(`{"_id":"abc","isDeleted":false},`, 200) + `{}]`
	s := &script{steps: []http.HandlerFunc{dropMidBody(full), status(200, full)}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, lb := newTestClient(t, Config{})
	resp, err := c.Do(newReq(t, t.Context(), "POST", srv.URL, `{"startDate":"2021-12-01"}`))
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != full || resp.Attempts != 2 || s.hits() != 2 || c.Stats().Retries != 1 {
		t.Errorf("body len %d attempts %d hits %d stats %+v", len(resp.Body), resp.Attempts, s.hits(), c.Stats())
	}
	if !strings.Contains(lb.String(), "unexpected EOF") {
		t.Errorf("retry log does not name the cause:\n%s", lb)
	}
}

func TestConnectionRefusedRetriedThenRetryable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, _ := newTestClient(t, Config{})
	_, err = c.Do(newReq(t, t.Context(), "GET", "http://"+addr+"/x", ""))
	re, ok := errors.AsType[*RequestError](err)
	if !ok || re.Attempts != 5 || !IsRetryable(err) || IsPermanent(err) || c.Stats().Requests != 5 {
		t.Errorf("err = %v, stats %+v", err, c.Stats())
	}
}

func TestAttemptTimeoutRetried(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{
		func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		},
		status(200, "fast"),
	}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _ := newTestClient(t, Config{AttemptTimeout: 50 * time.Millisecond})
	start := time.Now()
	resp, err := c.Do(newReq(t, t.Context(), "GET", srv.URL, ""))
	if err != nil || string(resp.Body) != "fast" || resp.Attempts != 2 {
		t.Fatalf("resp %+v err %v", resp, err)
	}
	if d := time.Since(start); d < 50*time.Millisecond || d > time.Second {
		t.Errorf("took %v, want about the 50ms timeout", d)
	}
}

func TestAttemptTimeoutEveryAttempt(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	p := fastRetry()
	p.MaxAttempts = 2
	c, _ := newTestClient(t, Config{AttemptTimeout: 20 * time.Millisecond, Retry: p})
	_, err := c.Do(newReq(t, t.Context(), "GET", srv.URL, ""))
	if !errors.Is(err, ErrAttemptTimeout) || !IsRetryable(err) {
		t.Errorf("err = %v, want a retryable attempt timeout", err)
	}
}

// Stream's timeout restarts with every read: a body that stalls fails, a
// body that keeps coming does not.
func TestStreamIdleTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		for range 4 { // 4 x 20ms: longer than the timeout in total, never idle that long
			io.WriteString(w, "chunk;")
			rc.Flush()
			time.Sleep(20 * time.Millisecond)
		}
		if r.URL.Path == "/stall" {
			<-r.Context().Done()
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(t, Config{AttemptTimeout: 60 * time.Millisecond})

	resp, err := c.Stream(newReq(t, t.Context(), "GET", srv.URL+"/steady", ""))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(b) != strings.Repeat("chunk;", 4) {
		t.Errorf("steady stream: %q, %v", b, err)
	}

	resp, err = c.Stream(newReq(t, t.Context(), "GET", srv.URL+"/stall", ""))
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, ErrAttemptTimeout) {
		t.Errorf("stalled stream: err = %v, want attempt timeout", err)
	}
}

func TestContextCancelledDuringBackoff(t *testing.T) {
	srv := httptest.NewServer(status(503, "", "Retry-After", "30"))
	defer srv.Close()
	p := fastRetry()
	p.MaxRetryAfter = time.Minute
	c, _ := newTestClient(t, Config{Retry: p})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Do(newReq(t, ctx, "GET", srv.URL, ""))
	if !errors.Is(err, context.DeadlineExceeded) || IsRetryable(err) || IsPermanent(err) {
		t.Errorf("err = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v: did not stop at the deadline", d)
	}
	if !strings.Contains(err.Error(), "503") {
		t.Errorf("error %q does not name the last failure", err)
	}
}

// Cancelling the caller's context mid-request stops at once, without a
// retry, with an error matching context.Canceled.
func TestContextCancelledMidRequest(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, _ := newTestClient(t, Config{})
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := c.Do(newReq(t, ctx, "GET", srv.URL, ""))
	if !errors.Is(err, context.Canceled) || IsRetryable(err) || IsPermanent(err) {
		t.Errorf("err = %v", err)
	}
	if s.hits() != 1 || c.Stats().Retries != 0 {
		t.Errorf("hits %d retries %d, want 1 and 0", s.hits(), c.Stats().Retries)
	}
}

func TestRetryBudgetExhausted(t *testing.T) {
	s := &script{steps: []http.HandlerFunc{status(503, `{"message":"down"}`)}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	budget := NewRetryBudget(3)
	p := fastRetry()
	p.MaxAttempts = 10
	c1, _ := newTestClient(t, Config{Budget: budget, Retry: p})
	c2, _ := newTestClient(t, Config{Budget: budget, Retry: p})

	_, err := c1.Do(newReq(t, t.Context(), "GET", srv.URL, ""))
	if !errors.Is(err, ErrRetryBudgetExhausted) {
		t.Fatalf("err = %v, want budget exhausted", err)
	}
	if se, ok := errors.AsType[*StatusError](err); !ok || se.StatusCode != 503 || se.Message != "down" {
		t.Errorf("budget error does not carry the last failure: %v", err)
	}
	if IsRetryable(err) || IsPermanent(err) {
		t.Errorf("budget error classified retryable=%v permanent=%v, want neither", IsRetryable(err), IsPermanent(err))
	}
	if s.hits() != 4 || budget.Used() != 3 || budget.Remaining() != 0 {
		t.Errorf("hits %d used %d remaining %d, want 4 3 0", s.hits(), budget.Used(), budget.Remaining())
	}

	// The budget is the run's: another client sharing it gets one attempt.
	_, err = c2.Do(newReq(t, t.Context(), "GET", srv.URL, ""))
	if !errors.Is(err, ErrRetryBudgetExhausted) || s.hits() != 5 {
		t.Errorf("second client: err %v hits %d", err, s.hits())
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"120", 2 * time.Minute, true},
		{" 0 ", 0, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"Fri, 01 Mar 2024 12:00:30 GMT", 30 * time.Second, true},
		{"Friday, 01-Mar-24 12:01:00 GMT", time.Minute, true}, // RFC 850 form
		{"Fri, 01 Mar 2024 11:00:00 GMT", 0, true},            // in the past
		{"1e400", 1e6 * time.Second, true},                    // clamped, no overflow
		{"-5", 0, false},
		{"NaN", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRetryWaitFullJitterAndCaps(t *testing.T) {
	c, _ := newTestClient(t, Config{Retry: RetryPolicy{MaxAttempts: 5, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, MaxRetryAfter: 10 * time.Second}})
	if got := c.retryWait(0, time.Minute, true); got != 10*time.Second {
		t.Errorf("Retry-After 1m capped to %v, want 10s", got)
	}
	if got := c.retryWait(0, 3*time.Second, true); got != 3*time.Second {
		t.Errorf("Retry-After 3s gave %v", got)
	}
	for retries, ceil := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		ceil *= time.Millisecond
		seen := map[time.Duration]bool{}
		var top time.Duration
		for range 500 {
			d := c.retryWait(retries, 0, false)
			if d < 0 || d > ceil {
				t.Fatalf("retry %d: wait %v outside [0, %v]", retries, d, ceil)
			}
			seen[d] = true
			top = max(top, d)
		}
		if len(seen) < 100 || top < ceil/2 {
			t.Errorf("retry %d: %d distinct waits, max %v: not jittered over [0, %v]", retries, len(seen), top, ceil)
		}
	}
	if d := c.retryWait(200, 0, false); d > time.Second {
		t.Errorf("huge retry count: %v", d)
	}
}
