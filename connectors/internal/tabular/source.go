package tabular

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/internal/csvin"
	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/pipeline"
)

// FieldError is what a row function returns for a bad value.
type FieldError struct {
	Column string
	Err    error
}

func (e *FieldError) Error() string { return e.Column + ": " + e.Err.Error() }

// Errf makes a FieldError.
func Errf(column string, err error) *FieldError { return &FieldError{Column: column, Err: err} }

// Layout is how a kind reads one file: the table its rows go to and the row
// function. Row stages the values of fields into b and returns a
// *FieldError (or nil); it must not keep fields.
type Layout struct {
	Table pipeline.Table
	Row   func(fields [][]byte, b *rowbuild.Builder) error
}

// Open chooses a layout for a file from its header. An error fails the file
// (and the run), naming the problem.
type Open func(file inputs.File, header [][]byte) (Layout, error)

// Config is what a CSV source needs.
type Config struct {
	Files     *inputs.Set
	Tables    []pipeline.Table
	Accept    func(inputs.File) bool // which files of the set are CSV for this kind
	Open      Open
	Policy    pipeline.BatchPolicy
	Mem       memory.Allocator
	BytesRead *atomic.Int64 // progress, may be nil
}

// Source reads every accepted file of a set with its layout.
type Source struct {
	cfg   Config
	files []inputs.File
	next  int

	cur      *fileState
	batchers map[string]*rowbuild.Batcher
	queue    []pipeline.Batch
	started  bool
	recycler *rowbuild.Recycler // nil unless batches are reusable
}

type fileState struct {
	file   inputs.File
	rc     io.ReadCloser
	r      *csvin.Reader
	layout Layout
	width  int
	last   int64
}

// NewSource makes a CSV source.
func NewSource(cfg Config) (*Source, error) {
	if cfg.Mem == nil {
		cfg.Mem = memory.DefaultAllocator
	}
	s := &Source{cfg: cfg, batchers: map[string]*rowbuild.Batcher{}}
	for _, f := range cfg.Files.Files {
		if cfg.Accept(f) {
			s.files = append(s.files, f)
		}
	}
	if len(s.files) == 0 && cfg.Files.Skipped == 0 {
		return nil, errors.New("no input file of this kind (check the extensions)")
	}
	return s, nil
}

// Tables lists the kind's tables.
func (s *Source) Tables() []pipeline.Table { return s.cfg.Tables }

// Inputs describes the inputs read.
func (s *Source) Inputs() []pipeline.InputInfo { return s.cfg.Files.Inputs() }

// Close releases everything.
func (s *Source) Close() error {
	if s.cur != nil {
		s.cur.rc.Close()
		s.cur = nil
	}
	for _, q := range s.queue {
		q.Release()
	}
	s.queue = nil
	for _, b := range s.batchers {
		b.Release()
	}
	if s.recycler != nil {
		s.recycler.Close()
	}
	return s.cfg.Files.Close()
}

// Next returns the next batch. When the run reads batches only until it
// releases them (pipeline.BatchesReusable), the source builds its batches
// in the memory of released ones.
func (s *Source) Next(ctx context.Context) (pipeline.Batch, error) {
	if !s.started {
		s.started = true
		s.cfg.Mem, s.recycler = rowbuild.ForRun(ctx, s.cfg.Mem)
	}
	for {
		if len(s.queue) > 0 {
			b := s.queue[0]
			s.queue = s.queue[1:]
			return b, nil
		}
		if err := ctx.Err(); err != nil {
			return pipeline.Batch{}, err
		}
		if s.cur == nil {
			if s.next >= len(s.files) {
				return pipeline.Batch{}, pipeline.ErrEndOfInput
			}
			f := s.files[s.next]
			s.next++
			if err := s.openFile(f); err != nil {
				return pipeline.Batch{}, err
			}
			continue
		}
		if err := s.fill(); err != nil {
			return pipeline.Batch{}, err
		}
	}
}

func (s *Source) openFile(f inputs.File) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("open %s: %w", f.Name, err)
	}
	r := csvin.NewReader(rc, csvin.Options{})
	hdr, err := r.Next()
	if err == io.EOF {
		rc.Close()
		return fmt.Errorf("%s: empty file, a header row is required", f.Name)
	}
	if err != nil {
		rc.Close()
		return fmt.Errorf("%s: header: %w", f.Name, err)
	}
	layout, err := s.cfg.Open(f, hdr.Fields)
	if err != nil {
		rc.Close()
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	s.cur = &fileState{file: f, rc: rc, r: r, layout: layout, width: len(hdr.Fields)}
	if _, ok := s.batchers[layout.Table.Name]; !ok {
		s.batchers[layout.Table.Name] = rowbuild.NewBatcher(s.cfg.Mem, layout.Table, s.cfg.Policy)
	}
	return nil
}

// fill reads rows of the current file until a batch is cut or the file ends.
func (s *Source) fill() error {
	c := s.cur
	bt := s.batchers[c.layout.Table.Name]
	for !bt.Full() {
		rec, err := c.r.Next()
		if err == io.EOF {
			s.progress()
			c.rc.Close()
			s.cur = nil
			if bt.Pending() {
				s.queue = append(s.queue, bt.Flush(c.file.Input))
			}
			return nil
		}
		if err != nil {
			var re *csvin.RecordError
			if errors.As(err, &re) {
				bt.Reject(reject(c.file, re.Line, "", fmt.Errorf("%v (line %d, byte %d)", re.Kind, re.ErrLine, re.Column), re.Raw))
				continue
			}
			return fmt.Errorf("read %s: %w", c.file.Name, err)
		}
		if len(rec.Fields) != c.width {
			bt.Reject(reject(c.file, rec.Line, "", fmt.Errorf("row has %d columns, the header has %d", len(rec.Fields), c.width), rec.Raw))
			continue
		}
		if err := c.layout.Row(rec.Fields, bt.B); err != nil {
			col := ""
			var fe *FieldError
			if errors.As(err, &fe) {
				col, err = fe.Column, fe.Err
			}
			bt.Reject(reject(c.file, rec.Line, col, err, rec.Raw))
			continue
		}
		bt.Commit(len(rec.Raw) + 1)
	}
	s.progress()
	s.queue = append(s.queue, bt.Flush(c.file.Input))
	return nil
}

func (s *Source) progress() {
	if s.cfg.BytesRead == nil || s.cur == nil {
		return
	}
	n := s.cur.r.BytesRead()
	s.cfg.BytesRead.Add(n - s.cur.last)
	s.cur.last = n
}

func reject(f inputs.File, line int64, col string, err error, raw []byte) pipeline.Reject {
	return pipeline.Reject{RowError: pipeline.RowError{Source: f.Name, Line: line, Record: -1, Column: col, Err: err}, Raw: string(raw)}
}
