package iceberg_test

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
)

func TestSchemaEvolution(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, "iceberg://"+dir, nil, "run-1", rows{"a.csv", 0, 10, base})
	m1, _ := current(t, dir)

	// a column added to the ccetl table is added to the Iceberg table,
	// keeping the earlier columns' field ids
	wider := contacts
	wider.Schema = arrow.NewSchema(append(contacts.Schema.Fields(), arrow.Field{Name: "queue", Type: arrow.BinaryTypes.String, Nullable: true}), nil)
	s, err := icebergOpen(dir, nil, wider)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewRecordBuilder(mem, wider.Schema)
	b.Field(0).(*array.StringBuilder).Append("q1")
	b.Field(1).AppendNull()
	b.Field(2).AppendNull()
	b.Field(3).(*array.Date32Builder).Append(arrow.Date32FromTime(base))
	b.Field(4).(*array.StringBuilder).Append("sales")
	rec := b.NewRecordBatch()
	b.Release()
	err = s.Write(context.Background(), pipeline.Batch{Table: "contacts", Rec: rec, Input: "b.csv"})
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Close(context.Background(), pipeline.RunInfo{RunID: "run-2", Inputs: []pipeline.InputInfo{{Name: "b.csv"}}}); err != nil {
		t.Fatal(err)
	}
	m2, snap := current(t, dir)
	fields := func(m tableMeta) map[string]int {
		out := map[string]int{}
		for _, sc := range m.Schemas {
			if sc.ID == m.CurrentSchema {
				for _, f := range sc.Fields {
					out[f.Name] = f.ID
				}
			}
		}
		return out
	}
	f1, f2 := fields(m1), fields(m2)
	for name, id := range f1 {
		if f2[name] != id {
			t.Errorf("column %s: field id %d became %d", name, id, f2[name])
		}
	}
	if f2["queue"] == 0 || len(f2) != 5 {
		t.Fatalf("columns after adding queue: %v", f2)
	}
	var queues []string
	for _, r := range readRows(t, localFetch, snap, "id") {
		queues = append(queues, r["id"])
	}
	if len(queues) != 11 {
		t.Errorf("%d rows after the wider run, want 11", len(queues))
	}

	// a changed type fails before anything is written, naming the column
	changed := contacts
	fs := contacts.Schema.Fields()
	fs[1].Type = arrow.BinaryTypes.String
	changed.Schema = arrow.NewSchema(fs, nil)
	_, err = icebergOpen(dir, nil, changed)
	if err == nil || !strings.Contains(err.Error(), "column agent") {
		t.Fatalf("incompatible change: %v", err)
	}
	if _, snap2 := current(t, dir); snap2.ID != snap.ID {
		t.Error("a refused change moved the table")
	}
}
