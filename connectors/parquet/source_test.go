package parquet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/internal/lake"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

var callSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "agent", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "day", Type: arrow.FixedWidthTypes.Date32},
	{Name: "at", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
	{Name: "skills", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
}, nil)

// rowsSource emits n call rows over days days in batches of 100.
type rowsSource struct {
	n, days, at int
	input       string // "" is "generated"
}

func (s *rowsSource) Tables() []pipeline.Table {
	return []pipeline.Table{{Name: "calls", Schema: callSchema, PartitionBy: "day"}}
}
func (s *rowsSource) Close() error { return nil }
func (s *rowsSource) Next(context.Context) (pipeline.Batch, error) {
	if s.at >= s.n {
		return pipeline.Batch{}, pipeline.ErrEndOfInput
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, callSchema)
	defer b.Release()
	start := s.at
	for ; s.at < s.n && s.at < start+100; s.at++ {
		i := s.at
		day := time.Date(2024, 5, 1+i%s.days, 0, 0, 0, 0, time.UTC)
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if i%7 == 0 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("agent %d, \"x\"", i%13))
		}
		b.Field(2).(*array.Date32Builder).Append(arrow.Date32FromTime(day))
		b.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(day.Add(time.Duration(i) * time.Minute).UnixMilli()))
		lb := b.Field(4).(*array.ListBuilder)
		lb.Append(true)
		lb.ValueBuilder().(*array.StringBuilder).Append(fmt.Sprint("s", i%3))
	}
	n := int64(s.at - start)
	in := s.input
	if in == "" {
		in = "generated"
	}
	return pipeline.Batch{Table: "calls", Rec: b.NewRecordBatch(), RowsRead: n, Input: in}, nil
}

// lakeOf writes n generated rows into a fresh lake partitioned by day.
func lakeOf(t *testing.T, n, days int) string {
	out := t.TempDir()
	addRows(t, out, "generated", n, days)
	return out
}

// addRows writes n generated rows as the given input into the lake at out.
func addRows(t *testing.T, out, input string, n, days int) {
	store, err := lake.NewLocalStore(out)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	src := &rowsSource{n: n, days: days, input: input}
	sink, err := lake.NewSink(store, src.Tables(), pipeline.RunKey("gen", []string{input}), lake.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pipeline.Run(context.Background(), src, nil, sink, pipeline.RunOptions{RunID: "gen", Kind: "gen"}); err != nil {
		t.Fatal(err)
	}
}

// TestAFolderReadIsOneOutput reads a table of many files per partition
// from its folder: the copy has one file per partition, and a rerun after
// files were added to the table replaces it whole (no row twice). Files
// named one by one keep a file each.
func TestAFolderReadIsOneOutput(t *testing.T) {
	a := t.TempDir()
	addRows(t, a, "gen-a", 1000, 10)
	addRows(t, a, "gen-b", 500, 10)
	if n := len(lakecheck.Files(t, a, "calls")); n <= 20 {
		t.Fatalf("the source table has %d files, want several per day", n)
	}
	b := t.TempDir()
	for i, more := range []int{0, 300} {
		if more > 0 {
			addRows(t, a, "gen-c", more, 5)
		}
		if _, _, err := lakecheck.Run(t, Kind(), nil, b, a); err != nil {
			t.Fatal(err)
		}
		want, got := sorted(t, a, "calls"), sorted(t, b, "calls")
		if strings.Join(want, "\n") != strings.Join(got, "\n") {
			t.Fatalf("run %d: the copy has %d rows, the table %d", i+1, len(got), len(want))
		}
		if n := len(lakecheck.Files(t, b, "calls")); n != 10 {
			t.Fatalf("run %d: the copy has %d files, want one per day (10)", i+1, n)
		}
	}
	c, files := t.TempDir(), lakecheck.Files(t, a, "calls")
	if _, _, err := lakecheck.Run(t, Kind(), nil, c, files...); err != nil {
		t.Fatal(err)
	}
	if n := len(lakecheck.Files(t, c, "calls")); n != len(files) {
		t.Fatalf("files named one by one made %d files, want one per file read (%d)", n, len(files))
	}
}

func sorted(t *testing.T, out, table string) []string {
	var rows []string
	for _, r := range lakecheck.Table(t, out, table) {
		rows = append(rows, fmt.Sprint(r))
	}
	sort.Strings(rows)
	return rows
}

// TestCopyALake reads a lake's table with the parquet kind into another
// lake; an independent reader finds the same rows, and the partition
// column comes from the lake's manifest.
func TestCopyALake(t *testing.T) {
	a := lakeOf(t, 1000, 10)
	res, b := lakecheck.MustRun(t, Kind(), nil, a)
	want, got := sorted(t, a, "calls"), sorted(t, b, "calls")
	if len(want) != 1000 || strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Fatalf("copied %d rows, want %d equal", len(got), len(want))
	}
	if st := res.Tables["calls"]; st.RowsIn != 1000 || st.RowsOut != 1000 {
		t.Fatalf("stats %+v", st)
	}
	days := map[string]bool{}
	for _, f := range lakecheck.Files(t, b, "calls") {
		days[filepath.Base(filepath.Dir(f))] = true
	}
	if len(days) != 10 || !days["dt=2024-05-01"] {
		t.Fatalf("partitions %v: the copy is not partitioned by day", days)
	}
}

