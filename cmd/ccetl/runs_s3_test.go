package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunHistoryOnS3: a job whose output and state are on S3 keeps its run
// reports there, in the state and next to the output.
func TestRunHistoryOnS3(t *testing.T) {
	bucket := s3Env(t)
	url := fmt.Sprintf("s3://%s/runs-%d", bucket, time.Now().UnixNano())
	dir := t.TempDir()
	job := filepath.Join(dir, "job.yaml")
	in := filepath.Join(repoRoot(t), "configs/samples/whit")
	os.WriteFile(job, []byte(fmt.Sprintf("name: s3-history\nsource: {kind: whit, inputs: [%q]}\nsink: {url: %q}\n", in, url)), 0o644)
	if code, _, stderr := call(t, "run", job); code != exitOK {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	reps := listRuns(t, job)
	if len(reps) != 1 || reps[0].Outcome != "ok" || reps[0].RowsOut != 4 || reps[0].Trigger != "manual" {
		t.Fatalf("runs: %+v", reps)
	}
	code, stdout, stderr := call(t, "runs", "show", reps[0].RunID, job)
	if code != exitOK || !strings.Contains(stdout, `"run_id": "`+reps[0].RunID+`"`) {
		t.Fatalf("runs show: exit %d %s %s", code, stdout, stderr)
	}
	ctx := context.Background()
	st := s3StateStore(t, url+"/_runs")
	data, _, err := st.Get(ctx, "s3-history/"+reps[0].RunID+".json")
	if err != nil {
		t.Fatalf("the report next to the output: %v", err)
	}
	var r struct {
		Job     string `json:"job"`
		RowsOut int64  `json:"rows_out"`
	}
	if err := json.Unmarshal(data, &r); err != nil || r.Job != "s3-history" || r.RowsOut != 4 {
		t.Errorf("report next to the output: %s", data)
	}
}
