package jobs

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ccetl/ccetl/jobs/state"
	"github.com/ccetl/ccetl/pipeline"
)

// cursorSource reads nothing, remembers the cursors it was opened with and
// advances "until" by one; block holds Next until closed.
type cursorSource struct {
	got   map[string]string
	block chan struct{}
}

func (c *cursorSource) Next(ctx context.Context) (pipeline.Batch, error) {
	if c.block != nil {
		select {
		case <-c.block:
		case <-ctx.Done():
			return pipeline.Batch{}, ctx.Err()
		}
	}
	return pipeline.Batch{}, pipeline.ErrEndOfInput
}
func (c *cursorSource) Tables() []pipeline.Table {
	return []pipeline.Table{{Name: "t", Schema: arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}}, nil)}}
}
func (c *cursorSource) Close() error { return nil }
func (c *cursorSource) Cursors() map[string]string {
	return map[string]string{"until": c.got["until"] + "x"}
}

type nopSink struct{}

func (nopSink) Write(context.Context, pipeline.Batch) error             { return nil }
func (nopSink) Reject(context.Context, string, []pipeline.Reject) error { return nil }
func (nopSink) Abort(context.Context) error                             { return nil }
func (nopSink) Close(context.Context, pipeline.RunInfo) (pipeline.CommitResult, error) {
	return pipeline.CommitResult{Tables: map[string]pipeline.TableCommit{}}, nil
}

func testRegistry(open func(cfg pipeline.SourceConfig) *cursorSource) *pipeline.Registry {
	reg := pipeline.NewRegistry()
	reg.AddKind(pipeline.Kind{Name: "fake", Open: func(_ context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
		return pipeline.OpenedSource{Source: open(cfg), RunKey: "k"}, nil
	}})
	reg.AddSink(pipeline.SinkKind{Scheme: "", Open: func(context.Context, pipeline.SinkConfig) (pipeline.Sink, error) { return nopSink{}, nil }})
	return reg
}

func testJob(dir string) *Job {
	return &Job{Name: "nightly", Sources: []SourceSpec{{Kind: "fake", Inputs: []string{"x"}}},
		Sink: SinkSpec{URL: filepath.Join(dir, "out")}, Batch: pipeline.DefaultBatchPolicy()}
}

func TestCursorsCommittedAfterDataAndResumed(t *testing.T) {
	dir := t.TempDir()
	var seen []map[string]string
	reg := testRegistry(func(cfg pipeline.SourceConfig) *cursorSource {
		seen = append(seen, cfg.Cursors)
		return &cursorSource{got: cfg.Cursors}
	})
	r := Runner{Registry: reg, State: OpenLocalState}
	for i := 0; i < 2; i++ {
		if _, err := r.Run(context.Background(), testJob(dir)); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != 2 || seen[0]["until"] != "" || seen[1]["until"] != "x" {
		t.Fatalf("cursors seen %v", seen)
	}
	backend, _ := OpenLocalState(context.Background(), filepath.Join(dir, "out", "_state"))
	st, err := state.New(backend).Load(context.Background(), "nightly")
	if err != nil || st.Cursors["0.fake.until"] != "xx" || st.Revision != 2 {
		t.Fatalf("state %+v %v", st, err)
	}
}

func TestSecondRunnerLosesTheLease(t *testing.T) {
	dir := t.TempDir()
	block := make(chan struct{})
	started := make(chan struct{}, 2)
	reg := testRegistry(func(cfg pipeline.SourceConfig) *cursorSource {
		started <- struct{}{}
		return &cursorSource{got: cfg.Cursors, block: block}
	})
	r := Runner{Registry: reg, State: OpenLocalState}
	first := make(chan error, 1)
	go func() { _, err := r.Run(context.Background(), testJob(dir)); first <- err }()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("first runner did not start")
	}
	_, err := r.Run(context.Background(), testJob(dir))
	if !IsLeaseHeld(err) || !strings.Contains(err.Error(), "not starting a second run") {
		t.Fatalf("second runner: %v", err)
	}
	close(block)
	if err := <-first; err != nil {
		t.Fatalf("first runner: %v", err)
	}
	// the lease is released: a later run goes ahead
	if _, err := r.Run(context.Background(), testJob(dir)); err != nil {
		t.Fatalf("third run: %v", err)
	}
}

