package push

import (
	"bytes"
	"encoding/csv"
	"io"
	"mime"
	"mime/multipart"
	"slices"
	"testing"

	"github.com/ccetl/ccetl/pipeline"
)

// FuzzMultipartCSV: any header and cells, written as a CSV upload in a
// multipart body, read back with the standard readers, come out the same;
// a file name with quotes or newlines never breaks the body's framing.
func FuzzMultipartCSV(f *testing.F) {
	f.Add("id,name,activatedDate", "0", "Sales, East", "01/04/2018", "groups.csv")
	f.Add("email", "a\"b@c", "line\nbreak", "", `we"ird\name.csv`)
	f.Add("", "", "", "", "")
	f.Fuzz(func(t *testing.T, headerLine, c1, c2, c3, fileName string) {
		header := []string{headerLine, "b", "c"}
		rows := []pipeline.Wire{pipeline.WireMap(map[string]string{headerLine: c1, "b": c2, "c": c3}), pipeline.WireMap(map[string]string{"b": c1})}
		data, err := CSV(header, rows)
		if err != nil {
			return // invalid UTF-8 or the like: refused, not mangled
		}
		if headerLine != "b" && headerLine != "c" && headerLine != "unused" { // the same rows as layout wires write the same bytes
			l := pipeline.NewWireLayout("c", "unused", "b", headerLine)
			r0, r1 := l.New(), l.New()
			r0.Set(headerLine, c1)
			r0.Set("b", c2)
			r0.Set("c", c3)
			r1.Set("b", c1)
			if lay, err := CSV(header, []pipeline.Wire{r0, r1}); err != nil || !bytes.Equal(lay, data) {
				t.Fatalf("layout rows: %q (%v), map rows: %q", lay, err, data)
			}
		}
		body, ctype, err := Multipart(Part{Field: "file", FileName: fileName, Type: "text/csv", Body: bytes.NewReader(data)})
		if err != nil {
			t.Fatal(err)
		}
		_, params, err := mime.ParseMediaType(ctype)
		if err != nil {
			t.Fatalf("content type %q: %v", ctype, err)
		}
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part: %v", err)
		}
		got, err := io.ReadAll(p)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("the part's body changed: %v", err)
		}
		if _, err := mr.NextPart(); err != io.EOF {
			t.Fatalf("a second part appeared: %v", err)
		}
		recs, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
		if err != nil {
			t.Fatalf("the CSV does not read back: %v", err)
		}
		want := [][]string{header, {c1, c2, c3}, {"", c1, ""}}
		if headerLine == "b" || headerLine == "c" { // a repeated column name: cells follow the header, last wins
			return
		}
		for i := range want {
			if !slices.Equal(recs[i], want[i]) && !(i > 0 && onlyCR(recs[i], want[i])) {
				t.Fatalf("row %d: %q, want %q", i, recs[i], want[i])
			}
		}
	})
}

// onlyCR reports rows that differ only by \r\n read back as \n (encoding/csv
// normalizes line endings inside quoted fields).
func onlyCR(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != string(bytes.ReplaceAll([]byte(want[i]), []byte("\r\n"), []byte("\n"))) &&
			got[i] != string(bytes.ReplaceAll([]byte(want[i]), []byte("\r"), []byte("\n"))) {
			return false
		}
	}
	return true
}
