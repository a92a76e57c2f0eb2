package genesys

import (
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/genesys/genesystest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

// testWindow is the emulator's limit in the limit tests: Genesys' 300 a
// minute scaled down to keep the tests short, with a period long enough
// that httpx's spacing margin (2% of it) covers the timing jitter of a
// loaded test machine.
var testWindow = genesystest.Window{Requests: 5, Per: time.Second}

// TestMatchingLimits pulls at the emulator's own limit: no 429 may occur,
// and the pull takes the time the limit implies, within 10%.
func TestMatchingLimits(t *testing.T) {
	if raceDetector {
		// The race detector stalls goroutines by more than the limiter's
		// spacing margin (2% of the period), so the server may see two
		// requests closer than the client sent them.
		t.Skip("timing-sensitive: skipped under -race")
	}
	e := genesystest.New(t, genesystest.Config{Limits: []genesystest.Window{testWindow}})
	ids := e.Seed(genesystest.Seed{Users: users, From: day0, Days: 3, PerDay: 3, Statuses: 3, Annotations: 2})
	start := time.Now()
	c, err := lakecheck.Drain(t, Kind(), options(e, users, "rate_limit", "5/1s"))
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	got := e.Counts()
	if got.TooMany != 0 {
		t.Fatalf("%d 429s at matching limits", got.TooMany)
	}
	if c.Written != int64(len(ids))*(1+1+3+2) {
		t.Fatalf("counts %+v", c)
	}
	// Bursts of 5 go out at once, so request i leaves no earlier than
	// (i-1)/5 periods after the first (the token request is not limited).
	implied := time.Duration((got.API-1)/testWindow.Requests) * testWindow.Per
	if elapsed < implied || elapsed > implied+implied/10 {
		t.Fatalf("%d requests took %v; the limits imply %v (within 10%% allowed)", got.API, elapsed, implied)
	}
	t.Logf("%d requests in %v, limits imply %v", got.API, elapsed, implied)
}

func TestLooserLimitsMeet429AndRecover(t *testing.T) {
	// The same pull with the client's limit far above the server's: the
	// emulator's windows are real, and Retry-After carries the run through.
	e := genesystest.New(t, genesystest.Config{Limits: []genesystest.Window{{Requests: 10, Per: 200 * time.Millisecond}}})
	ids := seed(e)
	c, err := lakecheck.Drain(t, Kind(), options(e, users, "rate_limit", "1000/1s", "retry_budget", "1000"))
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Counts(); got.TooMany == 0 {
		t.Fatal("no 429 although the client ignored the server's limit")
	}
	if c.Written != int64(len(ids))*(1+1+3+2) || c.Rejected != 0 {
		t.Fatalf("counts %+v", c)
	}
}
