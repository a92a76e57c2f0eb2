package jobs

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ccetl/ccetl/jobs/state"
	"github.com/ccetl/ccetl/pipeline"
)

func TestRunReportFromSummary(t *testing.T) {
	job := &Job{Name: "j", Sink: SinkSpec{URL: "out"}}
	sum := Summary{RunID: "20240501T120000Z-00000001", Steps: []StepSummary{
		{Kind: "a", Tables: map[string]pipeline.TableStats{"t": {RowsIn: 10, RowsOut: 8, RowsRejected: 2}},
			Files: []pipeline.FileCommit{{}, {}}, Bytes: 100,
			Report: map[string]any{"vendor_api": map[string]any{"requests": int64(7), "retries": int64(2), "too_many_requests": int64(1)}}},
		{Kind: "b", Tables: map[string]pipeline.TableStats{"t": {RowsIn: 5, RowsOut: 4, RowsMerged: 1}, "u": {RowsIn: 1, RowsOut: 1}},
			Report: map[string]any{"requests": 3}},
	}}
	r := NewRunReport(job, TriggerSchedule, time.Now().Add(-time.Second), sum, nil)
	if r.RunID != sum.RunID || r.Trigger != "schedule" || r.Outcome != OutcomeRejected || r.RowsIn != 16 || r.RowsOut != 13 ||
		r.RowsRejected != 2 || r.RowsMerged != 1 || r.Files != 2 || r.BytesRead != 100 || r.Requests != 10 || r.Retries != 2 ||
		r.TooManyRequests != 1 || r.Tables["t"].RowsIn != 15 || r.Seconds < 1 {
		t.Errorf("report %+v", r)
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{context.Canceled, OutcomeCancelled},
		{errors.New("boom"), OutcomeFailed},
		{&state.HeldError{}, OutcomeSkipped},
	} {
		if r := NewRunReport(job, TriggerManual, time.Now(), Summary{}, tc.err); r.Outcome != tc.want || r.Error == "" || r.RunID == "" {
			t.Errorf("%v: %+v", tc.err, r)
		}
	}
}

// TestHistoryWriteListGet writes reports into the job state and next to
// the output and reads them back, newest first.
func TestHistoryWriteListGet(t *testing.T) {
	dir := t.TempDir()
	job := &Job{Name: "j", Sink: SinkSpec{URL: filepath.Join(dir, "out")}}
	h := History{Open: OpenLocalState}
	ctx := context.Background()
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	ids := []string{"20240501T120000Z-bbbbbbbb", "20240501T120000Z-aaaaaaaa", "20240501T120005Z-cccccccc"}
	for i, id := range ids {
		if err := h.Write(ctx, job, RunReport{Job: "j", RunID: id, Outcome: OutcomeOK, Started: base.Add(time.Duration(i) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := h.List(ctx, job, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].RunID != ids[2] || got[1].RunID != ids[1] {
		t.Fatalf("list: %+v", got)
	}
	r, err := h.Get(ctx, job, ids[0])
	if err != nil || r.RunID != ids[0] {
		t.Fatalf("get: %+v %v", r, err)
	}
	if _, err := h.Get(ctx, job, "20990101T000000Z-00000000"); !errors.Is(err, pipeline.ErrStateNotFound) {
		t.Errorf("get of a missing run: %v", err)
	}
	if _, err := h.Get(ctx, job, "../state"); err == nil {
		t.Error("a path was taken for a run id")
	}
	// the copy next to the output
	out, _ := OpenLocalState(ctx, filepath.Join(dir, "out", "_runs"))
	keys, err := out.List(ctx, "j/")
	if err != nil || len(keys) != 3 {
		t.Errorf("reports next to the output: %v %v", keys, err)
	}
	// prune keeps the newest
	if n, err := h.Prune(ctx, job, 1); err != nil || n != 2 {
		t.Fatalf("prune: %d %v", n, err)
	}
	if got, _ := h.List(ctx, job, 0); len(got) != 1 || got[0].RunID != ids[2] {
		t.Errorf("after prune: %+v", got)
	}
	if keys, _ := out.List(ctx, "j/"); len(keys) != 1 {
		t.Errorf("reports next to the output after prune: %v", keys)
	}
	// a report is written once: the same id again is refused
	if err := h.Write(ctx, job, RunReport{Job: "j", RunID: ids[2]}); err == nil {
		t.Error("a report was overwritten")
	}
}

func TestPlanBackfill(t *testing.T) {
	reg := pipeline.NewRegistry()
	reg.AddKind(pipeline.Kind{Name: "api", Options: []pipeline.Option{{Name: "start"}, {Name: "end"}, {Name: "window_days", Default: "30"}}})
	reg.AddKind(pipeline.Kind{Name: "daily", Options: []pipeline.Option{{Name: "start"}, {Name: "end"}}})
	reg.AddKind(pipeline.Kind{Name: "files"})
	dir := t.TempDir()
	job := &Job{Name: "b", Sink: SinkSpec{URL: filepath.Join(dir, "out")}, Sources: []SourceSpec{
		{Kind: "files"}, {Kind: "daily"}, {Kind: "api", Options: map[string]string{"window_days": "10", "x": "y"}}}}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	ctx := context.Background()
	p, err := PlanBackfill(ctx, job, reg, OpenLocalState, day("2024-01-01"), day("2024-02-05"), 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if p.Days != 10 || len(p.Sources) != 2 || p.Runs(0) || !p.Runs(1) || !p.Runs(2) || len(p.Windows) != 4 || len(p.Todo) != 4 ||
		!p.Windows[0].End.Equal(day("2024-01-08")) || !p.Windows[3].Start.Equal(day("2024-01-28")) || !p.Windows[3].End.Equal(day("2024-02-05")) {
		t.Fatalf("plan %+v", p)
	}
	wj := p.WindowJob(job, p.Windows[1])
	if o := wj.Sources[2].Options; o["start"] != "2024-01-08" || o["end"] != "2024-01-18" || o["x"] != "y" {
		t.Errorf("window options %v", o)
	}
	if _, ok := job.Sources[2].Options["start"]; ok {
		t.Error("the job's own options were changed")
	}
	// a window committed by an earlier backfill is left out
	backend, _ := OpenLocalState(ctx, StateURL(job))
	store := state.New(backend)
	lease, err := store.Acquire(ctx, "b", "test", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := store.Load(ctx, "b")
	st.MarkDone(state.Window{Start: p.Windows[0].Start, End: p.Windows[1].End})
	if err := store.Commit(ctx, lease, st); err != nil {
		t.Fatal(err)
	}
	lease.Release(ctx)
	p, err = PlanBackfill(ctx, job, reg, OpenLocalState, day("2024-01-01"), day("2024-02-05"), 0, false)
	if err != nil || len(p.Todo) != 2 || !p.Todo[0].Start.Equal(day("2024-01-18")) {
		t.Fatalf("resumed plan %+v %v", p, err)
	}
	if p, _ = PlanBackfill(ctx, job, reg, OpenLocalState, day("2024-01-01"), day("2024-02-05"), 7, true); len(p.Todo) != 6 || p.Days != 7 {
		t.Errorf("--again --window-days 7: %+v", p)
	}
	if _, err := PlanBackfill(ctx, &Job{Name: "f", Sources: []SourceSpec{{Kind: "files"}}}, reg, nil, day("2024-01-01"), day("2024-02-01"), 0, false); err == nil {
		t.Error("a job without dated sources was planned")
	}
}
