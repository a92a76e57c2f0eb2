package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

type inspectTable struct {
	Table     string `json:"table"`
	Snapshots []struct {
		ID          int64  `json:"id"`
		Operation   string `json:"operation"`
		Maintenance string `json:"maintenance"`
		RunID       string `json:"run_id"`
		Kind        string `json:"kind"`
		AddedRows   int64  `json:"added_rows"`
		DeletedRows int64  `json:"deleted_rows"`
		AddedFiles  int64  `json:"added_files"`
		TotalRows   int64  `json:"total_rows"`
		Current     bool   `json:"current"`
	} `json:"snapshots"`
}

func TestInspectIcebergSnapshots(t *testing.T) {
	dir := t.TempDir()
	a, b := whitFiles(t, dir, 8, 3)
	wh := filepath.Join(dir, "wh")
	run1 := convertIceberg(t, wh, nil, a, b)
	run2 := convertIceberg(t, wh, nil, a)
	code, stdout, stderr := call(t, "inspect", "--json", "--table", whitTable, "iceberg://"+wh)
	if code != exitOK {
		t.Fatalf("inspect: exit %d %s", code, stderr)
	}
	var tables []inspectTable
	if err := json.Unmarshal([]byte(stdout), &tables); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(tables) != 1 || tables[0].Table != whitTable || len(tables[0].Snapshots) != 2 {
		t.Fatalf("inspect: %s", stdout)
	}
	s := tables[0].Snapshots
	_, cur := icebergCurrent(t, wh, whitTable)
	if s[0].RunID != run1 || s[0].Operation != "append" || s[0].AddedRows != 48 || s[0].TotalRows != 48 || s[0].AddedFiles != 6 || s[0].Current {
		t.Errorf("first snapshot: %+v (run %s)", s[0], run1)
	}
	if s[1].RunID != run2 || s[1].Operation != "overwrite" || s[1].AddedRows != 24 || s[1].DeletedRows != 24 ||
		s[1].TotalRows != 48 || !s[1].Current || s[1].ID != cur.ID || s[1].Kind != "whit" {
		t.Errorf("second snapshot: %+v (run %s)", s[1], run2)
	}

	// text: one line a snapshot, the current one starred
	code, stdout, _ = call(t, "inspect", "iceberg://"+wh)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != exitOK || !strings.HasPrefix(lines[0], whitTable+": 2 snapshots") || len(lines) != 4 ||
		!strings.Contains(lines[2], run1) || !strings.Contains(lines[3], run2) || !strings.HasPrefix(strings.TrimSpace(lines[3]), "*") {
		t.Fatalf("inspect text: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := call(t, "inspect", "--table", "nosuch", "iceberg://"+wh); code != exitFailed || !strings.Contains(stderr, "no table nosuch") {
		t.Errorf("inspect of a missing table: exit %d %s", code, stderr)
	}
	out := filepath.Join(dir, "out")
	if code, _, stderr := call(t, "convert", "--kind", "whit", "--out", out, a); code != exitOK {
		t.Fatal(stderr)
	}
	if code, _, stderr := call(t, "inspect", "--table", "x", filepath.Join(out, "x.parquet")); code != exitConfig || !strings.Contains(stderr, "--table") {
		t.Errorf("inspect --table of a Parquet file: exit %d %s", code, stderr)
	}
}
