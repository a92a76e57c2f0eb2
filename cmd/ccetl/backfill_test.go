package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/maestroqa/maestroqatest"
	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/jobs/state"
)

// mqaBackfillJob writes a MaestroQA pull job against emu with 10-day
// windows and the given rate limit, and returns it and its output folder.
func mqaBackfillJob(t *testing.T, emu *maestroqatest.Emulator, rate string) (job, out string) {
	t.Helper()
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	os.WriteFile(tok, []byte(emu.Token()), 0o600)
	out = filepath.Join(dir, "out")
	opts := fmt.Sprintf("      base_url: %s\n      api_token_file: %s\n      window_days: \"10\"\n      repull_days: \"0\"\n      max_attempts: \"2\"\n      retry_delay: 1ms\n      rate_limit: %s\n", emu.URL(), tok, rate)
	job = filepath.Join(dir, "job.yaml")
	os.WriteFile(job, []byte("name: mqa-backfill\nsources:\n  - kind: maestroqa-coaching-api\n    options:\n"+opts+"sink: {url: "+out+"}\n"), 0o644)
	return job, out
}

// sessionsOnce fails unless the lake at out holds want sessions, each
// once.
func sessionsOnce(t *testing.T, out string, want int) {
	t.Helper()
	seen := sessionCounts(t, out)
	if len(seen) != want {
		t.Fatalf("%d sessions in %s, want %d", len(seen), out, want)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("session %s written %d times in %s", id, n, out)
		}
	}
}

// sessionCounts reads the session ids of the lake back from its Parquet
// files.
func sessionCounts(t *testing.T, out string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	files, _ := filepath.Glob(filepath.Join(out, "mqa_coaching_session", "*", "*.parquet"))
	for _, f := range files {
		ids, err := readColumn(f, "id")
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			seen[id]++
		}
	}
	return seen
}

func decodeBackfill(t *testing.T, stdout string) backfillSummary {
	t.Helper()
	var s backfillSummary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("backfill --json: %v\n%s", err, stdout)
	}
	return s
}

// TestBackfillWindowsAndResume backfills 40 days in 10-day windows on the
// grid, then again over a wider range: the second run pulls only the
// windows not committed whole, and every session is in the lake once.
func TestBackfillWindowsAndResume(t *testing.T) {
	emu := maestroqatest.New(t, maestroqatest.Config{NoLimits: true})
	emu.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 60, First: time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC), Every: 24 * time.Hour}))
	job, out := mqaBackfillJob(t, emu, "1000/1s")
	// the 10-day grid from 1970-01-01 has windows from 2023-12-29 and
	// 2024-01-28: the first window is cut to 01-01..01-08, the last to
	// 01-28..02-05
	code, stdout, stderr := call(t, "backfill", "--json", "--from", "2024-01-01", "--to", "2024-02-05", job)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	s := decodeBackfill(t, stdout)
	if s.WindowDays != 10 || s.Windows != 4 || s.Done != 4 || s.AlreadyDone != 0 || s.Outcome != "ok" ||
		s.Runs[0].Start != "2024-01-01" || s.Runs[0].End != "2024-01-08" || s.Runs[3].Start != "2024-01-28" || s.Runs[3].End != "2024-02-05" {
		t.Fatalf("summary %+v", s)
	}
	// the source pulls whole windows of its grid: the last one to 02-07
	if got := len(sessionCounts(t, out)); got != 37 {
		t.Fatalf("%d sessions after 2024-01-01..02-05, want 37 (01-01..02-06)", got)
	}
	code, stdout, stderr = call(t, "backfill", "--json", "--from", "2024-01-01", "--to", "2024-03-01", job)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	s = decodeBackfill(t, stdout)
	// 01-28..02-05 was only part of its window: the whole one is pulled now
	if s.Windows != 7 || s.AlreadyDone != 3 || s.Done != 4 || s.Runs[0].Start != "2024-01-28" {
		t.Fatalf("second backfill %+v", s)
	}
	sessionsOnce(t, out, 60)
	// every window run has its report in the history, as a backfill
	code, stdout, _ = call(t, "runs", "--json", "--limit", "0", job)
	var reps []struct {
		Trigger string `json:"trigger"`
		Outcome string `json:"outcome"`
		Window  *struct {
			Start time.Time `json:"start"`
		} `json:"window"`
	}
	if err := json.Unmarshal([]byte(stdout), &reps); err != nil || code != exitOK || len(reps) != 8 {
		t.Fatalf("runs: %d %v %s", code, err, stdout)
	}
	for _, r := range reps {
		if r.Trigger != "backfill" || r.Outcome != "ok" || r.Window == nil {
			t.Errorf("run report %+v", r)
		}
	}
}

