package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"golang.org/x/sync/errgroup"
)

// RunOptions configure Run.
type RunOptions struct {
	RunID       string
	Kind        string
	RejectLimit RejectLimit
	Logger      *slog.Logger
	// Counters receives live counts; Run makes its own when nil.
	Counters *Counters
	// Depth is how many batches may wait between source and sink (default 2):
	// a slow sink slows the source instead of filling memory.
	Depth int
	// OnCheckpoint, when set and the sink is a Checkpointer, makes the run
	// commit at every checkpoint batch and then calls it with the cursors
	// the checkpoint carries (the job saves them). Without it checkpoints
	// are ignored and the run commits once, at the end.
	OnCheckpoint func(ctx context.Context, cursors map[string]string) error
	// Drain, once closed, ends the run right after its next checkpoint
	// commits, with ErrDrained: a server shutting down lets a long pull
	// keep what it has done instead of cancelling it. A run whose source
	// gives no checkpoints goes on to its end.
	Drain <-chan struct{}
}

// CopyingSink is a sink whose Write copies every value it keeps (a Parquet
// writer encodes them into pages of its own): once Write returns, the run
// releases the batch and nothing reads its memory again.
type CopyingSink interface {
	Sink
	CopiesBatches()
}

type reusableKey struct{}

// BatchesReusable reports whether the batches a source returns to a Next
// with this context are read only until they are released, with no value
// kept past that: Run says so when no transform sits between source and sink
// and the sink is a CopyingSink. Such a source may build later batches in
// the memory of released ones.
func BatchesReusable(ctx context.Context) bool {
	v, _ := ctx.Value(reusableKey{}).(bool)
	return v
}

// ErrDrained ends a run stopped at a checkpoint because RunOptions.Drain
// was closed: what the checkpoints committed stays and the next run
// resumes after them. It matches context.Canceled.
var ErrDrained = fmt.Errorf("stopped at a checkpoint for shutdown; the next run resumes after it: %w", context.Canceled)

// Result is the outcome of a run.
type Result struct {
	RunID  string                `json:"run_id"`
	Tables map[string]TableStats `json:"tables"`
	Commit CommitResult          `json:"commit"`
	Inputs []InputInfo           `json:"inputs,omitempty"`
	Report map[string]any        `json:"report,omitempty"`
}

// Totals sums the per-table counts.
func (r Result) Totals() TableStats {
	var t TableStats
	for _, s := range r.Tables {
		t.RowsIn += s.RowsIn
		t.RowsOut += s.RowsOut
		t.RowsRejected += s.RowsRejected
		t.RowsMerged += s.RowsMerged
	}
	return t
}

