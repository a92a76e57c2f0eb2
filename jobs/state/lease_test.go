package state

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ccetl/ccetl/pipeline"
)

// clock is a settable time for lease tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTestStore(t *testing.T) (*Store, *clock) {
	t.Helper()
	d, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)}
	s := New(d)
	s.now = c.now
	return s, c
}

// onBackend returns a second Store, as another runner would have, on s's
// backend and clock.
func onBackend(s *Store) *Store {
	return &Store{backend: s.backend, now: s.now, self: s.self, alive: s.alive}
}

func TestLeaseHeldThenExpires(t *testing.T) {
	a, c := newTestStore(t)
	b := onBackend(a)
	ctx := context.Background()
	la, err := a.Acquire(ctx, "nightly", "host-a:1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Acquire(ctx, "nightly", "host-b:2", time.Minute)
	var he *HeldError
	if !errors.As(err, &he) || he.Holder != "host-a:1" || !he.Until.Equal(c.now().Add(time.Minute)) {
		t.Fatalf("second runner: %v, want a HeldError naming host-a:1 until %v", err, c.now().Add(time.Minute))
	}
	if msg := err.Error(); !strings.Contains(msg, "nightly") || !strings.Contains(msg, "host-a:1") || !strings.Contains(msg, "2024-03-01T12:01:00Z") {
		t.Fatalf("message %q should name the job, the holder and the time", msg)
	}

	c.advance(30 * time.Second)
	if err := la.Renew(ctx); err != nil {
		t.Fatal(err)
	}
	c.advance(45 * time.Second) // 15 s left after the renewal
	if _, err := b.Acquire(ctx, "nightly", "host-b:2", time.Minute); !errors.As(err, &he) {
		t.Fatalf("after a renewal: %v, want HeldError", err)
	}
	c.advance(20 * time.Second) // expired
	lb, err := b.Acquire(ctx, "nightly", "host-b:2", time.Minute)
	if err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if err := la.Renew(ctx); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("renewing a taken-over lease: %v, want ErrLeaseLost", err)
	}
	st, _ := a.Load(ctx, "nightly")
	if err := a.Commit(ctx, la, st); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("commit with a lost lease: %v, want ErrLeaseLost", err)
	}
	if err := lb.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := lb.Release(ctx); err != nil {
		t.Fatalf("second release: %v", err)
	}
	if _, err := a.Acquire(ctx, "nightly", "host-a:3", time.Minute); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

func TestCommitNeedsTheJobsLease(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	st, err := s.Load(ctx, "nightly")
	if err != nil || st.Revision != 0 || st.Job != "nightly" {
		t.Fatalf("Load of a new job = %+v, %v", st, err)
	}
	if err := s.Commit(ctx, nil, st); err == nil {
		t.Fatal("commit without a lease succeeded")
	}
	other, err := s.Acquire(ctx, "weekly", "r", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, other, st); err == nil {
		t.Fatal("commit with another job's lease succeeded")
	}
	if _, err := s.Load(ctx, "../etc"); err == nil {
		t.Fatal("Load accepted a bad job name")
	}
}

