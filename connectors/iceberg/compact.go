package iceberg

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"github.com/ccetl/ccetl/pipeline"
)

// compactGroup is small data files of one partition rewritten together,
// and the files they become.
type compactGroup struct {
	partition string // for messages
	input     string // the input key the new files are named for
	tasks     []table.FileScanTask
	rows      int64
	bytes     int64
	out       []iceberg.DataFile
}

// Compact rewrites, table by table, the small data files (below the target
// size) of each partition into files near the target size, in one
// snapshot per table that swaps the new files for the old.
//
// A table written in replace mode (the mode option; the default) keeps
// each input's rows in files named for the input, so a rerun of the input
// still finds and replaces them: its small files are merged per input.
// Append and merge tables merge a partition's small files whatever their
// input. Partitions with delete files are left alone. A run writing
// meanwhile is safe: its later commits keep whatever holds the inputs it
// committed (see filesOf), compacted or not.
//
// The rewrite commits only on the snapshot it read: when another writer
// commits first, it is staged again on the new snapshot with the groups
// whose files are all still there, and the files of the others removed.
func Compact(ctx context.Context, sc pipeline.SinkConfig, getenv func(string) string, opts pipeline.CompactOptions) (pipeline.CompactResult, error) {
	return compact(ctx, sc, getenv, opts, nil)
}

// compact is Compact; beforeCommit (nil: none) is called before each
// commit attempt, after the new files are written.
func compact(ctx context.Context, sc pipeline.SinkConfig, getenv func(string) string, opts pipeline.CompactOptions, beforeCommit func(table string, attempt int)) (pipeline.CompactResult, error) {
	res := pipeline.CompactResult{Tables: []pipeline.TableCompaction{}}
	if opts.TargetFileBytes <= 0 {
		return res, errors.New("compact: the target file size must be positive")
	}
	err := eachTable(ctx, sc, getenv, opts.Table, "compact", func(cat lakeCatalog, id table.Identifier, o Options) error {
		tc, err := compactTable(ctx, cat, id, o.mode(tableName(id)), opts.TargetFileBytes, beforeCommit)
		res.Tables = append(res.Tables, tc)
		return err
	})
	return res, err
}

func compactTable(ctx context.Context, cat lakeCatalog, id table.Identifier, mode Mode, target int64, beforeCommit func(string, int)) (pipeline.TableCompaction, error) {
	tc := pipeline.TableCompaction{Table: tableName(id)}
	tbl, err := cat.LoadTable(ctx, id)
	if err != nil {
		return tc, err
	}
	groups, skipped, err := planCompaction(ctx, tbl, mode, target)
	tc.Skipped = skipped
	if err != nil || len(groups) == 0 {
		return tc, err
	}
	// every new file goes unless a commit lists it
	cleanup := func(gs []*compactGroup) error {
		var errs []error
		for _, g := range gs {
			errs = append(errs, removeFiles(context.WithoutCancel(ctx), tbl, g.out))
			g.out = nil
		}
		return errors.Join(errs...)
	}
	for _, g := range groups {
		g.out, err = rewriteGroup(ctx, tbl, g, target)
		if err == nil {
			var n int64
			for _, df := range g.out {
				n += df.Count()
			}
			if n != g.rows {
				err = fmt.Errorf("partition %s: rewrote %d rows, read %d", g.partition, n, g.rows)
			}
		}
		if err != nil {
			return tc, errors.Join(err, cleanup(groups))
		}
	}
	for attempt := 1; ; attempt++ {
		if beforeCommit != nil {
			beforeCommit(tc.Table, attempt)
		}
		committed, err := commitCompaction(ctx, tbl, groups)
		if err == nil {
			tc.Snapshot = committed.CurrentSnapshot().SnapshotID
			for _, g := range groups {
				tc.Partitions++
				tc.FilesRemoved += len(g.tasks)
				tc.FilesAdded += len(g.out)
				tc.Rows += g.rows
				tc.BytesBefore += g.bytes
				for _, df := range g.out {
					tc.BytesAfter += df.FileSizeBytes()
				}
			}
			return tc, nil
		}
		if !conflict(err) {
			// the catalog may have taken the commit: delete the new files
			// only if the table does not list them
			return tc, errors.Join(err, cleanupUnlisted(ctx, cat, id, groups, cleanup))
		}
		if attempt == commitAttempts {
			return tc, errors.Join(err, cleanup(groups))
		}
		// another writer committed first: keep what it left alone
		fresh, lerr := cat.LoadTable(ctx, id)
		if lerr != nil {
			return tc, errors.Join(err, lerr, cleanup(groups))
		}
		tbl = fresh
		tasks, perr := currentTasks(ctx, tbl)
		if perr != nil {
			return tc, errors.Join(err, perr, cleanup(groups))
		}
		var kept, gone []*compactGroup
		for _, g := range groups {
			if stillThere(g, tasks) {
				kept = append(kept, g)
			} else {
				gone = append(gone, g)
				tc.Skipped = append(tc.Skipped, fmt.Sprintf("partition %s: changed by a concurrent commit; left for the next compaction", g.partition))
			}
		}
		if cerr := cleanup(gone); cerr != nil {
			return tc, errors.Join(cerr, cleanup(kept))
		}
		if groups = kept; len(groups) == 0 {
			return tc, nil
		}
	}
}

