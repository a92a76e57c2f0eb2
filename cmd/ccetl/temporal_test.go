package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/ccetl/ccetl/connectors/maestroqa/maestroqatest"
)

// temporalAddr is the Temporal dev server of .ci/temporal.sh, or skips
// (fails under CI=true) when there is none.
func temporalAddr(t *testing.T) string {
	t.Helper()
	addr := os.Getenv("CCETL_TEST_TEMPORAL")
	if addr == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but no Temporal dev server: run eval \"$(bash .ci/temporal.sh start)\"")
		}
		t.Skip("no Temporal dev server (eval \"$(bash .ci/temporal.sh start)\")")
	}
	return addr
}

// testWorker is a `ccetl worker` process and the JSON log lines it wrote.
type testWorker struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []map[string]any
	seen  chan map[string]any // every log line, as it comes
	done  chan struct{}
}

// startWorker runs this test binary as `ccetl worker` on the task queue;
// it is stopped when the test ends.
func startWorker(t *testing.T, addr, queue string, jobFiles ...string) *testWorker {
	t.Helper()
	return startWorkerArgs(t, addr, queue, nil, jobFiles...)
}

// startWorkerArgs is startWorker with more flags.
func startWorkerArgs(t testing.TB, addr, queue string, flags []string, jobFiles ...string) *testWorker {
	t.Helper()
	args := append([]string{"worker", "--temporal", addr, "--task-queue", queue, "--log-format", "json", "--log-level", "info"}, flags...)
	args = append(args, jobFiles...)
	w := &testWorker{cmd: ccetlCommand(t, args...), seen: make(chan map[string]any, 1000), done: make(chan struct{})}
	stderr, err := w.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(w.done)
		w.read(stderr)
	}()
	t.Cleanup(func() {
		w.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-w.done:
		case <-time.After(10 * time.Second):
			w.cmd.Process.Kill()
		}
		w.cmd.Wait()
		if t.Failed() {
			w.mu.Lock()
			for _, m := range w.lines {
				t.Logf("worker %d: %v", w.cmd.Process.Pid, m)
			}
			w.mu.Unlock()
		}
	})
	return w
}

func (w *testWorker) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) != nil {
			continue
		}
		w.mu.Lock()
		w.lines = append(w.lines, m)
		w.mu.Unlock()
		select {
		case w.seen <- m:
		default:
		}
	}
}

