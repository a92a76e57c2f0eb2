package transforms

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
)

var tbl = pipeline.Table{Name: "t", PartitionBy: "day", Schema: arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "email", Type: arrow.BinaryTypes.String},
	{Name: "day", Type: arrow.FixedWidthTypes.Date32},
}, nil)}

func rec(mem memory.Allocator) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, tbl.Schema)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"a@x", "b@x"}, nil)
	b.Field(2).(*array.Date32Builder).AppendValues([]arrow.Date32{1, 2}, nil)
	return b.NewRecordBatch()
}

func TestDropAndRename(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	drop, err := New("drop", []string{"t.email", "other.id"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ren, err := New("rename", nil, map[string]string{"day": "event_day"})
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pipeline.TransformTables([]pipeline.Table{tbl}, []pipeline.Transform{drop, ren})
	if err != nil {
		t.Fatal(err)
	}
	out := tables[0]
	if out.Schema.NumFields() != 2 || out.Schema.Field(1).Name != "event_day" || out.PartitionBy != "event_day" {
		t.Fatalf("table %v partition %s", out.Schema, out.PartitionBy)
	}
	b := pipeline.Batch{Table: "t", Rec: rec(mem), RowsRead: 2}
	for _, tr := range []pipeline.Transform{drop, ren} {
		if b, err = tr.Apply(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	defer b.Release()
	if !b.Rec.Schema().Equal(out.Schema) || b.Rec.NumRows() != 2 || b.RowsRead != 2 {
		t.Errorf("batch schema %v rows %d", b.Rec.Schema(), b.Rec.NumRows())
	}
	if got := b.Rec.Column(1).(*array.Date32).Value(1); got != 2 {
		t.Errorf("data moved: %v", got)
	}
}

func TestTransformErrors(t *testing.T) {
	if _, err := New("explode", nil, nil); err == nil || !strings.Contains(err.Error(), "unknown transform") {
		t.Errorf("err %v", err)
	}
	ren, _ := New("rename", nil, map[string]string{"id": "email"})
	if _, err := ren.Table(tbl); err == nil || !strings.Contains(err.Error(), "two columns would be named email") {
		t.Errorf("err %v", err)
	}
	drop, _ := New("drop", []string{"id", "email", "day"}, nil)
	if _, err := drop.Table(tbl); err == nil {
		t.Error("dropping every column was accepted")
	}
	if _, err := New("drop", nil, nil); err == nil {
		t.Error("empty drop accepted")
	}
}
