package lake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
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
	Rejects           string                `json:"rejects,omitempty"`
}

// ManifestColumn is one column of a manifest's schema.
type ManifestColumn struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
}

var partFile = regexp.MustCompile(`(^|/)part-([0-9a-f]{16})-[0-9]{5}\.parquet$`)

// Close commits the run: data and media files first, then rejects, then one
// manifest per table, and only then deletes what the run replaced.
func (s *Sink) Close(ctx context.Context, run pipeline.RunInfo) (pipeline.CommitResult, error) {
	res := pipeline.CommitResult{Tables: map[string]pipeline.TableCommit{}}
	if s.done {
		return res, errors.New("lake sink already closed")
	}
	if err := s.finishAll(); err != nil {
		return res, err
	}
	for _, rw := range s.rejects {
		if err := rw.buf.Flush(); err != nil {
			return res, err
		}
		if err := rw.ow.Close(); err != nil {
			return res, err
		}
	}
	s.mu.Lock()
	s.closing = true
	stagedObjs := s.staged
	s.mu.Unlock()

	committed := map[string]bool{}
	for i, st := range stagedObjs {
		if err := st.ow.Commit(ctx); err != nil {
			s.abortFrom(ctx, stagedObjs[i:])
			return res, err
		}
		committed[st.file.Path] = true
		if st.table != "" {
			tc := res.Tables[st.table]
			tc.Files = append(tc.Files, st.file)
			tc.Rows += st.file.Rows
			res.Tables[st.table] = tc
		}
	}
	s.mu.Lock()
	s.done = true
	s.mu.Unlock()
	for table, rw := range s.rejects {
		if err := rw.ow.Commit(ctx); err != nil {
			return res, err
		}
		tc := res.Tables[table]
		tc.Rejects = rw.ow.Key()
		res.Tables[table] = tc
	}

	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		names = append(names, n)
	}
	sort.Strings(names)
	now := time.Now().UTC()
	for _, name := range names {
		tc := res.Tables[name]
		key, err := s.writeManifest(ctx, run, s.tables[name], tc, now)
		if err != nil {
			return res, err
		}
		tc.Manifest = key
		res.Tables[name] = tc
	}
	if err := s.removeReplaced(ctx, run, names, committed); err != nil {
		return res, fmt.Errorf("remove replaced files: %w", err)
	}
	return res, nil
}

// abortFrom discards staged objects a failed commit did not reach (parts of
// an S3 upload would otherwise linger), and the rejects.
func (s *Sink) abortFrom(ctx context.Context, rest []staged) {
	s.mu.Lock()
	s.done = true
	s.mu.Unlock()
	ctx = context.WithoutCancel(ctx)
	for _, st := range rest {
		st.ow.Abort(ctx)
	}
	for _, rw := range s.rejects {
		rw.ow.Abort(ctx)
	}
}

func (s *Sink) writeManifest(ctx context.Context, run pipeline.RunInfo, t pipeline.Table, tc pipeline.TableCommit, now time.Time) (string, error) {
	m := Manifest{RunID: run.RunID, RunKey: s.runKey, Kind: run.Kind, Table: t.Name, CommittedAt: now,
		SchemaFingerprint: SchemaFingerprint(t.Schema), PartitionBy: t.PartitionBy, Files: tc.Files,
		Rows: tc.Rows, Stats: run.Stats[t.Name], Inputs: run.Inputs, Rejects: tc.Rejects}
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
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return "", err
	}
	key := path.Join("_manifests", t.Name, s.runKey+".json")
	ow, err := s.store.Create(ctx, key)
	if err != nil {
		return "", err
	}
	if _, err := ow.Write(buf.Bytes()); err != nil {
		ow.Abort(ctx)
		return "", err
	}
	if err := ow.Close(); err != nil {
		ow.Abort(ctx)
		return "", err
	}
	return key, ow.Commit(ctx)
}

// removeReplaced deletes files an earlier run of the same inputs wrote and
// this run did not write again, the rejects of tables that now have none,
// and media of the run key no longer referenced.
func (s *Sink) removeReplaced(ctx context.Context, run pipeline.RunInfo, tables []string, committed map[string]bool) error {
	inputs := map[string]bool{}
	for _, in := range run.Inputs {
		inputs[pipeline.InputKey(in.Name)] = true
	}
	var stale []string
	for _, t := range tables {
		objs, err := s.store.List(ctx, t+"/")
		if err != nil {
			return err
		}
		for _, o := range objs {
			m := partFile.FindStringSubmatch(o.Key)
			if m != nil && inputs[m[2]] && !committed[o.Key] {
				stale = append(stale, o.Key)
			}
		}
		if _, ok := s.rejects[t]; !ok {
			stale = append(stale, path.Join("_rejects", t, s.runKey+".jsonl"))
		}
	}
	objs, err := s.store.List(ctx, path.Join("media", s.runKey)+"/")
	if err != nil {
		return err
	}
	for _, o := range objs {
		if !committed[o.Key] {
			stale = append(stale, o.Key)
		}
	}
	return s.store.Delete(ctx, stale...)
}
