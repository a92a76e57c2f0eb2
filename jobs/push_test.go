package jobs

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
	"github.com/ccetl/ccetl/transforms"
)

// rowsSource emits rows (name, size) of table "things" in one batch, or
// per rows a batch.
type rowsSource struct {
	rows [][2]any
	per  int
	// before, when set, is called before each batch is read (from 0),
	// with the source's context; its error is the source's.
	before func(ctx context.Context, batch int) error
	next   int
	batch  int
}

var thingsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "thing_name", Type: arrow.BinaryTypes.String},
	{Name: "size", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
}, nil)

func (s *rowsSource) Next(ctx context.Context) (pipeline.Batch, error) {
	if s.next == len(s.rows) && (s.next > 0 || s.batch > 0) {
		return pipeline.Batch{}, pipeline.ErrEndOfInput
	}
	if s.before != nil {
		if err := s.before(ctx, s.batch); err != nil {
			return pipeline.Batch{}, err
		}
	}
	s.batch++
	rows := s.rows[s.next:]
	if s.per > 0 {
		rows = rows[:min(s.per, len(rows))]
	}
	s.next += len(rows)
	b := array.NewRecordBuilder(memory.DefaultAllocator, thingsSchema)
	defer b.Release()
	for _, r := range rows {
		b.Field(0).(*array.StringBuilder).Append(r[0].(string))
		if r[1] == nil {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.Int64Builder).Append(r[1].(int64))
		}
	}
	return pipeline.Batch{Table: "things", Rec: b.NewRecordBatch(), RowsRead: int64(len(rows)), Input: "things.csv"}, nil
}
func (s *rowsSource) Tables() []pipeline.Table {
	return []pipeline.Table{{Name: "things", Schema: thingsSchema}}
}
func (s *rowsSource) Close() error { return nil }

// memTarget is a target over a map, for the runner's own tests: it plans
// an upsert by name, sends batches of two and can fail one change or stop.
type memTarget struct {
	state    map[string]int64
	writes   int
	failName string
	stopAt   int // stop (as an outage would) before sending this batch, from 1
	// repeatable begins batches as upserts whose resend replaces them
	// (pipeline.RepeatableJournal).
	repeatable bool
}

var thingEntity = pipeline.Entity{Name: "things", Table: "things", Key: []string{"name"}, Fields: []pipeline.Field{
	{Name: "name", Type: pipeline.TypeString, Required: true, MaxLen: 10},
	{Name: "size", Type: pipeline.TypeInt},
}}

func (m *memTarget) Plan(_ context.Context, recs []pipeline.Record, _ pipeline.Ledger) (*pipeline.Plan, error) {
	p := &pipeline.Plan{}
	for i, r := range recs {
		c := pipeline.Change{Seq: i, Entity: r.Entity, Origin: r.Origin}
		name, _ := r.Values["name"].(string)
		c.Key = name
		if len(name) > 10 {
			c.Action, c.Reason = pipeline.ActionInvalid, "field name: over 10 characters"
			p.Changes = append(p.Changes, c)
			continue
		}
		size, _ := r.Values["size"].(int64)
		c.Wire = pipeline.WireMap(map[string]string{"name": name, "size": fmt.Sprint(size)})
		c.Hash = fmt.Sprint(size)
		old, ok := m.state[name]
		switch {
		case !ok:
			c.Action = pipeline.ActionCreate
		case old != size:
			c.Action = pipeline.ActionUpdate
			c.Fields = []pipeline.FieldChange{{Field: "size", Old: fmt.Sprint(old), New: fmt.Sprint(size)}}
		default:
			c.Action = pipeline.ActionUnchanged
		}
		p.Changes = append(p.Changes, c)
	}
	return p, nil
}

