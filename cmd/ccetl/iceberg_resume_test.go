package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/maestroqa/maestroqatest"
)

// TestIcebergRunResumesFromTheSnapshotCursors pulls MaestroQA sessions
// into an append-mode Iceberg table in three runs, and puts the job state
// back to where it was before the second run once that run has committed:
// the state a kill between the sink's commit and the state's save leaves.
// The third run resumes from the cursors in the table's last snapshot, so
// it does not pull the second run's days again: every session is in the
// table once. Resuming from the job state would append them twice.
func TestIcebergRunResumesFromTheSnapshotCursors(t *testing.T) {
	emu := maestroqatest.New(t, maestroqatest.Config{NoLimits: true})
	emu.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 40, First: time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC), Every: 24 * time.Hour}))
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	os.WriteFile(tok, []byte(emu.Token()), 0o600)
	wh, stateDir := filepath.Join(dir, "warehouse"), filepath.Join(dir, "state")
	job := func(name, window string) string {
		p := filepath.Join(dir, name+".yaml")
		os.WriteFile(p, []byte(fmt.Sprintf("name: mqa-iceberg\nstate: %s\nsources:\n  - kind: maestroqa-coaching-api\n    options:\n"+
			"      base_url: %s\n      api_token_file: %s\n      window_days: \"1\"\n      repull_days: \"0\"\n      rate_limit: 1000/1s\n%s"+
			"sink:\n  url: iceberg://%s\n  options: {mode: append}\n", stateDir, emu.URL(), tok, window, wh)), 0o644)
		return p
	}
	run := func(path string) string {
		t.Helper()
		code, stdout, stderr := call(t, "run", "--log-format", "json", path)
		if code != exitOK {
			t.Fatalf("run %s: exit %d: %s %s", path, code, stdout, stderr)
		}
		return stderr
	}
	sessions := func() int {
		t.Helper()
		_, cur := icebergCurrent(t, wh, "mqa_coaching_session")
		return len(snapRows(t, cur))
	}
	run(job("first", "      start: \"2024-01-01\"\n      end: \"2024-01-11\"\n"))
	if n := sessions(); n != 10 {
		t.Fatalf("%d sessions after the first run, want 10", n)
	}
	before := copyDir(t, stateDir)
	second := job("second", "      end: \"2024-01-21\"\n")
	run(second)
	if n := sessions(); n != 20 {
		t.Fatalf("%d sessions after the second run, want 20", n)
	}
	// the second run's state is lost, as if it was killed after the
	// table's commit and before the state's
	os.RemoveAll(stateDir)
	if err := os.CopyFS(stateDir, os.DirFS(before)); err != nil {
		t.Fatal(err)
	}
	log := run(job("third", "      end: \"2024-01-31\"\n"))
	if !strings.Contains(log, "resuming from the cursors of the sink's last commit") {
		t.Errorf("the third run did not say it resumed from the table's cursors:\n%s", log)
	}
	if n := sessions(); n != 30 {
		t.Fatalf("%d sessions after the third run, want 30 (each once)", n)
	}
	rows := map[string]int{}
	_, cur := icebergCurrent(t, wh, "mqa_coaching_session")
	for _, r := range snapRows(t, cur) {
		rows[r]++
	}
	for r, n := range rows {
		if n != 1 {
			t.Errorf("row %s is in the table %d times", r, n)
		}
	}
	// a fourth run finds the state and the table agreeing, and goes on
	// from there
	log = run(job("fourth", "      end: \"2024-02-05\"\n"))
	if strings.Contains(log, "resuming from the cursors of the sink's last commit") {
		t.Errorf("the fourth run resumed from the table although the state had caught up")
	}
	if n := sessions(); n != 35 {
		t.Fatalf("%d sessions after the fourth run, want 35", n)
	}
	// after `ccetl state reset` the table's cursors do not come back: the
	// next run starts from its configured start
	fifth := job("fifth", "      start: \"2024-02-01\"\n      end: \"2024-02-03\"\n")
	if code, stdout, stderr := call(t, "state", "reset", "--yes", fifth); code != exitOK {
		t.Fatalf("state reset: exit %d: %s %s", code, stdout, stderr)
	}
	if log := run(fifth); strings.Contains(log, "resuming from the cursors of the sink's last commit") {
		t.Errorf("the run after a reset resumed from the table's cursors:\n%s", log)
	}
}

// copyDir copies a directory to a new temporary one and returns it.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}
