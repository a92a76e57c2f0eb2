package iceberg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"

	"github.com/ccetl/ccetl/pipeline"
)

// Resume finds the newest snapshot, over all tables of the warehouse's
// namespace, whose summary names the job step, and returns its run and
// cursors: what the data holds. A warehouse without a catalog yet holds
// nothing.
func Resume(ctx context.Context, sc pipeline.SinkConfig, getenv func(string) string, step string) (pipeline.Committed, bool, error) {
	var best table.Snapshot
	found := false
	err := eachTable(ctx, sc, getenv, "", "resume", func(cat lakeCatalog, id table.Identifier, _ Options) error {
		tbl, err := cat.LoadTable(ctx, id)
		if err != nil {
			return err
		}
		for _, s := range tbl.Metadata().Snapshots() {
			if s.Summary == nil || s.Summary.Properties[PropStep] != step || s.Summary.Properties[PropCursors] == "" {
				continue
			}
			if !found || s.TimestampMs > best.TimestampMs {
				best, found = s, true
			}
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, catalog.ErrNoSuchNamespace) {
		return pipeline.Committed{}, false, nil // no catalog or namespace: nothing written yet
	}
	if err != nil || !found {
		return pipeline.Committed{}, false, err
	}
	c := pipeline.Committed{RunID: best.Summary.Properties[PropRunID], At: time.UnixMilli(best.TimestampMs).UTC()}
	if err := json.Unmarshal([]byte(best.Summary.Properties[PropCursors]), &c.Cursors); err != nil {
		return c, false, fmt.Errorf("snapshot %d: %s: %w", best.SnapshotID, PropCursors, err)
	}
	return c, true, nil
}
