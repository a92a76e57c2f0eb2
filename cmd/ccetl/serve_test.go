package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/all"
	"github.com/ccetl/ccetl/jobs"
)

// served is a `ccetl serve` child process.
type served struct {
	t      *testing.T
	cmd    *exec.Cmd
	addr   string
	mu     sync.Mutex
	log    strings.Builder
	exited chan error
}

// startServe runs `ccetl serve` in a process of its own on a free
// loopback port, with JSON logs, and waits until it listens.
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	s := &served{t: t, exited: make(chan error, 1)}
	s.cmd = ccetlCommand(t, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, args...)...)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.log.WriteString(line + "\n")
			s.mu.Unlock()
			var m struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &m) == nil && m.Msg == "listening" {
				listening <- strings.TrimPrefix(m.Addr, "http://")
			}
		}
		s.exited <- s.cmd.Wait()
	}()
	t.Cleanup(func() { s.cmd.Process.Kill() })
	select {
	case s.addr = <-listening:
	case err := <-s.exited:
		t.Fatalf("ccetl serve exited (%v):\n%s", err, s.logs())
	case <-time.After(30 * time.Second):
		t.Fatalf("ccetl serve does not listen:\n%s", s.logs())
	}
	return s
}

func (s *served) logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

func (s *served) get(path string) (int, string) {
	s.t.Helper()
	resp, err := http.Get("http://" + s.addr + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitLog waits for a log line holding want.
func (s *served) waitLog(want string) {
	s.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(s.logs(), want); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			s.t.Fatalf("no log line with %q:\n%s", want, s.logs())
		}
	}
}

// stop sends sig and returns the exit code.
func (s *served) stop(sig os.Signal) int {
	s.t.Helper()
	s.cmd.Process.Signal(sig)
	select {
	case <-s.exited:
	case <-time.After(60 * time.Second):
		s.t.Fatalf("ccetl serve did not stop:\n%s", s.logs())
	}
	return s.cmd.ProcessState.ExitCode()
}

type shortReport struct {
	RunID        string    `json:"run_id"`
	Trigger      string    `json:"trigger"`
	Outcome      string    `json:"outcome"`
	Reason       string    `json:"reason"`
	Error        string    `json:"error"`
	RowsOut      int64     `json:"rows_out"`
	Started      time.Time `json:"started"`
	Finished     time.Time `json:"finished"`
	ScheduledFor time.Time `json:"scheduled_for"`
}

func listRuns(t *testing.T, job string) []shortReport {
	t.Helper()
	code, stdout, stderr := call(t, "runs", "--json", "--limit", "0", job)
	if code != exitOK {
		t.Fatalf("runs: exit %d: %s", code, stderr)
	}
	var reps []shortReport
	if err := json.Unmarshal([]byte(stdout), &reps); err != nil {
		t.Fatalf("runs --json: %v\n%s", err, stdout)
	}
	return reps
}

// waitRuns polls the job's run history until ok says it is complete.
func waitRuns(t *testing.T, job string, what string, ok func([]shortReport) bool) []shortReport {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		reps := listRuns(t, job)
		if ok(reps) {
			return reps
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s; runs: %+v", what, reps)
		}
	}
}

func count(reps []shortReport, f func(shortReport) bool) int {
	n := 0
	for _, r := range reps {
		if f(r) {
			n++
		}
	}
	return n
}

