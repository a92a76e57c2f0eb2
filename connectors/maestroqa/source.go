package maestroqa

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/pipeline"
)

// source reads saved export files in order with one Decoder, so duplicates
// are merged across the files of a run. With latest it first prescans every
// file.
type source struct {
	cfg    pipeline.SourceConfig
	set    *inputs.Set
	files  []inputs.File
	latest bool
	d      *Decoder

	planned bool
	next    int
	rc      io.ReadCloser
	cur     *stream
	queue   []pipeline.Batch
}

func (s *source) Tables() []pipeline.Table { return Tables }

// Inputs describes the inputs read.
func (s *source) Inputs() []pipeline.InputInfo { return s.set.Inputs() }

// Report returns the de-duplication counts.
func (s *source) Report() map[string]any { return s.d.Report() }

func (s *source) Next(ctx context.Context) (pipeline.Batch, error) {
	if s.latest && !s.planned {
		if err := s.prescan(ctx); err != nil {
			return pipeline.Batch{}, err
		}
		s.planned = true
	}
	for len(s.queue) == 0 {
		if err := ctx.Err(); err != nil {
			return pipeline.Batch{}, err
		}
		if s.cur == nil {
			if s.next >= len(s.files) {
				return pipeline.Batch{}, pipeline.ErrEndOfInput
			}
			f := s.files[s.next]
			s.next++
			rc, err := f.Open()
			if err != nil {
				return pipeline.Batch{}, fmt.Errorf("open %s: %w", f.Name, err)
			}
			s.rc = rc
			r := io.Reader(rc)
			if c := s.cfg.BytesCounter(); c != nil {
				r = &counting{r: rc, n: c}
			}
			if s.cur, err = s.d.open(r, f.Name, f.Input, false); err != nil {
				return pipeline.Batch{}, err
			}
			continue
		}
		if err := s.d.step(s.cur, s.enqueue); err != nil {
			return pipeline.Batch{}, err
		}
		if s.cur.done {
			s.cur = nil
			s.rc.Close()
			s.rc = nil
		}
	}
	b := s.queue[0]
	s.queue = s.queue[1:]
	return b, nil
}

func (s *source) enqueue(b pipeline.Batch) error {
	s.queue = append(s.queue, b)
	return nil
}

// prescan reads every file once to choose the latest copy of each _id.
func (s *source) prescan(ctx context.Context) error {
	for _, f := range s.files {
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("open %s: %w", f.Name, err)
		}
		err = s.d.Prescan(ctx, rc, f.Name)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *source) Close() error {
	if s.rc != nil {
		s.rc.Close()
		s.rc = nil
	}
	for i := range s.queue {
		s.queue[i].Release()
	}
	s.queue = nil
	s.d.Release()
	return s.set.Close()
}

// counting adds the bytes read to the run's progress counter.
type counting struct {
	r io.Reader
	n *atomic.Int64
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
