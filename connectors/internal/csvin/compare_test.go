package csvin

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

var bom = []byte("\xEF\xBB\xBF")

// checkInput reads data in every way of readers, checks that they agree and
// that Raw and Line account for every input byte, and, for valid UTF-8
// shorter than the record limit, that encoding/csv reads the same records
// and finds the same bad records.
func checkInput(t testing.TB, data []byte, opts Options) {
	t.Helper()
	var first []result
	for i, rd := range readers {
		got, err := readAll(t, rd.wrap(bytes.NewReader(data)), len(data), rd.opts(opts))
		if bytes.HasPrefix(data, []byte("\xFF\xFE")) || bytes.HasPrefix(data, []byte("\xFE\xFF")) {
			if err != ErrUTF16 || len(got) > 0 {
				t.Fatalf("%s: UTF-16 input gave %d records, error %v", rd.name, len(got), err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%s: fatal error %v", rd.name, err)
		}
		if i == 0 {
			first = got
			continue
		}
		if !reflect.DeepEqual(got, first) {
			t.Fatalf("%s differs from %s on %q\n got %s\nwant %s", rd.name, readers[0].name, data, show(got), show(first))
		}
	}
	checkRaw(t, data, first, opts.withDefaults().MaxRecordBytes)
	if utf8.Valid(data) && opts.withDefaults().MaxRecordBytes >= len(data) {
		compareStd(t, data, first)
	}
}

// checkRaw checks that the records' Raw, Line and the skipped blank lines
// and terminators between them make up the input.
func checkRaw(t testing.TB, data []byte, got []result, maxRecord int) {
	t.Helper()
	in := bytes.TrimPrefix(data, bom)
	off, line := 0, int64(1)
	skipBlank := func() {
		for {
			switch rest := in[off:]; {
			case bytes.HasPrefix(rest, []byte("\n")):
				off, line = off+1, line+1
			case bytes.HasPrefix(rest, []byte("\r\n")):
				off, line = off+2, line+1
			case string(rest) == "\r":
				off++
			default:
				return
			}
		}
	}
	for i, r := range got {
		skipBlank()
		if r.Line != line || !bytes.HasPrefix(in[off:], []byte(r.Raw)) || r.Raw == "" {
			t.Fatalf("result %d of %q: line %d raw %q, want line %d and a prefix of %q", i, data, r.Line, r.Raw, line, in[off:])
		}
		if r.Err != nil && r.Err.Kind == RecordTooLong {
			// The record ends with the line on which it passes the limit.
			if len(r.Raw) != maxRecord {
				t.Fatalf("result %d of %q: too long record's raw %q is not %d bytes", i, data, r.Raw, maxRecord)
			}
			start := off
			for {
				nl := bytes.IndexByte(in[off:], '\n')
				if nl < 0 {
					off = len(in)
					break
				}
				end := off + nl
				n := end - start
				if end > start && in[end-1] == '\r' {
					n--
				}
				off, line = end+1, line+1
				if n > maxRecord {
					break
				}
			}
			continue
		}
		off += len(r.Raw)
		line += int64(strings.Count(r.Raw, "\n"))
		switch rest := in[off:]; {
		case bytes.HasPrefix(rest, []byte("\n")):
			off, line = off+1, line+1
		case bytes.HasPrefix(rest, []byte("\r\n")):
			off, line = off+2, line+1
		case string(rest) == "\r" || len(rest) == 0:
			off = len(in)
		default:
			t.Fatalf("result %d of %q: raw %q is not followed by a line end", i, data, r.Raw)
		}
	}
	skipBlank()
	if off != len(in) {
		t.Fatalf("input %q: %q is not accounted for", data, in[off:])
	}
}

// compareStd checks got, what Reader returned for data, against
// encoding/csv. Line breaks in quoted fields are compared as encoding/csv
// gives them ("\r\n" becomes "\n").
func compareStd(t testing.TB, data []byte, got []result) {
	t.Helper()
	std := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, bom)))
	std.FieldsPerRecord = -1
	for i := 0; ; i++ {
		fields, err := std.Read()
		if err == io.EOF {
			if i != len(got) {
				t.Fatalf("input %q: encoding/csv ends after %d records, Reader gave %d:%s", data, i, len(got), show(got))
			}
			return
		}
		if i >= len(got) {
			t.Fatalf("input %q: Reader ends after %d records, encoding/csv has more: %q %v", data, i, fields, err)
		}
		g := got[i]
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if g.Err == nil || g.Line != int64(pe.StartLine) || !sameError(g.Err, pe) {
				t.Fatalf("input %q record %d: encoding/csv error %v, Reader gave %s", data, i, err, show(got[i:i+1]))
			}
			continue
		}
		if err != nil {
			t.Fatalf("input %q: encoding/csv: %v", data, err)
		}
		line, _ := std.FieldPos(0)
		mine := make([]string, len(g.Fields))
		for j, f := range g.Fields {
			mine[j] = strings.ReplaceAll(f, "\r\n", "\n")
		}
		if g.Err != nil || g.Line != int64(line) || !reflect.DeepEqual(mine, fields) {
			t.Fatalf("input %q record %d: encoding/csv gives line %d %q, Reader gave %s", data, i, line, fields, show(got[i:i+1]))
		}
	}
}

