package maestroqa

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/pipeline"
)

// Decoder turns MaestroQA coaching-export bodies (the JSON array the API
// returns, or a saved copy) into the six tables. One Decoder serves a whole
// run: its de-duplication state is shared by every body it decodes, so a
// point repeated under sessions of several bodies (export windows, files)
// is written once. It holds only the _ids it has seen, never rows: each
// body is read one session at a time.
//
// A Decoder is not safe for concurrent use. After a body fails (the JSON is
// broken) the Decoder refuses further work: rows of that body may already
// have been emitted, so the run must fail.
type Decoder struct {
	batchers [numTables]*rowbuild.Batcher
	sessions entity
	points   entity
	todos    entity
	st       stager
	prescans int
	failed   error
}

// NewDecoder makes a Decoder whose batches are cut by policy and allocated
// from mem (nil: the default allocator). Release it when done.
func NewDecoder(mem memory.Allocator, policy pipeline.BatchPolicy) *Decoder {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	d := &Decoder{sessions: newEntity(), points: newEntity(), todos: newEntity()}
	for i, t := range Tables {
		d.batchers[i] = rowbuild.NewBatcher(mem, t, policy)
	}
	return d
}

// Release frees the Decoder's builders, including rows not yet emitted.
func (d *Decoder) Release() {
	for _, b := range d.batchers {
		b.Release()
	}
}

// Report returns the de-duplication counts for the run report.
func (d *Decoder) Report() map[string]any {
	mode := "first valid copy (one pass)"
	if d.prescans > 0 {
		mode = "latest updatedAt (prescanned)"
	}
	return map[string]any{"maestroqa_duplicates": map[string]any{
		"kept":           mode,
		SessionTableName: d.sessions.report(),
		PointTableName:   d.points.report(),
		TodoTableName:    d.todos.report(),
	}}
}

// Decode reads one body and emits its rows as batches, source naming it in
// rejects and errors and in the batches' Input. emit owns every batch it is
// given (it releases it), also when it returns an error, which stops
// Decode. Every pending row of the body has been emitted when Decode
// returns nil.
func (d *Decoder) Decode(r io.Reader, source string, emit func(pipeline.Batch) error) error {
	return d.DecodeInput(r, source, source, emit)
}

// DecodeInput is Decode with a separate Input for the batches (output
// naming), for example the archive a file came from.
func (d *Decoder) DecodeInput(r io.Reader, source, input string, emit func(pipeline.Batch) error) error {
	s, err := d.open(r, source, input, false)
	if err != nil {
		return err
	}
	for !s.done {
		if err := d.step(s, emit); err != nil {
			return err
		}
	}
	return nil
}

// Prescan reads one body without emitting anything, remembering for every
// _id which copy has the latest updatedAt. Prescan every body of a run,
// then Decode the same bodies in the same order, to write the latest copy
// of each session, point and to-do instead of the first (the API connector
// can do this only if it keeps the bodies, for example in temporary files).
// It returns the errors Decode would return for a broken body, and stops
// when ctx is done.
func (d *Decoder) Prescan(ctx context.Context, r io.Reader, source string) error {
	s, err := d.open(r, source, source, true)
	if err != nil {
		return err
	}
	d.prescans++
	for !s.done {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.step(s, nil); err != nil {
			return err
		}
	}
	return nil
}

// stream is one body being read.
type stream struct {
	dec    *json.Decoder
	source string
	input  string
	bom    int64 // bytes of a skipped byte-order mark
	index  int64 // record index of the next session
	plan   bool
	done   bool
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func (d *Decoder) open(r io.Reader, source, input string, plan bool) (*stream, error) {
	if d.failed != nil {
		return nil, d.failed
	}
	br := bufio.NewReaderSize(r, 64<<10)
	s := &stream{source: source, input: input, plan: plan}
	if b, _ := br.Peek(3); bytes.Equal(b, utf8BOM) {
		br.Discard(3)
		s.bom = 3
	}
	s.dec = json.NewDecoder(br)
	tok, err := s.dec.Token()
	switch {
	case errors.Is(err, io.EOF):
		return nil, d.fail(s.errorf("empty input: want a JSON array of coaching sessions"))
	case err != nil:
		return nil, d.fail(s.syntax(err, "at the start"))
	case tok == json.Delim('['):
		return s, nil
	case tok == json.Delim('{'):
		return nil, d.fail(s.errorf("the input is a JSON object, not the array of coaching sessions the export returns (an API error response looks like {\"error\": ...})"))
	}
	return nil, d.fail(s.errorf("the input is a single JSON value, not the array of coaching sessions the export returns"))
}

// step reads one session (or the end of the array) and, when decoding,
// emits the batches that are full.
func (d *Decoder) step(s *stream, emit func(pipeline.Batch) error) error {
	if d.failed != nil {
		return d.failed
	}
	if !s.dec.More() {
		return d.finish(s, emit)
	}
	start := s.dec.InputOffset() + s.bom
	var raw json.RawMessage
	if err := s.dec.Decode(&raw); err != nil {
		return d.fail(s.syntax(err, fmt.Sprintf("in record %d (starting near byte %d)", s.index, start)))
	}
	d.session(s, raw)
	s.index++
	return d.flush(s, emit, false)
}

// finish reads the closing bracket, checks nothing follows it and emits
// every pending row of the body.
func (d *Decoder) finish(s *stream, emit func(pipeline.Batch) error) error {
	if _, err := s.dec.Token(); err != nil {
		where := "after the opening ["
		if s.index > 0 {
			where = fmt.Sprintf("after record %d", s.index-1)
		}
		return d.fail(s.syntax(err, where))
	}
	if tok, err := s.dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil || tok != nil {
			return d.fail(s.errorf("data after the closing ] of the array (near byte %d)", s.dec.InputOffset()+s.bom))
		}
		return d.fail(s.syntax(err, "after the closing ] of the array"))
	}
	s.done = true
	return d.flush(s, emit, true)
}

// flush emits the full batches, or at the end of the body every pending
// one (nothing while prescanning).
func (d *Decoder) flush(s *stream, emit func(pipeline.Batch) error, end bool) error {
	if s.plan {
		return nil
	}
	for _, b := range d.batchers {
		if b.Full() || end && b.Pending() {
			if err := emit(b.Flush(s.input)); err != nil {
				return d.fail(err)
			}
		}
	}
	return nil
}

// fail marks the Decoder unusable: the rows of a broken body it had not
// emitted are dropped.
func (d *Decoder) fail(err error) error {
	if d.failed == nil {
		d.failed = err
		for _, b := range d.batchers {
			if b.Pending() {
				bt := b.Flush("")
				bt.Release()
			}
		}
	}
	return err
}

func (s *stream) errorf(format string, args ...any) error {
	return fmt.Errorf("maestroqa export %s: "+format, append([]any{s.source}, args...)...)
}

// syntax describes a broken body without quoting any of its bytes.
func (s *stream) syntax(err error, where string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return s.errorf("unexpected end of input %s: the JSON array is cut short", where)
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return s.errorf("read %s: %w", where, err)
	}
	return s.errorf("not valid JSON %s: %s", where, syntaxReason(se.Error()))
}

// syntaxReason drops the offending character from encoding/json's message
// ("invalid character 'x' looking for ..."): it is a byte of the data.
func syntaxReason(msg string) string {
	const p = "invalid character '"
	if !strings.HasPrefix(msg, p) {
		return msg
	}
	if i := strings.Index(msg[len(p):], "' "); i >= 0 {
		return "invalid character " + msg[len(p)+i+2:]
	}
	return "invalid character"
}
