package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ccetl/ccetl/jobs/state"
	"github.com/ccetl/ccetl/pipeline"
)

// The ledger keeps one document per batch, pending then acknowledged,
// and folds them into one once there are foldAt; what a run acknowledged
// and what it left pending read back the same before and after the fold.
func TestLedgerDocumentsAndFold(t *testing.T) {
	ctx := context.Background()
	j, dir := testJournal(t)
	led := j.led
	for i := range foldAt {
		c := pipeline.Change{Seq: i, Entity: "e", Key: fmt.Sprint("k", i), Hash: fmt.Sprint("h", i), TargetID: fmt.Sprint(i)}
		j.plan.Changes = append(j.plan.Changes, c)
		if err := j.Begin(ctx, "e", []pipeline.Change{c}); err != nil {
			t.Fatal(err)
		}
		if i == foldAt-1 {
			break // the last batch stays pending, as in a run killed while sending it
		}
		if err := j.Ack(ctx, pipeline.BatchResult{Entity: "e", Request: "r", Outcomes: []pipeline.Outcome{{Seq: i, Status: pipeline.StatusSent}}}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string) {
		t.Helper()
		l, err := loadLedger(ctx, dir, "job")
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := l.Lookup("e", "k3"); !ok || e.Pending || e.Hash != "h3" || e.TargetID != "3" || e.RunID != "run1" {
			t.Errorf("%s: k3 is %+v, %v", when, e, ok)
		}
		if e, ok := l.Lookup("e", fmt.Sprint("k", foldAt-1)); !ok || !e.Pending {
			t.Errorf("%s: the batch in flight is %+v, %v; want pending", when, e, ok)
		}
	}
	check("before the fold")
	if len(led.docs) != foldAt {
		t.Fatalf("%d documents, want one per batch (%d)", len(led.docs), foldAt)
	}
	// the apply of a second run folds everything, the pending mark included
	led2, _ := loadLedger(ctx, dir, "job")
	if err := led2.fold(ctx, "run2"); err != nil {
		t.Fatal(err)
	}
	keys, _ := dir.List(ctx, ledgerPrefix("job"))
	if len(keys) != 1 {
		t.Fatalf("%d documents after the fold, want 1", len(keys))
	}
	check("after the fold")
}

// testJournal is a journal of run1 over an empty ledger of job "job" in
// a fresh state directory.
func testJournal(t *testing.T) (*journal, *state.Dir) {
	t.Helper()
	dir, err := state.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	led, err := loadLedger(context.Background(), dir, "job")
	if err != nil {
		t.Fatal(err)
	}
	return &journal{led: led, runID: "run1", plan: &pipeline.Plan{}, log: discardInfo{}}, dir
}

type discardInfo struct{}

func (discardInfo) Info(string, ...any) {}

// A repeatable batch is begun without a document: its keys are recorded
// once, acknowledged, and one begun ahead of the acknowledgement of the
// batch before does not take that batch's document.
func TestRepeatableBatchesWriteOnceAtAck(t *testing.T) {
	ctx := context.Background()
	j, dir := testJournal(t)
	for i := range 3 {
		j.plan.Changes = append(j.plan.Changes, pipeline.Change{Seq: i, Entity: "e", Key: fmt.Sprint("k", i), Hash: fmt.Sprint("h", i)})
	}
	docs := func() int {
		keys, err := dir.List(ctx, ledgerPrefix("job"))
		if err != nil {
			t.Fatal(err)
		}
		return len(keys)
	}
	ack := func(seq int) {
		t.Helper()
		if err := j.Ack(ctx, pipeline.BatchResult{Entity: "e", Request: "r", Outcomes: []pipeline.Outcome{{Seq: seq, Status: pipeline.StatusSent}}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.BeginRepeatable(ctx, "e", j.plan.Changes[0:1]); err != nil || docs() != 0 {
		t.Fatalf("begin wrote %d documents (%v), want none", docs(), err)
	}
	if err := j.BeginRepeatable(ctx, "e", j.plan.Changes[1:2]); err != nil { // begun while batch 0 is in flight
		t.Fatal(err)
	}
	ack(0)
	ack(1)
	if err := j.BeginRepeatable(ctx, "e", j.plan.Changes[2:3]); err != nil {
		t.Fatal(err)
	}
	if err := j.writes.close(); err != nil {
		t.Fatal(err)
	}
	if n := docs(); n != 2 {
		t.Fatalf("%d documents, want one per acknowledged batch (2)", n)
	}
	l, err := loadLedger(ctx, dir, "job")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, true, false} {
		e, ok := l.Lookup("e", fmt.Sprint("k", i))
		if ok != want || ok && (e.Pending || e.Hash != fmt.Sprint("h", i)) {
			t.Errorf("k%d: %+v %v, want recorded %v", i, e, ok, want)
		}
	}
}

// gatedStore is a state store whose ledger writes wait for gate (when
// set) and fail with fail (when set).
type gatedStore struct {
	pipeline.StateStore
	gate chan struct{}
	fail error
	// failPrefix limits fail to the keys it begins (all when empty).
	failPrefix string
	puts       atomic.Int32
}

func (g *gatedStore) Put(ctx context.Context, key string, data []byte, ifVersion string) (string, error) {
	if g.gate != nil {
		<-g.gate
	}
	g.puts.Add(1)
	if g.fail != nil && strings.HasPrefix(key, g.failPrefix) {
		return "", g.fail
	}
	return g.StateStore.Put(ctx, key, data, ifVersion)
}

// The document of an acknowledged repeatable batch is written behind the
// uploads: Ack returns before the store has it, a batch begun with a
// pending document waits for every document before it, and a failed write
// stops the push at the next call with the store's error.
func TestRepeatableAcksWriteBehind(t *testing.T) {
	ctx := context.Background()
	j, dir := testJournal(t)
	store := &gatedStore{StateStore: dir, gate: make(chan struct{})}
	j.led.store = store
	for i := range 3 {
		j.plan.Changes = append(j.plan.Changes, pipeline.Change{Seq: i, Entity: "e", Key: fmt.Sprint("k", i), Hash: fmt.Sprint("h", i)})
	}
	acked := make(chan error, 1)
	go func() { // two batches acknowledged while the store holds every write
		for i := range 2 {
			if err := j.BeginRepeatable(ctx, "e", j.plan.Changes[i:i+1]); err != nil {
				acked <- err
				return
			}
			if err := j.Ack(ctx, pipeline.BatchResult{Entity: "e", Outcomes: []pipeline.Outcome{{Seq: i, Status: pipeline.StatusSent}}}); err != nil {
				acked <- err
				return
			}
		}
		acked <- nil
	}()
	select {
	case err := <-acked:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Ack waited for the state store")
	}
	begun := make(chan error, 1)
	go func() { begun <- j.Begin(ctx, "e", j.plan.Changes[2:3]) }()
	select {
	case err := <-begun:
		t.Fatalf("a pending batch was begun (%v) before the documents before it were written", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(store.gate)
	if err := <-begun; err != nil {
		t.Fatal(err)
	}
	if n := store.puts.Load(); n != 3 {
		t.Fatalf("%d documents written, want 3 (two acknowledged, one pending)", n)
	}
	if err := j.writes.close(); err != nil {
		t.Fatal(err)
	}

	// a failed write behind stops the push with the store's error
	j2, dir2 := testJournal(t)
	boom := errors.New("state store unreachable")
	j2.led.store = &gatedStore{StateStore: dir2, fail: boom}
	j2.plan.Changes = j.plan.Changes
	if err := j2.BeginRepeatable(ctx, "e", j2.plan.Changes[0:1]); err != nil {
		t.Fatal(err)
	}
	if err := j2.Ack(ctx, pipeline.BatchResult{Entity: "e", Outcomes: []pipeline.Outcome{{Seq: 0, Status: pipeline.StatusSent}}}); err != nil {
		t.Fatal(err) // queued; the store has not answered yet
	}
	if err := j2.writes.wait(); !errors.Is(err, boom) {
		t.Fatalf("wait: %v, want the store's error", err)
	}
	if err := j2.BeginRepeatable(ctx, "e", j2.plan.Changes[1:2]); !errors.Is(err, boom) {
		t.Fatalf("begin after a failed write: %v, want the store's error", err)
	}
	if err := j2.writes.close(); !errors.Is(err, boom) {
		t.Fatalf("close: %v, want the store's error", err)
	}
}

// An answer that acknowledges a change the plan lacks, a change twice, or
// a batch never begun is refused whole: nothing of it is recorded, and a
// right answer afterwards is taken.
func TestAckRefusesABadAnswerWhole(t *testing.T) {
	ctx := context.Background()
	j, _ := testJournal(t)
	for i := range 3 {
		j.plan.Changes = append(j.plan.Changes, pipeline.Change{Seq: i, Entity: "e", Key: fmt.Sprint("k", i), Hash: fmt.Sprint("h", i)})
	}
	sent := func(seqs ...int) pipeline.BatchResult {
		r := pipeline.BatchResult{Entity: "e", Request: "r"}
		for _, s := range seqs {
			r.Outcomes = append(r.Outcomes, pipeline.Outcome{Seq: s, Status: pipeline.StatusSent})
		}
		return r
	}
	if err := j.Ack(ctx, sent(0)); err == nil || !strings.Contains(err.Error(), "did not begin") {
		t.Fatalf("ack without a begin: %v", err)
	}
	if err := j.BeginRepeatable(ctx, "e", j.plan.Changes); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		r    pipeline.BatchResult
		want string
	}{
		{sent(0, 1, 7), "change 7, which the plan does not have"},
		{sent(0, 1, 1), "change 1 twice"},
	} {
		if err := j.Ack(ctx, bad.r); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Fatalf("ack %+v: %v, want %q", bad.r.Outcomes, err, bad.want)
		}
		if j.sent != 0 || len(j.batches) != 0 || slices.ContainsFunc(j.batchOf, func(b int32) bool { return b != 0 }) {
			t.Fatalf("a refused answer left %d sent, %d batches, batchOf %v", j.sent, len(j.batches), j.batchOf)
		}
	}
	if err := j.Ack(ctx, sent(0, 1, 2)); err != nil {
		t.Fatal(err)
	}
	if err := j.writes.close(); err != nil || j.sent != 3 || len(j.batches) != 1 || j.batchOf[2] != 1 {
		t.Fatalf("after a right answer: %v, %d sent, %d batches, batchOf %v", err, j.sent, len(j.batches), j.batchOf)
	}
}