// cleanupUnlisted deletes the groups' new files after a commit that
// failed in an unknown state, unless the table's current snapshot lists
// one of them (the commit did land) or cannot be read.
func cleanupUnlisted(ctx context.Context, cat lakeCatalog, id table.Identifier, groups []*compactGroup, cleanup func([]*compactGroup) error) error {
	ctx = context.WithoutCancel(ctx)
	fresh, err := cat.LoadTable(ctx, id)
	if err != nil {
		return fmt.Errorf("the compaction's new files are left in place (the commit's outcome is unknown): %w", err)
	}
	tasks, err := currentTasks(ctx, fresh)
	if err != nil {
		return fmt.Errorf("the compaction's new files are left in place (the commit's outcome is unknown): %w", err)
	}
	for _, g := range groups {
		for _, df := range g.out {
			if _, ok := tasks[df.FilePath()]; ok {
				return errors.New("the table lists the compaction's new files: the commit landed")
			}
		}
	}
	return cleanup(groups)
}

// commitCompaction swaps the groups' new files for their old ones in one
// snapshot made on tbl's current snapshot and on no other.
func commitCompaction(ctx context.Context, tbl *table.Table, groups []*compactGroup) (*table.Table, error) {
	tx := tbl.NewTransaction()
	// pinned: the summary carries this snapshot's run properties, and a
	// snapshot made on a newer one would carry stale ones
	if err := tx.AssertRefSnapshotID(table.MainBranch); err != nil {
		return nil, err
	}
	n := 0
	for _, g := range groups {
		n += len(g.tasks)
	}
	rw := tx.NewRewrite(compactSummary(tbl.CurrentSnapshot(), n))
	for _, g := range groups {
		for _, t := range g.tasks {
			rw.DeleteFile(t.File)
		}
		for _, df := range g.out {
			rw.AddDataFile(df)
		}
	}
	if err := rw.Commit(ctx); err != nil {
		return nil, err
	}
	return tx.Commit(ctx)
}

// compactSummary is the summary of a compaction snapshot: the run
// properties of the snapshot it replaces as current (less its rejects,
// which are that commit's own), marked as a compaction.
func compactSummary(cur *table.Snapshot, files int) iceberg.Properties {
	p := iceberg.Properties{}
	if cur != nil && cur.Summary != nil {
		for k, v := range cur.Summary.Properties {
			if strings.HasPrefix(k, "ccetl.") && k != PropRejects && k != PropRejected {
				p[k] = v
			}
		}
	}
	p[PropOperation] = OpCompact
	p["ccetl.compacted-files"] = strconv.Itoa(files)
	return p
}

