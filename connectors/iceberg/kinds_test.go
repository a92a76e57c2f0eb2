package iceberg_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/all"
	"github.com/ccetl/ccetl/connectors/iceberg"
	"github.com/ccetl/ccetl/pipeline"
)

// TestEveryTableOfEveryKind writes one row into an Iceberg table for every
// table every registered kind declares, and reads it back: every ccetl
// column type maps to an Iceberg type, and dated tables take a day
// partition.
func TestEveryTableOfEveryKind(t *testing.T) {
	reg := all.Registry(nil)
	seen := map[string]bool{}
	var tables []pipeline.Table
	for _, name := range reg.KindNames() {
		k, _ := reg.Kind(name)
		for _, tb := range k.Tables {
			if !seen[tb.Name] {
				seen[tb.Name] = true
				tables = append(tables, tb)
			}
		}
	}
	if len(tables) < 5 {
		t.Fatalf("only %d tables registered", len(tables))
	}
	dir := t.TempDir()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s, err := iceberg.Open(context.Background(), pipeline.SinkConfig{URL: "iceberg://" + dir, Tables: tables, RunKey: "kinds"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		b := array.NewRecordBuilder(mem, tb.Schema)
		for i, f := range tb.Schema.Fields() {
			if f.Nullable && f.Name != tb.PartitionBy {
				b.Field(i).AppendNull()
			} else {
				b.Field(i).AppendEmptyValue()
			}
		}
		rec := b.NewRecordBatch()
		b.Release()
		err := s.Write(context.Background(), pipeline.Batch{Table: tb.Name, Rec: rec, Input: "one-row"})
		rec.Release()
		if err != nil {
			t.Fatalf("table %s: %v", tb.Name, err)
		}
	}
	if _, err := s.Close(context.Background(), pipeline.RunInfo{RunID: "kinds"}); err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		m := readMeta(t, localFetch, sqliteLocationNS(t, filepath.Join(dir, "catalog.db"), tb.Name))
		if m.Current == nil {
			t.Errorf("table %s: no snapshot", tb.Name)
			continue
		}
		first := tb.Schema.Field(0).Name
		if n := len(readRows(t, localFetch, *m.snapshot(*m.Current), first)); n != 1 {
			t.Errorf("table %s: %d rows, want 1", tb.Name, n)
		}
		spec := m.Specs[len(m.Specs)-1]
		if dated := tb.PartitionBy != ""; dated != (len(spec.Fields) == 1 && spec.Fields[0].Transform == "day") {
			t.Errorf("table %s (partition column %q): spec %+v", tb.Name, tb.PartitionBy, spec)
		}
	}
}
