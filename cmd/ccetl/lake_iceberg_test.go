package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hamba/avro/v2/ocf"
	_ "modernc.org/sqlite"
)

// The Iceberg tests read tables back without iceberg-go: the catalog row
// with SQL, the metadata JSON by hand, manifest lists and manifests with a
// separate Avro library, data files with arrow-go's Parquet reader.

const whitTable = "cal_service_interval_history"

type icebergSnap struct {
	ID           int64             `json:"snapshot-id"`
	ManifestList string            `json:"manifest-list"`
	Summary      map[string]string `json:"summary"`
}

type icebergMeta struct {
	Current   *int64        `json:"current-snapshot-id"`
	Snapshots []icebergSnap `json:"snapshots"`
}

func localPath(loc string) string {
	if u, err := url.Parse(loc); err == nil && u.Scheme == "file" {
		return u.Path
	}
	return loc
}

// icebergCurrent reads a table's metadata and current snapshot from a
// local warehouse with a SQLite catalog.
func icebergCurrent(t *testing.T, wh, table string) (icebergMeta, icebergSnap) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(wh, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var loc string
	if err := db.QueryRow(`SELECT metadata_location FROM iceberg_tables WHERE table_name = ?`, table).Scan(&loc); err != nil {
		t.Fatalf("catalog: table %s: %v", table, err)
	}
	raw, err := os.ReadFile(localPath(loc))
	if err != nil {
		t.Fatal(err)
	}
	var m icebergMeta
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m.Current == nil {
		t.Fatalf("table %s has no snapshot", table)
	}
	for _, s := range m.Snapshots {
		if s.ID == *m.Current {
			return m, s
		}
	}
	t.Fatalf("table %s: current snapshot %d not listed", table, *m.Current)
	return m, icebergSnap{}
}

func readAvroFile(t *testing.T, loc string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(localPath(loc))
	if err != nil {
		t.Fatal(err)
	}
	dec, err := ocf.NewDecoder(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", loc, err)
	}
	var out []map[string]any
	for dec.HasNext() {
		var rec map[string]any
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("%s: %v", loc, err)
		}
		out = append(out, rec)
	}
	return out
}

// snapFiles lists the local paths of a snapshot's live data files.
func snapFiles(t *testing.T, s icebergSnap) []string {
	t.Helper()
	var out []string
	for _, mf := range readAvroFile(t, s.ManifestList) {
		for _, e := range readAvroFile(t, mf["manifest_path"].(string)) {
			if st, _ := e["status"].(int); st == 2 {
				continue
			}
			out = append(out, localPath(e["data_file"].(map[string]any)["file_path"].(string)))
		}
	}
	sort.Strings(out)
	return out
}

// snapRows renders every row of a snapshot's data files, sorted.
func snapRows(t *testing.T, s icebergSnap) []string {
	t.Helper()
	var out []string
	for _, p := range snapFiles(t, s) {
		out = append(out, parquetRows(t, p)...)
	}
	sort.Strings(out)
	return out
}