func TestHoldRenewsAndReportsLoss(t *testing.T) {
	a, c := newTestStore(t)
	ctx := context.Background()
	l, err := a.Acquire(ctx, "nightly", "a", 30*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	held, stop := l.Hold(ctx)
	defer stop()
	first := l.Expires()
	deadline := time.Now().Add(5 * time.Second)
	for l.Expires().Equal(first) {
		if time.Now().After(deadline) {
			t.Fatal("Hold did not renew")
		}
		c.advance(time.Millisecond)
		time.Sleep(5 * time.Millisecond)
	}
	// Another runner takes over behind the holder's back (as after a
	// long pause past expiry): the held context ends with ErrLeaseLost.
	// (Hold may renew between the clock jump and the takeover; jump again.)
	var err2 error
	for range 100 {
		c.advance(time.Hour)
		if _, err2 = onBackend(a).Acquire(ctx, "nightly", "b", time.Hour); err2 == nil {
			break
		}
	}
	if err2 != nil {
		t.Fatal(err2)
	}
	select {
	case <-held.Done():
		if !errors.Is(context.Cause(held), ErrLeaseLost) {
			t.Fatalf("cause %v, want ErrLeaseLost", context.Cause(held))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("held context not cancelled after the lease was lost")
	}
}

func TestShowAndReset(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	var out bytes.Buffer
	if err := s.Show(ctx, &out, "nightly"); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"job\": \"nightly\",\n  \"state\": null,\n  \"lease\": null\n}\n"; out.String() != want {
		t.Fatalf("Show of a new job:\n%s\nwant\n%s", out.String(), want)
	}

	l, err := s.Acquire(ctx, "nightly", "host-a:1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.Load(ctx, "nightly")
	st.SetCursor("contacts", "2024-02-29T00:00:00Z")
	st.MarkProcessed("s3://in/a.csv", "e1")
	if err := s.Commit(ctx, l, st); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := s.Show(ctx, &out, "nightly"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"revision": 1`, `"contacts": "2024-02-29T00:00:00Z"`, `"s3://in/a.csv": "e1"`, `"holder": "host-a:1"`, `"active": true`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("Show lacks %s:\n%s", want, out.String())
		}
	}

	var he *HeldError
	if err := s.Reset(ctx, "nightly", "ccetl-state-reset"); !errors.As(err, &he) {
		t.Fatalf("Reset during a run: %v, want HeldError", err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(ctx, "nightly", "ccetl-state-reset"); err != nil {
		t.Fatal(err)
	}
	// the state forgets everything but when it was reset
	r, err := s.Inspect(ctx, "nightly")
	if err != nil || r.State == nil || r.State.ResetAt.IsZero() || len(r.State.Cursors) != 0 || len(r.State.Processed) != 0 ||
		r.Lease == nil || r.Lease.Active {
		t.Fatalf("after Reset: %+v, %v; want an empty state that says when it was reset, and an inactive lease", r, err)
	}
	st, _ = s.Load(ctx, "nightly")
	if st.Cursor("contacts") != "" || st.Seen("s3://in/a.csv", "e1") || st.ResetAt.IsZero() {
		t.Fatalf("Load after Reset = %+v", st)
	}
}

// TestLeaseAcrossProcesses runs runners as separate processes on one state
// directory: exactly one gets the lease.
func TestLeaseAcrossProcesses(t *testing.T) {
	if dir := os.Getenv("CCETL_STATE_TEST_RUNNER"); dir != "" {
		d, err := OpenDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		_, err = New(d).Acquire(context.Background(), "nightly", fmt.Sprint("pid-", os.Getpid()), time.Minute)
		fmt.Printf("RESULT %v\n", err)
		if err == nil {
			// Hold on while the others try: the lease of a process that
			// is gone is taken over at once.
			time.Sleep(3 * time.Second)
		}
		return
	}
	dir := t.TempDir()
	const runners = 4
	outs := make([][]byte, runners)
	var wg sync.WaitGroup
	for i := range runners {
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], "-test.run=^TestLeaseAcrossProcesses$")
			cmd.Env = append(os.Environ(), "CCETL_STATE_TEST_RUNNER="+dir)
			outs[i], _ = cmd.CombinedOutput()
		})
	}
	wg.Wait()
	wins := 0
	for _, out := range outs {
		switch {
		case strings.Contains(string(out), "RESULT <nil>"):
			wins++
		case strings.Contains(string(out), "RESULT job nightly is being run by pid-"):
		default:
			t.Errorf("runner output:\n%s", out)
		}
	}
	if wins != 1 {
		t.Fatalf("%d processes got the lease, want 1", wins)
	}
}

func TestDirRejectsBadKeys(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"", "/abs", "a//b", "../x", "a/../b", ".lock", "a/.tmp-1", `a\b`} {
		if _, err := d.Put(context.Background(), k, nil, ""); err == nil || errors.Is(err, pipeline.ErrStateConflict) {
			t.Errorf("Put(%q) = %v, want a bad-key error", k, err)
		}
	}
}