// Run moves every batch of src through transforms into sink, then commits the
// sink. On any error, or when the reject limit is broken, the sink is aborted
// and nothing becomes visible. After a successful commit it checks that every
// table reconciles.
func Run(ctx context.Context, src Source, transforms []Transform, sink Sink, opts RunOptions) (res Result, err error) {
	log := OrDiscard(opts.Logger)
	ctr := opts.Counters
	if ctr == nil {
		ctr = &Counters{}
	}
	depth := opts.Depth
	if depth <= 0 {
		depth = 2
	}
	res.RunID = opts.RunID
	defer func() {
		if cerr := src.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close source: %w", cerr)
		}
	}()
	// A source that copies files gets the sink's store; with a sink that
	// cannot store files it fails when it first needs one.
	if u, ok := src.(FileStoreUser); ok {
		if fs, ok := sink.(FileStore); ok {
			u.UseFileStore(fs)
		}
	}

	g, gctx := errgroup.WithContext(ctx)
	srcCtx := gctx
	if _, ok := sink.(CopyingSink); ok && len(transforms) == 0 {
		srcCtx = context.WithValue(gctx, reusableKey{}, true)
	}
	ch := make(chan Batch, depth)
	g.Go(func() error {
		defer close(ch)
		for {
			b, err := src.Next(srcCtx)
			if errors.Is(err, ErrEndOfInput) {
				return nil
			}
			if err != nil {
				return err
			}
			select {
			case ch <- b:
			case <-gctx.Done():
				b.Release()
				return gctx.Err()
			}
		}
	})
	g.Go(func() error {
		defer func() {
			for b := range ch { // drain after an error so the producer can stop
				b.Release()
			}
		}()
		var done []InputInfo
		for b := range ch {
			if b.Checkpoint {
				done = append(done, InputInfo{Name: b.Input})
				if err := checkpoint(gctx, b, src, sink, ctr, done, opts); err != nil {
					return err
				}
				if Drained(opts.Drain) && committed(sink, opts) {
					return ErrDrained
				}
				continue
			}
			if err := consume(gctx, b, transforms, sink, ctr, opts.RejectLimit); err != nil {
				return err
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return res, abort(ctx, sink, err)
	}
	if err := ctx.Err(); err != nil {
		return res, abort(ctx, sink, err)
	}
	res.Tables = ctr.Tables()
	tot := res.Totals()
	if err := opts.RejectLimit.Check(tot.RowsRejected, tot.RowsIn, true); err != nil {
		return res, abort(ctx, sink, err)
	}
	for name, s := range res.Tables {
		if !s.Balanced() {
			return res, abort(ctx, sink, fmt.Errorf("table %s does not reconcile: rows_in %d != rows_out %d + rows_rejected %d + rows_merged %d",
				name, s.RowsIn, s.RowsOut, s.RowsRejected, s.RowsMerged))
		}
	}
	if r, ok := src.(InputReporter); ok {
		res.Inputs = r.Inputs()
	}
	if r, ok := src.(Reporter); ok {
		res.Report = r.Report()
	}
	info := RunInfo{RunID: opts.RunID, Kind: opts.Kind, Inputs: res.Inputs, Tables: src.Tables(), Stats: res.Tables}
	if r, ok := src.(CursorReporter); ok {
		info.Cursors = r.Cursors()
	}
	commit, err := sink.Close(ctx, info)
	if err != nil {
		return res, abort(ctx, sink, fmt.Errorf("commit: %w", err))
	}
	res.Commit = commit
	if err := Reconcile(res.Tables, commit); err != nil {
		return res, err
	}
	log.Info("run committed", "rows_in", tot.RowsIn, "rows_out", tot.RowsOut, "rows_rejected", tot.RowsRejected)
	return res, nil
}

func consume(ctx context.Context, b Batch, transforms []Transform, sink Sink, ctr *Counters, limit RejectLimit) error {
	var err error
	for _, t := range transforms {
		if b, err = t.Apply(ctx, b); err != nil {
			b.Release()
			return fmt.Errorf("transform %s: %w", t.Name(), err)
		}
	}
	defer b.Release()
	if len(b.Rejects) > 0 {
		if err := sink.Reject(ctx, b.Table, b.Rejects); err != nil {
			return fmt.Errorf("write rejects of %s: %w", b.Table, err)
		}
	}
	ctr.addRead(b.Table, b.RowsRead, int64(len(b.Rejects)), b.Merged)
	if err := limit.Check(ctr.RowsRejected.Load(), ctr.RowsIn.Load(), false); err != nil {
		return err
	}
	if b.Rec != nil && b.Rec.NumRows() > 0 {
		if err := sink.Write(ctx, b); err != nil {
			return fmt.Errorf("write %s: %w", b.Table, err)
		}
		ctr.addWritten(b.Table, b.Rec.NumRows())
	} else if b.RowsRead > 0 || len(b.Rejects) > 0 {
		ctr.addWritten(b.Table, 0)
	}
	return nil
}

// checkpoint commits what the sink holds so far and hands the checkpoint's
// cursors to the job, when both sides support it.
func checkpoint(ctx context.Context, b Batch, src Source, sink Sink, ctr *Counters, done []InputInfo, opts RunOptions) error {
	cp, ok := sink.(Checkpointer)
	if !ok || opts.OnCheckpoint == nil {
		return nil
	}
	stats := ctr.Tables()
	for name, s := range stats {
		if !s.Balanced() {
			return fmt.Errorf("checkpoint after %s: table %s does not reconcile: rows_in %d != rows_out %d + rows_rejected %d + rows_merged %d",
				b.Input, name, s.RowsIn, s.RowsOut, s.RowsRejected, s.RowsMerged)
		}
	}
	commit, err := cp.Checkpoint(ctx, RunInfo{RunID: opts.RunID, Kind: opts.Kind, Inputs: done, Tables: src.Tables(), Stats: stats,
		Cursors: b.Cursors})
	if err != nil {
		return fmt.Errorf("checkpoint after %s: %w", b.Input, err)
	}
	if err := Reconcile(stats, commit); err != nil {
		return fmt.Errorf("checkpoint after %s: %w", b.Input, err)
	}
	if err := opts.OnCheckpoint(ctx, b.Cursors); err != nil {
		return fmt.Errorf("checkpoint after %s: %w", b.Input, err)
	}
	return nil
}

// Drained reports whether a drain channel is closed (a nil one never is).
func Drained(drain <-chan struct{}) bool {
	select {
	case <-drain:
		return true
	default:
		return false
	}
}

// committed reports whether checkpoints commit: otherwise stopping at one
// would lose the run.
func committed(sink Sink, opts RunOptions) bool {
	_, ok := sink.(Checkpointer)
	return ok && opts.OnCheckpoint != nil
}

func abort(ctx context.Context, sink Sink, cause error) error {
	if aerr := sink.Abort(context.WithoutCancel(ctx)); aerr != nil {
		return errors.Join(cause, fmt.Errorf("abort: %w", aerr))
	}
	return cause
}
