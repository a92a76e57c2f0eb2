package iceberg_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A source's content files (recordings) go into the warehouse under
// media/<run key>/, where the rows name them, on a local disk and in S3.
func TestPutFileStoresMediaInTheWarehouse(t *testing.T) {
	body := strings.Repeat("RIFF....WAVEfmt ", 4096)
	sum := sha256.Sum256([]byte(body))
	check := func(t *testing.T, url string, opts map[string]string, read func(key string) ([]byte, error)) {
		s := open(t, url, opts, "run-key-1")
		defer s.Abort(context.Background())
		ref, err := s.PutFile(context.Background(), "2024/05/call 1.wav", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if ref.Path != "media/run-key-1/2024/05/call 1.wav" || ref.Bytes != int64(len(body)) || ref.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("ref %+v", ref)
		}
		got, err := read(ref.Path)
		if err != nil || string(got) != body {
			t.Fatalf("stored %d bytes (%v), want the %d copied", len(got), err, len(body))
		}
		for _, bad := range []string{"../escape.wav", "/abs.wav", ".."} {
			if _, err := s.PutFile(context.Background(), bad, strings.NewReader("x")); err == nil || !strings.Contains(err.Error(), "escapes") {
				t.Errorf("PutFile(%q): %v, want an error saying it escapes the output", bad, err)
			}
		}
	}
	t.Run("local", func(t *testing.T) {
		dir := t.TempDir()
		check(t, "iceberg://"+dir, nil, func(key string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, key)) })
	})
	t.Run("s3", func(t *testing.T) {
		fetch, opts, prefix := s3Fetch(t)
		opts["catalog_uri"] = filepath.Join(t.TempDir(), "catalog.db")
		check(t, "iceberg+s3://"+prefix, opts, func(key string) ([]byte, error) { return fetch("s3://" + prefix + "/" + key) })
	})
}
