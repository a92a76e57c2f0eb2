package iceberg_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/iceberg"
	"github.com/ccetl/ccetl/pipeline"
)

// allCols are the contacts columns, for comparing rows whole.
var allCols = []string{"id", "agent", "updated_at", "day"}

// sortedRows renders every row of a snapshot, sorted, failing on
// duplicate ids.
func sortedRows(t *testing.T, fetch fetcher, s snapshotMeta) []string {
	t.Helper()
	rs := readRows(t, fetch, s, allCols...)
	ids(t, rs)
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = fmt.Sprint(r["id"], "|", r["agent"], "|", r["updated_at"], "|", r["day"])
	}
	sort.Strings(out)
	return out
}

func compactLake(t *testing.T, url string, opts map[string]string, target int64) pipeline.TableCompaction {
	t.Helper()
	res, err := iceberg.Compact(context.Background(), pipeline.SinkConfig{URL: url, Options: opts}, nil,
		pipeline.CompactOptions{TargetFileBytes: target})
	if err != nil {
		t.Fatalf("compact: %v", err)
	}
	if len(res.Tables) != 1 || res.Tables[0].Table != contacts.Name {
		t.Fatalf("compact: %+v", res)
	}
	return res.Tables[0]
}

// checkCompactAppends writes four appends (four small files a day) and
// compacts them: the rows stay exactly, one file a day is left, and the
// snapshot says it is a compaction carrying the last run's properties.
func checkCompactAppends(t *testing.T, url string, opts map[string]string, fetch fetcher, locate func(string) string) {
	app := map[string]string{"mode": "append"}
	for k, v := range opts {
		app[k] = v
	}
	for i := range 4 {
		runOnce(t, url, app, fmt.Sprintf("run-%d", i+1), rows{fmt.Sprintf("in-%d.csv", i), i * 30, i*30 + 30, base.Add(time.Duration(i) * time.Hour)})
	}
	m := readMeta(t, fetch, locate(contacts.Name))
	before := *m.snapshot(*m.Current)
	rowsBefore := sortedRows(t, fetch, before)
	filesBefore := liveFiles(t, fetch, before)
	if len(rowsBefore) != 120 || len(filesBefore) != 12 {
		t.Fatalf("before: %d rows in %d files, want 120 in 12", len(rowsBefore), len(filesBefore))
	}
	tc := compactLake(t, url, app, 128<<20)
	if tc.Partitions != 3 || tc.FilesRemoved != 12 || tc.FilesAdded != 3 || tc.Rows != 120 || tc.Snapshot == 0 {
		t.Fatalf("compaction: %+v", tc)
	}
	m = readMeta(t, fetch, locate(contacts.Name))
	after := *m.snapshot(*m.Current)
	if after.ID != tc.Snapshot || *after.Parent != before.ID {
		t.Fatalf("current snapshot %d (parent %v), compaction says %d on %d", after.ID, *after.Parent, tc.Snapshot, before.ID)
	}
	if got := sortedRows(t, fetch, after); !slices.Equal(got, rowsBefore) {
		t.Fatalf("rows changed by the compaction: %d rows, want %d", len(got), len(rowsBefore))
	}
	if n := len(liveFiles(t, fetch, after)); n != 3 {
		t.Fatalf("%d data files after compaction, want 3", n)
	}
	sum := after.Summary
	if sum["operation"] != "replace" || sum["ccetl.operation"] != "compact" || sum["ccetl.run-id"] != "run-4" ||
		sum["ccetl.final"] != "true" || sum["ccetl.run-key"] != before.Summary["ccetl.run-key"] || sum["added-records"] != "120" {
		t.Fatalf("compaction summary: %v", sum)
	}
	// the snapshot before still reads as it was
	if got := sortedRows(t, fetch, before); !slices.Equal(got, rowsBefore) {
		t.Fatal("the snapshot before the compaction changed")
	}
	// nothing left to do
	if tc := compactLake(t, url, app, 128<<20); tc.Snapshot != 0 || tc.FilesRemoved != 0 {
		t.Fatalf("second compaction: %+v", tc)
	}
}

func TestCompactAppendedTable(t *testing.T) {
	dir := t.TempDir()
	checkCompactAppends(t, "iceberg://"+dir, nil, localFetch, func(table string) string {
		return sqliteLocation(t, filepath.Join(dir, "catalog.db"), table)
	})
}

