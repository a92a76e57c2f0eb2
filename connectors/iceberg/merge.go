package iceberg

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// keep decides, row by row, which rows of a data file a rewrite keeps.
// idx are the key columns' indexes in rec, order the order column's (-1).
type keep func(rec arrow.RecordBatch, idx []int, order, r int) (bool, error)

// rewriteForMerge finds the current data files holding a key the run wrote
// again (the key filter prunes files by partition and column bounds) and
// rewrites each without the rows the run's versions replace: copy-on-write.
// A stored row newer than the run's version of its key (by the order
// column) is kept, and the key marked so the run's rows of it go. It
// returns the files to remove and the rewritten files to add; a file that
// loses no row is left alone.
func rewriteForMerge(ctx context.Context, ts *tableState) (old, rewritten []iceberg.DataFile, err error) {
	ks := ts.keys
	f := ks.filter()
	if f == nil || ts.tbl.CurrentSnapshot() == nil {
		return nil, nil, nil
	}
	tasks, err := ts.tbl.Scan(table.WithRowFilter(f)).PlanFiles(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("find earlier versions: %w", err)
	}
	for _, b := range ks.best { // judged afresh on the current snapshot
		b.keepOld = false
	}
	ks.older = false
	stored := func(rec arrow.RecordBatch, idx []int, order, r int) (bool, error) {
		b, _, err := ks.version(rec, idx, r)
		if b == nil || err != nil {
			return true, err
		}
		if v, null := ks.value(rec, order, r); newerStored(v, null, b) {
			b.keepOld, ks.older = true, true
			return true, nil
		}
		return false, nil
	}
	for _, task := range tasks {
		if len(task.DeleteFiles)+len(task.EqualityDeleteFiles)+len(task.DeletionVectorFiles) > 0 {
			return old, rewritten, fmt.Errorf("data file %s has delete files; merge rewrites files and needs a table without them", task.File.FilePath())
		}
		files, touched, err := filterFile(ctx, ts, task, stored)
		rewritten = append(rewritten, files...)
		if err != nil {
			return old, rewritten, fmt.Errorf("rewrite %s: %w", task.File.FilePath(), err)
		}
		if touched {
			old = append(old, task.File)
		}
	}
	return old, rewritten, nil
}

// dedupeNew rewrites the files the run wrote since the last commit so each
// key keeps one row: its newest version (the last such row read), none
// when a stored row is newer. It returns the files that now hold the run's
// rows and the files they replace.
func dedupeNew(ctx context.Context, ts *tableState) (files, replaced []iceberg.DataFile, err error) {
	ks := ts.keys
	if !ks.dups && !ks.older {
		return ts.files, nil, nil
	}
	winner := func(rec arrow.RecordBatch, order, r int, b *version) bool {
		v, null := ks.value(rec, order, r)
		return null == b.null && (null || v == b.v)
	}
	count := map[string]int{} // rows of each repeated key that carry its newest version
	for _, df := range ts.files {
		_, _, err := filterFile(ctx, ts, table.FileScanTask{File: df, Length: df.FileSizeBytes()},
			func(rec arrow.RecordBatch, idx []int, order, r int) (bool, error) {
				b, id, err := ks.version(rec, idx, r)
				if b != nil && b.n > 1 && !b.keepOld && winner(rec, order, r, b) {
					count[id]++
				}
				return true, err
			})
		if err != nil {
			return nil, nil, err
		}
	}
	seen := map[string]int{}
	for _, df := range ts.files {
		out, touched, err := filterFile(ctx, ts, table.FileScanTask{File: df, Length: df.FileSizeBytes()},
			func(rec arrow.RecordBatch, idx []int, order, r int) (bool, error) {
				b, id, err := ks.version(rec, idx, r)
				switch {
				case b == nil || err != nil:
					return true, err
				case b.keepOld:
					return false, nil
				case b.n == 1:
					return true, nil
				case !winner(rec, order, r, b):
					return false, nil
				}
				seen[id]++
				return seen[id] == count[id], nil
			})
		files = append(files, out...)
		if err != nil {
			return files, replaced, err
		}
		if touched {
			replaced = append(replaced, df)
		} else {
			files = append(files, df)
		}
	}
	return files, replaced, nil
}

// filterFile writes the rows of one data file that keep keeps into new
// files named for the same input. touched is false, and nothing is written,
// when keep keeps every row.
func filterFile(ctx context.Context, ts *tableState, task table.FileScanTask, keep keep) (files []iceberg.DataFile, touched bool, err error) {
	sc, recs, err := ts.tbl.Scan().ReadTasks(ctx, []table.FileScanTask{task})
	if err != nil {
		return nil, false, err
	}
	idx := make([]int, len(ts.key))
	for i, k := range ts.key {
		j := sc.FieldIndices(k)
		if len(j) != 1 {
			return nil, false, fmt.Errorf("key column %s not in the file", k)
		}
		idx[i] = j[0]
	}
	order := -1
	if ts.order != "" {
		if j := sc.FieldIndices(ts.order); len(j) == 1 {
			order = j[0]
		}
	}
	var kept []arrow.RecordBatch
	defer func() {
		for _, r := range kept {
			r.Release()
		}
	}()
	for rec, err := range recs {
		if err != nil {
			return nil, false, err
		}
		mask := array.NewBooleanBuilder(memory.DefaultAllocator)
		drop := 0
		for r := 0; r < int(rec.NumRows()); r++ {
			ok, err := keep(rec, idx, order, r)
			if err != nil {
				mask.Release()
				rec.Release()
				return nil, false, err
			}
			if !ok {
				drop++
			}
			mask.Append(ok)
		}
		m := mask.NewBooleanArray()
		mask.Release()
		if drop == 0 {
			kept = append(kept, rec)
			m.Release()
			continue
		}
		touched = true
		out, err := compute.FilterRecordBatch(ctx, rec, m, compute.DefaultFilterOptions())
		m.Release()
		rec.Release()
		if err != nil {
			return nil, false, err
		}
		kept = append(kept, out)
	}
	if !touched {
		return nil, false, nil
	}
	in := inputOf(task.File.FilePath())
	if in == "" {
		in = "0000000000000000"
	}
	w := startWriter(ctx, ts.tbl, sc, in, 1<<62)
	for len(kept) > 0 {
		r := kept[0]
		kept = kept[1:]
		if r.NumRows() == 0 {
			r.Release()
			continue
		}
		if err := w.send(ctx, r); err != nil {
			files, _ := w.close()
			return files, true, err
		}
	}
	files, err = w.close()
	return files, true, err
}
