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
// the push goes: each acknowledged batch's rows once it is acknowledged
// (behind the uploads, in the order acknowledged), then at the end the
// rows of every change left, in plan order, the failed changes and the
// sources' rejected rows to _rejects; it commits them as one run of the
// sink. One goroutine at a time calls it.
type resultsWriter struct {
	runID  string
	plan   *pipeline.Plan
	sink   pipeline.Sink
	tables []pipeline.Table
	b      *array.RecordBuilder
	now    time.Time
	wrote  []bool // by Seq
	rows   int64  // rows written, including those in b
	failed []pipeline.Reject
	// err is the first failure to write rows: nothing more is written,
	// and finish aborts.
	err error
}

// resultsChunkRows is the number of push_results rows built before they
// are written to the sink (a variable for tests).
var resultsChunkRows = 16 << 10

// openResults opens the job's sink for a push's results.
func (r Runner) openResults(ctx context.Context, job *Job, runID string, plan *pipeline.Plan) (*resultsWriter, error) {
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
	w := &resultsWriter{runID: runID, plan: plan, sink: sink, tables: tables,
		b: array.NewRecordBuilder(mem, pipeline.PushResultsSchema), now: time.Now().UTC(),
		wrote: make([]bool, len(plan.Changes))}
	w.b.Reserve(min(len(plan.Changes), resultsChunkRows))
	return w, nil
}

// add writes change c's row: its outcome o when a batch carried it
// (req).
func (w *resultsWriter) add(ctx context.Context, c pipeline.Change, o pipeline.Outcome, req *BatchReport, stopped string) error {
	if w.err != nil {
		return w.err
	}
	status, code, msg := statusOf(c, o, req != nil, stopped)
	id := o.TargetID
	if id == "" {
		id = c.TargetID
	}
	var request, requestID string
	if req != nil {
		request, requestID = req.Request, req.RequestID
	}
	appendResult(w.b, w.runID, w.plan.Target, c, status, id, code, msg, request, requestID, w.now)
	w.wrote[c.Seq] = true
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

// batch writes the rows of an acknowledged batch; a failure is kept for
// finish.
func (w *resultsWriter) batch(ctx context.Context, r pipeline.BatchResult, req *BatchReport) {
	for _, o := range r.Outcomes {
		if w.add(ctx, w.plan.Changes[o.Seq], o, req, "") != nil {
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
	w.b.Reserve(min(len(w.plan.Changes)-int(w.rows), resultsChunkRows))
	err := w.sink.Write(ctx, pipeline.Batch{Table: pipeline.PushResultsTable, Rec: rec, RowsRead: n, Input: "push-" + w.runID})
	if err != nil {
		w.err = fmt.Errorf("write push results: %w", err)
	}
	return w.err
}

// finish writes the row of every change not written yet (the push's
// outcome for it, as j has it), the rejects, and commits.
func (w *resultsWriter) finish(ctx context.Context, pl *Planned, j *journal, ps *PushSummary) (StepSummary, error) {
	st := StepSummary{Kind: "push:" + ps.Target, RunID: w.runID, Report: map[string]any{}}
	err := w.err // rows of acknowledged batches that could not be written
	if err == nil {
		err = reconcilePlan(pl)
	}
	for _, c := range w.plan.Changes {
		if err != nil {
			break
		}
		if w.wrote[c.Seq] {
			continue
		}
		var req *BatchReport
		if by := j.batchOf[c.Seq]; by > 0 {
			req = &j.batches[by-1]
		}
		err = w.add(ctx, c, j.outcomes[c.Seq], req, ps.Stopped)
	}
	if err == nil {
		err = w.flush(ctx)
	}
	if err == nil && w.rows != int64(len(w.plan.Changes)) {
		err = fmt.Errorf("push results do not reconcile: %d rows for %d changes", w.rows, len(w.plan.Changes))
	}
	ps.Status = map[string]int{} // told whatever became of the rows
	for _, c := range w.plan.Changes {
		status, _, _ := statusOf(c, j.outcomes[c.Seq], j.batchOf[c.Seq] > 0, ps.Stopped)
		ps.Status[status]++
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
	res, err := w.sink.Close(ctx, pipeline.RunInfo{RunID: w.runID, Kind: "push:" + ps.Target, Inputs: w.plan.Inputs,
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
	st.Report["status"] = ps.Status
	return st, nil
}

// abort drops what was written: nothing of it becomes visible.
func (w *resultsWriter) abort(ctx context.Context) {
	w.sink.Abort(context.WithoutCancel(ctx))
	w.b.Release()
}

// reconcilePlan checks that the target planned exactly one change for
// every record it was given: a target that drops a record would lose it.
func reconcilePlan(pl *Planned) error {
	var changes int
	for _, c := range pl.Plan.Changes {
		if c.Action != pipeline.ActionDelete {
			changes++
		}
	}
	if changes != pl.records {
		return fmt.Errorf("push does not reconcile: %d records (and mapping refusals) in, %d changes planned", pl.records, changes)
	}
	return nil
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
