package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
	"github.com/ccetl/ccetl/transforms"
)

// Runner runs jobs with a registry.
type Runner struct {
	Registry *pipeline.Registry
	Logger   *slog.Logger
	// Progress, when set, is called with each step's live counters as the
	// step starts; the returned func is called when it ends.
	Progress func(step string, c *pipeline.Counters) (stop func())
	Mem      memory.Allocator
	// State opens the job-state backend. When nil (one-shot conversions)
	// no state is kept and no lease taken.
	State StateOpener
	// RunID names the job's run in its summary and run report; empty
	// makes a new one.
	RunID string
	// Only, when set, runs only the sources it returns true for (by
	// 0-based position); the others are skipped.
	Only func(i int) bool
	// Window, when set, is recorded in the job state as committed once
	// every source ran without error (a backfill's checkpoint).
	Window *Window
	// Drain, once closed, stops the running source right after its next
	// checkpoint commits (pipeline.RunOptions.Drain); the sources after it
	// are skipped.
	Drain <-chan struct{}
}

// Outcomes of a step (a source of a job).
const (
	OutcomeOK        = "ok"        // everything read was written
	OutcomeRejected  = "rejected"  // finished and committed, with rejected rows
	OutcomeFailed    = "failed"    // failed; what its checkpoints committed stays
	OutcomeCancelled = "cancelled" // interrupted
	OutcomeSkipped   = "skipped"   // not run: an earlier source failed under on_error: stop, or the job was cancelled
)

// StepSummary is the outcome of one source of a job.
type StepSummary struct {
	Source   int                            `json:"source"` // 1-based position in the job file
	Kind     string                         `json:"kind"`
	Outcome  string                         `json:"outcome"`
	RunID    string                         `json:"run_id"`
	Tables   map[string]pipeline.TableStats `json:"tables"`
	Files    []pipeline.FileCommit          `json:"files"`
	Rejects  []string                       `json:"rejects,omitempty"`
	Manifest []string                       `json:"manifests,omitempty"`
	Inputs   []pipeline.InputInfo           `json:"inputs,omitempty"`
	Report   map[string]any                 `json:"report,omitempty"`
	Seconds  float64                        `json:"seconds"`
	Bytes    int64                          `json:"bytes_read"`
	Error    string                         `json:"error,omitempty"`
}

// Summary is the outcome of a job: the totals the command prints and every
// step.
type Summary struct {
	Job          string                `json:"job"`
	RunID        string                `json:"run_id,omitempty"`
	Output       string                `json:"output"`
	RowsIn       int64                 `json:"rows_in"`
	RowsOut      int64                 `json:"rows_out"`
	RowsRejected int64                 `json:"rows_rejected"`
	RowsMerged   int64                 `json:"rows_merged"`
	Files        []pipeline.FileCommit `json:"files"`
	Steps        []StepSummary         `json:"steps"`
	// MedianFileBytes is the median size of the data files written: many
	// small files cost a warehouse more than a few large ones.
	MedianFileBytes int64   `json:"median_file_bytes"`
	Seconds         float64 `json:"seconds"`
	MBPerSecond     float64 `json:"mb_per_s"`
	// Push is the outcome of a push job's target.
	Push *PushSummary `json:"push,omitempty"`
	// PeakRSSMB is the largest resident memory of the process that ran
	// the job, in MiB, where the command line can tell (Linux).
	PeakRSSMB float64 `json:"peak_rss_mb,omitempty"`
}

