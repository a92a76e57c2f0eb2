package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
)

// TestPushWHITExampleThroughTheLedger pushes the reference's WHIT example
// into Calabrio: the emulator holds every interval with ISO dates, a
// rerun sends nothing (the job's ledger knows them), and an interval that
// changed is sent again, alone.
func TestPushWHITExampleThroughTheLedger(t *testing.T) {
	e := calabriotest.New(t, calabriotest.Options{})
	dir := t.TempDir()
	input := filepath.Join(dir, "whit.csv")
	sample, err := os.ReadFile(filepath.Join(repoRoot(t), "configs/samples/whit/service_history_2024-05-01.csv"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(input, sample, 0o644)
	job := intervalPushJob(t, filepath.Join(dir, "whit-push.yaml"), input, e.URL, "3", "10000/1s", dir+"/out")
	if code, stdout, stderr := call(t, "run", job); code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, stderr, stdout)
	}
	got := e.Intervals()
	if len(got) != 4 || got["3|1002|2024-05-02|08:00"].Cells["serviceName"] != "Sales, Inbound" ||
		got["3|1001|2024-05-01|08:30"].Cells["avgTalkTime"] != "238" || got["3|1001|2024-05-01|08:00"].TimeZone != "TENANT" {
		t.Fatalf("intervals %+v", got)
	}
	if n := e.Stats().Routes["POST upload/historical"]; n != 2 {
		t.Fatalf("%d uploads, want 2 (one per day)", n)
	}
	if st := pushStatuses(t, filepath.Join(dir, "out")); st["sent"] != 4 || len(st) != 1 {
		t.Fatalf("push_results %v", st)
	}
	code, stdout, stderr := call(t, "run", job)
	if code != exitOK || !strings.Contains(stdout, "4 skipped") {
		t.Fatalf("rerun: exit %d: %s\n%s", code, stderr, stdout)
	}
	if n := e.Stats().Routes["POST upload/historical"]; n != 2 {
		t.Fatalf("the rerun uploaded: %d uploads", n)
	}
	os.WriteFile(input, []byte(strings.Replace(string(sample), "42,40,2", "43,41,2", 1)), 0o644)
	if code, stdout, stderr := call(t, "run", job); code != exitOK || !strings.Contains(stdout, "1 sent") || !strings.Contains(stdout, "3 skipped") {
		t.Fatalf("changed interval: exit %d: %s\n%s", code, stderr, stdout)
	}
	if got := e.Intervals()["3|1001|2024-05-01|08:00"]; got.Imports != 2 || got.Cells["receivedCalls"] != "43" {
		t.Fatalf("changed interval on the tenant: %+v", got)
	}
}

// TestPushIntervalsStreamedInWindows pushes three days of intervals (2,400
// rows each) in windows of 1,000 changes: the push applies a window a day, with one
// upload a day as the whole plan would, one push_results row per interval,
// and a rerun uploads nothing.
func TestPushIntervalsStreamedInWindows(t *testing.T) {
	e := calabriotest.New(t, calabriotest.Options{})
	dir := t.TempDir()
	input := filepath.Join(dir, "whit.csv")
	days := writeIntervals(t, input, 50*48*3)
	job := intervalPushJob(t, filepath.Join(dir, "whit-windows.yaml"), input, e.URL, "1", "10000/1s", dir+"/out", "window: 1000")
	code, stdout, stderr := call(t, "run", "--json", job)
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, stderr, stdout)
	}
	var sum struct {
		RowsIn int64 `json:"rows_in"`
		Push   struct {
			Windows int            `json:"windows"`
			Status  map[string]int `json:"status"`
		} `json:"push"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("summary: %v\n%s", err, stdout)
	}
	rows := 50 * 48 * days
	if sum.Push.Windows != days || sum.Push.Status["sent"] != rows || sum.RowsIn != int64(rows) {
		t.Fatalf("summary %+v: want %d windows, %d rows sent", sum, days, rows)
	}
	if n := e.Stats().Routes["POST upload/historical"]; n != days || len(e.Intervals()) != rows {
		t.Fatalf("%d uploads, %d intervals: want %d, %d", n, len(e.Intervals()), days, rows)
	}
	if st := pushStatuses(t, filepath.Join(dir, "out")); st["sent"] != rows || len(st) != 1 {
		t.Fatalf("push_results %v", st)
	}
	// nothing to send: windows of skips need no cut at a day's end
	if code, stdout, stderr := call(t, "run", "--limit", "5000", job); code != exitOK ||
		!strings.Contains(stdout, "5000 skipped (0 requests; read and planned in") || !strings.Contains(stdout, "applied in 5 windows") {
		t.Fatalf("--limit 5000 in windows of 1,000: exit %d: %s\n%s", code, stderr, stdout)
	}
	if code, stdout, stderr := call(t, "run", job); code != exitOK || e.Stats().Routes["POST upload/historical"] != days {
		t.Fatalf("rerun: exit %d, %d uploads: %s\n%s", code, e.Stats().Routes["POST upload/historical"], stderr, stdout)
	}
}

// intervalPushJob writes a job file at path that pushes the WHIT file input
// into the Calabrio emulator at baseURL with the interval target (ACD
// server acd, the rate limit given), its results in sink; it returns path.
// The job is named after the file.
func intervalPushJob(t testing.TB, path, input, baseURL, acd, rateLimit, sink string, targetLines ...string) string {
	t.Helper()
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	var more string
	for _, l := range targetLines {
		more += "  " + l + "\n"
	}
	err := os.WriteFile(path, []byte(fmt.Sprintf(`name: %s
source: {kind: whit, inputs: [%s]}
target:
  kind: calabrio-historical-import
  options: {base_url: %s, username: %s, password: %s, acd_server_id: "%s", rate_limit: %s}
%ssink: {url: %s}
`, name, input, baseURL, calabriotest.DefaultUsername, calabriotest.DefaultPassword, acd, rateLimit, more, sink)), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	return path
}
