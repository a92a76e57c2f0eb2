package s3

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/connectors/internal/lake"
	"github.com/ccetl/ccetl/pipeline"
)

var eventsTable = pipeline.Table{
	Name: "events",
	Schema: arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
	}, nil),
	PartitionBy: "day",
}

// runSink writes ids [0, n), ten per day, from one input through the S3
// sink and commits.
func runSink(t *testing.T, url string, opts map[string]string, getenv func(string) string, n int) pipeline.CommitResult {
	t.Helper()
	ctx := context.Background()
	kind := SinkKind(getenv)
	if err := kind.Validate(opts); err != nil {
		t.Fatal(err)
	}
	const input = "s3://in/events.csv"
	sink, err := kind.Open(ctx, pipeline.SinkConfig{
		URL: url, Tables: []pipeline.Table{eventsTable}, RunKey: pipeline.RunKey("test", []string{input}), Options: opts,
	})
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, eventsTable.Schema)
	defer b.Release()
	for i := range n {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.Date32Builder).Append(arrow.Date32(19000 + i/10))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := sink.Write(ctx, pipeline.Batch{Table: "events", Rec: rec, Input: input, RowsRead: int64(n)}); err != nil {
		t.Fatal(err)
	}
	res, err := sink.Close(ctx, pipeline.RunInfo{RunID: "r", Kind: "test", Inputs: []pipeline.InputInfo{{Name: input}}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSinkWritesLakeAndRerunReplaces(t *testing.T) {
	cfg := testConfig(t)
	s := newTestStore(t, cfg)
	ctx := context.Background()
	// The convert case: no options; settings from the environment and
	// keys from the SDK's default chain.
	env := map[string]string{
		"AWS_ENDPOINT_URL_S3": cfg.Endpoint, "AWS_REGION": "us-east-1", EnvPathStyle: "true",
		EnvPartSize: "5MiB",
	}
	t.Setenv("AWS_ACCESS_KEY_ID", os.Getenv("CCETL_TEST_S3_ACCESS_KEY"))
	t.Setenv("AWS_SECRET_ACCESS_KEY", os.Getenv("CCETL_TEST_S3_SECRET_KEY"))
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	var opts map[string]string
	getenv := func(k string) string { return env[k] }

	res := runSink(t, cfg.URL(), opts, getenv, 30)
	if got := res.Tables["events"]; got.Rows != 30 || len(got.Files) != 3 || got.Manifest == "" {
		t.Fatalf("first run committed %+v, want 30 rows in 3 day files and a manifest", got)
	}
	first := listKeys(t, s, "")
	for _, f := range res.Tables["events"].Files {
		r, err := s.Open(ctx, f.Path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		if !bytes.HasPrefix(b, []byte("PAR1")) || !bytes.HasSuffix(b, []byte("PAR1")) || int64(len(b)) != f.Bytes {
			t.Fatalf("%s: %d bytes, not the %d-byte Parquet file committed", f.Path, len(b), f.Bytes)
		}
	}

	// Rerun of the same input with fewer days: the third day's file goes.
	res = runSink(t, cfg.URL(), opts, getenv, 20)
	if got := res.Tables["events"]; got.Rows != 20 || len(got.Files) != 2 {
		t.Fatalf("rerun committed %+v, want 20 rows in 2 files", got)
	}
	second := listKeys(t, s, "")
	if len(second) != len(first)-1 {
		t.Fatalf("after the rerun:\n%v\nwant the first run's objects but one:\n%v", second, first)
	}
	r, err := s.Open(ctx, res.Tables["events"].Manifest)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var m lake.Manifest
	if err := json.NewDecoder(r).Decode(&m); err != nil || m.Rows != 20 || len(m.Files) != 2 {
		t.Fatalf("manifest: %+v, %v", m, err)
	}
	if u := uploads(t, cfg); len(u) != 0 {
		t.Fatalf("uploads left: %v", u)
	}
}

func TestSinkOptionsChecked(t *testing.T) {
	kind := SinkKind(nil)
	err := kind.Validate(map[string]string{"part_size": "1MiB", "sse": "des", "row_group_rows": "-1"})
	for _, want := range []string{"part_size", `sse "des"`, "row_group_rows"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error %v lacks %q", err, want)
		}
	}
	if err := kind.CheckOptions(map[string]string{"endpoint": "x", "file_bytes": "1", "bucket": "b"}); err == nil || !strings.Contains(err.Error(), "bucket") {
		t.Errorf("CheckOptions: %v, want the unknown option bucket", err)
	}
	for _, o := range kind.Options {
		if strings.Contains(o.Name, "key") && o.Name != "sse_kms_key_id" && !o.Secret {
			t.Errorf("option %s is not marked secret", o.Name)
		}
	}
}

// The pipeline writes under a context that ends with the reading, before
// the sink's Close: a file still open then (over a part, so its last part
// is uploaded at Close) is still uploaded and committed.
func TestSinkCommitsAfterTheWritesContextEnds(t *testing.T) {
	cfg := testConfig(t)
	s := newTestStore(t, cfg)
	env := map[string]string{"AWS_ENDPOINT_URL_S3": cfg.Endpoint, "AWS_REGION": "us-east-1", EnvPathStyle: "true", EnvPartSize: "5MiB"}
	t.Setenv("AWS_ACCESS_KEY_ID", os.Getenv("CCETL_TEST_S3_ACCESS_KEY"))
	t.Setenv("AWS_SECRET_ACCESS_KEY", os.Getenv("CCETL_TEST_S3_SECRET_KEY"))
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	kind := SinkKind(func(k string) string { return env[k] })
	const input = "s3://in/events.csv"
	ctx := context.Background()
	sink, err := kind.Open(ctx, pipeline.SinkConfig{URL: cfg.URL(), Tables: []pipeline.Table{eventsTable},
		RunKey: pipeline.RunKey("test", []string{input}), Options: map[string]string{"partition": "none"}})
	if err != nil {
		t.Fatal(err)
	}
	writes, endWrites := context.WithCancel(ctx)
	const n = 1 << 20 // 8 MiB of ids that do not compress: two parts
	b := array.NewRecordBuilder(memory.DefaultAllocator, eventsTable.Schema)
	defer b.Release()
	x := uint64(88172645463325252)
	for i := range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b.Field(0).(*array.Int64Builder).Append(int64(x))
		b.Field(1).(*array.Date32Builder).Append(arrow.Date32(19000 + i%3))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := sink.Write(writes, pipeline.Batch{Table: "events", Rec: rec, Input: input, RowsRead: n}); err != nil {
		t.Fatal(err)
	}
	endWrites()
	res, err := sink.Close(ctx, pipeline.RunInfo{RunID: "r", Kind: "test", Inputs: []pipeline.InputInfo{{Name: input}}})
	if err != nil {
		t.Fatalf("commit after the writes' context ended: %v", err)
	}
	files := res.Tables["events"].Files
	if len(files) != 1 || files[0].Rows != n || files[0].Bytes < 5<<20 {
		t.Fatalf("committed %+v, want one file of %d rows over a part", files, n)
	}
	r, err := s.Open(ctx, files[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(r)
	r.Close()
	if int64(len(data)) != files[0].Bytes || !bytes.HasSuffix(data, []byte("PAR1")) {
		t.Fatalf("%d bytes read back, %d committed", len(data), files[0].Bytes)
	}
}