func TestBackfillRefusesJobsWithoutDates(t *testing.T) {
	dir := t.TempDir()
	job := filepath.Join(dir, "job.yaml")
	os.WriteFile(job, []byte("name: files\nsource: {kind: whit, inputs: [a.csv]}\nsink: {url: "+filepath.Join(dir, "out")+"}\n"), 0o644)
	code, _, stderr := call(t, "backfill", "--from", "2024-01-01", "--to", "2024-02-01", job)
	if code != exitConfig || !strings.Contains(stderr, "no source pulled by date") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, _, stderr = call(t, "backfill", "--from", "2024-02-01", "--to", "2024-01-01", job)
	if code != exitConfig {
		t.Fatalf("reversed range: exit %d: %s", code, stderr)
	}
}

// TestBackfillKilledAndResumed kills `ccetl backfill` with SIGKILL at
// several moments of a rate-limited 120-day backfill (13 windows) and runs it again
// each time: the reruns resume after the last committed window, and in
// the end every session of every window is in the lake exactly once.
func TestBackfillKilledAndResumed(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	emu := maestroqatest.New(t, maestroqatest.Config{NoLimits: true})
	emu.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 240, First: time.Date(2023, 12, 27, 1, 0, 0, 0, time.UTC), Every: 12 * time.Hour}))
	job, out := mqaBackfillJob(t, emu, "4/1s")
	args := []string{"backfill", "--json", "--from", "2023-12-27", "--to", "2024-04-25", job}
	killed, resumed := 0, false
	for _, delay := range []time.Duration{400 * time.Millisecond, 900 * time.Millisecond, 1300 * time.Millisecond} {
		cmd := ccetlCommand(t, args...)
		var stdout strings.Builder
		cmd.Stdout = &stdout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed++
			continue
		}
		if err != nil {
			t.Fatalf("backfill failed without being killed: %v", err)
		}
		t.Logf("finished before the kill at %v", delay)
	}
	if killed == 0 {
		t.Fatal("no backfill was killed: the test proves nothing")
	}
	code, stdout, stderr := call(t, args...)
	if code != exitOK {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	s := decodeBackfill(t, stdout)
	resumed = s.AlreadyDone > 0
	if s.Windows != 13 || s.Done+s.AlreadyDone != 13 {
		t.Fatalf("resume summary %+v", s)
	}
	if !resumed {
		t.Errorf("the rerun pulled every window again: no window was committed before a kill")
	}
	sessionsOnce(t, out, 240)
	code, stdout, stderr = call(t, "lake", "check", out)
	if code != exitOK {
		t.Fatalf("lake check: %s %s", stdout, stderr)
	}
}

// A backfill whose job's lease another run holds waits for it up to
// --lease-wait, then fails, with one run report for the window however
// many times it tried.
func TestBackfillLeaseWaitRecordsOnce(t *testing.T) {
	emu := maestroqatest.New(t, maestroqatest.Config{NoLimits: true})
	jobFile, _ := mqaBackfillJob(t, emu, "100/1s")
	job, err := jobs.Load(jobFile, jobs.OSEnv())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	backend, err := jobs.OpenLocalState(ctx, jobs.StateURL(job))
	if err != nil {
		t.Fatal(err)
	}
	lease, err := state.New(backend).Acquire(ctx, job.Name, "another run", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer lease.Release(ctx)
	code, _, stderr := call(t, "backfill", jobFile, "--from", "2024-01-01", "--to", "2024-01-11", "--lease-wait", "1s")
	if code != exitFailed || !strings.Contains(stderr, "another run") {
		t.Fatalf("exit %d, %s; want the lease's holder named", code, stderr)
	}
	reps, err := (jobs.History{Open: jobs.OpenLocalState}).List(ctx, job, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 1 {
		t.Fatalf("%d run reports for one window tried for a second, want 1: %+v", len(reps), reps)
	}
}
