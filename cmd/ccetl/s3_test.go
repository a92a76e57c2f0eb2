package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/s3"
	"github.com/ccetl/ccetl/jobs/state/statetest"
	"github.com/ccetl/ccetl/pipeline"
)

// s3Env points the AWS settings of the process at the test server, or skips
// (fails under CI=true) when there is none.
func s3Env(t *testing.T) (bucket string) {
	t.Helper()
	ep := os.Getenv("CCETL_TEST_S3_ENDPOINT")
	if ep == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but no S3 test server: run .ci/s3server.sh start")
		}
		t.Skip("no S3 test server (eval \"$(bash .ci/s3server.sh start)\")")
	}
	t.Setenv("AWS_ENDPOINT_URL_S3", ep)
	t.Setenv("AWS_ACCESS_KEY_ID", os.Getenv("CCETL_TEST_S3_ACCESS_KEY"))
	t.Setenv("AWS_SECRET_ACCESS_KEY", os.Getenv("CCETL_TEST_S3_SECRET_KEY"))
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("CCETL_S3_PATH_STYLE", "true")
	return os.Getenv("CCETL_TEST_S3_BUCKET")
}

// s3Store opens the test server's objects under an s3:// URL.
func s3Store(t *testing.T, url string) *s3.Store {
	t.Helper()
	cfg, err := s3.ConfigFromEnv(url, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	store, err := s3.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// s3StateStore opens the job-state store under an s3:// URL.
func s3StateStore(t *testing.T, url string) *s3.StateStore {
	t.Helper()
	cfg, err := s3.ConfigFromEnv(url, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s3.NewStateStore(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// s3Download copies object key of store into the file at path.
func s3Download(t *testing.T, store *s3.Store, key, path string) {
	t.Helper()
	rc, err := store.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	os.MkdirAll(filepath.Dir(path), 0o755)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(f, rc); err != nil {
		t.Fatal(err)
	}
}

// TestConvertToS3 converts with --out s3://... and no job file, reruns, and
// reads every object back: the layout matches the local sink's and every
// row is there exactly once.
func TestConvertToS3(t *testing.T) {
	bucket := s3Env(t)
	prefix := fmt.Sprintf("convert-%d", time.Now().UnixNano())
	url := "s3://" + bucket + "/" + prefix
	in := filepath.Join(repoRoot(t), "configs/samples/whit")
	for run := 0; run < 2; run++ {
		code, stdout, stderr := call(t, "convert", "--kind", "whit", "--out", url, "--json", in)
		if code != exitOK {
			t.Fatalf("run %d: exit %d: %s", run, code, stderr)
		}
		var s struct {
			RowsOut int64 `json:"rows_out"`
		}
		json.Unmarshal([]byte(stdout), &s)
		if s.RowsOut != 4 {
			t.Fatalf("rows_out %d", s.RowsOut)
		}
	}
	ctx := context.Background()
	store := s3Store(t, url)
	objs, err := store.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var parquet, manifests int
	rows := 0
	dir := t.TempDir()
	for _, o := range objs {
		switch {
		case strings.HasSuffix(o.Key, ".parquet"):
			if !strings.HasPrefix(o.Key, "cal_service_interval_history/dt=2024-05-0") {
				t.Errorf("unexpected key %s", o.Key)
			}
			parquet++
			local := filepath.Join(dir, fmt.Sprint(parquet, ".parquet"))
			s3Download(t, store, o.Key, local)
			n, err := readAll(local)
			if err != nil {
				t.Fatalf("%s: %v", o.Key, err)
			}
			rows += n
		case strings.HasPrefix(o.Key, "_manifests/"):
			manifests++
		}
	}
	if parquet != 2 || manifests != 1 || rows != 4 {
		t.Errorf("after a rerun: %d parquet objects, %d manifests, %d rows; want 2, 1 and exactly 4 (objects %v)", parquet, manifests, rows, objs)
	}
}

// TestS3StateStoreConformance runs the job-state conformance suite (the one
// the local directory backend passes) against the S3 state store on the real
// server: conditional writes, races, leases, commit conflicts.
func TestS3StateStoreConformance(t *testing.T) {
	bucket := s3Env(t)
	statetest.Run(t, func(t *testing.T) pipeline.StateStore {
		return s3StateStore(t, fmt.Sprintf("s3://%s/state-%d", bucket, time.Now().UnixNano()))
	})
}

// TestS3SourceOnlyNew reads WHIT inputs from S3 (plain objects and a ZIP
// through ranged reads), then reruns with only_new: objects already
// processed at the same ETag are skipped, a new one is taken.
func TestS3SourceOnlyNew(t *testing.T) {
	bucket := s3Env(t)
	ctx := context.Background()
	prefix := fmt.Sprintf("in-%d", time.Now().UnixNano())
	store := s3Store(t, "s3://"+bucket+"/"+prefix)
	put := func(key string, data []byte) {
		w, err := store.Create(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	csv := func(n, svc int) []byte {
		var b strings.Builder
		b.WriteString("serviceNumber,serviceName,date,period,receivedCalls,handledCalls,avgTalkTime,avgACWTime\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "%d,q,2024-05-01,%02d:00,1,1,1,1\n", svc, i%24)
		}
		return []byte(b.String())
	}
	put("drop/a.csv", csv(3, 1))
	var zbuf strings.Builder
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("inner/b.csv")
	w.Write(csv(5, 2))
	zw.Close()
	put("drop/b.zip", []byte(zbuf.String()))

	dir := t.TempDir()
	job := filepath.Join(dir, "job.yaml")
	os.WriteFile(job, []byte(fmt.Sprintf("name: s3-intervals\nsource:\n  kind: whit\n  inputs: [\"s3://%s/%s/drop/**\"]\n  only_new: true\nsink: {url: %s}\n", bucket, prefix, filepath.Join(dir, "out"))), 0o644)
	rowsOut := func() int64 {
		code, stdout, stderr := call(t, "run", "--json", job)
		if code != exitOK {
			t.Fatalf("run: %d %s", code, stderr)
		}
		var s struct {
			RowsOut int64 `json:"rows_out"`
		}
		json.Unmarshal([]byte(stdout), &s)
		return s.RowsOut
	}
	if n := rowsOut(); n != 8 {
		t.Fatalf("first run wrote %d rows, want 8", n)
	}
	if n := rowsOut(); n != 0 {
		t.Fatalf("rerun took already processed objects: %d rows", n)
	}
	put("drop/c.csv", csv(2, 3))
	if n := rowsOut(); n != 2 {
		t.Fatalf("third run wrote %d rows, want only the new object's 2", n)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "out", "cal_service_interval_history", "*", "*.parquet"))
	total := 0
	for _, f := range files {
		n, err := readAll(f)
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if total != 10 {
		t.Errorf("%d rows in the lake, want 10 (each object once)", total)
	}
}
