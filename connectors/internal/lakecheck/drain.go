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

// Drain opens kind over inputs and reads every batch without a sink, with a
// checked allocator. It is what fuzz targets run: cheap, and it checks that
// every row read was written, rejected or merged, and that every batch
// matches its table's schema. A non-nil error is the source's (bad input
// that fails a file); it must never be a panic.
func Drain(t testing.TB, kind pipeline.Kind, opts map[string]string, inputs ...string) (Counts, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	src, err := kind.Open(ctx, pipeline.SourceConfig{Kind: kind.Name, Inputs: inputs, Options: opts,
		Policy: pipeline.BatchPolicy{MaxRows: 7, MaxBytes: 1 << 16}, Mem: mem})
	if err != nil {
		return Counts{}, err
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
	for {
		b, err := src.Next(ctx)
		if errors.Is(err, pipeline.ErrEndOfInput) {
			break
		}
		if err != nil {
			return c, err
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
	return c, nil
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
