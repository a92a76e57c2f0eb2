package livevox

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/emutest"
	"github.com/ccetl/ccetl/connectors/livevox/livevoxtest"
	"github.com/ccetl/ccetl/pipeline"
)

// minRequests is the least a pull can make: a login, the skill pages, the
// agent pages (an empty list still costs one), one read per agent, a
// logout.
func minRequests(agents, skills, pageSize int) int {
	pages := func(n int) int { return max(1, (n+pageSize-1)/pageSize) }
	return 1 + pages(skills) + pages(agents) + agents + 1
}

// The pull makes exactly the minimum number of requests, including at
// page boundaries (a full last page has no next link).
func TestRequestsAreMinimal(t *testing.T) {
	for _, c := range []struct{ added, page int }{{0, 4}, {0, 9}, {0, 1000}, {991, 1000}, {1991, 1000}, {3, 4}} {
		e := livevoxtest.New(t, livevoxtest.Options{})
		e.AddAgents(49551, 700000, c.added, nil)
		before := e.Stats().Requests
		res, _ := mustRun(t, options(e, "page_size", itoa(c.page)))
		got := e.Stats().Requests - before
		want := minRequests(9+c.added, 3, c.page)
		if got != want || res.Tables[AgentTableName].RowsOut != int64(9+c.added) {
			t.Errorf("%d agents, page %d: %d requests, want %d", 9+c.added, c.page, got, want)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// BenchmarkPull pulls 5,000 agents with two skills each, in pages of 1000,
// without a rate limit, and reports the requests each pull makes, which
// must be the minimum.
func BenchmarkPull(b *testing.B) {
	e := livevoxtest.New(b, livevoxtest.Options{})
	const added = 4991
	e.AddAgents(49551, 800000, added, []int64{12366, 12367})
	opts := options(e, "page_size", "1000")
	want := minRequests(9+added, 3, 1000)
	b.ReportAllocs()
	for b.Loop() {
		before := e.Stats().Requests
		res, _, err := runPolicy(b, testNow, opts, "", pipeline.DefaultBatchPolicy(), nil)
		if err != nil {
			b.Fatal(err)
		}
		n := e.Stats().Requests - before
		if n != want {
			b.Fatalf("%d requests, want the minimum %d", n, want)
		}
		b.ReportMetric(float64(n), "requests/op")
		b.ReportMetric(float64(res.Totals().RowsOut), "rows/op")
	}
}

// BenchmarkPullAtRateLimit pulls 2,995 agents, in pages of 1000, under a
// limit of 1000 requests a second that the emulator enforces (429 over
// it) and that rate_limit configures, with the emulator answering at once
// and after emutest.BenchLatency, one agent at a time and DefaultConcurrency at
// once. It reports the requests, which must be the minimum, the floor the
// limit implies for them, the pull's time over that floor (x-floor; the
// connector spaces requests 5% wider than the window) and the 429s, which
// must be none. One at a time, the round trips add up; many at once, the
// limit bounds the pull.
//
//	go test -run '^$' -bench PullAtRateLimit -benchtime 1x ./connectors/livevox
func BenchmarkPullAtRateLimit(b *testing.B) {
	emutest.AtRateLimit(b, DefaultConcurrency, pullAtRateLimit)
}

func pullAtRateLimit(b *testing.B, latency time.Duration, conc int) {
	w := livevoxtest.Window{Requests: 1000, Per: time.Second}
	e := livevoxtest.New(b, livevoxtest.Options{Limits: []livevoxtest.Window{w}, Latency: latency})
	const added = 2986
	e.AddAgents(49551, 800000, added, []int64{12366, 12367})
	opts := options(e, "page_size", "1000", "rate_limit", fmt.Sprintf("%d/%v", w.Requests, w.Per), "concurrency", itoa(conc))
	want := minRequests(9+added, 3, 1000)
	floor := emutest.RateFloor(want, w.Requests, w.Per)
	// the last pull's window passes between two
	took := emutest.TimePulls(b, w.Per+w.Per/10, func() {
		before := e.Stats()
		res, _, err := runPolicy(b, testNow, opts, "", pipeline.DefaultBatchPolicy(), warm)
		if err != nil {
			b.Fatal(err)
		}
		after := e.Stats()
		if n := after.TooManyRequests - before.TooManyRequests; n != 0 {
			b.Fatalf("%d 429s at the emulator's own limit", n)
		}
		if n := after.Requests - before.Requests; n != want {
			b.Fatalf("%d requests, want the minimum %d", n, want)
		}
		if rows := res.Tables[AgentTableName].RowsOut; rows != 9+added {
			b.Fatalf("%d agents written, want %d", rows, 9+added)
		}
	})
	emutest.ReportFloor(b, want, floor, took)
}
