package iceberg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	iofs "io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"github.com/ccetl/ccetl/pipeline"
)

// Snapshot summary properties every commit of the sink sets.
const (
	PropRunID    = "ccetl.run-id"
	PropRunKey   = "ccetl.run-key"
	PropKind     = "ccetl.kind"
	PropInputs   = "ccetl.inputs"  // JSON list of the inputs complete at the commit
	PropFinal    = "ccetl.final"   // "true" for a run's last commit, "false" for a checkpoint
	PropRejects  = "ccetl.rejects" // the rejects file of the commit, if any
	PropRejected = "ccetl.rejected-rows"
	PropCursors  = "ccetl.cursors" // JSON object: the source's cursors once the commit holds
	PropStep     = "ccetl.step"    // the job step the cursors are of (SinkConfig.Step), when the job names it
	// PropRejectsOf + run key is the table property naming the rejects
	// files the run key's last commit kept.
	PropRejectsOf = "ccetl.rejects."
)

// commitAttempts bounds how often a commit that lost a race with another
// writer is staged again on the winner's snapshot.
const commitAttempts = 5

// conflict reports whether a commit failed because another writer moved
// the table first: a lost race, or files the commit replaces that a
// concurrent commit (another run, a compaction) removed meanwhile. Either
// way nothing was committed, and the commit can be staged again on the
// new snapshot.
func conflict(err error) bool {
	return errors.Is(err, table.ErrCommitFailed) || errors.Is(err, table.ErrCommitDiverged) ||
		strings.Contains(err.Error(), "requirement failed: branch")
}

// Close commits every table and closes the catalog.
func (s *Sink) Close(ctx context.Context, run pipeline.RunInfo) (pipeline.CommitResult, error) {
	res, err := s.commit(ctx, run, true)
	if err != nil {
		return res, err
	}
	s.done = true
	s.cancel()
	return res, s.cat.Close()
}

// Checkpoint commits everything written so far, as Close does, and keeps
// the sink open.
func (s *Sink) Checkpoint(ctx context.Context, run pipeline.RunInfo) (pipeline.CommitResult, error) {
	return s.commit(ctx, run, false)
}

func (s *Sink) commit(ctx context.Context, run pipeline.RunInfo, final bool) (pipeline.CommitResult, error) {
	if s.done {
		return s.copyResult(), errors.New("iceberg sink already closed")
	}
	s.commits++
	for _, name := range slices.Sorted(maps.Keys(s.tables)) {
		if err := s.commitTable(ctx, s.tables[name], run, final); err != nil {
			return s.copyResult(), err
		}
	}
	return s.copyResult(), nil
}

// commitTable moves one table to a new snapshot holding what the run wrote
// since the last commit, in one catalog commit: the new data files, less
// what they replace (the mode's choice), with the run's summary.
func (s *Sink) commitTable(ctx context.Context, ts *tableState, run pipeline.RunInfo, final bool) error {
	name := ts.t.Name
	if err := s.data.FinishTable(name); err != nil {
		return fmt.Errorf("table %s: write data files: %w", name, err)
	}
	props, err := summary(run, s.runKey, s.step, final)
	if err != nil {
		return err
	}
	var rejFile string
	if ts.rej != nil && ts.rej.n > 0 {
		rejFile, err = writeRejects(ctx, ts.tbl, fmt.Sprintf("%s-%s-%d.jsonl", s.runKey, run.RunID, s.commits), ts.rej)
		if err != nil {
			return fmt.Errorf("table %s: %w", name, err)
		}
		props[PropRejects] = rejFile
		props[PropRejected] = strconv.FormatInt(ts.rej.n, 10)
	}
	var tbl *table.Table
	for attempt := 1; ; attempt++ {
		tx := ts.tbl.NewTransaction()
		changed, serr := s.stage(ctx, tx, ts, run, props)
		err = serr
		if err == nil && rejFile != "" {
			err = tx.SetProperties(iceberg.Properties{PropRejectsOf + s.runKey: rejFile})
			changed = true
		}
		if err == nil && changed {
			tbl, err = tx.Commit(ctx)
		}
		if err == nil || !conflict(err) || attempt == commitAttempts {
			break
		}
		// another writer committed first: stage again on its snapshot
		if rerr := removeFiles(context.WithoutCancel(ctx), ts.tbl, ts.rewritten); rerr != nil {
			err = errors.Join(err, rerr)
			break
		}
		ts.rewritten = nil
		fresh, lerr := s.cat.LoadTable(ctx, ts.tbl.Identifier())
		if lerr != nil {
			err = errors.Join(err, lerr)
			break
		}
		ts.tbl = fresh
	}
	if err != nil {
		// nothing of this commit is visible: its files go
		rerr := removeFiles(context.WithoutCancel(ctx), ts.tbl, slices.Concat(ts.files, ts.rewritten))
		if rejFile != "" {
			rerr = errors.Join(rerr, removePaths(context.WithoutCancel(ctx), ts.tbl, []string{rejFile}))
		}
		ts.files, ts.rewritten = nil, nil
		return errors.Join(fmt.Errorf("table %s: commit: %w", name, err), rerr)
	}
	tc := s.result.Tables[name]
	for _, df := range ts.files {
		s.committed[df.FilePath()] = true
		s.committedInputs[name+"/"+inputOf(df.FilePath())] = true
		tc.Files = append(tc.Files, pipeline.FileCommit{Path: df.FilePath(), Partition: partitionOf(df),
			Rows: df.Count(), Bytes: df.FileSizeBytes()})
	}
	tc.Rows += ts.received            // rows the run wrote, before merging
	for _, df := range ts.rewritten { // earlier rows carried over: not this run's
		s.committed[df.FilePath()] = true
	}
	if rejFile != "" {
		tc.Rejects = append(tc.Rejects, rejFile)
	}
	if tbl != nil {
		ts.tbl = tbl
		tc.Manifest = tbl.MetadataLocation()
	}
	s.result.Tables[name] = tc
	ts.files, ts.rewritten, ts.inputs, ts.rej, ts.received = nil, nil, map[string]bool{}, nil, 0
	if ts.keys != nil {
		ts.keys.reset()
	}
	return nil
}

