package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
	"github.com/ccetl/ccetl/transforms"
)

// PushOptions tune one push.
type PushOptions struct {
	// Limit pushes only the first Limit records of each entity (0: all),
	// for a trial.
	Limit int
	// Saved, when set, is a saved plan to carry out instead of a new one.
	Saved *pipeline.Plan
}

// Planned is a plan with what its making saw: the records read and the
// rows the sources rejected.
type Planned struct {
	Plan    *pipeline.Plan
	RowsIn  int64
	Rejects map[string][]pipeline.Reject // by table
	Report  map[string]any
	// Limited counts the records --limit left out.
	Limited int64
	// records counts the records and mapping refusals the plan was made
	// of, for the reconciliation.
	records int
	// files holds what the sources stored (recordings) until the push is
	// done; cleanup removes it. target is the target the plan was made
	// with, kept open (and logged in) for the apply.
	files   string
	cleanup func()
	target  pipeline.Target
	ledger  *ledger
	inputs  []pipeline.InputInfo
}

// Stale reports how a saved plan differs from a fresh one made of the same
// job now, or nil when they agree change for change: applying a saved plan
// carries out exactly what it says, or nothing.
func Stale(saved, fresh *pipeline.Plan) error {
	if saved.Version != pipeline.PlanVersion {
		return fmt.Errorf("%w: plan format version %d; this ccetl writes version %d", ErrPlanStale, saved.Version, pipeline.PlanVersion)
	}
	if saved.Job != fresh.Job || saved.Target != fresh.Target {
		return fmt.Errorf("%w: the plan is for job %s, target %s; the job file says job %s, target %s",
			ErrPlanStale, saved.Job, saved.Target, fresh.Job, fresh.Target)
	}
	for k, v := range saved.State {
		if fresh.State[k] != v {
			return fmt.Errorf("%w: the target's %s changed since the plan was made", ErrPlanStale, k)
		}
	}
	if len(saved.Changes) != len(fresh.Changes) {
		return fmt.Errorf("%w: it has %d changes, a plan made now has %d", ErrPlanStale, len(saved.Changes), len(fresh.Changes))
	}
	for i, s := range saved.Changes {
		f := fresh.Changes[i]
		if s.Entity != f.Entity || s.Key != f.Key || s.Action != f.Action || s.Hash != f.Hash || s.TargetID != f.TargetID ||
			!slices.Equal(s.Fields, f.Fields) {
			return fmt.Errorf("%w: change %d (%s %s %s) is now %s %s %s", ErrPlanStale, s.Seq, s.Entity, s.Action, s.Key,
				f.Entity, f.Action, f.Key)
		}
	}
	return nil
}

// Close removes the files the sources stored for the push.
func (p *Planned) Close() {
	if p == nil {
		return
	}
	if p.target != nil {
		p.target.Close()
		p.target = nil
	}
	if p.cleanup != nil {
		p.cleanup()
		p.cleanup = nil
	}
}

// Plan reads a push job's sources, maps their rows onto the target's
// entities and asks the target what it would do. It writes nothing: not to
// the target, not to the sink, not to the job state.
func (r Runner) Plan(ctx context.Context, job *Job, opts PushOptions) (*Planned, error) {
	pl, err := r.plan(ctx, job, opts, nil)
	if err != nil {
		pl.Close()
		return nil, err
	}
	return pl, nil
}

