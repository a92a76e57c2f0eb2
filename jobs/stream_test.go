package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/pipeline"
	"github.com/ccetl/ccetl/transforms"
)

// streamTarget plans each record on its own against the ledger (a key
// the ledger holds with the same hash is skipped) and counts its Apply
// calls, one per window of a streamed push.
type streamTarget struct {
	*memTarget
	applies   int
	failApply int           // the Apply call that fails as an outage would (from 1; 0: none)
	applied   chan struct{} // closed at the first Apply
}

func (s *streamTarget) PlanRecords(led pipeline.Ledger) pipeline.RecordPlan {
	return streamPlan{led}
}

func (s *streamTarget) Apply(ctx context.Context, p *pipeline.Plan, j pipeline.Journal) error {
	s.applies++
	if s.applies == 1 {
		close(s.applied)
	}
	if s.applies == s.failApply {
		return errors.New("the vendor is down")
	}
	return s.memTarget.Apply(ctx, p, j)
}

type streamPlan struct{ led pipeline.Ledger }

func (streamPlan) Prepare(r pipeline.Record) any {
	return [2]string{r.Values["name"].(string), fmt.Sprint(r.Values["size"])}
}

func (p streamPlan) Judge(r pipeline.Record, prep any) pipeline.Change {
	v := prep.([2]string)
	c := pipeline.Change{Entity: r.Entity, Key: v[0], Action: pipeline.ActionCreate, Origin: r.Origin, Hash: v[1],
		Wire: pipeline.WireMap(map[string]string{"name": v[0], "size": v[1]})}
	if e, ok := p.led.Lookup(r.Entity, v[0]); ok && e.Hash == v[1] {
		c.Action = pipeline.ActionSkip
	}
	return c
}

// newStreamFixture is a push of seven things, one a batch from the source,
// into a streamTarget, in windows of two.
func newStreamFixture(t *testing.T) (*pushFixture, *streamTarget) {
	var rows [][2]any
	for i := range 7 {
		rows = append(rows, [2]any{fmt.Sprint("t", i), int64(i)})
	}
	return newStreamFixtureOf(t, rows)
}

// newStreamFixtureOf is newStreamFixture's push of the given rows.
func newStreamFixtureOf(t *testing.T, rows [][2]any) (*pushFixture, *streamTarget) {
	f := newPushFixture(t, rows)
	f.per = 1
	st := &streamTarget{memTarget: f.target, applied: make(chan struct{})}
	f.reg.AddTarget(pipeline.TargetKind{Name: "mem-stream", Entities: []pipeline.Entity{thingEntity}, PlansRecords: true,
		Open: func(context.Context, pipeline.TargetConfig) (pipeline.Target, error) { return st, nil }})
	f.job.Target.Kind = "mem-stream"
	f.job.Target.Window = 2
	return f, st
}

// seqs returns the seq column of the push_results rows, sorted.
func (f *pushFixture) seqs() []int64 {
	var out []int64
	for _, r := range f.rows {
		out = append(out, r["seq"].(int64))
	}
	slices.Sort(out)
	return out
}

// waitApplied makes the source's batch n wait until the target was
// applied once: a push that did not apply while reading would wait for
// ever (here: fail after a while).
func waitApplied(st *streamTarget, n int, then error) func(context.Context, int) error {
	return func(_ context.Context, batch int) error {
		if batch != n {
			return nil
		}
		select {
		case <-st.applied:
			return then
		case <-time.After(10 * time.Second):
			return errors.New("the target was not applied while the sources were read")
		}
	}
}

