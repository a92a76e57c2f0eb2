package iceberg_test

import (
	"context"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/iceberg"
	"github.com/ccetl/ccetl/pipeline"
)

func TestSnapshotsListRunsAndCompaction(t *testing.T) {
	dir := t.TempDir()
	url := "iceberg://" + dir
	app := map[string]string{"mode": "append"}
	runOnce(t, url, app, "run-1", rows{"a.csv", 0, 60, base})
	runOnce(t, url, app, "run-2", rows{"b.csv", 60, 90, base})
	tc := compactLake(t, url, app, 128<<20)
	start := time.Now().Add(-time.Minute)
	ts, err := iceberg.Snapshots(context.Background(), pipeline.SinkConfig{URL: url}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || ts[0].Table != contacts.Name || len(ts[0].Snapshots) != 3 {
		t.Fatalf("snapshots: %+v", ts)
	}
	s := ts[0].Snapshots
	m, cur := current(t, dir)
	h := m.history()
	for i, want := range []struct {
		run, op, maint string
		added, deleted int64
		total          int64
		current        bool
	}{
		{"run-1", "append", "", 60, 0, 60, false},
		{"run-2", "append", "", 30, 0, 90, false},
		{"run-2", "replace", "compact", 90, 90, 90, true},
	} {
		got := s[i]
		if got.ID != h[i].ID || got.RunID != want.run || got.Operation != want.op || got.Maintenance != want.maint ||
			got.AddedRows != want.added || got.DeletedRows != want.deleted || got.TotalRows != want.total ||
			got.Current != want.current || got.Kind != "test" || !got.Final || got.Time.Before(start) {
			t.Errorf("snapshot %d: %+v, want %+v", i, got, want)
		}
	}
	if s[2].ID != cur.ID || s[2].ID != tc.Snapshot || s[2].Parent != s[1].ID || s[2].AddedFiles != int64(tc.FilesAdded) || s[2].DeletedFiles != int64(tc.FilesRemoved) {
		t.Errorf("compaction snapshot %+v, compaction %+v", s[2], tc)
	}
	if _, err := iceberg.Snapshots(context.Background(), pipeline.SinkConfig{URL: url}, nil, "nosuch"); err == nil {
		t.Error("no error for a missing table")
	}
}
