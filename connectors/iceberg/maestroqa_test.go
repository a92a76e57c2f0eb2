package iceberg_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/iceberg"
	"github.com/ccetl/ccetl/connectors/maestroqa"
	"github.com/ccetl/ccetl/connectors/maestroqa/maestroqatest"
	"github.com/ccetl/ccetl/pipeline"
)

// pullMaestroQA runs the MaestroQA API kind against e through the pipeline
// runner into an Iceberg warehouse, committing at every window.
func pullMaestroQA(t *testing.T, e *maestroqatest.Emulator, dir, windowDays, runID string, sinkOpts map[string]string) pipeline.Result {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	kind := maestroqa.APIKind()
	src, err := kind.Open(ctx, pipeline.SourceConfig{Kind: kind.Name, Mem: mem,
		Policy: pipeline.BatchPolicy{MaxRows: 1000, MaxBytes: 1 << 20},
		Now:    time.Date(2022, 6, 1, 12, 0, 0, 0, time.UTC),
		Options: map[string]string{"base_url": e.URL(), "api_token": e.Token(), "rate_limit": "1000/1ms",
			"retry_delay": "1ms", "spool_dir": t.TempDir(), "start": "2022-01-01", "end": "2022-01-31",
			"window_days": windowDays}})
	if err != nil {
		t.Fatal(err)
	}
	sink, err := iceberg.Open(ctx, pipeline.SinkConfig{URL: "iceberg://" + dir, Tables: src.Tables(), RunKey: src.RunKey,
		Options: sinkOpts}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkpoints := 0
	res, err := pipeline.Run(ctx, src.Source, nil, sink, pipeline.RunOptions{RunID: runID, Kind: kind.Name,
		OnCheckpoint: func(context.Context, map[string]string) error { checkpoints++; return nil }})
	if err != nil {
		t.Fatalf("pull %s: %v", runID, err)
	}
	if checkpoints == 0 {
		t.Fatalf("pull %s committed no checkpoint", runID)
	}
	return res
}

// TestMaestroQARepullMergesByID pulls the same MaestroQA sessions in two
// runs with other windows, updating some in between: merged by id with
// updated_at as the order, each session is one row, the newer version.
func TestMaestroQARepullMergesByID(t *testing.T) {
	e := maestroqatest.New(t, maestroqatest.Config{NoLimits: true})
	first := time.Date(2022, 1, 3, 9, 0, 0, 0, time.UTC)
	e.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 20, First: first, Every: 24 * time.Hour, Notes: "v1"}))
	dir := t.TempDir()
	opts := map[string]string{"mode": "mqa_coaching_session=merge;mqa_coaching_point=merge",
		"key": "mqa_coaching_session=id;mqa_coaching_point=id", "order": "mqa_coaching_session=updated_at"}
	pullMaestroQA(t, e, dir, "10", "pull-1", opts)

	// sessions 0..5 change; the second pull cuts other windows, so no
	// input of it matches one of the first
	e.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 6, First: first, Every: 24 * time.Hour,
		Notes: "v2", Updated: time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC)}))
	pullMaestroQA(t, e, dir, "15", "pull-2", opts)

	catalog := filepath.Join(dir, "catalog.db")
	m := readMeta(t, localFetch, sqliteLocationNS(t, catalog, maestroqa.SessionTableName))
	rs := readRows(t, localFetch, *m.snapshot(*m.Current), "id", "coach_notes")
	if got := ids(t, rs); len(got) != 20 {
		t.Fatalf("%d sessions, want 20", len(got))
	}
	v2 := 0
	for _, r := range rs {
		if r["coach_notes"] == "v2" {
			v2++
		}
	}
	if v2 != 6 {
		t.Errorf("%d sessions carry the update, want 6", v2)
	}
	m = readMeta(t, localFetch, sqliteLocationNS(t, catalog, maestroqa.PointTableName))
	if got := ids(t, readRows(t, localFetch, *m.snapshot(*m.Current), "id")); len(got) != 20 {
		t.Errorf("%d coaching points, want 20", len(got))
	}
	var runs []string
	for _, s := range m.history() {
		runs = append(runs, s.Summary["ccetl.run-id"])
	}
	if len(runs) < 2 || runs[0] != "pull-1" || runs[len(runs)-1] != "pull-2" {
		t.Errorf("snapshot runs %v", runs)
	}
}
