// Package pushtest is the conformance suite every push target passes,
// against its vendor's emulator: planning writes nothing, every record gets
// exactly one change, invalid records are refused without a request,
// applying reaches the wanted state, a second push writes nothing, and a
// push stopped after any acknowledged batch resumes without a duplicate.
package pushtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/pipeline"
)

// Harness connects the suite to one target.
type Harness struct {
	Kind pipeline.TargetKind
	// Start starts a fresh emulator, seeded as the target's tests need,
	// and returns how to reach and observe it.
	Start func(t *testing.T) Env
	// Records are valid records to push, several batches' worth (the
	// harness's options make batches small), in the kind's entity order.
	Records []pipeline.Record
	// Invalid are records the target must refuse before any request, each
	// with a word its reason must contain.
	Invalid []Invalid
}

// Invalid is a record the target must refuse, and a word of the reason.
type Invalid struct {
	Record pipeline.Record
	Reason string
}

// Env is one running emulator as the suite sees it.
type Env struct {
	Options map[string]string
	// Writes counts the write requests the emulator received so far.
	Writes func() int
	// State returns the emulator's state (what the target holds), for
	// comparing two emulators or one over time with reflect.DeepEqual.
	State func() any
	// Files opens files the records name (recordings, bodies); may be nil.
	Files func(rel string) (io.ReadCloser, error)
}

// Run runs the suite.
func Run(t *testing.T, h Harness) {
	t.Run("PlanWritesNothing", func(t *testing.T) { planWritesNothing(t, h) })
	t.Run("ApplyThenNothingTwice", func(t *testing.T) { applyIdempotent(t, h) })
	t.Run("ResumeAfterEveryBatch", func(t *testing.T) { resume(t, h) })
	t.Run("ApplyInWindows", func(t *testing.T) { windowed(t, h) })
}

func (h Harness) open(t *testing.T, env Env) pipeline.Target {
	t.Helper()
	tg, err := h.Kind.Open(context.Background(), pipeline.TargetConfig{Kind: h.Kind.Name, Options: env.Options, Files: env.Files})
	if err != nil {
		t.Fatalf("open %s: %v", h.Kind.Name, err)
	}
	t.Cleanup(func() { tg.Close() })
	if _, ok := tg.(pipeline.RecordPlanner); ok != h.Kind.PlansRecords {
		t.Fatalf("%s: PlansRecords is %v, but its target is a RecordPlanner: %v", h.Kind.Name, h.Kind.PlansRecords, ok)
	}
	return tg
}

func (h Harness) records() []pipeline.Record {
	out := append([]pipeline.Record(nil), h.Records...)
	for _, inv := range h.Invalid {
		out = append(out, inv.Record)
	}
	return out
}

func planWritesNothing(t *testing.T, h Harness) {
	env := h.Start(t)
	before := env.State()
	tg := h.open(t, env)
	recs := h.records()
	p, err := tg.Plan(context.Background(), recs, NewLedger())
	if err != nil {
		t.Fatal(err)
	}
	if n := env.Writes(); n != 0 {
		t.Fatalf("planning sent %d write requests", n)
	}
	if !reflect.DeepEqual(env.State(), before) {
		t.Fatal("planning changed the target's state")
	}
	if len(p.Changes) < len(recs) {
		t.Fatalf("%d records, %d changes", len(recs), len(p.Changes))
	}
	for i, c := range p.Changes {
		if c.Seq != i {
			t.Fatalf("change %d has seq %d", i, c.Seq)
		}
	}
	invalid := 0
	for _, c := range p.Changes {
		if c.Action == pipeline.ActionInvalid {
			invalid++
			if c.Reason == "" || c.Origin == "" {
				t.Errorf("invalid change %d without reason or origin: %+v", c.Seq, c)
			}
		}
	}
	if invalid != len(h.Invalid) {
		t.Fatalf("%d invalid changes, want %d", invalid, len(h.Invalid))
	}
	for _, inv := range h.Invalid {
		found := false
		for _, c := range p.Changes {
			if c.Action == pipeline.ActionInvalid && c.Origin == inv.Record.Origin && strings.Contains(c.Reason, inv.Reason) {
				found = true
			}
		}
		if !found {
			t.Errorf("record %s is not refused with a reason naming %q", inv.Record.Origin, inv.Reason)
		}
	}
}

