package statetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ccetl/ccetl/jobs/state"
	"github.com/ccetl/ccetl/pipeline"
)

// PutLease stores a lease of job for holder, run by p, until expires, as a
// runner in that process would have written it: a fixture for a holder on
// another host, or one whose process is gone.
func PutLease(t *testing.T, backend pipeline.StateStore, job, holder string, p state.Process, expires time.Time) {
	t.Helper()
	doc := map[string]any{"job": job, "holder": holder, "acquired": time.Now().UTC(),
		"expires": expires, "seq": 1, "process": p}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backend.Put(context.Background(), job+"/lease.json", data, ""); err != nil {
		t.Fatal(err)
	}
}

// deadHolderTakeover: the unexpired lease of a process of this host that
// is gone (here its PID now belongs to another process, started at another
// time) is taken over at once, and of runners racing to take it over
// exactly one wins; the others are told the winner holds it.
func deadHolderTakeover(t *testing.T, backend pipeline.StateStore) {
	ctx := context.Background()
	dead := state.Self()
	dead.Start += "0"
	holder := fmt.Sprintf("%s:%d:dead-run", dead.Host, dead.PID)
	PutLease(t, backend, "nightly", holder, dead, time.Now().Add(time.Hour))
	rep, err := state.New(backend).Inspect(ctx, "nightly")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Lease == nil || !rep.Lease.Active || rep.Lease.Holder != holder {
		t.Fatalf("inspect of the dead holder's lease: %+v", rep.Lease)
	}
	if rep.Lease.Status != state.Gone {
		t.Skipf("this host cannot tell a process is gone (holder %s)", rep.Lease.Status)
	}
	var mu sync.Mutex
	var winner *state.Lease
	var held []*state.HeldError
	wins := race(t, func(i int) error {
		l, err := state.New(backend).Acquire(ctx, "nightly", fmt.Sprintf("runner-%d", i), time.Minute)
		mu.Lock()
		defer mu.Unlock()
		if err == nil {
			winner = l
		}
		if he := (*state.HeldError)(nil); errors.As(err, &he) {
			held = append(held, he)
		}
		return err
	})
	if wins != 1 {
		t.Fatalf("%d runners took over the dead holder's lease, want 1", wins)
	}
	if winner.TookOver() != holder {
		t.Errorf("TookOver = %q, want %q", winner.TookOver(), holder)
	}
	for _, he := range held {
		if he.Holder != winner.Holder() || he.Process != state.Alive {
			t.Errorf("a loser was told %q (%s) holds the job, want %q (alive)", he.Holder, he.Process, winner.Holder())
		}
	}
}

// manualUnlock: a remote holder's lease holds until it expires or is
// unlocked by hand; a live local holder's lease is unlocked only by force,
// after which that holder can no longer renew.
func manualUnlock(t *testing.T, backend pipeline.StateStore) {
	ctx := context.Background()
	st := state.New(backend)
	remote := state.Process{Host: "statetest-other-host", PID: 4242, Boot: "other-boot", Start: "99"}
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	PutLease(t, backend, "nightly", "statetest-other-host:4242:run-1", remote, until)
	_, err := st.Acquire(ctx, "nightly", "runner-1", time.Minute)
	var he *state.HeldError
	if !errors.As(err, &he) || he.Process != state.Remote || !he.Until.Equal(until) ||
		!strings.Contains(err.Error(), until.Format(time.RFC3339)) || !strings.Contains(err.Error(), "state unlock") {
		t.Fatalf("acquire against a remote holder: %v; want a HeldError until %v that points to state unlock", err, until)
	}
	rep, err := st.Inspect(ctx, "nightly")
	if err != nil || rep.Lease == nil || rep.Lease.Status != state.Remote || !rep.Lease.Expires.Equal(until) || rep.Lease.Process != remote {
		t.Fatalf("inspect: %+v, %v", rep.Lease, err)
	}
	if got, err := st.Unlock(ctx, "nightly", false); err != nil || got != "statetest-other-host:4242:run-1" {
		t.Fatalf("unlock: %q, %v", got, err)
	}
	if got, err := st.Unlock(ctx, "nightly", false); err != nil || got != "" {
		t.Fatalf("second unlock: %q, %v; want nothing to release", got, err)
	}
	live, err := st.Acquire(ctx, "nightly", "runner-1", time.Minute)
	if err != nil {
		t.Fatalf("acquire after unlock: %v", err)
	}
	if _, err := st.Unlock(ctx, "nightly", false); err == nil || !strings.Contains(err.Error(), "running process of this host") {
		t.Fatalf("unlock of a live holder without force: %v", err)
	}
	if err := live.Renew(ctx); err != nil {
		t.Fatalf("renew after a refused unlock: %v", err)
	}
	if got, err := st.Unlock(ctx, "nightly", true); err != nil || got != "runner-1" {
		t.Fatalf("forced unlock: %q, %v", got, err)
	}
	if err := live.Renew(ctx); !errors.Is(err, state.ErrLeaseLost) {
		t.Fatalf("renew after a forced unlock: %v, want ErrLeaseLost", err)
	}
}
