package maestroqa

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

// snapshot is what a golden file holds: every table read back with the
// independent Parquet reader, the partition folders, the rejects and the
// counts. (Not the run report: pipeline.Run does not see the source's
// Reporter through pipeline.OpenedSource; decoder_test checks Report.)
type snapshot struct {
	Tables     map[string][]map[string]any      `json:"tables"`
	Partitions map[string][]string              `json:"partitions"`
	Rejects    map[string][]pipeline.RejectJSON `json:"rejects,omitempty"`
	Stats      map[string]pipeline.TableStats   `json:"stats"`
}

func takeSnapshot(t *testing.T, res pipeline.Result, out string) snapshot {
	t.Helper()
	s := snapshot{Tables: map[string][]map[string]any{}, Partitions: map[string][]string{},
		Rejects: map[string][]pipeline.RejectJSON{}, Stats: res.Tables}
	for _, tb := range Tables {
		s.Tables[tb.Name] = lakecheck.Table(t, out, tb.Name)
		for _, f := range lakecheck.Files(t, out, tb.Name) {
			dir, _ := filepath.Rel(out, filepath.Dir(f))
			if ps := s.Partitions[tb.Name]; len(ps) == 0 || ps[len(ps)-1] != dir {
				s.Partitions[tb.Name] = append(ps, filepath.ToSlash(dir))
			}
		}
		if r := lakecheck.Rejects(t, out, tb.Name); len(r) > 0 {
			for i := range r {
				r[i].Source = filepath.Base(r[i].Source)
			}
			s.Rejects[tb.Name] = r
		}
	}
	return s
}

// golden compares v, as indented JSON, with testdata/name (rewritten with
// -update).
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output; run go test -update and review the diff.\ngot:\n%s", path, got)
	}
}

func checkBalanced(t *testing.T, res pipeline.Result) {
	t.Helper()
	for name, s := range res.Tables {
		if !s.Balanced() {
			t.Errorf("%s: rows_in %d != out %d + rejected %d + merged %d", name, s.RowsIn, s.RowsOut, s.RowsRejected, s.RowsMerged)
		}
	}
}

// TestExportGolden runs the repaired reference example end to end.
func TestExportGolden(t *testing.T) {
	res, out := lakecheck.MustRun(t, Kind(), nil, filepath.Join("testdata", "export.json"))
	checkBalanced(t, res)
	snap := takeSnapshot(t, res, out)
	golden(t, "export.golden.json", snap)

	// Spot checks that hold whatever the golden file says.
	want := map[string]pipeline.TableStats{
		SessionTableName:     {RowsIn: 2, RowsOut: 2},
		ActivityLogTableName: {RowsIn: 3, RowsOut: 3},
		PointTableName:       {RowsIn: 4, RowsOut: 3, RowsMerged: 1},
		PointFormTableName:   {RowsIn: 6, RowsOut: 4, RowsMerged: 2},
		TodoTableName:        {RowsIn: 3, RowsOut: 3},
		TodoFormTableName:    {RowsIn: 3, RowsOut: 3},
	}
	for name, w := range want {
		if res.Tables[name] != w {
			t.Errorf("%s: stats %+v, want %+v", name, res.Tables[name], w)
		}
	}
	var deleted int
	for _, r := range snap.Tables[TodoTableName] {
		if r["is_deleted"] == true {
			deleted++
		}
	}
	if deleted != 1 {
		t.Errorf("deleted to-dos: %d, want 1 (soft deletes are kept)", deleted)
	}
	for _, r := range snap.Tables[PointTableName] {
		switch r["score"] {
		case "412.5":
			if r["score_value"] != 412.5 {
				t.Errorf("score 412.5: score_value %v", r["score_value"])
			}
		case "n/a":
			if r["score_value"] != nil {
				t.Errorf("score n/a: score_value %v, want null", r["score_value"])
			}
		}
	}
	// 2021-12-01T14:30:00.000Z, the reference request's startDate.
	if got := snap.Tables[SessionTableName][0]["created_at"]; got != int64(1638369000000) {
		t.Errorf("first session created_at %v (%T), want 1638369000000", got, got)
	}
}

