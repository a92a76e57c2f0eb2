package maestroqa

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

// collector gathers what a Decoder emits, per table, and releases the
// records.
type collector struct {
	rows, rejects, merged, read map[string]int64
	inputs                      map[string]bool
	rejectList                  []pipeline.Reject
}

func newCollector() *collector {
	return &collector{rows: map[string]int64{}, rejects: map[string]int64{}, merged: map[string]int64{},
		read: map[string]int64{}, inputs: map[string]bool{}}
}

func (c *collector) emit(b pipeline.Batch) error {
	defer b.Release()
	if b.Rec != nil {
		c.rows[b.Table] += b.Rec.NumRows()
	}
	c.rejects[b.Table] += int64(len(b.Rejects))
	c.merged[b.Table] += b.Merged
	c.read[b.Table] += b.RowsRead
	c.inputs[b.Input] = true
	c.rejectList = append(c.rejectList, b.Rejects...)
	return nil
}

// balanced reports whether every row read was written, rejected or merged.
func (c *collector) balanced(t testing.TB) {
	t.Helper()
	for table, n := range c.read {
		if n != c.rows[table]+c.rejects[table]+c.merged[table] {
			t.Fatalf("%s: read %d != rows %d + rejects %d + merged %d", table, n, c.rows[table], c.rejects[table], c.merged[table])
		}
	}
}

func newTestDecoder(t testing.TB) (*Decoder, func()) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	d := NewDecoder(mem, pipeline.BatchPolicy{MaxRows: 3, MaxBytes: 1 << 20})
	return d, func() {
		d.Release()
		mem.AssertSize(t, 0)
	}
}

// TestVerbatimReferenceRejected feeds the reference's own response example,
// which is JS-like pseudo-JSON (unquoted keys, // comments, types instead of
// values, a missing comma after isDeleted), and expects a clear error.
func TestVerbatimReferenceRejected(t *testing.T) {
	for _, name := range []string{"reference_response.verbatim.txt", "reference_error_429.verbatim.txt", "reference_request.verbatim.txt"} {
		t.Run(name, func(t *testing.T) {
			d, done := newTestDecoder(t)
			defer done()
			err := d.Decode(bytes.NewReader(readTestdata(t, name)), name, newCollector().emit)
			if err == nil {
				t.Fatal("pseudo-JSON accepted")
			}
			want := map[string]string{
				"reference_response.verbatim.txt":  "maestroqa export reference_response.verbatim.txt: not valid JSON in record 0 (starting near byte 3): invalid character looking for beginning of object key string",
				"reference_error_429.verbatim.txt": "maestroqa export reference_error_429.verbatim.txt: the input is a JSON object, not the array of coaching sessions the export returns (an API error response looks like {\"error\": ...})",
				"reference_request.verbatim.txt":   "maestroqa export reference_request.verbatim.txt: the input is a JSON object, not the array of coaching sessions the export returns (an API error response looks like {\"error\": ...})",
			}[name]
			if err.Error() != want {
				t.Errorf("error\n %s\nwant\n %s", err, want)
			}
			if tail := strings.TrimPrefix(err.Error(), "maestroqa export "+name); strings.ContainsAny(tail, "'/_") {
				t.Errorf("error quotes a byte of the input: %s", err)
			}
			// The Decoder is spent after a broken body.
			if err2 := d.Decode(strings.NewReader("[]"), "next", newCollector().emit); !errors.Is(err2, err) && err2.Error() != err.Error() {
				t.Errorf("decoder reused after failure: %v", err2)
			}
		})
	}
	// Through the kind, the run fails and nothing is committed.
	_, out, err := lakecheck.Run(t, Kind(), nil, "", filepath.Join("testdata", "reference_response.verbatim.txt"))
	if err == nil || !strings.Contains(err.Error(), "no .json input file") {
		t.Errorf("kind on a .txt: %v", err)
	}
	dir := t.TempDir()
	p := lakecheck.WriteFile(t, dir, "reference.json", string(readTestdata(t, "reference_response.verbatim.txt")))
	for _, opts := range []map[string]string{nil, {"duplicates": "first"}} {
		_, out, err = lakecheck.Run(t, Kind(), opts, "", p)
		if err == nil || !strings.Contains(err.Error(), "not valid JSON in record 0") {
			t.Errorf("kind %v on the verbatim reference: %v", opts, err)
		}
		if files := lakecheck.Files(t, out, SessionTableName); len(files) != 0 {
			t.Errorf("failed run committed %v", files)
		}
	}
}

