package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ccetl/ccetl/jobs/state"
	"github.com/ccetl/ccetl/jobs/state/statetest"
)

// shownLease is the lease part of `ccetl state show`.
type shownLease struct {
	Holder   string        `json:"holder"`
	Acquired time.Time     `json:"acquired"`
	Expires  time.Time     `json:"expires"`
	Active   bool          `json:"active"`
	Process  state.Process `json:"process"`
	Status   string        `json:"process_status"`
}

func showLease(t *testing.T, job string) *shownLease {
	t.Helper()
	code, stdout, stderr := call(t, "state", "show", job)
	if code != exitOK {
		t.Fatalf("state show: exit %d: %s", code, stderr)
	}
	var r struct {
		Lease *shownLease `json:"lease"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("state show: %v\n%s", err, stdout)
	}
	return r.Lease
}

// leaseJob writes a job converting a large WHIT file (long enough to be
// killed mid-run) with its state at stateURL ("" for the default, under the
// sink).
func leaseJob(t *testing.T, stateURL string) (job, out string, rows int) {
	t.Helper()
	dir := t.TempDir()
	rows = 300_000
	in := filepath.Join(dir, "big.csv")
	writeWHIT(t, in, rows)
	out = filepath.Join(dir, "out")
	spec := fmt.Sprintf("name: killed-run\nsource:\n  kind: whit\n  inputs: [%q]\nsink:\n  url: %q\n  options: {file_rows: 20000}\n", in, out)
	if stateURL != "" {
		spec += fmt.Sprintf("state: %q\n", stateURL)
	}
	job = filepath.Join(dir, "job.yaml")
	if err := os.WriteFile(job, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return job, out, rows
}

// killHolderThenRun starts `ccetl run` in a child process, waits until
// `state show` reports it holding the job's lease, checks that the lease
// refuses a second run and a plain unlock while it lives, kills it with
// SIGKILL and runs the job again at once: the rerun takes the lease over
// and says so.
func killHolderThenRun(t *testing.T, job string) {
	cmd := ccetlCommand(t, "run", job)
	exited := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { exited <- cmd.Wait() }()
	defer cmd.Process.Kill()
	var l *shownLease
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if l = showLease(t, job); l != nil && l.Active && l.Process.PID == cmd.Process.Pid {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the run ended (%v) before it was seen holding the lease; the input is too small", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the run never took the lease")
		}
	}
	host, _ := os.Hostname()
	if l.Status != string(state.Alive) || !strings.HasPrefix(l.Holder, fmt.Sprintf("%s:%d:", host, cmd.Process.Pid)) || l.Acquired.IsZero() || !l.Expires.After(time.Now()) {
		t.Fatalf("state show of a running holder: %+v", l)
	}
	if code, _, stderr := call(t, "run", job); code != exitFailed || !strings.Contains(stderr, l.Holder) || !strings.Contains(stderr, "its process runs on this host") {
		t.Fatalf("a second run beside a live one: exit %d: %s", code, stderr)
	}
	if code, _, stderr := call(t, "state", "unlock", "--yes", job); code != exitFailed || !strings.Contains(stderr, "running process of this host") {
		t.Fatalf("unlock of a live holder without --force: exit %d: %s", code, stderr)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("the run finished before the kill (%v); the input is too small", cmd.ProcessState)
	}
	if after := showLease(t, job); after.Status != string(state.Gone) || after.Holder != l.Holder {
		t.Fatalf("state show after the kill: %+v, want the same holder, gone", after)
	}
	start := time.Now()
	code, _, stderr := call(t, "run", job)
	if code != exitOK {
		t.Fatalf("the run right after the kill: exit %d: %s", code, stderr)
	}
	if want := "took over the lease of " + l.Holder + ", whose process is gone"; !strings.Contains(stderr, want) || !strings.Contains(stderr, "level=WARN") {
		t.Errorf("the rerun's log lacks a warning %q:\n%s", want, stderr)
	}
	t.Logf("rerun after the kill took %v (the lease would have held until %v)", time.Since(start).Round(time.Millisecond), l.Expires.Sub(start).Round(time.Second))
	if after := showLease(t, job); after.Active {
		t.Errorf("the rerun left its lease active: %+v", after)
	}
}

// TestRunRightAfterAKilledRun: a run killed with SIGKILL does not keep the
// next run of the job on the same host waiting for its lease to expire.
func TestRunRightAfterAKilledRun(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc: a holder's process cannot be checked here")
	}
	job, out, rows := leaseJob(t, "")
	killHolderThenRun(t, job)
	if n, _ := visibleRows(t, out); n != rows {
		t.Fatalf("after the kill and the rerun %d rows are visible, want exactly %d", n, rows)
	}
}

// TestS3RunRightAfterAKilledRun is TestRunRightAfterAKilledRun with the job
// state on S3: the takeover is a conditional write there too.
func TestS3RunRightAfterAKilledRun(t *testing.T) {
	bucket := s3Env(t)
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc: a holder's process cannot be checked here")
	}
	job, out, rows := leaseJob(t, fmt.Sprintf("s3://%s/lease-kill-%d", bucket, time.Now().UnixNano()))
	killHolderThenRun(t, job)
	if n, _ := visibleRows(t, out); n != rows {
		t.Fatalf("after the kill and the rerun %d rows are visible, want exactly %d", n, rows)
	}
}

// TestRemoteHolderShownAndUnlocked: a lease held from another host is kept
// until it expires; the refusal and `state show` give its expiry, and
// `state unlock` releases it by hand after a confirmation.
func TestRemoteHolderShownAndUnlocked(t *testing.T) {
	job, out, _ := leaseJob(t, "")
	backend, err := state.OpenDir(filepath.Join(out, "_state"))
	if err != nil {
		t.Fatal(err)
	}
	remoteUnlock(t, job, func(p state.Process, until time.Time) {
		statetest.PutLease(t, backend, "killed-run", "batch-host-7:4242:r1", p, until)
	})
}

// TestS3RemoteHolderShownAndUnlocked is TestRemoteHolderShownAndUnlocked
// with the job state on S3.
func TestS3RemoteHolderShownAndUnlocked(t *testing.T) {
	bucket := s3Env(t)
	url := fmt.Sprintf("s3://%s/lease-remote-%d", bucket, time.Now().UnixNano())
	job, _, _ := leaseJob(t, url)
	backend := s3StateStore(t, url)
	remoteUnlock(t, job, func(p state.Process, until time.Time) {
		statetest.PutLease(t, backend, "killed-run", "batch-host-7:4242:r1", p, until)
	})
}

func remoteUnlock(t *testing.T, job string, put func(state.Process, time.Time)) {
	until := time.Now().Add(90 * time.Second).UTC().Truncate(time.Second)
	put(state.Process{Host: "batch-host-7", PID: 4242, Boot: "b7", Start: "1234"}, until)
	code, _, stderr := call(t, "run", job)
	if code != exitFailed || !strings.Contains(stderr, "batch-host-7:4242:r1") ||
		!strings.Contains(stderr, until.Format(time.RFC3339)) || !strings.Contains(stderr, "ccetl state unlock JOB.yaml") {
		t.Fatalf("a run beside a remote holder: exit %d: %s", code, stderr)
	}
	l := showLease(t, job)
	if l == nil || !l.Active || l.Holder != "batch-host-7:4242:r1" || l.Status != string(state.Remote) ||
		!l.Expires.Equal(until) || l.Process.Host != "batch-host-7" || l.Acquired.IsZero() {
		t.Fatalf("state show of a remote holder: %+v", l)
	}
	if code, _, stderr := call(t, "state", "unlock", job); code != exitConfig || !strings.Contains(stderr, "--yes") {
		t.Fatalf("unlock without a terminal or --yes: exit %d: %s", code, stderr)
	}
	if l := showLease(t, job); !l.Active {
		t.Fatal("an unconfirmed unlock released the lease")
	}
	code, stdout, stderr := call(t, "state", "unlock", "--yes", job)
	if code != exitOK || !strings.Contains(stdout, "held by batch-host-7:4242:r1") {
		t.Fatalf("unlock: exit %d: %s %s", code, stdout, stderr)
	}
	if l := showLease(t, job); l.Active || l.Holder != "" {
		t.Fatalf("after unlock: %+v", l)
	}
	if code, stdout, _ := call(t, "state", "unlock", "--yes", job); code != exitOK || !strings.Contains(stdout, "was not locked") {
		t.Fatalf("second unlock: exit %d: %s", code, stdout)
	}
	if code, _, stderr := call(t, "run", job); code != exitOK {
		t.Fatalf("run after unlock: exit %d: %s", code, stderr)
	}
}