// logged returns the log lines with the message msg.
func (w *testWorker) logged(msg string) []map[string]any {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []map[string]any
	for _, m := range w.lines {
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

func (w *testWorker) identity() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("ccetl-worker:%s:%d", host, w.cmd.Process.Pid)
}

// slowAPI points the job file at a proxy of the API at url that holds
// every request for delay before forwarding it.
func slowAPI(t *testing.T, job, url string, delay time.Duration) {
	t.Helper()
	proxy := slowProxy(t, url, delay)
	b, err := os.ReadFile(job)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(job, []byte(strings.Replace(string(b), url, proxy, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// slowProxy serves the API at url through a proxy that holds every
// request for delay, like a vendor slow to answer, and returns its URL.
func slowProxy(t testing.TB, url string, delay time.Duration) string {
	t.Helper()
	target, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// testQueue is a task queue no other test or earlier run polls.
func testQueue(t *testing.T) string {
	return fmt.Sprintf("ccetl-test-%s-%d", strings.ToLower(t.Name()), time.Now().UnixNano())
}

// TestTemporalBackfillSurvivesAKilledWorker backfills 120 days (13
// windows) of a rate-limited MaestroQA job on two `ccetl worker`
// processes and kills the one that takes the first window with SIGKILL
// while it runs that window: the other worker runs the window again and
// the rest, every session is in the lake exactly once, and the emulator
// answered no 429.
func TestTemporalBackfillSurvivesAKilledWorker(t *testing.T) {
	addr := temporalAddr(t)
	limits := maestroqatest.ScaledLimits(100 * time.Millisecond)
	emu := maestroqatest.New(t, maestroqatest.Config{Limits: limits})
	emu.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 240, First: time.Date(2023, 12, 27, 1, 0, 0, 0, time.UTC), Every: 12 * time.Hour}))
	job, out := mqaBackfillJob(t, emu, maestroqatest.RateLimit(limits))
	// each answer takes 500ms, so a window is still running at the kill
	slowAPI(t, job, emu.URL(), 500*time.Millisecond)
	queue := testQueue(t)
	workers := []*testWorker{startWorker(t, addr, queue, job), startWorker(t, addr, queue, job)}
	// one request a window, 500ms apart at least: no pause between windows
	// is needed to keep the limits
	args := []string{"backfill", "--engine", "temporal", "--temporal", addr, "--task-queue", queue, "--heartbeat", "2s",
		"--window-gap", "0", "--json", "--from", "2023-12-27", "--to", "2024-04-25", job}
	code, stdout, stderr := call(t, args...)
	if code != exitOK || !strings.Contains(stdout, "workflow_id") {
		t.Fatalf("start: exit %d: %s %s", code, stdout, stderr)
	}
	// kill the worker that starts the first window, while it runs it
	var victim, survivor *testWorker
	var window string
	deadline := time.After(30 * time.Second)
	for victim == nil {
		select {
		case m := <-workers[0].seen:
			if m["msg"] == "window started" {
				victim, survivor, window = workers[0], workers[1], m["start"].(string)
			}
		case m := <-workers[1].seen:
			if m["msg"] == "window started" {
				victim, survivor, window = workers[1], workers[0], m["start"].(string)
			}
		case <-deadline:
			t.Fatal("no worker started a window in 30s")
		}
	}
	time.Sleep(200 * time.Millisecond)
	victimID := victim.identity()
	victim.cmd.Process.Signal(syscall.SIGKILL)
	<-victim.done
	for _, m := range victim.logged("window finished") {
		if m["start"] == window {
			t.Fatalf("window %s finished before the kill: the test proves nothing", window)
		}
	}
	// --wait attaches to the running backfill and prints its summary
	code, stdout, stderr = call(t, append(args[:len(args):len(args)], "--wait")...)
	if code != exitOK {
		t.Fatalf("wait: exit %d: %s %s", code, stdout, stderr)
	}
	s := decodeBackfill(t, stdout)
	for _, r := range s.Runs {
		t.Logf("window %s..%s: %s, %d rows, worker %s, attempt %d", r.Start, r.End, r.Outcome, r.RowsOut, r.Worker, r.Attempt)
	}
	if s.Windows != 13 || s.Done != 13 || s.Outcome != "ok" || len(s.Runs) != 13 {
		t.Fatalf("summary %+v", s)
	}
	retried := false
	for _, r := range s.Runs {
		if r.Worker == victimID {
			t.Errorf("window %s reported by the killed worker", r.Start)
		}
		if r.Start == window {
			retried = r.Attempt >= 2 && r.Worker == survivor.identity()
		}
	}
	if !retried {
		t.Errorf("window %s was not run again by the other worker: %+v", window, s.Runs)
	}
	// the run reports name the worker of each window, and the retried
	// window's try
	var reps []struct {
		Outcome string `json:"outcome"`
		Worker  string `json:"worker"`
		Attempt int    `json:"attempt"`
		Window  *struct {
			Start time.Time `json:"start"`
		} `json:"window"`
	}
	if code, stdout, stderr := call(t, "runs", "--json", "--limit", "0", job); code != exitOK || json.Unmarshal([]byte(stdout), &reps) != nil {
		t.Fatalf("runs: exit %d: %s %s", code, stdout, stderr)
	}
	reported := false
	for _, r := range reps {
		if r.Outcome == "ok" && r.Worker == "" {
			t.Errorf("a window's run report names no worker: %+v", r)
		}
		if r.Outcome == "ok" && r.Window != nil && r.Window.Start.Format(time.DateOnly) == window[:10] {
			reported = r.Worker == survivor.identity() && r.Attempt >= 2
		}
	}
	if !reported {
		t.Errorf("no run report of window %s by %s on a second try: %+v", window, survivor.identity(), reps)
	}
	sessionsOnce(t, out, 240)
	if c := emu.Counts(); c.TooMany != 0 {
		t.Fatalf("the emulator answered %d requests 429 (counts %+v)", c.TooMany, c)
	}
	code, stdout, stderr = call(t, "lake", "check", out)
	if code != exitOK {
		t.Fatalf("lake check: %s %s", stdout, stderr)
	}
}

// TestTemporalBackfillKeepsRateLimitsAcrossWorkers backfills a MaestroQA
// job in windows of 1-day requests on two workers, against an emulator
// enforcing MaestroQA's limits scaled down. With the job's cooldown
// between windows (60 days in 10-day windows; 1 request per 20ms, 30 per
// 1.2s) no request is refused, whichever worker runs each window. With no
// pause (35 days in 7-day windows; 1 request per 200ms, 30 per 12s: the
// 31st request comes some 4s before the 12s are over) the windows' fresh
// limiters add up past 30 in 12s and the emulator answers 429, which
// shows the test can tell (when the windows ran on both workers: one
// worker's windows share its limiter for the token).
func TestTemporalBackfillKeepsRateLimitsAcrossWorkers(t *testing.T) {
	addr := temporalAddr(t)
	run := func(t *testing.T, second time.Duration, windowDays, to, gap string) (backfillSummary, maestroqatest.Counts, map[string]int, [2]string) {
		limits := maestroqatest.ScaledLimits(second)
		emu := maestroqatest.New(t, maestroqatest.Config{Limits: limits})
		emu.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 120, First: time.Date(2024, 1, 1, 1, 0, 0, 0, time.UTC), Every: 12 * time.Hour}))
		dir := t.TempDir()
		tok := filepath.Join(dir, "token")
		os.WriteFile(tok, []byte(emu.Token()), 0o600)
		out := filepath.Join(dir, "out")
		job := filepath.Join(dir, "job.yaml")
		os.WriteFile(job, []byte(fmt.Sprintf("name: mqa-limits\nsources:\n  - kind: maestroqa-coaching-api\n    options:\n"+
			"      base_url: %s\n      api_token_file: %s\n      window_days: \"1\"\n      repull_days: \"0\"\n      max_attempts: \"1\"\n"+
			"      rate_limit: %s\nsink: {url: %s}\n", emu.URL(), tok, maestroqatest.RateLimit(limits), out)), 0o644)
		queue := testQueue(t)
		w1, w2 := startWorker(t, addr, queue, job), startWorker(t, addr, queue, job)
		args := []string{"backfill", "--engine", "temporal", "--temporal", addr, "--task-queue", queue, "--wait", "--json",
			"--window-days", windowDays, "--from", "2024-01-01", "--to", to, job}
		if gap != "" {
			args = append(args, "--window-gap", gap)
		} else {
			args = append(args, "--max-in-flight", "4") // the cooldown makes it one at a time
		}
		_, stdout, _ := call(t, args...)
		return decodeBackfill(t, stdout), emu.Counts(), sessionCounts(t, out), [2]string{w1.identity(), w2.identity()}
	}
	t.Run("cooldown", func(t *testing.T) {
		s, c, seen, ids := run(t, 20*time.Millisecond, "10", "2024-03-01", "")
		if s.Outcome != "ok" || s.Done != s.Windows || s.Windows < 6 {
			t.Fatalf("summary %+v", s)
		}
		if c.TooMany != 0 {
			t.Fatalf("the emulator answered %d requests 429 (counts %+v)", c.TooMany, c)
		}
		if len(seen) != 120 {
			t.Fatalf("%d sessions, want 120", len(seen))
		}
		per := map[string]int{}
		for _, r := range s.Runs {
			if r.Worker != ids[0] && r.Worker != ids[1] {
				t.Fatalf("window %s run by %q, not one of the test's workers", r.Start, r.Worker)
			}
			per[r.Worker]++
		}
		t.Logf("%d requests, windows per worker %v", c.Requests, per)
	})
	t.Run("no pause", func(t *testing.T) {
		s, c, _, _ := run(t, 200*time.Millisecond, "7", "2024-02-05", "0")
		// windows on one worker share its limiter for the token, which
		// keeps the limits without a pause; only windows on both can
		// add up past them
		ran := map[string]bool{}
		for _, r := range s.Runs {
			ran[r.Worker] = true
		}
		if len(ran) < 2 {
			t.Skipf("every window ran on one worker (%v): its one limiter kept the limits, so there is nothing to show", ran)
		}
		if c.TooMany == 0 {
			t.Fatalf("no 429 without the cooldown (counts %+v): the emulator's limits did not bind, so the test above proves nothing", c)
		}
	})
}

