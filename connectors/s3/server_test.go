package s3

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	mathrand "math/rand/v2"
	"os"
	"regexp"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ccetl/ccetl/connectors/internal/lake"
	"github.com/ccetl/ccetl/pipeline"
)

// The integration tests run against a real S3-compatible server, started by
// `eval "$(.ci/s3server.sh start)"`. Without one they skip, except under
// CI=true, where they fail.

// testConfig returns a config for the test server under a prefix of its own.
func testConfig(t testing.TB) Config {
	t.Helper()
	endpoint := os.Getenv("CCETL_TEST_S3_ENDPOINT")
	if endpoint == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CCETL_TEST_S3_ENDPOINT is not set; CI must run: eval \"$(.ci/s3server.sh start)\"")
		}
		t.Skip("no S3 test server; run: eval \"$(.ci/s3server.sh start)\"")
	}
	return serverConfig(t, endpoint)
}

// serverConfig is a config for the server at endpoint with the test keys
// and bucket, under a fresh prefix named after the test. It creates the
// bucket if needed.
func serverConfig(t testing.TB, endpoint string) Config {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Endpoint = endpoint
	cfg.PathStyle = true
	cfg.Region = "us-east-1"
	cfg.AccessKeyID = pipeline.NewSecret(os.Getenv("CCETL_TEST_S3_ACCESS_KEY"))
	cfg.SecretAccessKey = pipeline.NewSecret(os.Getenv("CCETL_TEST_S3_SECRET_KEY"))
	cfg.Bucket = os.Getenv("CCETL_TEST_S3_BUCKET")
	cfg.Prefix = "t/" + regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(t.Name(), "-") + "-" + randomHex(4)
	ensureBucket(t, cfg)
	return cfg
}

var bucketsMade sync.Map // endpoint/bucket -> true

func ensureBucket(t testing.TB, cfg Config) {
	t.Helper()
	id := cfg.Endpoint + "/" + cfg.Bucket
	if _, ok := bucketsMade.Load(id); ok {
		return
	}
	c := testClient(t, cfg)
	_, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(cfg.Bucket)})
	if code, _ := errorCode(err); err != nil && code != "BucketAlreadyOwnedByYou" && code != "BucketAlreadyExists" {
		t.Fatalf("create test bucket: %v", err)
	}
	bucketsMade.Store(id, true)
}

// testClient is a plain client on cfg's server, for checks behind a Store's
// back.
func testClient(t testing.TB, cfg Config) *s3.Client {
	t.Helper()
	b, err := newBucket(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b.client
}

// newTestStore returns a store on cfg and removes what is under its prefix
// when the test ends.
func newTestStore(t testing.TB, cfg Config) *Store {
	t.Helper()
	s, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := s.List(context.Background(), ""); err != nil {
			return // the server is gone (fault tests)
		}
		if err := s.Delete(context.Background(), listKeys(t, s, "")...); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return s
}

// listKeys lists the keys under prefix.
func listKeys(t testing.TB, st lake.Store, prefix string) []string {
	t.Helper()
	infos, err := st.List(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range infos {
		keys = append(keys, o.Key)
	}
	return keys
}

// uploads lists the multipart uploads in progress under cfg's prefix.
func uploads(t testing.TB, cfg Config) []string {
	t.Helper()
	out, err := testClient(t, cfg).ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{
		Bucket: aws.String(cfg.Bucket), Prefix: aws.String(cfg.Prefix + "/"),
	})
	if err != nil {
		t.Fatalf("list uploads: %v", err)
	}
	var keys []string
	for _, u := range out.Uploads {
		keys = append(keys, aws.ToString(u.Key))
	}
	return keys
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// data is a reproducible stream of n pseudo-random bytes.
func data(seed uint64, n int64) io.Reader {
	return io.LimitReader(mathrand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}), n)
}

func sum(r io.Reader) string {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "error: " + err.Error()
	}
	return hex.EncodeToString(h.Sum(nil))
}

// readAll reads a visible object's checksum, or fails.
func objectSum(t testing.TB, s *Store, key string) string {
	t.Helper()
	r, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer r.Close()
	return sum(r)
}

// put writes, closes and commits one object from r.
func put(t testing.TB, s *Store, key string, r io.Reader) {
	t.Helper()
	ctx := context.Background()
	w, err := s.Create(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, r); err != nil {
		t.Fatalf("write %s: %v", key, errors.Join(err, w.Abort(ctx)))
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close %s: %v", key, err)
	}
	if err := w.Commit(ctx); err != nil {
		t.Fatalf("commit %s: %v", key, err)
	}
}