// Run runs every source of a job in order into its sink, each committing
// its own progress. A failing source does not stop the others (they are
// independent) unless the job says on_error: stop; the error joins every
// failed source's, each naming the source.
func (r Runner) Run(ctx context.Context, job *Job) (Summary, error) {
	sum := Summary{Job: job.Name, RunID: r.RunID, Output: job.Sink.URL, Files: []pipeline.FileCommit{}}
	if sum.RunID == "" {
		sum.RunID = NewRunID()
	}
	if err := Check(job, r.Registry); err != nil {
		return sum, err
	}
	start := time.Now()
	ctx, sess, release, err := r.hold(ctx, job)
	if err != nil {
		return sum, err
	}
	defer release()
	var bytes int64
	var errs []error
	for i, spec := range job.Sources {
		if ctx.Err() != nil || (len(errs) > 0 && job.OnError == OnErrorStop) || (r.Only != nil && !r.Only(i)) || pipeline.Drained(r.Drain) {
			sum.Steps = append(sum.Steps, StepSummary{Source: i + 1, Kind: spec.Kind, Outcome: OutcomeSkipped})
			continue
		}
		st, err := r.step(ctx, job, i, spec, sess)
		st.Source = i + 1
		st.Outcome = outcome(st, err)
		if err != nil && st.Error == "" {
			st.Error = err.Error()
			r.logger().Error("source failed before it read anything", "job", job.Name, "source", i+1, "kind", spec.Kind, "err", err)
		}
		sum.Steps = append(sum.Steps, st)
		if err != nil { // the step's counts stay in its entry; the totals count committed steps
			errs = append(errs, fmt.Errorf("source %d (%s): %w", i+1, spec.Kind, err))
			continue
		}
		bytes += st.Bytes
		for _, t := range st.Tables {
			sum.RowsIn += t.RowsIn
			sum.RowsOut += t.RowsOut
			sum.RowsRejected += t.RowsRejected
			sum.RowsMerged += t.RowsMerged
		}
		sum.Files = append(sum.Files, st.Files...)
	}
	if r.Window != nil && len(errs) == 0 && ctx.Err() == nil {
		if err := sess.markDone(ctx, *r.Window); err != nil {
			errs = append(errs, err)
		}
	}
	sum.Seconds = time.Since(start).Seconds()
	if sum.Seconds > 0 {
		sum.MBPerSecond = float64(bytes) / 1e6 / sum.Seconds
	}
	sum.MedianFileBytes = medianBytes(sum.Files)
	return sum, errors.Join(errs...)
}

// medianBytes is the median size of files (0 for none).
func medianBytes(files []pipeline.FileCommit) int64 {
	if len(files) == 0 {
		return 0
	}
	sizes := make([]int64, len(files))
	for i, f := range files {
		sizes[i] = f.Bytes
	}
	slices.Sort(sizes)
	return sizes[len(sizes)/2]
}

func outcome(st StepSummary, err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return OutcomeCancelled
	case err != nil:
		return OutcomeFailed
	}
	for _, t := range st.Tables {
		if t.RowsRejected > 0 {
			return OutcomeRejected
		}
	}
	return OutcomeOK
}

