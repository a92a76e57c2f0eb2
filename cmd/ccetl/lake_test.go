package main

import (
	"encoding/json"
	"fmt"
	"os"
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
		{"rows", "rows in the file, the manifest says", func(out string) {
			m, _ := filepath.Glob(filepath.Join(out, "_manifests", "cal_service_interval_history", "*.json"))
			data, _ := os.ReadFile(m[0])
			var doc map[string]any
			json.Unmarshal(data, &doc)
			doc["files"].([]any)[0].(map[string]any)["rows"] = 999
			data, _ = json.Marshal(doc)
			os.WriteFile(m[0], data, 0o644)
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
	if code, _, _ := call(t, "lake", "check", filepath.Join(dir, "nowhere")); code != exitFailed {
		t.Fatalf("a missing lake: exit %d", code)
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
	if code, r := lakeCheck(t, url); code != exitOK || len(r.Problems) != 0 || r.Rows != 9 {
		t.Fatalf("exit %d %+v", code, r)
	}
}
