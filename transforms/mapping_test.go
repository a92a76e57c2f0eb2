package transforms

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
)

var personEntity = pipeline.Entity{Name: "persons", Table: "cal_person", Fields: []pipeline.Field{
	{Name: "email", Type: pipeline.TypeString, Required: true},
	{Name: "firstName", Type: pipeline.TypeString, Required: true},
	{Name: "activated", Type: pipeline.TypeDate},
	{Name: "roles", Type: pipeline.TypeList},
	{Name: "enableScheduling", Type: pipeline.TypeBool},
	{Name: "rank", Type: pipeline.TypeInt},
	{Name: "memberGroup", Type: pipeline.TypeString},
}}

func str(s string) *string { return &s }

func TestMappingDefaultsAndExpressions(t *testing.T) {
	m := Mapping{Entity: personEntity, From: "hr", Fields: map[string]Expr{
		"email":       {Column: "work_email"},
		"memberGroup": {Template: "{dept} / {team} {{x}}"},
		"rank":        {Column: "grade", Cast: pipeline.TypeInt},
		"activated":   {Column: "hired", Layout: "MM/DD/YYYY"},
		"roles":       {Const: str("Agent; Supervisor;")},
	}}
	cols := []string{"work_email", "first_name", "dept", "team", "grade", "hired", "enable_scheduling"}
	if err := m.Resolve(cols); err != nil {
		t.Fatal(err)
	}
	row := MapRow{"work_email": "a@b.c", "first_name": "Ann", "dept": "Sales", "team": "East",
		"grade": "7", "hired": "05/01/2024", "enable_scheduling": "yes"}
	rec, err := m.Record(row, "hr.csv:2")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"email": "a@b.c", "firstName": "Ann", "memberGroup": "Sales / East {x}", "rank": int64(7),
		"activated": time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "roles": []string{"Agent", "Supervisor"},
		"enableScheduling": true}
	if !reflect.DeepEqual(rec.Values, want) || rec.Origin != "hr.csv:2" || rec.Entity != "persons" {
		t.Fatalf("record %+v, want %+v", rec.Values, want)
	}
	// A null value is left out rather than sent empty.
	row["grade"] = nil
	rec, err = m.Record(row, "")
	if _, has := rec.Values["rank"]; err != nil || has {
		t.Fatalf("null grade: %v %v", rec.Values, err)
	}
	row["grade"] = "seven"
	if _, err := m.Record(row, ""); err == nil || !strings.Contains(err.Error(), "field rank: not an integer") {
		t.Fatalf("bad grade: %v", err)
	}
}

func TestMappingResolveReportsEveryProblem(t *testing.T) {
	m := Mapping{Entity: personEntity, From: "hr", Fields: map[string]Expr{
		"nosuch":      {Column: "x"},
		"memberGroup": {Template: "{dept"},
		"rank":        {Column: "grade", Const: str("1")},
		"activated":   {Column: "missing"},
	}}
	err := m.Resolve([]string{"work_email"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{"persons has no field nosuch", "field memberGroup: template", "field rank: give exactly one",
		"table hr has no column missing", "required field email", "required field firstName"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}

func TestExprFormatsDates(t *testing.T) {
	d := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	v, err := Expr{Column: "d", Layout: "MM/DD/YYYY"}.Eval(MapRow{"d": d})
	if err != nil || v != "05/01/2024" {
		t.Fatalf("%v %v", v, err)
	}
	v, err = Expr{Column: "d", Cast: pipeline.TypeString}.Eval(MapRow{"d": d})
	if err != nil || v != "2024-05-01" {
		t.Fatalf("%v %v", v, err)
	}
	v, err = Expr{Column: "ms", Cast: pipeline.TypeTimestamp}.Eval(MapRow{"ms": int64(1447100000000)})
	if err != nil || !v.(time.Time).Equal(time.Date(2015, 11, 9, 20, 13, 20, 0, time.UTC)) {
		t.Fatalf("%v %v", v, err)
	}
	if _, err := (Expr{Column: "s", Cast: pipeline.TypeDate}).Eval(MapRow{"s": "1/5/24"}); err == nil {
		t.Fatal("a non-ISO date parsed without a layout")
	}
}

// A record made from a batch's columns in place equals the one made from
// the row as a map; a column the mapping does not read may be of a type
// no record can hold, one it reads may not.
func TestBatchRowsReadInPlace(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "work_email", Type: arrow.BinaryTypes.String},
		{Name: "first_name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "grade", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "photo", Type: arrow.BinaryTypes.Binary, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"a@b.c", "d@e.f"}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"Ann", ""}, []bool{true, false})
	b.Field(2).(*array.Int64Builder).AppendValues([]int64{7, 0}, []bool{true, false})
	b.Field(3).(*array.BinaryBuilder).AppendValues([][]byte{{1}, {2}}, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()

	m := Mapping{Entity: personEntity, From: "hr", Fields: map[string]Expr{
		"email": {Column: "work_email"}, "memberGroup": {Template: "{first_name}-{grade}"}}}
	if err := m.Resolve([]string{"work_email", "first_name", "grade", "photo"}); err != nil {
		t.Fatal(err)
	}
	row := NewBatchRows(rec).Cursor()
	want := []map[string]any{
		{"email": "a@b.c", "firstName": "Ann", "memberGroup": "Ann-7"},
		{"email": "d@e.f", "memberGroup": "-"},
	}
	for i := range 2 {
		got, err := m.Record(row.At(i), "hr.csv:2")
		if err != nil || !reflect.DeepEqual(got.Values, want[i]) {
			t.Fatalf("row %d: %v %v, want %v", i, got.Values, err, want[i])
		}
		grade := []any{int64(7), nil}[i]
		byMap, err := m.Record(MapRow{"work_email": want[i]["email"], "first_name": want[i]["firstName"],
			"grade": grade, "photo": []byte{1}}, "hr.csv:2")
		if err != nil || !reflect.DeepEqual(byMap.Values, got.Values) {
			t.Fatalf("row %d from a map: %v %v, in place: %v", i, byMap.Values, err, got.Values)
		}
	}
	m.Fields["memberGroup"] = Expr{Column: "photo"}
	if _, err := m.Record(row.At(0), "hr.csv:2"); err == nil || !strings.Contains(err.Error(), "field memberGroup: column photo: type binary cannot be pushed") {
		t.Fatalf("a column of binary read: %v", err)
	}
	m.Fields["memberGroup"] = Expr{Column: "gone"}
	if _, err := m.Record(row.At(0), "hr.csv:2"); err == nil || !strings.Contains(err.Error(), "no column gone") {
		t.Fatalf("a column the batch lacks: %v", err)
	}
}
