package genesys

import (
	"testing"

	"github.com/ccetl/ccetl/connectors/genesys/genesystest"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
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
