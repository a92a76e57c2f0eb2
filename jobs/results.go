package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
)

// resultsWriter writes a push's push_results rows into the job's sink as
// the push goes: each acknowledged batch's rows once it is acknowledged,
// then once the changes being applied (the whole plan or a window) are
// done the rows of every change left, in plan order; at the end the failed
// changes and the sources' rejected rows to _rejects; it commits them as
// one run of the sink. It is called from the journal's writes behind the
// uploads (one goroutine, in order), then by commit.
type resultsWriter struct {
	runID  string
	target string
	sink   pipeline.Sink
	tables []pipeline.Table
	b      *array.RecordBuilder
	now    time.Time
	rows   int64 // rows written, including those in b
	failed []pipeline.Reject
	// err is the first failure to write rows: nothing more is written,
	// and commit aborts.
	err error
}

// resultsWindow is the changes being applied, the whole plan or a window
// (the first numbered base), and which of them have their row.
type resultsWindow struct {
	plan  *pipeline.Plan
	base  int
	wrote []bool
}

func newResultsWindow(p *pipeline.Plan) *resultsWindow {
	rw := &resultsWindow{plan: p, wrote: make([]bool, len(p.Changes))}
	if len(p.Changes) > 0 {
		rw.base = p.Changes[0].Seq
	}
	return rw
}

// resultsChunkRows is the number of push_results rows built before they
// are written to the sink (a variable for tests).
var resultsChunkRows = 16 << 10

// openResults opens the job's sink for a push's results.
func (r Runner) openResults(ctx context.Context, job *Job, runID, target string) (*resultsWriter, error) {
	sk, err := r.Registry.Sink(job.Sink.URL)
	if err != nil {
		return nil, err
	}
	tables := []pipeline.Table{pipeline.PushResultsTableDef()}
	sink, err := sk.Open(ctx, pipeline.SinkConfig{URL: job.Sink.URL, Tables: tables, RunKey: "push-" + runID,
		Options: job.Sink.Options, Logger: r.pushLogger(job)})
	if err != nil {
		return nil, err
	}
	mem := r.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	return &resultsWriter{runID: runID, target: target, sink: sink, tables: tables,
		b: array.NewRecordBuilder(mem, pipeline.PushResultsSchema), now: time.Now().UTC()}, nil
}

// add writes the row of change i of rw: its outcome o when a batch
// carried it (req).
func (w *resultsWriter) add(ctx context.Context, rw *resultsWindow, i int, o pipeline.Outcome, req *BatchReport, stopped string) error {
	if w.err != nil {
		return w.err
	}
	c := rw.plan.Changes[i]
	status, code, msg := statusOf(c, o, req != nil, stopped)
	id := o.TargetID
	if id == "" {
		id = c.TargetID
	}
	var request, requestID string
	if req != nil {
		request, requestID = req.Request, req.RequestID
	}
	if w.b.Field(0).Len() == 0 {
		w.b.Reserve(min(len(rw.plan.Changes)-i, resultsChunkRows))
	}
	appendResult(w.b, w.runID, w.target, c, status, id, code, msg, request, requestID, w.now)
	rw.wrote[i] = true
	w.rows++
	if status == pipeline.StatusFailed {
		raw, _ := json.Marshal(c.Wire)
		w.failed = append(w.failed, pipeline.Reject{RowError: pipeline.RowError{Source: c.Origin, Record: -1,
			Err: fmt.Errorf("%s %s: %s", c.Entity, c.Action, msg)}, Raw: string(raw)})
	}
	if w.b.Field(0).Len() >= resultsChunkRows {
		return w.flush(ctx)
	}
	return nil
}

// batch writes the rows of an acknowledged batch of rw; a failure is kept
// for commit.
func (w *resultsWriter) batch(ctx context.Context, rw *resultsWindow, r pipeline.BatchResult, req *BatchReport) {
	for _, o := range r.Outcomes {
		if w.add(ctx, rw, o.Seq-rw.base, o, req, "") != nil {
			return
		}
	}
}

// flush writes the rows built so far to the sink.
func (w *resultsWriter) flush(ctx context.Context) error {
	if w.err != nil {
		return w.err
	}
	rec := w.b.NewRecordBatch()
	defer rec.Release()
	n := rec.NumRows()
	if n == 0 {
		return nil
	}
	err := w.sink.Write(ctx, pipeline.Batch{Table: pipeline.PushResultsTable, Rec: rec, RowsRead: n, Input: "push-" + w.runID})
	if err != nil {
		w.err = fmt.Errorf("write push results: %w", err)
	}
	return w.err
}

// applied is what became of the changes of a window once it is done:
// their outcomes and batches by index (see journal), the batches reported
// so far and what stopped the push, if anything.
type applied struct {
	outcomes []pipeline.Outcome
	batchOf  []int32
	batches  []BatchReport
	stopped  string
}

