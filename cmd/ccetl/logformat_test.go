package main

import (
	"encoding/json"
	"os"
	"path/filepath"
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
