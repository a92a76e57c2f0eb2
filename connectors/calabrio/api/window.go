package api

import (
	"errors"
	"fmt"
	"time"
)

// window is one pulled range of days [start, end), UTC.
type window struct{ start, end time.Time }

// span is what a windowed run pulls and the cursor it leaves.
type span struct {
	windows []window
	cursor  string // YYYY-MM-DD, reported after a successful pull
}

// planDays decides the windows of a run: from start (or the saved cursor
// less repull days) to end (or the day after now, exclusive), cut on a
// fixed grid of size-day windows counted from 1970-01-01 so that a later
// run pulls a window identically and its files replace the earlier ones.
// The cursor it reports is the end of the last whole day pulled (today's
// start when the run reaches past now, so today is pulled again), never
// earlier than the saved one.
func planDays(start, end time.Time, repull, size int, saved string, now time.Time) (span, error) {
	today := midnight(now)
	to := end
	if to.IsZero() {
		to = today.Add(day)
	}
	var prev time.Time
	if saved != "" {
		var err error
		if prev, err = time.Parse(time.DateOnly, saved); err != nil {
			return span{}, fmt.Errorf("saved cursor %q: want a date YYYY-MM-DD", saved)
		}
	}
	from := start
	if from.IsZero() {
		if prev.IsZero() {
			return span{}, errors.New("no start option and no saved cursor: give start (YYYY-MM-DD) for the first run")
		}
		from = prev.Add(-time.Duration(repull) * day)
	}
	if !to.After(from) {
		return span{}, fmt.Errorf("nothing to pull: the range from %s to %s is empty", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	next := to
	if next.After(today) {
		next = today
	}
	if prev.After(next) {
		next = prev
	}
	return span{windows: grid(from, to, size), cursor: next.Format(time.DateOnly)}, nil
}

// grid covers [from, to) with whole size-day windows of the 1970 grid.
func grid(from, to time.Time, size int) []window {
	n := int64(size)
	d := floorDiv(midnight(from).Unix(), 86400)
	d -= d - floorDiv(d, n)*n
	var out []window
	for {
		start := time.Unix(d*86400, 0).UTC()
		if !start.Before(to) {
			return out
		}
		d += n
		out = append(out, window{start: start, end: time.Unix(d*86400, 0).UTC()})
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
