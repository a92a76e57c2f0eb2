package maestroqa

import (
	"errors"
	"fmt"
	"time"
)

// CursorName is the cursor a time axis keeps in the job state: the
// exclusive end day (YYYY-MM-DD) of the windows pulled completely, for
// example "createdAt_window_end". Each axis has its own, since a day
// complete on one axis says nothing about the other.
func CursorName(axis string) string { return axis + "_window_end" }

const day24 = 24 * time.Hour

// window is the whole UTC days [start, end) of one request.
type window struct{ start, end time.Time }

// startDate and endDate are the request body's dates. With an inclusive
// endDate the window's last day is sent, otherwise its end: either way
// consecutive windows ask for disjoint days.
func (w window) startDate() string { return w.start.Format(time.DateOnly) }

func (w window) endDate(inclusive bool) string {
	if inclusive {
		return w.end.Add(-day24).Format(time.DateOnly)
	}
	return w.end.Format(time.DateOnly)
}

func (w window) String() string {
	return w.start.Format(time.DateOnly) + ".." + w.end.Add(-day24).Format(time.DateOnly)
}

// runPlan is what a run pulls: the days asked for, the windows covering
// them and the cursor it reports when every window was pulled.
type runPlan struct {
	from, to time.Time // requested days [from, to)
	windows  []window
	cursor   string // "" when the run completes no day
}

// planRun decides the run's windows: from start (or the saved cursor less
// repull_days) to end (or the day after now), widened to whole windows of
// the grid. The cursor it reports is the end of the last window, but never
// past the start of now's day (a day not over yet is pulled again by the
// next run) and never before the saved cursor (a backfill of old days does
// not move it back).
func planRun(o APIOptions, cursors map[string]string, now time.Time) (runPlan, error) {
	name := CursorName(o.TimeAxis)
	var prev time.Time
	if v := cursors[name]; v != "" {
		var err error
		if prev, err = time.Parse(time.DateOnly, v); err != nil {
			return runPlan{}, fmt.Errorf("cursor %s: want a date YYYY-MM-DD", name)
		}
	}
	today := midnight(now)
	p := runPlan{from: o.Start, to: o.End}
	if p.to.IsZero() {
		p.to = today.Add(day24)
	}
	if p.from.IsZero() {
		if prev.IsZero() {
			return runPlan{}, errors.New("no start option and no saved cursor: give start (YYYY-MM-DD) for the first run")
		}
		p.from = prev.Add(-time.Duration(o.RepullDays) * day24)
	}
	if !p.to.After(p.from) {
		return runPlan{}, fmt.Errorf("nothing to pull: the days from %s to %s are empty", p.from.Format(time.DateOnly), p.to.Format(time.DateOnly))
	}
	p.windows = grid(p.from, p.to, o.WindowDays)
	done := p.windows[len(p.windows)-1].end
	if today.Before(done) {
		done = today
	}
	switch {
	case done.After(p.windows[0].start) && done.After(prev):
		p.cursor = done.Format(time.DateOnly)
	case !prev.IsZero():
		p.cursor = prev.Format(time.DateOnly)
	}
	return p, nil
}

// grid covers [from, to) with whole windows of a grid of days-day windows
// counted from 1970-01-01 UTC. Whole windows of one fixed grid make every
// window one that a later run asks for identically, so its files replace
// the earlier ones instead of repeating their rows. A range that starts on
// the grid needs ceil(days/window) windows, the fewest possible; one that
// does not may need one more.
func grid(from, to time.Time, days int) []window {
	size := int64(days)
	d := floorDiv(midnight(from).Unix(), 86400)
	d -= d - floorDiv(d, size)*size
	var out []window
	for {
		start := time.Unix(d*86400, 0).UTC()
		if !start.Before(to) {
			return out
		}
		d += size
		out = append(out, window{start: start, end: time.Unix(d*86400, 0).UTC()})
	}
}

// GridStart is the first day of the window_days grid window holding day:
// a backfill starting there needs the fewest windows.
func GridStart(day time.Time, windowDays int) time.Time {
	return grid(day, day.Add(time.Nanosecond), windowDays)[0].start
}

func midnight(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
