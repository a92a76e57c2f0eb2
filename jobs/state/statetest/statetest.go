// Package statetest is the conformance suite every pipeline.StateStore
// passes: the local Dir in jobs/state and the S3 state store (run from a
// package that may import both, since jobs never imports a connector).
package statetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ccetl/ccetl/jobs/state"
	"github.com/ccetl/ccetl/pipeline"
)

// Run checks the StateStore contract on stores from open, each empty, and
// the job-state leases and commits on top of them.
func Run(t *testing.T, open func(t *testing.T) pipeline.StateStore) {
	t.Run("conditional writes", func(t *testing.T) { conditional(t, open(t)) })
	t.Run("list", func(t *testing.T) { list(t, open(t)) })
	t.Run("races", func(t *testing.T) { races(t, open(t)) })
	t.Run("lease contention", func(t *testing.T) { leaseContention(t, open(t)) })
	t.Run("commit conflict", func(t *testing.T) { commitConflict(t, open(t)) })
	t.Run("dead holder takeover", func(t *testing.T) { deadHolderTakeover(t, open(t)) })
	t.Run("manual unlock", func(t *testing.T) { manualUnlock(t, open(t)) })
}

func conditional(t *testing.T, st pipeline.StateStore) {
	ctx := context.Background()
	const key = "job/state.json"
	if _, _, err := st.Get(ctx, key); !errors.Is(err, pipeline.ErrStateNotFound) {
		t.Fatalf("Get missing: %v, want ErrStateNotFound", err)
	}
	v1, err := st.Put(ctx, key, []byte(`{"rev":1}`), "")
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := st.Put(ctx, key, []byte(`{"rev":"x"}`), ""); !errors.Is(err, pipeline.ErrStateConflict) {
		t.Fatalf("second create: %v, want ErrStateConflict", err)
	}
	v2, err := st.Put(ctx, key, []byte(`{"rev":2}`), v1)
	if err != nil || v2 == v1 {
		t.Fatalf("update at the current version: %q, %v; want a new version", v2, err)
	}
	if _, err := st.Put(ctx, key, []byte(`{"rev":3}`), v1); !errors.Is(err, pipeline.ErrStateConflict) {
		t.Fatalf("update at a stale version: %v, want ErrStateConflict", err)
	}
	if _, err := st.Put(ctx, "job/none.json", []byte(`{}`), v1); !errors.Is(err, pipeline.ErrStateConflict) {
		t.Fatalf("update of a missing key: %v, want ErrStateConflict", err)
	}
	data, v, err := st.Get(ctx, key)
	if err != nil || string(data) != `{"rev":2}` || v != v2 {
		t.Fatalf("Get = %s, %q, %v; want rev 2 at %q", data, v, err, v2)
	}
	if err := st.Delete(ctx, key, v1); !errors.Is(err, pipeline.ErrStateConflict) {
		t.Fatalf("delete at a stale version: %v, want ErrStateConflict", err)
	}
	if err := st.Delete(ctx, key, v2); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := st.Delete(ctx, key, ""); err != nil {
		t.Fatalf("delete missing: %v", err)
	}
	if _, _, err := st.Get(ctx, key); !errors.Is(err, pipeline.ErrStateNotFound) {
		t.Fatalf("Get after delete: %v", err)
	}
}

func list(t *testing.T, st pipeline.StateStore) {
	ctx := context.Background()
	for _, k := range []string{"b/state.json", "a/lease.json", "a/state.json", "ab/state.json"} {
		if _, err := st.Put(ctx, k, []byte(k), ""); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.List(ctx, "a/")
	if want := []string{"a/lease.json", "a/state.json"}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("List(a/) = %v, %v; want %v", got, err, want)
	}
	got, err = st.List(ctx, "")
	if want := []string{"a/lease.json", "a/state.json", "ab/state.json", "b/state.json"}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("List() = %v, %v; want %v", got, err, want)
	}
}

// races: of writers racing from one version, exactly one wins.
func races(t *testing.T, st pipeline.StateStore) {
	ctx := context.Background()
	const key = "race/state.json"
	if wins := race(t, func(i int) error {
		_, err := st.Put(ctx, key, fmt.Appendf(nil, `{"writer":%d}`, i), "")
		return err
	}); wins != 1 {
		t.Fatalf("%d creates won, want 1", wins)
	}
	_, v, err := st.Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if wins := race(t, func(i int) error {
		_, err := st.Put(ctx, key, fmt.Appendf(nil, `{"writer":%d,"rev":2}`, i), v)
		return err
	}); wins != 1 {
		t.Fatalf("%d updates from one version won, want 1", wins)
	}
}

const racers = 8

// race runs put for racers writers at once and counts the winners; every
// loser must see ErrStateConflict.
func race(t *testing.T, put func(i int) error) (wins int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, racers)
	start := make(chan struct{})
	for i := range racers {
		wg.Go(func() {
			<-start
			errs[i] = put(i)
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case errors.As(err, new(*state.HeldError)), errors.Is(err, pipeline.ErrStateConflict):
		default:
			t.Errorf("a loser got %v, want a conflict", err)
		}
	}
	return wins
}

// leaseContention: runners of one job, each with its own Store, race for
// the lease; one wins and the others are told who has it.
func leaseContention(t *testing.T, backend pipeline.StateStore) {
	ctx := context.Background()
	var mu sync.Mutex
	var winner string
	var held []*state.HeldError
	wins := race(t, func(i int) error {
		holder := fmt.Sprintf("runner-%d", i)
		l, err := state.New(backend).Acquire(ctx, "nightly", holder, time.Minute)
		mu.Lock()
		defer mu.Unlock()
		if err == nil {
			winner = l.Holder()
		}
		if he := (*state.HeldError)(nil); errors.As(err, &he) {
			held = append(held, he)
		}
		return err
	})
	if wins != 1 {
		t.Fatalf("%d runners got the lease, want 1", wins)
	}
	for _, he := range held {
		if he.Holder != winner || he.Job != "nightly" {
			t.Errorf("loser told %q holds %q, want %q", he.Holder, he.Job, winner)
		}
	}
}

// commitConflict: a commit from a stale load fails, even with the lease.
func commitConflict(t *testing.T, backend pipeline.StateStore) {
	ctx := context.Background()
	st := state.New(backend)
	l, err := st.Acquire(ctx, "nightly", "runner-1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.Load(ctx, "nightly")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := st.Load(ctx, "nightly")
	a.SetCursor("contacts", "2024-01-02")
	if err := st.Commit(ctx, l, a); err != nil {
		t.Fatalf("first commit: %v", err)
	}
	b.SetCursor("contacts", "2024-01-01")
	if err := st.Commit(ctx, l, b); !errors.Is(err, pipeline.ErrStateConflict) {
		t.Fatalf("commit from a stale load: %v, want ErrStateConflict", err)
	}
	got, err := st.Load(ctx, "nightly")
	if err != nil || got.Cursor("contacts") != "2024-01-02" || got.Revision != 1 {
		t.Fatalf("after the conflict: %+v, %v; want the first commit at revision 1", got, err)
	}
	a.MarkProcessed("s3://in/a.csv", "etag-1")
	if err := st.Commit(ctx, l, a); err != nil || a.Revision != 2 {
		t.Fatalf("second commit from the committed state: revision %d, %v", a.Revision, err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(ctx, l, a); !errors.Is(err, state.ErrLeaseLost) {
		t.Fatalf("commit after release: %v, want ErrLeaseLost", err)
	}
}