// convertIceberg converts inputs into the warehouse and returns the run
// id its snapshot carries.
func convertIceberg(t *testing.T, wh string, sinkOpts []string, inputs ...string) string {
	t.Helper()
	args := []string{"convert", "--kind", "whit", "--json", "--out", "iceberg://" + wh}
	for _, o := range sinkOpts {
		args = append(args, "--sink-opt", o)
	}
	code, stdout, stderr := call(t, append(args, inputs...)...)
	if code != exitOK {
		t.Fatalf("convert: exit %d: %s", code, stderr)
	}
	var s struct {
		Steps []struct {
			RunID string `json:"run_id"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(stdout), &s); err != nil || len(s.Steps) != 1 || s.Steps[0].RunID == "" {
		t.Fatalf("convert summary: %v\n%s", err, stdout)
	}
	return s.Steps[0].RunID
}

type compactJSON struct {
	Tables []struct {
		Table        string   `json:"table"`
		Snapshot     int64    `json:"snapshot"`
		Partitions   int      `json:"partitions"`
		FilesRemoved int      `json:"files_removed"`
		FilesAdded   int      `json:"files_added"`
		Rows         int64    `json:"rows"`
		Skipped      []string `json:"skipped"`
	} `json:"tables"`
}

func TestLakeCompactIceberg(t *testing.T) {
	dir := t.TempDir()
	a, b := whitFiles(t, dir, 8, 3)
	wh := filepath.Join(dir, "wh")
	app := []string{"mode=append"}
	convertIceberg(t, wh, app, a)
	convertIceberg(t, wh, app, b)
	last := convertIceberg(t, wh, app, a)
	_, before := icebergCurrent(t, wh, whitTable)
	rowsBefore := snapRows(t, before)
	if len(rowsBefore) != 72 || len(snapFiles(t, before)) != 9 {
		t.Fatalf("before: %d rows in %d files, want 72 in 9", len(rowsBefore), len(snapFiles(t, before)))
	}
	code, stdout, stderr := call(t, "lake", "compact", "--json", "--sink-opt", "mode=append", "--target-file-size", "64MB", "iceberg://"+wh)
	if code != exitOK {
		t.Fatalf("lake compact: exit %d: %s", code, stderr)
	}
	var res compactJSON
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(res.Tables) != 1 || res.Tables[0].FilesRemoved != 9 || res.Tables[0].FilesAdded != 3 || res.Tables[0].Rows != 72 {
		t.Fatalf("lake compact: %s", stdout)
	}
	_, after := icebergCurrent(t, wh, whitTable)
	if after.ID != res.Tables[0].Snapshot || after.Summary["ccetl.operation"] != "compact" || after.Summary["ccetl.run-id"] != last {
		t.Fatalf("current snapshot %d %v, compaction says %d", after.ID, after.Summary, res.Tables[0].Snapshot)
	}
	if got := snapRows(t, after); !slices.Equal(got, rowsBefore) {
		t.Fatalf("rows changed by the compaction: %d, want %d", len(got), len(rowsBefore))
	}
	if n := len(snapFiles(t, after)); n != 3 {
		t.Fatalf("%d files after compaction, want 3", n)
	}
	// text output, nothing left to do
	code, stdout, _ = call(t, "lake", "compact", "--table", whitTable, "iceberg://"+wh)
	if code != exitOK || stdout != whitTable+": nothing to compact\n" {
		t.Fatalf("second compaction: exit %d: %q", code, stdout)
	}
}

func TestLakeMaintenanceUsage(t *testing.T) {
	dir := t.TempDir()
	a, _ := whitFiles(t, dir, 2, 1)
	out := filepath.Join(dir, "out")
	if code, _, stderr := call(t, "convert", "--kind", "whit", "--out", out, a); code != exitOK {
		t.Fatal(stderr)
	}
	wh := filepath.Join(dir, "wh")
	convertIceberg(t, wh, nil, a)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"lake", "compact", out}, "compaction is not supported for"},
		{[]string{"lake", "expire", out}, "snapshot expiry is not supported for"},
		{[]string{"lake", "expire", "--retain-last", "0", "iceberg://" + wh}, "--retain-last"},
		{[]string{"lake", "expire", "--older-than", "soon", "iceberg://" + wh}, "--older-than"},
		{[]string{"lake", "compact", "--target-file-size", "big", "iceberg://" + wh}, "--target-file-size"},
		{[]string{"lake", "compact", "--sink-opt", "colour=red", "iceberg://" + wh}, "unknown option"},
		{[]string{"lake", "compact"}, "exactly one lake"},
		{[]string{"lake", "shrink", "iceberg://" + wh}, "lake compact"},
	} {
		code, _, stderr := call(t, c.args...)
		if code != exitConfig || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", c.args, code, stderr, exitConfig, c.want)
		}
	}
	if code, _, stderr := call(t, "lake", "compact", "--table", "nosuch", "iceberg://"+wh); code != exitFailed || !strings.Contains(stderr, "no table nosuch") {
		t.Errorf("compact of a missing table: exit %d %s", code, stderr)
	}
	if code, _, stderr := call(t, "lake", "expire", "iceberg://"+filepath.Join(dir, "nowhere")); code != exitFailed || !strings.Contains(stderr, "no catalog") {
		t.Errorf("expire of a missing warehouse: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "nowhere")); !os.IsNotExist(err) {
		t.Error("expire made a warehouse")
	}
}

func TestLakeExpireIceberg(t *testing.T) {
	dir := t.TempDir()
	a, b := whitFiles(t, dir, 8, 3)
	wh := filepath.Join(dir, "wh")
	convertIceberg(t, wh, nil, a, b)
	m, first := icebergCurrent(t, wh, whitTable)
	firstFiles := snapFiles(t, first)
	convertIceberg(t, wh, nil, a) // replaces a's three files
	_, cur := icebergCurrent(t, wh, whitTable)
	live := map[string]bool{}
	for _, p := range snapFiles(t, cur) {
		live[p] = true
	}
	var gone []string
	for _, p := range firstFiles {
		if !live[p] {
			gone = append(gone, p)
		}
	}
	if len(gone) != 3 || len(m.Snapshots) != 1 {
		t.Fatalf("%d of the first run's files replaced, want 3", len(gone))
	}
	// a week: nothing is that old
	code, stdout, stderr := call(t, "lake", "expire", "iceberg://"+wh)
	if code != exitOK || stdout != whitTable+": 0 snapshots expired, 2 kept; 0 data files and 0 metadata files deleted\n" {
		t.Fatalf("lake expire: exit %d %q %s", code, stdout, stderr)
	}
	code, stdout, stderr = call(t, "lake", "expire", "--json", "--older-than", "0s", "iceberg://"+wh)
	if code != exitOK {
		t.Fatalf("lake expire: exit %d %s", code, stderr)
	}
	var res struct {
		Tables []struct {
			Expired int `json:"snapshots_expired"`
			Kept    int `json:"snapshots_kept"`
			Data    int `json:"data_files_deleted"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(res.Tables) != 1 || res.Tables[0].Expired != 1 || res.Tables[0].Kept != 1 || res.Tables[0].Data != 3 {
		t.Fatalf("lake expire: %s", stdout)
	}
	for _, p := range gone {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("replaced file %s still there (%v)", p, err)
		}
	}
	for p := range live {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("current file %s: %v", p, err)
		}
	}
	m, now := icebergCurrent(t, wh, whitTable)
	if now.ID != cur.ID || len(m.Snapshots) != 1 || len(snapRows(t, now)) != 48 {
		t.Fatalf("after expiry: current %d, %d snapshots, %d rows", now.ID, len(m.Snapshots), len(snapRows(t, now)))
	}
}
