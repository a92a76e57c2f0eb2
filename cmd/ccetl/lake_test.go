package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// whitFiles writes two WHIT inputs, a and b, each with rows rows a day on
// days days.
func whitFiles(t *testing.T, dir string, rows, days int) (string, string) {
	t.Helper()
	write := func(name string, service int) string {
		var b strings.Builder
		b.WriteString("serviceNumber,serviceName,date,period,receivedCalls,handledCalls,avgTalkTime,avgACWTime\n")
		for d := 1; d <= days; d++ {
			for r := 0; r < rows; r++ {
				fmt.Fprintf(&b, "%d,q%d,2024-05-%02d,%02d:%02d,5,4,100,20\n", service, service, d, r/4, 15*(r%4))
			}
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("a.csv", 1), write("b.csv", 2)
}

type lakeResult struct {
	Files    int   `json:"files"`
	Rows     int64 `json:"rows"`
	Problems []struct {
		File     string `json:"file"`
		Manifest string `json:"manifest"`
		Problem  string `json:"problem"`
	} `json:"problems"`
}

func lakeCheck(t *testing.T, url string) (int, lakeResult) {
	t.Helper()
	code, stdout, stderr := call(t, "lake", "check", "--json", url)
	var r lakeResult
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("lake check: exit %d: %v\n%s\n%s", code, err, stdout, stderr)
	}
	return code, r
}

// TestManifestsExactAfterPartialRerun converts a and b, then a alone over
// fewer days: a's old files go, and b's run manifest no longer lists them.
func TestManifestsExactAfterPartialRerun(t *testing.T) {
	dir := t.TempDir()
	a, b := whitFiles(t, dir, 8, 3)
	out := filepath.Join(dir, "out")
	if code, _, stderr := call(t, "convert", "--kind", "whit", "--out", out, a, b); code != exitOK {
		t.Fatal(stderr)
	}
	if code, r := lakeCheck(t, out); code != exitOK || len(r.Problems) != 0 || r.Rows != 48 {
		t.Fatalf("after the first run: exit %d %+v", code, r)
	}
	// a again, now with one day only: two of its day files go.
	os.WriteFile(a, []byte("serviceNumber,serviceName,date,period,receivedCalls,handledCalls,avgTalkTime,avgACWTime\n1,q1,2024-05-01,00:00,1,1,1,1\n"), 0o644)
	if code, _, stderr := call(t, "convert", "--kind", "whit", "--out", out, a); code != exitOK {
		t.Fatal(stderr)
	}
	code, r := lakeCheck(t, out)
	if code != exitOK || len(r.Problems) != 0 {
		t.Fatalf("after the partial rerun: exit %d %+v", code, r)
	}
	if r.Rows != 24+1 || r.Files != 3+1 {
		t.Fatalf("after the partial rerun: %d rows in %d files, want 25 in 4", r.Rows, r.Files)
	}
	// the first run's manifest now lists b's three day files only, the
	// rerun's a's one file
	byInputs := map[int]manifestDoc{}
	for _, m := range readManifests(t, out) {
		byInputs[len(m.Inputs)] = m
	}
	ab, onlyA := byInputs[2], byInputs[1]
	if len(byInputs) != 2 || len(ab.Files) != 3 || ab.Rows != 24 || len(onlyA.Files) != 1 || onlyA.Rows != 1 {
		t.Fatalf("manifests after the partial rerun: %+v", byInputs)
	}
	for _, f := range ab.Files {
		if f.Path == onlyA.Files[0].Path {
			t.Fatalf("%s is listed by both runs' manifests", f.Path)
		}
	}
}

type manifestDoc struct {
	Inputs []struct{ Name string } `json:"inputs"`
	Files  []struct {
		Path string `json:"path"`
	} `json:"files"`
	Rows int64 `json:"rows"`
}

func readManifests(t *testing.T, out string) []manifestDoc {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(out, "_manifests", "*", "*.json"))
	var ms []manifestDoc
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var m manifestDoc
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		ms = append(ms, m)
	}
	return ms
}

