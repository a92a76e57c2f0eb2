package iceberg_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/iceberg"
	"github.com/ccetl/ccetl/pipeline"
)

func expireLake(t *testing.T, url string, opts map[string]string, older time.Duration, retain int) pipeline.TableExpiry {
	t.Helper()
	res, err := iceberg.Expire(context.Background(), pipeline.SinkConfig{URL: url, Options: opts}, nil,
		pipeline.ExpireOptions{OlderThan: older, RetainLast: retain})
	if err != nil {
		t.Fatalf("expire: %v", err)
	}
	if len(res.Tables) != 1 || res.Tables[0].Table != contacts.Name {
		t.Fatalf("expire: %+v", res)
	}
	return res.Tables[0]
}

// checkExpire makes three snapshots, the second replacing the first's
// files of input a, and expires all but the current one: exactly the
// files only the expired snapshots listed go, and the current snapshot
// reads whole.
func checkExpire(t *testing.T, url string, opts map[string]string, fetch fetcher, locate func(string) string) {
	t1 := base.Add(time.Hour)
	runOnce(t, url, opts, "run-1", rows{"a.csv", 0, 100, t1})
	runOnce(t, url, opts, "run-2", rows{"a.csv", 0, 80, t1})
	runOnce(t, url, opts, "run-3", rows{"b.csv", 100, 150, t1})
	m := readMeta(t, fetch, locate(contacts.Name))
	h := m.history()
	if len(h) != 3 {
		t.Fatalf("%d snapshots, want 3", len(h))
	}
	cur := h[2]
	live := map[string]bool{}
	for _, f := range liveFiles(t, fetch, cur) {
		live[f.Path] = true
	}
	var gone []string // run-1's files: listed by snapshot 1 only
	for _, f := range liveFiles(t, fetch, h[0]) {
		if live[f.Path] {
			t.Fatalf("run-1's file %s is still current", f.Path)
		}
		gone = append(gone, f.Path)
	}

	// nothing is a week old
	if te := expireLake(t, url, opts, 7*24*time.Hour, 1); te.SnapshotsExpired != 0 || te.SnapshotsKept != 3 {
		t.Fatalf("expire older than 7 days: %+v", te)
	}
	// retain-last 2 keeps run-2's snapshot
	te := expireLake(t, url, opts, 0, 2)
	if te.SnapshotsExpired != 1 || te.SnapshotsKept != 2 || te.DataFilesDeleted != len(gone) || te.MetaFilesDeleted < 2 {
		t.Fatalf("expire all but 2: %+v (want %d data files deleted)", te, len(gone))
	}
	for _, p := range gone {
		if _, err := fetch(p); err == nil {
			t.Errorf("run-1's data file %s is still there", p)
		}
	}
	if _, err := fetch(h[0].ManifestList); err == nil {
		t.Errorf("the expired snapshot's manifest list %s is still there", h[0].ManifestList)
	}
	// run-2's snapshot is kept, and so are all its files
	for _, f := range liveFiles(t, fetch, h[1]) {
		if _, err := fetch(f.Path); err != nil {
			t.Errorf("file %s of a kept snapshot: %v", f.Path, err)
		}
	}
	te = expireLake(t, url, opts, 0, 1)
	if te.SnapshotsExpired != 1 || te.SnapshotsKept != 1 || te.DataFilesDeleted != 0 {
		t.Fatalf("expire all but the current: %+v (run-2's files are all current)", te)
	}
	m = readMeta(t, fetch, locate(contacts.Name))
	if len(m.Snapshots) != 1 || *m.Current != cur.ID {
		t.Fatalf("after expiry: %d snapshots, current %d, want 1 and %d", len(m.Snapshots), *m.Current, cur.ID)
	}
	if got := ids(t, readRows(t, fetch, cur, "id")); len(got) != 130 {
		t.Fatalf("current snapshot reads %d rows, want 130", len(got))
	}
}

func TestExpireSnapshots(t *testing.T) {
	dir := t.TempDir()
	checkExpire(t, "iceberg://"+dir, nil, localFetch, func(table string) string {
		return sqliteLocation(t, filepath.Join(dir, "catalog.db"), table)
	})
}

func TestExpirePostgresCatalog(t *testing.T) {
	dsn := needEnv(t, "CCETL_TEST_POSTGRES_URL", "postgres.sh")
	name := uniqueName(t)
	checkExpire(t, "iceberg://"+t.TempDir(), map[string]string{"catalog": "postgres", "catalog_uri": dsn, "catalog_name": name},
		localFetch, func(table string) string { return pgLocationNS(t, dsn, name, table) })
}

func TestExpireS3Warehouse(t *testing.T) {
	fetch, opts, prefix := s3Fetch(t)
	catFile := filepath.Join(t.TempDir(), "catalog.db")
	opts["catalog_uri"] = catFile
	checkExpire(t, "iceberg+s3://"+prefix, opts, fetch, func(table string) string {
		return sqliteLocationNS(t, catFile, table)
	})
}

// Files a run has written and not committed are not expiry's: they stay,
// and the run's commit afterwards reads whole. Files a compaction
// replaced go with the snapshots that listed them.
func TestExpireLeavesUncommittedFiles(t *testing.T) {
	dir := t.TempDir()
	url := "iceberg://" + dir
	app := map[string]string{"mode": "append"}
	runOnce(t, url, app, "run-1", rows{"a.csv", 0, 60, base})
	runOnce(t, url, app, "run-2", rows{"b.csv", 60, 120, base})
	_, beforeCompact := current(t, dir)
	small := liveFiles(t, localFetch, beforeCompact)
	compactLake(t, url, app, 128<<20)

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := open(t, url, app, "late")
	inputs := write(t, s, mem, rows{"c.csv", 120, 180, base}, rows{"d.csv", 180, 190, base}, rows{"e.csv", 190, 200, base},
		rows{"f.csv", 200, 210, base}, rows{"g.csv", 210, 220, base}) // more inputs than open writers: files on disk
	before := dataFiles(t, dir)
	te := expireLake(t, url, nil, 0, 1)
	if te.SnapshotsExpired != 2 || te.DataFilesDeleted != len(small) {
		t.Fatalf("expire: %+v, want 2 snapshots and the %d compacted files gone", te, len(small))
	}
	after := dataFiles(t, dir)
	for _, f := range small {
		if p := strings.TrimPrefix(f.Path, "file://"); after[p] {
			t.Errorf("compacted file %s still there", p)
		}
		delete(before, strings.TrimPrefix(f.Path, "file://"))
	}
	for p := range before {
		if !after[p] {
			t.Errorf("expire deleted %s, which it did not expire", p)
		}
	}
	if _, err := s.Close(context.Background(), pipeline.RunInfo{RunID: "late", Kind: "test", Inputs: inputs}); err != nil {
		t.Fatal(err)
	}
	_, snap := current(t, dir)
	if got := ids(t, readRows(t, localFetch, snap, "id")); len(got) != 220 {
		t.Fatalf("%d rows after the late commit, want 220", len(got))
	}
}

func TestMaintenanceNeedsAWarehouse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none")
	_, err := iceberg.Expire(context.Background(), pipeline.SinkConfig{URL: "iceberg://" + dir}, nil, pipeline.ExpireOptions{RetainLast: 1})
	if err == nil || !strings.Contains(err.Error(), "no catalog") {
		t.Fatalf("expire of a missing warehouse: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("a warehouse was made")
	}
}