// stage adds the table's new files to tx as its mode says, and reports
// whether tx changes anything.
func (s *Sink) stage(ctx context.Context, tx *table.Transaction, ts *tableState, run pipeline.RunInfo, props iceberg.Properties) (bool, error) {
	switch ts.mode {
	case Replace:
		replaced := maps.Clone(ts.inputs)
		for _, in := range run.Inputs {
			replaced[in.OutputKey()] = true
		}
		old, err := s.filesOf(ctx, ts.t.Name, ts.tbl, replaced)
		if err != nil {
			return false, fmt.Errorf("table %s: %w", ts.t.Name, err)
		}
		if len(old) == 0 && len(ts.files) == 0 {
			return false, nil
		}
		return true, tx.ReplaceDataFilesWithDataFiles(ctx, old, ts.files, props)
	case Merge:
		old, rewritten, err := rewriteForMerge(ctx, ts)
		ts.rewritten = rewritten // removed with the new files if the commit fails
		if err != nil {
			return false, fmt.Errorf("table %s: %w", ts.t.Name, err)
		}
		files, superseded, err := dedupeNew(ctx, ts)
		if err != nil {
			ts.rewritten = append(ts.rewritten, files...)
			return false, fmt.Errorf("table %s: keep the newest version of each key: %w", ts.t.Name, err)
		}
		if len(superseded) > 0 {
			if err := removeFiles(context.WithoutCancel(ctx), ts.tbl, superseded); err != nil {
				ts.rewritten = append(ts.rewritten, files...)
				return false, err
			}
			ts.files = files
		}
		if len(old) == 0 && len(ts.files) == 0 {
			return false, nil
		}
		return true, tx.ReplaceDataFilesWithDataFiles(ctx, old, slices.Concat(ts.files, rewritten), props)
	default:
		if len(ts.files) == 0 {
			return false, nil
		}
		return true, tx.AddDataFiles(ctx, ts.files, props)
	}
}

// filesOf lists the table's current data files written for the given
// inputs, except those of inputs this run committed: the first commit of
// an input removed every earlier file of it, so its files are now the
// run's own, whether as written or merged by a compaction meanwhile.
func (s *Sink) filesOf(ctx context.Context, name string, tbl *table.Table, inputs map[string]bool) ([]iceberg.DataFile, error) {
	if tbl.CurrentSnapshot() == nil || len(inputs) == 0 {
		return nil, nil
	}
	scan, err := tbl.NewTransaction().Scan()
	if err != nil {
		return nil, err
	}
	tasks, err := scan.PlanFiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("list data files: %w", err)
	}
	var out []iceberg.DataFile
	for _, t := range tasks {
		p := t.File.FilePath()
		in := inputOf(p)
		if inputs[in] && !s.committed[p] && !s.committedInputs[name+"/"+in] {
			out = append(out, t.File)
		}
	}
	return out, nil
}

// summary is the snapshot summary of a commit.
func summary(run pipeline.RunInfo, runKey, step string, final bool) (iceberg.Properties, error) {
	names := make([]string, len(run.Inputs))
	for i, in := range run.Inputs {
		names[i] = in.Name
	}
	inputs, err := json.Marshal(names)
	if err != nil {
		return nil, err
	}
	p := iceberg.Properties{PropRunID: run.RunID, PropRunKey: runKey, PropKind: run.Kind,
		PropInputs: string(inputs), PropFinal: strconv.FormatBool(final)}
	if step != "" {
		p[PropStep] = step
	}
	if run.Cursors != nil {
		c, err := json.Marshal(run.Cursors)
		if err != nil {
			return nil, err
		}
		p[PropCursors] = string(c)
	}
	return p, nil
}

// partitionOf renders a data file's partition values, "" when it has none.
func partitionOf(df iceberg.DataFile) string {
	p := df.Partition()
	if len(p) == 0 {
		return ""
	}
	out := ""
	for _, id := range slices.Sorted(maps.Keys(p)) {
		if out != "" {
			out += "/"
		}
		out += fmt.Sprint(p[id])
	}
	return out
}

// removeFiles deletes data files no snapshot refers to.
func removeFiles(ctx context.Context, tbl *table.Table, files []iceberg.DataFile) error {
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = f.FilePath()
	}
	return removePaths(ctx, tbl, paths)
}

func removePaths(ctx context.Context, tbl *table.Table, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	fs, err := tbl.FS(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range paths {
		if err := fs.Remove(p); err != nil && !errors.Is(err, iofs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// copyResult returns the cumulative result, safe from later changes.
func (s *Sink) copyResult() pipeline.CommitResult {
	out := pipeline.CommitResult{Tables: make(map[string]pipeline.TableCommit, len(s.result.Tables))}
	for k, v := range s.result.Tables {
		v.Files = slices.Clone(v.Files)
		v.Rejects = slices.Clone(v.Rejects)
		out.Tables[k] = v
	}
	return out
}