// TestRepairedFixtureFollowsReference checks that the repaired fixture has
// exactly the reference's shape: every object holds the documented keys in
// the documented order, and the sessions use the request's example dates.
func TestRepairedFixtureFollowsReference(t *testing.T) {
	ref := refShapes(t, readTestdata(t, "reference_response.verbatim.txt"))
	for _, parent := range []string{"", "activityLog", "coachingPoints", "todos"} {
		if len(ref[parent]) == 0 {
			t.Fatalf("no reference shape for %q: %v", parent, ref)
		}
	}
	fix := readTestdata(t, "export.json")
	objects := 0
	walkObjects(t, json.NewDecoder(bytes.NewReader(fix)), "", func(parent string, keys []string) {
		objects++
		if want := strings.Join(ref[parent], ","); strings.Join(keys, ",") != want {
			t.Errorf("object under %q has keys %v, want %s", parent, keys, want)
		}
	})
	if objects != 2+3+4+3 {
		t.Errorf("%d objects checked, want 12 (2 sessions, 3 activity entries, 4 points, 3 to-dos)", objects)
	}
	dates := regexp.MustCompile(`\d{4}-\d{2}-\d{2}`).FindAll(readTestdata(t, "reference_request.verbatim.txt"), -1)
	if len(dates) != 2 {
		t.Fatalf("request example dates: %q", dates)
	}
	for _, d := range dates {
		if !bytes.Contains(fix, d) {
			t.Errorf("fixture does not use the reference example date %s", d)
		}
	}
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// refShapes reads the key order of each object of the reference's
// pseudo-JSON, by the key of the array holding it ("" for sessions).
func refShapes(t *testing.T, text []byte) map[string][]string {
	t.Helper()
	keyRe := regexp.MustCompile(`^([A-Za-z_]+):`)
	type frame struct {
		parent string
		keys   []string
	}
	shapes := map[string][]string{}
	var stack []frame
	array := ""
	for _, line := range strings.Split(string(text), "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		switch m := keyRe.FindStringSubmatch(line); {
		case line == "{":
			stack = append(stack, frame{parent: array})
		case strings.HasPrefix(line, "}"):
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			shapes[f.parent] = f.keys
		case m != nil:
			stack[len(stack)-1].keys = append(stack[len(stack)-1].keys, m[1])
			if strings.HasSuffix(line, "[") {
				array = m[1]
			}
		}
	}
	return shapes
}

// walkObjects calls fn with the keys of every object in the next value.
func walkObjects(t *testing.T, dec *json.Decoder, parent string, fn func(parent string, keys []string)) {
	t.Helper()
	tok, err := dec.Token()
	if err != nil {
		t.Fatal(err)
	}
	switch tok {
	case json.Delim('['):
		for dec.More() {
			walkObjects(t, dec, parent, fn)
		}
		dec.Token()
	case json.Delim('{'):
		var keys []string
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			walkObjects(t, dec, k.(string), fn)
		}
		dec.Token()
		fn(parent, keys)
	}
}

func TestOptions(t *testing.T) {
	for in, latest := range map[string]bool{"": true, "latest": true, "first": false} {
		o, err := ParseOptions(map[string]string{"duplicates": in})
		if err != nil || o.Latest != latest {
			t.Errorf("duplicates=%q: %+v, %v", in, o, err)
		}
	}
	_, _, err := lakecheck.Run(t, Kind(), map[string]string{"duplicates": "newest"}, "", filepath.Join("testdata", "export.json"))
	if err == nil || err.Error() != `kind maestroqa-coaching: duplicates "newest": want latest or first` {
		t.Errorf("bad option: %v", err)
	}
	if err := Kind().CheckOptions(map[string]string{"duplicates": "first"}); err != nil {
		t.Errorf("documented option refused: %v", err)
	}
}

// TestZipAndFolder reads the exports from a ZIP archive (both windows) and
// from a folder: the same rows, named by the archive.
func TestZipAndFolder(t *testing.T) {
	dir := t.TempDir()
	zp := filepath.Join(dir, "exports.zip")
	f, err := os.Create(zp)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, name := range []string{"dup_window1.json", "dup_window2.json"} {
		w, err := zw.Create("2021-12/" + name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(readTestdata(t, name))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	zres, zout := lakecheck.MustRun(t, Kind(), nil, zp)
	fres, fout := lakecheck.MustRun(t, Kind(), nil, dupFiles...)
	checkBalanced(t, zres)
	for _, tb := range Tables {
		if zres.Tables[tb.Name] != fres.Tables[tb.Name] {
			t.Errorf("%s: zip %+v, files %+v", tb.Name, zres.Tables[tb.Name], fres.Tables[tb.Name])
		}
		// the same rows; their order across files follows the inputs' names
		zr, fr := rowsAsJSON(lakecheck.Table(t, zout, tb.Name)), rowsAsJSON(lakecheck.Table(t, fout, tb.Name))
		if !slices.Equal(zr, fr) {
			t.Errorf("%s: zip rows differ from file rows", tb.Name)
		}
	}
	rejects := lakecheck.Rejects(t, zout, PointTableName)
	if len(rejects) != 1 || !strings.HasSuffix(rejects[0].Source, "exports.zip!2021-12/dup_window2.json") {
		t.Errorf("zip rejects %+v", rejects)
	}
}

// rowsAsJSON are rows as JSON, sorted.
func rowsAsJSON(rows []map[string]any) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		b, _ := json.Marshal(r)
		out[i] = string(b)
	}
	slices.Sort(out)
	return out
}