func applyIdempotent(t *testing.T, h Harness) {
	env := h.Start(t)
	tg := h.open(t, env)
	led := NewLedger()
	p := plan(t, tg, h.records(), led)
	j := &Journal{Ledger: led, Plan: p}
	if err := tg.Apply(context.Background(), p, j); err != nil {
		t.Fatal(err)
	}
	j.check(t, p)
	if env.Writes() == 0 {
		t.Fatal("apply sent no write request")
	}
	for _, c := range p.Changes {
		o, ok := j.Outcomes[c.Seq]
		if push.Writes(c) && !ok {
			t.Errorf("change %d (%s %s) was never acknowledged", c.Seq, c.Action, c.Key)
		}
		if !push.Writes(c) && ok {
			t.Errorf("change %d (%s) needs no write but was sent", c.Seq, c.Action)
		}
		if ok && o.Status == pipeline.StatusFailed {
			t.Errorf("change %d (%s %s) failed: %s %s", c.Seq, c.Action, c.Key, o.Code, o.Message)
		}
	}
	after := env.State()
	writes := env.Writes()
	p2 := plan(t, tg, h.records(), led)
	for _, c := range p2.Changes {
		if push.Writes(c) {
			t.Errorf("a second plan still writes: change %d %s %s %v", c.Seq, c.Action, c.Key, c.Fields)
		}
	}
	if err := tg.Apply(context.Background(), p2, &Journal{Ledger: led, Plan: p2}); err != nil {
		t.Fatal(err)
	}
	if n := env.Writes() - writes; n != 0 {
		t.Fatalf("the second push sent %d write requests", n)
	}
	if !reflect.DeepEqual(env.State(), after) {
		t.Fatal("the second push changed the target's state")
	}
}

// resume stops a push after its k-th acknowledged batch, for every k, then
// pushes again with the same ledger: the final state equals that of a
// push that was never stopped.
func resume(t *testing.T, h Harness) {
	ref := h.Start(t)
	rt := h.open(t, ref)
	rp := plan(t, rt, h.records(), NewLedger())
	rj := &Journal{Ledger: NewLedger(), Plan: rp}
	if err := rt.Apply(context.Background(), rp, rj); err != nil {
		t.Fatal(err)
	}
	batches := len(rj.Acks)
	if batches < 2 {
		t.Fatalf("the harness's records make %d batches; the suite needs at least 2", batches)
	}
	want := ref.State()
	for k := 1; k < batches; k++ {
		env := h.Start(t)
		tg := h.open(t, env)
		led := NewLedger()
		p := plan(t, tg, h.records(), led)
		j := &Journal{Ledger: led, Plan: p, StopAfter: k}
		if err := tg.Apply(context.Background(), p, j); !errors.Is(err, errStop) {
			t.Fatalf("stopped after batch %d: Apply returned %v, want the journal's error", k, err)
		}
		p2 := plan(t, tg, h.records(), led)
		if err := tg.Apply(context.Background(), p2, &Journal{Ledger: led, Plan: p2}); err != nil {
			t.Fatal(err)
		}
		if got := env.State(); !reflect.DeepEqual(got, want) {
			t.Fatalf("stopped after batch %d and resumed: state\n%v\nwant\n%v", k, got, want)
		}
	}
}

// windowed applies a RecordPlanner's changes in windows of two, as a
// streamed push does (pipeline.WindowEnd), the Seq of each window going on
// from the one before: the target reaches the state of one whole apply,
// acknowledges every change that writes once, and a target that cuts its
// windows (a WindowCutter) makes no more writes than the whole apply. A
// second push over the same ledger then plans no write.
func windowed(t *testing.T, h Harness) {
	ref := h.Start(t)
	rt := h.open(t, ref)
	if _, ok := rt.(pipeline.RecordPlanner); !ok {
		t.Skip("the target plans its records together: a push never applies it in windows")
	}
	rp := plan(t, rt, h.records(), NewLedger())
	if err := rt.Apply(context.Background(), rp, &Journal{Ledger: NewLedger(), Plan: rp}); err != nil {
		t.Fatal(err)
	}
	want, wantWrites := ref.State(), ref.Writes()

	env := h.Start(t)
	tg := h.open(t, env).(pipeline.RecordPlanner)
	led := NewLedger()
	all := planEach(tg, h.records(), led)
	j := &Journal{Ledger: led, Plan: all}
	windows := 0
	apply := func(changes []pipeline.Change) {
		windows++
		if err := tg.Apply(context.Background(), &pipeline.Plan{Changes: changes}, j); err != nil {
			t.Fatalf("window %d: %v", windows, err)
		}
	}
	var pending []pipeline.Change
	for _, c := range all.Changes {
		pending = append(pending, c)
		for n := pipeline.WindowEnd(tg, pending, 2); n > 0; n = pipeline.WindowEnd(tg, pending, 2) {
			apply(pending[:n:n])
			pending = append([]pipeline.Change(nil), pending[n:]...)
		}
	}
	apply(pending)
	j.check(t, all)
	if windows < 2 {
		t.Fatalf("the harness's records make %d windows of two; the suite needs at least 2", windows)
	}
	for _, c := range all.Changes {
		if _, ok := j.Outcomes[c.Seq]; ok != push.Writes(c) {
			t.Errorf("change %d (%s %s): acknowledged %v", c.Seq, c.Action, c.Key, ok)
		}
	}
	if got := env.State(); !reflect.DeepEqual(got, want) {
		t.Fatalf("applied in windows: state\n%v\nwant\n%v", got, want)
	}
	if _, cuts := tg.(pipeline.WindowCutter); cuts && env.Writes() != wantWrites {
		t.Errorf("applied in windows cut by the target: %d writes, the whole plan made %d", env.Writes(), wantWrites)
	}
	for _, c := range planEach(tg, h.records(), led).Changes {
		if push.Writes(c) {
			t.Errorf("a second plan still writes: change %d %s %s", c.Seq, c.Action, c.Key)
		}
	}
}

