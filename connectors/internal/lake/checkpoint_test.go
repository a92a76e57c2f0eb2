package lake_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	. "github.com/ccetl/ccetl/connectors/internal/lake"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

// windowSource emits 500 rows per window, a checkpoint after each, and
// fails at window failAt (1-based; 0 never).
type windowSource struct {
	mem     memory.Allocator
	windows int
	failAt  int
	i       int
	cp      bool
}

func (w *windowSource) Next(context.Context) (pipeline.Batch, error) {
	if w.cp {
		w.cp = false
		return pipeline.Batch{Checkpoint: true, Input: fmt.Sprintf("api:window-%d", w.i), Cursors: map[string]string{"until": fmt.Sprint(w.i)}}, nil
	}
	w.i++
	if w.i == w.failAt {
		return pipeline.Batch{}, errors.New("retry budget spent")
	}
	if w.i > w.windows {
		return pipeline.Batch{}, pipeline.ErrEndOfInput
	}
	w.cp = true
	from := (w.i - 1) * 500
	return pipeline.Batch{Table: "events", Rec: batch(w.mem, from, from+500, 250), RowsRead: 500, Input: fmt.Sprintf("api:window-%d", w.i)}, nil
}

func (w *windowSource) Tables() []pipeline.Table { return []pipeline.Table{testTable} }
func (w *windowSource) Close() error             { return nil }
func (w *windowSource) Inputs() []pipeline.InputInfo {
	var in []pipeline.InputInfo
	for i := 1; i <= w.windows; i++ {
		in = append(in, pipeline.InputInfo{Name: fmt.Sprintf("api:window-%d", i)})
	}
	return in
}

func runWindows(t *testing.T, dir string, windows, failAt int) ([]string, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	store, err := NewLocalStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	opts := DefaultOptions()
	opts.Allocator = mem
	sink, _ := NewSink(store, []pipeline.Table{testTable}, "backfill", opts)
	var saved []string
	_, err = pipeline.Run(context.Background(), &windowSource{mem: mem, windows: windows, failAt: failAt}, nil, sink, pipeline.RunOptions{
		RunID: "r", OnCheckpoint: func(_ context.Context, c map[string]string) error { saved = append(saved, c["until"]); return nil }})
	return saved, err
}

// A run that fails at its third window keeps the two windows before it,
// committed and with their cursors saved; the rerun completes with every
// row exactly once.
func TestCheckpointsKeepProgressOfAFailedRun(t *testing.T) {
	dir := t.TempDir()
	saved, err := runWindows(t, dir, 4, 3)
	if err == nil {
		t.Fatal("want the failure")
	}
	if fmt.Sprint(saved) != "[1 2]" {
		t.Fatalf("cursors saved %v, want [1 2]", saved)
	}
	seen := ids(t, dir)
	if len(seen) != 1000 {
		t.Fatalf("%d rows visible after the failed run, want the 1000 of windows 1 and 2", len(seen))
	}
	if _, err := runWindows(t, dir, 4, 0); err != nil {
		t.Fatal(err)
	}
	seen = ids(t, dir)
	if len(seen) != 2000 {
		t.Fatalf("%d rows after the rerun, want 2000", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("id %d appears %d times", id, n)
		}
	}
	// the manifest of the finished run lists every file, and every file exists
	files := lakecheck.Files(t, dir, "events")
	if len(files) == 0 {
		t.Fatal("no files")
	}
}

func TestCheckpointIgnoredWithoutAJob(t *testing.T) {
	dir := t.TempDir()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	store, _ := NewLocalStore(dir)
	defer store.Close()
	opts := DefaultOptions()
	opts.Allocator = mem
	sink, _ := NewSink(store, []pipeline.Table{testTable}, "oneshot", opts)
	_, err := pipeline.Run(context.Background(), &windowSource{mem: mem, windows: 3, failAt: 3}, nil, sink, pipeline.RunOptions{RunID: "r"})
	if err == nil {
		t.Fatal("want the failure")
	}
	if n := len(ids(t, dir)); n != 0 {
		t.Fatalf("a one-shot run without checkpoints committed %d rows", n)
	}
}

func TestCheckpointRejectSegmentsAndManifest(t *testing.T) {
	dir := t.TempDir()
	run := func(withRejects bool) pipeline.CommitResult {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		store, _ := NewLocalStore(dir)
		defer store.Close()
		opts := DefaultOptions()
		opts.Allocator = mem
		sink, _ := NewSink(store, []pipeline.Table{testTable}, "seg", opts)
		ctx := context.Background()
		var res pipeline.CommitResult
		for w := 1; w <= 2; w++ {
			in := fmt.Sprintf("api:w%d", w)
			rec := batch(mem, w*1000, w*1000+10, 5)
			if err := sink.Write(ctx, pipeline.Batch{Table: "events", Rec: rec, Input: in}); err != nil {
				t.Fatal(err)
			}
			rec.Release()
			if withRejects {
				sink.Reject(ctx, "events", []pipeline.Reject{{RowError: pipeline.RowError{Source: in, Record: 0, Err: errors.New("bad")}, Raw: "{}"}})
			}
			info := pipeline.RunInfo{RunID: "r", Inputs: []pipeline.InputInfo{{Name: in}}}
			var err error
			if w == 1 {
				res, err = sink.Checkpoint(ctx, info)
			} else {
				res, err = sink.Close(ctx, info)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		return res
	}
	res := run(true)
	tc := res.Tables["events"]
	if len(tc.Files) != 4 || tc.Rows != 20 || len(tc.Rejects) != 2 {
		t.Fatalf("commit %+v", tc)
	}
	if got := lakecheck.Rejects(t, dir, "events"); len(got) != 2 {
		t.Fatalf("rejects %v", got)
	}
	run(false)
	if got := lakecheck.Rejects(t, dir, "events"); len(got) != 0 {
		t.Fatalf("a rerun without rejects left %d", len(got))
	}
	if n := len(ids(t, dir)); n != 20 {
		t.Fatalf("%d rows after the rerun", n)
	}
}
