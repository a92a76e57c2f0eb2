package iceberg

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	icebergio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
	"github.com/google/uuid"

	"github.com/ccetl/ccetl/connectors/internal/lake"
	"github.com/ccetl/ccetl/pipeline"
)

// Sink writes every ccetl table into an Iceberg table of a catalog. Data
// files are written as batches arrive; they become visible only when a
// commit (Checkpoint or Close) moves the table to a snapshot that lists
// them, one catalog commit per table.
type Sink struct {
	cat    lakeCatalog
	opts   Options
	runKey string
	step   string // SinkConfig.Step
	// location and ioProps reach the warehouse for PutFile.
	location string
	ioProps  map[string]string
	tables   map[string]*tableState
	data     *lake.Files     // the data files being written, all tables'
	ctx      context.Context // the writers' context: canceled by Abort
	cancel   context.CancelFunc
	done     bool

	result    pipeline.CommitResult
	committed map[string]bool // data files this run committed
	// table + "/" + input key: inputs this run committed files for. Every
	// file of such an input is then the run's own, even one a compaction
	// made of the run's files.
	committedInputs map[string]bool
	commits         int
}

// tableState is what the sink holds for one table between commits.
type tableState struct {
	t      pipeline.Table
	tbl    *table.Table
	schema *arrow.Schema  // t.Schema with the Iceberg field ids
	file   pipeline.Table // t as its data files hold it: schema with the field ids
	grain  lake.Granularity
	wfs    icebergio.WriteFileIO // the table's file IO, once opened
	mode   Mode
	key    []string
	order  string             // merge: the order column, "" for none
	files  []iceberg.DataFile // finished and not yet committed
	// merge: earlier rows rewritten without the keys written again
	rewritten []iceberg.DataFile
	inputs    map[string]bool // input keys written since the last commit
	keys      *keySet         // merge: keys written since the last commit
	received  int64           // rows written since the last commit
	rej       *rejects
}