func TestBrokenBodies(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"empty", "", "empty input: want a JSON array of coaching sessions"},
		{"blank", " \r\n\t", "empty input"},
		{"bom only", "\xEF\xBB\xBF", "empty input"},
		{"error response", string(readTestdata(t, "error_429.json")), "the input is a JSON object, not the array of coaching sessions"},
		{"string", `"sessions"`, "the input is a single JSON value"},
		{"not json", `sessions`, "not valid JSON at the start: invalid character looking for beginning of value"},
		{"cut short", `[{"_id": "a"}`, "unexpected end of input after record 0: the JSON array is cut short"},
		{"cut inside", `[{"_id": "a"}, {"_id": `, "unexpected end of input in record 1 (starting near byte 13)"},
		{"open only", `[`, "unexpected end of input after the opening [: the JSON array is cut short"},
		{"missing comma", `[{"_id": "a"} {"_id": "b"}]`, "not valid JSON in record 1 (starting near byte 14): expected comma after array element"},
		{"trailing comma", `[{"_id": "a"},]`, "not valid JSON in record 1"},
		{"data after", `[{"_id": "a"}] [{"_id": "b"}]`, "data after the closing ] of the array (near byte 16)"},
		{"garbage after", `[] x`, "not valid JSON after the closing ] of the array: invalid character looking for beginning of value"},
		{"second bom", "[]\xEF\xBB\xBF", "not valid JSON after the closing ]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, done := newTestDecoder(t)
			defer done()
			col := newCollector()
			err := d.Decode(strings.NewReader(c.in), "body", col.emit)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "maestroqa export body: ") {
				t.Errorf("error does not name the source: %v", err)
			}
			col.balanced(t)
		})
	}
}

func TestEmptyArrayAndBOM(t *testing.T) {
	d, done := newTestDecoder(t)
	defer done()
	col := newCollector()
	for _, in := range []string{"[]", "\xEF\xBB\xBF[\r\n]\r\n", " [ ] "} {
		if err := d.Decode(strings.NewReader(in), "body", col.emit); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
	}
	if len(col.read) != 0 {
		t.Errorf("rows from empty arrays: %v", col.read)
	}
	// A BOM and CRLF line ends do not change the rows.
	plain := newCollector()
	bom := newCollector()
	fix := readTestdata(t, "export.json")
	if err := d.Decode(bytes.NewReader(fix), "plain", plain.emit); err != nil {
		t.Fatal(err)
	}
	d2, done2 := newTestDecoder(t)
	defer done2()
	crlf := bytes.ReplaceAll(fix, []byte("\n"), []byte("\r\n"))
	if err := d2.Decode(bytes.NewReader(append([]byte("\xEF\xBB\xBF"), crlf...)), "bom", bom.emit); err != nil {
		t.Fatal(err)
	}
	for _, tb := range Tables {
		if plain.rows[tb.Name] == 0 || plain.rows[tb.Name] != bom.rows[tb.Name] {
			t.Errorf("%s: %d rows plain, %d with BOM and CRLF", tb.Name, plain.rows[tb.Name], bom.rows[tb.Name])
		}
	}
}

// TestDecoderAcrossBodies decodes the same export as two API windows with
// one Decoder: the second body only merges, and each batch names its body.
func TestDecoderAcrossBodies(t *testing.T) {
	d, done := newTestDecoder(t)
	defer done()
	fix := readTestdata(t, "export.json")
	first, second := newCollector(), newCollector()
	if err := d.Decode(bytes.NewReader(fix), "window-1", first.emit); err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer // the same content, formatted differently
	if err := json.Compact(&compact, fix); err != nil {
		t.Fatal(err)
	}
	if err := d.Decode(&compact, "window-2", second.emit); err != nil {
		t.Fatal(err)
	}
	first.balanced(t)
	second.balanced(t)
	if !first.inputs["window-1"] || len(first.inputs) != 1 || !second.inputs["window-2"] || len(second.inputs) != 1 {
		t.Errorf("batch inputs: %v, %v", first.inputs, second.inputs)
	}
	wantFirst := map[string]int64{SessionTableName: 2, ActivityLogTableName: 3, PointTableName: 3, PointFormTableName: 4, TodoTableName: 3, TodoFormTableName: 3}
	for table, n := range wantFirst {
		if first.rows[table] != n {
			t.Errorf("window 1 %s: %d rows, want %d", table, first.rows[table], n)
		}
		if second.rows[table] != 0 || second.merged[table] != second.read[table] || second.read[table] == 0 {
			t.Errorf("window 2 %s: rows %d, merged %d of %d; want everything merged", table, second.rows[table], second.merged[table], second.read[table])
		}
	}
	rep := d.Report()["maestroqa_duplicates"].(map[string]any)
	points := rep[PointTableName].(map[string]int64)
	// 1 repeat inside window 1, then all 4 copies of window 2.
	if points["duplicates_merged"] != 5 || points["differing_duplicates"] != 0 || points["ids"] != 3 {
		t.Errorf("point report %v", points)
	}
	if sessions := rep[SessionTableName].(map[string]int64); sessions["duplicates_merged"] != 2 || sessions["differing_duplicates"] != 0 {
		t.Errorf("session report %v: a re-formatted copy counts as different", sessions)
	}
	if rep["kept"] != "first valid copy (one pass)" {
		t.Errorf("kept %v", rep["kept"])
	}
}
