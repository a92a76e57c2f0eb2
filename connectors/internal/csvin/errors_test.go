package csvin

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestFatalErrors(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		in      io.Reader
		opts    Options
		records int // returned before the fatal error
		want    error
	}{
		{"utf16le", strings.NewReader("\xFF\xFEa\x00,\x00"), Options{}, 0, ErrUTF16},
		{"utf16be", strings.NewReader("\xFE\xFF\x00a"), Options{}, 0, ErrUTF16},
		{"read error", iotest.ErrReader(boom), Options{}, 0, boom},
		{"read error after data", io.MultiReader(strings.NewReader("a\nb\nc"), iotest.ErrReader(boom)), Options{}, 2, boom},
		{"read error inside quotes", io.MultiReader(strings.NewReader("a\n\"b\n"), iotest.ErrReader(boom)), Options{}, 1, boom},
		{"timeout", iotest.TimeoutReader(strings.NewReader("a\nb\n")), Options{BufferSize: 2}, 1, iotest.ErrTimeout},
		{"no progress", emptyReader{}, Options{}, 0, io.ErrNoProgress},
		{"bad comma", strings.NewReader("a"), Options{Comma: '"'}, 0, nil},
		{"bad sizes", strings.NewReader("a"), Options{MaxRecordBytes: -1, BufferSize: -1}, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(tt.in, tt.opts)
			for i := range tt.records {
				if _, err := r.Next(); err != nil {
					t.Fatalf("record %d: %v", i, err)
				}
			}
			_, err := r.Next()
			if err == nil || err == io.EOF || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			var re *RecordError
			if errors.As(err, &re) {
				t.Fatalf("fatal error %v is a RecordError", err)
			}
			if _, again := r.Next(); again != err {
				t.Fatalf("second call gave %v, want the same fatal %v", again, err)
			}
		})
	}
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

func TestOptionsValidate(t *testing.T) {
	if err := (Options{}).Validate(); err != nil {
		t.Fatalf("zero options: %v", err)
	}
	err := Options{Comma: '\n', MaxRecordBytes: -1, BufferSize: 2 << 30}.Validate()
	for _, want := range []string{"comma", "max record bytes", "buffer size"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to mention %q", err, want)
		}
	}
	if err := (Options{Comma: 0xe9}).Validate(); err == nil {
		t.Error("non-ASCII comma accepted")
	}
}

func TestRecordErrorMessage(t *testing.T) {
	secret := "4111111111111111"
	for _, in := range []string{
		"a," + secret + "\"\n",
		"\"" + secret + "\"x\n",
		"\"" + secret,
		secret + "\xff\n",
		"x\n\"a\n" + secret + "\"x\n",
		strings.Repeat(secret, 10),
	} {
		got, err := readAll(t, strings.NewReader(in), len(in), Options{MaxRecordBytes: 100})
		if err != nil || len(got) == 0 || got[len(got)-1].Err == nil {
			t.Fatalf("%q: got %s, fatal %v; want a RecordError last", in, show(got), err)
		}
		if msg := got[len(got)-1].Err.Error(); strings.Contains(msg, secret) || !strings.Contains(msg, "line") {
			t.Errorf("%q: message %q", in, msg)
		}
	}
	e := &RecordError{Kind: TextAfterQuote, Line: 2, ErrLine: 4, Column: 7}
	if got, want := e.Error(), `record on line 2: line 4, column 7: extraneous text after closing " of quoted field`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := Kind(99).String(); got != "csvin.Kind(99)" {
		t.Errorf("Kind(99) = %q", got)
	}
}

func TestCheckFields(t *testing.T) {
	rec := Record{Fields: [][]byte{[]byte("a"), []byte("b")}, Line: 3}
	if err := rec.CheckFields(2); err != nil {
		t.Fatal(err)
	}
	err := rec.CheckFields(3)
	if !errors.Is(err, ErrFieldCount) || err.Error() != "line 3: wrong number of fields: got 2, want 3" {
		t.Fatalf("CheckFields(3) = %v", err)
	}
}
