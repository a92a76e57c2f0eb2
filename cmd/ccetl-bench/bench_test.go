package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{2, 2, 9, 1, 2}, 2},
	} {
		in := append([]float64(nil), c.in...)
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
		if !slices.Equal(in, c.in) {
			t.Errorf("median reordered its input: %v", c.in)
		}
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing is not NaN")
	}
}

func TestPairedRatios(t *testing.T) {
	// The median of the per-pair ratios, not the ratio of the medians:
	// medians 2/1 = 2, pairs 2/1, 3/1, 1/0.9.
	r := pairedRatios([]float64{2, 3, 1}, []float64{1, 1, 0.9, 5})
	if len(r) != 3 || r[0] != 2 || r[1] != 3 || math.Abs(r[2]-1/0.9) > 1e-12 {
		t.Fatalf("ratios %v", r)
	}
	if got := median(r); got != 2 {
		t.Fatalf("median ratio %v, want 2", got)
	}
	if r := pairedRatios([]float64{1}, []float64{0}); len(r) != 0 {
		t.Fatalf("a zero time gave ratios %v", r)
	}
}

func TestLayoutDiff(t *testing.T) {
	if d := layoutDiff([]string{"dt=2024-01-01", "dt=2024-01-02"}, []string{"dt=2024-01-01", "dt=2024-01-02"}); d != "" {
		t.Fatalf("same layouts differ: %s", d)
	}
	d := layoutDiff([]string{"dt=2024-01-01", "dt=2024-01-02"}, []string{"dt=2024-01-01", "dt=NULL"})
	if !strings.Contains(d, "only ccetl: dt=2024-01-02") || !strings.Contains(d, "only duckdb: dt=NULL") {
		t.Fatalf("diff %q", d)
	}
}

func TestSQLString(t *testing.T) {
	if got := sqlString("/tmp/it's"); got != "'/tmp/it''s'" {
		t.Fatal(got)
	}
}

// TestConvertGenerated builds ccetl and converts every kind's generated
// input without DuckDB: run fails unless ccetl writes every generated row
// and rejects none.
func TestConvertGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ccetl")
	}
	const rows = 25_000 // three days of contacts, three of WHIT
	var out bytes.Buffer
	args := []string{"-rows", "25000", "-kind", "all", "-pairs", "1", "-duckdb=false", "-iceberg", "-json", "-dir", t.TempDir()}
	if err := run(context.Background(), args, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"whit": 3, "contacts": 3, "parquet": 1}
	if len(rep.Kinds) != len(want) {
		t.Fatalf("%d kinds in the report", len(rep.Kinds))
	}
	for _, k := range rep.Kinds {
		if k.DuckDB != nil {
			t.Errorf("%s: DuckDB ran", k.Kind)
		}
		if k.Ccetl.Partitions != want[k.Kind] || k.Ccetl.OutputBytes == 0 || len(k.Ccetl.Runs) != 1 {
			t.Errorf("%s: %d partitions (want %d), %d bytes, %d runs", k.Kind, k.Ccetl.Partitions, want[k.Kind], k.Ccetl.OutputBytes, len(k.Ccetl.Runs))
		}
		// the CSV kinds also went into an Iceberg table, every row of
		// them (runCcetl checks the count), in one file per day
		switch ic := k.Iceberg; {
		case k.Kind == "parquet" && ic != nil:
			t.Errorf("parquet: ran into Iceberg, which takes no lake options")
		case k.Kind != "parquet" && (ic == nil || ic.Files != want[k.Kind] || ic.OutputBytes == 0 || k.IcebergRatio <= 0):
			t.Errorf("%s: Iceberg %+v, ratio %v", k.Kind, ic, k.IcebergRatio)
		}
	}
	if rep.Rows != rows {
		t.Errorf("report rows %d", rep.Rows)
	}
}

// TestUploadID: the DuckDB statements name the upload ccetl makes of the
// generated inputs, for the rows and the recordings' paths.
func TestUploadID(t *testing.T) {
	dir := t.TempDir()
	in := []string{filepath.Join(dir, "contacts.csv"), filepath.Join(dir, "contacts-media")}
	if _, err := generateContacts(in[0], in[1], 10); err != nil {
		t.Fatal(err)
	}
	id, err := uploadID(in)
	if err != nil || len(id) != 16 {
		t.Fatalf("upload ID %q: %v", id, err)
	}
	stmts := contactsSQL(in, filepath.Join(dir, "out"))
	if len(stmts) != 2 || !strings.Contains(stmts[0], sqlString(id)+" AS upload_id") ||
		!strings.Contains(stmts[0], sqlString("media/"+id+"/")) || !strings.Contains(stmts[1], sqlString(id)+" AS upload_id") {
		t.Fatalf("statements do not name upload %s:\n%s", id, strings.Join(stmts, "\n"))
	}
	if _, err := uploadID([]string{filepath.Join(dir, "missing.csv")}); err == nil {
		t.Fatal("a missing input gave an upload ID")
	}
}

func TestSelectKinds(t *testing.T) {
	all, err := selectKinds("all")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range all {
		names = append(names, k.name)
	}
	if !slices.Equal(names, []string{"whit", "contacts", "parquet"}) {
		t.Fatalf("all: %v", names)
	}
	if ks, err := selectKinds("contacts, contacts-input"); err != nil || len(ks) != 2 || ks[1].name != "contacts-input" {
		t.Fatalf("named kinds: %v %v", ks, err)
	}
	if _, err := selectKinds("nope"); err == nil {
		t.Fatal("an unknown kind was accepted")
	}
}
