package org

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/internal/csvin"
	"github.com/ccetl/ccetl/connectors/internal/inputs"
	"github.com/ccetl/ccetl/connectors/internal/tabular"
	"github.com/ccetl/ccetl/pipeline"
)

// drain reads a file with the kind's layout through the shared CSV loop
// and returns the rows read, written and rejected. A header the layout
// refuses gives an error.
func drain(tb testing.TB, s *spec, opts map[string]string, path string, policy pipeline.BatchPolicy) (read, written, rejected int64, err error) {
	o, err := s.parseOptions(opts)
	if err != nil {
		tb.Fatal(err)
	}
	set, err := inputs.Resolve([]string{path}, inputs.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(tb, 0)
	src, err := tabular.NewSource(tabular.Config{Files: set, Tables: []pipeline.Table{s.table}, Accept: tabular.IsCSV,
		Open: s.layout(o), Policy: policy, Mem: mem})
	if err != nil {
		tb.Fatal(err)
	}
	defer src.Close()
	for {
		b, err := src.Next(context.Background())
		if errors.Is(err, pipeline.ErrEndOfInput) {
			return read, written, rejected, nil
		}
		if err != nil {
			return read, written, rejected, err
		}
		var n int64
		if b.Rec != nil {
			n = b.Rec.NumRows()
		}
		if b.RowsRead != n+int64(len(b.Rejects))+b.Merged {
			tb.Fatalf("batch: %d rows read, %d written, %d rejected", b.RowsRead, n, len(b.Rejects))
		}
		read, written, rejected = read+b.RowsRead, written+n, rejected+int64(len(b.Rejects))
		b.Release()
	}
}

// records counts the records after the header, good or bad, as the
// tokenizer sees them.
func records(data []byte) int64 {
	r := csvin.NewReader(bytes.NewReader(data), csvin.Options{})
	var n int64 = -1
	for {
		_, err := r.Next()
		if err == io.EOF {
			return max(n, 0)
		}
		var re *csvin.RecordError
		if err != nil && !errors.As(err, &re) {
			return max(n, 0)
		}
		n++
	}
}

func fuzzKind(f *testing.F, s *spec, seeds ...string) {
	for _, name := range seeds {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "in.csv")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		read, written, rejected, err := drain(t, s, map[string]string{"header_map": "Owner=-"}, p,
			pipeline.BatchPolicy{MaxRows: 3, MaxBytes: 1 << 20})
		if err != nil {
			if read != 0 {
				t.Fatalf("the file failed after %d rows: %v", read, err)
			}
			return // a refused header or a fatal input error fails the file
		}
		if read != written+rejected {
			t.Fatalf("read %d, written %d, rejected %d", read, written, rejected)
		}
		if want := records(data); read != want {
			t.Fatalf("accounted for %d rows, the file has %d records after its header", read, want)
		}
	})
}

func FuzzGroups(f *testing.F) {
	f.Add([]byte("id,name,activatedDate,deactivatedDate\n0,\"a,\"\"b\",8/17/2016,12/31/2999\n0,x\n\xff,1,2,3\n"))
	fuzzKind(f, groups, "groups_reference_repaired.csv", "groups_reference_verbatim.csv", "groups_export.csv")
}

func FuzzTeams(f *testing.F) {
	fuzzKind(f, teams, "teams_reference.csv", "teams_export_reference.csv")
}

func FuzzPersons(f *testing.F) {
	fuzzKind(f, persons, "persons_upload.csv", "persons_export.csv")
}
