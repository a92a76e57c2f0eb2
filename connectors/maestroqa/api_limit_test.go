package maestroqa

import (
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/connectors/maestroqa/maestroqatest"
)

// testLimits are the documented limits 50 times faster: 1 request per
// 20ms and 30 per 1.2s.
var testLimits = maestroqatest.ScaledLimits(20 * time.Millisecond)

// limitWindows is a backfill of 33 three-day windows: more than the 30
// the minute allows, so both windows shape the run.
const limitWindows = 33

func limitFixture(t testing.TB, limits []maestroqatest.Window) (*maestroqatest.Emulator, map[string]string) {
	t.Helper()
	e := maestroqatest.New(t, maestroqatest.Config{Limits: limits})
	start := GridStart(date("2021-06-01"), 3)
	e.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 3 * limitWindows, First: start.Add(10 * time.Hour), Every: 24 * time.Hour}))
	opts := apiOptions(t, e, "start", start.Format(time.DateOnly), "end", start.AddDate(0, 0, 3*limitWindows).Format(time.DateOnly),
		"window_days", "3", "rate_limit", maestroqatest.RateLimit(limits))
	return e, opts
}

// impliedTime is when the last of n requests may leave under limits
// (sliding windows, the first at 0): the time the limits imply for a
// backfill of n windows.
func impliedTime(n int, limits []maestroqatest.Window) time.Duration {
	sent := make([]time.Duration, n)
	for i := range sent {
		if i > 0 {
			sent[i] = sent[i-1]
		}
		for _, w := range limits {
			if i >= w.Requests {
				sent[i] = max(sent[i], sent[i-w.Requests]+w.Per)
			}
		}
	}
	return sent[n-1]
}

func TestImpliedTime(t *testing.T) {
	// 30 requests 20ms apart (0..580ms), then the minute: the 31st at
	// 1.2s, the 32nd and 33rd 20ms apart.
	if got := impliedTime(33, testLimits); got != 1240*time.Millisecond {
		t.Fatalf("implied %v", got)
	}
	if got := impliedTime(1, testLimits); got != 0 {
		t.Fatalf("implied %v", got)
	}
}

// rateLimitedBackfill pulls the limit fixture with limits matching the
// emulator's and checks the minimum number of requests, that no 429 was
// provoked, and that the run took the time the limits imply, within 10%.
func rateLimitedBackfill(tb testing.TB, e *maestroqatest.Emulator, opts map[string]string) (time.Duration, time.Duration) {
	tb.Helper()
	e.ResetCounts()
	begin := time.Now()
	c, err := lakecheck.Drain(tb, APIKind(), opts)
	elapsed := time.Since(begin)
	if err != nil {
		tb.Fatal(err)
	}
	if got := e.Counts(); got.Requests != limitWindows || got.TooMany != 0 || got.Served != limitWindows {
		tb.Fatalf("counts %+v: want %d requests (one per window) and no 429", got, limitWindows)
	}
	if c.Written != 6*3*limitWindows || c.Rejected != 0 {
		tb.Fatalf("rows %+v", c)
	}
	implied := impliedTime(limitWindows, testLimits)
	if elapsed < implied || elapsed > implied+implied/10 {
		tb.Fatalf("%d requests took %v; the limits imply %v (10%% over allowed)", limitWindows, elapsed, implied)
	}
	return elapsed, implied
}

func TestMatchingLimitsProvokeNo429(t *testing.T) {
	e, opts := limitFixture(t, testLimits)
	elapsed, implied := rateLimitedBackfill(t, e, opts)
	t.Logf("%d requests in %v, the limits imply %v", limitWindows, elapsed, implied)
}

// The same pull with the client's limit far above the server's: the
// emulator's windows are real, its 429s carry no Retry-After, and the
// backoff carries the run through with every row once (the fixture's keys
// are unique, so written = read with nothing merged means once each).
func TestLooserLimitsMeet429AndRecover(t *testing.T) {
	e, opts := limitFixture(t, maestroqatest.ScaledLimits(10*time.Millisecond))
	opts["rate_limit"] = "1000/1s"
	opts["retry_delay"] = "5ms"
	opts["max_attempts"] = "30"
	opts["retry_budget"] = "10000"
	c, err := lakecheck.Drain(t, APIKind(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Counts(); got.TooMany == 0 || got.Served != limitWindows {
		t.Fatalf("counts %+v: no 429 although the client ignored the server's limit", got)
	}
	if c.Written != 6*3*limitWindows || c.Merged != 0 || c.Rejected != 0 {
		t.Fatalf("rows %+v", c)
	}
}

// BenchmarkRateLimitedBackfill pulls 33 windows under the scaled limits:
// one request per window (the minimum: the API has no paging, and a window
// may not pass 90 days), no 429, and within 10% of the time the limits
// imply.
func BenchmarkRateLimitedBackfill(b *testing.B) {
	e, opts := limitFixture(b, testLimits)
	var elapsed, implied time.Duration
	b.ResetTimer()
	for range b.N {
		el, im := rateLimitedBackfill(b, e, opts)
		elapsed += el
		implied += im
	}
	b.ReportMetric(float64(limitWindows), "requests/op")
	b.ReportMetric(float64(elapsed)/float64(implied), "elapsed/implied")
}