func TestWherePrunesPartitions(t *testing.T) {
	a := lakeOf(t, 1000, 10)
	res, b := lakecheck.MustRun(t, Kind(), map[string]string{"where": "dt between 2024-05-03 and 2024-05-04"},
		filepath.Join(a, "calls"))
	inRange, _ := filepath.Glob(filepath.Join(a, "calls", "dt=2024-05-0[34]", "*.parquet"))
	if len(res.Inputs) != len(inRange) || len(inRange) == 0 {
		t.Fatalf("%d files opened, want the %d of the two days", len(res.Inputs), len(inRange))
	}
	if n := len(lakecheck.Table(t, b, "calls")); n != 200 {
		t.Fatalf("%d rows, want 200", n)
	}
	_, _, err := lakecheck.Run(t, Kind(), map[string]string{"where": "dt >> 2024"}, "", a)
	if err == nil || !strings.Contains(err.Error(), "where:") {
		t.Fatalf("bad where: %v", err)
	}
	// a key the partitions do not have selects nothing: it is an error
	_, _, err = lakecheck.Run(t, Kind(), map[string]string{"where": "date >= 2024-05-03"}, "", a)
	if err == nil || !strings.Contains(err.Error(), "where: the inputs have no partition date (their partition folders are dt)") {
		t.Fatalf("where on a key the lake lacks: %v", err)
	}
}

// A table read under another name keeps the partitioning its lake's
// manifests record for it.
func TestRenamedTableKeepsItsPartitioning(t *testing.T) {
	a := lakeOf(t, 300, 3)
	_, b := lakecheck.MustRun(t, Kind(), map[string]string{"table": "copied"}, filepath.Join(a, "calls"))
	if days, _ := filepath.Glob(filepath.Join(b, "copied", "dt=2024-05-0[123]", "*.parquet")); len(days) != 3 {
		t.Fatalf("the renamed copy is not partitioned by day: %v", lakecheck.Files(t, b, "copied"))
	}
}

// A ccetl lake's files that no manifest lists (a run stopped while
// committing) are not read; a lake without manifests has every file read.
func TestUnlistedFilesOfALakeNotRead(t *testing.T) {
	a := lakeOf(t, 300, 3)
	day, _ := filepath.Glob(filepath.Join(a, "calls", "dt=2024-05-01", "*.parquet"))
	data, err := os.ReadFile(day[0])
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(a, "calls", "dt=2024-05-01", "part-ffffffffffffffff-00000.parquet"), data, 0o644)
	res, b := lakecheck.MustRun(t, Kind(), nil, a)
	if n := len(lakecheck.Table(t, b, "calls")); n != 300 || res.Tables["calls"].RowsIn != 300 {
		t.Fatalf("%d rows, want the 300 the manifests list", n)
	}
	withoutManifests(t, a)
	res, _ = lakecheck.MustRun(t, Kind(), nil, a)
	if res.Tables["calls"].RowsIn != 400 {
		t.Fatalf("%d rows read without manifests, want every file's 400", res.Tables["calls"].RowsIn)
	}
}

