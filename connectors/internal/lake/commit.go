package lake

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ccetl/ccetl/pipeline"
)

// Manifest is the JSON document committed per table per run, after the data
// it lists. A loader that reads manifests sees only complete runs.
type Manifest struct {
	RunID             string                `json:"run_id"`
	RunKey            string                `json:"run_key"`
	Kind              string                `json:"kind,omitempty"`
	Table             string                `json:"table"`
	CommittedAt       time.Time             `json:"committed_at"`
	SchemaFingerprint string                `json:"schema_fingerprint"`
	Columns           []ManifestColumn      `json:"columns"`
	PartitionBy       string                `json:"partition_by,omitempty"`
	Granularity       Granularity           `json:"partition_granularity,omitempty"`
	Files             []pipeline.FileCommit `json:"files"`
	Rows              int64                 `json:"rows"`
	Stats             pipeline.TableStats   `json:"stats"`
	Inputs            []pipeline.InputInfo  `json:"inputs"`
	Rejects           []string              `json:"rejects,omitempty"`
}

// ManifestColumn is one column of a manifest's schema.
type ManifestColumn struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
}

var partFile = regexp.MustCompile(`(^|/)part-([0-9a-f]{16})-[0-9]{5,}\.parquet$`) // %05d: five digits or more

// isRejectSegment reports whether name is one of this run key's rejects
// files: <run key>.jsonl or <run key>.<n>.jsonl.
func (s *Sink) isRejectSegment(name string) bool {
	mid, ok := strings.CutPrefix(name, s.runKey+".")
	if !ok {
		return false
	}
	mid, ok = strings.CutSuffix(mid, "jsonl")
	if !ok {
		return false
	}
	mid = strings.TrimSuffix(mid, ".")
	for _, c := range mid {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Close commits the run: data and media files first, then rejects, then one
// manifest per table, and only then deletes what the run replaced.
func (s *Sink) Close(ctx context.Context, run pipeline.RunInfo) (pipeline.CommitResult, error) {
	return s.commit(ctx, run, true)
}

// Checkpoint commits everything written so far exactly as Close does, for
// the inputs run.Inputs names as complete, and keeps the sink open: files
// of later batches go to new files, rejects to a new segment, and each
// checkpoint rewrites the manifests with every file committed so far.
func (s *Sink) Checkpoint(ctx context.Context, run pipeline.RunInfo) (pipeline.CommitResult, error) {
	return s.commit(ctx, run, false)
}

func (s *Sink) commit(ctx context.Context, run pipeline.RunInfo, final bool) (pipeline.CommitResult, error) {
	if s.done {
		return s.result, errors.New("lake sink already closed")
	}
	defer s.bound(ctx)()
	if final {
		defer s.stopObjs() // committed or aborted, nothing uploads any more
	}
	names := slices.Sorted(maps.Keys(s.tables))
	// read before anything is committed: a failure leaves the lake as it was
	if err := s.readEarlier(ctx, names); err != nil {
		return s.result, err
	}
	if err := s.files.FinishAll(); err != nil {
		return s.result, err
	}
	rejects := s.rejects
	s.rejects = map[string]*rejectWriter{}
	for _, rw := range rejects {
		err := rw.buf.Flush()
		if err == nil {
			err = rw.ow.Close()
		}
		if err != nil { // the data files finished are discarded with the rejects
			s.mu.Lock()
			stagedObjs := s.staged
			s.staged = nil
			s.mu.Unlock()
			s.abortFrom(ctx, stagedObjs, rejects)
			return s.result, err
		}
	}
	s.mu.Lock()
	s.closing = final
	stagedObjs := s.staged
	s.staged = nil
	s.mu.Unlock()

	for i, st := range stagedObjs {
		if err := st.ow.Commit(ctx); err != nil {
			s.abortFrom(ctx, stagedObjs[i:], rejects)
			return s.result, err
		}
		s.committed[st.file.Path] = true
		if st.table != "" {
			tc := s.result.Tables[st.table]
			tc.Files = append(tc.Files, st.file)
			tc.Rows += st.file.Rows
			s.result.Tables[st.table] = tc
		}
	}
	if final {
		s.mu.Lock()
		s.done = true
		s.mu.Unlock()
	}
	for i, table := range slices.Sorted(maps.Keys(rejects)) {
		rw := rejects[table]
		if err := rw.ow.Commit(ctx); err != nil {
			for _, rest := range slices.Sorted(maps.Keys(rejects))[i+1:] { // those not reached
				rejects[rest].ow.Abort(context.WithoutCancel(ctx))
			}
			return s.result, err
		}
		s.committed[rw.ow.Key()] = true
		tc := s.result.Tables[table]
		tc.Rejects = append(tc.Rejects, rw.ow.Key())
		s.result.Tables[table] = tc
	}

	present := map[string]bool{}
	stale, err := s.replaced(ctx, run, names, final, present)
	if err != nil {
		return s.result, fmt.Errorf("remove replaced files: %w", err)
	}
	gone := s.goneSet(stale)
	now := time.Now().UTC()
	for _, name := range names {
		tc := s.result.Tables[name]
		files, rejects := s.carried(name, gone, present)
		key, err := s.writeManifest(ctx, run, s.tables[name], tc, files, rejects, now)
		if err != nil {
			return s.result, err
		}
		tc.Manifest = key
		s.result.Tables[name] = tc
	}
	// Other runs' manifests stop listing what this run replaced before the
	// replaced files go, so a manifest never names a file that is gone (see
	// doc.go for what a crash between the steps leaves).
	if err := s.pruneManifests(ctx, names, gone); err != nil {
		return s.result, fmt.Errorf("update earlier manifests: %w", err)
	}
	if err := s.store.Delete(ctx, stale...); err != nil {
		return s.result, fmt.Errorf("remove replaced files: %w", err)
	}
	return s.copyResult(), nil
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

// abortFrom discards staged objects a failed commit did not reach (parts of
// an S3 upload would otherwise linger), and the rejects not committed.
func (s *Sink) abortFrom(ctx context.Context, rest []staged, rejects map[string]*rejectWriter) {
	s.mu.Lock()
	s.done = true
	s.mu.Unlock()
	ctx = context.WithoutCancel(ctx)
	for _, st := range rest {
		st.ow.Abort(ctx)
	}
	for _, rw := range rejects {
		rw.ow.Abort(ctx)
	}
}

// writeManifest writes the run's manifest of table t: the files and rejects
// the run committed, then those carried from an earlier run under the same
// key.
func (s *Sink) writeManifest(ctx context.Context, run pipeline.RunInfo, t pipeline.Table, tc pipeline.TableCommit,
	carried []pipeline.FileCommit, carriedRejects []string, now time.Time) (string, error) {
	m := Manifest{RunID: run.RunID, RunKey: s.runKey, Kind: run.Kind, Table: t.Name, CommittedAt: now,
		SchemaFingerprint: SchemaFingerprint(t.Schema), PartitionBy: t.PartitionBy,
		Files: append(slices.Clone(tc.Files), carried...), Rows: tc.Rows, Stats: run.Stats[t.Name],
		Inputs: run.Inputs, Rejects: append(slices.Clone(tc.Rejects), carriedRejects...)}
	for _, f := range carried {
		m.Rows += f.Rows
	}
	if m.Files == nil {
		m.Files = []pipeline.FileCommit{}
	}
	if m.Inputs == nil {
		m.Inputs = []pipeline.InputInfo{}
	}
	if t.PartitionBy != "" {
		m.Granularity = s.granularity(t)
	}
	for _, f := range t.Schema.Fields() {
		m.Columns = append(m.Columns, ManifestColumn{Name: f.Name, Type: f.Type.String(), Nullable: f.Nullable})
	}
	key := path.Join("_manifests", t.Name, s.runKey+".json")
	return key, writeJSON(ctx, s.store, key, m)
}

// replaced lists files an earlier run of the same inputs wrote and this
// run did not write again, the rejects of tables that now have none, and
// media of the run key no longer referenced: what the commit deletes.
//
// At a checkpoint (final false) only data files of the inputs run.Inputs
// names are judged: rejects and media of the run are judged at the end.
//
// The keys of the tables' data and rejects files it saw are added to
// present.
func (s *Sink) replaced(ctx context.Context, run pipeline.RunInfo, tables []string, final bool, present map[string]bool) ([]string, error) {
	committed := s.committed
	inputs := map[string]bool{}
	for _, in := range run.Inputs {
		inputs[in.OutputKey()] = true
	}
	var stale []string
	for _, t := range tables {
		objs, err := s.store.List(ctx, t+"/")
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			present[o.Key] = true
			m := partFile.FindStringSubmatch(o.Key)
			if m != nil && inputs[m[2]] && !committed[o.Key] {
				stale = append(stale, o.Key)
			}
		}
		objs, err = s.store.List(ctx, path.Join("_rejects", t)+"/")
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			present[o.Key] = true
			if final && s.isRejectSegment(path.Base(o.Key)) && !committed[o.Key] {
				stale = append(stale, o.Key)
			}
		}
	}
	if !final {
		return stale, nil
	}
	objs, err := s.store.List(ctx, path.Join("media", s.runKey)+"/")
	if err != nil {
		return nil, err
	}
	for _, o := range objs {
		if !committed[o.Key] {
			stale = append(stale, o.Key)
		}
	}
	return stale, nil
}