func (m *memTarget) Apply(ctx context.Context, p *pipeline.Plan, j pipeline.Journal) error {
	var writes []pipeline.Change
	for _, c := range p.Changes {
		if c.Action == pipeline.ActionCreate || c.Action == pipeline.ActionUpdate {
			writes = append(writes, c)
		}
	}
	for n := 0; n*2 < len(writes); n++ {
		batch := writes[n*2 : min(n*2+2, len(writes))]
		if m.stopAt == n+1 {
			return errors.New("the vendor is down")
		}
		begin := j.Begin
		if rj, ok := j.(pipeline.RepeatableJournal); ok && m.repeatable {
			begin = rj.BeginRepeatable
		}
		if err := begin(ctx, "things", batch); err != nil {
			return err
		}
		m.writes++
		res := pipeline.BatchResult{Entity: "things", Request: fmt.Sprintf("POST /things #%d", n+1)}
		for _, c := range batch {
			if m.failName != "" && strings.HasPrefix(c.Key, m.failName) {
				res.Outcomes = append(res.Outcomes, pipeline.Outcome{Seq: c.Seq, Status: pipeline.StatusFailed, Code: "E42", Message: "refused"})
				continue
			}
			var size int64
			fmt.Sscan(c.Wire.Get("size"), &size)
			m.state[c.Key] = size
			st := pipeline.StatusCreated
			if c.Action == pipeline.ActionUpdate {
				st = pipeline.StatusUpdated
			}
			res.Outcomes = append(res.Outcomes, pipeline.Outcome{Seq: c.Seq, Status: st, TargetID: "id-" + c.Key})
		}
		if err := j.Ack(ctx, res); err != nil {
			return err
		}
	}
	return nil
}

func (m *memTarget) Close() error { return nil }

// recordingSink keeps what the push wrote to the sink.
type recordingSink struct {
	rows     *[]map[string]any
	rejects  *[]string
	closeErr *error // the commit's error
}

func (s recordingSink) Write(_ context.Context, b pipeline.Batch) error {
	for i := 0; i < int(b.Rec.NumRows()); i++ {
		v, err := pipeline.RowValues(b.Rec, i)
		if err != nil {
			return err
		}
		*s.rows = append(*s.rows, v)
	}
	return nil
}
func (s recordingSink) Reject(_ context.Context, table string, rs []pipeline.Reject) error {
	for _, r := range rs {
		*s.rejects = append(*s.rejects, table+": "+r.Error())
	}
	return nil
}
func (recordingSink) Abort(context.Context) error { return nil }
func (s recordingSink) Close(context.Context, pipeline.RunInfo) (pipeline.CommitResult, error) {
	if s.closeErr != nil && *s.closeErr != nil {
		return pipeline.CommitResult{}, *s.closeErr
	}
	return pipeline.CommitResult{Tables: map[string]pipeline.TableCommit{}}, nil
}

type pushFixture struct {
	reg     *pipeline.Registry
	target  *memTarget
	rows    []map[string]any
	rejects []string
	job     *Job
	// per and before shape the source's batches (see rowsSource).
	per    int
	before func(ctx context.Context, batch int) error
	// closeErr fails the sink's commit.
	closeErr error
	// policy is the batch policy the source was opened with.
	policy pipeline.BatchPolicy
}

func newPushFixture(t *testing.T, rows [][2]any) *pushFixture {
	f := &pushFixture{target: &memTarget{state: map[string]int64{"b": 2}}}
	f.reg = pipeline.NewRegistry()
	f.reg.AddKind(pipeline.Kind{Name: "things", Open: func(_ context.Context, cfg pipeline.SourceConfig) (pipeline.OpenedSource, error) {
		f.policy = cfg.Policy
		return pipeline.OpenedSource{Source: &rowsSource{rows: rows, per: f.per, before: f.before}, RunKey: "k"}, nil
	}})
	f.reg.AddSink(pipeline.SinkKind{Scheme: "", Open: func(context.Context, pipeline.SinkConfig) (pipeline.Sink, error) {
		return recordingSink{rows: &f.rows, rejects: &f.rejects, closeErr: &f.closeErr}, nil
	}})
	f.reg.AddTarget(pipeline.TargetKind{Name: "mem", Entities: []pipeline.Entity{thingEntity},
		Open: func(context.Context, pipeline.TargetConfig) (pipeline.Target, error) { return f.target, nil }})
	dir := t.TempDir()
	f.job = &Job{Name: "push-things", Sources: []SourceSpec{{Kind: "things"}}, Sink: SinkSpec{URL: filepath.Join(dir, "out")},
		Batch: pipeline.DefaultBatchPolicy(),
		Target: &TargetSpec{Kind: "mem", Map: map[string]EntityMap{"things": {Fields: map[string]transforms.Expr{
			"name": {Column: "thing_name"}}}}}}
	return f
}

func (f *pushFixture) statuses() map[string]int {
	out := map[string]int{}
	for _, r := range f.rows {
		out[r["status"].(string)]++
	}
	return out
}

