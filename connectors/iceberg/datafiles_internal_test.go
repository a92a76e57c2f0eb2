package iceberg

import (
	"strings"
	"testing"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"github.com/ccetl/ccetl/pipeline"
)

// A table partitioned other than by day of the ccetl table's date column
// (made by another tool, or before the column changed) is refused with the
// spec named, before anything is written; day and none are written.
func TestGranularityOfATablesSpec(t *testing.T) {
	sc := iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "id", Type: iceberg.PrimitiveTypes.String, Required: true},
		iceberg.NestedField{ID: 2, Name: "day", Type: iceberg.PrimitiveTypes.Date},
		iceberg.NestedField{ID: 3, Name: "agent", Type: iceberg.PrimitiveTypes.String})
	tableOf := func(spec iceberg.PartitionSpec) *table.Table {
		meta, err := table.NewMetadata(sc, &spec, table.UnsortedSortOrder, "file:///tmp/t", nil)
		if err != nil {
			t.Fatal(err)
		}
		return table.New(table.Identifier{"ccetl", "t"}, meta, "file:///tmp/t/metadata/v1.json", nil, nil)
	}
	day := iceberg.NewPartitionSpec(iceberg.PartitionField{SourceIDs: []int{2}, FieldID: 1000, Name: "day_day", Transform: iceberg.DayTransform{}})
	ident := iceberg.NewPartitionSpec(iceberg.PartitionField{SourceIDs: []int{3}, FieldID: 1000, Name: "agent", Transform: iceberg.IdentityTransform{}})
	month := iceberg.NewPartitionSpec(iceberg.PartitionField{SourceIDs: []int{2}, FieldID: 1000, Name: "day_month", Transform: iceberg.MonthTransform{}})
	for _, c := range []struct {
		spec  iceberg.PartitionSpec
		by    string
		grain string
	}{
		{day, "day", "day"},
		{*iceberg.UnpartitionedSpec, "day", "none"},
		{ident, "day", ""},
		{month, "day", ""},
		{day, "agent", ""},
	} {
		ts := &tableState{t: pipeline.Table{Name: "t", PartitionBy: c.by}, tbl: tableOf(c.spec)}
		g, err := granularity(ts)
		switch {
		case c.grain == "" && (err == nil || !strings.Contains(err.Error(), "partition spec")):
			t.Errorf("spec %s, partition_by %s: %v, want a refusal naming the spec", c.spec, c.by, err)
		case c.grain != "" && (err != nil || string(g) != c.grain):
			t.Errorf("spec %s, partition_by %s: %q %v, want %s", c.spec, c.by, g, err, c.grain)
		}
	}
}
