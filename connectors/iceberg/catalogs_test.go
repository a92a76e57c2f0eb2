package iceberg_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/ccetl/ccetl/connectors/iceberg/internal/restcat"
)

// The catalog and warehouse tests run against real servers: PostgreSQL
// started by `eval "$(bash .ci/postgres.sh start)"` and the S3-compatible
// server started by `eval "$(bash .ci/s3server.sh start)"`. Without them
// they skip, except under CI=true, where they fail.

func needEnv(t *testing.T, name, script string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; CI must run: eval \"$(bash .ci/%s start)\"", name, script)
		}
		t.Skipf("no %s; run: eval \"$(bash .ci/%s start)\"", name, script)
	}
	return v
}

func uniqueName(t *testing.T) string {
	b := make([]byte, 4)
	rand.Read(b)
	return strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-")) + "-" + hex.EncodeToString(b)
}

// s3Fetch reads s3:// locations from the test server.
func s3Fetch(t *testing.T) (fetcher, map[string]string, string) {
	endpoint := needEnv(t, "CCETL_TEST_S3_ENDPOINT", "s3server.sh")
	bucket := os.Getenv("CCETL_TEST_S3_BUCKET")
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(os.Getenv("CCETL_TEST_S3_ACCESS_KEY"), os.Getenv("CCETL_TEST_S3_SECRET_KEY"), "")})
	ctx := context.Background()
	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &bucket}); err != nil {
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
			t.Fatalf("create bucket %s: %v", bucket, err)
		}
	}
	opts := map[string]string{"endpoint": endpoint, "region": "us-east-1", "path_style": "true",
		"access_key_id": os.Getenv("CCETL_TEST_S3_ACCESS_KEY"), "secret_access_key": os.Getenv("CCETL_TEST_S3_SECRET_KEY")}
	fetch := func(loc string) ([]byte, error) {
		u, err := url.Parse(loc)
		if err != nil {
			return nil, err
		}
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(u.Host), Key: aws.String(strings.TrimPrefix(u.Path, "/"))})
		if err != nil {
			return nil, err
		}
		defer out.Body.Close()
		return io.ReadAll(out.Body)
	}
	return fetch, opts, bucket + "/t/" + uniqueName(t)
}

// checkRerunAndMerge runs the replace and merge scenarios against one
// catalog and warehouse, reading back with fetch through locate.
func checkRerunAndMerge(t *testing.T, url string, opts map[string]string, fetch fetcher, locate func(table string) string) {
	t1, t2 := base.Add(time.Hour), base.Add(24*time.Hour)
	runOnce(t, url, opts, "run-1", rows{"a.csv", 0, 100, t1}, rows{"b.csv", 100, 150, t1})
	runOnce(t, url, opts, "run-2", rows{"a.csv", 0, 80, t2})
	m := readMeta(t, fetch, locate(contacts.Name))
	h := m.history()
	if len(h) != 2 || h[1].Summary["ccetl.run-id"] != "run-2" {
		t.Fatalf("history: %+v", h)
	}
	if got := ids(t, readRows(t, fetch, h[1], "id")); len(got) != 130 {
		t.Fatalf("after the rerun: %d rows, want 130", len(got))
	}
	if got := ids(t, readRows(t, fetch, h[0], "id")); len(got) != 150 {
		t.Fatalf("first snapshot: %d rows, want 150", len(got))
	}

	merge := map[string]string{"mode": "merge", "key": "contacts=id"}
	for k, v := range opts {
		merge[k] = v
	}
	merge["namespace"] = "merged"
	runOnce(t, url, merge, "run-3", rows{"w1", 0, 100, t1})
	runOnce(t, url, merge, "run-4", rows{"w2", 60, 120, t2})
	m = readMeta(t, fetch, locate("merged:"+contacts.Name))
	rs := readRows(t, fetch, *m.snapshot(*m.Current), "id", "updated_at")
	if got := ids(t, rs); len(got) != 120 {
		t.Fatalf("after merge: %d rows, want 120", len(got))
	}
	for _, r := range rs {
		if want := map[bool]time.Time{true: t2, false: t1}[r["id"] >= "c00060"]; r["updated_at"] != want.Format("2006-01-02T15:04:05.000Z") {
			t.Fatalf("row %s: updated_at %s, want %s", r["id"], r["updated_at"], want)
		}
	}
}