// plan makes a push's plan. With win, a target that plans each record on
// its own (a RecordPlanner) hands its changes to win as they are planned
// instead, and the plan holds none. It returns what it has made when it
// fails too (nil if nothing): the caller closes it, once nothing applies
// its changes any more.
func (r Runner) plan(ctx context.Context, job *Job, opts PushOptions, win *windows) (*Planned, error) {
	if job.Target == nil {
		return nil, fmt.Errorf("job %s has no target: nothing to plan", job.Name)
	}
	if err := Check(job, r.Registry); err != nil {
		return nil, err
	}
	tk, err := r.Registry.Target(job.Target.Kind)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "ccetl-push-")
	if err != nil {
		return nil, err
	}
	pl := &Planned{Rejects: map[string][]pipeline.Reject{}, files: dir, cleanup: func() { os.RemoveAll(dir) }}
	// The ledger and the target (which logs in) are opened when the first
	// record comes, so input that feeds the target nothing fails first.
	var each pipeline.RecordPlan
	open := func() (pipeline.RecordPlan, error) {
		if pl.target != nil {
			return each, nil
		}
		var err error
		if pl.ledger, err = r.openLedger(ctx, job); err != nil {
			return nil, err
		}
		if pl.target, err = r.openTarget(ctx, job, tk, pl); err != nil {
			return nil, err
		}
		if rp, ok := pl.target.(pipeline.RecordPlanner); ok {
			each = rp.PlanRecords(pl.ledger)
			if win != nil {
				win.t, win.led = pl.target, pl.ledger
			}
		}
		return each, nil
	}
	read := ctx // the sources'; the ledger and the target live on ctx
	if win != nil && win.read != nil {
		read = win.read
	}
	recs, err := r.collect(read, job, tk, pl, opts, open, win)
	if err == nil {
		_, err = open()
	}
	if recs != nil {
		pl.inputs = recs.inputs
		pl.records = len(recs.records) + len(recs.changes) + len(recs.invalid)
		if win != nil {
			pl.records += win.added() // records whose changes went to a streamed push's windows
		}
	}
	if err != nil {
		return pl, err
	}
	var plan *pipeline.Plan
	if each != nil {
		plan = &pipeline.Plan{Changes: recs.changes}
		for i := range plan.Changes {
			plan.Changes[i].Seq = i
		}
	} else if plan, err = pl.target.Plan(ctx, recs.records, pl.ledger); err != nil {
		return pl, fmt.Errorf("plan %s: %w", tk.Name, err)
	}
	plan.Version, plan.Job, plan.Target = pipeline.PlanVersion, job.Name, tk.Name
	if plan.CreatedAt.IsZero() {
		plan.CreatedAt = time.Now().UTC()
	}
	for _, c := range recs.invalid { // rows the mapping could not make records of
		c.Seq = len(plan.Changes)
		plan.Changes = append(plan.Changes, c)
	}
	plan.Inputs = recs.inputs
	pl.Plan = plan
	return pl, nil
}

func (r Runner) openTarget(ctx context.Context, job *Job, tk pipeline.TargetKind, pl *Planned) (pipeline.Target, error) {
	files := func(rel string) (f *os.File, err error) {
		p := filepath.Join(pl.files, filepath.FromSlash(rel))
		if !filepath.IsLocal(filepath.FromSlash(rel)) {
			return nil, fmt.Errorf("file %s: not a relative path", rel)
		}
		return os.Open(p)
	}
	t, err := tk.Open(ctx, pipeline.TargetConfig{Kind: tk.Name, Options: job.Target.Options,
		Logger: r.logger().With("job", job.Name, "target", tk.Name), Files: openerOf(files), Remote: r.Registry.Remotes()})
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", tk.Name, err)
	}
	return t, nil
}

func (r Runner) openLedger(ctx context.Context, job *Job) (*ledger, error) {
	if r.State == nil {
		return loadLedger(ctx, nil, job.Name)
	}
	backend, err := r.State(ctx, StateURL(job))
	if err != nil {
		return nil, fmt.Errorf("job state: %w", err)
	}
	return loadLedger(ctx, backend, job.Name)
}

// collected is what the sources gave a push: records by entity order (or,
// for a RecordPlanner, their changes), the rows the mapping refused, the
// inputs read.
type collected struct {
	records []pipeline.Record
	changes []pipeline.Change
	invalid []pipeline.Change
	inputs  []pipeline.InputInfo
}

