package daygrid

import (
	"errors"
	"fmt"
	"time"
)

// Day is 24 hours: every window is whole UTC days.
const Day = 24 * time.Hour

// Window is the whole UTC days [Start, End).
type Window struct{ Start, End time.Time }

// Range is what a run asks for: the days [From, To), the saved cursor it
// resumed from and the start of the run's day.
type Range struct {
	From, To time.Time
	Saved    time.Time // zero without a saved cursor
	Today    time.Time // midnight UTC of the run's clock
}

// Resolve decides the days a run asks for: from start (or the saved cursor
// less repullDays) to end (or the day after now). start and end are zero
// when not given; saved is the cursor named cursor, YYYY-MM-DD or "".
func Resolve(start, end time.Time, repullDays int, cursor, saved string, now time.Time) (Range, error) {
	r := Range{From: start, To: end, Today: Midnight(now)}
	if saved != "" {
		var err error
		if r.Saved, err = time.Parse(time.DateOnly, saved); err != nil {
			return Range{}, fmt.Errorf("cursor %s: want a date YYYY-MM-DD", cursor)
		}
	}
	if r.To.IsZero() {
		r.To = r.Today.Add(Day)
	}
	if r.From.IsZero() {
		if r.Saved.IsZero() {
			return Range{}, errors.New("no start option and no saved cursor: give start (YYYY-MM-DD) for the first run")
		}
		r.From = r.Saved.Add(-time.Duration(repullDays) * Day)
	}
	if !r.To.After(r.From) {
		return Range{}, fmt.Errorf("nothing to pull: the days from %s to %s are empty", r.From.Format(time.DateOnly), r.To.Format(time.DateOnly))
	}
	return r, nil
}

// Later returns the later of done and the saved cursor as YYYY-MM-DD, so
// a backfill of old days never moves the cursor back.
func (r Range) Later(done time.Time) string {
	if r.Saved.After(done) {
		done = r.Saved
	}
	return done.Format(time.DateOnly)
}

// Grid covers [from, to) with whole windows of a grid of size-day windows
// counted from 1970-01-01 UTC. A range that starts on the grid needs
// ceil(days/size) windows, the fewest possible; one that does not may need
// one more. size must be at least 1.
func Grid(from, to time.Time, size int) []Window {
	n := int64(size)
	d := floorDiv(Midnight(from).Unix(), 86400)
	d -= d - floorDiv(d, n)*n
	var out []Window
	for {
		start := time.Unix(d*86400, 0).UTC()
		if !start.Before(to) {
			return out
		}
		d += n
		out = append(out, Window{Start: start, End: time.Unix(d*86400, 0).UTC()})
	}
}

// GridStart is the first day of the size-day grid window holding day.
func GridStart(day time.Time, size int) time.Time {
	return Grid(day, day.Add(time.Nanosecond), size)[0].Start
}

// Midnight is the start of t's day in UTC.
func Midnight(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// floorDiv is a/b rounded toward minus infinity (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}