// scheduledMQAJob writes a MaestroQA job pulling from five days ago with
// the schedule lines given; it returns the job file, its output and the
// file without the schedule lines.
func scheduledMQAJob(t *testing.T, emu *maestroqatest.Emulator, sched string) (job, out string, unscheduled []byte) {
	t.Helper()
	job, out = mqaBackfillJob(t, emu, "100/1s")
	b, _ := os.ReadFile(job)
	start := time.Now().UTC().AddDate(0, 0, -5).Format(time.DateOnly)
	b = []byte(strings.Replace(string(b), "      window_days:", "      start: \""+start+"\"\n      window_days:", 1))
	os.WriteFile(job, append(slices.Clip(b), sched...), 0o644)
	return job, out, b
}

// TestTemporalServeRegistersSchedules registers a MaestroQA job's
// schedule as a Temporal Schedule with `ccetl serve --engine temporal`,
// triggers it, and finds the run a `ccetl worker` made in the job's run
// reports; serving again updates the schedule.
func TestTemporalServeRegistersSchedules(t *testing.T) {
	addr := temporalAddr(t)
	emu := maestroqatest.New(t, maestroqatest.Config{NoLimits: true})
	emu.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 20, First: time.Now().UTC().Add(-48 * time.Hour), Every: time.Hour}))
	job, out, b := scheduledMQAJob(t, emu, "schedule: \"30 2 * * *\"\ntime_zone: America/Chicago\noverlap: buffer_one\ncatchup_window: 6h\n")
	queue := testQueue(t)
	startWorker(t, addr, queue, job)
	code, stdout, stderr := call(t, "serve", "--engine", "temporal", "--temporal", addr, "--task-queue", queue, job)
	if code != exitOK || !strings.Contains(stdout, "created Temporal Schedule ccetl-schedule/"+queue+"/mqa-backfill") {
		t.Fatalf("serve: exit %d: %s %s", code, stdout, stderr)
	}
	c, err := client.Dial(client.Options{HostPort: addr, Logger: tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	h := c.ScheduleClient().GetHandle(ctx, "ccetl-schedule/"+queue+"/mqa-backfill")
	t.Cleanup(func() { h.Delete(context.Background()) })
	d, err := h.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p := d.Schedule.Policy; p.Overlap != enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE || p.CatchupWindow != 6*time.Hour ||
		d.Schedule.Spec.TimeZoneName != "America/Chicago" || len(d.Schedule.Spec.Calendars) != 1 {
		t.Fatalf("schedule %+v, spec %+v", p, d.Schedule.Spec)
	}
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatal(err)
	}
	type report struct {
		Trigger string `json:"trigger"`
		Outcome string `json:"outcome"`
		RowsOut int64  `json:"rows_out"`
	}
	var reps []report
	for deadline := time.Now().Add(30 * time.Second); len(reps) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no run report 30s after the trigger")
		}
		time.Sleep(200 * time.Millisecond)
		if code, stdout, _ := call(t, "runs", "--json", job); code == exitOK {
			json.Unmarshal([]byte(stdout), &reps)
		}
	}
	if reps[0].Trigger != "schedule" || reps[0].Outcome != "ok" || reps[0].RowsOut == 0 {
		t.Fatalf("run report %+v", reps[0])
	}
	if got := len(sessionCounts(t, out)); got != 20 {
		t.Fatalf("%d sessions in the lake, want 20", got)
	}
	// serving the changed file again updates the schedule
	os.WriteFile(job, append(b, "schedule: \"@every 2h\"\n"...), 0o644)
	code, stdout, stderr = call(t, "serve", "--engine", "temporal", "--temporal", addr, "--task-queue", queue, job)
	if code != exitOK || !strings.Contains(stdout, "updated Temporal Schedule") {
		t.Fatalf("serve again: exit %d: %s %s", code, stdout, stderr)
	}
	if d, err = h.Describe(ctx); err != nil || len(d.Schedule.Spec.Intervals) != 1 || d.Schedule.Spec.Intervals[0].Every != 2*time.Hour {
		t.Fatalf("updated spec %+v %v", d.Schedule.Spec, err)
	}
}