// collect runs every source of the job (with the job's transforms) into a
// collector that maps rows onto the target's entities; with each, it plans
// every record as it comes and keeps only the changes.
func (r Runner) collect(ctx context.Context, job *Job, tk pipeline.TargetKind, pl *Planned, opts PushOptions,
	open func() (pipeline.RecordPlan, error), win *windows) (*collected, error) {
	byEntity := map[string][]pipeline.Record{}
	changes := map[string]*changeChunks{}
	seen := map[string]bool{} // tables the sources produce
	var invalid []pipeline.Change
	out := &collected{}
	mem := r.Mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	pl.Report = map[string]any{}
	for i, spec := range job.Sources {
		kind, err := r.Registry.Kind(spec.Kind)
		if err != nil {
			return out, err
		}
		inputs, err := ExpandInputs(spec.Inputs)
		if err != nil {
			return out, err
		}
		ctr := &pipeline.Counters{}
		policy := job.Batch
		if win != nil && (policy.MaxRows == 0 || policy.MaxRows > win.size) {
			policy.MaxRows = win.size // a streamed push's first window need not wait for a larger batch
		}
		src, err := kind.Open(ctx, pipeline.SourceConfig{Kind: kind.Name, Inputs: inputs, Options: spec.Options,
			Policy: policy, Mem: mem, Counter: ctr, Logger: r.logger().With("job", job.Name, "kind", spec.Kind),
			Remote: r.Registry.Remotes()})
		if err != nil {
			return out, fmt.Errorf("source %d (%s): %w", i+1, spec.Kind, err)
		}
		ts, err := buildTransforms(job)
		if err != nil {
			src.Close()
			return out, err
		}
		tables, err := pipeline.TransformTables(src.Tables(), ts)
		if err != nil {
			src.Close()
			return out, err
		}
		for _, t := range tables {
			seen[t.Name] = true
		}
		maps, err := mappingsFor(job, tk, tables)
		if err != nil {
			src.Close()
			return out, err
		}
		col := &collector{maps: maps, dir: pl.files, byEntity: byEntity, limit: opts.Limit, rejects: pl.Rejects,
			limited: &pl.Limited, open: open, changes: changes, win: win}
		res, err := pipeline.Run(ctx, tablesSource{src.Source, tables}, ts, col, pipeline.RunOptions{
			RunID: "plan", Kind: kind.Name, Logger: r.logger(), Counters: ctr})
		col.stopJudging() // Close or Abort did; a run that failed before either did not
		if col.openErr != nil {
			return out, col.openErr
		}
		if err != nil {
			return out, fmt.Errorf("source %d (%s): %w", i+1, spec.Kind, err)
		}
		out.inputs = append(out.inputs, res.Inputs...)
		for _, t := range res.Tables {
			pl.RowsIn += t.RowsIn
		}
		if len(res.Report) > 0 {
			pl.Report[fmt.Sprintf("source %d (%s)", i+1, spec.Kind)] = res.Report
		}
		invalid = append(invalid, col.invalid...)
	}
	if err := checkFed(job, tk, seen); err != nil {
		return out, err
	}
	for _, e := range tk.Entities {
		out.records = append(out.records, byEntity[e.Name]...)
		out.changes = changes[e.Name].appendTo(out.changes)
	}
	out.invalid = invalid
	return out, nil
}

// checkFed fails a push whose sources feed none of the target's entities,
// or none of the tables its map names: a typo must not push nothing
// quietly.
func checkFed(job *Job, tk pipeline.TargetKind, seen map[string]bool) error {
	var errs []error
	fed := false
	var takes []string
	for _, e := range tk.Entities {
		from := e.Table
		if m, ok := job.Target.Map[e.Name]; ok && m.From != "" {
			from = m.From
			if !seen[from] {
				errs = append(errs, fmt.Errorf("%s: target.map.%s.from: no source produces table %s", m.Pos, e.Name, from))
			}
		}
		fed = fed || seen[from]
		takes = append(takes, e.Name+" from "+from)
	}
	if !fed && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("target %s: no source produces a table it takes (%s); map one with target.map",
			tk.Name, strings.Join(takes, ", ")))
	}
	return errors.Join(errs...)
}

func buildTransforms(job *Job) ([]pipeline.Transform, error) {
	var ts []pipeline.Transform
	for _, t := range job.Transforms {
		tr, err := transforms.New(t.Name, t.List, t.Args)
		if err != nil {
			return nil, err
		}
		ts = append(ts, tr)
	}
	return ts, nil
}

// mappingsFor returns, by table, the mappings that make records of its
// rows: the job's map entries, and for entities it does not map, the
// entity's own table when a source produces it.
func mappingsFor(job *Job, tk pipeline.TargetKind, tables []pipeline.Table) (map[string][]*transforms.Mapping, error) {
	out := map[string][]*transforms.Mapping{}
	var errs []error
	for _, e := range tk.Entities {
		m := &transforms.Mapping{Entity: e, From: e.Table}
		if spec, ok := job.Target.Map[e.Name]; ok {
			m.Fields = spec.Fields
			if spec.From != "" {
				m.From = spec.From
			}
		}
		for _, t := range tables {
			if t.Name != m.From {
				continue
			}
			cols := make([]string, 0, t.Schema.NumFields())
			for _, f := range t.Schema.Fields() {
				cols = append(cols, f.Name)
			}
			if err := m.Resolve(cols); err != nil {
				errs = append(errs, err)
				continue
			}
			out[t.Name] = append(out[t.Name], m)
		}
	}
	return out, errors.Join(errs...)
}