// A streamed push applies each window while the sources are still read,
// numbers its changes on across windows, writes one push_results row per
// change and, rerun, sends nothing.
func TestStreamedPushAppliesWhileReading(t *testing.T) {
	f, st := newStreamFixture(t)
	f.before = waitApplied(st, 5, nil)
	r := Runner{Registry: f.reg, State: OpenLocalState}
	sum, err := r.Push(context.Background(), f.job, PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.applies != 4 || f.target.writes != 4 || len(f.target.state) != 8 { // "b" was there
		t.Fatalf("%d applies, %d writes, state %v; want 4 windows of at most two", st.applies, f.target.writes, f.target.state)
	}
	if got, want := f.seqs(), []int64{0, 1, 2, 3, 4, 5, 6}; !slices.Equal(got, want) {
		t.Fatalf("push_results seqs %v, want %v", got, want)
	}
	if s := f.statuses(); s["created"] != 7 || sum.Push.Planned["create"] != 7 || sum.Push.Status["created"] != 7 || sum.RowsIn != 7 {
		t.Fatalf("statuses %v, summary %+v, rows in %d", s, sum.Push, sum.RowsIn)
	}
	f.rows, f.before = nil, nil
	if _, err := r.Push(context.Background(), f.job, PushOptions{}); err != nil {
		t.Fatal(err)
	}
	if s := f.statuses(); f.target.writes != 4 || s["skipped"] != 7 {
		t.Fatalf("rerun: %d writes, statuses %v", f.target.writes, s)
	}
}

// A window that fails stops the push: nothing after it is sent, the
// sources stop being read, every change planned still has its row, and a
// rerun sends the rest.
func TestStreamedPushStopsAtAFailedWindow(t *testing.T) {
	f, st := newStreamFixture(t)
	st.failApply = 2
	// The sixth thing is read only once the failure stopped the reading:
	// the push then ends with the failure, not with the source's error.
	f.before = func(ctx context.Context, batch int) error {
		if batch != 5 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Second):
			return errors.New("the sources were read on after a window failed")
		}
	}
	r := Runner{Registry: f.reg, State: OpenLocalState}
	sum, err := r.Push(context.Background(), f.job, PushOptions{})
	if err == nil || !strings.Contains(err.Error(), "the vendor is down") || strings.Contains(err.Error(), "cancel") {
		t.Fatalf("push: %v, want the target's error alone", err)
	}
	// things 0 to 4 were read: windows of two, the second failed, the
	// third and the fifth thing not sent
	if s := f.statuses(); st.applies != 2 || s["created"] != 2 || s["failed"] != 3 || len(f.rows) != 5 || sum.Push.Stopped == "" || sum.Push.Windows != 2 {
		t.Fatalf("%d applies, statuses %v, stopped %q, %d windows", st.applies, s, sum.Push.Stopped, sum.Push.Windows)
	}
	for _, row := range f.rows {
		if row["status"] == "failed" && !strings.Contains(fmt.Sprint(row["error"]), "not sent: the push stopped: the vendor is down") {
			t.Fatalf("a change not sent says %v", row["error"])
		}
	}
	st.failApply, f.rows, f.before = 0, nil, nil
	if _, err := r.Push(context.Background(), f.job, PushOptions{}); err != nil {
		t.Fatal(err)
	}
	if s := f.statuses(); s["created"] != 5 || s["skipped"] != 2 || len(f.target.state) != 8 {
		t.Fatalf("rerun: statuses %v, state %v", s, f.target.state)
	}
}

// Sources that fail after windows were applied fail the push with their
// error; what was applied is recorded, the changes planned and not applied
// are not sent, and a rerun sends only what is left.
func TestStreamedPushSourceFailsMidway(t *testing.T) {
	f, st := newStreamFixture(t)
	f.before = waitApplied(st, 5, errors.New("read things.csv: disk error"))
	r := Runner{Registry: f.reg, State: OpenLocalState}
	sum, err := r.Push(context.Background(), f.job, PushOptions{})
	if err == nil || !strings.Contains(err.Error(), "disk error") {
		t.Fatalf("push: %v, want the source's error", err)
	}
	// batches 0 to 4 were read: two windows applied, one change left
	if s := f.statuses(); st.applies != 2 || s["created"] != 4 || s["failed"] != 1 || len(f.rows) != 5 {
		t.Fatalf("%d applies, statuses %v", st.applies, s)
	}
	if !strings.Contains(sum.Push.Stopped, "disk error") {
		t.Fatalf("stopped %q", sum.Push.Stopped)
	}
	f.rows, f.before = nil, nil
	if _, err := r.Push(context.Background(), f.job, PushOptions{}); err != nil {
		t.Fatal(err)
	}
	if s := f.statuses(); s["created"] != 3 || s["skipped"] != 4 {
		t.Fatalf("rerun: statuses %v", s)
	}
}

