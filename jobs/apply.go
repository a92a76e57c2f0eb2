package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ccetl/ccetl/pipeline"
)

// PushSummary is the outcome of a push: the plan's counts, every status's
// count and each batch the target acknowledged.
type PushSummary struct {
	Target  string         `json:"target"`
	Planned map[string]int `json:"planned"`
	Status  map[string]int `json:"status"`
	Batches []BatchReport  `json:"batches,omitempty"`
	// Limited counts records --limit left out.
	Limited int64  `json:"limited,omitempty"`
	Stopped string `json:"stopped,omitempty"`
	// Windows counts the windows a streamed push applied its changes in
	// (1: the whole plan at once).
	Windows int `json:"windows"`
	// PlanSeconds is the time reading the sources and the target's state
	// and planning took; ApplySeconds the time the target's writes took.
	PlanSeconds  float64 `json:"plan_seconds"`
	ApplySeconds float64 `json:"apply_seconds"`
}

// BatchReport is one batch the target acknowledged: the request that
// carried it, the target's answer and how many of its changes ended in each
// status (every change's own outcome is its push_results row).
type BatchReport struct {
	Entity    string         `json:"entity"`
	Request   string         `json:"request"`
	RequestID string         `json:"request_id,omitempty"`
	Response  string         `json:"response,omitempty"`
	Changes   int            `json:"changes"`
	Status    map[string]int `json:"status"`
}

// Failed counts the changes that failed.
func (s *PushSummary) Failed() int { return s.Status[pipeline.StatusFailed] }

// errApplyStopped is why a streamed push stops reading its sources: a
// window failed.
var errApplyStopped = errors.New("the push stopped sending")

// ErrPlanStale is matched by the error of an apply whose plan the target's
// state no longer matches.
var ErrPlanStale = errors.New("the plan is stale")

// Push plans a push job and carries the plan out, under the job's lease:
// the target's writes, the ledger, and one push_results row per change in
// the job's sink (failed changes also in _rejects). With opts.Saved it
// carries out that saved plan instead, after checking that a plan made now
// is the same (Stale); otherwise it refuses and sends nothing.
//
// A target that plans each record on its own (pipeline.RecordPlanner) is
// applied in windows of job.Target.Window changes while the sources are
// still read (a streamed push), unless the job asks for the whole plan
// first or carries out a saved one.
func (r Runner) Push(ctx context.Context, job *Job, opts PushOptions) (Summary, error) {
	sum := Summary{Job: job.Name, Output: job.Sink.URL, Files: []pipeline.FileCommit{}}
	if job.Target == nil {
		return sum, fmt.Errorf("job %s has no target: nothing to push", job.Name)
	}
	tk, err := r.Registry.Target(job.Target.Kind)
	if err != nil {
		return sum, err
	}
	start := time.Now()
	ctx, _, release, err := r.hold(ctx, job)
	if err != nil {
		return sum, err
	}
	defer release()
	runID := NewRunID()
	log := r.pushLogger(job).With("run_id", runID)
	// The sink is opened before anything is sent: a push whose results
	// cannot be written sends nothing.
	results, err := r.openResults(ctx, job, runID, tk.Name)
	if err != nil {
		return sum, err
	}
	// What the push did is recorded even when it is stopped (an interrupt,
	// a lost lease): the acknowledged batches' ledger documents, the
	// push_results rows and their commit are written whatever becomes of
	// ctx, which stops only what is sent.
	keep := context.WithoutCancel(ctx)
	ps := &PushSummary{Target: tk.Name, Planned: map[string]int{}, Status: map[string]int{}}
	j := &journal{results: results, keep: keep, runID: runID, limits: job.Target.Limits, log: log}
	a := &applier{j: j, results: results, ps: ps, ctx: ctx, keep: keep, log: log}
	var win *windows
	applied := make(chan struct{})
	if size := job.Target.window(); opts.Saved == nil && size > 0 && len(tk.Entities) == 1 && tk.PlansRecords {
		win = newWindows(size)
		// Once a window fails nothing more is sent: the sources stop
		// being read, and what they had not given is left to the rerun.
		var stopReading context.CancelCauseFunc
		win.read, stopReading = context.WithCancelCause(ctx)
		defer stopReading(nil)
		a.stopReading = func() { stopReading(errApplyStopped) }
		win.start = func() { // at the first window, once the target and the ledger are open
			a.t, j.led = win.t, win.led
			a.began = time.Now()
			log.Info("push started", "window", win.size)
			go func() {
				defer close(applied)
				a.run(win, func(changes []pipeline.Change) *pipeline.Plan {
					return &pipeline.Plan{Version: pipeline.PlanVersion, Job: job.Name, Target: tk.Name, Changes: changes}
				})
			}()
		}
	}
	planStart := time.Now()
	pl, planErr := r.plan(ctx, job, opts, win)
	ps.PlanSeconds = time.Since(planStart).Seconds()
	streamed := win.streams()
	if streamed {
		win.finish(planErr)
		if win.started {
			<-applied
		}
		if planErr != nil && a.err != nil && errors.Is(context.Cause(win.read), errApplyStopped) && ctx.Err() == nil {
			planErr = nil // the sources were stopped because a window failed: that failure is the push's
		}
	}
	defer pl.Close() // once nothing applies any more
	if !streamed || !win.started {
		if planErr == nil && opts.Saved != nil {
			planErr = Stale(opts.Saved, pl.Plan)
		}
		if planErr != nil {
			results.abort(ctx)
			return sum, planErr
		}
		a.t, j.led = pl.target, pl.ledger
		log.Info("push started", "changes", len(pl.Plan.Changes), "planned", pl.Plan.Counts())
		a.began = time.Now()
		a.apply(pl.Plan)
	}
	if err := j.writes.close(); err != nil {
		a.stop(err)
	}
	ps.ApplySeconds = time.Since(a.began).Seconds()
	ps.Batches = j.batches
	ps.Limited = pl.Limited
	ps.Windows = a.windows
	st, err := results.commit(keep, pl, a)
	pl.Plan = nil // the plan's changes are done with: the fold need not hold them too
	if a.err == nil {
		if err := j.led.fold(keep, runID); err != nil {
			log.Warn("fold the push ledger", "err", err)
		}
	}
	sum.Steps = append(sum.Steps, st)
	sum.Push = ps
	sum.Seconds = time.Since(start).Seconds()
	sum.RowsIn = pl.RowsIn
	for _, t := range st.Tables {
		sum.RowsOut += t.RowsOut
		sum.RowsRejected += t.RowsRejected
	}
	sum.Files = append(sum.Files, st.Files...)
	// A push that failed says so first, and also when its results could
	// not be committed.
	switch {
	case planErr != nil:
		return sum, errors.Join(planErr, err)
	case a.err != nil:
		return sum, errors.Join(fmt.Errorf("push %s: %w", tk.Name, a.err), err)
	case err != nil:
		return sum, err
	}
	log.Info("push finished", "status", ps.Status, "windows", ps.Windows)
	return sum, nil
}