// NewSink opens the tables of a run in cat, creating or evolving them. The
// sink owns cat and closes it when done.
func NewSink(ctx context.Context, cat lakeCatalog, tables []pipeline.Table, runKey string, opts Options) (*Sink, error) {
	if runKey == "" {
		return nil, errors.New("iceberg sink: empty run key")
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Sink{cat: cat, opts: opts, runKey: runKey, tables: map[string]*tableState{}, ctx: wctx, cancel: cancel,
		committed: map[string]bool{}, committedInputs: map[string]bool{}, result: pipeline.CommitResult{Tables: map[string]pipeline.TableCommit{}}}
	s.data = lake.NewFiles(dataOptions(opts), memory.DefaultAllocator, s.createData, s.dataDone)
	var errs []error
	for _, t := range tables {
		ts, err := s.openTable(ctx, t)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.tables[t.Name] = ts
	}
	if err := errors.Join(errs...); err != nil {
		cancel()
		return nil, err
	}
	return s, nil
}

func (s *Sink) openTable(ctx context.Context, t pipeline.Table) (*tableState, error) {
	ts := &tableState{t: t, mode: s.opts.mode(t.Name), inputs: map[string]bool{}}
	if ts.mode == Merge {
		ts.key = s.opts.Keys[t.Name]
		if len(ts.key) == 0 {
			return nil, fmt.Errorf("table %s: merge needs the table's key (sink option key=%s=column)", t.Name, t.Name)
		}
		ts.order = s.opts.Orders[t.Name]
		ks, err := newKeySet(t, ts.key, ts.order)
		if err != nil {
			return nil, err
		}
		ts.keys = ks
	}
	tbl, err := ensureTable(ctx, s.cat, s.opts.Namespace, t)
	if err != nil {
		return nil, err
	}
	ts.tbl = tbl
	if ts.schema, err = fileSchema(tbl, t.Schema); err != nil {
		return nil, fmt.Errorf("table %s: %w", t.Name, err)
	}
	ts.file = pipeline.Table{Name: t.Name, Schema: ts.schema, PartitionBy: t.PartitionBy}
	if ts.grain, err = granularity(ts); err != nil {
		return nil, err
	}
	return ts, nil
}

// Write encodes the batch's rows into the data files of its input (or
// input group) and partitions.
func (s *Sink) Write(ctx context.Context, b pipeline.Batch) error {
	if s.done {
		return errors.New("iceberg sink already closed")
	}
	ts, ok := s.tables[b.Table]
	if !ok {
		return fmt.Errorf("unknown table %q", b.Table)
	}
	if !b.Rec.Schema().Equal(ts.t.Schema) {
		return fmt.Errorf("table %s: batch schema does not match the table schema", b.Table)
	}
	if ts.keys != nil {
		if err := ts.keys.add(b.Rec); err != nil {
			return fmt.Errorf("table %s: %w", b.Table, err)
		}
	}
	in := b.OutputKey()
	ts.inputs[in] = true
	ts.received += b.Rec.NumRows()
	rec := array.NewRecordBatch(ts.schema, b.Rec.Columns(), b.Rec.NumRows())
	defer rec.Release()
	return s.data.Write(ctx, ts.file, ts.grain, in, rec)
}

// CopiesBatches marks the sink as a pipeline.CopyingSink: Write encodes
// the batch into Parquet pages and keeps nothing of its memory (a merge's
// keys are copies).
func (s *Sink) CopiesBatches() {}

// Reject keeps rejected rows for the table's next commit.
func (s *Sink) Reject(_ context.Context, table string, rows []pipeline.Reject) error {
	ts, ok := s.tables[table]
	if !ok {
		return fmt.Errorf("unknown table %q", table)
	}
	if ts.rej == nil {
		ts.rej = &rejects{}
	}
	return ts.rej.add(table, rows)
}

// Abort stops the writers and deletes every data file not committed. It is
// safe to call more than once.
func (s *Sink) Abort(ctx context.Context) error {
	if s.done {
		return nil
	}
	s.done = true
	errs := []error{s.data.Discard(ctx)} // waits for a file being finished
	s.cancel()
	for _, ts := range s.tables {
		errs = append(errs, removeFiles(ctx, ts.tbl, ts.files))
		ts.files = nil
	}
	errs = append(errs, s.cat.Close())
	return errors.Join(errs...)
}

// inputWriter streams rows of one table into data files with iceberg-go's
// writer, for the files compaction and merge rewrite.
type inputWriter struct {
	recs  chan arrow.RecordBatch
	done  chan struct{}
	files []iceberg.DataFile
	err   error
}

// startWriter starts writing data files named after the input: the first
// 16 hex digits of their write id are the input key, so a later run finds
// the files an input wrote.
func startWriter(ctx context.Context, tbl *table.Table, sc *arrow.Schema, inputKey string, fileBytes int64) *inputWriter {
	w := &inputWriter{recs: make(chan arrow.RecordBatch), done: make(chan struct{})}
	id := writeID(inputKey)
	seq := func(yield func(arrow.RecordBatch, error) bool) {
		for r := range w.recs {
			if !yield(r, nil) {
				return
			}
		}
	}
	go func() {
		defer close(w.done)
		for df, err := range table.WriteRecords(ctx, tbl, sc, seq, table.WithWriteUUID(id), table.WithTargetFileSize(fileBytes)) {
			if err != nil {
				w.err = err
				return
			}
			w.files = append(w.files, df)
		}
	}()
	return w
}

// send hands rec to the writer, which releases it.
func (w *inputWriter) send(ctx context.Context, rec arrow.RecordBatch) error {
	select {
	case w.recs <- rec:
		return nil
	case <-w.done:
		rec.Release()
		if w.err != nil {
			return w.err
		}
		return errors.New("iceberg writer stopped")
	case <-ctx.Done():
		rec.Release()
		return ctx.Err()
	}
}

// close ends the input and returns the files written.
func (w *inputWriter) close() ([]iceberg.DataFile, error) {
	close(w.recs)
	<-w.done
	return w.files, w.err
}

// writeID is a write id whose first 8 bytes are the input key and the rest
// random, so every run writes new file names.
func writeID(inputKey string) uuid.UUID {
	var id uuid.UUID
	k, _ := hex.DecodeString(inputKey)
	copy(id[:8], k)
	rand.Read(id[8:])
	return id
}

// inputOf returns the input key a data file was written for, "" for a file
// this sink did not name.
func inputOf(path string) string {
	base := path
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			base = path[i+1:]
			break
		}
	}
	// {partition:05d}-{task}-{uuid}-{count:05d}.parquet
	var part, task int
	var rest string
	if n, _ := fmt.Sscanf(base, "%05d-%d-%s", &part, &task, &rest); n != 3 || len(rest) < 18 {
		return ""
	}
	k := rest[0:8] + rest[9:13] + rest[14:18]
	if _, err := hex.DecodeString(k); err != nil {
		return ""
	}
	return k
}
