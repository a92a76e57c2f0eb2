package iceberg_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "modernc.org/sqlite"

	"github.com/ccetl/ccetl/connectors/iceberg"
	"github.com/ccetl/ccetl/pipeline"
)

var tsUTC = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}

var contacts = pipeline.Table{
	Name: "contacts",
	Schema: arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "agent", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "updated_at", Type: tsUTC, Nullable: true},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	}, nil),
	PartitionBy: "day",
}

var base = time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)

// rows is a batch of contacts with ids prefix-from .. prefix-(to-1), spread
// over three days, updated at upd.
type rows struct {
	input    string
	from, to int
	upd      time.Time
}

func (r rows) record(mem memory.Allocator) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, contacts.Schema)
	defer b.Release()
	for i := r.from; i < r.to; i++ {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("c%05d", i))
		b.Field(1).(*array.Int64Builder).Append(int64(i % 7))
		b.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(r.upd.UnixMilli()))
		b.Field(3).(*array.Date32Builder).Append(arrow.Date32FromTime(base.AddDate(0, 0, i%3)))
	}
	return b.NewRecordBatch()
}

// write sends the rows through the sink in batches of 40.
func write(t *testing.T, s pipeline.Sink, mem memory.Allocator, rs ...rows) []pipeline.InputInfo {
	t.Helper()
	var inputs []pipeline.InputInfo
	for _, r := range rs {
		for from := r.from; from < r.to; from += 40 {
			part := rows{r.input, from, min(from+40, r.to), r.upd}
			rec := part.record(mem)
			err := s.Write(context.Background(), pipeline.Batch{Table: contacts.Name, Rec: rec, Input: r.input})
			rec.Release()
			if err != nil {
				t.Fatal(err)
			}
		}
		inputs = append(inputs, pipeline.InputInfo{Name: r.input})
	}
	return inputs
}

// open opens an Iceberg sink for contacts at url.
func open(t *testing.T, url string, opts map[string]string, runKey string) *iceberg.Sink {
	t.Helper()
	s, err := iceberg.Open(context.Background(), pipeline.SinkConfig{URL: url, Tables: []pipeline.Table{contacts},
		RunKey: runKey, Options: opts}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// runOnce writes rs in one run and commits it.
func runOnce(t *testing.T, url string, opts map[string]string, runID string, rs ...rows) pipeline.CommitResult {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var names []string
	for _, r := range rs {
		names = append(names, r.input)
	}
	s := open(t, url, opts, pipeline.RunKey("test", names))
	inputs := write(t, s, mem, rs...)
	res, err := s.Close(context.Background(), pipeline.RunInfo{RunID: runID, Kind: "test", Inputs: inputs})
	if err != nil {
		s.Abort(context.Background())
		t.Fatal(err)
	}
	return res
}

// sqliteLocation reads the current metadata location of a table from the
// SQLite catalog file with plain SQL.
func sqliteLocation(t *testing.T, catalogFile, table string) string {
	t.Helper()
	db, err := sql.Open("sqlite", catalogFile)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var loc string
	err = db.QueryRow(`SELECT metadata_location FROM iceberg_tables WHERE table_namespace = 'ccetl' AND table_name = ?`, table).Scan(&loc)
	if err != nil {
		t.Fatalf("catalog %s: table %s: %v", catalogFile, table, err)
	}
	return loc
}

// current reads the table's current snapshot from a local warehouse.
func current(t *testing.T, dir string) (tableMeta, snapshotMeta) {
	t.Helper()
	m := readMeta(t, localFetch, sqliteLocation(t, filepath.Join(dir, "catalog.db"), contacts.Name))
	if m.Current == nil {
		t.Fatal("table has no current snapshot")
	}
	return m, *m.snapshot(*m.Current)
}

// ids returns the id column's values, sorted, failing on duplicates.
func ids(t *testing.T, rs []map[string]string) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	for _, r := range rs {
		if seen[r["id"]] {
			t.Errorf("id %s appears twice", r["id"])
		}
		seen[r["id"]] = true
		out = append(out, r["id"])
	}
	sort.Strings(out)
	return out
}

func TestReplaceRerunDoesNotDuplicate(t *testing.T) {
	dir := t.TempDir()
	url := "iceberg://" + dir
	t1 := base.Add(time.Hour)
	res := runOnce(t, url, nil, "run-1", rows{"a.csv", 0, 100, t1}, rows{"b.csv", 100, 150, t1})
	if got := res.Tables["contacts"].Rows; got != 150 {
		t.Fatalf("committed %d rows, want 150", got)
	}
	m, snap := current(t, dir)
	got := ids(t, readRows(t, localFetch, snap, "id", "updated_at", "day"))
	if len(got) != 150 || got[0] != "c00000" || got[149] != "c00149" {
		t.Fatalf("run 1: %d rows (%v..)", len(got), got[:min(3, len(got))])
	}
	if snap.Summary["ccetl.run-id"] != "run-1" || snap.Summary["operation"] != "append" {
		t.Errorf("run 1 summary: %v", snap.Summary)
	}
	if len(m.Specs) == 0 || len(m.Specs[len(m.Specs)-1].Fields) != 1 || m.Specs[len(m.Specs)-1].Fields[0].Transform != "day" {
		t.Errorf("partition specs: %+v", m.Specs)
	}
	fieldIDs := func(m tableMeta) map[string]int {
		out := map[string]int{}
		for _, s := range m.Schemas {
			if s.ID == m.CurrentSchema {
				for _, f := range s.Fields {
					out[f.Name] = f.ID
				}
			}
		}
		return out
	}
	ids1 := fieldIDs(m)

	// input a again, now 80 rows: its 100 rows are replaced, b's kept
	t2 := base.Add(2 * time.Hour)
	runOnce(t, url, nil, "run-2", rows{"a.csv", 0, 80, t2})
	m, snap = current(t, dir)
	rs := readRows(t, localFetch, snap, "id", "updated_at")
	got = ids(t, rs)
	if len(got) != 130 {
		t.Fatalf("after rerun: %d rows, want 130", len(got))
	}
	for _, r := range rs {
		want := t1.Format("2006-01-02T15:04:05.000Z")
		if r["id"] < "c00100" {
			want = t2.Format("2006-01-02T15:04:05.000Z")
		}
		if r["updated_at"] != want {
			t.Fatalf("row %s updated_at %s, want %s", r["id"], r["updated_at"], want)
		}
	}
	h := m.history()
	if len(h) != 2 || h[1].Summary["ccetl.run-id"] != "run-2" || h[1].Summary["operation"] != "overwrite" {
		t.Errorf("history: %+v", h)
	}
	// the first snapshot still reads as it was (time travel)
	if n := len(readRows(t, localFetch, h[0], "id")); n != 150 {
		t.Errorf("snapshot 1 now reads %d rows, want 150", n)
	}
	if ids2 := fieldIDs(m); fmt.Sprint(ids2) != fmt.Sprint(ids1) {
		t.Errorf("field ids changed: %v -> %v", ids1, ids2)
	}
}

func icebergOpen(dir string, opts map[string]string, tables ...pipeline.Table) (pipeline.Sink, error) {
	return iceberg.Open(context.Background(), pipeline.SinkConfig{URL: "iceberg://" + dir, Tables: tables,
		RunKey: "rk", Options: opts}, nil)
}