// journal is the Journal Apply reports to: the ledger, the outcomes by
// change and the failure limits.
type journal struct {
	led     *ledger
	results *resultsWriter // nil: no push_results rows
	// keep is the context of what records an acknowledged batch (see
	// Push); nil: the Ack's.
	keep  context.Context
	runID string
	// plan holds the changes being applied: the whole plan, or a window
	// of a streamed push whose first change has Seq base.
	plan     *pipeline.Plan
	base     int
	rw       *resultsWindow
	outcomes []pipeline.Outcome // by Seq - base
	batchOf  []int32            // by Seq - base: 1 + the index in batches of the batch that carried it, 0 if none
	batches  []BatchReport
	limits   FailureLimits
	n        int
	open     []begun // the batches begun and not yet acknowledged, oldest first
	// writes writes the ledger documents of acknowledged repeatable
	// batches behind the uploads (see ledgerWrites).
	writes ledgerWrites
	sent   int
	failed int
	log    interface {
		Info(string, ...any)
	}
}

// start makes p's changes the ones being applied, their rows written
// into rw.
func (j *journal) start(p *pipeline.Plan, rw *resultsWindow) {
	j.plan, j.base, j.rw = p, 0, rw
	if len(p.Changes) > 0 {
		j.base = p.Changes[0].Seq
	}
	j.outcomes = make([]pipeline.Outcome, len(p.Changes))
	j.batchOf = make([]int32, len(p.Changes))
}

// at returns the index in plan.Changes of the change numbered seq, or -1.
func (j *journal) at(seq int) int {
	if i := seq - j.base; i >= 0 && i < len(j.plan.Changes) {
		return i
	}
	return -1
}

// begun is a batch begun and not yet acknowledged: its ledger document's
// name, and whether it was begun repeatable (without a pending document).
type begun struct {
	name       string
	repeatable bool
}

func (j *journal) name() string { return fmt.Sprintf("%s-%06d", j.runID, j.n) }