func TestFailedStepCommitsNoCursor(t *testing.T) {
	dir := t.TempDir()
	reg := testRegistry(func(cfg pipeline.SourceConfig) *cursorSource { return &cursorSource{got: cfg.Cursors} })
	reg2 := pipeline.NewRegistry()
	k, _ := reg.Kind("fake")
	reg2.AddKind(k)
	reg2.AddSink(pipeline.SinkKind{Scheme: "", Open: func(context.Context, pipeline.SinkConfig) (pipeline.Sink, error) { return failingSink{}, nil }})
	_, err := Runner{Registry: reg2, State: OpenLocalState}.Run(context.Background(), testJob(dir))
	if err == nil {
		t.Fatal("want the commit error")
	}
	backend, _ := OpenLocalState(context.Background(), filepath.Join(dir, "out", "_state"))
	st, _ := state.New(backend).Load(context.Background(), "nightly")
	if len(st.Cursors) != 0 {
		t.Fatalf("a failed step moved the cursor: %v", st.Cursors)
	}
}

type failingSink struct{ nopSink }

func (failingSink) Close(context.Context, pipeline.RunInfo) (pipeline.CommitResult, error) {
	return pipeline.CommitResult{}, errors.New("disk full")
}

func TestSummaryTimesEveryStep(t *testing.T) {
	reg := testRegistry(func(cfg pipeline.SourceConfig) *cursorSource { return &cursorSource{got: cfg.Cursors} })
	sum, err := Runner{Registry: reg}.Run(context.Background(), testJob(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Steps) != 1 || sum.Steps[0].Seconds <= 0 || sum.Steps[0].RunID == "" {
		t.Fatalf("steps %+v", sum.Steps)
	}
}

// checkpointSource emits a checkpoint per window and fails at the third.
type checkpointSource struct {
	cursorSource
	i int
}

func (c *checkpointSource) Next(context.Context) (pipeline.Batch, error) {
	c.i++
	if c.i == 3 {
		return pipeline.Batch{}, errors.New("retry budget spent")
	}
	return pipeline.Batch{Checkpoint: true, Input: "w", Cursors: map[string]string{"until": strings.Repeat("x", c.i)}}, nil
}

type checkpointSink struct {
	nopSink
	n int
}

func (k *checkpointSink) Checkpoint(context.Context, pipeline.RunInfo) (pipeline.CommitResult, error) {
	k.n++
	return pipeline.CommitResult{Tables: map[string]pipeline.TableCommit{}}, nil
}

func TestFailedStepKeepsItsCheckpoints(t *testing.T) {
	dir := t.TempDir()
	sink := &checkpointSink{}
	reg := pipeline.NewRegistry()
	reg.AddKind(pipeline.Kind{Name: "fake", Open: func(_ context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
		return pipeline.OpenedSource{Source: &checkpointSource{}, RunKey: "k"}, nil
	}})
	reg.AddSink(pipeline.SinkKind{Scheme: "", Open: func(context.Context, pipeline.SinkConfig) (pipeline.Sink, error) { return sink, nil }})
	_, err := Runner{Registry: reg, State: OpenLocalState}.Run(context.Background(), testJob(dir))
	if err == nil || !strings.Contains(err.Error(), "retry budget spent") {
		t.Fatalf("err = %v", err)
	}
	backend, _ := OpenLocalState(context.Background(), filepath.Join(dir, "out", "_state"))
	st, _ := state.New(backend).Load(context.Background(), "nightly")
	if sink.n != 2 || st.Cursors["0.fake.until"] != "xx" {
		t.Fatalf("%d checkpoints, cursors %v: want 2 and the second window's cursor", sink.n, st.Cursors)
	}
}
