package lake_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	. "github.com/ccetl/ccetl/connectors/internal/lake"
	"github.com/ccetl/ccetl/pipeline"
)

// failingStore wraps a store; the n-th Commit fails, and it counts aborts.
type failingStore struct {
	Store
	failAt, commits, aborts int
	closeFails              string // Close of an object whose key has this fails
}

type failingWriter struct {
	ObjectWriter
	s *failingStore
}

func (f *failingStore) Create(ctx context.Context, key string) (ObjectWriter, error) {
	w, err := f.Store.Create(ctx, key)
	return &failingWriter{w, f}, err
}

func (w *failingWriter) Commit(ctx context.Context) error {
	w.s.commits++
	if w.s.commits == w.s.failAt {
		return errors.New("server went away")
	}
	return w.ObjectWriter.Commit(ctx)
}

func (w *failingWriter) Close() error {
	if w.s.closeFails != "" && strings.Contains(w.Key(), w.s.closeFails) {
		return errors.New("disk full")
	}
	return w.ObjectWriter.Close()
}

func (w *failingWriter) Abort(ctx context.Context) error {
	w.s.aborts++
	return w.ObjectWriter.Abort(ctx)
}

// failingSink is a sink over store (on a fresh local store) that wrote
// 4,000 rows: 4 days and the null-date partition, 5 files.
func failingSink(t *testing.T, store *failingStore) *Sink {
	t.Helper()
	local, err := NewLocalStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { local.Close() })
	store.Store = local
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	opts := DefaultOptions()
	opts.Allocator = mem
	sink, err := NewSink(store, []pipeline.Table{testTable}, "k", opts)
	if err != nil {
		t.Fatal(err)
	}
	rec := batch(mem, 0, 4000, 1000)
	defer rec.Release()
	if err := sink.Write(context.Background(), pipeline.Batch{Table: "events", Rec: rec, Input: "/a"}); err != nil {
		t.Fatal(err)
	}
	return sink
}

func TestFailedCommitAbortsWhatItDidNotReach(t *testing.T) {
	store := &failingStore{failAt: 2}
	sink := failingSink(t, store)
	ctx := context.Background()
	if _, err := sink.Close(ctx, pipeline.RunInfo{RunID: "r", Inputs: []pipeline.InputInfo{{Name: "/a"}}}); err == nil {
		t.Fatal("want the commit error")
	}
	if store.aborts != 4 { // the failed one and the 3 after it
		t.Errorf("%d objects aborted, want 4", store.aborts)
	}
	if err := sink.Abort(ctx); err != nil {
		t.Errorf("abort after a failed close: %v", err)
	}
}

// A rejects file that cannot be finished fails the commit, and the data
// files already finished are discarded with it: nothing is left staged.
func TestFailedRejectsDiscardTheDataFiles(t *testing.T) {
	store := &failingStore{closeFails: "_rejects/"}
	sink := failingSink(t, store)
	ctx := context.Background()
	if err := sink.Reject(ctx, "events", []pipeline.Reject{{RowError: pipeline.RowError{Source: "/a", Line: 3, Record: -1, Err: errors.New("bad")}, Raw: "x"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sink.Close(ctx, pipeline.RunInfo{RunID: "r", Inputs: []pipeline.InputInfo{{Name: "/a"}}}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("close: %v, want the rejects' error", err)
	}
	if store.aborts != 6 || store.commits != 0 {
		t.Errorf("%d objects aborted, %d committed; want the 5 data files and the rejects aborted, none committed", store.aborts, store.commits)
	}
}