// BeginRepeatable begins a batch of upserts without a pending record
// (pipeline.RepeatableJournal): its Ack writes the batch's ledger
// document, behind the uploads that follow.
func (j *journal) BeginRepeatable(context.Context, string, []pipeline.Change) error {
	if err := j.writes.failed(); err != nil {
		return err
	}
	j.n++
	j.open = append(j.open, begun{name: j.name(), repeatable: true})
	return nil
}

func (j *journal) Begin(ctx context.Context, entity string, changes []pipeline.Change) error {
	// The pending document must be stored before the batch is sent, and
	// after every document written behind.
	if err := j.writes.wait(); err != nil {
		return err
	}
	j.n++
	j.open = append(j.open, begun{name: j.name()})
	d := ledgerDoc{Entity: entity, RunID: j.runID, Pending: true, Keys: make([]string, 0, len(changes)),
		Hashes: make([]string, 0, len(changes))}
	for _, c := range changes {
		d.add(c.Key, pipeline.LedgerEntry{Hash: c.Hash, TargetID: c.TargetID}, false)
	}
	return j.led.put(ctx, j.name(), d)
}

func (j *journal) Ack(ctx context.Context, r pipeline.BatchResult) error {
	// The whole answer is checked before anything of it is recorded.
	if len(j.open) == 0 {
		return fmt.Errorf("the target acknowledged a batch of %s it did not begin", r.Entity)
	}
	if n := len(j.plan.Changes); len(j.outcomes) < n { // changes added since start (tests)
		j.outcomes = append(j.outcomes, make([]pipeline.Outcome, n-len(j.outcomes))...)
		j.batchOf = append(j.batchOf, make([]int32, n-len(j.batchOf))...)
	}
	for i, o := range r.Outcomes {
		var err error
		switch k := j.at(o.Seq); {
		case k < 0:
			err = fmt.Errorf("the target acknowledged change %d, which the plan does not have", o.Seq)
		case j.batchOf[k] != 0:
			err = fmt.Errorf("the target acknowledged change %d twice", o.Seq)
		}
		if err != nil {
			for _, done := range r.Outcomes[:i] {
				j.batchOf[j.at(done.Seq)] = 0
			}
			return err
		}
		j.batchOf[j.at(o.Seq)] = -1 // seen in this answer
	}
	d := ledgerDoc{Entity: r.Entity, RunID: j.runID, Keys: make([]string, 0, len(r.Outcomes)),
		Hashes: make([]string, 0, len(r.Outcomes))}
	var failedKeys []string
	br := BatchReport{Entity: r.Entity, Request: r.Request, RequestID: r.RequestID, Response: r.Response,
		Changes: len(r.Outcomes), Status: map[string]int{}}
	for _, o := range r.Outcomes {
		k := j.at(o.Seq)
		c := j.plan.Changes[k]
		j.outcomes[k] = o
		j.batchOf[k] = int32(len(j.batches) + 1)
		br.Status[o.Status]++
		j.sent++
		if o.Status == pipeline.StatusFailed {
			j.failed++
			failedKeys = append(failedKeys, c.Key)
			continue
		}
		id := o.TargetID
		if id == "" {
			id = c.TargetID
		}
		d.add(c.Key, pipeline.LedgerEntry{Hash: c.Hash, TargetID: id}, false)
	}
	if j.keep != nil {
		ctx = j.keep // the target has the batch: record it even when the push is being stopped
	}
	b := j.open[0]
	j.open = j.open[1:]
	j.batches = append(j.batches, br) // acknowledged by the target, whatever becomes of its ledger document
	write := func() error {
		j.led.drop(r.Entity, failedKeys)
		return j.led.put(ctx, b.name, d)
	}
	var err error
	if b.repeatable {
		// A repeatable batch whose document is lost is sent again by the
		// next run, which replaces what it sent: the next upload need not
		// wait for the state store.
		err = j.writes.add(write)
	} else if err = j.writes.wait(); err == nil {
		err = write()
	}
	if err == nil && j.results != nil {
		// the rows go behind too; a failure to write them is the
		// results' own (finish reports it), not the push's
		req, res, rw := br, r, j.rw
		res.Outcomes = slices.Clone(r.Outcomes) // the target may reuse its answer
		err = j.writes.add(func() error {
			j.results.batch(ctx, rw, res, &req)
			return nil
		})
	}
	if err != nil {
		return err
	}
	j.log.Info("batch acknowledged", "entity", r.Entity, "request", r.Request, "changes", len(r.Outcomes))
	return j.limits.check(j.failed, j.sent)
}

