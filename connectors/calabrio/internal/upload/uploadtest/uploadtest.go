// Package uploadtest is test support for the Calabrio upload kinds: it
// builds ZIP archives and WAV-like recordings, runs a kind end to end into
// a local lake, and compares output with golden files.
package uploadtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/klauspost/compress/zip"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/pipeline"
)

// WAV returns a small, valid PCM WAV file of n samples whose content
// depends on seed, so two recordings differ.
func WAV(seed byte, n int) []byte {
	var b bytes.Buffer
	data := make([]byte, 2*n)
	for i := range data {
		data[i] = seed + byte(i*7)
	}
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+len(data)))
	b.WriteString("WAVEfmt ")
	binary.Write(&b, binary.LittleEndian, []any{uint32(16), uint16(1), uint16(1), uint32(8000), uint32(16000), uint16(2), uint16(16)})
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

// Member is one ZIP entry.
type Member struct {
	Name string
	Data []byte
}

// Zip writes a ZIP archive at path holding members in order (deflated).
func Zip(t testing.TB, path string, members ...Member) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		w, err := zw.Create(m.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(m.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Run is lakecheck.Run (a local lake, a checked allocator that must end at
// zero), kept for the upload kinds' tests. It returns the result, the
// output folder and the run error.
func Run(t testing.TB, kind pipeline.Kind, opts map[string]string, inputs ...string) (pipeline.Result, string, error) {
	t.Helper()
	return lakecheck.Run(t, kind, opts, "", inputs...)
}

// MustRun is Run that fails the test on a run error.
func MustRun(t testing.TB, kind pipeline.Kind, opts map[string]string, inputs ...string) (pipeline.Result, string) {
	t.Helper()
	res, out, err := Run(t, kind, opts, inputs...)
	if err != nil {
		t.Fatalf("run %s: %v", kind.Name, err)
	}
	return res, out
}

// The run key (upload_id, the folder of stored files) depends on the
// absolute input paths of a test run.
var (
	mediaRunKey = regexp.MustCompile(`media/[0-9a-f]{16}/`)
	uploadID    = regexp.MustCompile(`"upload_id": "[0-9a-f]{16}"`)
)

// Golden compares v, as indented JSON, with the golden file at path, or
// rewrites the file when update is set. The run key, in upload_id and
// stored-file paths, is replaced by "<run>".
func Golden(t testing.TB, path string, v any, update bool) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = mediaRunKey.ReplaceAll(got, []byte("media/<run>/"))
	got = append(uploadID.ReplaceAll(got, []byte(`"upload_id": "<run>"`)), '\n')
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (go test -update rewrites it):\n--- got\n%s", path, got)
	}
}

// Sorted orders rows read back from a lake by the given columns: files come
// back in path order, and paths hold input keys that depend on where a
// test's inputs are.
func Sorted(rows []map[string]any, cols ...string) []map[string]any {
	sort.SliceStable(rows, func(i, j int) bool {
		for _, c := range cols {
			a, b := fmt.Sprint(rows[i][c]), fmt.Sprint(rows[j][c])
			if a != b {
				return a < b
			}
		}
		return false
	})
	return rows
}

// Read opens kind over inputs with the default batch policy and reads
// every batch without writing Parquet: what a decoder benchmark measures.
// Files the source copies are hashed and dropped (a local store would
// fsync each). It returns the rows read over all tables.
func Read(kind pipeline.Kind, opts map[string]string, inputs ...string) (int64, error) {
	ctx := context.Background()
	src, err := kind.Open(ctx, pipeline.SourceConfig{Kind: kind.Name, Inputs: inputs, Options: opts,
		Policy: pipeline.DefaultBatchPolicy(), Mem: memory.DefaultAllocator})
	if err != nil {
		return 0, err
	}
	defer src.Close()
	if u, ok := src.Source.(pipeline.FileStoreUser); ok {
		u.UseFileStore(hashStore{})
	}
	var n int64
	for {
		b, err := src.Next(ctx)
		if errors.Is(err, pipeline.ErrEndOfInput) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n += b.RowsRead
		b.Release()
	}
}

// hashStore is a pipeline.FileStore that hashes files and keeps nothing.
type hashStore struct{}

func (hashStore) PutFile(_ context.Context, rel string, r pipeline.FileReader) (pipeline.FileRef, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	return pipeline.FileRef{Path: "media/" + rel, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, err
}

// Seeds adds the contents of files to a fuzz target's corpus.
func Seeds(f *testing.F, files ...string) {
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}