// TestServeSchedulesControlsAndReloads runs `ccetl serve` over a folder
// of job files: a job every second runs on schedule with its counts in the
// run history; pause stops its ticks, trigger runs it anyway, resume
// restarts them; a job whose last tick is three hours old catches up the
// one tick inside its window and records the older ones missed; SIGHUP
// with an invalid file reports it with file:line:col while the others keep
// running; /healthz, /readyz, /metrics and the status page answer; SIGTERM
// stops it with exit 0.
func TestServeSchedulesControlsAndReloads(t *testing.T) {
	dir := t.TempDir()
	jobsDir := filepath.Join(dir, "jobs")
	os.Mkdir(jobsDir, 0o755)
	in := filepath.Join(repoRoot(t), "configs/samples/whit")
	out := filepath.Join(dir, "out")
	every := filepath.Join(jobsDir, "every.yaml")
	os.WriteFile(every, []byte(fmt.Sprintf("name: every\nschedule: \"@every 1s\"\nsource: {kind: whit, inputs: [%q]}\nsink: {url: %q}\n", in, out)), 0o644)
	// the hourly job was last scheduled three hours ago
	hourly := filepath.Join(jobsDir, "hourly.yaml")
	os.WriteFile(hourly, []byte(fmt.Sprintf("name: hourly\nschedule: \"0 * * * *\"\ncatchup_window: 90m\nsource: {kind: whit, inputs: [%q]}\nsink: {url: %q}\n", in, out)), 0o644)
	hour := time.Now().UTC().Truncate(time.Hour)
	os.MkdirAll(filepath.Join(out, "_state", "hourly"), 0o700)
	os.WriteFile(filepath.Join(out, "_state", "hourly", "schedule.json"),
		[]byte(fmt.Sprintf(`{"job":"hourly","last_tick":%q}`, hour.Add(-3*time.Hour).Format(time.RFC3339))), 0o600)

	s := startServe(t, jobsDir)
	if code, body := s.get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, _ := s.get("/readyz"); code != 200 {
		t.Errorf("/readyz: %d", code)
	}
	waitRuns(t, every, "two scheduled runs", func(r []shortReport) bool {
		return count(r, func(r shortReport) bool { return r.Trigger == "schedule" && r.Outcome == "ok" && r.RowsOut == 4 }) >= 2
	})

	// catch-up: the last tick (this hour's) runs once, the two before are missed
	reps := waitRuns(t, hourly, "the catch-up", func(r []shortReport) bool { return len(r) >= 2 })
	missed := count(reps, func(r shortReport) bool {
		return r.Outcome == "missed" && strings.HasPrefix(r.Reason, "2 ticks from "+hour.Add(-2*time.Hour).Format(time.RFC3339))
	})
	caught := count(reps, func(r shortReport) bool {
		return (r.Trigger == "catchup" || r.Trigger == "schedule") && r.Outcome == "ok" && r.ScheduledFor.Equal(hour)
	})
	if missed != 1 || caught != 1 || len(reps) != 2 {
		t.Errorf("hourly after downtime: %+v", reps)
	}

	if code, stdout, stderr := call(t, "serve", "pause", "every", "--addr", s.addr); code != exitOK || !strings.Contains(stdout, "pause") {
		t.Fatalf("pause: exit %d %s %s", code, stdout, stderr)
	}
	code, stdout, _ := call(t, "serve", "status", "--json", "--addr", s.addr)
	var views []jobView
	if err := json.Unmarshal([]byte(stdout), &views); err != nil || code != exitOK || len(views) != 2 || views[0].Name != "every" || !views[0].Paused {
		t.Fatalf("status: %d %v %+v", code, err, views)
	}
	time.Sleep(300 * time.Millisecond) // a run started before the pause may still finish
	scheduled := func() int {
		return count(listRuns(t, every), func(r shortReport) bool { return r.Trigger == "schedule" })
	}
	before := scheduled()
	time.Sleep(2500 * time.Millisecond)
	if after := scheduled(); after != before {
		t.Errorf("%d scheduled runs while paused", after-before)
	}
	if code, _, stderr := call(t, "serve", "trigger", "every", "--addr", s.addr); code != exitOK {
		t.Fatalf("trigger: exit %d %s", code, stderr)
	}
	waitRuns(t, every, "the manual run", func(r []shortReport) bool {
		return count(r, func(r shortReport) bool { return r.Trigger == "manual" && r.Outcome == "ok" }) == 1
	})
	manual := listRuns(t, every)[0]
	if code, stdout, stderr := call(t, "runs", "show", manual.RunID, "--addr", s.addr); code != exitOK ||
		!strings.Contains(stdout, `"run_id": "`+manual.RunID+`"`) || !strings.Contains(stdout, `"trigger": "manual"`) {
		t.Errorf("runs show through the server: exit %d %s %s", code, stdout, stderr)
	}
	if code, stdout, stderr := call(t, "runs", "show", manual.RunID, jobsDir); code != exitOK || !strings.Contains(stdout, `"job": "every"`) {
		t.Errorf("runs show in a folder of job files: exit %d %s %s", code, stdout, stderr)
	}
	if code, _, _ := call(t, "runs", "show", "20000101T000000Z-00000000", jobsDir); code != exitFailed {
		t.Errorf("runs show of an unknown run: exit %d", code)
	}
	if code, _, stderr := call(t, "serve", "trigger", "nope", "--addr", s.addr); code != exitFailed || !strings.Contains(stderr, "no such job") {
		t.Errorf("trigger of an unknown job: exit %d %s", code, stderr)
	}
	// a page elsewhere cannot drive the control API through a browser
	for _, h := range [][2]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "http://elsewhere.example"}} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+s.addr+"/api/jobs/every/trigger", nil)
		req.Header.Set(h[0], h[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("a cross-site trigger (%s: %s): %d, want 403", h[0], h[1], resp.StatusCode)
		}
	}
	if code, _, stderr := call(t, "serve", "resume", "every", "--addr", s.addr); code != exitOK {
		t.Fatalf("resume: exit %d %s", code, stderr)
	}
	waitRuns(t, every, "a scheduled run after the resume", func(r []shortReport) bool {
		return count(r, func(r shortReport) bool { return r.Trigger == "schedule" }) > before
	})

	// SIGHUP with a broken file: reported at its position, the rest runs on
	os.WriteFile(filepath.Join(jobsDir, "broken.yaml"), []byte("name: broken\nschedule: \"61 * * * *\"\nsource: {kind: whit}\nsink: {url: x}\n"), 0o644)
	s.cmd.Process.Signal(syscall.SIGHUP)
	s.waitLog(filepath.Join(jobsDir, "broken.yaml") + ":2:11: schedule: not a valid cron expression")
	n := scheduled()
	waitRuns(t, every, "a scheduled run after the reload", func(r []shortReport) bool {
		return count(r, func(r shortReport) bool { return r.Trigger == "schedule" }) > n
	})
	if code, body := s.get("/api/invalid"); code != 200 || !strings.Contains(body, "broken.yaml") {
		t.Errorf("/api/invalid: %d %s", code, body)
	}

	code, body := s.get("/metrics")
	for _, want := range []string{`ccetl_runs_total{job="every",outcome="ok",trigger="schedule"}`, `ccetl_runs_total{job="hourly",outcome="missed",trigger="schedule"} 1`,
		`ccetl_rows_out_total{job="every",table="cal_service_interval_history"}`, `ccetl_next_run_timestamp_seconds{job="hourly"}`,
		`ccetl_last_success_timestamp_seconds{job="every"}`, `ccetl_run_duration_seconds_count{job="every"}`} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	code, body = s.get("/")
	if code != 200 || !strings.Contains(body, `data-job="every"`) || !strings.Contains(body, `data-outcome="missed"`) || strings.Contains(body, "<script") {
		t.Errorf("status page: %d\n%s", code, body)
	}
	if code := s.stop(syscall.SIGTERM); code != exitOK {
		t.Errorf("exit %d after SIGTERM:\n%s", code, s.logs())
	}
	if !strings.Contains(s.logs(), `"msg":"stopped"`) {
		t.Errorf("no stop in the log:\n%s", s.logs())
	}
}

