package genesys

import (
	"errors"
	"fmt"
	"time"
)

// CursorName is the cursor the kind keeps in the job state: the exclusive
// end day (YYYY-MM-DD) of the last committed pull.
const CursorName = "interval_end"

const day24 = 24 * time.Hour

// cell is one pulled interval [start, end): a whole cell of the window grid.
type cell struct{ start, end time.Time }

// interval is the cell in the wire form of the interval parameter.
func (c cell) interval() string {
	return c.start.Format(time.RFC3339) + "/" + c.end.Format(time.RFC3339)
}

// span is the range of days a run pulls, before it is widened to the grid,
// and the cursor it leaves.
type span struct {
	from, to time.Time
	cursor   string
}

// plan decides what a run pulls: from start (or the cursor less repull
// days) to end (or the day after now), and the cursor it reports: the
// later of the saved cursor and to, so a backfill never moves it back.
func plan(o Options, cursors map[string]string, now time.Time) (span, error) {
	to := o.End
	if to.IsZero() {
		to = midnight(now).Add(day24)
	}
	saved := cursors[CursorName]
	var prev time.Time
	if saved != "" {
		var err error
		if prev, err = time.Parse(time.DateOnly, saved); err != nil {
			return span{}, fmt.Errorf("cursor %s: want a date YYYY-MM-DD", CursorName)
		}
	}
	from := o.Start
	if from.IsZero() {
		if prev.IsZero() {
			return span{}, errors.New("no start option and no saved cursor: give start (YYYY-MM-DD) for the first run")
		}
		from = prev.Add(-time.Duration(o.RepullDays) * day24)
	}
	if !to.After(from) {
		return span{}, fmt.Errorf("nothing to pull: the interval from %s to %s is empty", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	next := to
	if prev.After(next) {
		next = prev
	}
	return span{from: from, to: to, cursor: next.Format(time.DateOnly)}, nil
}

// cells covers [from, to) with whole cells of a grid of days-day cells
// counted from 1970-01-01 UTC. Whole cells make every pulled interval one a
// later run pulls identically, so its files replace the earlier ones.
func cells(from, to time.Time, days int) []cell {
	size := int64(days)
	d := floorDiv(midnight(from).Unix(), 86400)
	d -= mod(d, size)
	var out []cell
	for {
		start := time.Unix(d*86400, 0).UTC()
		if !start.Before(to) {
			return out
		}
		d += size
		out = append(out, cell{start: start, end: time.Unix(d*86400, 0).UTC()})
	}
}

func midnight(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

func mod(a, b int64) int64 { return a - floorDiv(a, b)*b }