// TestTemporalJobsSharingACredentialTakeTurns backfills two MaestroQA jobs
// that use one token, at once, on two workers, against an emulator
// enforcing the token's limits (scaled: 1 request per 20ms, 30 per 1.2s).
// Each window holds the token's quota, so no window of one job runs while
// one of the other does, the limiter's cooldown separates them, and the
// emulator refuses nothing; every session is in each job's lake once.
func TestTemporalJobsSharingACredentialTakeTurns(t *testing.T) {
	addr := temporalAddr(t)
	limits := maestroqatest.ScaledLimits(20 * time.Millisecond)
	emu := maestroqatest.New(t, maestroqatest.Config{Limits: limits})
	emu.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 80, First: time.Date(2024, 1, 1, 1, 0, 0, 0, time.UTC), Every: 12 * time.Hour}))
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	os.WriteFile(tok, []byte(emu.Token()), 0o600)
	var files, outs []string
	for _, name := range []string{"mqa-a", "mqa-b"} {
		out := filepath.Join(dir, name)
		job := filepath.Join(dir, name+".yaml")
		os.WriteFile(job, []byte(fmt.Sprintf("name: %s\nsources:\n  - kind: maestroqa-coaching-api\n    options:\n"+
			"      base_url: %s\n      api_token_file: %s\n      window_days: \"1\"\n      repull_days: \"0\"\n      max_attempts: \"1\"\n"+
			"      rate_limit: %s\nsink: {url: %s}\n", name, emu.URL(), tok, maestroqatest.RateLimit(limits), out)), 0o644)
		files, outs = append(files, job), append(outs, out)
	}
	queue := testQueue(t)
	workers := []*testWorker{startWorker(t, addr, queue, files...), startWorker(t, addr, queue, files...)}
	backfill := func(job string, wait bool) []string {
		args := []string{"backfill", "--engine", "temporal", "--temporal", addr, "--task-queue", queue, "--json",
			"--window-days", "10", "--from", "2024-01-01", "--to", "2024-02-10", job}
		if wait {
			args = append(args, "--wait")
		}
		return args
	}
	for _, f := range files { // both start before either is waited for
		if code, stdout, stderr := call(t, backfill(f, false)...); code != exitOK {
			t.Fatalf("start %s: exit %d: %s %s", f, code, stdout, stderr)
		}
	}
	windows := 0
	for i, f := range files {
		code, stdout, stderr := call(t, backfill(f, true)...)
		s := decodeBackfill(t, stdout)
		windows += s.Windows
		// (a backfill that ended before --wait came is started again and
		// finds its windows done)
		if code != exitOK || s.Outcome != "ok" || s.Windows < 4 || s.Done+s.AlreadyDone != s.Windows {
			t.Fatalf("%s: exit %d: %+v %s", f, code, s, stderr)
		}
		sessionsOnce(t, outs[i], 80)
	}
	// the windows as the workers ran them: none of one job overlaps one of
	// the other
	type span struct {
		job        string
		start, end time.Time
	}
	var spans []span
	for _, w := range workers {
		open := map[string]time.Time{}
		for _, m := range append(w.logged("window started"), w.logged("window finished")...) {
			at, err := time.Parse(time.RFC3339Nano, fmt.Sprint(m["time"]))
			if err != nil {
				t.Fatalf("log time %v: %v", m["time"], err)
			}
			key := fmt.Sprint(m["job"], "/", m["start"])
			if m["msg"] == "window started" {
				open[key] = at
				continue
			}
			spans = append(spans, span{job: fmt.Sprint(m["job"]), start: open[key], end: at})
		}
	}
	for i, a := range spans {
		for _, b := range spans[i+1:] {
			if a.job != b.job && a.start.Before(b.end) && b.start.Before(a.end) {
				t.Errorf("windows of %s (%s..%s) and %s (%s..%s) ran at once on one token", a.job, a.start.Format("15:04:05.000"),
					a.end.Format("15:04:05.000"), b.job, b.start.Format("15:04:05.000"), b.end.Format("15:04:05.000"))
			}
		}
	}
	if c := emu.Counts(); c.TooMany != 0 {
		t.Fatalf("the emulator answered %d requests 429 (counts %+v)", c.TooMany, c)
	}
	if len(spans) != windows {
		t.Fatalf("%d windows run, want %d (one retried?)", len(spans), windows)
	}
}

