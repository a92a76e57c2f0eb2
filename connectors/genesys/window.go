package genesys

import (
	"time"

	"github.com/ccetl/ccetl/connectors/internal/daygrid"
)

// CursorName is the cursor the kind keeps in the job state: the exclusive
// end day (YYYY-MM-DD) of the last committed pull.
const CursorName = "interval_end"

// cell is one pulled interval [Start, End): a whole cell of the window
// grid (see daygrid).
type cell daygrid.Window

// interval is the cell in the wire form of the interval parameter.
func (c cell) interval() string {
	return c.Start.Format(time.RFC3339) + "/" + c.End.Format(time.RFC3339)
}

// span is the range of days a run pulls, before it is widened to the grid,
// and the cursor it leaves.
type span struct {
	from, to time.Time
	cursor   string
	saved    time.Time // the saved cursor; zero without one
}

// plan decides what a run pulls: from start (or the cursor less repull
// days) to end (or the day after now), and the cursor it reports: the
// later of the saved cursor and to, so a backfill never moves it back.
func plan(o Options, cursors map[string]string, now time.Time) (span, error) {
	r, err := daygrid.Resolve(o.Start, o.End, o.RepullDays, CursorName, cursors[CursorName], now)
	if err != nil {
		return span{}, err
	}
	return span{from: r.From, to: r.To, cursor: r.Later(r.To), saved: r.Saved}, nil
}

// after is the cursor once the cells up to c are pulled: the same rule
// as the run's cursor, with c's end (at most to) in place of to. After the
// last cell it is the run's cursor.
func (sp span) after(c cell) string {
	done := c.End
	if sp.to.Before(done) {
		done = sp.to
	}
	return daygrid.Range{Saved: sp.saved}.Later(done)
}

// cells covers [from, to) with whole cells of the grid of days-day cells
// counted from 1970-01-01 UTC. Whole cells make every pulled interval one a
// later run pulls identically, so its files replace the earlier ones.
func cells(from, to time.Time, days int) []cell {
	ws := daygrid.Grid(from, to, days)
	out := make([]cell, len(ws))
	for i, w := range ws {
		out[i] = cell(w)
	}
	return out
}
