package api

import (
	"time"

	"github.com/ccetl/ccetl/connectors/internal/daygrid"
)

// window is one pulled range of days [Start, End), UTC.
type window = daygrid.Window

// span is what a windowed run pulls and the cursor it leaves.
type span struct {
	windows []window
	cursor  string // YYYY-MM-DD, reported after a successful pull
}

// planDays decides the windows of a run: from start (or the saved cursor
// less repull days) to end (or the day after now, exclusive), cut on the
// fixed grid of size-day windows (see daygrid). The cursor it reports is
// the end of the last whole day pulled (today's start when the run reaches
// past now, so today is pulled again), never earlier than the saved one.
func planDays(start, end time.Time, repull, size int, cursor, saved string, now time.Time) (span, error) {
	r, err := daygrid.Resolve(start, end, repull, cursor, saved, now)
	if err != nil {
		return span{}, err
	}
	done := r.To
	if done.After(r.Today) {
		done = r.Today
	}
	return span{windows: daygrid.Grid(r.From, r.To, size), cursor: r.Later(done)}, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}
