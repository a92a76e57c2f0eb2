package lake

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
)

// FileKey names the files of one table, partition and input: each is
// written into files of its own, rolled at the file bounds.
type FileKey struct {
	Table string
	Part  string // the partition's folder name (dt=2024-05-01), "" for none
	Input string // the input key
}

// Finished is a data file written out: its footer is written and its
// object closed (staged, not yet committed).
type Finished struct {
	Object ObjectWriter
	Rows   int64
	Bytes  int64
}

// Files writes batches into Parquet files split by the rows' own date, a
// set of files per table, partition and input, within the Options' bounds:
// the files open at once (MaxOpenFiles), the memory their buffers hold
// (WriteMemory: the least recently used file is finished past it), the rows
// and bytes of a row group and of a file. The lake sink and the Iceberg
// sink write their data files with it. Its methods are called from one
// goroutine. A file finished to make room (or at its size bound) is
// closed in the background while the next rows are encoded, one at a
// time: done may run on that goroutine, never twice at once, and every
// method that finishes files waits for it first.
type Files struct {
	opts  Options
	mem   memory.Allocator
	open  map[FileKey]*fileWriter
	seq   map[FileKey]int
	plain map[string]map[string]bool // by table: string columns written without a dictionary
	tick  int64
	// create opens the object of the seq-th file of k (from 0).
	create func(ctx context.Context, t pipeline.Table, k FileKey, seq int) (ObjectWriter, error)
	// done takes each file once it is finished.
	done func(k FileKey, f Finished) error
	// closing is the file being finished in the background (nil: none):
	// its footer and last pages are written while the next rows are
	// encoded. Its error is closingErr once closing is done.
	closing    chan struct{}
	closingErr error
}

// NewFiles makes a file set; opts are validated and defaulted (see
// NewSink). create opens each new file's object; done receives each file
// once finished, and an error from it fails the next call (the write
// after a background finish, or the FinishTable, FinishAll or Discard
// that waits for it).
func NewFiles(opts Options, mem memory.Allocator, create func(ctx context.Context, t pipeline.Table, k FileKey, seq int) (ObjectWriter, error),
	done func(k FileKey, f Finished) error) *Files {
	return &Files{opts: opts, mem: mem, create: create, done: done,
		open: map[FileKey]*fileWriter{}, seq: map[FileKey]int{}, plain: map[string]map[string]bool{}}
}

// Write adds a batch of table t from the input to the files of its rows'
// partitions at granularity g (None: one set of files). rec's schema is t's.
func (s *Files) Write(ctx context.Context, t pipeline.Table, g Granularity, input string, rec arrow.RecordBatch) error {
	perRow := arrowBytes(rec) / max(rec.NumRows(), 1)
	if _, ok := s.plain[t.Name]; !ok {
		s.plain[t.Name] = plainStrings(rec) // decided once per table, on its first batch
	}
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
		err := s.writePart(ctx, t, FileKey{t.Name, r.part, input}, slice, perRow)
		slice.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// writeGrouped gathers the rows of each partition with one Take when the
// batch is not grouped by date, instead of writing many tiny slices.
func (s *Files) writeGrouped(ctx context.Context, t pipeline.Table, input string, rec arrow.RecordBatch, runs []run, perRow int64) error {
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
		err = s.writePart(ctx, t, FileKey{t.Name, part, input}, sub, perRow)
		out.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// writePart writes rows of one partition, about perRow Arrow bytes each,
// rolling files at the file bounds.
func (s *Files) writePart(ctx context.Context, t pipeline.Table, k FileKey, rec arrow.RecordBatch, perRow int64) error {
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
			if err := s.finishLater(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// writer returns the open file for k, opening the next one if needed and
// finishing the least recently used file past MaxOpenFiles.
func (s *Files) writer(ctx context.Context, t pipeline.Table, k FileKey) (*fileWriter, error) {
	s.tick++
	if fw, ok := s.open[k]; ok {
		fw.used = s.tick
		return fw, nil
	}
	if len(s.open) >= s.opts.MaxOpenFiles {
		var oldest FileKey
		first := true
		for ok, fw := range s.open {
			if first || fw.used < s.open[oldest].used {
				oldest, first = ok, false
			}
		}
		if err := s.finishLater(oldest); err != nil {
			return nil, err
		}
	}
	seq := s.seq[k]
	s.seq[k] = seq + 1
	ow, err := s.create(ctx, t, k, seq)
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
func (s *Files) fitMemory(keep FileKey) error {
	for len(s.open) > 1 {
		var total int64
		var oldest FileKey
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
		if err := s.finishLater(oldest); err != nil {
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

// finish closes the open file of k and hands it to done.
func (s *Files) finish(k FileKey) error {
	if err := s.wait(); err != nil {
		return err
	}
	fw := s.open[k]
	delete(s.open, k)
	return s.close(k, fw)
}

// finishLater is finish in the background: the file is out of the open
// set at once, and closed while the caller goes on. One file is finished
// at a time, so the memory it holds is bounded as it was open, and done
// is never called twice at once.
func (s *Files) finishLater(k FileKey) error {
	if err := s.wait(); err != nil {
		return err
	}
	fw := s.open[k]
	delete(s.open, k)
	done := make(chan struct{})
	s.closing = done
	go func() {
		defer close(done)
		s.closingErr = s.close(k, fw)
	}()
	return nil
}

// wait waits for the file being finished in the background and returns
// its error.
func (s *Files) wait() error {
	if s.closing == nil {
		return nil
	}
	<-s.closing
	s.closing = nil
	err := s.closingErr
	s.closingErr = nil
	return err
}

func (s *Files) close(k FileKey, fw *fileWriter) error {
	if err := fw.close(); err != nil {
		fw.ow.Abort(context.Background())
		return fmt.Errorf("finish %s: %w", fw.ow.Key(), err)
	}
	return s.done(k, Finished{Object: fw.ow, Rows: fw.rows, Bytes: fw.cw.n})
}

// FinishTable finishes the open files of one table.
func (s *Files) FinishTable(table string) error {
	errs := []error{s.wait()}
	for _, k := range s.keys() {
		if k.Table == table {
			errs = append(errs, s.finish(k))
		}
	}
	return errors.Join(errs...)
}

// FinishAll finishes every open file in a stable order.
func (s *Files) FinishAll() error {
	errs := []error{s.wait()}
	for _, k := range s.keys() {
		if err := s.finish(k); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// keys lists the open files' keys by table, partition and input.
func (s *Files) keys() []FileKey {
	keys := make([]FileKey, 0, len(s.open))
	for k := range s.open {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.Table != b.Table {
			return a.Table < b.Table
		}
		if a.Part != b.Part {
			return a.Part < b.Part
		}
		return a.Input < b.Input
	})
	return keys
}

// Discard drops the open files without finishing them.
func (s *Files) Discard(ctx context.Context) error {
	errs := []error{s.wait()}
	for k, fw := range s.open {
		fw.discard()
		errs = append(errs, fw.ow.Abort(ctx))
		delete(s.open, k)
	}
	return errors.Join(errs...)
}
