package lakecheck

import (
	"context"
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
)

// Counts are what a source produced.
type Counts struct {
	Read, Written, Rejected, Merged int64
}

// Checkpoint is one checkpoint batch a source emitted (pipeline.Batch
// Checkpoint): the unit it closed, the cursors it carried and what the
// source had emitted before it.
type Checkpoint struct {
	Input   string
	Cursors map[string]string
	Before  Counts
}

// Drain opens kind over inputs and reads every batch without a sink, with a
// checked allocator. It is what fuzz targets run: cheap, and it checks that
// every row read was written, rejected or merged, and that every batch
// matches its table's schema. A non-nil error is the source's (bad input
// that fails a file); it must never be a panic.
func Drain(t testing.TB, kind pipeline.Kind, opts map[string]string, inputs ...string) (Counts, error) {
	t.Helper()
	c, _, err := DrainWith(t, kind, Options{Opts: opts}, inputs...)
	return c, err
}

// DrainWith is Drain with RunWith's options (clock, saved cursors, remote
// inputs; Out and Prepare are not used; a zero Policy is Drain's 7 rows and
// 64 KiB). It also returns the source's checkpoint batches in order. A
// checkpoint carries no rows and no table, so it is left out of the
// accounting and schema checks; DrainWith fails the test if one holds rows.
func DrainWith(t testing.TB, kind pipeline.Kind, o Options, inputs ...string) (Counts, []Checkpoint, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	policy := o.Policy
	if policy == (pipeline.BatchPolicy{}) {
		policy = pipeline.BatchPolicy{MaxRows: 7, MaxBytes: 1 << 16}
	}
	ctx := context.Background()
	src, err := kind.Open(ctx, pipeline.SourceConfig{Kind: kind.Name, Inputs: inputs, Options: o.Opts,
		Policy: policy, Mem: mem, Now: o.Now, Cursors: o.Cursors, Remote: o.Remote})
	if err != nil {
		return Counts{}, nil, err
	}
	defer src.Close()
	if u, ok := src.Source.(pipeline.FileStoreUser); ok {
		u.UseFileStore(discardStore{})
	}
	schemas := map[string]pipeline.Table{}
	for _, tb := range src.Tables() {
		schemas[tb.Name] = tb
	}
	var c Counts
	var cps []Checkpoint
	for {
		b, err := src.Next(ctx)
		if errors.Is(err, pipeline.ErrEndOfInput) {
			break
		}
		if err != nil {
			return c, cps, err
		}
		if b.Checkpoint {
			if b.Rec != nil || b.RowsRead != 0 || len(b.Rejects) != 0 || b.Merged != 0 {
				b.Release()
				t.Fatalf("checkpoint of %q carries rows", b.Input)
			}
			cps = append(cps, Checkpoint{Input: b.Input, Cursors: b.Cursors, Before: c})
			continue
		}
		tb, ok := schemas[b.Table]
		if !ok {
			t.Fatalf("batch of undeclared table %q", b.Table)
		}
		var n int64
		if b.Rec != nil {
			if !b.Rec.Schema().Equal(tb.Schema) {
				t.Fatalf("table %s: batch schema differs from the declared one", b.Table)
			}
			n = b.Rec.NumRows()
		}
		for _, r := range b.Rejects {
			if r.Err == nil {
				t.Fatalf("table %s: reject without a reason", b.Table)
			}
		}
		if b.RowsRead != n+int64(len(b.Rejects))+b.Merged {
			t.Fatalf("table %s: batch reads %d rows but holds %d written + %d rejected + %d merged", b.Table, b.RowsRead, n, len(b.Rejects), b.Merged)
		}
		c.Read += b.RowsRead
		c.Written += n
		c.Rejected += int64(len(b.Rejects))
		c.Merged += b.Merged
		b.Release()
	}
	return c, cps, nil
}

// discardStore is a FileStore that hashes nothing and keeps nothing.
type discardStore struct{}

func (discardStore) PutFile(_ context.Context, rel string, r pipeline.FileReader) (pipeline.FileRef, error) {
	var n int64
	buf := make([]byte, 32<<10)
	for {
		k, err := r.Read(buf)
		n += int64(k)
		if err != nil {
			break
		}
	}
	return pipeline.FileRef{Path: "media/" + rel, Bytes: n}, nil
}
