package cresta

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/cresta/crestatest"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

// seeded is an emulator holding n example plans.
func seeded(t testing.TB, cfg crestatest.Config, n int) (*crestatest.Emulator, []string) {
	e := crestatest.New(t, cfg)
	names := planNames(n)
	for _, name := range names {
		e.AddExamplePlan(name)
	}
	return e, names
}

func complete(t *testing.T, o outcome, names []string) {
	t.Helper()
	if o.err != nil {
		t.Fatalf("run: %v", o.err)
	}
	got := rows(t, o.out)
	for _, n := range names {
		if got[key(n, now0)] == nil {
			t.Fatalf("plan %s missing", n)
		}
	}
	if len(got) != len(names) {
		t.Fatalf("%d rows, want %d", len(got), len(names))
	}
}

func Test429StormHonoursRetryAfter(t *testing.T) {
	e, names := seeded(t, crestatest.Config{}, 5)
	e.Inject(crestatest.Fault{Status: http.StatusTooManyRequests, RetryAfter: 120 * time.Millisecond, Times: 3})
	start := time.Now()
	// One plan at a time, so the three 429s meet one request after
	// another and their Retry-Afters add up.
	complete(t, run(t, options(e, names, "concurrency", "1"), now0, ""), names)
	if el := time.Since(start); el < 3*120*time.Millisecond {
		t.Fatalf("took %v: Retry-After not honoured", el)
	}
	if c := e.Counts(); c.TooMany != 3 || c.Plans != 5 {
		t.Fatalf("counts %+v", c)
	}
}

func TestServerErrorsAndDroppedBodiesRetried(t *testing.T) {
	e, names := seeded(t, crestatest.Config{}, 5)
	e.Inject(crestatest.Fault{Path: "/v1/" + names[1], Status: http.StatusInternalServerError, Times: 2})
	e.Inject(crestatest.Fault{Path: "/v1/" + names[3], Drop: true})
	complete(t, run(t, options(e, names), now0, ""), names)
	if c := e.Counts(); c.Faults != 3 {
		t.Fatalf("counts %+v", c)
	}
}

func TestRetryBudgetStopsRun(t *testing.T) {
	e, names := seeded(t, crestatest.Config{}, 5)
	e.Inject(crestatest.Fault{Status: http.StatusServiceUnavailable, After: 1, Times: 100})
	o := run(t, options(e, names, "retry_budget", "1"), now0, "")
	failedClean(t, o)
	if !errors.Is(o.err, httpx.ErrRetryBudgetExhausted) {
		t.Fatalf("error %v", o.err)
	}
}

func TestPermanentErrorOtherThan404FailsRun(t *testing.T) {
	e, names := seeded(t, crestatest.Config{}, 3)
	e.Inject(crestatest.Fault{Path: "/v1/" + names[2], Status: http.StatusForbidden})
	o := run(t, options(e, names), now0, "")
	failedClean(t, o)
	if !httpx.IsPermanent(o.err) {
		t.Fatalf("error %v is not permanent", o.err)
	}
}

// TestMatchingLimits pulls at the emulator's own limit: no 429 may occur,
// and the pull takes the time the limit implies, within 10%. The period is
// long enough that httpx's spacing margin (2% of it) covers the timing
// jitter of a loaded test machine.
func TestMatchingLimits(t *testing.T) {
	if raceDetector {
		// The race detector stalls goroutines by more than the limiter's
		// spacing margin (2% of the period), so the server may see two
		// requests closer than the client sent them.
		t.Skip("timing-sensitive: skipped under -race")
	}
	w := crestatest.Window{Requests: 5, Per: time.Second}
	e, names := seeded(t, crestatest.Config{Limits: []crestatest.Window{w}}, 11)
	start := time.Now()
	c, err := lakecheck.Drain(t, Kind(), options(e, names, "rate_limit", "5/1s"))
	elapsed := time.Since(start)
	if err != nil || c.Written != int64(len(names)) {
		t.Fatalf("counts %+v, %v", c, err)
	}
	if got := e.Counts(); got.TooMany != 0 {
		t.Fatalf("%d 429s at matching limits", got.TooMany)
	}
	implied := time.Duration((len(names)-1)/w.Requests) * w.Per
	if elapsed < implied || elapsed > implied+implied/10 {
		t.Fatalf("%d requests took %v; the limits imply %v (within 10%%)", len(names), elapsed, implied)
	}
}

func BenchmarkPullRequests(b *testing.B) {
	e, names := seeded(b, crestatest.Config{}, 20)
	opts := options(e, names)
	b.ResetTimer()
	for range b.N {
		before := e.Counts().Requests
		if _, err := lakecheck.Drain(b, Kind(), opts); err != nil {
			b.Fatal(err)
		}
		// One GET per plan: the API has no batch read.
		if got := e.Counts().Requests - before; got != len(names) {
			b.Fatalf("%d requests for %d plans", got, len(names))
		}
	}
	b.ReportMetric(float64(len(names)), "requests/op")
}