// TestTemporalServeStatusPage runs `ccetl serve --engine temporal --addr`:
// after registering the schedule it serves the job's Temporal Schedule
// (next tick, paused) and its runs, which a worker makes, on the control
// API, the status page and /metrics, and pauses and triggers the schedule
// from the API.
func TestTemporalServeStatusPage(t *testing.T) {
	addr := temporalAddr(t)
	emu := maestroqatest.New(t, maestroqatest.Config{NoLimits: true})
	emu.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 10, First: time.Now().UTC().Add(-48 * time.Hour), Every: time.Hour}))
	job, _, _ := scheduledMQAJob(t, emu, "schedule: \"30 2 * * *\"\ntime_zone: America/Chicago\n")
	queue := testQueue(t)
	startWorker(t, addr, queue, job)
	s := startServe(t, "--engine", "temporal", "--temporal", addr, "--task-queue", queue, job)
	t.Cleanup(func() {
		c, err := client.Dial(client.Options{HostPort: addr, Logger: tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))})
		if err == nil {
			c.ScheduleClient().GetHandle(context.Background(), "ccetl-schedule/"+queue+"/mqa-backfill").Delete(context.Background())
			c.Close()
		}
	})
	type view struct {
		Name   string    `json:"name"`
		Next   time.Time `json:"next"`
		Paused bool      `json:"paused"`
		Recent []struct {
			Outcome string `json:"outcome"`
			Trigger string `json:"trigger"`
		} `json:"recent_runs"`
	}
	jobsNow := func() []view {
		t.Helper()
		code, body := s.get("/api/jobs")
		var vs []view
		if code != http.StatusOK || json.Unmarshal([]byte(body), &vs) != nil || len(vs) != 1 || vs[0].Name != "mqa-backfill" {
			t.Fatalf("/api/jobs: %d %s", code, body)
		}
		return vs
	}
	if v := jobsNow()[0]; v.Next.Before(time.Now()) || v.Paused || len(v.Recent) != 0 {
		t.Fatalf("job before any run: %+v", v)
	}
	post := func(path string) {
		t.Helper()
		resp, err := http.Post("http://"+s.addr+path, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d", path, resp.StatusCode)
		}
	}
	post("/api/jobs/mqa-backfill/trigger")
	const ran = `ccetl_runs_total{job="mqa-backfill",outcome="ok",trigger="schedule"} 1`
	for deadline := time.Now().Add(40 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		if _, m := s.get("/metrics"); strings.Contains(m, ran) {
			break
		}
		if time.Now().After(deadline) {
			_, m := s.get("/metrics")
			t.Fatalf("no %s in the metrics 40s after the trigger:\n%s", ran, m)
		}
	}
	if v := jobsNow()[0]; len(v.Recent) != 1 || v.Recent[0].Outcome != "ok" || v.Recent[0].Trigger != "schedule" {
		t.Fatalf("recent runs %+v", v.Recent)
	}
	if code, page := s.get("/"); code != http.StatusOK || !strings.Contains(page, "mqa-backfill") || !strings.Contains(page, `data-outcome="ok"`) {
		t.Fatalf("status page %d:\n%s", code, page)
	}
	// the command-line client talks to it as to the embedded server
	if code, stdout, stderr := call(t, "serve", "pause", "mqa-backfill", "--addr", s.addr); code != exitOK {
		t.Fatalf("serve pause: exit %d: %s %s", code, stdout, stderr)
	}
	if code, stdout, _ := call(t, "serve", "status", "--json", "--addr", s.addr); code != exitOK || !strings.Contains(stdout, `"paused": true`) {
		t.Fatalf("serve status: exit %d: %s", code, stdout)
	}
	if !jobsNow()[0].Paused {
		t.Fatal("the schedule is not paused after the pause")
	}
	if _, m := s.get("/metrics"); !strings.Contains(m, `ccetl_job_paused{job="mqa-backfill"} 1`) {
		t.Fatalf("metrics do not say the job is paused:\n%s", m)
	}
}
