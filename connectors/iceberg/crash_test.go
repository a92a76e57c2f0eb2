package iceberg_test

import (
	"bufio"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
)

// dataFiles lists the Parquet files under a local warehouse.
func dataFiles(t *testing.T, dir string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".parquet") {
			out[p] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCatalogCommitFailureLeavesNothing makes the catalog refuse the swap to
// the new metadata (after the data files and the metadata file are written):
// the table stays at its snapshot and the run's data files are removed.
func TestCatalogCommitFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, "iceberg://"+dir, nil, "run-1", rows{"a.csv", 0, 100, base})
	before := dataFiles(t, dir)
	_, snap1 := current(t, dir)

	db, err := sql.Open("sqlite", filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER refuse BEFORE UPDATE ON iceberg_tables BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := open(t, "iceberg://"+dir, nil, "rk")
	inputs := write(t, s, mem, rows{"a.csv", 0, 50, base.Add(time.Hour)}, rows{"c.csv", 200, 300, base})
	_, err = s.Close(context.Background(), pipeline.RunInfo{RunID: "run-2", Kind: "test", Inputs: inputs})
	if err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("close with a refusing catalog: %v", err)
	}
	if err := s.Abort(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, snap := current(t, dir)
	if snap.ID != snap1.ID {
		t.Fatalf("current snapshot moved to %d", snap.ID)
	}
	if got := ids(t, readRows(t, localFetch, snap, "id")); len(got) != 100 {
		t.Fatalf("%d rows visible, want 100", len(got))
	}
	after := dataFiles(t, dir)
	for p := range after {
		if !before[p] {
			t.Errorf("data file of the failed commit left behind: %s", p)
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d data files before, %d after", len(before), len(after))
	}
}

func TestAbortRemovesWrittenFiles(t *testing.T) {
	dir := t.TempDir()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	s := open(t, "iceberg://"+dir, nil, "rk")
	write(t, s, mem, rows{"a.csv", 0, 100, base}, rows{"b.csv", 100, 200, base}, rows{"c.csv", 200, 300, base},
		rows{"d.csv", 300, 400, base}, rows{"e.csv", 400, 500, base}) // more inputs than open writers
	if len(dataFiles(t, dir)) == 0 {
		t.Fatal("no data file written before the commit")
	}
	if err := s.Abort(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f := dataFiles(t, dir); len(f) != 0 {
		t.Errorf("abort left %d data files", len(f))
	}
	m := readMeta(t, localFetch, sqliteLocation(t, filepath.Join(dir, "catalog.db"), contacts.Name))
	if m.Current != nil {
		t.Errorf("aborted run made snapshot %d", *m.Current)
	}
}

// TestKillBeforeCommit kills (SIGKILL) a process that wrote data files and
// has not committed: nothing it wrote is visible, and a rerun commits
// every row once.
func TestKillBeforeCommit(t *testing.T) {
	if dir := os.Getenv("CCETL_ICEBERG_KILL_DIR"); dir != "" {
		killChild(t, dir)
		return
	}
	dir := t.TempDir()
	runOnce(t, "iceberg://"+dir, nil, "run-1", rows{"a.csv", 0, 100, base})
	_, snap1 := current(t, dir)
	before := dataFiles(t, dir)

	cmd := exec.Command(os.Args[0], "-test.run=^TestKillBeforeCommit$")
	cmd.Env = append(os.Environ(), "CCETL_ICEBERG_KILL_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	ready := false
	for sc.Scan() {
		if sc.Text() == "written" {
			ready = true
			break
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if !ready {
		t.Fatal("child did not write")
	}
	if len(dataFiles(t, dir)) <= len(before) {
		t.Fatal("the killed child wrote no data file")
	}
	_, snap := current(t, dir)
	if snap.ID != snap1.ID {
		t.Fatalf("killed run moved the table to snapshot %d", snap.ID)
	}
	if got := ids(t, readRows(t, localFetch, snap, "id")); len(got) != 100 {
		t.Fatalf("%d rows visible after the kill, want 100", len(got))
	}
	// the rerun of the killed run's inputs commits each row once
	runOnce(t, "iceberg://"+dir, nil, "run-3", rows{"a.csv", 0, 100, base.Add(time.Hour)}, rows{"b.csv", 100, 160, base})
	_, snap = current(t, dir)
	if got := ids(t, readRows(t, localFetch, snap, "id")); len(got) != 160 {
		t.Fatalf("after the rerun: %d rows, want 160", len(got))
	}
}

// killChild writes a run's data files, says so and waits to be killed.
func killChild(t *testing.T, dir string) {
	mem := memory.NewGoAllocator()
	s := open(t, "iceberg://"+dir, nil, "rk")
	write(t, s, mem, rows{"a.csv", 0, 100, base.Add(time.Hour)}, rows{"b.csv", 100, 160, base})
	// finish the data files without committing: a checkpoint of nothing
	// would commit, so flush by opening more inputs than writers stay open
	write(t, s, mem, rows{"c.csv", 1000, 1001, base}, rows{"d.csv", 1001, 1002, base}, rows{"e.csv", 1002, 1003, base},
		rows{"f.csv", 1003, 1004, base})
	os.Stdout.WriteString("written\n")
	time.Sleep(time.Minute)
}

// TestConcurrentWriters commits two runs of different inputs to one table
// at once: both land (the loser of the catalog race retries on the new
// metadata), each row once.
func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	runOnce(t, "iceberg://"+dir, nil, "setup", rows{"z.csv", 900, 901, base}) // the table exists
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	a := open(t, "iceberg://"+dir, nil, "ra")
	b := open(t, "iceberg://"+dir, nil, "rb")
	ina := write(t, a, mem, rows{"a.csv", 0, 100, base})
	inb := write(t, b, mem, rows{"b.csv", 100, 200, base})
	errs := make(chan error, 2)
	go func() {
		_, err := a.Close(context.Background(), pipeline.RunInfo{RunID: "A", Inputs: ina})
		errs <- err
	}()
	go func() {
		_, err := b.Close(context.Background(), pipeline.RunInfo{RunID: "B", Inputs: inb})
		errs <- err
	}()
	failed := 0
	for range 2 {
		if err := <-errs; err != nil {
			t.Logf("one writer failed: %v", err)
			failed++
		}
	}
	_, snap := current(t, dir)
	got := ids(t, readRows(t, localFetch, snap, "id"))
	if want := 201 - 100*failed; len(got) != want {
		t.Fatalf("%d rows after two concurrent runs (%d failed), want %d", len(got), failed, want)
	}
	if failed > 0 {
		a.Abort(context.Background())
		b.Abort(context.Background())
		t.Errorf("%d of two concurrent commits failed; the catalog race should be retried", failed)
	}
}
