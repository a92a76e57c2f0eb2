package maestroqa

import (
	"time"

	"github.com/ccetl/ccetl/connectors/internal/daygrid"
)

// CursorName is the cursor a time axis keeps in the job state: the
// exclusive end day (YYYY-MM-DD) of the windows pulled completely, for
// example "createdAt_window_end". Each axis has its own, since a day
// complete on one axis says nothing about the other.
func CursorName(axis string) string { return axis + "_window_end" }

const day24 = daygrid.Day

// window is the whole UTC days [Start, End) of one request: a window of the
// grid (see daygrid).
type window daygrid.Window

// startDate and endDate are the request body's dates. With an inclusive
// endDate the window's last day is sent, otherwise its end: either way
// consecutive windows ask for disjoint days.
func (w window) startDate() string { return w.Start.Format(time.DateOnly) }

func (w window) endDate(inclusive bool) string {
	if inclusive {
		return w.End.Add(-day24).Format(time.DateOnly)
	}
	return w.End.Format(time.DateOnly)
}

func (w window) String() string {
	return w.Start.Format(time.DateOnly) + ".." + w.End.Add(-day24).Format(time.DateOnly)
}

// runPlan is what a run pulls: the days asked for, the windows covering
// them and the cursor it reports when every window was pulled.
type runPlan struct {
	from, to time.Time // requested days [from, to)
	windows  []window
	cursor   string   // "" when the run completes no day
	after    []string // after[i]: the cursor once windows[:i+1] are pulled
}

// planRun decides the run's windows: from start (or the saved cursor less
// repull_days) to end (or the day after now), widened to whole windows of
// the grid. The cursor it reports is the end of the last window, but never
// past the start of now's day (a day not over yet is pulled again by the
// next run) and never before the saved cursor (a backfill of old days does
// not move it back). after applies the same rule to each prefix of the
// windows, for the checkpoint that follows each window.
func planRun(o APIOptions, cursors map[string]string, now time.Time) (runPlan, error) {
	name := CursorName(o.TimeAxis)
	r, err := daygrid.Resolve(o.Start, o.End, o.RepullDays, name, cursors[name], now)
	if err != nil {
		return runPlan{}, err
	}
	p := runPlan{from: r.From, to: r.To}
	p.windows = grid(p.from, p.to, o.WindowDays)
	p.after = make([]string, len(p.windows))
	for i, w := range p.windows {
		p.after[i] = cursorAt(r, p.windows[0].Start, w.End)
	}
	p.cursor = p.after[len(p.after)-1]
	return p, nil
}

// cursorAt is the cursor once the windows from first to done are pulled:
// done capped at today, if that completes a day past the saved cursor;
// else the saved cursor ("" without one).
func cursorAt(r daygrid.Range, first, done time.Time) string {
	if r.Today.Before(done) {
		done = r.Today
	}
	switch {
	case done.After(first) && done.After(r.Saved):
		return done.Format(time.DateOnly)
	case !r.Saved.IsZero():
		return r.Saved.Format(time.DateOnly)
	}
	return ""
}

// grid covers [from, to) with whole windows of the grid of days-day
// windows (daygrid.Grid). Whole windows of one fixed grid make every
// window one that a later run asks for identically, so its files replace
// the earlier ones instead of repeating their rows.
func grid(from, to time.Time, days int) []window {
	ws := daygrid.Grid(from, to, days)
	out := make([]window, len(ws))
	for i, w := range ws {
		out[i] = window(w)
	}
	return out
}

// GridStart is the first day of the window_days grid window holding day:
// a backfill starting there needs the fewest windows.
func GridStart(day time.Time, windowDays int) time.Time { return daygrid.GridStart(day, windowDays) }
