package lake_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/klauspost/compress/zstd"

	. "github.com/ccetl/ccetl/connectors/internal/lake"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

// rowGroups counts the row groups of every Parquet file under dir.
func rowGroups(t *testing.T, dir string) (files, groups int) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".parquet") {
			return err
		}
		r, err := file.OpenParquetFile(p, false)
		if err != nil {
			t.Fatal(err)
		}
		files++
		groups += r.NumRowGroups()
		return r.Close()
	})
	return files, groups
}

func TestWriteMemoryBoundsOpenFiles(t *testing.T) {
	// A day's file, then the next day's, then the first day again. With
	// room for both files the first day stays one file; with room for about
	// one (each buffers some 84 KB), the first day's file is finished while
	// the second day's grows, and the first day's late rows start another.
	specs := []writeSpec{{"/in/a.csv", 0, 1000, 1000}, {"/in/a.csv", 1000, 2000, 1000}, {"/in/a.csv", 2000, 3000, 4000}}
	firstDay := func(res pipeline.CommitResult) (n int) {
		for _, f := range res.Tables["events"].Files {
			if f.Partition == "dt=2022-01-08" {
				n++
			}
		}
		return n
	}
	roomy := DefaultOptions()
	dir := t.TempDir()
	if n := firstDay(commit(t, dir, roomy, specs...)); n != 1 {
		t.Fatalf("first day in %d files with room for every file, want 1", n)
	}
	tight := DefaultOptions()
	tight.WriteMemory = 100 << 10
	dirTight := t.TempDir()
	if n := firstDay(commit(t, dirTight, tight, specs...)); n != 2 {
		t.Fatalf("first day in %d files under a tight write_memory, want 2", n)
	}
	for name, d := range map[string]string{"roomy": dir, "tight": dirTight} {
		seen := ids(t, d)
		if len(seen) != 3000 {
			t.Fatalf("%s: read back %d ids, want 3000", name, len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("%s: id %d read %d times", name, id, n)
			}
		}
	}

	// A file alone past the bound starts a new row group once its pages
	// (a page holds about 1 MiB before compression) are out.
	one := DefaultOptions()
	one.WriteMemory = 1
	one.Partition = map[string]Granularity{"*": None}
	dirOne := t.TempDir()
	commit(t, dirOne, one, writeSpec{"/in/a.csv", 0, 300000, 1000})
	if files, groups := rowGroups(t, dirOne); files != 1 || groups < 2 {
		t.Fatalf("one file alone past write_memory: %d files, %d row groups; want 1 file of several", files, groups)
	}
	if n := len(ids(t, dirOne)); n != 300000 {
		t.Fatalf("read back %d ids, want 300000", n)
	}
}

func TestWriteMemoryOption(t *testing.T) {
	o, err := ParseOptions(map[string]string{"write_memory": "32MiB"})
	if err != nil {
		t.Fatal(err)
	}
	if o.WriteMemory != 32<<20 {
		t.Errorf("write_memory %d", o.WriteMemory)
	}
	if o, _ := ParseOptions(nil); o.WriteMemory != DefaultWriteMemory {
		t.Errorf("default write_memory %d", o.WriteMemory)
	}
	if _, err := ParseOptions(map[string]string{"write_memory": "0"}); err == nil || !strings.Contains(err.Error(), "write_memory") {
		t.Errorf("error %v does not mention write_memory", err)
	}
}

// The zstd codec the writer uses makes standard frames that any decoder
// reads, at every level.
func TestZstdCodecRoundTrip(t *testing.T) {
	codec, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		t.Fatal(err)
	}
	var src bytes.Buffer
	for i := 0; src.Len() < 3<<20; i++ {
		fmt.Fprintf(&src, "%d,Service queue %d,2024-01-%02d,%d\n", 1000+i%200, i%200, 1+i%28, i*7%80)
	}
	dec, err := zstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	for _, level := range []int{compress.DefaultCompressionLevel, 1, 3, 9, 19} {
		for _, in := range [][]byte{src.Bytes()[:1000], src.Bytes()[:1<<20], src.Bytes()} {
			out := codec.EncodeLevel(nil, in, level)
			if len(out) >= len(in) {
				t.Errorf("level %d: %d bytes compressed to %d", level, len(in), len(out))
			}
			back, err := dec.DecodeAll(out, nil)
			if err != nil || !bytes.Equal(back, in) {
				t.Fatalf("level %d, %d bytes: round trip failed: %v", level, len(in), err)
			}
			if back := codec.Decode(nil, out); !bytes.Equal(back, in) {
				t.Fatalf("level %d, %d bytes: the codec's own decode differs", level, len(in))
			}
		}
	}
}

