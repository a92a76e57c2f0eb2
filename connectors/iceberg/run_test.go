package iceberg_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
)

// windowSource emits one window of contacts per step, each followed by a
// checkpoint carrying the window's end as the cursor, like an API pull.
type windowSource struct {
	mem     memory.Allocator
	windows []rows
	i       int
	cp      bool
}

func (s *windowSource) Next(context.Context) (pipeline.Batch, error) {
	if s.i >= len(s.windows) {
		return pipeline.Batch{}, pipeline.ErrEndOfInput
	}
	w := s.windows[s.i]
	if s.cp {
		s.cp = false
		s.i++
		return pipeline.Batch{Table: contacts.Name, Input: w.input, Checkpoint: true,
			Cursors: map[string]string{"end": w.input}}, nil
	}
	s.cp = true
	return pipeline.Batch{Table: contacts.Name, Rec: w.record(s.mem), Input: w.input, RowsRead: int64(w.to - w.from)}, nil
}

func (s *windowSource) Tables() []pipeline.Table { return []pipeline.Table{contacts} }
func (s *windowSource) Close() error             { return nil }
func (s *windowSource) Cursors() map[string]string {
	return map[string]string{"end": s.windows[len(s.windows)-1].input}
}

// TestRunnerCommitsCursorsWithTheData runs a checkpointing pull, merged by
// key, through the pipeline runner (which reconciles every commit): every checkpoint is a snapshot whose summary carries the
// cursors that hold once it is committed.
func TestRunnerCommitsCursorsWithTheData(t *testing.T) {
	dir := t.TempDir()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src := &windowSource{mem: mem}
	for i := range 3 {
		src.windows = append(src.windows, rows{fmt.Sprintf("2024-05-0%d", i+1), i * 40, i*40 + 50, base.Add(time.Duration(i) * time.Hour)})
	}
	sink := open(t, "iceberg://"+dir, map[string]string{"mode": "merge", "key": "contacts=id"}, "pull")
	var saved []string
	res, err := pipeline.Run(context.Background(), src, nil, sink, pipeline.RunOptions{RunID: "pull-1", Kind: "test",
		OnCheckpoint: func(_ context.Context, c map[string]string) error { saved = append(saved, c["end"]); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Commit.Tables["contacts"].Rows != 150 || len(saved) != 3 {
		t.Fatalf("committed %d rows, %d checkpoints", res.Commit.Tables["contacts"].Rows, len(saved))
	}
	m, snap := current(t, dir)
	// windows overlap by 10 ids: the later window's version is kept
	rs := readRows(t, localFetch, snap, "id", "updated_at")
	if got := ids(t, rs); len(got) != 130 {
		t.Fatalf("%d rows, want 130", len(got))
	}
	for _, r := range rs {
		if r["id"] == "c00045" && r["updated_at"] != base.Add(time.Hour).Format("2006-01-02T15:04:05.000Z") {
			t.Errorf("c00045 updated_at %s: the older version was kept", r["updated_at"])
		}
	}
	var cursors []string
	for _, s := range m.history() {
		if s.Summary["ccetl.run-id"] != "pull-1" {
			t.Errorf("snapshot %d: run id %q", s.ID, s.Summary["ccetl.run-id"])
		}
		cursors = append(cursors, s.Summary["ccetl.cursors"])
	}
	want := []string{`{"end":"2024-05-01"}`, `{"end":"2024-05-02"}`, `{"end":"2024-05-03"}`}
	if fmt.Sprint(cursors) != fmt.Sprint(want) {
		t.Errorf("cursors by snapshot %v, want %v", cursors, want)
	}
}
