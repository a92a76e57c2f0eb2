package iceberg_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/ccetl/ccetl/pipeline"
)

// TestDataFilesHoldOneDayEach writes rows of three days and rows without a
// date, unsorted: every data file the snapshot lists holds one partition's
// rows, sits under that partition's path, records that partition's value
// and column bounds, and carries the table's field ids.
func TestDataFilesHoldOneDayEach(t *testing.T) {
	dir := t.TempDir()
	s := open(t, "iceberg://"+dir, nil, "rk")
	b := array.NewRecordBuilder(memory.DefaultAllocator, contacts.Schema)
	for i := range 300 {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("c%05d", i))
		b.Field(1).(*array.Int64Builder).Append(int64(i))
		b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(base.UnixMilli()))
		if i%4 == 3 {
			b.Field(3).AppendNull()
		} else {
			b.Field(3).(*array.Date32Builder).Append(arrow.Date32FromTime(base.AddDate(0, 0, (i*7)%3)))
		}
	}
	rec := b.NewRecordBatch()
	b.Release()
	err := s.Write(context.Background(), pipeline.Batch{Table: contacts.Name, Rec: rec, Input: "unsorted.csv"})
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Close(context.Background(), pipeline.RunInfo{RunID: "r1", Kind: "test",
		Inputs: []pipeline.InputInfo{{Name: "unsorted.csv"}}}); err != nil {
		t.Fatal(err)
	}
	_, snap := current(t, dir)
	parts := map[string]int64{}
	for _, mf := range readAvro(t, localFetch, snap.ManifestList) {
		for _, e := range readAvro(t, localFetch, mf["manifest_path"].(string)) {
			df := e["data_file"].(map[string]any)
			path := df["file_path"].(string)
			want := "<null>"
			if v := partitionDay(t, df["partition"]); v != nil {
				want = time.Unix(int64(*v)*86400, 0).UTC().Format(time.DateOnly)
			}
			dirName := "day_day=null"
			if want != "<null>" {
				dirName = "day_day=" + want
			}
			if !strings.Contains(path, "/"+dirName+"/") {
				t.Errorf("data file %s of partition %s is not under %s", path, want, dirName)
			}
			lo, hi := bounds(df["lower_bounds"]), bounds(df["upper_bounds"])
			if fields := 4 - boolInt(want == "<null>"); len(lo) != fields || len(hi) != fields {
				t.Errorf("data file %s has bounds for fields %v and %v, want %d (no day bound where none has a day)", path, lo, hi, fields)
			}
			if want != "<null>" && (!bytes.Equal(lo[4], hi[4]) || lo[4] == nil) {
				t.Errorf("data file %s: day bounds %v..%v, want one day", path, lo[4], hi[4])
			}
			days, n := fileDays(t, path)
			if len(days) != 1 || !days[want] || n != df["record_count"].(int64) {
				t.Errorf("data file %s (partition %s, %v rows) holds days %v in %d rows", path, want, df["record_count"], days, n)
			}
			parts[want] += n
		}
	}
	if len(parts) != 4 || parts["<null>"] != 75 || parts["2024-05-01"]+parts["2024-05-02"]+parts["2024-05-03"] != 225 {
		t.Fatalf("rows by partition %v, want 75 without a day and 225 over three days", parts)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// bounds reads a manifest entry's column bounds by field id (an Avro map
// of int to bytes, in its union).
func bounds(v any) map[int][]byte {
	out := map[int][]byte{}
	u, _ := v.(map[string]any)
	kvs, _ := u["array"].([]any)
	for _, kv := range kvs {
		m, _ := kv.(map[string]any)
		k, _ := m["key"].(int)
		b, _ := m["value"].([]byte)
		out[k] = b
	}
	return out
}

// partitionDay reads the day_day value of a manifest entry's partition.
func partitionDay(t *testing.T, p any) *int32 {
	t.Helper()
	m, ok := p.(map[string]any)
	if !ok {
		t.Fatalf("partition %T", p)
	}
	switch v := m["day_day"].(type) {
	case nil:
		return nil
	case int:
		d := int32(v)
		return &d
	case int32:
		return &v
	case time.Time:
		d := int32(v.Unix() / 86400)
		return &d
	case map[string]any: // a union
		for _, x := range v {
			return partitionDay(t, map[string]any{"day_day": x})
		}
	}
	t.Fatalf("partition day %T %v", m["day_day"], m["day_day"])
	return nil
}

// fileDays reads a data file's day column (the distinct days, <null> for
// none, and the rows), checking every column carries its field id.
func fileDays(t *testing.T, path string) (map[string]bool, int64) {
	t.Helper()
	raw, err := localFetch(path)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := file.NewParquetReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	sc := pf.MetaData().Schema
	for i := range sc.NumColumns() {
		if sc.Column(i).SchemaNode().FieldID() <= 0 {
			t.Errorf("%s: column %s has no field id", path, sc.Column(i).Name())
		}
	}
	days := map[string]bool{}
	for _, r := range readFile(t, raw) {
		days[r] = true
	}
	return days, pf.NumRows()
}

// readFile returns the day column of a data file, one cell per row.
func readFile(t *testing.T, raw []byte) []string {
	t.Helper()
	tbl := parquetTable(t, "", raw)
	defer tbl.Release()
	var out []string
	rr := array.NewTableReader(tbl, 0)
	defer rr.Release()
	for rr.Next() {
		rec := rr.RecordBatch()
		col := rec.Column(rec.Schema().FieldIndices("day")[0])
		for i := range int(rec.NumRows()) {
			out = append(out, cell(col, i))
		}
	}
	return out
}
