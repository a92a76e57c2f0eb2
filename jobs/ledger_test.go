package jobs

import (
	"context"
	"fmt"
	"testing"

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
