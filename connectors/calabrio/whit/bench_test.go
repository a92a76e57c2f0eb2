package whit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

// genCSV makes n rows of WHIT CSV, 200 queues x 48 periods a day.
func genCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("serviceNumber,serviceName,date,period,receivedCalls,handledCalls,abandonedCalls,avgTalkTime,avgACWTime,ASA,serviceLevel,occupancyRatio,qtyOfAgents,contactsInQueue,transferredCalls\n")
	for i := 0; i < n; i++ {
		svc, per, day := i%200, (i/200)%48, i/(200*48)
		fmt.Fprintf(&b, "%d,Service queue %d,2024-%02d-%02d,%02d:%02d,%d,%d,%d,%d.%d,%d.%d,%d,%d,%d,%d,%d,%d\n",
			1000+svc, svc, 1+(day/28)%12, 1+day%28, per/2, (per%2)*30, 20+i%80, 18+i%80, 2, 180+i%240, i%10, 20+i%40, i%10, i%60, 60+i%41, 40+i%61, 5+i%20, i%9, i%4)
	}
	return b.Bytes()
}

// BenchmarkConvert measures the whole conversion: CSV decode, Arrow batches,
// zstd Parquet files and manifests on local disk, as `ccetl convert` does.
func BenchmarkConvert(b *testing.B) {
	data := genCSV(200_000)
	in := filepath.Join(b.TempDir(), "whit.csv")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res, _, err := lakecheck.RunPolicy(b, Kind(), nil, b.TempDir(), pipeline.DefaultBatchPolicy(), in)
		if err != nil {
			b.Fatal(err)
		}
		if res.Totals().RowsOut != 200_000 {
			b.Fatalf("rows out %d", res.Totals().RowsOut)
		}
	}
}

// BenchmarkDecode measures the decoder alone: CSV to Arrow batches.
func BenchmarkDecode(b *testing.B) {
	data := genCSV(200_000)
	in := filepath.Join(b.TempDir(), "whit.csv")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	ctx := context.Background()
	for b.Loop() {
		src, err := Kind().Open(ctx, pipeline.SourceConfig{Kind: "whit", Inputs: []string{in}, Policy: pipeline.DefaultBatchPolicy()})
		if err != nil {
			b.Fatal(err)
		}
		var rows int64
		for {
			bt, err := src.Next(ctx)
			if errors.Is(err, pipeline.ErrEndOfInput) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows += bt.Rec.NumRows()
			bt.Release()
		}
		src.Close()
		if rows != 200_000 {
			b.Fatalf("rows %d", rows)
		}
	}
}
