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

// writeResults writes one push_results row per change of the plan, the
// failed changes and the sources' rejected rows to _rejects, and commits
// them as one run of the job's sink.
func (r Runner) writeResults(ctx context.Context, job *Job, runID string, pl *Planned, j *journal, ps *PushSummary) (StepSummary, error) {
	st := StepSummary{Kind: "push:" + ps.Target, RunID: runID, Report: map[string]any{}}
	plan := pl.Plan
	ps.Status = map[string]int{}
	var failed []pipeline.Reject
	mem := r.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	b := array.NewRecordBuilder(mem, pipeline.PushResultsSchema)
	defer b.Release()
	b.Reserve(len(plan.Changes)) // one row per change: no growing and copying on the way
	now := time.Now().UTC()
	for _, c := range plan.Changes {
		o, by := j.outcomes[c.Seq], j.batchOf[c.Seq]
		status, code, msg := statusOf(c, o, by > 0, ps.Stopped)
		ps.Status[status]++
		id := o.TargetID
		if id == "" {
			id = c.TargetID
		}
		var req BatchReport
		if by > 0 {
			req = j.batches[by-1]
		}
		appendResult(b, runID, plan.Target, c, status, id, code, msg, req.Request, req.RequestID, now)
		if status == pipeline.StatusFailed {
			raw, _ := json.Marshal(c.Wire)
			failed = append(failed, pipeline.Reject{RowError: pipeline.RowError{Source: c.Origin, Record: -1,
				Err: fmt.Errorf("%s %s: %s", c.Entity, c.Action, msg)}, Raw: string(raw)})
		}
	}
	if err := reconcilePlan(pl); err != nil {
		return st, err
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	tables := []pipeline.Table{pipeline.PushResultsTableDef()}
	sk, err := r.Registry.Sink(job.Sink.URL)
	if err != nil {
		return st, err
	}
	sink, err := sk.Open(ctx, pipeline.SinkConfig{URL: job.Sink.URL, Tables: tables, RunKey: "push-" + runID,
		Options: job.Sink.Options, Logger: r.pushLogger(job)})
	if err != nil {
		return st, err
	}
	n := rec.NumRows()
	stats := map[string]pipeline.TableStats{pipeline.PushResultsTable: {RowsIn: n, RowsOut: n}}
	err = sink.Write(ctx, pipeline.Batch{Table: pipeline.PushResultsTable, Rec: rec, RowsRead: n, Input: "push-" + runID})
	if err == nil && len(failed) > 0 {
		err = sink.Reject(ctx, pipeline.PushResultsTable, failed)
	}
	for _, table := range slices.Sorted(maps.Keys(pl.Rejects)) {
		if err == nil {
			err = sink.Reject(ctx, table, pl.Rejects[table])
			stats[table] = pipeline.TableStats{RowsIn: int64(len(pl.Rejects[table])), RowsRejected: int64(len(pl.Rejects[table]))}
		}
	}
	if err != nil {
		sink.Abort(context.WithoutCancel(ctx))
		return st, fmt.Errorf("write push results: %w", err)
	}
	res, err := sink.Close(ctx, pipeline.RunInfo{RunID: runID, Kind: "push:" + ps.Target, Inputs: plan.Inputs,
		Tables: tables, Stats: stats})
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
