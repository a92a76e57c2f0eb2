package api

import (
	"encoding/json"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/connectors/internal/parse"
	"github.com/ccetl/ccetl/connectors/internal/rowbuild"
	"github.com/ccetl/ccetl/pipeline"
)

// FuzzContactAnswer decodes arbitrary search answers: never a panic, every
// element written or rejected, and the Arrow memory returned.
func FuzzContactAnswer(f *testing.F) {
	f.Add(calabriotest.ContactExample)
	f.Add(calabriotest.ContactExampleVerbatim)
	f.Add([]byte(`[{"id":1,"metadata":{"a":"b","c":[1]}},{"id":"x"},{},null,[1]]`))
	f.Add([]byte(`[{"id":2,"metadata":[{"key":"k","value":"v"},{"name":"n"}],"team":null,"agent":{"x":1}}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		pol := pipeline.BatchPolicy{MaxRows: 3, MaxBytes: 1 << 16}
		bt := rowbuild.NewBatcher(mem, Contact, pol)
		defer bt.Release()
		var elements, rejected, written int64
		err := eachElement(body, func(i int, raw json.RawMessage) {
			elements++
			if _, _, err := stageContact(bt.B, raw, 1, nil); err != nil {
				bt.Reject(pipeline.Reject{RowError: pipeline.RowError{Source: "fuzz", Record: int64(i), Err: err}, Raw: string(raw)})
				rejected++
			} else {
				bt.Commit(len(raw))
				written++
			}
			if bt.Full() {
				b := bt.Flush("fuzz")
				b.Release()
			}
		})
		b := bt.Flush("fuzz")
		b.Release()
		if err == nil && elements != written+rejected {
			t.Fatalf("%d elements, %d written, %d rejected", elements, written, rejected)
		}
	})
}

// FuzzReportPage decodes arbitrary CSV pages against the test columns:
// never a panic, the rows counted match the rows accounted for.
func FuzzReportPage(f *testing.F) {
	f.Add([]byte("Agent Name,Calls,Handle Time,Date,Contact Start,Note\nA,1,2.5,3/1/2024,1709251200000,x\n"))
	f.Add([]byte("Calls,Calls\n1,2\n"))
	f.Add([]byte("Date,Contact Start\n2024-03-01,2024-03-01T10:00:00Z\n13/13/2024,3/1/2024 1:02 PM\n\"unterminated\n"))
	f.Add([]byte(""))
	cols, err := parseColumns(reportColumns)
	if err != nil {
		f.Fatal(err)
	}
	o := reportOptions{Name: "fuzz", Columns: cols}
	table, err := reportTable(o)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		bt := rowbuild.NewBatcher(mem, table, pipeline.BatchPolicy{MaxRows: 2, MaxBytes: 1 << 16})
		defer bt.Release()
		var accounted int64
		flush := func() {
			b := bt.Flush("fuzz")
			accounted += b.RowsRead
			b.Release()
		}
		n, err := decodePage(body, cols, parse.MDY, pageMeta{source: "fuzz"}, bt, flush)
		flush()
		if err == nil && int64(n) != accounted {
			t.Fatalf("page of %d rows, %d accounted for", n, accounted)
		}
	})
}
