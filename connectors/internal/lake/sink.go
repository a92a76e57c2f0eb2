package lake

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
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

	mu      sync.Mutex // guards staged and media (PutFile runs on the source's goroutine)
	staged  []staged
	media   map[string]pipeline.FileRef
	open    map[writerKey]*fileWriter
	seq     map[writerKey]int
	plain   map[string]map[string]bool // by table: string columns written without a dictionary
	tick    int64
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

type writerKey struct{ table, part, input string }

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
	mem := opts.Allocator
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	s := &Sink{store: store, opts: opts, runKey: runKey, mem: mem, tables: map[string]pipeline.Table{},
		open: map[writerKey]*fileWriter{}, seq: map[writerKey]int{}, plain: map[string]map[string]bool{}, rejects: map[string]*rejectWriter{},
		media: map[string]pipeline.FileRef{}, committed: map[string]bool{}, rejectSegs: map[string]int{},
		result: pipeline.CommitResult{Tables: map[string]pipeline.TableCommit{}}}
	for _, t := range tables {
		s.tables[t.Name] = t
	}
	return s, nil
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
	rec := b.Rec
	if !rec.Schema().Equal(t.Schema) {
		return fmt.Errorf("table %s: batch schema does not match the table schema", b.Table)
	}
	input := pipeline.InputKey(b.Input)
	perRow := arrowBytes(rec) / max(rec.NumRows(), 1)
	if _, ok := s.plain[t.Name]; !ok {
		s.plain[t.Name] = plainStrings(rec) // decided once per table, on its first batch
	}
	g := s.granularity(t)
	var runs []run
	if g == None {
		runs = []run{{0, int(rec.NumRows()), ""}}
	} else {
		idx := t.Schema.FieldIndices(t.PartitionBy)
		if len(idx) != 1 {
			return fmt.Errorf("table %s: partition column %s not in schema", t.Name, t.PartitionBy)
		}
		var err error
		if runs, err = splitRuns(rec.Column(idx[0]), g); err != nil {
			return fmt.Errorf("table %s: %w", t.Name, err)
		}
	}
	if len(runs) > 32 {
		return s.writeGrouped(ctx, t, input, rec, runs, perRow)
	}
	for _, r := range runs {
		slice := rec.NewSlice(int64(r.start), int64(r.end))
		err := s.writePart(ctx, t, writerKey{t.Name, r.part, input}, slice, perRow)
		slice.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// writeGrouped gathers the rows of each partition with one Take when the
// batch is not grouped by date, instead of writing many tiny slices.
func (s *Sink) writeGrouped(ctx context.Context, t pipeline.Table, input string, rec arrow.RecordBatch, runs []run, perRow int64) error {
	var order []string
	rows := map[string][]int64{}
	for _, r := range runs {
		if _, ok := rows[r.part]; !ok {
			order = append(order, r.part)
		}
		for i := r.start; i < r.end; i++ {
			rows[r.part] = append(rows[r.part], int64(i))
		}
	}
	for _, part := range order {
		ib := array.NewInt64Builder(s.mem)
		ib.AppendValues(rows[part], nil)
		idx := ib.NewArray()
		ib.Release()
		out, err := compute.Take(ctx, *compute.DefaultTakeOptions(), compute.NewDatumWithoutOwning(rec), compute.NewDatumWithoutOwning(idx))
		idx.Release()
		if err != nil {
			return fmt.Errorf("table %s: group rows by partition: %w", t.Name, err)
		}
		sub := out.(*compute.RecordDatum).Value
		err = s.writePart(ctx, t, writerKey{t.Name, part, input}, sub, perRow)
		out.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// writePart writes rows of one partition, about perRow Arrow bytes each,
// rolling files at the file bounds.
func (s *Sink) writePart(ctx context.Context, t pipeline.Table, k writerKey, rec arrow.RecordBatch, perRow int64) error {
	for off := int64(0); off < rec.NumRows(); {
		fw, err := s.writer(ctx, t, k)
		if err != nil {
			return err
		}
		if err := s.fitMemory(k); err != nil {
			return err
		}
		n := min(rec.NumRows()-off, s.opts.FileRows-fw.rows)
		chunk := rec
		if off != 0 || n != rec.NumRows() {
			chunk = rec.NewSlice(off, off+n)
		}
		err = fw.write(chunk, n*perRow)
		if chunk != rec {
			chunk.Release()
		}
		if err != nil {
			return fmt.Errorf("table %s: %w", t.Name, err)
		}
		off += n
		if fw.rows >= s.opts.FileRows || fw.bytes() >= s.opts.FileBytes {
			if err := s.finish(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// writer returns the open file for k, opening the next one if needed and
// finishing the least recently used file past MaxOpenFiles.
func (s *Sink) writer(ctx context.Context, t pipeline.Table, k writerKey) (*fileWriter, error) {
	s.tick++
	if fw, ok := s.open[k]; ok {
		fw.used = s.tick
		return fw, nil
	}
	if len(s.open) >= s.opts.MaxOpenFiles {
		var oldest writerKey
		first := true
		for ok, fw := range s.open {
			if first || fw.used < s.open[oldest].used {
				oldest, first = ok, false
			}
		}
		if err := s.finish(oldest); err != nil {
			return nil, err
		}
	}
	seq := s.seq[k]
	s.seq[k] = seq + 1
	key := t.Name + "/"
	if k.part != "" {
		key += k.part + "/"
	}
	key += fmt.Sprintf("part-%s-%05d.parquet", k.input, seq)
	ow, err := s.store.Create(ctx, key)
	if err != nil {
		return nil, err
	}
	fw, err := newFileWriter(ow, t, s.opts, s.mem, s.plain[t.Name])
	if err != nil {
		ow.Abort(ctx)
		return nil, fmt.Errorf("table %s: %w", t.Name, err)
	}
	fw.used = s.tick
	s.open[k] = fw
	return fw, nil
}

// fitMemory finishes the least recently used open files, other than keep's,
// while the open files hold more than WriteMemory. Input in date order thus
// finishes each day's file once the next days' files need the memory.
func (s *Sink) fitMemory(keep writerKey) error {
	for len(s.open) > 1 {
		var total int64
		var oldest writerKey
		first := true
		for k, fw := range s.open {
			total += fw.mem()
			if k != keep && (first || fw.used < s.open[oldest].used) {
				oldest, first = k, false
			}
		}
		if total <= s.opts.WriteMemory {
			return nil
		}
		if err := s.finish(oldest); err != nil {
			return err
		}
	}
	return nil
}

// arrowBytes sums the lengths of a record's buffers.
func arrowBytes(rec arrow.RecordBatch) int64 {
	var n int64
	var add func(d arrow.ArrayData)
	add = func(d arrow.ArrayData) {
		for _, b := range d.Buffers() {
			if b != nil {
				n += int64(b.Len())
			}
		}
		for _, c := range d.Children() {
			add(c)
		}
	}
	for _, c := range rec.Columns() {
		add(c.Data())
	}
	return n
}

// finish closes the open file of k and stages it for commit.
func (s *Sink) finish(k writerKey) error {
	fw := s.open[k]
	delete(s.open, k)
	if err := fw.close(); err != nil {
		fw.ow.Abort(context.Background())
		return fmt.Errorf("finish %s: %w", fw.ow.Key(), err)
	}
	s.mu.Lock()
	s.staged = append(s.staged, staged{ow: fw.ow, table: k.table,
		file: pipeline.FileCommit{Path: fw.ow.Key(), Partition: k.part, Rows: fw.rows, Bytes: fw.cw.n}})
	s.mu.Unlock()
	return nil
}

// finishAll finishes every open file in a stable order.
func (s *Sink) finishAll() error {
	keys := make([]writerKey, 0, len(s.open))
	for k := range s.open {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.table != b.table {
			return a.table < b.table
		}
		if a.part != b.part {
			return a.part < b.part
		}
		return a.input < b.input
	})
	var errs []error
	for _, k := range keys {
		if err := s.finish(k); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Abort discards everything staged.
func (s *Sink) Abort(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return nil
	}
	s.done = true
	var errs []error
	for k, fw := range s.open {
		fw.discard()
		errs = append(errs, fw.ow.Abort(ctx))
		delete(s.open, k)
	}
	for _, st := range s.staged {
		errs = append(errs, st.ow.Abort(ctx))
	}
	for _, rw := range s.rejects {
		errs = append(errs, rw.ow.Abort(ctx))
	}
	s.staged, s.rejects = nil, map[string]*rejectWriter{}
	return errors.Join(errs...)
}
