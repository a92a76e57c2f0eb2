package jobs

import (
	"context"
	"time"

	"github.com/ccetl/ccetl/pipeline"
)

// DefaultWindow is the number of changes a streamed push plans before it
// applies them (target.window in a job file).
const DefaultWindow = 10_000

// windows hands a streamed push's changes to its apply as they are
// planned: the collector adds each judged change, and once a window's
// worth waits (cut where the target says), the changes go to the applier
// with their Seq numbered on from the window before. The applier takes one
// window while the next is planned; one more may wait, then planning
// waits, so a push holds about three windows of changes, not its whole
// plan. One goroutine at a time calls it.
type windows struct {
	size int
	// start starts the applier at the first window; out takes the windows.
	start func()
	out   chan window
	// read is the context the sources are read under; the applier
	// cancels it when a window fails.
	read context.Context
	// t and led are the push's target and ledger, set when planning
	// opens them and the target is a RecordPlanner (nil: the push is not
	// streamed).
	t       pipeline.Target
	led     *ledger
	started bool
	pending []pipeline.Change // planned, not yet handed over
	next    int               // Seq of pending[0]
	taken   map[string]int    // records planned per entity, for --limit (as a whole plan counts them)
	invalid int               // rows the mapping refused
}

// window is one window of changes to apply, or the last: the changes left
// when planning ended, with the error that ended it if it failed: then
// nothing of them is sent.
type window struct {
	changes []pipeline.Change
	err     error
}

func newWindows(size int) *windows {
	return &windows{size: size, out: make(chan window, 1), taken: map[string]int{}}
}

// add adds a planned change: a record's, or a row's the mapping refused
// (ActionInvalid), which --limit does not count.
func (w *windows) add(c pipeline.Change) {
	w.pending = append(w.pending, c)
	if c.Action == pipeline.ActionInvalid {
		w.invalid++
		return
	}
	w.taken[c.Entity]++
}

// streams says whether the push is streamed: it has windows and its
// target, opened, is a RecordPlanner.
func (w *windows) streams() bool { return w != nil && w.t != nil }

// added counts the changes added, of every entity.
func (w *windows) added() int {
	n := w.invalid
	for _, k := range w.taken {
		n += k
	}
	return n
}

// ready hands over windows while a window's worth of changes waits, cut
// where the target says (pipeline.WindowEnd).
func (w *windows) ready() {
	for n := pipeline.WindowEnd(w.t, w.pending, w.size); n > 0; n = pipeline.WindowEnd(w.t, w.pending, w.size) {
		w.hand(n, nil)
	}
}

// hand numbers the first n pending changes and hands them over.
func (w *windows) hand(n int, err error) {
	win := w.pending[:n:n]
	for i := range win {
		win[i].Seq = w.next + i
	}
	w.next += n
	w.pending = w.pending[n:] // appends go past the window, which is capped
	if !w.started {
		w.started = true
		w.start()
	}
	w.out <- window{changes: win, err: err}
}

// finish hands over what is left once planning ended (err: how it failed)
// and says that no window follows. It does nothing when no window was
// handed over and planning failed: the push then sent nothing.
func (w *windows) finish(err error) {
	if w.started || err == nil {
		w.hand(len(w.pending), err)
	}
	close(w.out)
}

// applier applies a push's changes, a window at a time (the whole plan is
// one window), and writes every change's push_results row once its window
// is done. After a window fails, or planning does, it sends nothing more
// and writes the rest's rows as not sent.
type applier struct {
	t       pipeline.Target
	j       *journal
	results *resultsWriter
	ps      *PushSummary
	// ctx stops what is sent; keep records what was (see Push).
	ctx, keep context.Context
	err       error     // what stopped the push
	changes   int       // changes taken, deletes aside (the reconciliation's)
	total     int       // changes taken
	windows   int       // windows applied
	began     time.Time // when the first window's apply began
	// stopReading, when set, stops a streamed push's sources once the
	// push is stopped.
	stopReading func()
	log         interface {
		Info(string, ...any)
		Error(string, ...any)
	}
}

// apply applies one window's changes (their Seq in order, going on from
// the window before); their rows are written behind, once the rows of
// their acknowledged batches are, while the next window goes.
func (a *applier) apply(p *pipeline.Plan) {
	for _, c := range p.Changes {
		a.ps.Planned[c.Action]++
		if c.Action != pipeline.ActionDelete {
			a.changes++
		}
	}
	a.total += len(p.Changes)
	rw := newResultsWindow(p)
	a.j.start(p, rw)
	if a.err == nil && len(p.Changes) > 0 {
		a.windows++
		a.stop(a.t.Apply(a.ctx, p, a.j))
	}
	ap := applied{outcomes: a.j.outcomes, batchOf: a.j.batchOf, batches: a.j.batches, stopped: a.ps.Stopped}
	a.j.writes.always(func() { a.results.rest(a.keep, rw, ap, a.ps.Status) })
}

// stop records what stopped the push, when it is the first.
func (a *applier) stop(err error) {
	if err != nil && a.err == nil {
		a.err = err
		a.ps.Stopped = err.Error()
		a.log.Error("push stopped; the batches acknowledged before stay done", "err", err)
		if a.stopReading != nil {
			a.stopReading()
		}
	}
}

// run applies the windows w hands over until it says no more follow.
func (a *applier) run(w *windows, plan func([]pipeline.Change) *pipeline.Plan) {
	for win := range w.out {
		a.stop(win.err)
		a.apply(plan(win.changes))
	}
}