// collector is the sink of a push's sources: it keeps records instead of
// writing files.
type collector struct {
	maps     map[string][]*transforms.Mapping
	dir      string
	byEntity map[string][]pipeline.Record
	// open opens the target at the first record; plan, when the target
	// is a RecordPlanner, plans each record at once into changes.
	open    func() (pipeline.RecordPlan, error)
	opened  bool
	openErr error
	plan    pipeline.RecordPlan
	changes map[string]*changeChunks
	// win, when the target is a RecordPlanner and the push streams, takes
	// the changes instead of changes and invalid.
	win *windows
	// judging runs the judging of planned batches in order on a goroutine
	// of its own (judged is closed when it ends): it alone touches
	// changes, invalid and limited until stopJudging.
	judging chan func()
	judged  chan struct{}
	stopped bool
	invalid []pipeline.Change
	rejects map[string][]pipeline.Reject
	limit   int
	limited *int64
	rows    map[string]int64 // rows seen per table and input, for origins
	tables  map[string]int64 // rows taken per table
}

func (c *collector) Write(_ context.Context, b pipeline.Batch) error {
	if b.Rec == nil {
		return nil
	}
	if c.rows == nil {
		c.rows, c.tables = map[string]int64{}, map[string]int64{}
	}
	c.tables[b.Table] += b.Rec.NumRows()
	ms := c.maps[b.Table]
	seen := b.Table + "\x00" + b.Input
	first := c.rows[seen]
	c.rows[seen] += b.Rec.NumRows()
	if len(ms) == 0 {
		return nil
	}
	if !c.opened {
		c.opened = true
		if c.plan, c.openErr = c.open(); c.openErr != nil {
			return c.openErr
		}
	}
	n := int(b.Rec.NumRows())
	origin := func(i int) string { return b.Input + "[" + strconv.FormatInt(first+int64(i), 10) + "]" }
	if c.plan != nil {
		return c.planBatch(b.Rec, ms, n, origin)
	}
	row := transforms.NewBatchRows(b.Rec).Cursor()
	for i := range n {
		row.At(i)
		for _, m := range ms {
			if c.limit > 0 && c.taken(m.Entity.Name) >= c.limit {
				*c.limited++
				continue
			}
			rec, err := m.Record(row, origin(i))
			if err != nil {
				c.invalid = append(c.invalid, pipeline.Change{Entity: m.Entity.Name, Action: pipeline.ActionInvalid,
					Origin: origin(i), Reason: "mapping: " + err.Error()})
				continue
			}
			c.byEntity[m.Entity.Name] = append(c.byEntity[m.Entity.Name], rec)
		}
	}
	return nil
}

// planBatch plans a batch's rows for a RecordPlanner: the rows are mapped
// to records and prepared on every core, then judged in input order. A
// streamed push plans them a window's worth at a time, so that its first
// window goes before the whole batch is planned.
func (c *collector) planBatch(rec arrow.RecordBatch, ms []*transforms.Mapping, n int, origin func(int) string) error {
	step := n
	if c.streaming() {
		step = max(c.win.size, 1)
	}
	rows := transforms.NewBatchRows(rec)
	for from := 0; from < n; from += step {
		to := min(from+step, n)
		out := make([]planned, (to-from)*len(ms))
		pipeline.Parallel(to-from, 512, func(lo, hi int) {
			row := rows.Cursor()
			vals := make(map[string]any, rec.NumCols()) // each record's, reused: Prepare keeps none
			for i := lo; i < hi; i++ {
				row.At(from + i)
				o := origin(from + i)
				for j, m := range ms {
					p := &out[i*len(ms)+j]
					if p.rec, p.err = m.RecordInto(vals, row, o); p.err == nil {
						p.prep = c.plan.Prepare(p.rec)
					}
					p.rec.Values, p.rec.Origin = nil, o
				}
			}
		})
		c.judge(func() {
			for i := range to - from {
				for j, m := range ms {
					c.judgeOne(m, out[i*len(ms)+j], to-from)
				}
			}
			if c.streaming() {
				c.win.ready()
			}
		})
	}
	return nil
}

// streaming says whether the changes go to a streamed push's windows.
func (c *collector) streaming() bool { return c.win.streams() }

