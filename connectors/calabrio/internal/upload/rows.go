package upload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/internal/csvin"
	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/connectors/internal/tabular"
	"github.com/ccetl/ccetl/pipeline"
)

// RowFunc stages one record into b. It returns the input bytes the row
// holds beyond its record (a text body read from another file), or an
// error: a *tabular.FieldError rejects the row naming the column, an error
// made by Fatal fails the run, and any other error rejects the row.
type RowFunc func(ctx context.Context, rec []byte, b *rowbuild.Builder) (int, error)

// CSVRowFunc is RowFunc for a CSV record's fields.
type CSVRowFunc func(ctx context.Context, fields [][]byte, b *rowbuild.Builder) (int, error)

// Decoder is how a kind reads its metadata files into its table.
type Decoder struct {
	Table pipeline.Table
	// CSV chooses the row function of a CSV file from its header; an error
	// fails the file (and the run), naming the problem.
	CSV func(f inputs.File, header [][]byte) (CSVRowFunc, error)
	// JSON returns the row function of a JSON file's records.
	JSON func(f inputs.File) RowFunc
}

type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

// Fatal marks an error of a row function that must fail the run (an input
// or output failure, not a bad row).
func Fatal(err error) error { return &fatalError{err} }

// Rows reads every metadata file of an upload into the decoder's table.
type Rows struct {
	u     *Upload
	dec   Decoder
	bt    *rowbuild.Batcher
	bytes *atomic.Int64
	next  int
	cur   *fileState
	queue []pipeline.Batch
}

type fileState struct {
	file    inputs.File
	rc      io.ReadCloser
	cnt     *countReader
	csv     *csvin.Reader
	width   int
	csvRow  CSVRowFunc
	js      *jsonStream
	jsRow   RowFunc
	counted int64
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// NewRows makes the reader of u's metadata files. bytes, if not nil,
// receives the input bytes read (progress).
func NewRows(u *Upload, dec Decoder, policy pipeline.BatchPolicy, mem memory.Allocator, bytes *atomic.Int64) *Rows {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	return &Rows{u: u, dec: dec, bt: rowbuild.NewBatcher(mem, dec.Table, policy), bytes: bytes}
}

// Next returns the next batch, or pipeline.ErrEndOfInput after the last
// metadata file.
func (r *Rows) Next(ctx context.Context) (pipeline.Batch, error) {
	for {
		if len(r.queue) > 0 {
			b := r.queue[0]
			r.queue = r.queue[1:]
			return b, nil
		}
		if err := ctx.Err(); err != nil {
			return pipeline.Batch{}, err
		}
		if r.cur == nil {
			if r.next >= len(r.u.Meta) {
				return pipeline.Batch{}, pipeline.ErrEndOfInput
			}
			f := r.u.Meta[r.next]
			r.next++
			if err := r.open(f); err != nil {
				return pipeline.Batch{}, fmt.Errorf("%s: %w", f.Name, err)
			}
			continue
		}
		if err := r.fill(ctx); err != nil {
			return pipeline.Batch{}, fmt.Errorf("%s: %w", r.cur.file.Name, err)
		}
	}
}

// Close releases what Rows holds (not the upload).
func (r *Rows) Close() {
	if r.cur != nil {
		r.cur.rc.Close()
		r.cur = nil
	}
	for i := range r.queue {
		r.queue[i].Release()
	}
	r.queue = nil
	r.bt.Release()
}

func (r *Rows) open(f inputs.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	st := &fileState{file: f, rc: rc, cnt: &countReader{r: rc}}
	if f.Ext() == "json" {
		if st.js, err = newJSONStream(f, st.cnt); err != nil {
			rc.Close()
			return err
		}
		st.jsRow = r.dec.JSON(f)
		r.cur = st
		return nil
	}
	// A small first buffer: uploads hold many small files; csvin grows it
	// for longer records.
	st.csv = csvin.NewReader(st.cnt, csvin.Options{BufferSize: 64 << 10})
	hdr, err := st.csv.Next()
	if err == io.EOF {
		err = errors.New("empty file, a header row is required")
	}
	if err == nil {
		st.width = len(hdr.Fields)
		st.csvRow, err = r.dec.CSV(f, hdr.Fields)
	} else if _, ok := err.(*csvin.RecordError); ok {
		err = fmt.Errorf("header: %w", err)
	}
	if err != nil {
		rc.Close()
		return err
	}
	r.cur = st
	return nil
}

// fill reads records of the current file until a batch is cut or the file
// ends.
func (r *Rows) fill(ctx context.Context) error {
	c, bt := r.cur, r.bt
	eof := false
	for !eof && !bt.Full() {
		var (
			raw    []byte
			line   int64
			record int64 = -1
			extra  int
			err    error
		)
		if c.js != nil {
			raw, record, err = c.js.next()
			if err == io.EOF {
				eof = true
				continue
			}
			if err != nil {
				return err
			}
			if i := InvalidUTF8(raw); i >= 0 {
				r.reject(pipeline.RowError{Record: record, Err: fmt.Errorf("invalid UTF-8 at byte %d of the record", i+1)}, raw)
				continue
			}
			if first(raw) != '{' {
				r.reject(pipeline.RowError{Record: record, Err: ErrNotObject}, raw)
				continue
			}
			extra, err = c.jsRow(ctx, raw, bt.B)
		} else {
			rec, rerr := c.csv.Next()
			if rerr == io.EOF {
				eof = true
				continue
			}
			raw, line = rec.Raw, rec.Line
			if rerr != nil {
				// Only for an error: errors.As moves re to the heap.
				var re *csvin.RecordError
				if errors.As(rerr, &re) {
					r.reject(pipeline.RowError{Line: re.Line, Err: fmt.Errorf("%v (line %d, byte %d)", re.Kind, re.ErrLine, re.Column)}, re.Raw)
					continue
				}
				return rerr
			}
			if len(rec.Fields) != c.width {
				r.reject(pipeline.RowError{Line: line, Err: fmt.Errorf("row has %d columns, the header has %d", len(rec.Fields), c.width)}, raw)
				continue
			}
			extra, err = c.csvRow(ctx, rec.Fields, bt.B)
		}
		if err != nil {
			var fe *fatalError
			if errors.As(err, &fe) {
				bt.B.Discard()
				r.u.settle(false)
				return fe.err
			}
			re := pipeline.RowError{Line: line, Record: record, Err: err}
			var col *tabular.FieldError
			if errors.As(err, &col) {
				re.Column, re.Err = col.Column, col.Err
			}
			r.reject(re, raw)
			continue
		}
		r.u.settle(true)
		bt.Commit(len(raw) + 1 + extra)
	}
	r.progress()
	if eof {
		c.rc.Close()
		r.cur = nil
	}
	if bt.Pending() {
		r.queue = append(r.queue, bt.Flush(c.file.Input))
	}
	return nil
}

func (r *Rows) reject(e pipeline.RowError, raw []byte) {
	e.Source = r.cur.file.Name
	if e.Line > 0 {
		e.Record = -1
	}
	r.u.settle(false)
	r.bt.Reject(pipeline.Reject{RowError: e, Raw: string(raw)})
}

func (r *Rows) progress() {
	if r.bytes != nil {
		r.bytes.Add(r.cur.cnt.n - r.cur.counted)
	}
	r.cur.counted = r.cur.cnt.n
}

// InvalidUTF8 returns the offset of the first invalid UTF-8 byte, or -1.
func InvalidUTF8(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		c, n := utf8.DecodeRune(b[i:])
		if c == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}
