package genesys

import (
	"fmt"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/genesys/genesystest"
	"github.com/ccetl/ccetl/connectors/internal/emutest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

// minimumRequests is the fewest requests a pull of the seeded data can
// make: one token, for every cell and user chunk the appointment pages
// (at least one), and for every appointment one statuses page and one
// annotations page per pageSize entries.
func minimumRequests(pageSize, usersPerRequest int, days, perDay, statuses, annotations int) int {
	pages := func(n int) int { return max(1, (n+pageSize-1)/pageSize) }
	n := 1
	for _, c := range cells(day0, day0.AddDate(0, 0, 14), DefaultWindowDays) {
		for lo := 0; lo < len(users); lo += usersPerRequest {
			inChunk := 0
			for i := range days * perDay {
				at := day0.AddDate(0, 0, i/perDay)
				if u := i % len(users); u >= lo && u < lo+usersPerRequest && !at.Before(c.Start) && at.Before(c.End) {
					inChunk++
				}
			}
			n += pages(inChunk)
		}
	}
	return n + days*perDay*(pages(statuses)+pages(annotations))
}

func BenchmarkPullRequests(b *testing.B) {
	e := genesystest.New(b, genesystest.Config{})
	seed(e)
	opts := options(e, users, "page_size", "4", "users_per_request", "2")
	want := minimumRequests(4, 2, 10, 3, 3, 2)
	b.ResetTimer()
	for range b.N {
		e.ResetCounts()
		if _, err := lakecheck.Drain(b, Kind(), opts); err != nil {
			b.Fatal(err)
		}
		c := e.Counts()
		if got := c.Logins + c.API; got != want {
			b.Fatalf("%d requests, the minimum is %d (%+v)", got, want, c)
		}
	}
	b.ReportMetric(float64(want), "requests/op")
}

func TestMinimumRequests(t *testing.T) {
	// 21 appointments in the first cell: user-a and user-b have 14 (4
	// pages of 4), user-c 7 (2 pages); in the second cell 6 and 3 (2 and 1
	// pages); 30 appointments with one statuses and one annotations page.
	if got := minimumRequests(4, 2, 10, 3, 3, 2); got != 1+4+2+2+1+60 {
		t.Fatalf("minimum %d", got)
	}
}

// BenchmarkPullAtRateLimit pulls 1,008 appointments (14 days of 72, 3
// status changes and 2 annotations each) under a limit of 1000 API
// requests a second that the emulator enforces (429 over it) and that
// rate_limit configures, with the emulator answering at once and after
// emutest.BenchLatency, one appointment at a time and DefaultConcurrency at once.
// It reports the requests, which must be the minimum, the floor the limit
// implies for them (the token request is not limited), the pull's time
// over that floor (x-floor) and the 429s, which must be none. One at a
// time, the round trips add up; many at once, the limit bounds the pull.
//
//	go test -run '^$' -bench PullAtRateLimit -benchtime 1x ./connectors/genesys
func BenchmarkPullAtRateLimit(b *testing.B) {
	emutest.AtRateLimit(b, DefaultConcurrency, pullAtRateLimit)
}

func pullAtRateLimit(b *testing.B, latency time.Duration, conc int) {
	const days, perDay, statuses, annotations = 14, 72, 3, 2
	w := genesystest.Window{Requests: 1000, Per: time.Second}
	e := genesystest.New(b, genesystest.Config{Limits: []genesystest.Window{w}, Latency: latency})
	e.Seed(genesystest.Seed{Users: users, From: day0, Days: days, PerDay: perDay, Statuses: statuses, Annotations: annotations})
	opts := options(e, users, "rate_limit", fmt.Sprintf("%d/%v", w.Requests, w.Per), "concurrency", fmt.Sprint(conc))
	want := minimumRequests(DefaultPageSize, DefaultUsersPerRequest, days, perDay, statuses, annotations)
	floor := emutest.RateFloor(want-1, w.Requests, w.Per)
	// the last pull's window passes between two
	took := emutest.TimePulls(b, w.Per+w.Per/10, func() {
		e.ResetCounts()
		c, _, err := lakecheck.DrainWith(b, Kind(), lakecheck.Options{Opts: opts, Policy: pipeline.DefaultBatchPolicy()})
		if err != nil {
			b.Fatal(err)
		}
		if c.Written != days*perDay*(1+1+statuses+annotations) {
			b.Fatalf("counts %+v", c)
		}
		n := e.Counts()
		if n.TooMany != 0 {
			b.Fatalf("%d 429s at the emulator's own limit", n.TooMany)
		}
		if got := n.Logins + n.API; got != want {
			b.Fatalf("%d requests, the minimum is %d (%+v)", got, want, n)
		}
	})
	emutest.ReportFloor(b, want, floor, took)
}