// sameError reports whether e is the error encoding/csv reports as pe.
func sameError(e *RecordError, pe *csv.ParseError) bool {
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return e.Kind == BareQuote && e.ErrLine == int64(pe.Line) && e.Column == pe.Column
	case errors.Is(pe.Err, csv.ErrQuote) && e.Kind == TextAfterQuote:
		// encoding/csv points at the closing quote, Reader at the byte after it.
		return e.ErrLine == int64(pe.Line) && e.Column == pe.Column+1
	case errors.Is(pe.Err, csv.ErrQuote):
		// encoding/csv points at the end of the input, Reader at the opening quote.
		return e.Kind == UnterminatedQuote
	}
	return false
}

// genCSV writes a random valid CSV file: quoted and unquoted fields with
// commas, quotes, CR, LF and multi-byte characters, mixed line endings,
// blank lines, and sometimes no final line end.
func genCSV(rng *rand.Rand) []byte {
	pieces := []string{"a", "bc", "7", "-1.5", " ", ",", `"`, `""`, "\n", "\r", "\r\n", "é", "日本", "\t", ";"}
	var b bytes.Buffer
	if rng.IntN(10) == 0 {
		b.Write(bom)
	}
	for range rng.IntN(20) {
		if rng.IntN(8) == 0 {
			b.WriteString([]string{"\n", "\r\n"}[rng.IntN(2)])
		}
		for f := range 1 + rng.IntN(6) {
			if f > 0 {
				b.WriteByte(',')
			}
			var v strings.Builder
			n := rng.IntN(5)
			if rng.IntN(10) == 0 {
				n = rng.IntN(60) // long fields cross word and buffer boundaries
			}
			for range n {
				v.WriteString(pieces[rng.IntN(len(pieces))])
			}
			s := v.String()
			if strings.ContainsAny(s, ",\"\r\n") || rng.IntN(4) == 0 {
				s = `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
			}
			b.WriteString(s)
		}
		b.WriteString([]string{"\n", "\r\n"}[rng.IntN(2)])
	}
	if rng.IntN(3) == 0 {
		b.Truncate(len(bytes.TrimRight(b.Bytes(), "\r\n")))
	}
	return b.Bytes()
}

func TestAgainstEncodingCSV(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for range n {
		data := genCSV(rng)
		checkInput(t, data, Options{})
		if !utf8.Valid(data) {
			t.Fatalf("generator made invalid UTF-8: %q", data)
		}
	}
}

// TestGeneratedErrors breaks generated files with stray quotes, invalid
// UTF-8 and a small record limit, and checks that the Reader resyncs the
// way encoding/csv does and accounts for every byte.
func TestGeneratedErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 1000 {
		data := genCSV(rng)
		for range 1 + rng.IntN(3) {
			if len(data) == 0 {
				break
			}
			i := rng.IntN(len(data))
			c := []byte{'"', '"', 0xff, '\n', 0xc3}[rng.IntN(5)]
			data = append(data[:i:i], append([]byte{c}, data[i:]...)...)
		}
		checkInput(t, data, Options{})
		checkInput(t, data, Options{MaxRecordBytes: 1 + rng.IntN(20)})
	}
}