func TestPostgresCatalog(t *testing.T) {
	dsn := needEnv(t, "CCETL_TEST_POSTGRES_URL", "postgres.sh")
	dir := t.TempDir()
	name := uniqueName(t)
	opts := map[string]string{"catalog": "postgres", "catalog_uri": dsn, "catalog_name": name}
	checkRerunAndMerge(t, "iceberg://"+dir, opts, localFetch, func(table string) string {
		return pgLocationNS(t, dsn, name, table)
	})
	if _, err := os.Stat(filepath.Join(dir, "catalog.db")); err == nil {
		t.Error("a SQLite catalog file was made although the catalog is PostgreSQL")
	}
}

func TestS3WarehouseSQLiteCatalog(t *testing.T) {
	fetch, opts, prefix := s3Fetch(t)
	catFile := filepath.Join(t.TempDir(), "catalog.db")
	opts["catalog_uri"] = catFile
	checkRerunAndMerge(t, "iceberg+s3://"+prefix, opts, fetch, func(table string) string {
		return sqliteLocationNS(t, catFile, table)
	})
}

func TestS3WarehousePostgresCatalog(t *testing.T) {
	dsn := needEnv(t, "CCETL_TEST_POSTGRES_URL", "postgres.sh")
	fetch, opts, prefix := s3Fetch(t)
	name := uniqueName(t)
	opts["catalog"], opts["catalog_uri"], opts["catalog_name"] = "postgres", dsn, name
	checkRerunAndMerge(t, "iceberg+s3://"+prefix, opts, fetch, func(table string) string {
		return pgLocationNS(t, dsn, name, table)
	})
}

// TestRESTCatalog runs the scenarios through an Iceberg REST catalog with
// OAuth2 client credentials, a warehouse parameter and a prefix from the
// catalog's config, as Lakekeeper and Polaris serve them.
func TestRESTCatalog(t *testing.T) {
	srv := startREST(t, restcat.Config{ClientID: restClientID, ClientSecret: restClientSecret,
		Warehouse: "lake", Prefix: "wh-0a1b"})
	dir := t.TempDir()
	opts := restClient(srv, "lake")
	checkRerunAndMerge(t, "iceberg://"+dir, opts, localFetch, restLocate(t, srv))
	restResume(t, "iceberg://"+dir, opts)
	checkScopes(t, srv)
	if _, err := os.Stat(filepath.Join(dir, "catalog.db")); err == nil {
		t.Error("a SQLite catalog file was made although the catalog is REST")
	}
}

// TestS3WarehouseRESTCatalog keeps the tables in S3 with the REST catalog,
// the client reaching S3 only with the credentials the catalog vends with
// each table.
func TestS3WarehouseRESTCatalog(t *testing.T) {
	fetch, s3opts, prefix := s3Fetch(t)
	awsEnv(t, "", "") // no keys but the vended ones
	vended := s3Vended(s3opts)
	srv := startREST(t, restcat.Config{ClientID: restClientID, ClientSecret: restClientSecret,
		Warehouse: "lake", Location: "s3://" + prefix, IOProps: vended, TableConfig: vended})
	opts := restClient(srv, "lake")
	opts["endpoint"], opts["path_style"] = s3opts["endpoint"], "true"
	checkRerunAndMerge(t, "iceberg+s3://"+prefix, opts, fetch, restLocate(t, srv))
	checkScopes(t, srv)
}

// splitNS reads "namespace:table" (namespace ccetl when absent).
func splitNS(table string) (string, string) {
	if ns, tb, ok := strings.Cut(table, ":"); ok {
		return ns, tb
	}
	return "ccetl", table
}

func pgLocationNS(t *testing.T, dsn, catalogName, table string) string {
	t.Helper()
	ns, tb := splitNS(table)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var loc string
	err = db.QueryRow(`SELECT metadata_location FROM iceberg_tables WHERE catalog_name = $1 AND table_namespace = $2 AND table_name = $3`,
		catalogName, ns, tb).Scan(&loc)
	if err != nil {
		t.Fatalf("postgres catalog %s: table %s: %v", catalogName, table, err)
	}
	return loc
}

func sqliteLocationNS(t *testing.T, file, table string) string {
	t.Helper()
	ns, tb := splitNS(table)
	db, err := sql.Open("sqlite", file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var loc string
	err = db.QueryRow(`SELECT metadata_location FROM iceberg_tables WHERE table_namespace = ? AND table_name = ?`, ns, tb).Scan(&loc)
	if err != nil {
		t.Fatalf("catalog %s: table %s: %v", file, table, err)
	}
	return loc
}