// Inputs that name a file twice (a lake and a table folder in it) read it
// once.
func TestOverlappingInputsReadOnce(t *testing.T) {
	a := lakeOf(t, 300, 3)
	day, _ := filepath.Glob(filepath.Join(a, "calls", "dt=2024-05-01", "*.parquet"))
	res, b := lakecheck.MustRun(t, Kind(), nil, a, filepath.Join(a, "calls"), day[0], a+"/calls/../calls/dt=2024-05-01/"+filepath.Base(day[0]))
	if n := len(lakecheck.Table(t, b, "calls")); n != 300 || res.Tables["calls"].RowsIn != 300 {
		t.Fatalf("%d rows written, %d read; want the lake's 300 once", n, res.Tables["calls"].RowsIn)
	}
}

func TestGlobsTablesAndNames(t *testing.T) {
	a := lakeOf(t, 300, 3)
	files, _ := filepath.Glob(filepath.Join(a, "calls", "dt=2024-05-0[12]", "*.parquet"))
	res, b := lakecheck.MustRun(t, Kind(), map[string]string{"table": "copied"}, files...)
	if n := len(lakecheck.Table(t, b, "copied")); n != 200 || res.Tables["copied"].RowsOut != 200 {
		t.Fatalf("%d rows", n)
	}
	if _, _, err := lakecheck.Run(t, Kind(), map[string]string{"tables": "nosuch"}, "", a); err == nil {
		t.Fatal("a lake with none of the named tables read nothing without saying so")
	}
}

// withoutManifests makes a ccetl lake one of another tool, whose every
// file is read.
func withoutManifests(t *testing.T, lake string) {
	if err := os.RemoveAll(filepath.Join(lake, "_manifests")); err != nil {
		t.Fatal(err)
	}
}

func TestBadFilesFailNamingThem(t *testing.T) {
	a := lakeOf(t, 200, 2)
	withoutManifests(t, a)
	files := lakecheck.Files(t, a, "calls")
	os.WriteFile(filepath.Join(a, "calls", "dt=2024-05-01", "part-zzzz.parquet"), []byte("PAR1 not parquet"), 0o644)
	_, _, err := lakecheck.Run(t, Kind(), nil, "", a)
	if err == nil || !strings.Contains(err.Error(), "part-zzzz.parquet is not a readable Parquet file") {
		t.Fatalf("corrupt file: %v", err)
	}
	os.Remove(filepath.Join(a, "calls", "dt=2024-05-01", "part-zzzz.parquet"))
	other := lakeOfSchema(t)
	data, _ := os.ReadFile(other)
	os.WriteFile(filepath.Join(a, "calls", "dt=2024-05-02", "part-other.parquet"), data, 0o644)
	_, _, err = lakecheck.Run(t, Kind(), nil, "", a)
	if err == nil || !strings.Contains(err.Error(), "part-other.parquet does not have the schema of") {
		t.Fatalf("schema mismatch: %v (files %v)", err, files)
	}
}

// Footers are read several at once, but an error names the first bad
// file in the files' order, every time.
func TestFirstBadFileNamed(t *testing.T) {
	a := lakeOf(t, 200, 4)
	withoutManifests(t, a)
	for _, p := range []string{"dt=2024-05-01/part-0-bad.parquet", "dt=2024-05-03/part-1-bad.parquet", "dt=2024-05-04/part-2-bad.parquet"} {
		os.WriteFile(filepath.Join(a, "calls", filepath.FromSlash(p)), []byte("PAR1 not parquet"), 0o644)
	}
	for range 5 {
		_, _, err := lakecheck.Run(t, Kind(), nil, "", a)
		if err == nil || !strings.Contains(err.Error(), "part-0-bad.parquet is not a readable") {
			t.Fatalf("three bad files: %v", err)
		}
	}
	// a file of another schema before the unreadable ones is named first
	os.Remove(filepath.Join(a, "calls", "dt=2024-05-01", "part-0-bad.parquet"))
	data, _ := os.ReadFile(lakeOfSchema(t))
	os.WriteFile(filepath.Join(a, "calls", "dt=2024-05-02", "part-z-other.parquet"), data, 0o644)
	if _, _, err := lakecheck.Run(t, Kind(), nil, "", a); err == nil || !strings.Contains(err.Error(), "part-z-other.parquet does not have the schema") {
		t.Fatalf("another schema before two bad files: %v", err)
	}
}

