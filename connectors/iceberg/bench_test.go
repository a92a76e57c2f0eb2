package iceberg_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/iceberg"
	"github.com/ccetl/ccetl/connectors/internal/lake"
	"github.com/ccetl/ccetl/pipeline"
)

// BenchmarkSinks writes the same 1,000,000 contacts (batches of 8,192 rows,
// three day partitions, one input) into the Parquet lake sink and into an
// Iceberg table, and reports rows/s of each.
func BenchmarkSinks(b *testing.B) {
	const total, batch = 1_000_000, 8192
	mem := memory.NewGoAllocator()
	var recs []arrow.RecordBatch
	for from := 0; from < total; from += batch {
		recs = append(recs, rows{"bench.csv", from, min(from+batch, total), base}.record(mem))
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	run := func(b *testing.B, open func(dir string) pipeline.Sink) {
		for i := 0; i < b.N; i++ {
			s := open(b.TempDir())
			for _, r := range recs {
				if err := s.Write(context.Background(), pipeline.Batch{Table: contacts.Name, Rec: r, Input: "bench.csv"}); err != nil {
					b.Fatal(err)
				}
			}
			res, err := s.Close(context.Background(), pipeline.RunInfo{RunID: fmt.Sprint(i), Inputs: []pipeline.InputInfo{{Name: "bench.csv"}}})
			if err != nil || res.Tables[contacts.Name].Rows != total {
				b.Fatalf("close: %v, %d rows", err, res.Tables[contacts.Name].Rows)
			}
		}
		b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "rows/s")
	}
	b.Run("parquet-lake", func(b *testing.B) {
		run(b, func(dir string) pipeline.Sink {
			store, err := lake.NewLocalStore(dir)
			if err != nil {
				b.Fatal(err)
			}
			s, err := lake.NewSink(store, []pipeline.Table{contacts}, "bench", lake.DefaultOptions())
			if err != nil {
				b.Fatal(err)
			}
			return s
		})
	})
	b.Run("iceberg", func(b *testing.B) {
		run(b, func(dir string) pipeline.Sink {
			s, err := iceberg.Open(context.Background(), pipeline.SinkConfig{URL: "iceberg://" + dir,
				Tables: []pipeline.Table{contacts}, RunKey: "bench"}, nil)
			if err != nil {
				b.Fatal(err)
			}
			return s
		})
	})
}
