package iceberg

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"github.com/ccetl/ccetl/pipeline"
)

// Expire drops, table by table, the snapshots older than opts.OlderThan
// (the current snapshot and the newest opts.RetainLast always stay), then
// deletes the files only they referenced: data files, manifests and
// manifest lists listed by an expired snapshot and by no snapshot left,
// under the table's location. The directory is never listed, so a file a
// concurrent run has written and not committed yet is never touched.
func Expire(ctx context.Context, sc pipeline.SinkConfig, getenv func(string) string, opts pipeline.ExpireOptions) (pipeline.ExpireResult, error) {
	res := pipeline.ExpireResult{Tables: []pipeline.TableExpiry{}}
	if opts.RetainLast < 1 {
		return res, errors.New("expire: keep at least the last snapshot (retain-last 1 or more)")
	}
	if opts.OlderThan < 0 {
		return res, errors.New("expire: the age must not be negative")
	}
	err := eachTable(ctx, sc, getenv, opts.Table, "expire", func(cat lakeCatalog, id table.Identifier, _ Options) error {
		te, err := expireTable(ctx, cat, id, opts)
		res.Tables = append(res.Tables, te)
		return err
	})
	return res, err
}

func expireTable(ctx context.Context, cat lakeCatalog, id table.Identifier, opts pipeline.ExpireOptions) (pipeline.TableExpiry, error) {
	te := pipeline.TableExpiry{Table: tableName(id)}
	var pre, post *table.Table
	for attempt := 1; ; attempt++ {
		var err error
		if pre, err = cat.LoadTable(ctx, id); err != nil {
			return te, err
		}
		tx := pre.NewTransaction()
		// files are deleted below, from what the commit removed
		err = tx.ExpireSnapshots(table.WithOlderThan(opts.OlderThan), table.WithRetainLast(opts.RetainLast),
			table.WithPostCommit(false))
		if err == nil {
			post, err = tx.Commit(ctx)
		}
		if err == nil {
			break
		}
		if !conflict(err) || attempt == commitAttempts {
			return te, err
		}
	}
	kept := map[int64]bool{}
	for _, s := range post.Metadata().Snapshots() {
		kept[s.SnapshotID] = true
	}
	var expired []table.Snapshot
	for _, s := range pre.Metadata().Snapshots() {
		if !kept[s.SnapshotID] {
			expired = append(expired, s)
		}
	}
	te.SnapshotsExpired, te.SnapshotsKept = len(expired), len(kept)
	if len(expired) == 0 {
		return te, nil
	}
	// what is left: the table as it is now, with any snapshot committed
	// since
	now, err := cat.LoadTable(ctx, id)
	if err != nil {
		return te, fmt.Errorf("snapshots expired; their files stay: %w", err)
	}
	data, meta, err := unreferenced(ctx, now, expired)
	if err != nil {
		return te, fmt.Errorf("snapshots expired; their files stay: %w", err)
	}
	derr := removePaths(context.WithoutCancel(ctx), now, data)
	merr := removePaths(context.WithoutCancel(ctx), now, meta)
	if derr == nil {
		te.DataFilesDeleted = len(data)
	}
	if merr == nil {
		te.MetaFilesDeleted = len(meta)
	}
	return te, errors.Join(derr, merr)
}

// unreferenced lists the files under tbl's location that the expired
// snapshots referenced and no snapshot of tbl does: data and delete
// files, then manifests and manifest lists.
func unreferenced(ctx context.Context, tbl *table.Table, expired []table.Snapshot) (data, meta []string, err error) {
	fs, err := tbl.FS(ctx)
	if err != nil {
		return nil, nil, err
	}
	keptLists, keptManifests, live := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, s := range tbl.Metadata().Snapshots() {
		keptLists[s.ManifestList] = true
		mans, err := s.Manifests(fs)
		if err != nil {
			return nil, nil, fmt.Errorf("snapshot %d: %w", s.SnapshotID, err)
		}
		for _, m := range mans {
			if keptManifests[m.FilePath()] {
				continue
			}
			keptManifests[m.FilePath()] = true
			for e, err := range m.Entries(fs, false) {
				if err != nil {
					return nil, nil, fmt.Errorf("manifest %s: %w", m.FilePath(), err)
				}
				if e.Status() != iceberg.EntryStatusDELETED {
					live[e.DataFile().FilePath()] = true
				}
			}
		}
	}
	under := strings.TrimSuffix(tbl.Location(), "/") + "/"
	files, metas := map[string]bool{}, map[string]bool{}
	seen := map[string]bool{}
	for _, s := range expired {
		if s.ManifestList != "" && !keptLists[s.ManifestList] {
			metas[s.ManifestList] = true
		}
		mans, err := s.Manifests(fs)
		if err != nil {
			return nil, nil, fmt.Errorf("expired snapshot %d: %w", s.SnapshotID, err)
		}
		for _, m := range mans {
			p := m.FilePath()
			if keptManifests[p] || seen[p] {
				continue
			}
			seen[p] = true
			metas[p] = true
			for e, err := range m.Entries(fs, false) {
				if err != nil {
					return nil, nil, fmt.Errorf("manifest %s: %w", p, err)
				}
				if f := e.DataFile().FilePath(); !live[f] {
					files[f] = true
				}
			}
		}
	}
	keep := func(m map[string]bool) []string {
		var out []string
		for _, p := range slices.Sorted(maps.Keys(m)) {
			if strings.HasPrefix(p, under) {
				out = append(out, p)
			}
		}
		return out
	}
	return keep(files), keep(metas), nil
}