// rest writes the row of every change of rw not written yet and counts
// every change's status in status, whatever became of the rows.
func (w *resultsWriter) rest(ctx context.Context, rw *resultsWindow, ap applied, status map[string]int) {
	for i := range rw.plan.Changes {
		if rw.wrote[i] || w.err != nil {
			continue
		}
		var req *BatchReport
		if by := ap.batchOf[i]; by > 0 {
			req = &ap.batches[by-1]
		}
		w.add(ctx, rw, i, ap.outcomes[i], req, ap.stopped)
	}
	for i, c := range rw.plan.Changes {
		st, _, _ := statusOf(c, ap.outcomes[i], ap.batchOf[i] > 0, ap.stopped)
		status[st]++
	}
}

// commit checks that the push took one change for every record it read,
// writes the rows left, the rejects, and commits them; on any failure it
// aborts and nothing of the table becomes visible.
func (w *resultsWriter) commit(ctx context.Context, pl *Planned, a *applier) (StepSummary, error) {
	st := StepSummary{Kind: "push:" + w.target, RunID: w.runID, Report: map[string]any{}}
	err := w.err // rows of acknowledged batches that could not be written
	if err == nil && a.changes != pl.records {
		// a target that drops a record would lose it
		err = fmt.Errorf("push does not reconcile: %d records (and mapping refusals) in, %d changes planned", pl.records, a.changes)
	}
	if err == nil {
		err = w.flush(ctx)
	}
	if err == nil && w.rows != int64(a.total) {
		err = fmt.Errorf("push results do not reconcile: %d rows for %d changes", w.rows, a.total)
	}
	stats := map[string]pipeline.TableStats{pipeline.PushResultsTable: {RowsIn: w.rows, RowsOut: w.rows}}
	if err == nil && len(w.failed) > 0 {
		err = w.sink.Reject(ctx, pipeline.PushResultsTable, w.failed)
	}
	for _, table := range slices.Sorted(maps.Keys(pl.Rejects)) {
		if err == nil {
			err = w.sink.Reject(ctx, table, pl.Rejects[table])
			stats[table] = pipeline.TableStats{RowsIn: int64(len(pl.Rejects[table])), RowsRejected: int64(len(pl.Rejects[table]))}
		}
	}
	if err != nil {
		w.abort(ctx)
		return st, err
	}
	defer w.b.Release()
	res, err := w.sink.Close(ctx, pipeline.RunInfo{RunID: w.runID, Kind: "push:" + w.target, Inputs: pl.inputs,
		Tables: w.tables, Stats: stats})
	if err != nil {
		return st, fmt.Errorf("commit push results: %w", err)
	}
	st.Tables = stats
	for _, name := range slices.Sorted(maps.Keys(res.Tables)) {
		tc := res.Tables[name]
		st.Files = append(st.Files, tc.Files...)
		st.Rejects = append(st.Rejects, tc.Rejects...)
		if tc.Manifest != "" {
			st.Manifest = append(st.Manifest, tc.Manifest)
		}
	}
	st.Report["status"] = a.ps.Status
	return st, nil
}

// abort drops what was written: nothing of it becomes visible.
func (w *resultsWriter) abort(ctx context.Context) {
	w.sink.Abort(context.WithoutCancel(ctx))
	w.b.Release()
}

func appendResult(b *array.RecordBuilder, runID, target string, c pipeline.Change, status, id, code, msg, req, reqID string, at time.Time) {
	str := func(i int, s string) {
		if s == "" {
			b.Field(i).AppendNull()
			return
		}
		b.Field(i).(*array.StringBuilder).Append(s)
	}
	b.Field(0).(*array.StringBuilder).Append(runID)
	b.Field(1).(*array.StringBuilder).Append(target)
	b.Field(2).(*array.StringBuilder).Append(c.Entity)
	b.Field(3).(*array.Int64Builder).Append(int64(c.Seq))
	str(4, c.Key)
	b.Field(5).(*array.StringBuilder).Append(c.Action)
	b.Field(6).(*array.StringBuilder).Append(status)
	str(7, id)
	lb := b.Field(8).(*array.ListBuilder)
	if len(c.Fields) == 0 {
		lb.AppendNull()
	} else {
		lb.Append(true)
		vb := lb.ValueBuilder().(*array.StringBuilder)
		for _, f := range c.Fields {
			vb.Append(f.Field)
		}
	}
	str(9, code)
	str(10, msg)
	str(11, c.Origin)
	str(12, req)
	str(13, reqID)
	b.Field(14).(*array.TimestampBuilder).Append(arrow.Timestamp(at.UnixMilli()))
}
