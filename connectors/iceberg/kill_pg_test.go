package iceberg_test

import (
	"bufio"
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

// TestKillDuringCatalogCommit kills (SIGKILL) a run inside its catalog
// commit: the data files and the new metadata file are written and the
// catalog's UPDATE is waiting (a PostgreSQL trigger holds it). The killed
// connection's transaction never commits, so the table stays at its
// snapshot; the rerun commits every row once.
func TestKillDuringCatalogCommit(t *testing.T) {
	if dir := os.Getenv("CCETL_ICEBERG_PGKILL_DIR"); dir != "" {
		pgKillChild(t, dir, os.Getenv("CCETL_ICEBERG_PGKILL_NAME"))
		return
	}
	dsn := needEnv(t, "CCETL_TEST_POSTGRES_URL", "postgres.sh")
	dir := t.TempDir()
	name := uniqueName(t)
	opts := map[string]string{"catalog": "postgres", "catalog_uri": dsn, "catalog_name": name}
	runOnce(t, "iceberg://"+dir, opts, "run-1", rows{"a.csv", 0, 100, base})
	locate := func() string { return pgLocationNS(t, dsn, name, contacts.Name) }
	loc1 := locate()

	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fn := "hold_" + strings.ReplaceAll(name, "-", "_")
	for _, q := range []string{
		`CREATE FUNCTION ` + fn + `() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(60); RETURN NEW; END $$`,
		`CREATE TRIGGER ` + fn + ` BEFORE UPDATE ON iceberg_tables FOR EACH ROW WHEN (OLD.catalog_name = '` + name + `') EXECUTE FUNCTION ` + fn + `()`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	dropped := false
	drop := func() {
		if !dropped {
			dropped = true
			db.Exec(`DROP TRIGGER ` + fn + ` ON iceberg_tables`)
			db.Exec(`DROP FUNCTION ` + fn + `()`)
		}
	}
	defer drop()

	metaDir := filepath.Join(dir, "ccetl.db", contacts.Name, "metadata")
	before, _ := filepath.Glob(filepath.Join(metaDir, "*.metadata.json"))
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillDuringCatalogCommit$")
	cmd.Env = append(os.Environ(), "CCETL_ICEBERG_PGKILL_DIR="+dir, "CCETL_ICEBERG_PGKILL_NAME="+name)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "committing" {
	}
	// wait until the child's UPDATE is held by the trigger
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int
		db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'UPDATE%iceberg_tables%' AND state = 'active'`).Scan(&n)
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child's catalog commit never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
	after, _ := filepath.Glob(filepath.Join(metaDir, "*.metadata.json"))
	if len(after) <= len(before) {
		t.Fatalf("no new metadata file before the catalog commit (%d, %d)", len(before), len(after))
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	// PostgreSQL notices the closed connection when the held statement
	// next talks to the client; end the orphaned backend now instead of
	// after the trigger's sleep
	db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'UPDATE%iceberg_tables%' AND state = 'active'`)
	drop()

	if loc := locate(); loc != loc1 {
		t.Fatalf("the killed commit moved the table to %s", loc)
	}
	m := readMeta(t, localFetch, loc1)
	if got := ids(t, readRows(t, localFetch, *m.snapshot(*m.Current), "id")); len(got) != 100 {
		t.Fatalf("%d rows visible after the kill, want 100", len(got))
	}
	runOnce(t, "iceberg://"+dir, opts, "run-3", rows{"a.csv", 0, 100, base.Add(time.Hour)}, rows{"b.csv", 100, 160, base})
	m = readMeta(t, localFetch, locate())
	if got := ids(t, readRows(t, localFetch, *m.snapshot(*m.Current), "id")); len(got) != 160 {
		t.Fatalf("after the rerun: %d rows, want 160", len(got))
	}
}

// pgKillChild writes a run and commits it; the parent kills it during the
// commit.
func pgKillChild(t *testing.T, dir, name string) {
	opts := map[string]string{"catalog": "postgres", "catalog_uri": os.Getenv("CCETL_TEST_POSTGRES_URL"), "catalog_name": name}
	s := open(t, "iceberg://"+dir, opts, "rk")
	inputs := write(t, s, memory.NewGoAllocator(), rows{"a.csv", 0, 100, base.Add(time.Hour)}, rows{"b.csv", 100, 160, base})
	os.Stdout.WriteString("committing\n")
	s.Close(t.Context(), pipeline.RunInfo{RunID: "run-2", Inputs: inputs})
	time.Sleep(time.Minute)
}
