package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var fakeSchema = arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)

// fakeSource yields n batches of rows rows, each with rej rejects; failAt
// (1-based) makes Next fail at that batch.
type fakeSource struct {
	mem     memory.Allocator
	n, rows int
	rej     int
	failAt  int
	lie     bool // report one row more than the batch holds
	i       int
	closed  bool
}

func (s *fakeSource) Next(ctx context.Context) (Batch, error) {
	if err := ctx.Err(); err != nil {
		return Batch{}, err
	}
	s.i++
	if s.failAt == s.i {
		return Batch{}, errors.New("source broke")
	}
	if s.i > s.n {
		return Batch{}, ErrEndOfInput
	}
	b := array.NewInt64Builder(s.mem)
	defer b.Release()
	for j := 0; j < s.rows; j++ {
		b.Append(int64(j))
	}
	arr := b.NewArray()
	defer arr.Release()
	var rejects []Reject
	for j := 0; j < s.rej; j++ {
		rejects = append(rejects, Reject{RowError: RowError{Source: "f", Line: int64(j + 1), Err: errors.New("bad")}})
	}
	read := int64(s.rows + s.rej)
	if s.lie {
		read++
	}
	return Batch{Table: "t", Rec: array.NewRecordBatch(fakeSchema, []arrow.Array{arr}, int64(s.rows)), Rejects: rejects, RowsRead: read, Input: "f"}, nil
}

func (s *fakeSource) Tables() []Table { return []Table{{Name: "t", Schema: fakeSchema}} }
func (s *fakeSource) Close() error    { s.closed = true; return nil }

type fakeSink struct {
	rows, rejects    int64
	failWrite        bool
	closed, aborted  bool
	commitShortBy    int64
	cancelOnFirstRow context.CancelFunc
}

func (k *fakeSink) Write(_ context.Context, b Batch) error {
	if k.failWrite {
		return errors.New("disk full")
	}
	if k.cancelOnFirstRow != nil {
		k.cancelOnFirstRow()
	}
	k.rows += b.Rec.NumRows()
	return nil
}

func (k *fakeSink) Reject(_ context.Context, _ string, r []Reject) error {
	k.rejects += int64(len(r))
	return nil
}

func (k *fakeSink) Close(context.Context, RunInfo) (CommitResult, error) {
	k.closed = true
	return CommitResult{Tables: map[string]TableCommit{"t": {Rows: k.rows - k.commitShortBy}}}, nil
}

func (k *fakeSink) Abort(context.Context) error { k.aborted = true; return nil }

func runFake(t *testing.T, src *fakeSource, sink *fakeSink, opts RunOptions) (Result, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src.mem = mem
	return Run(context.Background(), src, nil, sink, opts)
}

