package state

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTakeOverTheLeaseOfAKilledProcess takes the lease in a child process,
// kills it with SIGKILL, and acquires at once: the lease of a process of
// this host that is gone is taken over without waiting for its expiry.
func TestTakeOverTheLeaseOfAKilledProcess(t *testing.T) {
	if dir := os.Getenv("CCETL_STATE_TEST_HOLDER"); dir != "" {
		d, err := OpenDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := New(d).Acquire(context.Background(), "nightly", fmt.Sprint("child-", os.Getpid()), time.Hour); err != nil {
			t.Fatal(err)
		}
		fmt.Println("HOLDING")
		time.Sleep(time.Minute)
		return
	}
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc: a holder's process cannot be checked here")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestTakeOverTheLeaseOfAKilledProcess$")
	cmd.Env = append(os.Environ(), "CCETL_STATE_TEST_HOLDER="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if !strings.Contains(line, "HOLDING") {
		t.Fatalf("child: %q", line)
	}
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := New(d)
	// While the holder runs, its lease holds, and unlock refuses without --force.
	_, err = s.Acquire(context.Background(), "nightly", "me", time.Minute)
	var he *HeldError
	if !errors.As(err, &he) || he.Process != Alive || strings.Contains(err.Error(), "state unlock") || !strings.Contains(err.Error(), "its process runs on this host") {
		t.Fatalf("a live holder: %v", err)
	}
	if _, err := s.Unlock(context.Background(), "nightly", false); err == nil || !strings.Contains(err.Error(), "running process of this host") {
		t.Fatalf("unlock of a live holder: %v", err)
	}
	rep, err := s.Inspect(context.Background(), "nightly")
	if err != nil || rep.Lease == nil || rep.Lease.Status != Alive || rep.Lease.Process.PID != cmd.Process.Pid {
		t.Fatalf("inspect: %+v %v", rep.Lease, err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	rep, _ = s.Inspect(context.Background(), "nightly")
	if rep.Lease.Status != Gone {
		t.Fatalf("after the kill the holder is %s", rep.Lease.Status)
	}
	l, err := s.Acquire(context.Background(), "nightly", "me", time.Minute)
	if err != nil {
		t.Fatalf("the lease of a killed process was not taken over: %v", err)
	}
	if want := fmt.Sprint("child-", cmd.Process.Pid); l.TookOver() != want {
		t.Fatalf("TookOver %q, want %q", l.TookOver(), want)
	}
}

// TestRemoteHolderWaitsForExpiryOrUnlock: a holder on another host keeps
// the lease until it expires or someone unlocks it by hand.
func TestRemoteHolderWaitsForExpiryOrUnlock(t *testing.T) {
	s, _ := newTestStore(t)
	remote := onBackend(s)
	remote.self = Process{Host: "another-host", PID: 42, Start: "boot/1"}
	if _, err := remote.Acquire(context.Background(), "nightly", "another-host:42:run", time.Hour); err != nil {
		t.Fatal(err)
	}
	_, err := s.Acquire(context.Background(), "nightly", "me", time.Minute)
	var he *HeldError
	if !errors.As(err, &he) || he.Process != Remote || !strings.Contains(err.Error(), "'ccetl state unlock JOB.yaml' releases the lease now") {
		t.Fatalf("remote holder: %v", err)
	}
	rep, err := s.Inspect(context.Background(), "nightly")
	if err != nil || rep.Lease.Status != Remote || rep.Lease.Process.Host != "another-host" || rep.Lease.Acquired.IsZero() {
		t.Fatalf("inspect %+v %v", rep.Lease, err)
	}
	holder, err := s.Unlock(context.Background(), "nightly", false)
	if err != nil || holder != "another-host:42:run" {
		t.Fatalf("unlock: %q %v", holder, err)
	}
	if _, err := s.Acquire(context.Background(), "nightly", "me", time.Minute); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	if holder, err := s.Unlock(context.Background(), "never-run", false); holder != "" || err != nil {
		t.Fatalf("unlock of a job never run: %q %v", holder, err)
	}
}

func TestLivenessOfProcesses(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	p := Self()
	if p.Start == "" || p.Boot == "" || liveness(p) != Alive {
		t.Fatalf("self %+v is %s", p, liveness(p))
	}
	for _, tc := range []struct {
		name string
		edit func(*Process)
		want Liveness
	}{
		{"the same PID started at another time (reused)", func(p *Process) { p.Start += "0" }, Gone},
		{"another host", func(p *Process) { p.Host += "-other" }, Remote},
		{"this host name on another machine, or before a reboot", func(p *Process) { p.Boot = "another-boot" }, Remote},
		{"another PID namespace (a container)", func(p *Process) { p.PIDNS = "pid:[1]" }, Remote},
		{"a lease written without a process", func(p *Process) { *p = Process{} }, Unknown},
		{"a host without /proc", func(p *Process) { p.Boot, p.Start = "", "" }, Unknown},
	} {
		q := p
		tc.edit(&q)
		if got := liveness(q); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestZombieIsGone: a holder killed but not yet reaped by its parent still
// has its /proc entry, at the same start time; it is gone all the same.
func TestZombieIsGone(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep command")
	}
	cmd := exec.Command(sleep, "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	p := here()
	p.PID = cmd.Process.Pid
	p.Start, _ = procStat(p.PID)
	if p.Start == "" || liveness(p) != Alive {
		t.Fatalf("running child %+v is %s", p, liveness(p))
	}
	cmd.Process.Signal(syscall.SIGKILL)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, zombie := procStat(p.PID); zombie {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the killed child never became a zombie")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := liveness(p); got != Gone {
		t.Fatalf("a zombie is %s, want gone", got)
	}
	cmd.Wait()
	if got := liveness(p); got != Gone {
		t.Fatalf("a reaped child is %s, want gone", got)
	}
}