// window: all plans every record before anything is sent; --limit counts
// across windows.
func TestStreamedPushWholePlanAndLimit(t *testing.T) {
	f, st := newStreamFixture(t)
	f.job.Target.Window = WholePlan
	r := Runner{Registry: f.reg, State: OpenLocalState}
	if _, err := r.Push(context.Background(), f.job, PushOptions{}); err != nil {
		t.Fatal(err)
	}
	if st.applies != 1 || f.target.writes != 4 {
		t.Fatalf("window all: %d applies, %d writes; want one", st.applies, f.target.writes)
	}
	f, st = newStreamFixture(t)
	r = Runner{Registry: f.reg, State: OpenLocalState}
	sum, err := r.Push(context.Background(), f.job, PushOptions{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if s := f.statuses(); s["created"] != 3 || sum.Push.Limited != 4 || st.applies != 2 {
		t.Fatalf("limit 3: statuses %v, limited %d, %d applies", s, sum.Push.Limited, st.applies)
	}
}

// --limit counts the records planned, not the rows the mapping refused,
// streamed as when planned whole.
func TestStreamedPushLimitSkipsRefusedRows(t *testing.T) {
	for _, window := range []int{2, WholePlan} {
		f, _ := newStreamFixtureOf(t, [][2]any{{"x", nil}, {"1", nil}, {"y", nil}, {"2", nil}, {"3", nil}, {"4", nil}})
		f.job.Target.Window = window
		f.job.Target.Map["things"].Fields["size"] = transforms.Expr{Column: "thing_name", Cast: pipeline.TypeInt}
		sum, err := Runner{Registry: f.reg, State: OpenLocalState}.Push(context.Background(), f.job, PushOptions{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if s := f.statuses(); s["created"] != 2 || s["failed"] != 2 || sum.Push.Limited != 2 || f.target.state["2"] != 2 {
			t.Errorf("window %d, limit 2: statuses %v, limited %d, state %v; want 1 and 2 created, x and y failed, 2 left out",
				window, s, sum.Push.Limited, f.target.state)
		}
	}
}

// A push that failed and could not commit its results says both.
func TestFailedPushAlsoReportsItsResultsCommit(t *testing.T) {
	f, st := newStreamFixture(t)
	st.failApply = 2
	f.closeErr = errors.New("the results' disk is full")
	_, err := Runner{Registry: f.reg, State: OpenLocalState}.Push(context.Background(), f.job, PushOptions{})
	if err == nil || !strings.Contains(err.Error(), "the vendor is down") || !strings.Contains(err.Error(), "the results' disk is full") {
		t.Fatalf("push: %v, want the target's error and the commit's", err)
	}
}

// A streamed push reads its sources in batches of a window at most, to
// send sooner; a push whose target plans whole reads them as any job does.
func TestOnlyStreamedPushesShrinkSourceBatches(t *testing.T) {
	f, _ := newStreamFixture(t)
	if _, err := (Runner{Registry: f.reg, State: OpenLocalState}).Push(context.Background(), f.job, PushOptions{}); err != nil {
		t.Fatal(err)
	}
	if f.policy.MaxRows != 2 {
		t.Errorf("streamed in windows of 2: source batches of %d rows at most", f.policy.MaxRows)
	}
	f, _ = newStreamFixture(t)
	f.job.Target.Kind = "mem" // plans whole
	if _, err := (Runner{Registry: f.reg, State: OpenLocalState}).Push(context.Background(), f.job, PushOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := f.job.Batch.MaxRows; f.policy.MaxRows != want {
		t.Errorf("planned whole: source batches of %d rows at most, want the job's %d", f.policy.MaxRows, want)
	}
}