func TestCompactPostgresCatalog(t *testing.T) {
	dsn := needEnv(t, "CCETL_TEST_POSTGRES_URL", "postgres.sh")
	name := uniqueName(t)
	checkCompactAppends(t, "iceberg://"+t.TempDir(), map[string]string{"catalog": "postgres", "catalog_uri": dsn, "catalog_name": name},
		localFetch, func(table string) string { return pgLocationNS(t, dsn, name, table) })
}

func TestCompactS3Warehouse(t *testing.T) {
	fetch, opts, prefix := s3Fetch(t)
	catFile := filepath.Join(t.TempDir(), "catalog.db")
	opts["catalog_uri"] = catFile
	checkCompactAppends(t, "iceberg+s3://"+prefix, opts, fetch, func(table string) string {
		return sqliteLocationNS(t, catFile, table)
	})
}

// runCheckpointed writes each rows in turn, with a checkpoint after each
// (several files per input and day, as an API pull makes), and closes.
func runCheckpointed(t *testing.T, url string, opts map[string]string, runID string, rs ...rows) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := open(t, url, opts, runID)
	var inputs []pipeline.InputInfo
	for _, r := range rs {
		inputs = append(inputs, write(t, s, mem, r)...)
		if _, err := s.Checkpoint(context.Background(), pipeline.RunInfo{RunID: runID, Kind: "test", Inputs: inputs}); err != nil {
			s.Abort(context.Background())
			t.Fatal(err)
		}
	}
	if _, err := s.Close(context.Background(), pipeline.RunInfo{RunID: runID, Kind: "test", Inputs: inputs}); err != nil {
		s.Abort(context.Background())
		t.Fatal(err)
	}
}

// In replace mode an input's files are merged only with the same input's,
// so a rerun of the input still replaces its rows after a compaction.
func TestCompactReplaceKeepsInputs(t *testing.T) {
	dir := t.TempDir()
	url := "iceberg://" + dir
	runCheckpointed(t, url, nil, "run-1", rows{"a.csv", 0, 100, base}, rows{"a.csv", 100, 200, base},
		rows{"b.csv", 200, 250, base}, rows{"b.csv", 250, 300, base})
	_, before := current(t, dir)
	rowsBefore := sortedRows(t, localFetch, before)
	n := len(liveFiles(t, localFetch, before))
	if n <= 6 {
		t.Fatalf("%d data files: the test needs several files per input and day", n)
	}
	tc := compactLake(t, url, nil, 128<<20)
	_, after := current(t, dir)
	if got := sortedRows(t, localFetch, after); !slices.Equal(got, rowsBefore) {
		t.Fatal("rows changed by the compaction")
	}
	if got := len(liveFiles(t, localFetch, after)); got != 6 || tc.FilesAdded != 6 || tc.FilesRemoved != n {
		t.Fatalf("%d data files after compaction (%+v), want one per input and day: 6", got, tc)
	}
	// input a again, 50 rows: its 200 go, b's 100 stay
	runOnce(t, url, nil, "run-2", rows{"a.csv", 0, 50, base.Add(time.Hour)})
	_, snap := current(t, dir)
	if got := ids(t, readRows(t, localFetch, snap, "id")); len(got) != 150 {
		t.Fatalf("after rerunning a: %d rows, want 150", len(got))
	}
}

// referenced lists the data files every snapshot of the table lists.
func referenced(t *testing.T, m tableMeta) map[string]bool {
	out := map[string]bool{}
	for _, s := range m.Snapshots {
		for _, f := range liveFiles(t, localFetch, s) {
			out[strings.TrimPrefix(f.Path, "file://")] = true
		}
	}
	return out
}

