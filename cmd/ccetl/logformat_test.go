package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// --log-format json writes every log line as a JSON object, and the lines
// of a run carry its job and run ids; a bad format is a usage error.
func TestLogFormatJSON(t *testing.T) {
	dir := t.TempDir()
	job := filepath.Join(dir, "job.yaml")
	os.WriteFile(job, []byte("name: fmt\nsource: {kind: whit, inputs: ["+filepath.Join(repoRoot(t), "configs/samples/whit")+"]}\nsink: {url: "+filepath.Join(dir, "out")+"}\n"), 0o644)
	code, _, stderr := call(t, "run", "--log-format", "json", "--log-level", "info", job)
	if code != exitOK && code != exitRejects {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	started := false
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue // the run's summary lines
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON log line: %q", line)
		}
		if m["msg"] == "run started" {
			started = true
			if m["job"] != "fmt" || m["run_id"] == nil || m["run_id"] == "" {
				t.Errorf("the run's line lacks its job or run id: %s", line)
			}
		}
	}
	if !started {
		t.Fatalf("no JSON \"run started\" line:\n%s", stderr)
	}
	if code, _, stderr := call(t, "run", "--log-format", "xml", job); code != exitConfig || !strings.Contains(stderr, "--log-format") {
		t.Fatalf("a bad format: exit %d: %s", code, stderr)
	}
}

// The run summary gives the median size of the files written.
func TestSummaryMedianFileSize(t *testing.T) {
	dir := t.TempDir()
	job := filepath.Join(dir, "job.yaml")
	os.WriteFile(job, []byte("name: med\nsource: {kind: whit, inputs: ["+filepath.Join(repoRoot(t), "configs/samples/whit")+"]}\nsink: {url: "+filepath.Join(dir, "out")+"}\n"), 0o644)
	code, stdout, stderr := call(t, "run", "--json", job)
	if code != exitOK && code != exitRejects {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var sum struct {
		Files []struct {
			Bytes int64 `json:"bytes"`
		} `json:"files"`
		Median int64 `json:"median_file_bytes"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	var sizes []int64
	for _, f := range sum.Files {
		sizes = append(sizes, f.Bytes)
	}
	slices.Sort(sizes)
	if len(sizes) == 0 || sum.Median != sizes[len(sizes)/2] {
		t.Fatalf("median_file_bytes %d for files %v", sum.Median, sizes)
	}
	if code, stdout, _ := call(t, "run", job); !strings.Contains(stdout, "files (median ") {
		t.Errorf("the text summary gives no median (exit %d): %s", code, stdout)
	}
}
