package lake

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
)

// Sink writes batches as Parquet files into a Store, laid out as
//
//	<table>/<partition>/part-<input key>-<seq>.parquet
//	_manifests/<table>/<run key>.json
//	_rejects/<table>/<run key>.jsonl
//
// File names derive from the input, so rerunning the same input replaces the
// earlier files; files of the same input that the rerun no longer produces
// are deleted after the new manifest is committed. Nothing is visible before
// Close.
type Sink struct {
	store  Store
	opts   Options
	runKey string
	tables map[string]pipeline.Table
	mem    memory.Allocator
	// objs bounds the staged objects (an S3 upload's parts): a file is
	// created in one Write and finished in a later one or at Close, so no
	// one call's context may end it. It ends when a Write, Reject or
	// commit is cancelled, at Abort, and once the sink is closed.
	objs     context.Context
	stopObjs context.CancelFunc

	mu      sync.Mutex // guards staged and media (PutFile runs on the source's goroutine)
	staged  []staged
	media   map[string]pipeline.FileRef
	files   *Files
	rejects map[string]*rejectWriter
	closing bool // Close has begun: no more files may be put
	done    bool // committed or aborted

	// what checkpoints and Close committed so far
	result     pipeline.CommitResult
	committed  map[string]bool
	rejectSegs map[string]int
	// the manifests under this run key before the run's first commit, by
	// table (nil until read)
	earlier map[string]*Manifest
}

type staged struct {
	ow    ObjectWriter
	table string
	file  pipeline.FileCommit
}

// NewSink makes a sink for the given tables. runKey names the run's
// manifests, rejects and media folder (see pipeline.RunKey): the same key on a
// rerun replaces them.
func NewSink(store Store, tables []pipeline.Table, runKey string, opts Options) (*Sink, error) {
	if runKey == "" {
		return nil, errors.New("lake sink: empty run key")
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if opts.ZstdLevel == 0 {
		opts.ZstdLevel = 3
	}
	if opts.WriteMemory == 0 {
		opts.WriteMemory = DefaultWriteMemory
	}
	if opts.PageBytes == 0 {
		opts.PageBytes = DefaultPageBytes
	}
	mem := opts.Allocator
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	s := &Sink{store: store, opts: opts, runKey: runKey, mem: mem, tables: map[string]pipeline.Table{},
		rejects: map[string]*rejectWriter{},
		media:   map[string]pipeline.FileRef{}, committed: map[string]bool{}, rejectSegs: map[string]int{},
		result: pipeline.CommitResult{Tables: map[string]pipeline.TableCommit{}}}
	for _, t := range tables {
		s.tables[t.Name] = t
	}
	s.objs, s.stopObjs = context.WithCancel(context.Background())
	s.files = NewFiles(opts, mem, s.create, s.stage)
	return s, nil
}

// bound ends the staged objects' context if ctx ends before the returned
// function is called: a call cancelled (a failed run, a signal) stops the
// uploads it waits on. A call that returns leaves them to the next.
func (s *Sink) bound(ctx context.Context) func() bool {
	return context.AfterFunc(ctx, s.stopObjs)
}

func (s *Sink) granularity(t pipeline.Table) Granularity {
	if t.PartitionBy == "" {
		return None
	}
	if g, ok := s.opts.Partition[t.Name]; ok {
		return g
	}
	if g, ok := s.opts.Partition["*"]; ok {
		return g
	}
	if g, err := ParseGranularity(t.Grain); err == nil {
		return g
	}
	return Day
}

// CopiesBatches marks the sink as a pipeline.CopyingSink: Write encodes
// the batch into Parquet pages and keeps nothing of its memory.
func (s *Sink) CopiesBatches() {}

// Write stages the batch's rows.
func (s *Sink) Write(ctx context.Context, b pipeline.Batch) error {
	t, ok := s.tables[b.Table]
	if !ok {
		return fmt.Errorf("unknown table %q", b.Table)
	}
	if !b.Rec.Schema().Equal(t.Schema) {
		return fmt.Errorf("table %s: batch schema does not match the table schema", b.Table)
	}
	defer s.bound(ctx)()
	return s.files.Write(ctx, t, s.granularity(t), b.OutputKey(), b.Rec)
}

// create opens the staged object of a data file, under the sink's objects'
// context (see objs).
func (s *Sink) create(_ context.Context, t pipeline.Table, k FileKey, seq int) (ObjectWriter, error) {
	key := t.Name + "/"
	if k.Part != "" {
		key += k.Part + "/"
	}
	return s.store.Create(s.objs, key+fmt.Sprintf("part-%s-%05d.parquet", k.Input, seq))
}

// stage keeps a finished data file for commit.
func (s *Sink) stage(k FileKey, f Finished) error {
	s.mu.Lock()
	s.staged = append(s.staged, staged{ow: f.Object, table: k.Table,
		file: pipeline.FileCommit{Path: f.Object.Key(), Partition: k.Part, Rows: f.Rows, Bytes: f.Bytes}})
	s.mu.Unlock()
	return nil
}

// Abort discards everything staged.
func (s *Sink) Abort(ctx context.Context) error {
	s.stopObjs() // uploads under way stop; the aborts below do not need them
	// first, outside the lock: a file being finished in the background is
	// staged (under the lock) before the open ones are dropped
	discarded := s.files.Discard(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return nil
	}
	s.done = true
	errs := []error{discarded}
	for _, st := range s.staged {
		errs = append(errs, st.ow.Abort(ctx))
	}
	for _, rw := range s.rejects {
		errs = append(errs, rw.ow.Abort(ctx))
	}
	s.staged, s.rejects = nil, map[string]*rejectWriter{}
	return errors.Join(errs...)
}