func TestPushPlansAppliesAndWritesResults(t *testing.T) {
	f := newPushFixture(t, [][2]any{{"a", int64(1)}, {"b", int64(2)}, {"c", int64(3)}, {"much-too-long", int64(4)}, {"d", nil}})
	r := Runner{Registry: f.reg, State: OpenLocalState}
	pl, err := r.Plan(context.Background(), f.job, PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pl.Close()
	if got := pl.Plan.Counts(); got["create"] != 3 || got["unchanged"] != 1 || got["invalid"] != 1 || f.target.writes != 0 {
		t.Fatalf("plan counts %v, writes %d", got, f.target.writes)
	}
	if c := pl.Plan.Changes[0]; c.Origin != "things.csv[0]" || c.Key != "a" {
		t.Fatalf("first change %+v", c)
	}
	sum, err := r.Push(context.Background(), f.job, PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f.target.writes != 2 || f.target.state["c"] != 3 || f.target.state["d"] != 0 {
		t.Fatalf("writes %d, state %v", f.target.writes, f.target.state)
	}
	if st := f.statuses(); st["created"] != 3 || st["unchanged"] != 1 || st["failed"] != 1 || len(f.rows) != 5 {
		t.Fatalf("push_results statuses %v", st)
	}
	if sum.Push == nil || sum.Push.Failed() != 1 || len(f.rejects) != 1 || !strings.Contains(f.rejects[0], "over 10 characters") {
		t.Fatalf("summary %+v, rejects %v", sum.Push, f.rejects)
	}
	// A second push finds everything in place and writes nothing.
	f.rows = nil
	if _, err := r.Push(context.Background(), f.job, PushOptions{}); err != nil {
		t.Fatal(err)
	}
	if f.target.writes != 2 {
		t.Fatalf("the second push wrote: %d writes", f.target.writes)
	}
	if st := f.statuses(); st["unchanged"] != 4 || st["failed"] != 1 {
		t.Fatalf("second push statuses %v", st)
	}
}

func TestPushStoppedReportsUnsentAndResumes(t *testing.T) {
	f := newPushFixture(t, [][2]any{{"a", int64(1)}, {"c", int64(3)}, {"e", int64(5)}, {"g", int64(7)}})
	f.target.stopAt = 2
	r := Runner{Registry: f.reg, State: OpenLocalState}
	sum, err := r.Push(context.Background(), f.job, PushOptions{})
	if err == nil || !strings.Contains(err.Error(), "the vendor is down") {
		t.Fatalf("err %v", err)
	}
	if st := f.statuses(); st["created"] != 2 || st["failed"] != 2 || sum.Push.Stopped == "" {
		t.Fatalf("statuses %v, stopped %q", st, sum.Push.Stopped)
	}
	f.target.stopAt, f.rows = 0, nil
	if _, err := r.Push(context.Background(), f.job, PushOptions{}); err != nil {
		t.Fatal(err)
	}
	if st := f.statuses(); st["created"] != 2 || st["unchanged"] != 2 || f.target.writes != 2 {
		t.Fatalf("resumed statuses %v, writes %d", st, f.target.writes)
	}
}

// A ledger document that cannot be written stops the push with the state
// store's error; push_results still has one row per change, the batches
// the target acknowledged as it answered.
func TestPushLedgerWriteFailureStops(t *testing.T) {
	f := newPushFixture(t, [][2]any{{"a", int64(1)}, {"c", int64(3)}, {"e", int64(5)}, {"g", int64(7)}, {"i", int64(9)}})
	f.target.repeatable = true
	boom := errors.New("state store unreachable")
	r := Runner{Registry: f.reg, State: func(ctx context.Context, url string) (pipeline.StateStore, error) {
		s, err := OpenLocalState(ctx, url)
		return &gatedStore{StateStore: s, fail: boom, failPrefix: "push-things/ledger/"}, err
	}}
	sum, err := r.Push(context.Background(), f.job, PushOptions{})
	if !errors.Is(err, boom) {
		t.Fatalf("push: %v, want the state store's error", err)
	}
	st := f.statuses()
	if len(f.rows) != 5 || st["created"] < 2 || st["created"]+st["failed"] != 5 || sum.Push.Stopped == "" {
		t.Fatalf("%d push_results rows, statuses %v, stopped %q; want 5 rows, the first batch created", len(f.rows), st, sum.Push.Stopped)
	}
	if len(sum.Push.Batches) != f.target.writes {
		t.Fatalf("%d batches reported, %d sent", len(sum.Push.Batches), f.target.writes)
	}
}

// resultsSink fails its writes from the failAt-th on (from 1) and tells
// whether it was aborted or committed.
type resultsSink struct {
	writes, failAt     int
	aborted, committed bool
}

func (s *resultsSink) Write(context.Context, pipeline.Batch) error {
	if s.writes++; s.writes >= s.failAt {
		return errors.New("disk full")
	}
	return nil
}
func (s *resultsSink) Reject(context.Context, string, []pipeline.Reject) error { return nil }
func (s *resultsSink) Abort(context.Context) error {
	s.aborted = true
	return nil
}
func (s *resultsSink) Close(context.Context, pipeline.RunInfo) (pipeline.CommitResult, error) {
	s.committed = true
	return pipeline.CommitResult{Tables: map[string]pipeline.TableCommit{}}, nil
}

// push_results rows that cannot be written fail the push after its
// writes and commit nothing (no partial table), whether the failure came
// while batches were being acknowledged or at the end; the target's
// writes and the ledger go on, so a rerun sends nothing again.
func TestPushResultsWriteFailure(t *testing.T) {
	defer func(n int) { resultsChunkRows = n }(resultsChunkRows)
	resultsChunkRows = 2 // rows are written while the batches are acknowledged
	for _, tc := range []struct {
		name       string
		repeatable bool
		failAt     int
	}{{"first write, repeatable", true, 1}, {"second write", false, 2}, {"at the end", true, 4}} {
		t.Run(tc.name, func(t *testing.T) {
			// six sent in three batches (a write of rows each), then the
			// invalid one's row at the end
			f := newPushFixture(t, [][2]any{{"a", int64(1)}, {"c", int64(3)}, {"e", int64(5)}, {"g", int64(7)}, {"i", int64(9)},
				{"k", int64(11)}, {"much-too-long", int64(0)}})
			f.target.repeatable = tc.repeatable
			sink := &resultsSink{failAt: tc.failAt}
			f.reg.AddSink(pipeline.SinkKind{Scheme: "full", Open: func(context.Context, pipeline.SinkConfig) (pipeline.Sink, error) { return sink, nil }})
			out := f.job.Sink.URL
			f.job.Sink.URL = "full://results"
			f.job.State = filepath.Join(t.TempDir(), "state") // as it was beside the sink's folder
			r := Runner{Registry: f.reg, State: OpenLocalState}
			sum, err := r.Push(context.Background(), f.job, PushOptions{})
			if err == nil || !strings.Contains(err.Error(), "write push results: disk full") {
				t.Fatalf("push: %v, want the sink's error", err)
			}
			if !sink.aborted || sink.committed {
				t.Fatalf("aborted %v, committed %v: a partial push_results must not be committed", sink.aborted, sink.committed)
			}
			if f.target.writes != 3 || sum.Push.Stopped != "" || sum.Push.Status["created"] != 6 {
				t.Fatalf("%d writes, stopped %q, status %v: the push's writes go on", f.target.writes, sum.Push.Stopped, sum.Push.Status)
			}
			f.job.Sink.URL = out
			if _, err := r.Push(context.Background(), f.job, PushOptions{}); err != nil {
				t.Fatal(err)
			}
			if st := f.statuses(); f.target.writes != 3 || st["unchanged"] != 6 || st["failed"] != 1 {
				t.Fatalf("rerun: %d writes, statuses %v", f.target.writes, st)
			}
		})
	}
}

func TestPushFailureLimitStops(t *testing.T) {
	rows := [][2]any{{"x1", int64(1)}, {"x2", int64(3)}, {"e", int64(5)}, {"g", int64(7)}}
	f := newPushFixture(t, rows)
	f.target.failName = "x"
	f.job.Target.Limits = FailureLimits{MaxFailures: 2}
	r := Runner{Registry: f.reg, State: OpenLocalState}
	if _, err := r.Push(context.Background(), f.job, PushOptions{}); err != nil {
		t.Fatalf("two failures are within max_failures 2: %v", err)
	}
	f = newPushFixture(t, rows)
	f.target.failName = "x"
	f.job.Target.Limits = FailureLimits{MaxFailures: 1}
	r = Runner{Registry: f.reg, State: OpenLocalState}
	_, err := r.Push(context.Background(), f.job, PushOptions{})
	if err == nil || !strings.Contains(err.Error(), "over max_failures 1") {
		t.Fatalf("err %v", err)
	}
	if f.target.writes != 1 || f.statuses()["failed"] != 4 {
		t.Fatalf("writes %d, statuses %v: the push must stop after the first batch", f.target.writes, f.statuses())
	}
}

func TestPushLimitAndStalePlan(t *testing.T) {
	f := newPushFixture(t, [][2]any{{"a", int64(1)}, {"c", int64(3)}, {"e", int64(5)}})
	r := Runner{Registry: f.reg, State: OpenLocalState}
	sum, err := r.Push(context.Background(), f.job, PushOptions{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Push.Limited != 2 || len(f.target.state) != 2 {
		t.Fatalf("limited %d, state %v", sum.Push.Limited, f.target.state)
	}
	pl, err := r.Plan(context.Background(), f.job, PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pl.Close()
	f.target.state["c"] = 30 // the target changes after the plan was made
	writes := f.target.writes
	_, err = r.Push(context.Background(), f.job, PushOptions{Saved: pl.Plan})
	if !errors.Is(err, ErrPlanStale) || !strings.Contains(err.Error(), "change 1") {
		t.Fatalf("stale plan: %v", err)
	}
	if f.target.writes != writes || f.target.state["c"] != 30 {
		t.Fatalf("a stale plan wrote: %v", f.target.state)
	}
	// A plan that is still current is carried out.
	pl, err = r.Plan(context.Background(), f.job, PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pl.Close()
	if _, err := r.Push(context.Background(), f.job, PushOptions{Saved: pl.Plan}); err != nil {
		t.Fatal(err)
	}
	if f.target.state["c"] != 3 || f.target.state["e"] != 5 {
		t.Fatalf("state after applying the saved plan: %v", f.target.state)
	}
}

func TestPushRefusesAMapThatFeedsNothing(t *testing.T) {
	f := newPushFixture(t, [][2]any{{"a", int64(1)}})
	f.job.Target.Map = map[string]EntityMap{"things": {From: "hr_things", Pos: Pos{File: "job.yaml", Line: 9, Col: 5}}}
	r := Runner{Registry: f.reg, State: OpenLocalState}
	_, err := r.Plan(context.Background(), f.job, PushOptions{})
	if err == nil || !strings.Contains(err.Error(), "job.yaml:9:5: target.map.things.from: no source produces table hr_things") {
		t.Fatalf("err %v", err)
	}
	f.job.Target.Map = nil
	f.reg.AddTarget(pipeline.TargetKind{Name: "other", Entities: []pipeline.Entity{{Name: "x", Table: "xs"}}})
	f.job.Target.Kind = "other"
	if _, err := r.Plan(context.Background(), f.job, PushOptions{}); err == nil || !strings.Contains(err.Error(), "no source produces a table it takes (x from xs)") {
		t.Fatalf("err %v", err)
	}
}

// recordMemTarget plans each record as it is read (pipeline.RecordPlanner):
// every record it is given becomes a create.
type recordMemTarget struct{ *memTarget }

func (m recordMemTarget) PlanRecords(pipeline.Ledger) pipeline.RecordPlan { return recordMemPlan{} }

type recordMemPlan struct{}

func (recordMemPlan) Prepare(r pipeline.Record) any { return r.Values["name"] }
func (recordMemPlan) Judge(r pipeline.Record, p any) pipeline.Change {
	name, _ := p.(string)
	return pipeline.Change{Entity: r.Entity, Key: name, Action: pipeline.ActionCreate, Origin: r.Origin}
}

// A record the job's mapping cannot make is an invalid change naming its
// row, on the path that plans records as they are read as on the other.
func TestRecordPlannerMappingErrorsNameTheirRows(t *testing.T) {
	f := newPushFixture(t, [][2]any{{"7", int64(1)}, {"x", int64(2)}, {"9", int64(3)}})
	f.reg.AddTarget(pipeline.TargetKind{Name: "mem-records", Entities: []pipeline.Entity{thingEntity}, PlansRecords: true,
		Open: func(context.Context, pipeline.TargetConfig) (pipeline.Target, error) {
			return recordMemTarget{f.target}, nil
		}})
	f.job.Target.Kind = "mem-records"
	f.job.Target.Map["things"].Fields["size"] = transforms.Expr{Column: "thing_name", Cast: pipeline.TypeInt}
	pl, err := Runner{Registry: f.reg, State: OpenLocalState}.Plan(context.Background(), f.job, PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pl.Close()
	var got []string
	for _, c := range pl.Plan.Changes {
		got = append(got, c.Action+" "+c.Origin+" "+c.Key)
		if c.Action == pipeline.ActionInvalid && !strings.HasPrefix(c.Reason, "mapping: field size") {
			t.Errorf("invalid change's reason %q", c.Reason)
		}
	}
	want := []string{"create things.csv[0] 7", "create things.csv[2] 9", "invalid things.csv[1] "}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("changes %q, want %q", got, want)
	}
}