// judgeOne decides the change of one prepared record, in input order.
func (c *collector) judgeOne(m *transforms.Mapping, p planned, batch int) {
	switch {
	case c.limit > 0 && c.taken(m.Entity.Name) >= c.limit:
		*c.limited++
	case p.err != nil:
		ch := pipeline.Change{Entity: m.Entity.Name, Action: pipeline.ActionInvalid,
			Origin: p.rec.Origin, Reason: "mapping: " + p.err.Error()}
		if c.streaming() {
			c.win.add(ch)
			return
		}
		c.invalid = append(c.invalid, ch)
	case c.streaming():
		c.win.add(c.plan.Judge(p.rec, p.prep))
	default:
		cc := c.changes[m.Entity.Name]
		if cc == nil {
			cc = &changeChunks{}
			c.changes[m.Entity.Name] = cc
		}
		cc.add(c.plan.Judge(p.rec, p.prep), batch)
	}
}

// judge runs f on the collector's judging goroutine, after every f given
// before: batches are judged in input order while the next ones are read
// and prepared. At most one batch waits; stopJudging waits for the rest.
func (c *collector) judge(f func()) {
	if c.judging == nil {
		c.judging, c.judged = make(chan func(), 1), make(chan struct{})
		go func() {
			defer close(c.judged)
			for f := range c.judging {
				f()
			}
		}()
	}
	c.judging <- f
}

// stopJudging waits until every batch is judged; safe to call again.
func (c *collector) stopJudging() {
	if c.judging != nil && !c.stopped {
		c.stopped = true
		close(c.judging)
		<-c.judged
	}
}

// planned is a record mapped and prepared, or why it could not be (with
// the row's origin either way).
type planned struct {
	rec  pipeline.Record
	prep any
	err  error
}

// changeChunks holds an entity's changes as they are planned, in chunks
// that are never copied to grow: a push of many records copies its changes
// once, into the plan.
type changeChunks struct {
	chunks [][]pipeline.Change
	n      int
}

// add appends c, starting a chunk of room for batch more when the last is
// full.
func (cc *changeChunks) add(c pipeline.Change, batch int) {
	if k := len(cc.chunks); k == 0 || len(cc.chunks[k-1]) == cap(cc.chunks[k-1]) {
		cc.chunks = append(cc.chunks, make([]pipeline.Change, 0, max(batch, 1024)))
	}
	k := len(cc.chunks) - 1
	cc.chunks[k] = append(cc.chunks[k], c)
	cc.n++
}

func (cc *changeChunks) len() int {
	if cc == nil {
		return 0
	}
	return cc.n
}

// appendTo appends the changes in order to out and lets go of each chunk
// once copied, so that the changes are not held twice over.
func (cc *changeChunks) appendTo(out []pipeline.Change) []pipeline.Change {
	if cc == nil {
		return out
	}
	out = slices.Grow(out, cc.n)
	for i, ch := range cc.chunks {
		out = append(out, ch...)
		cc.chunks[i] = nil
	}
	cc.chunks, cc.n = nil, 0
	return out
}

// taken counts the records an entity has so far.
func (c *collector) taken(entity string) int {
	n := len(c.byEntity[entity]) + c.changes[entity].len()
	if c.win != nil {
		n += c.win.taken[entity]
	}
	return n
}

func (c *collector) Reject(_ context.Context, table string, rs []pipeline.Reject) error {
	c.rejects[table] = append(c.rejects[table], rs...)
	return nil
}

// Close "commits" what the collector took: the rows stay in memory for the
// plan, and the runner reconciles them like any sink's.
func (c *collector) Close(context.Context, pipeline.RunInfo) (pipeline.CommitResult, error) {
	c.stopJudging()
	res := pipeline.CommitResult{Tables: map[string]pipeline.TableCommit{}}
	for t, n := range c.tables {
		res.Tables[t] = pipeline.TableCommit{Rows: n}
	}
	return res, nil
}

func (c *collector) Abort(context.Context) error {
	c.stopJudging()
	return nil
}

// PutFile keeps a file a source stores (a recording) for the target to
// send.
func (c *collector) PutFile(_ context.Context, rel string, r pipeline.FileReader) (pipeline.FileRef, error) {
	return putLocalFile(c.dir, rel, r)
}

var _ pipeline.FileStore = (*collector)(nil)

func (r Runner) pushLogger(job *Job) *slog.Logger {
	return r.logger().With("job", job.Name, "target", job.Target.Kind)
}