// A job file that fails keeps its last good version, unless a valid file
// now has that job's name: then that file's job is the only one of the
// name, whatever order the files are read in.
func TestServeLoadOneJobPerName(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(repoRoot(t), "configs/samples/whit")
	job := func(name, schedule string) []byte {
		return []byte(fmt.Sprintf("name: %s\nschedule: %q\nsource: {kind: whit, inputs: [%q]}\nsink: {url: %q}\n", name, schedule, in, filepath.Join(dir, "out")))
	}
	for _, moved := range []string{"a.yaml", "c.yaml"} { // read before and after b.yaml
		os.RemoveAll(filepath.Join(dir, "jobs"))
		jobsDir := filepath.Join(dir, "jobs")
		os.Mkdir(jobsDir, 0o755)
		os.WriteFile(filepath.Join(jobsDir, "b.yaml"), job("x", "0 * * * *"), 0o644)
		s := &server{e: &env{reg: all.Registry(os.Getenv), getenv: os.Getenv}, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			paths: []string{jobsDir}, byFile: map[string]*jobs.Job{}}
		if js := s.load(); len(js) != 1 || js[0].Schedule != "0 * * * *" {
			t.Fatalf("first load: %+v", js)
		}
		// x moves to another file while b.yaml breaks
		os.WriteFile(filepath.Join(jobsDir, moved), job("x", "30 * * * *"), 0o644)
		os.WriteFile(filepath.Join(jobsDir, "b.yaml"), []byte("name: x\nschedule: \"61 * * * *\"\n"), 0o644)
		for range 5 { // map order must not matter
			js := s.load()
			if len(js) != 1 || js[0].Schedule != "30 * * * *" || len(s.byFile) != 1 || s.byFile[filepath.Join(jobsDir, moved)] == nil {
				t.Fatalf("moved to %s: jobs %+v, files %v", moved, js, s.byFile)
			}
			if s.bad[filepath.Join(jobsDir, "b.yaml")] == "" {
				t.Fatalf("b.yaml not reported: %v", s.bad)
			}
		}
	}
}