func TestRunCommitsAndReconciles(t *testing.T) {
	src, sink := &fakeSource{n: 5, rows: 100, rej: 2}, &fakeSink{}
	res, err := runFake(t, src, sink, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Tables["t"]
	if s.RowsIn != 510 || s.RowsOut != 500 || s.RowsRejected != 10 || !sink.closed || sink.aborted || !src.closed {
		t.Errorf("stats %+v closed %v aborted %v", s, sink.closed, sink.aborted)
	}
	if sink.rejects != 10 {
		t.Errorf("sink got %d rejects", sink.rejects)
	}
}

func TestRunAbortsOnFailure(t *testing.T) {
	for name, tc := range map[string]struct {
		src  *fakeSource
		sink *fakeSink
		opts RunOptions
		want string
	}{
		"source error":      {&fakeSource{n: 5, rows: 10, failAt: 3}, &fakeSink{}, RunOptions{}, "source broke"},
		"sink error":        {&fakeSource{n: 5, rows: 10}, &fakeSink{failWrite: true}, RunOptions{}, "disk full"},
		"reject count":      {&fakeSource{n: 5, rows: 10, rej: 3}, &fakeSink{}, RunOptions{RejectLimit: RejectLimit{MaxCount: 5}}, "reject limit"},
		"reject ratio":      {&fakeSource{n: 5, rows: 10, rej: 3}, &fakeSink{}, RunOptions{RejectLimit: RejectLimit{MaxRatio: 0.1}}, "23.08%"},
		"unbalanced source": {&fakeSource{n: 2, rows: 10, lie: true}, &fakeSink{}, RunOptions{}, "does not reconcile"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := runFake(t, tc.src, tc.sink, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if !tc.sink.aborted || tc.sink.closed {
				t.Errorf("aborted %v closed %v: want aborted, not committed", tc.sink.aborted, tc.sink.closed)
			}
		})
	}
}

func TestRunDetectsSinkLosingRows(t *testing.T) {
	_, err := runFake(t, &fakeSource{n: 2, rows: 10}, &fakeSink{commitShortBy: 1}, RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "committed 19 rows but 20") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src, sink := &fakeSource{mem: mem, n: 1000, rows: 10}, &fakeSink{cancelOnFirstRow: cancel}
	_, err := Run(ctx, src, nil, sink, RunOptions{})
	if !errors.Is(err, context.Canceled) || !sink.aborted || sink.closed {
		t.Fatalf("err %v aborted %v closed %v", err, sink.aborted, sink.closed)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	s := NewSecret("hunter2-token")
	type cfg struct{ Token Secret }
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "token", s, "cfg", cfg{s})
	js, _ := json.Marshal(cfg{s})
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, cfg{s}, cfg{s}, s), buf.String(), string(js)} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("secret printed: %s", out)
		}
		if !strings.Contains(out, "**redacted**") {
			t.Errorf("no redaction marker: %s", out)
		}
	}
	if s.Reveal() != "hunter2-token" {
		t.Error("Reveal lost the value")
	}
}

func TestRejectLimitAndRowError(t *testing.T) {
	if err := (RejectLimit{MaxRatio: 0.5}).Check(6, 10, false); err != nil {
		t.Errorf("ratio judged before the end: %v", err)
	}
	if err := (RejectLimit{MaxRatio: 0.5}).Check(6, 10, true); !errors.Is(err, ErrRejectLimit) {
		t.Errorf("ratio not enforced at the end: %v", err)
	}
	e := &RowError{Source: "a.csv", Line: 7, Record: -1, Column: "date", Err: errors.New("not a valid date")}
	if e.Error() != "a.csv:7: column date: not a valid date" {
		t.Errorf("%q", e.Error())
	}
	e = &RowError{Source: "POST /x page 2", Record: 3, Err: errors.New("missing _id")}
	if e.Error() != "POST /x page 2[3]: missing _id" {
		t.Errorf("%q", e.Error())
	}
}

// reuseSource records what the run told each Next about its batches.
type reuseSource struct {
	fakeSource
	told []bool
}

func (s *reuseSource) Next(ctx context.Context) (Batch, error) {
	s.told = append(s.told, BatchesReusable(ctx))
	return s.fakeSource.Next(ctx)
}

type copyingSink struct{ fakeSink }

func (*copyingSink) CopiesBatches() {}

type passThrough struct{}

func (passThrough) Name() string { return "pass" }
func (passThrough) Apply(_ context.Context, b Batch) (Batch, error) {
	return b, nil
}
func (passThrough) Table(in Table) (Table, error) { return in, nil }

func TestBatchesReusableOnlyIntoACopyingSink(t *testing.T) {
	for name, tc := range map[string]struct {
		sink       Sink
		transforms []Transform
		want       bool
	}{
		"copying sink":                  {&copyingSink{}, nil, true},
		"sink that may keep values":     {&fakeSink{}, nil, false},
		"copying sink after transforms": {&copyingSink{}, []Transform{passThrough{}}, false},
	} {
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			src := &reuseSource{fakeSource: fakeSource{mem: mem, n: 3, rows: 10}}
			if _, err := Run(context.Background(), src, tc.transforms, tc.sink, RunOptions{}); err != nil {
				t.Fatal(err)
			}
			if len(src.told) == 0 {
				t.Fatal("Next never called")
			}
			for i, got := range src.told {
				if got != tc.want {
					t.Fatalf("Next %d: BatchesReusable %v, want %v", i+1, got, tc.want)
				}
			}
		})
	}
	if BatchesReusable(context.Background()) {
		t.Error("a plain context says batches are reusable")
	}
}