// A run commits after the compaction wrote its files and before it
// commits: the compaction is staged again on the run's snapshot. An
// appending run leaves the compaction whole; a run replacing an input's
// files makes the compaction drop that input's rewrite (its files go).
func TestCompactRacingCommit(t *testing.T) {
	dir := t.TempDir()
	url := "iceberg://" + dir
	runCheckpointed(t, url, nil, "run-1", rows{"a.csv", 0, 100, base}, rows{"a.csv", 100, 200, base},
		rows{"b.csv", 200, 250, base}, rows{"b.csv", 250, 300, base})
	var attempts []int
	res, err := iceberg.CompactBeforeCommit(context.Background(), pipeline.SinkConfig{URL: url}, pipeline.CompactOptions{TargetFileBytes: 128 << 20},
		func(table string, attempt int) {
			attempts = append(attempts, attempt)
			if attempt == 1 { // c.csv lands in between
				runOnce(t, url, nil, "run-2", rows{"c.csv", 300, 330, base})
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	m, snap := current(t, dir)
	tc := res.Tables[0]
	if !slices.Equal(attempts, []int{1, 2}) || tc.Snapshot != snap.ID || tc.FilesAdded != 6 {
		t.Fatalf("attempts %v, compaction %+v, current %d", attempts, tc, snap.ID)
	}
	if got := ids(t, readRows(t, localFetch, snap, "id")); len(got) != 330 {
		t.Fatalf("%d rows after the compaction and run-2, want 330", len(got))
	}
	if snap.Summary["ccetl.run-id"] != "run-2" || snap.Summary["ccetl.operation"] != "compact" {
		t.Errorf("the compaction on run-2's snapshot carries %v", snap.Summary)
	}
	if got, want := sortedRows(t, localFetch, snap), sortedRows(t, localFetch, *m.snapshot(*snap.Parent)); !slices.Equal(got, want) {
		t.Error("the compaction changed rows")
	}

	// now input a is rerun in between: its group goes, b's and c's stay
	runCheckpointed(t, url, nil, "run-3", rows{"a.csv", 0, 60, base.Add(time.Hour)}, rows{"a.csv", 60, 120, base.Add(time.Hour)},
		rows{"d.csv", 400, 440, base}, rows{"d.csv", 440, 480, base})
	onDisk := dataFiles(t, dir)
	res, err = iceberg.CompactBeforeCommit(context.Background(), pipeline.SinkConfig{URL: url}, pipeline.CompactOptions{TargetFileBytes: 128 << 20},
		func(table string, attempt int) {
			if attempt == 1 {
				runOnce(t, url, nil, "run-4", rows{"a.csv", 0, 90, base.Add(2 * time.Hour)})
			}
		})
	if err != nil {
		t.Fatal(err)
	}
	tc = res.Tables[0]
	if tc.Snapshot == 0 || len(tc.Skipped) == 0 || !strings.Contains(strings.Join(tc.Skipped, "\n"), "concurrent commit") {
		t.Fatalf("compaction after a's rerun: %+v", tc)
	}
	m, snap = current(t, dir)
	rs := readRows(t, localFetch, snap, "id", "updated_at")
	if got := ids(t, rs); len(got) != 90+100+30+80 {
		t.Fatalf("%d rows, want 300", len(got))
	}
	for _, r := range rs {
		if r["id"] < "c00200" && r["updated_at"] != base.Add(2*time.Hour).Format("2006-01-02T15:04:05.000Z") {
			t.Fatalf("row %s of input a from an earlier run", r["id"])
		}
	}
	// every data file on disk is one a snapshot lists, or was there before
	refs := referenced(t, m)
	for p := range dataFiles(t, dir) {
		if !refs[p] && !onDisk[p] {
			t.Errorf("file left by the compaction: %s", p)
		}
	}
}

// Compactions and runs at the same time: every run's rows land once, and
// a compaction either lands or fails leaving no file behind. In append
// mode the runs add inputs; in replace mode they rerun inputs whose files
// the compactions are merging.
func TestCompactConcurrentRuns(t *testing.T) {
	for _, mode := range []string{"append", "replace"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			url := "iceberg://" + dir
			opts := map[string]string{"mode": mode}
			// two files per input and day: work for every compaction
			for i := 1; i <= 4; i++ {
				in := fmt.Sprintf("r%d.csv", i)
				runCheckpointed(t, url, opts, "setup-"+in, rows{in, i * 100, i*100 + 50, base}, rows{in, i*100 + 50, i*100 + 100, base})
			}
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			var mu sync.Mutex
			compacted := 0
			for i := 1; i <= 4; i++ {
				wg.Add(2)
				go func() {
					defer wg.Done()
					mem := memory.NewGoAllocator()
					in := fmt.Sprintf("r%d.csv", i)
					if mode == "append" {
						in = fmt.Sprintf("n%d.csv", i)
					}
					s, err := iceberg.Open(context.Background(), pipeline.SinkConfig{URL: url, Tables: []pipeline.Table{contacts},
						RunKey: in, Options: opts}, nil)
					if err != nil {
						errs <- err
						return
					}
					// reruns write ids 1000+: 60 of them in place of the input's 100
					inputs := write(t, s, mem, rows{in, 1000 + i*100, 1000 + i*100 + 60, base.Add(time.Hour)})
					if _, err := s.Close(context.Background(), pipeline.RunInfo{RunID: "run-" + in, Kind: "test", Inputs: inputs}); err != nil {
						s.Abort(context.Background())
						errs <- fmt.Errorf("run %s: %w", in, err)
					}
				}()
				go func() {
					defer wg.Done()
					res, err := iceberg.Compact(context.Background(), pipeline.SinkConfig{URL: url, Options: opts}, nil,
						pipeline.CompactOptions{TargetFileBytes: 128 << 20})
					if err != nil {
						t.Logf("a compaction failed: %v", err)
						return
					}
					if res.Tables[0].Snapshot != 0 {
						mu.Lock()
						compacted++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if compacted == 0 && mode == "append" { // reruns may take every file from under a compaction
				t.Error("no compaction landed")
			}
			m, snap := current(t, dir)
			want := 4*100 + 4*60 // append: the setup's rows and the new inputs'
			if mode == "replace" {
				want = 4 * 60 // every input rerun
			}
			got := ids(t, readRows(t, localFetch, snap, "id"))
			if len(got) != want {
				t.Fatalf("%d rows, want %d", len(got), want)
			}
			if mode == "replace" && got[0] < "c01000" {
				t.Fatalf("row %s of a replaced run is still there", got[0])
			}
			refs := referenced(t, m)
			for p := range dataFiles(t, dir) {
				if !refs[p] {
					t.Errorf("data file no snapshot lists: %s", p)
				}
			}
		})
	}
}

// A compaction between two checkpoints of a run merges files the run
// committed; the run's next commit of the same input keeps them.
func TestCompactDuringCheckpointedRun(t *testing.T) {
	dir := t.TempDir()
	url := "iceberg://" + dir
	runOnce(t, url, nil, "run-0", rows{"w1", 0, 50, base}) // an earlier run of w1: replaced
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := open(t, url, nil, "pull")
	var inputs []pipeline.InputInfo
	for _, r := range []rows{{"w1", 100, 200, base}, {"w1", 200, 300, base}} {
		write(t, s, mem, r)
		if _, err := s.Checkpoint(context.Background(), pipeline.RunInfo{RunID: "pull-1", Kind: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	tc := compactLake(t, url, nil, 128<<20)
	if tc.FilesRemoved != 6 || tc.FilesAdded != 3 {
		t.Fatalf("compaction during the run: %+v", tc)
	}
	inputs = append(inputs, write(t, s, mem, rows{"w1", 300, 340, base})...)
	if _, err := s.Close(context.Background(), pipeline.RunInfo{RunID: "pull-1", Kind: "test", Inputs: inputs}); err != nil {
		t.Fatal(err)
	}
	_, snap := current(t, dir)
	got := ids(t, readRows(t, localFetch, snap, "id"))
	if len(got) != 240 || got[0] != "c00100" {
		t.Fatalf("%d rows from %v, want the run's 240 from c00100", len(got), got[:min(1, len(got))])
	}
	// a rerun of w1 replaces them all, compacted or not
	runOnce(t, url, nil, "run-2", rows{"w1", 0, 10, base})
	_, snap = current(t, dir)
	if got := ids(t, readRows(t, localFetch, snap, "id")); len(got) != 10 {
		t.Fatalf("after a rerun of w1: %d rows, want 10", len(got))
	}
}

// A run rerunning an input opened the table before a compaction merged
// that input's files and commits after it: its commit, made on the files
// it saw, is staged again on the compacted ones, and replaces them.
func TestRunCommitsAfterCompaction(t *testing.T) {
	dir := t.TempDir()
	url := "iceberg://" + dir
	runCheckpointed(t, url, nil, "run-1", rows{"a.csv", 0, 50, base}, rows{"a.csv", 50, 100, base},
		rows{"b.csv", 100, 150, base}, rows{"b.csv", 150, 200, base})
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := open(t, url, nil, "rerun")
	inputs := write(t, s, mem, rows{"a.csv", 0, 30, base.Add(time.Hour)})
	if tc := compactLake(t, url, nil, 128<<20); tc.FilesRemoved != 12 || tc.FilesAdded != 6 {
		t.Fatalf("compaction: %+v", tc)
	}
	if _, err := s.Close(context.Background(), pipeline.RunInfo{RunID: "run-2", Kind: "test", Inputs: inputs}); err != nil {
		s.Abort(context.Background())
		t.Fatalf("the rerun's commit after the compaction: %v", err)
	}
	_, snap := current(t, dir)
	rs := readRows(t, localFetch, snap, "id", "updated_at")
	if got := ids(t, rs); len(got) != 30+100 {
		t.Fatalf("%d rows, want 130", len(got))
	}
	for _, r := range rs {
		if r["id"] < "c00100" && r["updated_at"] != base.Add(time.Hour).Format("2006-01-02T15:04:05.000Z") {
			t.Fatalf("row %s of input a's earlier run survived the rerun", r["id"])
		}
	}
}

// A merge table's small files are merged across inputs; a later merge run
// still replaces the keys it writes again.
func TestCompactMergeTable(t *testing.T) {
	dir := t.TempDir()
	url := "iceberg://" + dir
	merge := map[string]string{"mode": "merge", "key": "contacts=id"}
	t1, t2 := base.Add(time.Hour), base.Add(2*time.Hour)
	runOnce(t, url, merge, "run-1", rows{"w1", 0, 60, t1})
	runOnce(t, url, merge, "run-2", rows{"w2", 60, 120, t1})
	_, before := current(t, dir)
	rowsBefore := sortedRows(t, localFetch, before)
	tc := compactLake(t, url, merge, 128<<20)
	if tc.FilesRemoved != 6 || tc.FilesAdded != 3 {
		t.Fatalf("compaction: %+v", tc)
	}
	_, after := current(t, dir)
	if got := sortedRows(t, localFetch, after); !slices.Equal(got, rowsBefore) {
		t.Fatal("rows changed by the compaction")
	}
	runOnce(t, url, merge, "run-3", rows{"w3", 50, 70, t2})
	_, snap := current(t, dir)
	rs := readRows(t, localFetch, snap, "id", "updated_at")
	if got := ids(t, rs); len(got) != 120 {
		t.Fatalf("%d rows after the merge, want 120", len(got))
	}
	for _, r := range rs {
		want := t1
		if r["id"] >= "c00050" && r["id"] < "c00070" {
			want = t2
		}
		if r["updated_at"] != want.Format("2006-01-02T15:04:05.000Z") {
			t.Fatalf("row %s updated_at %s, want %s", r["id"], r["updated_at"], want)
		}
	}
}

// The catalog refuses the compaction's commit: it fails, the table is as
// it was, and its new files are gone.
func TestCompactCatalogFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	url := "iceberg://" + dir
	app := map[string]string{"mode": "append"}
	runOnce(t, url, app, "run-1", rows{"a.csv", 0, 60, base})
	runOnce(t, url, app, "run-2", rows{"b.csv", 60, 120, base})
	_, before := current(t, dir)
	rowsBefore := sortedRows(t, localFetch, before)
	filesBefore := dataFiles(t, dir)
	db, err := sql.Open("sqlite", filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER refuse BEFORE UPDATE ON iceberg_tables BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}
	_, err = iceberg.Compact(context.Background(), pipeline.SinkConfig{URL: url, Options: app}, nil, pipeline.CompactOptions{TargetFileBytes: 128 << 20})
	if err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("compaction with a refusing catalog: %v", err)
	}
	_, after := current(t, dir)
	if after.ID != before.ID || !slices.Equal(sortedRows(t, localFetch, after), rowsBefore) {
		t.Fatalf("the table moved to %d", after.ID)
	}
	if got := dataFiles(t, dir); len(got) != len(filesBefore) {
		t.Fatalf("%d data files on disk, want the %d there before", len(got), len(filesBefore))
	}
}
