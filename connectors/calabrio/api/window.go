package api

import (
	"time"

	"github.com/ccetl/ccetl/connectors/internal/daygrid"
	"github.com/ccetl/ccetl/pipeline"
)

// window is one pulled range of days [Start, End), UTC.
type window = daygrid.Window

// span is what a windowed run pulls and the cursor it leaves.
type span struct {
	windows []window
	cursor  string   // YYYY-MM-DD, reported after a successful pull
	after   []string // after[i]: the cursor once windows[:i+1] are pulled
}

// planDays decides the windows of a run: from start (or the saved cursor
// less repull days) to end (or the day after now, exclusive), cut on the
// fixed grid of size-day windows (see daygrid). The cursor it reports is
// the end of the last whole day pulled (today's start when the run reaches
// past now, so today is pulled again), never earlier than the saved one.
// after applies the same rule to each window's end, for the checkpoint
// that follows the window.
func planDays(start, end time.Time, repull, size int, cursor, saved string, now time.Time) (span, error) {
	r, err := daygrid.Resolve(start, end, repull, cursor, saved, now)
	if err != nil {
		return span{}, err
	}
	sp := span{windows: daygrid.Grid(r.From, r.To, size)}
	sp.after = make([]string, len(sp.windows))
	for i, w := range sp.windows {
		done := w.End
		if done.After(r.To) {
			done = r.To
		}
		if done.After(r.Today) {
			done = r.Today
		}
		sp.after[i] = r.Later(done)
	}
	sp.cursor = sp.after[len(sp.after)-1]
	return sp, nil
}

// checkpoint is the checkpoint batch that closes window i, named in.
func (sp span) checkpoint(i int, name, in string) pipeline.Batch {
	return pipeline.Batch{Checkpoint: true, Input: in, Cursors: map[string]string{name: sp.after[i]}}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}
