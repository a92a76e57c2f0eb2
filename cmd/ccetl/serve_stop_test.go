package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/maestroqa/maestroqatest"
)

// TestServeGracefulStop: SIGTERM during a run with a short grace period
// cancels the run (exit 130, nothing of it visible, its report says
// cancelled); with a long one the run finishes and commits (exit 0), and
// every row is then in the lake once.
func TestServeGracefulStop(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	job, out, rows := leaseJob(t, "")
	s := startServe(t, "--grace", "1ms", job)
	if code, _, stderr := call(t, "serve", "trigger", "killed-run", "--addr", s.addr); code != exitOK {
		t.Fatalf("trigger: %d %s", code, stderr)
	}
	s.waitLog(`"msg":"run started"`)
	if code := s.stop(syscall.SIGTERM); code != exitCanceled {
		t.Fatalf("exit %d after SIGTERM past the grace period, want %d:\n%s", code, exitCanceled, s.logs())
	}
	if n, _ := visibleRows(t, out); n != 0 {
		t.Fatalf("%d rows of the cancelled run are visible", n)
	}
	reps := listRuns(t, job)
	if len(reps) != 1 || reps[0].Outcome != "cancelled" || reps[0].Trigger != "manual" {
		t.Fatalf("run history after the cancelled run: %+v", reps)
	}

	s = startServe(t, "--grace", "2m", job)
	if code, _, stderr := call(t, "serve", "trigger", "killed-run", "--addr", s.addr); code != exitOK {
		t.Fatalf("trigger: %d %s", code, stderr)
	}
	s.waitLog(`"msg":"run started"`)
	if code := s.stop(syscall.SIGTERM); code != exitOK {
		t.Fatalf("exit %d after SIGTERM within the grace period:\n%s", code, s.logs())
	}
	if !strings.Contains(s.logs(), "stop at their next checkpoint or finish") {
		t.Errorf("the stop did not wait:\n%s", s.logs())
	}
	if n, _ := visibleRows(t, out); n != rows {
		t.Fatalf("%d rows visible after the finished run, want %d", n, rows)
	}
	reps = listRuns(t, job)
	if len(reps) != 2 || reps[0].Outcome != "ok" || reps[0].RowsOut != int64(rows) {
		t.Fatalf("run history: %+v", reps)
	}
}

// TestTwoServersRunEachTickOnce runs two `ccetl serve` processes over the
// same job and state, a job scheduled every second whose run takes about
// as long: each tick runs on one server only (the servers claim ticks in
// the job's state), the job's lease keeps runs from overlapping, and the
// lake holds every row once.
func TestTwoServersRunEachTickOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	job, out, rows := leaseJob(t, "")
	addSchedule(t, job, "@every 1s")
	a := startServe(t, job)
	b := startServe(t, job)
	waitRuns(t, job, "four runs", func(r []shortReport) bool {
		return count(r, func(r shortReport) bool { return r.Outcome == "ok" }) >= 4
	})
	a.stop(syscall.SIGTERM)
	b.stop(syscall.SIGTERM)
	var ok []shortReport
	perTick := map[time.Time]int{}
	for _, r := range listRuns(t, job) {
		if r.Trigger == "schedule" && r.Outcome != "skipped" {
			perTick[r.ScheduledFor]++
		}
		if r.Outcome == "ok" {
			ok = append(ok, r)
		}
	}
	for tick, n := range perTick {
		if n != 1 {
			t.Errorf("tick %v ran %d times", tick, n)
		}
	}
	slices.SortFunc(ok, func(x, y shortReport) int { return x.Started.Compare(y.Started) })
	for i := 1; i < len(ok); i++ {
		if ok[i].Started.Before(ok[i-1].Finished.Add(-50 * time.Millisecond)) {
			t.Errorf("runs %s and %s overlap: %v-%v and %v-%v", ok[i-1].RunID, ok[i].RunID, ok[i-1].Started, ok[i-1].Finished, ok[i].Started, ok[i].Finished)
		}
	}
	both := strings.Contains(a.logs(), `"msg":"run finished"`) && strings.Contains(b.logs(), `"msg":"run finished"`)
	claimed := strings.Contains(a.logs()+b.logs(), "tick run by another server")
	if !claimed {
		t.Errorf("no tick was found claimed by the other server")
	}
	t.Logf("both servers ran some ticks: %v", both)
	if n, _ := visibleRows(t, out); n != rows {
		t.Errorf("%d rows visible, want %d once", n, rows)
	}
}