// ledgerWrites writes ledger documents one after another, in the order
// added, on a goroutine of its own, so that an upload need not wait for
// the document of the one before (a file synced to disk, or an object
// written to a remote state store); acknowledged batches' push_results rows
// go the same way (their failures are the results' own, see
// resultsWriter). At most a few wait; add blocks when they are queued.
// After a write fails, the rest are dropped and every call returns the
// error.
type ledgerWrites struct {
	queue   chan queuedWrite
	pending sync.WaitGroup // writes added and not yet done
	mu      sync.Mutex
	err     error
}

// ledgerWritesQueued bounds the documents waiting to be written.
const ledgerWritesQueued = 4

// queuedWrite is a write waiting; one that is always done is done after
// a write before failed too.
type queuedWrite struct {
	write  func() error
	always bool
}

// add queues write, or returns the error of one before.
func (w *ledgerWrites) add(write func() error) error {
	if err := w.failed(); err != nil {
		return err
	}
	w.queued(queuedWrite{write: write})
	return nil
}

// always queues f, to be done in its turn whatever became of the writes
// before (what records a push's outcome).
func (w *ledgerWrites) always(f func()) {
	w.queued(queuedWrite{write: func() error { f(); return nil }, always: true})
}

func (w *ledgerWrites) queued(q queuedWrite) {
	if w.queue == nil {
		w.queue = make(chan queuedWrite, ledgerWritesQueued)
		go w.run(w.queue)
	}
	w.pending.Add(1)
	w.queue <- q
}

func (w *ledgerWrites) run(queue chan queuedWrite) {
	for q := range queue {
		if q.always || w.failed() == nil {
			if err := q.write(); err != nil {
				w.mu.Lock()
				w.err = err
				w.mu.Unlock()
			}
		}
		w.pending.Done()
	}
}

func (w *ledgerWrites) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// wait returns once every write added is done, with the first error.
func (w *ledgerWrites) wait() error {
	w.pending.Wait()
	return w.failed()
}

// close waits for the writes and ends the goroutine; add must not be
// called after.
func (w *ledgerWrites) close() error {
	err := w.wait()
	if w.queue != nil {
		close(w.queue)
		w.queue = nil
	}
	return err
}

// FailureLimits stop a push whose writes fail too often.
type FailureLimits struct {
	MaxFailures     int     // 0: no limit
	MaxFailureRatio float64 // of the changes sent so far; 0: no limit
}

func (l FailureLimits) check(failed, sent int) error {
	if l.MaxFailures > 0 && failed > l.MaxFailures {
		return fmt.Errorf("%d changes failed, over max_failures %d", failed, l.MaxFailures)
	}
	if l.MaxFailureRatio > 0 && sent >= 20 && float64(failed) > l.MaxFailureRatio*float64(sent) {
		return fmt.Errorf("%d of %d changes sent failed, over max_failure_ratio %g", failed, sent, l.MaxFailureRatio)
	}
	return nil
}

// statusOf is what became of change c: its outcome when it was sent, what
// its action says when it needs no write, failed when the push stopped
// before sending it.
func statusOf(c pipeline.Change, o pipeline.Outcome, sent bool, stopped string) (status, code, msg string) {
	switch c.Action {
	case pipeline.ActionUnchanged:
		return pipeline.StatusUnchanged, "", ""
	case pipeline.ActionSkip:
		return pipeline.StatusSkipped, "", c.Reason
	case pipeline.ActionInvalid:
		return pipeline.StatusFailed, "invalid", c.Reason
	}
	if !sent {
		if stopped == "" {
			stopped = "the target did not acknowledge it"
		}
		return pipeline.StatusFailed, "not_sent", "not sent: the push stopped: " + stopped
	}
	return o.Status, o.Code, o.Message
}

// putLocalFile stores a file under dir/media/rel and describes it as the
// lake's PutFile does.
func putLocalFile(dir, rel string, r pipeline.FileReader) (pipeline.FileRef, error) {
	key, err := pipeline.MediaKey("", rel)
	if err != nil {
		return pipeline.FileRef{}, err
	}
	p := filepath.Join(dir, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return pipeline.FileRef{}, err
	}
	f, err := os.Create(p)
	if err != nil {
		return pipeline.FileRef{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return pipeline.FileRef{}, fmt.Errorf("keep %s: %w", key, err)
	}
	return pipeline.FileRef{Path: key, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// openerOf adapts an os.File opener to TargetConfig.Files.
func openerOf(open func(string) (*os.File, error)) func(string) (io.ReadCloser, error) {
	return func(rel string) (io.ReadCloser, error) {
		f, err := open(strings.TrimPrefix(rel, "/"))
		if err != nil {
			return nil, err
		}
		return f, nil
	}
}
