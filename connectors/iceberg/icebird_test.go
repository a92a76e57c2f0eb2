package iceberg_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// These tests read the tables the sink writes with icebird, an Iceberg
// reader in JavaScript on hyparquet that shares no code with iceberg-go or
// with the Go reader of reader_test.go: .ci/icebird/read.mjs takes a
// table's current metadata file (from the catalog) and prints the rows of
// its current snapshot as JSON. The expected rows come from the inputs
// written. Only the deflate blocks of the Avro manifest lists and
// manifests are decoded by Node's zlib rather than icebird's own decoder,
// which fails on every stream Go's compress/flate writes (see
// .ci/icebird/avro-inflate.mjs). They need node and .ci/icebird/node_modules, installed by
// `bash .ci/icebird.sh`; without them they skip, except under CI=true,
// where they fail.

// icebirdTable is what read.mjs prints.
type icebirdTable struct {
	FormatVersion  int                  `json:"format_version"`
	Columns        []string             `json:"columns"`
	DataFiles      int                  `json:"data_files"`
	RemovedEntries int                  `json:"removed_entries"`
	DeleteFiles    int                  `json:"delete_files"`
	RowCount       int                  `json:"row_count"`
	Rows           []map[string]*string `json:"rows"`
}

// icebirdScript finds node and .ci/icebird/read.mjs with its installed
// packages.
func icebirdScript(t *testing.T) (node, script string) {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s; CI must run: bash .ci/icebird.sh", msg)
		}
		t.Skipf("%s; run: bash .ci/icebird.sh", msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("no node on PATH (Node.js 20 or later)")
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	project := filepath.Join(dir, ".ci", "icebird")
	if _, err := os.Stat(filepath.Join(project, "node_modules", "icebird", "package.json")); err != nil {
		missing("icebird is not installed in %s", filepath.Join(project, "node_modules"))
	}
	return node, filepath.Join(project, "read.mjs")
}

// icebirdRead reads the current snapshot of the table whose metadata file
// is loc.
func icebirdRead(t *testing.T, loc string) icebirdTable {
	t.Helper()
	node, script := icebirdScript(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, node, script, loc)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("icebird reading %s: %v\n%s", loc, err, stderr.String())
	}
	var out icebirdTable
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("icebird output for %s: %v\n%s", loc, err, stdout.String())
	}
	if out.RowCount != len(out.Rows) {
		t.Fatalf("icebird output for %s: row_count %d, %d rows", loc, out.RowCount, len(out.Rows))
	}
	return out
}

// icebirdWant is the rows of rs as read.mjs prints them: integers in
// decimal, timestamps in UTC with milliseconds, dates as YYYY-MM-DD.
func icebirdWant(rs ...rows) []map[string]string {
	var out []map[string]string
	for _, r := range rs {
		for i := r.from; i < r.to; i++ {
			out = append(out, map[string]string{
				"id":         fmt.Sprintf("c%05d", i),
				"agent":      fmt.Sprint(i % 7),
				"updated_at": r.upd.UTC().Format("2006-01-02T15:04:05.000Z"),
				"day":        base.AddDate(0, 0, i%3).Format("2006-01-02"),
			})
		}
	}
	return out
}

// icebirdRowKey renders a row's columns in a fixed order, nulls as <null>.
func icebirdRowKey(cols []string, get func(string) (string, bool)) string {
	var b strings.Builder
	for _, c := range cols {
		v, ok := get(c)
		if !ok {
			v = "<null>"
		}
		fmt.Fprintf(&b, "%s=%q ", c, v)
	}
	return b.String()
}

// checkIcebird reads the table's current snapshot from the SQLite catalog
// in dir with icebird and compares it with want, row by row and value by
// value, in any order (rows may repeat). It returns what icebird read.
func checkIcebird(t *testing.T, step, dir string, want []map[string]string) icebirdTable {
	t.Helper()
	loc := sqliteLocation(t, filepath.Join(dir, "catalog.db"), contacts.Name)
	return checkIcebirdAt(t, step, loc, want)
}

