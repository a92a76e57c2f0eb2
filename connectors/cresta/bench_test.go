package cresta

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/cresta/crestatest"
	"github.com/ccetl/ccetl/connectors/internal/emutest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

// BenchmarkPullAtRateLimit pulls 3,001 coaching plans under a limit of
// 1000 requests a second that the emulator enforces (429 over it) and that
// rate_limit configures, with the emulator answering at once and after
// emutest.BenchLatency, one plan at a time and DefaultConcurrency at once. It
// reports the requests, one GET per plan (the minimum: the API has no
// batch read), the floor the limit implies for them, the pull's time over
// that floor (x-floor) and the 429s, which must be none. One at a time,
// the round trips add up; many at once, the limit bounds the pull.
//
//	go test -run '^$' -bench PullAtRateLimit -benchtime 1x ./connectors/cresta
func BenchmarkPullAtRateLimit(b *testing.B) {
	emutest.AtRateLimit(b, DefaultConcurrency, pullAtRateLimit)
}

func pullAtRateLimit(b *testing.B, latency time.Duration, conc int) {
	w := crestatest.Window{Requests: 1000, Per: time.Second}
	e, names := seeded(b, crestatest.Config{Limits: []crestatest.Window{w}, Latency: latency}, 3001)
	opts := options(e, names, "rate_limit", fmt.Sprintf("%d/%v", w.Requests, w.Per), "concurrency", strconv.Itoa(conc))
	want := len(names)
	floor := emutest.RateFloor(want, w.Requests, w.Per)
	// the last pull's window passes between two
	took := emutest.TimePulls(b, w.Per+w.Per/10, func() {
		before := e.Counts()
		c, _, err := lakecheck.DrainWith(b, Kind(), lakecheck.Options{Opts: opts, Policy: pipeline.DefaultBatchPolicy()})
		if err != nil {
			b.Fatal(err)
		}
		if c.Written != int64(len(names)) {
			b.Fatalf("counts %+v", c)
		}
		after := e.Counts()
		if n := after.TooMany - before.TooMany; n != 0 {
			b.Fatalf("%d 429s at the emulator's own limit", n)
		}
		if n := after.Requests - before.Requests; n != want {
			b.Fatalf("%d requests for %d plans", n, want)
		}
	})
	emutest.ReportFloor(b, want, floor, took)
}
