package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// threeSources writes a job whose second source fails (its input does not
// exist) between two that work.
func threeSources(t *testing.T, dir, extra string) string {
	root := repoRoot(t)
	job := fmt.Sprintf(`name: three
%[3]s
sources:
  - {kind: org-groups, inputs: [%[1]s/configs/samples/org/groups/groups.csv]}
  - {kind: whit, inputs: [%[2]s/missing.csv]}
  - {kind: org-teams, inputs: [%[1]s/configs/samples/org/teams/teams.csv]}
sink: {url: %[2]s/out}
`, root, dir, extra)
	path := filepath.Join(dir, "job.yaml")
	if err := os.WriteFile(path, []byte(job), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

type stepOutcome struct {
	Source  int    `json:"source"`
	Kind    string `json:"kind"`
	Outcome string `json:"outcome"`
	Error   string `json:"error"`
}

func outcomes(t *testing.T, stdout string) []stepOutcome {
	t.Helper()
	var sum struct {
		Steps []stepOutcome `json:"steps"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("summary: %v\n%s", err, stdout)
	}
	return sum.Steps
}

func TestFailingSourceDoesNotStopTheOthers(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := call(t, "run", "--json", threeSources(t, dir, ""))
	if code != exitFailed {
		t.Fatalf("exit %d, want %d: %s", code, exitFailed, stderr)
	}
	steps := outcomes(t, stdout)
	if len(steps) != 3 || steps[0].Outcome != "ok" || steps[1].Outcome != "failed" || steps[2].Outcome != "ok" {
		t.Fatalf("outcomes %+v", steps)
	}
	if !strings.Contains(steps[1].Error, "missing.csv") || !strings.Contains(stderr, "source 2 (whit)") {
		t.Fatalf("the failure does not name its source and input: %+v / %s", steps[1], stderr)
	}
	for _, table := range []string{"cal_group", "cal_team"} {
		if files, _ := filepath.Glob(filepath.Join(dir, "out", table, "*.parquet")); len(files) == 0 {
			t.Errorf("%s was not committed", table)
		}
	}
}

func TestOnErrorStopSkipsTheRest(t *testing.T) {
	dir := t.TempDir()
	code, stdout, _ := call(t, "run", "--json", threeSources(t, dir, "on_error: stop"))
	if code != exitFailed {
		t.Fatalf("exit %d", code)
	}
	steps := outcomes(t, stdout)
	if len(steps) != 3 || steps[0].Outcome != "ok" || steps[1].Outcome != "failed" || steps[2].Outcome != "skipped" {
		t.Fatalf("outcomes %+v", steps)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "out", "cal_team", "*.parquet")); len(files) != 0 {
		t.Errorf("a skipped source wrote %v", files)
	}
	code, _, stderr := call(t, "validate", threeSources(t, t.TempDir(), "on_error: later"))
	if code != exitConfig || !strings.Contains(stderr, "job.yaml:2:11: on_error must be continue") {
		t.Fatalf("bad on_error: exit %d: %s", code, stderr)
	}
}