// String columns whose first values are mostly distinct are written
// without a dictionary, at the top level and as a map's values;
// repetitive ones keep theirs. All read back.
func TestDistinctStringsWrittenPlain(t *testing.T) {
	table := pipeline.Table{Name: "calls", Schema: arrow.NewSchema([]arrow.Field{
		{Name: "call_id", Type: arrow.BinaryTypes.String},
		{Name: "queue", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "fields", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.String), Nullable: true},
	}, nil)}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	store, err := NewLocalStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	opts := DefaultOptions()
	opts.Allocator = mem
	sink, err := NewSink(store, []pipeline.Table{table}, "k", opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for from := 0; from < 6000; from += 3000 {
		b := array.NewRecordBuilder(mem, table.Schema)
		for i := from; i < from+3000; i++ {
			b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("C%09d", i))
			if i%10 == 0 {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append([]string{"Sales", "Support", "Billing"}[i%3])
			}
			mb := b.Field(2).(*array.MapBuilder)
			mb.Append(true)
			mb.KeyBuilder().(*array.StringBuilder).Append("account")
			mb.ItemBuilder().(*array.StringBuilder).Append(fmt.Sprintf("A%09d", i))
		}
		rec := b.NewRecordBatch()
		b.Release()
		if err := sink.Write(ctx, pipeline.Batch{Table: "calls", Rec: rec, Input: "/a"}); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	res, err := sink.Close(ctx, pipeline.RunInfo{RunID: "r", Inputs: []pipeline.InputInfo{{Name: "/a"}}, Tables: []pipeline.Table{table}})
	if err != nil {
		t.Fatal(err)
	}
	files := res.Tables["calls"].Files
	if len(files) != 1 {
		t.Fatalf("%d files", len(files))
	}
	r, err := file.OpenParquetFile(filepath.Join(dir, files[0].Path), false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	md := r.RowGroup(0).MetaData()
	for i, want := range []bool{false, true, true, false} { // call_id, queue, fields' keys, fields' values
		cc, err := md.ColumnChunk(i)
		if err != nil {
			t.Fatal(err)
		}
		if got := cc.HasDictionaryPage(); got != want {
			t.Errorf("column %s: dictionary %v, want %v", cc.PathInSchema(), got, want)
		}
	}
	rows := lakecheck.Table(t, dir, "calls")
	if len(rows) != 6000 {
		t.Fatalf("read back %d rows", len(rows))
	}
	ids := map[string]bool{}
	for _, row := range rows {
		id := row["call_id"].(string)
		var i int
		fmt.Sscanf(id, "C%d", &i)
		ids[id] = true
		q, _ := row["queue"].(string)
		if (i%10 == 0) != (row["queue"] == nil) || (i%10 != 0 && q != []string{"Sales", "Support", "Billing"}[i%3]) {
			t.Fatalf("row %s: queue %v", id, row["queue"])
		}
	}
	if len(ids) != 6000 {
		t.Fatalf("%d distinct call ids, want 6000", len(ids))
	}
}

// The page buffers a file holds are counted by Parquet column: the leaves
// of structs, lists and maps.
func TestLeafColumns(t *testing.T) {
	str := arrow.BinaryTypes.String
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "s", Type: arrow.StructOf(arrow.Field{Name: "a", Type: str}, arrow.Field{Name: "b", Type: arrow.ListOf(str)})},
		{Name: "m", Type: arrow.MapOf(str, str)},
		{Name: "l", Type: arrow.ListOf(arrow.StructOf(arrow.Field{Name: "x", Type: str}, arrow.Field{Name: "y", Type: str}))},
	}, nil)
	if n := LeafColumns(sc); n != 7 { // id, s.a, s.b, m.key, m.value, l.x, l.y
		t.Errorf("%d leaf columns, want 7", n)
	}
}

// A data file's sequence number has five digits or more: a rerun finds the
// files of an input past the 99,999th as its own.
func TestPartFileNames(t *testing.T) {
	for name, want := range map[string]bool{
		"calls/dt=2024-05-01/part-0123456789abcdef-00000.parquet":  true,
		"calls/dt=2024-05-01/part-0123456789abcdef-100000.parquet": true,
		"calls/part-0123456789abcdef-0001.parquet":                 false,
		"calls/part-0123456789abcdeg-00001.parquet":                false,
	} {
		if got := PartFile.MatchString(name); got != want {
			t.Errorf("%s: matched %v, want %v", name, got, want)
		}
	}
}
