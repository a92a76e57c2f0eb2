package livevox

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/livevox/livevoxtest"
	"github.com/ccetl/ccetl/pipeline"
)

// With the connector's rate_limit equal to the emulator's windows, the
// emulator never answers 429. (Windows of 500ms and more: the connector's
// safety margin, 5% of a window, must absorb the scheduling jitter of a
// loaded test machine.)
func TestLimitsMatchingTheServerProvokeNo429(t *testing.T) {
	windows := []livevoxtest.Window{{Requests: 5, Per: 500 * time.Millisecond}, {Requests: 11, Per: 1500 * time.Millisecond}}
	e := livevoxtest.New(t, livevoxtest.Options{Limits: windows})
	res, out, err := runPolicy(t, testNow, options(e, "rate_limit", "5/500ms,11/1500ms"), "", pipeline.BatchPolicy{MaxRows: 1000}, warm)
	if err != nil {
		t.Fatal(err)
	}
	exactlyOnce(t, e, 49551, out)
	if st := e.Stats(); st.TooManyRequests != 0 || res.Report["too_many_requests"] != int64(0) || res.Report["retries"] != int64(0) {
		t.Errorf("429s %d, report %v", st.TooManyRequests, res.Report)
	}
	if st := e.Stats(); st.Requests != 13 || res.Report["limiter_wait_ms"].(int64) < 1500 {
		t.Errorf("%d requests, limiter wait %vms: the second window did not hold the 12th request back", st.Requests, res.Report["limiter_wait_ms"])
	}
}

// The same server with no client-side limit: the emulator's limit bites
// (429 with the gateway body), and the retries still land every row once.
// This is what the test above guards against.
func TestNoClientLimitMeets429s(t *testing.T) {
	e := livevoxtest.New(t, livevoxtest.Options{Limits: []livevoxtest.Window{{Requests: 4, Per: 100 * time.Millisecond}}, RetryAfter: "0.1"})
	res, out := mustRun(t, options(e, "rate_limit", "none", "page_size", "4", "retry_budget", "1000", "max_attempts", "20"))
	exactlyOnce(t, e, 49551, out)
	if st := e.Stats(); st.TooManyRequests == 0 || res.Report["too_many_requests"] != int64(st.TooManyRequests) {
		t.Errorf("429s %d, report %v", st.TooManyRequests, res.Report)
	}
}

// A rate-limited pull takes the time its limit implies, within 10%: N
// requests at 4 per 700ms span floor((N-1)/4) windows of 700ms (plus the
// connector's safety margin of 5% per window). The span is measured at
// the server, from the first request to the last; the whole run, setup
// and commit included, is allowed 20%. Few requests per window, and few
// windows, keep the test about the limiter, not about how promptly a
// loaded machine serves requests and wakes timers.
func TestRateLimitedPullTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 2s")
	}
	var first, last atomic.Int64
	e := livevoxtest.New(t, livevoxtest.Options{OnRequest: func(r *http.Request) {
		if r.URL.Path == "/warmup" {
			return
		}
		now := time.Now().UnixNano()
		first.CompareAndSwap(0, now)
		last.Store(now)
	}})
	const perWindow, window = 4, 700 * time.Millisecond
	n := 1 + 1 + 1 + 9 + 1 // login, skills page, agents page, 9 reads, logout
	start := time.Now()
	if _, _, err := runPolicy(t, testNow, options(e, "rate_limit", "4/700ms"), "", pipeline.BatchPolicy{MaxRows: 1000}, warm); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if got := e.Stats().Requests; got != n {
		t.Fatalf("%d requests, want %d", got, n)
	}
	implied := time.Duration((n-1)/perWindow) * window
	span := time.Duration(last.Load() - first.Load())
	t.Logf("span %v, run %v, implied %v", span, took, implied)
	if span < implied {
		t.Errorf("requests spanned %v, less than the %v the limit implies", span, implied)
	}
	if raceEnabled {
		return
	}
	if span > implied+implied/10 {
		t.Errorf("requests spanned %v, the limit implies %v (allowed up to %v)", span, implied, implied+implied/10)
	}
	if took > implied+implied/5 {
		t.Errorf("the run took %v, the limit implies %v", took, implied)
	}
}
