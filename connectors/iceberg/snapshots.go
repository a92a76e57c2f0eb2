package iceberg

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/apache/iceberg-go/table"

	"github.com/ccetl/ccetl/pipeline"
)

// Snapshots lists each table's snapshots, oldest first, with the run that
// made each (or the maintenance) and its counts, from the summaries.
func Snapshots(ctx context.Context, sc pipeline.SinkConfig, getenv func(string) string, only string) ([]pipeline.TableSnapshots, error) {
	cat, o, err := openLake(ctx, sc, getenv)
	if err != nil {
		return nil, err
	}
	defer cat.Close()
	ids, err := tablesOf(ctx, cat, o.Namespace, only)
	if err != nil {
		return nil, err
	}
	out := []pipeline.TableSnapshots{}
	for _, id := range ids {
		tbl, err := cat.LoadTable(ctx, id)
		if err != nil {
			return out, fmt.Errorf("iceberg table %s: %w", tableName(id), err)
		}
		ts := pipeline.TableSnapshots{Table: tableName(id), Location: tbl.Location(), Snapshots: []pipeline.SnapshotInfo{}}
		var cur int64
		if s := tbl.CurrentSnapshot(); s != nil {
			cur = s.SnapshotID
		}
		snaps := slices.Clone(tbl.Metadata().Snapshots())
		slices.SortStableFunc(snaps, func(a, b table.Snapshot) int {
			return cmp.Or(cmp.Compare(a.SequenceNumber, b.SequenceNumber), cmp.Compare(a.TimestampMs, b.TimestampMs))
		})
		for _, s := range snaps {
			ts.Snapshots = append(ts.Snapshots, snapshotInfo(s, cur))
		}
		out = append(out, ts)
	}
	return out, nil
}

func snapshotInfo(s table.Snapshot, current int64) pipeline.SnapshotInfo {
	si := pipeline.SnapshotInfo{ID: s.SnapshotID, Time: time.UnixMilli(s.TimestampMs).UTC(), Current: s.SnapshotID == current}
	if s.ParentSnapshotID != nil {
		si.Parent = *s.ParentSnapshotID
	}
	if s.Summary == nil {
		return si
	}
	p := s.Summary.Properties
	num := func(k string) int64 { n, _ := strconv.ParseInt(p[k], 10, 64); return n }
	si.Operation = string(s.Summary.Operation)
	si.Maintenance = p[PropOperation]
	si.RunID, si.RunKey, si.Kind = p[PropRunID], p[PropRunKey], p[PropKind]
	si.Final = p[PropFinal] == "true"
	si.AddedRows, si.DeletedRows = num("added-records"), num("deleted-records")
	si.AddedFiles, si.DeletedFiles = num("added-data-files"), num("deleted-data-files")
	si.TotalRows, si.TotalFiles = num("total-records"), num("total-data-files")
	return si
}
