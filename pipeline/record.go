package pipeline

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// RowValues returns row i of rec as Go values by column name, in the types
// Record documents: string, int64, float64, bool, time.Time (dates at 00:00
// UTC, timestamps in UTC), []string, map[string]string, or nil for null.
// Columns of other types fail with an error naming the column.
func RowValues(rec arrow.RecordBatch, i int) (map[string]any, error) {
	out := make(map[string]any, rec.NumCols())
	for c := 0; c < int(rec.NumCols()); c++ {
		name := rec.ColumnName(c)
		v, err := ColumnValue(rec.Column(c), i)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", name, err)
		}
		out[name] = v
	}
	return out, nil
}

// ColumnValue is row i of a column as a Record holds it (see FieldType):
// nil for null, strings, int64, float64, bool, time.Time in UTC, lists of
// strings and maps of strings.
func ColumnValue(col arrow.Array, i int) (any, error) {
	if col.IsNull(i) {
		return nil, nil
	}
	switch a := col.(type) {
	case *array.String:
		return a.Value(i), nil
	case *array.LargeString:
		return a.Value(i), nil
	case *array.Int64:
		return a.Value(i), nil
	case *array.Int32:
		return int64(a.Value(i)), nil
	case *array.Int16:
		return int64(a.Value(i)), nil
	case *array.Int8:
		return int64(a.Value(i)), nil
	case *array.Uint32:
		return int64(a.Value(i)), nil
	case *array.Float64:
		return a.Value(i), nil
	case *array.Float32:
		return float64(a.Value(i)), nil
	case *array.Boolean:
		return a.Value(i), nil
	case *array.Date32:
		return a.Value(i).ToTime().UTC(), nil
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return a.Value(i).ToTime(unit).UTC(), nil
	case *array.List:
		return listValue(a, i)
	case *array.Map:
		return mapValue(a, i)
	}
	return nil, fmt.Errorf("type %s cannot be pushed", col.DataType())
}

func listValue(a *array.List, i int) (any, error) {
	vals, ok := a.ListValues().(*array.String)
	if !ok {
		return nil, fmt.Errorf("type %s cannot be pushed (lists of strings only)", a.DataType())
	}
	start, end := a.ValueOffsets(i)
	out := make([]string, 0, end-start)
	for j := start; j < end; j++ {
		out = append(out, vals.Value(int(j)))
	}
	return out, nil
}

func mapValue(a *array.Map, i int) (any, error) {
	keys, kok := a.Keys().(*array.String)
	items, iok := a.Items().(*array.String)
	if !kok || !iok {
		return nil, fmt.Errorf("type %s cannot be pushed (maps of strings only)", a.DataType())
	}
	start, end := a.ValueOffsets(i)
	out := make(map[string]string, end-start)
	for j := start; j < end; j++ {
		if items.IsNull(int(j)) {
			out[keys.Value(int(j))] = ""
			continue
		}
		out[keys.Value(int(j))] = items.Value(int(j))
	}
	return out, nil
}

// PushResultsTable is the table every push writes: one row per change of
// its plan, with what became of it.
const PushResultsTable = "push_results"

// PushResultsSchema is the push_results table's schema.
var PushResultsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "run_id", Type: arrow.BinaryTypes.String},
	{Name: "target", Type: arrow.BinaryTypes.String},
	{Name: "entity", Type: arrow.BinaryTypes.String},
	{Name: "seq", Type: arrow.PrimitiveTypes.Int64},
	{Name: "key", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "action", Type: arrow.BinaryTypes.String},
	{Name: "status", Type: arrow.BinaryTypes.String},
	{Name: "target_id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "fields_changed", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "error_code", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "error", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "origin", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "request", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "request_id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "pushed_at", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
}, nil)

// PushResultsTableDef is push_results as a Table, partitioned by the day
// of the push.
func PushResultsTableDef() Table {
	return Table{Name: PushResultsTable, Schema: PushResultsSchema, PartitionBy: "pushed_at",
		Doc: "one row per change of a push: what the plan said and what the target answered"}
}