// checkIcebirdAt is checkIcebird for the metadata file loc.
func checkIcebirdAt(t *testing.T, step, loc string, want []map[string]string) icebirdTable {
	t.Helper()
	got := icebirdRead(t, loc)
	t.Logf("%s: icebird read %d rows from %d data files, skipping %d removed entries (format v%d)",
		step, got.RowCount, got.DataFiles, got.RemovedEntries, got.FormatVersion)
	var cols []string
	for _, f := range contacts.Schema.Fields() {
		cols = append(cols, f.Name)
	}
	if fmt.Sprint(got.Columns) != fmt.Sprint(cols) {
		t.Errorf("%s: icebird reads columns %v, want %v", step, got.Columns, cols)
	}
	if got.RowCount != len(want) {
		t.Errorf("%s: icebird reads %d rows, want %d", step, got.RowCount, len(want))
	}
	if got.DeleteFiles != 0 {
		t.Errorf("%s: the snapshot lists %d delete files; the sink writes none", step, got.DeleteFiles)
	}
	var gotKeys, wantKeys []string
	for _, r := range got.Rows {
		gotKeys = append(gotKeys, icebirdRowKey(cols, func(c string) (string, bool) {
			v := r[c]
			if v == nil {
				return "", false
			}
			return *v, true
		}))
	}
	for _, r := range want {
		wantKeys = append(wantKeys, icebirdRowKey(cols, func(c string) (string, bool) {
			v, ok := r[c]
			return v, ok
		}))
	}
	sort.Strings(gotKeys)
	sort.Strings(wantKeys)
	// walk both sorted lists, reporting the first rows that differ
	bad := 0
	for i, j := 0, 0; (i < len(gotKeys) || j < len(wantKeys)) && bad < 10; {
		switch {
		case j == len(wantKeys) || (i < len(gotKeys) && gotKeys[i] < wantKeys[j]):
			t.Errorf("%s: icebird reads an unexpected row %s", step, gotKeys[i])
			i++
			bad++
		case i == len(gotKeys) || wantKeys[j] < gotKeys[i]:
			t.Errorf("%s: icebird does not read the row %s", step, wantKeys[j])
			j++
			bad++
		default:
			i++
			j++
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return got
}

// TestIcebirdReadsAppends reads an append-mode table after each of two runs
// of the same input: every run's rows stay.
func TestIcebirdReadsAppends(t *testing.T) {
	icebirdScript(t)
	dir := t.TempDir()
	url := "iceberg://" + dir
	opts := map[string]string{"mode": "append"}
	t1, t2 := base.Add(time.Hour), base.Add(2*time.Hour)
	runOnce(t, url, opts, "run-1", rows{"a.csv", 0, 100, t1})
	checkIcebird(t, "run 1", dir, icebirdWant(rows{"a.csv", 0, 100, t1}))
	runOnce(t, url, opts, "run-2", rows{"a.csv", 0, 100, t2})
	got := checkIcebird(t, "run 2", dir, icebirdWant(rows{"a.csv", 0, 100, t1}, rows{"a.csv", 0, 100, t2}))
	if got.RemovedEntries != 0 {
		t.Errorf("run 2: an append lists %d removed files", got.RemovedEntries)
	}
}

// TestIcebirdReadsReplace reads a table whose rerun of one input replaced
// that input's files, and reads the first snapshot again from its own
// metadata file.
func TestIcebirdReadsReplace(t *testing.T) {
	icebirdScript(t)
	dir := t.TempDir()
	url := "iceberg://" + dir
	catalog := filepath.Join(dir, "catalog.db")
	t1, t2 := base.Add(time.Hour), base.Add(24*time.Hour)
	runOnce(t, url, nil, "run-1", rows{"a.csv", 0, 100, t1}, rows{"b.csv", 100, 150, t1})
	first := sqliteLocation(t, catalog, contacts.Name)
	want1 := icebirdWant(rows{"a.csv", 0, 100, t1}, rows{"b.csv", 100, 150, t1})
	checkIcebirdAt(t, "run 1", first, want1)

	// input a again, now 80 rows at t2: its 100 rows are replaced, b's kept
	runOnce(t, url, nil, "run-2", rows{"a.csv", 0, 80, t2})
	checkIcebird(t, "run 2", dir, icebirdWant(rows{"a.csv", 0, 80, t2}, rows{"b.csv", 100, 150, t1}))
	if sqliteLocation(t, catalog, contacts.Name) == first {
		t.Fatal("run 2 did not commit a new metadata file")
	}
	// the first run's metadata file still reads as it was
	checkIcebirdAt(t, "run 1 after run 2", first, want1)
}

// TestIcebirdReadsMerge reads a merge-mode table after a later window
// updated some keys: the files holding them were rewritten, so the current
// snapshot lists removed files, which icebird must not read.
func TestIcebirdReadsMerge(t *testing.T) {
	icebirdScript(t)
	dir := t.TempDir()
	url := "iceberg://" + dir
	opts := map[string]string{"mode": "contacts=merge", "key": "contacts=id"}
	t1, t2 := base.Add(time.Hour), base.Add(48*time.Hour)
	runOnce(t, url, opts, "run-1", rows{"window-1", 0, 100, t1})
	checkIcebird(t, "run 1", dir, icebirdWant(rows{"window-1", 0, 100, t1}))

	// ids 50..149 again, updated: 50..99 replace stored rows
	runOnce(t, url, opts, "run-2", rows{"window-2", 50, 150, t2})
	want := icebirdWant(rows{"window-1", 0, 50, t1}, rows{"window-2", 50, 150, t2})
	got := checkIcebird(t, "run 2", dir, want)
	if got.RemovedEntries == 0 {
		t.Errorf("run 2: the snapshot lists no removed files (%d live): nothing was rewritten", got.DataFiles)
	}

	// merging the same window again keeps one row per key
	runOnce(t, url, opts, "run-3", rows{"window-2", 50, 150, t2})
	checkIcebird(t, "run 3", dir, want)
}