// editManifest changes the first manifest of the WHIT table with edit.
func editManifest(t *testing.T, out string, edit func(doc map[string]any)) {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(out, "_manifests", "cal_service_interval_history", "*.json"))
	if len(m) == 0 {
		t.Fatal("no manifest")
	}
	data, _ := os.ReadFile(m[0])
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	data, _ = json.Marshal(doc)
	if err := os.WriteFile(m[0], data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A lake with nested columns (MaestroQA's lists and structs, which Parquet
// names differently from Arrow) checks clean.
func TestLakeCheckAcceptsNestedColumns(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	in := filepath.Join(repoRoot(t), "configs/samples/maestroqa")
	if code, _, stderr := call(t, "convert", "--kind", "maestroqa-coaching", "--out", out, in); code != exitOK {
		t.Fatal(stderr)
	}
	if code, r := lakeCheck(t, out); code != exitOK || len(r.Problems) != 0 || r.Files == 0 || r.Rows == 0 {
		t.Fatalf("exit %d %+v", code, r)
	}
}

func TestLakeCheckFindsEveryDamage(t *testing.T) {
	dir := t.TempDir()
	a, b := whitFiles(t, dir, 4, 2)
	fresh := func(name string) string {
		out := filepath.Join(dir, name)
		if code, _, stderr := call(t, "convert", "--kind", "whit", "--out", out, a, b); code != exitOK {
			t.Fatal(stderr)
		}
		return out
	}
	files := func(out string) []string {
		f, _ := filepath.Glob(filepath.Join(out, "cal_service_interval_history", "*", "*.parquet"))
		if len(f) < 2 {
			t.Fatalf("want at least 2 data files, have %v", f)
		}
		return f
	}
	for _, tc := range []struct {
		name, want string
		damage     func(out string)
	}{
		{"deleted", "listed but not there", func(out string) { os.Remove(files(out)[0]) }},
		{"unlisted", "not listed in any manifest", func(out string) {
			data, _ := os.ReadFile(files(out)[0])
			os.WriteFile(filepath.Join(filepath.Dir(files(out)[0]), "part-0123456789abcdef-00000.parquet"), data, 0o644)
		}},
		{"corrupt", "not a readable Parquet file", func(out string) { os.WriteFile(files(out)[1], []byte("PAR1 not really"), 0o644) }},
		{"truncated", "not a readable Parquet file", func(out string) {
			fi, _ := os.Stat(files(out)[1])
			os.Truncate(files(out)[1], fi.Size()/2)
		}},
		{"rows", "rows in the file, the manifest says", func(out string) {
			editManifest(t, out, func(doc map[string]any) { doc["files"].([]any)[0].(map[string]any)["rows"] = 999 })
		}},
		{"total rows", "its files hold 16 rows, it says 17", func(out string) {
			editManifest(t, out, func(doc map[string]any) { doc["rows"] = 17 })
		}},
		{"size", "bytes in the file, the manifest says 12", func(out string) {
			editManifest(t, out, func(doc map[string]any) { doc["files"].([]any)[0].(map[string]any)["bytes"] = 12 })
		}},
		{"schema", "the manifest says sha256:0000", func(out string) {
			editManifest(t, out, func(doc map[string]any) { doc["schema_fingerprint"] = "sha256:0000" })
		}},
		{"listed twice", "listed in 2 manifests", func(out string) {
			m, _ := filepath.Glob(filepath.Join(out, "_manifests", "cal_service_interval_history", "*.json"))
			data, _ := os.ReadFile(m[0])
			os.WriteFile(filepath.Join(filepath.Dir(m[0]), "0123456789abcdef.json"), data, 0o644)
		}},
		{"damaged manifest", "is damaged", func(out string) {
			m, _ := filepath.Glob(filepath.Join(out, "_manifests", "cal_service_interval_history", "*.json"))
			os.WriteFile(m[0], []byte(`{"files": [`), 0o644)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := fresh(tc.name)
			tc.damage(out)
			code, r := lakeCheck(t, out)
			if code != exitFailed || len(r.Problems) == 0 {
				t.Fatalf("exit %d, %+v", code, r)
			}
			found := false
			for _, p := range r.Problems {
				found = found || strings.Contains(p.Problem, tc.want)
			}
			if !found {
				t.Fatalf("no problem says %q: %+v", tc.want, r.Problems)
			}
		})
	}
	// without --json: one line per problem naming the file and the manifest
	out := fresh("text")
	if code, stdout, _ := call(t, "lake", "check", out); code != exitOK || !strings.HasSuffix(stdout, "16 rows: 0 problems\n") {
		t.Fatalf("a clean lake: exit %d\n%s", code, stdout)
	}
	gone := files(out)[0]
	os.Remove(gone)
	code, stdout, stderr := call(t, "lake", "check", out)
	rel, _ := filepath.Rel(out, gone)
	if code != exitFailed || !strings.Contains(stdout, filepath.ToSlash(rel)+" (manifest _manifests/cal_service_interval_history/") ||
		!strings.Contains(stdout, "listed but not there") || !strings.Contains(stderr, "the lake does not hold") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, _ := call(t, "lake", "check", filepath.Join(dir, "nowhere")); code != exitFailed {
		t.Fatalf("a missing lake: exit %d", code)
	}
	if code, _, _ := call(t, "lake", "verify", out); code != exitConfig {
		t.Fatalf("an unknown lake subcommand: exit %d", code)
	}
}

func TestLakeCheckOnS3(t *testing.T) {
	bucket := s3Env(t)
	url := fmt.Sprintf("s3://%s/lakecheck-%d", bucket, time.Now().UnixNano())
	dir := t.TempDir()
	a, b := whitFiles(t, dir, 4, 2)
	if code, _, stderr := call(t, "convert", "--kind", "whit", "--out", url, a, b); code != exitOK {
		t.Fatal(stderr)
	}
	os.WriteFile(a, []byte("serviceNumber,serviceName,date,period,receivedCalls,handledCalls,avgTalkTime,avgACWTime\n1,q1,2024-05-01,00:00,1,1,1,1\n"), 0o644)
	if code, _, stderr := call(t, "convert", "--kind", "whit", "--out", url, a); code != exitOK {
		t.Fatal(stderr)
	}
	if code, r := lakeCheck(t, url); code != exitOK || len(r.Problems) != 0 || r.Rows != 9 || r.Files != 3 {
		t.Fatalf("exit %d %+v", code, r)
	}
	// damage it: one listed object deleted, one unlisted object added
	ctx := context.Background()
	store := s3Store(t, url)
	objs, err := store.List(ctx, "cal_service_interval_history/")
	if err != nil || len(objs) != 3 {
		t.Fatalf("%v %v", objs, err)
	}
	if err := store.Delete(ctx, objs[0].Key); err != nil {
		t.Fatal(err)
	}
	rc, err := store.Open(ctx, objs[1].Key)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	extra := path.Join(path.Dir(objs[1].Key), "part-0123456789abcdef-00000.parquet")
	w, err := store.Create(ctx, extra)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	code, r := lakeCheck(t, url)
	if code != exitFailed || len(r.Problems) != 2 {
		t.Fatalf("exit %d %+v", code, r)
	}
	want := map[string]string{objs[0].Key: "listed but not there", extra: "not listed in any manifest"}
	for _, p := range r.Problems {
		if want[p.File] != p.Problem {
			t.Errorf("%s: %q, want %q", p.File, p.Problem, want[p.File])
		}
	}
}