// currentTasks lists the current snapshot's data files by path, with the
// delete files that apply to each.
func currentTasks(ctx context.Context, tbl *table.Table) (map[string]table.FileScanTask, error) {
	out := map[string]table.FileScanTask{}
	if tbl.CurrentSnapshot() == nil {
		return out, nil
	}
	tasks, err := tbl.Scan().PlanFiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("list data files: %w", err)
	}
	for _, t := range tasks {
		p := t.File.FilePath()
		if prev, ok := out[p]; ok { // a split file: one task for the whole
			t.DeleteFiles = append(prev.DeleteFiles, t.DeleteFiles...)
		}
		t.Start, t.Length = 0, t.File.FileSizeBytes()
		out[p] = t
	}
	return out, nil
}

func hasDeletes(t table.FileScanTask) bool {
	return len(t.DeleteFiles)+len(t.EqualityDeleteFiles)+len(t.DeletionVectorFiles) > 0
}

// stillThere reports whether every file of g is current and has no
// delete file.
func stillThere(g *compactGroup, tasks map[string]table.FileScanTask) bool {
	for _, t := range g.tasks {
		cur, ok := tasks[t.File.FilePath()]
		if !ok || hasDeletes(cur) {
			return false
		}
	}
	return true
}

// planCompaction groups the current snapshot's small data files by
// partition (and input, in replace mode), keeping groups of two files or
// more. It says what it leaves alone, and why.
func planCompaction(ctx context.Context, tbl *table.Table, mode Mode, target int64) ([]*compactGroup, []string, error) {
	snap := tbl.CurrentSnapshot()
	if snap == nil {
		return nil, nil, nil
	}
	tasks, err := currentTasks(ctx, tbl)
	if err != nil {
		return nil, nil, err
	}
	spec := int32(tbl.Metadata().DefaultPartitionSpec())
	groups := map[string]*compactGroup{}
	deletes := map[string]bool{} // partitions with delete files
	oldSpec := map[string]bool{}
	for _, path := range slices.Sorted(maps.Keys(tasks)) {
		t := tasks[path]
		df := t.File
		part := partitionOf(df)
		if part == "" {
			part = "(unpartitioned)"
		}
		switch {
		case hasDeletes(t):
			deletes[part] = true
			continue
		case df.FileSizeBytes() >= target:
			continue
		case df.SpecID() != spec:
			oldSpec[part] = true
			continue
		}
		in := ""
		if mode == Replace {
			in = inputOf(path)
		}
		k := part + "\x00" + in
		g := groups[k]
		if g == nil {
			g = &compactGroup{partition: part, input: in}
			groups[k] = g
		}
		g.tasks = append(g.tasks, t)
		g.rows += df.Count()
		g.bytes += df.FileSizeBytes()
	}
	var out []*compactGroup
	var skipped []string
	for _, part := range slices.Sorted(maps.Keys(deletes)) {
		skipped = append(skipped, fmt.Sprintf("partition %s: has delete files; left alone (compaction rewrites tables without them)", part))
	}
	for _, part := range slices.Sorted(maps.Keys(oldSpec)) {
		skipped = append(skipped, fmt.Sprintf("partition %s: files of an earlier partition spec left alone", part))
	}
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		if g := groups[k]; len(g.tasks) > 1 && !deletes[g.partition] {
			out = append(out, g)
		}
	}
	return out, skipped, nil
}

// rewriteGroup reads the group's files and writes their rows into files
// of about target bytes, named for the group's input.
func rewriteGroup(ctx context.Context, tbl *table.Table, g *compactGroup, target int64) ([]iceberg.DataFile, error) {
	sc, recs, err := tbl.Scan().ReadTasks(ctx, g.tasks)
	if err != nil {
		return nil, fmt.Errorf("partition %s: read: %w", g.partition, err)
	}
	w := startWriter(ctx, tbl, sc, g.input, target)
	for rec, err := range recs {
		if err == nil && rec.NumRows() == 0 {
			rec.Release()
			continue
		}
		if err == nil {
			err = w.send(ctx, rec)
		}
		if err != nil {
			files, _ := w.close()
			return files, fmt.Errorf("partition %s: %w", g.partition, err)
		}
	}
	files, err := w.close()
	if err != nil {
		return files, fmt.Errorf("partition %s: write: %w", g.partition, err)
	}
	return files, nil
}