// addSchedule adds a schedule line to a job file.
func addSchedule(t *testing.T, job, expr string) {
	t.Helper()
	data, err := os.ReadFile(job)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(job, append(data, []byte("schedule: \""+expr+"\"\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestServeKeepsPauseAcrossRestarts: a job paused on one server is still
// paused when the server starts again, until resumed.
func TestServeKeepsPauseAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	job := filepath.Join(dir, "job.yaml")
	os.WriteFile(job, []byte("name: nightly\nschedule: \"@daily\"\nsource: {kind: whit, inputs: [a.csv]}\nsink: {url: "+filepath.Join(dir, "out")+"}\n"), 0o644)
	paused := func(s *served) bool {
		t.Helper()
		code, stdout, stderr := call(t, "serve", "status", "--json", "--addr", s.addr)
		var views []jobView
		if err := json.Unmarshal([]byte(stdout), &views); err != nil || code != exitOK || len(views) != 1 {
			t.Fatalf("status: %d %v %s", code, err, stderr)
		}
		return views[0].Paused
	}
	s := startServe(t, job)
	if paused(s) {
		t.Fatal("paused before any pause")
	}
	if code, _, stderr := call(t, "serve", "pause", "nightly", "--addr", s.addr); code != exitOK {
		t.Fatalf("pause: %s", stderr)
	}
	s.stop(syscall.SIGTERM)
	s = startServe(t, job)
	if !paused(s) {
		t.Fatal("the pause did not survive the restart")
	}
	if code, _, stderr := call(t, "serve", "resume", "nightly", "--addr", s.addr); code != exitOK {
		t.Fatalf("resume: %s", stderr)
	}
	s.stop(syscall.SIGTERM)
	if s = startServe(t, job); paused(s) {
		t.Fatal("the resume did not survive the restart")
	}
}

// TestServeWithoutValidJobs: a server given only invalid job files reports
// each problem at file:line:col and exits 2.
func TestServeWithoutValidJobs(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: bad\nschedule: \"@daily\"\noverlap: queue\nsource: {kind: whit}\nsink: {url: out}\n"), 0o644)
	code, _, stderr := call(t, "serve", "--addr", "127.0.0.1:0", "--log-format", "text", bad)
	if code != exitConfig || !strings.Contains(stderr, bad+":3:10: overlap: want skip") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

// TestServeStopDrainsAtACheckpoint: SIGTERM during a windowed API pull
// lets the run commit its current window and stop there (exit 0, the run
// report says cancelled, stopped at a checkpoint), well before the grace
// period ends; the next run resumes after that window, and every session
// is in the lake once.
func TestServeStopDrainsAtACheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	emu := maestroqatest.New(t, maestroqatest.Config{NoLimits: true})
	const n = 60
	emu.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: n, First: time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC), Every: 24 * time.Hour}))
	job, out := mqaBackfillJob(t, emu, "4/1s") // each 10-day window takes about a second
	data, _ := os.ReadFile(job)
	os.WriteFile(job, []byte(strings.Replace(string(data), "      window_days:", "      start: \"2024-01-01\"\n      end: \"2024-03-01\"\n      window_days:", 1)), 0o644)
	s := startServe(t, "--grace", "2m", job)
	if code, _, stderr := call(t, "serve", "trigger", "mqa-backfill", "--addr", s.addr); code != exitOK {
		t.Fatalf("trigger: %d %s", code, stderr)
	}
	s.waitLog(`"msg":"run started"`)
	start := time.Now()
	if code := s.stop(syscall.SIGTERM); code != exitOK {
		t.Fatalf("exit %d after SIGTERM:\n%s", code, s.logs())
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("the stop took %v: the run did not stop at its next checkpoint", took)
	}
	reps := listRuns(t, job)
	if len(reps) != 1 || reps[0].Outcome != "cancelled" || !strings.Contains(reps[0].Error, "stopped at a checkpoint") {
		t.Fatalf("run history: %+v", reps)
	}
	first := sessionCounts(t, out)
	if len(first) == 0 || len(first) >= n {
		t.Fatalf("%d sessions committed by the drained run, want some (its windows) but not all %d", len(first), n)
	}
	if code, _, stderr := call(t, "run", job); code != exitOK {
		t.Fatalf("the next run: exit %d: %s", code, stderr)
	}
	all := sessionCounts(t, out)
	if len(all) != n {
		t.Fatalf("%d sessions after the next run, want %d", len(all), n)
	}
	for id, c := range all {
		if c != 1 {
			t.Errorf("session %s is in the lake %d times", id, c)
		}
	}
}
