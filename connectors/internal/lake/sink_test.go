package lake_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"

	. "github.com/ccetl/ccetl/connectors/internal/lake"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

var testTable = pipeline.Table{
	Name: "events",
	Schema: arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	}, nil),
	PartitionBy: "day",
}

// batch makes rows with ids [from, to), day = id / perDay (null for id%97==0).
func batch(mem memory.Allocator, from, to, perDay int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, testTable.Schema)
	defer b.Release()
	for i := from; i < to; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if i%97 == 0 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.Date32Builder).Append(arrow.Date32(19000 + i/perDay))
		}
		lb := b.Field(2).(*array.ListBuilder)
		lb.Append(true)
		lb.ValueBuilder().(*array.StringBuilder).Append("t")
	}
	return b.NewRecordBatch()
}

type writeSpec struct {
	input          string
	from, to, perD int
}

// commit writes batches through a fresh sink into dir and commits.
func commit(t *testing.T, dir string, opts Options, specs ...writeSpec) pipeline.CommitResult {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	opts.Allocator = mem
	store, err := NewLocalStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var names []string
	for _, s := range specs {
		names = append(names, s.input)
	}
	sink, err := NewSink(store, []pipeline.Table{testTable}, pipeline.RunKey("test", names), opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var inputs []pipeline.InputInfo
	for _, s := range specs {
		for from := s.from; from < s.to; from += 500 {
			rec := batch(mem, from, min(from+500, s.to), s.perD)
			if err := sink.Write(ctx, pipeline.Batch{Table: "events", Rec: rec, Input: s.input}); err != nil {
				t.Fatal(err)
			}
			rec.Release()
		}
		inputs = append(inputs, pipeline.InputInfo{Name: s.input})
	}
	res, err := sink.Close(ctx, pipeline.RunInfo{RunID: "r", Inputs: inputs, Tables: []pipeline.Table{testTable}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func ids(t *testing.T, dir string) map[int64]int {
	seen := map[int64]int{}
	for _, r := range lakecheck.Table(t, dir, "events") {
		seen[r["id"].(int64)]++
	}
	return seen
}

func TestRerunReplacesInsteadOfDuplicating(t *testing.T) {
	dir := t.TempDir()
	opts := DefaultOptions()
	first := commit(t, dir, opts, writeSpec{"/in/a.csv", 0, 3000, 1000}, writeSpec{"/in/b.csv", 3000, 4000, 1000})
	if first.Tables["events"].Rows != 4000 {
		t.Fatalf("committed %d rows", first.Tables["events"].Rows)
	}
	// Rerun a.csv alone, now fewer rows in fewer partitions: its old files
	// must go, b.csv's must stay.
	commit(t, dir, opts, writeSpec{"/in/a.csv", 0, 1500, 1000})
	seen := ids(t, dir)
	if len(seen) != 2500 {
		t.Fatalf("%d distinct ids, want 1500 (a) + 1000 (b)", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("id %d appears %d times", id, n)
		}
		if id >= 1500 && id < 3000 {
			t.Fatalf("id %d from the replaced run of a.csv is still visible", id)
		}
	}
}

func TestPartitionsAndNullDates(t *testing.T) {
	dir := t.TempDir()
	res := commit(t, dir, DefaultOptions(), writeSpec{"/in/a.csv", 0, 2000, 1000})
	parts := map[string]int64{}
	for _, f := range res.Tables["events"].Files {
		parts[f.Partition] += f.Rows
	}
	// ids 0..999 day 19000 (1970+19000d = 2022-01-08), 1000..1999 day 19001; multiples of 97 null
	want := map[string]int64{"dt=2022-01-08": 1000 - 11, "dt=2022-01-09": 1000 - 10, "dt=" + DefaultPartition: 21}
	for k, v := range want {
		if parts[k] != v {
			t.Errorf("partition %s: %d rows, want %d (all: %v)", k, parts[k], v, parts)
		}
	}
}

func TestFileAndRowGroupBounds(t *testing.T) {
	dir := t.TempDir()
	opts := DefaultOptions()
	opts.FileRows, opts.RowGroupRows = 700, 300
	opts.Partition = map[string]Granularity{"*": None}
	res := commit(t, dir, opts, writeSpec{"/in/a.csv", 0, 2000, 1000})
	files := res.Tables["events"].Files
	if len(files) != 3 {
		t.Fatalf("%d files, want 3 (700+700+600)", len(files))
	}
	for _, f := range files {
		if f.Rows > 700 {
			t.Errorf("%s has %d rows, over file_rows", f.Path, f.Rows)
		}
		if !strings.HasPrefix(f.Path, "events/part-") {
			t.Errorf("unpartitioned file at %s", f.Path)
		}
	}
	if n := len(ids(t, dir)); n != 2000 {
		t.Errorf("read back %d rows", n)
	}
}

// TestPageBytes: page_bytes bounds the data pages of a column, about (the
// writer checks the bound after each write of up to 1,024 values).
func TestPageBytes(t *testing.T) {
	pages := func(opts Options) []int32 {
		dir := t.TempDir()
		opts.Partition = map[string]Granularity{"*": None}
		res := commit(t, dir, opts, writeSpec{"/in/a.csv", 0, 20000, 1000})
		files := res.Tables["events"].Files
		if len(files) != 1 {
			t.Fatalf("%d files, want 1", len(files))
		}
		r, err := file.OpenParquetFile(filepath.Join(dir, files[0].Path), false)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		pr, err := r.RowGroup(0).GetColumnPageReader(0) // id: int64, plain
		if err != nil {
			t.Fatal(err)
		}
		var sizes []int32
		for pr.Next() {
			if p, ok := pr.Page().(*file.DataPageV1); ok {
				sizes = append(sizes, p.UncompressedSize())
			}
		}
		if err := pr.Err(); err != nil {
			t.Fatal(err)
		}
		return sizes
	}
	if got := pages(DefaultOptions()); len(got) != 1 {
		t.Errorf("160,000 bytes of ids in %d pages at the default %d bytes, want 1: %v", len(got), DefaultPageBytes, got)
	}
	opts := DefaultOptions()
	opts.PageBytes = 16 << 10
	got := pages(opts)
	if len(got) < 160000/(16<<10+8<<10) {
		t.Errorf("ids in %d pages of at most 16 KiB: %v", len(got), got)
	}
	for _, n := range got {
		if n > 16<<10+8<<10 {
			t.Errorf("a page of %d bytes, over page_bytes and one write", n)
		}
	}
}

func TestUnsortedDatesAreGrouped(t *testing.T) {
	dir := t.TempDir()
	// perDay=1: every row its own day, 2000 partitions through few open files
	opts := DefaultOptions()
	opts.Partition = map[string]Granularity{"events": Year}
	res := commit(t, dir, opts, writeSpec{"/in/a.csv", 0, 2000, 1})
	byPart := map[string]int{}
	for _, f := range res.Tables["events"].Files {
		byPart[f.Partition]++
	}
	if len(byPart) < 5 || len(byPart) > 8 {
		t.Errorf("year partitions %v", byPart)
	}
	if n := len(ids(t, dir)); n != 2000 {
		t.Errorf("read back %d rows", n)
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	store, err := NewLocalStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	opts := DefaultOptions()
	opts.Allocator = mem
	sink, _ := NewSink(store, []pipeline.Table{testTable}, "k", opts)
	ctx := context.Background()
	rec := batch(mem, 0, 1000, 100)
	if err := sink.Write(ctx, pipeline.Batch{Table: "events", Rec: rec, Input: "/a"}); err != nil {
		t.Fatal(err)
	}
	rec.Release()
	sink.Reject(ctx, "events", []pipeline.Reject{{RowError: pipeline.RowError{Source: "a", Line: 3, Err: os.ErrInvalid}}})
	if _, err := sink.PutFile(ctx, "x.wav", strings.NewReader("RIFF")); err != nil {
		t.Fatal(err)
	}
	if err := sink.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	store.Close()
	var left []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) != 0 {
		t.Errorf("abort left files: %v", left)
	}
}

func TestManifestAndRejects(t *testing.T) {
	dir := t.TempDir()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	store, _ := NewLocalStore(dir)
	defer store.Close()
	opts := DefaultOptions()
	opts.Allocator = mem
	sink, _ := NewSink(store, []pipeline.Table{testTable}, "run1", opts)
	ctx := context.Background()
	rec := batch(mem, 1, 11, 100)
	sink.Write(ctx, pipeline.Batch{Table: "events", Rec: rec, Input: "/a"})
	rec.Release()
	sink.Reject(ctx, "events", []pipeline.Reject{{RowError: pipeline.RowError{Source: "/a", Line: 12, Record: -1, Column: "day", Err: os.ErrInvalid}, Raw: "12,x"}})
	res, err := sink.Close(ctx, pipeline.RunInfo{RunID: "rid", Kind: "k", Inputs: []pipeline.InputInfo{{Name: "/a", Bytes: 3, SHA256: "ab"}},
		Stats: map[string]pipeline.TableStats{"events": {RowsIn: 11, RowsOut: 10, RowsRejected: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, res.Tables["events"].Manifest))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m.RunID != "rid" || m.Rows != 10 || len(m.Files) != 1 || m.SchemaFingerprint != SchemaFingerprint(testTable.Schema) ||
		m.Inputs[0].SHA256 != "ab" || m.Stats.RowsRejected != 1 || len(m.Rejects) != 1 || m.Rejects[0] != "_rejects/events/run1.jsonl" {
		t.Errorf("manifest %+v", m)
	}
	if _, err := os.Stat(filepath.Join(dir, m.Files[0].Path)); err != nil {
		t.Errorf("manifest lists a missing file: %v", err)
	}
	rj := lakecheck.Rejects(t, dir, "events")
	if len(rj) != 1 || rj[0].Line != 12 || rj[0].Column != "day" || rj[0].Raw != "12,x" {
		t.Errorf("rejects %+v", rj)
	}
}

func TestOptionsParse(t *testing.T) {
	o, err := ParseOptions(map[string]string{"row_group_bytes": "8MiB", "partition": "events=month;other=none", "zstd_level": "9", "page_bytes": "1MiB"})
	if err != nil {
		t.Fatal(err)
	}
	if o.RowGroupBytes != 8<<20 || o.Partition["events"] != Month || o.Partition["other"] != None || o.ZstdLevel != 9 || o.PageBytes != 1<<20 {
		t.Errorf("%+v", o)
	}
	if o, err := ParseOptions(nil); err != nil || o.PageBytes != DefaultPageBytes {
		t.Errorf("defaults: page_bytes %d, %v", o.PageBytes, err)
	}
	_, err = ParseOptions(map[string]string{"file_rows": "-1", "partition": "weekly", "zstd_level": "99", "page_bytes": "1KiB",
		"row_group_bytes": "9007199254740993GiB"}) // would wrap around to a small size
	for _, want := range []string{"file_rows", "partition", "zstd_level", "page_bytes must be between 4KiB and 64MiB", "row_group_bytes: want a positive"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %s", err, want)
		}
	}
}