// A table of more files than one window of footers reads every row.
func TestManyFiles(t *testing.T) {
	const days = footerWindow + 44 // a file each at least
	a := lakeOf(t, days*2, days)
	if n := len(lakecheck.Files(t, a, "calls")); n < days {
		t.Fatalf("%d files written, want at least %d", n, days)
	}
	n, err := lakecheck.Drain(t, Kind(), nil, a)
	if err != nil || n.Read != days*2 || n.Written != days*2 {
		t.Fatalf("read %+v of %d rows: %v", n, days*2, err)
	}
}

// lakeOfSchema writes one Parquet file of another table shape.
func lakeOfSchema(t *testing.T) string {
	out := t.TempDir()
	store, _ := lake.NewLocalStore(out)
	defer store.Close()
	sc := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String}}, nil)
	sink, _ := lake.NewSink(store, []pipeline.Table{{Name: "x", Schema: sc}}, "x", lake.DefaultOptions())
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	b.Field(0).(*array.StringBuilder).Append("a")
	rec := b.NewRecordBatch()
	b.Release()
	sink.Write(context.Background(), pipeline.Batch{Table: "x", Rec: rec, RowsRead: 1, Input: "x"})
	rec.Release()
	sink.Close(context.Background(), pipeline.RunInfo{RunID: "x"})
	files, _ := filepath.Glob(filepath.Join(out, "x", "*.parquet"))
	return files[0]
}

func BenchmarkReadLake(b *testing.B) {
	a := lakeOf(&testing.T{}, 200_000, 30)
	var bytes int64
	filepath.Walk(filepath.Join(a, "calls"), func(_ string, fi os.FileInfo, _ error) error {
		if fi != nil && !fi.IsDir() {
			bytes += fi.Size()
		}
		return nil
	})
	b.SetBytes(bytes)
	for b.Loop() {
		if _, err := lakecheck.Drain(b, Kind(), nil, a); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGroupOf: folders read whole are one output per table and filter;
// files named one by one and only_new reads are not grouped.
func TestGroupOf(t *testing.T) {
	cfg := func(where string, skip bool, inputs ...string) pipeline.SourceConfig {
		c := pipeline.SourceConfig{Inputs: inputs, Options: map[string]string{"where": where}}
		if skip {
			c.Skip = func(string, string) bool { return false }
		}
		return c
	}
	g1, ok1 := groupOf("calls", cfg("", false, "/lake/b", "s3://x/lake"))
	g2, ok2 := groupOf("calls", cfg("", false, "s3://x/lake", "/lake/b"))
	g3, _ := groupOf("calls", cfg("dt >= 2024-05-01", false, "/lake/b", "s3://x/lake"))
	g4, _ := groupOf("other", cfg("", false, "/lake/b", "s3://x/lake"))
	if !ok1 || !ok2 || g1 != g2 {
		t.Fatalf("the same folders in another order: %q %q", g1, g2)
	}
	if g3 == g1 || g4 == g1 {
		t.Fatal("another filter or table must be another output")
	}
	if _, ok := groupOf("calls", cfg("", true, "/lake/b")); ok {
		t.Fatal("an only_new read was grouped: a run would replace an earlier run's rows")
	}
	if _, ok := groupOf("calls", cfg("", false, "/lake/b/calls/dt=2024-05-01/part-1.parquet")); ok {
		t.Fatal("files named one by one were grouped")
	}
}