func (r Runner) step(ctx context.Context, job *Job, i int, spec SourceSpec, sess *session) (st StepSummary, err error) {
	st = StepSummary{Kind: spec.Kind, RunID: NewRunID()}
	log := r.logger().With("job", job.Name, "kind", spec.Kind, "run_id", st.RunID)
	start := time.Now()
	defer func() { st.Seconds = time.Since(start).Seconds() }()
	kind, err := r.Registry.Kind(spec.Kind)
	if err != nil {
		return st, err
	}
	inputs, err := ExpandInputs(spec.Inputs)
	if err != nil {
		return st, err
	}
	ctr := &pipeline.Counters{}
	mem := r.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	sk, err := r.Registry.Sink(job.Sink.URL)
	if err != nil {
		return st, err
	}
	stepName := job.Name + "/" + stepPrefix(i, spec.Kind)
	cursors, fromSink, err := sess.resume(ctx, i, spec.Kind, sk, pipeline.SinkConfig{URL: job.Sink.URL,
		Options: job.Sink.Options, Logger: log, Step: stepName})
	if err != nil {
		return st, err
	}
	if fromSink {
		log.Warn("resuming from the cursors of the sink's last commit: the job state lagged behind it (a run stopped between committing its data and saving its state)",
			"cursors", cursors)
	}
	src, err := kind.Open(ctx, pipeline.SourceConfig{Kind: kind.Name, Inputs: inputs, Options: spec.Options,
		Policy: job.Batch, Mem: mem, Counter: ctr, Logger: log, Cursors: cursors,
		Remote: r.Registry.Remotes(), Skip: sess.skip(spec)})
	if err != nil {
		return st, err
	}
	var ts []pipeline.Transform
	for _, t := range job.Transforms {
		tr, err := transforms.New(t.Name, t.List, t.Args)
		if err != nil {
			src.Close()
			return st, err
		}
		ts = append(ts, tr)
	}
	tables, err := pipeline.TransformTables(src.Tables(), ts)
	if err != nil {
		src.Close()
		return st, err
	}
	sink, err := sk.Open(ctx, pipeline.SinkConfig{URL: job.Sink.URL, Tables: tables, RunKey: src.RunKey,
		Options: job.Sink.Options, Logger: log, Step: stepName})
	if err != nil {
		src.Close()
		return st, err
	}
	if r.Progress != nil {
		stop := r.Progress(spec.Kind, ctr)
		defer stop()
	}
	log.Info("run started", "inputs", len(inputs))
	res, err := pipeline.Run(ctx, tablesSource{src.Source, tables}, ts, sink, pipeline.RunOptions{
		RunID: st.RunID, Kind: kind.Name, RejectLimit: job.Rejects, Logger: log, Counters: ctr,
		OnCheckpoint: sess.onCheckpoint(i, spec.Kind), Drain: r.Drain})
	st.Tables, st.Inputs, st.Report, st.Bytes = res.Tables, res.Inputs, res.Report, ctr.BytesRead.Load()
	if st.Tables == nil {
		st.Tables = ctr.Tables()
	}
	st.Files = []pipeline.FileCommit{}
	for _, name := range slices.Sorted(maps.Keys(res.Commit.Tables)) {
		tc := res.Commit.Tables[name]
		st.Files = append(st.Files, tc.Files...)
		st.Rejects = append(st.Rejects, tc.Rejects...)
		if tc.Manifest != "" {
			st.Manifest = append(st.Manifest, tc.Manifest)
		}
	}
	if err != nil {
		st.Error = err.Error()
		log.Error("run failed; nothing after its last checkpoint was committed", "err", err)
		return st, err
	}
	if err := sess.commit(ctx, i, spec, st.Inputs, src.Source); err != nil {
		st.Error = err.Error()
		return st, err
	}
	return st, nil
}

// tablesSource reports the transformed tables to the sink's manifests.
type tablesSource struct {
	pipeline.Source
	tables []pipeline.Table
}

func (t tablesSource) Tables() []pipeline.Table { return t.tables }

// Inputs and Report pass through to the wrapped source when it has them.
func (t tablesSource) Inputs() []pipeline.InputInfo {
	if r, ok := t.Source.(pipeline.InputReporter); ok {
		return r.Inputs()
	}
	return nil
}

func (t tablesSource) Report() map[string]any {
	if r, ok := t.Source.(pipeline.Reporter); ok {
		return r.Report()
	}
	return nil
}

func (t tablesSource) UseFileStore(fs pipeline.FileStore) {
	if u, ok := t.Source.(pipeline.FileStoreUser); ok {
		u.UseFileStore(fs)
	}
}

func (r Runner) logger() *slog.Logger { return pipeline.OrDiscard(r.Logger) }

// ExpandInputs expands globs; URLs pass through. A glob that matches nothing
// is an error; no inputs at all is not (API kinds take none).
func ExpandInputs(in []string) ([]string, error) {
	var out []string
	for _, p := range in {
		if strings.Contains(p, "://") || !strings.ContainsAny(p, "*?[") {
			out = append(out, p)
			continue
		}
		m, err := filepath.Glob(p)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", p, err)
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("input %s: no file matches", p)
		}
		out = append(out, m...)
	}
	return out, nil // API kinds take none; file kinds say when they have none
}

// NewRunID returns a sortable, unique run id such as 20240501T120000Z-1a2b3c4d.
func NewRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format(runIDTime) + "-" + hex.EncodeToString(b[:])
}

// runIDTime is the layout of the time that starts a run id, so run ids
// sort by when they began.
const runIDTime = "20060102T150405Z"
