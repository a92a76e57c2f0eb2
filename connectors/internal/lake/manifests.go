package lake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/ccetl/ccetl/pipeline"
)

// goneSet is what a commit takes out of manifests: the files it wrote (an
// earlier run's file of the same name is replaced) and the stale files it is
// about to delete.
func (s *Sink) goneSet(stale []string) map[string]bool {
	gone := make(map[string]bool, len(stale)+len(s.committed))
	for _, k := range stale {
		gone[k] = true
	}
	for k := range s.committed {
		gone[k] = true
	}
	return gone
}

// readEarlier reads, once, what the manifests under this run key list
// before the run first rewrites them. A rerun under the same key must not
// leave the earlier run's files unlisted where it does not replace them:
// its inputs may differ (an API window that moved), and its rejects
// segments stay until Close. Those still visible are carried into the new
// manifest.
func (s *Sink) readEarlier(ctx context.Context, tables []string) error {
	if s.earlier != nil {
		return nil
	}
	earlier := map[string]*Manifest{}
	for _, t := range tables {
		key := path.Join("_manifests", t, s.runKey+".json")
		m, err := ReadManifest(ctx, s.store, key)
		switch {
		case errors.Is(err, ErrNotExist):
			continue
		case err != nil:
			return fmt.Errorf("read the run's earlier manifest: %w", err)
		}
		earlier[t] = m
	}
	s.earlier = earlier
	return nil
}

// carried lists the files and rejects of table that the earlier manifest
// under this run key listed and that stay visible after this commit.
func (s *Sink) carried(table string, gone, present map[string]bool) ([]pipeline.FileCommit, []string) {
	m := s.earlier[table]
	if m == nil {
		return nil, nil
	}
	var files []pipeline.FileCommit
	for _, f := range m.Files {
		if !gone[f.Path] && present[f.Path] {
			files = append(files, f)
		}
	}
	var rejects []string
	for _, r := range m.Rejects {
		if !gone[r] && present[r] {
			rejects = append(rejects, r)
		}
	}
	return files, rejects
}

// pruneManifests keeps every other run's manifest of the tables exact: the
// files in gone are taken out of them, their rows recounted; a manifest
// left with no file and no rejects is deleted. Manifests are rewritten
// whole and atomically. A manifest's stats still describe its run; files
// and rows describe what is visible.
func (s *Sink) pruneManifests(ctx context.Context, tables []string, gone map[string]bool) error {
	for _, t := range tables {
		keys, err := s.store.List(ctx, path.Join("_manifests", t)+"/")
		if err != nil {
			return err
		}
		own := path.Join("_manifests", t, s.runKey+".json")
		for _, o := range keys {
			if o.Key == own || !strings.HasSuffix(o.Key, ".json") {
				continue
			}
			if err := s.pruneManifest(ctx, o.Key, gone); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Sink) pruneManifest(ctx context.Context, key string, gone map[string]bool) error {
	m, err := ReadManifest(ctx, s.store, key)
	if err != nil {
		return err
	}
	kept := m.Files[:0:0]
	var rows int64
	for _, f := range m.Files {
		if gone[f.Path] {
			continue
		}
		kept = append(kept, f)
		rows += f.Rows
	}
	if len(kept) == len(m.Files) {
		return nil
	}
	rejects := slices.DeleteFunc(slices.Clone(m.Rejects), func(r string) bool { return gone[r] })
	if len(kept) == 0 && len(rejects) == 0 {
		return s.store.Delete(ctx, key)
	}
	m.Files, m.Rows, m.Rejects = kept, rows, rejects
	return writeJSON(ctx, s.store, key, m)
}

// ReadManifest reads one manifest.
func ReadManifest(ctx context.Context, st Store, key string) (*Manifest, error) {
	r, err := st.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest %s is damaged: %w", key, err)
	}
	return &m, nil
}

// writeJSON writes v as an indented JSON object under key, atomically.
func writeJSON(ctx context.Context, st Store, key string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	ow, err := st.Create(ctx, key)
	if err != nil {
		return err
	}
	if _, err := ow.Write(buf.Bytes()); err != nil {
		ow.Abort(ctx)
		return err
	}
	if err := ow.Close(); err != nil {
		ow.Abort(ctx)
		return err
	}
	return ow.Commit(ctx)
}
