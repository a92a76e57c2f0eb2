package lake_test

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	. "github.com/ccetl/ccetl/connectors/internal/lake"
	"github.com/ccetl/ccetl/pipeline"
)

var benchTable = pipeline.Table{
	Name: "intervals",
	Schema: arrow.NewSchema([]arrow.Field{
		{Name: "service", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
		{Name: "start", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
		{Name: "calls", Type: arrow.PrimitiveTypes.Int64},
		{Name: "talk", Type: arrow.PrimitiveTypes.Float64},
	}, nil),
	PartitionBy: "day",
}

// BenchmarkSink measures the Parquet writer: batches in, zstd files
// committed on local disk. Bytes are the batches' Arrow buffer sizes.
func BenchmarkSink(b *testing.B) {
	mem := memory.NewGoAllocator()
	const rows = 65536
	bld := array.NewRecordBuilder(mem, benchTable.Schema)
	for i := 0; i < rows; i++ {
		bld.Field(0).(*array.Int64Builder).Append(int64(i % 200))
		bld.Field(1).(*array.StringBuilder).Append("Service queue")
		bld.Field(2).(*array.Date32Builder).Append(arrow.Date32(19800 + i/20000))
		bld.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(int64(i) * 1800000))
		bld.Field(4).(*array.Int64Builder).Append(int64(i % 97))
		bld.Field(5).(*array.Float64Builder).Append(float64(i%1000) / 3)
	}
	rec := bld.NewRecordBatch()
	bld.Release()
	defer rec.Release()
	var size int64
	for _, c := range rec.Columns() {
		for _, buf := range c.Data().Buffers() {
			if buf != nil {
				size += int64(buf.Len())
			}
		}
	}
	const batches = 16
	b.SetBytes(size * batches)
	ctx := context.Background()
	for b.Loop() {
		store, err := NewLocalStore(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		sink, err := NewSink(store, []pipeline.Table{benchTable}, "bench", DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < batches; i++ {
			if err := sink.Write(ctx, pipeline.Batch{Table: benchTable.Name, Rec: rec, Input: "/bench"}); err != nil {
				b.Fatal(err)
			}
		}
		res, err := sink.Close(ctx, pipeline.RunInfo{RunID: "b", Inputs: []pipeline.InputInfo{{Name: "/bench"}}})
		if err != nil {
			b.Fatal(err)
		}
		if res.Tables[benchTable.Name].Rows != rows*batches {
			b.Fatalf("rows %d", res.Tables[benchTable.Name].Rows)
		}
		store.Close()
	}
}
