package s3

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/ccetl/ccetl/pipeline"
)

func newTestStateStore(t *testing.T) *StateStore {
	t.Helper()
	st, err := NewStateStore(context.Background(), testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestStateConditionalWrites checks that the server honours If-None-Match: *
// and If-Match on PutObject, which the job state's leases rely on.
func TestStateConditionalWrites(t *testing.T) {
	st := newTestStateStore(t)
	ctx := context.Background()

	if _, _, err := st.Get(ctx, "job/state.json"); !errors.Is(err, pipeline.ErrStateNotFound) {
		t.Fatalf("Get missing: %v, want ErrStateNotFound", err)
	}
	v1, err := st.Put(ctx, "job/state.json", []byte(`{"rev":1}`), "")
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := st.Put(ctx, "job/state.json", []byte(`{"rev":"other"}`), ""); !errors.Is(err, pipeline.ErrStateConflict) {
		t.Fatalf("second create (If-None-Match: *): %v, want ErrStateConflict", err)
	}
	v2, err := st.Put(ctx, "job/state.json", []byte(`{"rev":2}`), v1)
	if err != nil {
		t.Fatalf("update at the current version (If-Match): %v", err)
	}
	if v2 == v1 {
		t.Fatalf("version did not change: %s", v2)
	}
	if _, err := st.Put(ctx, "job/state.json", []byte(`{"rev":3}`), v1); !errors.Is(err, pipeline.ErrStateConflict) {
		t.Fatalf("update at a stale version: %v, want ErrStateConflict", err)
	}
	if _, err := st.Put(ctx, "job/missing.json", []byte(`{}`), v1); !errors.Is(err, pipeline.ErrStateConflict) {
		t.Fatalf("update of a missing key: %v, want ErrStateConflict", err)
	}
	got, v, err := st.Get(ctx, "job/state.json")
	if err != nil || string(got) != `{"rev":2}` || v != v2 {
		t.Fatalf("Get = %s, %s, %v; want rev 2 at %s", got, v, err, v2)
	}

	if err := st.Delete(ctx, "job/state.json", v1); !errors.Is(err, pipeline.ErrStateConflict) {
		t.Fatalf("delete at a stale version: %v, want ErrStateConflict", err)
	}
	if err := st.Delete(ctx, "job/state.json", v2); err != nil {
		t.Fatalf("delete at the current version: %v", err)
	}
	if err := st.Delete(ctx, "job/state.json", ""); err != nil {
		t.Fatalf("delete missing: %v", err)
	}
	if _, _, err := st.Get(ctx, "job/state.json"); !errors.Is(err, pipeline.ErrStateNotFound) {
		t.Fatalf("Get after delete: %v", err)
	}
}

func TestStateList(t *testing.T) {
	st := newTestStateStore(t)
	ctx := context.Background()
	for _, k := range []string{"b/state.json", "a/lease.json", "a/state.json", "ab/state.json"} {
		if _, err := st.Put(ctx, k, []byte("{}"), ""); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.List(ctx, "a/")
	if want := []string{"a/lease.json", "a/state.json"}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("List(a/) = %v, %v; want %v", got, err, want)
	}
	got, err = st.List(ctx, "")
	if err != nil || len(got) != 4 || !slices.IsSorted(got) {
		t.Fatalf("List() = %v, %v; want 4 sorted keys", got, err)
	}
}

// TestStateRaces runs writers at once: exactly one create and exactly one
// update from the same version may win.
func TestStateRaces(t *testing.T) {
	st := newTestStateStore(t)
	ctx := context.Background()
	const writers = 8
	race := func(put func(i int) error) (wins int) {
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for i := range writers {
			wg.Go(func() { errs[i] = put(i) })
		}
		wg.Wait()
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, pipeline.ErrStateConflict):
				t.Fatalf("loser got %v, want ErrStateConflict", err)
			}
		}
		return wins
	}
	if wins := race(func(i int) error {
		_, err := st.Put(ctx, "race/lease.json", fmt.Appendf(nil, `{"holder":%d}`, i), "")
		return err
	}); wins != 1 {
		t.Fatalf("%d creates won, want 1", wins)
	}
	_, v, err := st.Get(ctx, "race/lease.json")
	if err != nil {
		t.Fatal(err)
	}
	if wins := race(func(i int) error {
		_, err := st.Put(ctx, "race/lease.json", fmt.Appendf(nil, `{"holder":%d,"rev":2}`, i), v)
		return err
	}); wins != 1 {
		t.Fatalf("%d updates from one version won, want 1", wins)
	}
}