// planEach plans records one at a time, as a push's sources read them
// (pipeline.RecordPlan).
func planEach(tg pipeline.RecordPlanner, recs []pipeline.Record, led pipeline.Ledger) *pipeline.Plan {
	rp := tg.PlanRecords(led)
	p := &pipeline.Plan{}
	for i, r := range recs {
		prep := rp.Prepare(r)
		r.Values = nil
		c := rp.Judge(r, prep)
		c.Seq = i
		p.Changes = append(p.Changes, c)
	}
	return p
}

func plan(t *testing.T, tg pipeline.Target, recs []pipeline.Record, led *Ledger) *pipeline.Plan {
	t.Helper()
	p, err := tg.Plan(context.Background(), recs, led)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Ledger is a ledger in memory, kept as jobs keeps its own: pending at
// Begin, acknowledged (or forgotten, for failed changes) at Ack.
type Ledger struct {
	m map[string]pipeline.LedgerEntry
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger { return &Ledger{m: map[string]pipeline.LedgerEntry{}} }

// Lookup implements pipeline.Ledger.
func (l *Ledger) Lookup(entity, key string) (pipeline.LedgerEntry, bool) {
	e, ok := l.m[entity+"\x00"+key]
	return e, ok
}

var errStop = errors.New("pushtest: stopped on purpose")

// Journal records what Apply reports, checks the order of its calls, and
// stops Apply after StopAfter acknowledged batches (0: never).
type Journal struct {
	Ledger    *Ledger
	Plan      *pipeline.Plan
	StopAfter int
	Acks      []pipeline.BatchResult
	Outcomes  map[int]pipeline.Outcome
	open      []map[int]bool // the changes of each batch begun and not acknowledged, oldest first
	errs      []string
}

// Begin implements pipeline.Journal.
func (j *Journal) Begin(_ context.Context, entity string, changes []pipeline.Change) error {
	return j.begin(entity, changes, true)
}

// BeginRepeatable implements pipeline.RepeatableJournal: the batch's keys
// are not marked pending.
func (j *Journal) BeginRepeatable(_ context.Context, entity string, changes []pipeline.Change) error {
	return j.begin(entity, changes, false)
}

func (j *Journal) begin(entity string, changes []pipeline.Change, pending bool) error {
	if len(j.open) == 2 {
		j.errs = append(j.errs, "a third batch begun while two are not acknowledged")
	}
	seqs := make(map[int]bool, len(changes))
	j.open = append(j.open, seqs)
	for _, c := range changes {
		seqs[c.Seq] = true
		if c.Entity != entity {
			j.errs = append(j.errs, fmt.Sprintf("a batch of %s holds a change of %s", entity, c.Entity))
		}
		if pending {
			j.Ledger.m[c.Entity+"\x00"+c.Key] = pipeline.LedgerEntry{Hash: c.Hash, TargetID: c.TargetID, Pending: true}
		}
	}
	return nil
}

// Ack implements pipeline.Journal.
func (j *Journal) Ack(_ context.Context, r pipeline.BatchResult) error {
	var begun map[int]bool
	if len(j.open) == 0 {
		j.errs = append(j.errs, "Ack without Begin")
	} else {
		begun, j.open = j.open[0], j.open[1:]
	}
	if j.Outcomes == nil {
		j.Outcomes = map[int]pipeline.Outcome{}
	}
	if r.Request == "" {
		j.errs = append(j.errs, "a batch result without its request")
	}
	for _, o := range r.Outcomes {
		if _, dup := j.Outcomes[o.Seq]; dup {
			j.errs = append(j.errs, fmt.Sprintf("change %d acknowledged twice", o.Seq))
		}
		j.Outcomes[o.Seq] = o
		if begun != nil && !begun[o.Seq] {
			j.errs = append(j.errs, fmt.Sprintf("change %d acknowledged with a batch other than the oldest begun", o.Seq))
		}
		if o.Seq < 0 || o.Seq >= len(j.Plan.Changes) {
			j.errs = append(j.errs, fmt.Sprintf("outcome for change %d, which the plan lacks", o.Seq))
			continue
		}
		c := j.Plan.Changes[o.Seq]
		if o.Status == pipeline.StatusFailed {
			delete(j.Ledger.m, c.Entity+"\x00"+c.Key)
			continue
		}
		id := o.TargetID
		if id == "" {
			id = c.TargetID
		}
		j.Ledger.m[c.Entity+"\x00"+c.Key] = pipeline.LedgerEntry{Hash: c.Hash, TargetID: id}
	}
	j.Acks = append(j.Acks, r)
	if j.StopAfter > 0 && len(j.Acks) >= j.StopAfter {
		return errStop
	}
	return nil
}

func (j *Journal) check(t *testing.T, p *pipeline.Plan) {
	t.Helper()
	for _, e := range j.errs {
		t.Error(e)
	}
	if len(j.open) > 0 {
		t.Error("Apply returned with a batch begun and never acknowledged")
	}
}
