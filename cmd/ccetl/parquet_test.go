package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRepartitionALake reads a lake's table with the parquet kind and
// writes it again partitioned by month: the same rows, month folders.
func TestRepartitionALake(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if code, _, stderr := call(t, "convert", "--kind", "whit", "--out", a, filepath.Join(repoRoot(t), "configs/samples/whit")); code != exitOK {
		t.Fatal(stderr)
	}
	code, _, stderr := call(t, "convert", "--kind", "parquet", "--out", b, "--sink-opt", "partition=month", a)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want, got := lakeRows(t, a), lakeRows(t, b)
	if len(want["cal_service_interval_history"]) != 4 || strings.Join(want["cal_service_interval_history"], "\n") != strings.Join(got["cal_service_interval_history"], "\n") {
		t.Fatalf("copied rows differ:\n%v\n%v", got, want)
	}
	months, _ := filepath.Glob(filepath.Join(b, "cal_service_interval_history", "month=2024-05", "*.parquet"))
	if len(months) == 0 {
		t.Fatal("no month partition")
	}
	if code, r := lakeCheck(t, b); code != exitOK || len(r.Problems) != 0 {
		t.Fatalf("lake check of the copy: %+v", r)
	}
}

// TestParquetFromS3 reads a table of a lake on S3 with ranged reads.
func TestParquetFromS3(t *testing.T) {
	bucket := s3Env(t)
	url := fmt.Sprintf("s3://%s/parquet-src-%d", bucket, time.Now().UnixNano())
	if code, _, stderr := call(t, "convert", "--kind", "whit", "--out", url, filepath.Join(repoRoot(t), "configs/samples/whit")); code != exitOK {
		t.Fatal(stderr)
	}
	out := t.TempDir()
	code, _, stderr := call(t, "convert", "--kind", "parquet", "--out", out, "--opt", "where=dt >= 2024-05-02", url+"/cal_service_interval_history")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if rows := lakeRows(t, out)["cal_service_interval_history"]; len(rows) != 1 || !strings.Contains(rows[0], "2024-05-02") {
		t.Fatalf("rows %v, want the one of 2024-05-02", rows)
	}
	// the S3 lake's manifests say how the table is partitioned, as a local lake's do
	if days, _ := filepath.Glob(filepath.Join(out, "cal_service_interval_history", "dt=2024-05-02", "*.parquet")); len(days) != 1 {
		t.Fatalf("the copy of an S3 lake's table is not partitioned by day: %v", days)
	}
}
