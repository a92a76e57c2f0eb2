package livevox

import (
	"strconv"
	"testing"

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
