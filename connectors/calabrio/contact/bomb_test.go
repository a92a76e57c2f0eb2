package contact

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload/uploadtest"
)

// zerosZip writes an archive holding the one-row metadata and x.wav of n
// zero bytes, streamed through the compressor: a zip bomb of ratio ~1000.
func zerosZip(t *testing.T, path string, n int64) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, _ := zw.Create("c.csv")
	io.WriteString(w, oneRow)
	w, _ = zw.Create("x.wav")
	if _, err := io.CopyN(w, zeroReader{}, n); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// declareSize rewrites the central directory's uncompressed size of
// member in the archive at path, as a forged archive would.
func declareSize(t *testing.T, path, member string, size uint32) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := bytes.Index(b, []byte("PK\x01\x02")); i >= 0; {
		if n := binary.LittleEndian.Uint16(b[i+28:]); string(b[i+46:i+46+int(n)]) == member {
			binary.LittleEndian.PutUint32(b[i+24:], size)
		}
		j := bytes.Index(b[i+4:], []byte("PK\x01\x02"))
		if j < 0 {
			break
		}
		i += 4 + j
	}
	os.WriteFile(path, b, 0o644)
}

// nothingWritten fails when the lake holds any data, media or manifest.
func nothingWritten(t *testing.T, out string) {
	t.Helper()
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.Contains(p, ".ccetl-staging") {
			t.Errorf("a refused upload left %s", p)
		}
		return nil
	})
}

// TestZipBombsRefusedBeforeWriting: every bound refuses its archive from
// the central directory, with an error naming the archive, the member and
// the option, before anything is decompressed or written.
func TestZipBombsRefusedBeforeWriting(t *testing.T) {
	wav := uploadtest.WAV(1, 50)
	for _, tc := range []struct {
		name  string
		build func(t *testing.T, dir string) []string
		opts  map[string]string
		err   string
	}{
		{"zeros expanding 1000:1", func(t *testing.T, dir string) []string {
			return []string{zerosZip(t, filepath.Join(dir, "bomb.zip"), 64<<20)}
		}, nil, "bomb.zip: member x.wav expands"},
		{"a member declaring 3 GiB", func(t *testing.T, dir string) []string {
			p := uploadtest.Zip(t, filepath.Join(dir, "huge.zip"), uploadtest.Member{Name: "c.csv", Data: []byte(oneRow)},
				uploadtest.Member{Name: "x.wav", Data: wav})
			declareSize(t, p, "x.wav", 3<<30)
			return []string{p}
		}, nil, "huge.zip: member x.wav is 3221225472 bytes uncompressed, over the limit of 2147483648 (max_member_bytes)"},
		{"a ZIP inside the ZIP", func(t *testing.T, dir string) []string {
			inner := uploadtest.Zip(t, filepath.Join(dir, "inner.zip"), uploadtest.Member{Name: "x.wav", Data: wav})
			data, _ := os.ReadFile(inner)
			return []string{uploadtest.Zip(t, filepath.Join(dir, "outer.zip"), uploadtest.Member{Name: "c.csv", Data: []byte(oneRow)},
				uploadtest.Member{Name: "deeper/inner.zip", Data: data})}
		}, nil, "member deeper/inner.zip is a ZIP inside a ZIP, which is not accepted (nested_zips)"},
		{"too many members", func(t *testing.T, dir string) []string {
			ms := []uploadtest.Member{{Name: "c.csv", Data: []byte(oneRow)}}
			for i := range 11 {
				ms = append(ms, uploadtest.Member{Name: strings.Repeat("y", i+1) + ".wav", Data: wav})
			}
			return []string{uploadtest.Zip(t, filepath.Join(dir, "many.zip"), ms...)}
		}, map[string]string{"max_zip_entries": "10"}, "many.zip: more than 10 members (max_zip_entries)"},
		{"members too large together", func(t *testing.T, dir string) []string {
			a := uploadtest.Zip(t, filepath.Join(dir, "a.zip"), uploadtest.Member{Name: "c.csv", Data: []byte(oneRow)},
				uploadtest.Member{Name: "x.wav", Data: noise(700 << 10)})
			b := uploadtest.Zip(t, filepath.Join(dir, "b.zip"), uploadtest.Member{Name: "y.wav", Data: noise(700 << 10)})
			return []string{a, b}
		}, map[string]string{"max_zip_bytes": "1048576"}, "more than 1048576 bytes uncompressed (max_zip_bytes)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, out, err := uploadtest.Run(t, Kind(), tc.opts, tc.build(t, t.TempDir())...)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("got %v, want an error containing %q", err, tc.err)
			}
			nothingWritten(t, out)
		})
	}
}

// noise is n bytes a compressor cannot shrink, like a real recording.
func noise(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// A real recording of several MiB passes the default limits.
func TestLargeRecordingWithinLimits(t *testing.T) {
	dir := t.TempDir()
	p := uploadtest.Zip(t, filepath.Join(dir, "ok.zip"), uploadtest.Member{Name: "c.csv", Data: []byte(oneRow)},
		uploadtest.Member{Name: "x.wav", Data: append(uploadtest.WAV(1, 50), noise(3<<20)...)})
	if _, _, err := uploadtest.Run(t, Kind(), nil, p); err != nil {
		t.Fatal(err)
	}
}

func TestLimitOptions(t *testing.T) {
	_, err := ParseOptions(map[string]string{"max_zip_ratio": "0.5", "max_zip_entries": "none", "nested_zips": "maybe"})
	for _, w := range []string{"max_zip_ratio", "max_zip_entries", "nested_zips"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not name %s", err, w)
		}
	}
}
