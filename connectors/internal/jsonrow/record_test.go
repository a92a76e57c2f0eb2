package jsonrow

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
)

var schema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.BinaryTypes.String},
	{Name: "at", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "owner", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "tags", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

func stage(t *testing.T, raw string) (*Record, arrow.RecordBatch) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	b := rowbuild.NewBuilder(mem, schema)
	t.Cleanup(b.Release)
	var r Record
	if r.Open(b, []byte(raw)) {
		r.Key(0, "id")
		r.TS(1, "at", true)
		r.Int(2, "n")
		r.Bool(3, "ok")
		r.Ref(4, "owner")
		r.JSON(5, "tags", '[')
	}
	if r.Bad != nil {
		b.Discard()
		return &r, nil
	}
	b.Commit()
	rec := b.NewBatch()
	t.Cleanup(rec.Release)
	return &r, rec
}

func TestRecordStagesTypedValues(t *testing.T) {
	_, rec := stage(t, `{"id":"a1","at":"2024-05-01T10:00:00Z","n":7,"ok":true,"owner":{"id":"u9","selfUri":"/x"},"tags":[ 1, 2 ],"extra":null}`)
	if rec == nil {
		t.Fatal("rejected")
	}
	if got := rec.Column(1).(*array.Timestamp).Value(0); got != 1714557600000 {
		t.Errorf("at = %d", got)
	}
	if rec.Column(2).(*array.Int64).Value(0) != 7 || !rec.Column(3).(*array.Boolean).Value(0) ||
		rec.Column(4).(*array.String).Value(0) != "u9" || rec.Column(5).(*array.String).Value(0) != "[1,2]" {
		t.Errorf("row %v", rec)
	}
}

func TestRecordProblemsNameTheFieldNotTheValue(t *testing.T) {
	for raw, want := range map[string]string{
		`[1]`:                                    "not a JSON object",
		`{"at":"2024-05-01T10:00:00Z"}`:          "id: required value is missing",
		`{"id":"a","at":"secret-value"}`:         "at: not a valid timestamp",
		`{"id":"a","at":"2024-05-01","n":"7"}`:   "n: not a whole JSON number (got string)",
		`{"id":"a","at":"2024-05-01","ok":1}`:    "ok: not a JSON boolean (got number)",
		`{"id":"a","at":"2024-05-01","tags":{}}`: "tags: not a JSON array (got object)",
		`{"id":"a"}`:                             "at: required value is missing",
	} {
		r, rec := stage(t, raw)
		if rec != nil || r.Bad == nil {
			t.Errorf("%s: accepted", raw)
			continue
		}
		got := r.Bad.Field + ": " + r.Bad.Err.Error()
		if r.Bad.Field == "" {
			got = r.Bad.Err.Error()
		}
		if !strings.Contains(got, want) || strings.Contains(got, "secret") {
			t.Errorf("%s: problem %q, want %q", raw, got, want)
		}
	}
	if !errors.Is(ErrMissing, ErrMissing) || Type(nil) != "nothing" {
		t.Error("helpers")
	}
}
