package contact

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload/uploadtest"
)

// declareSize rewrites the central directory's uncompressed size of
// member in the archive at path, as a forged archive would.
func declareSize(t *testing.T, path, member string, size uint32) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	// Central directory headers: signature PK\1\2, the uncompressed size
	// at offset 24, the name's length at 28, the name at 46.
	for i := bytes.Index(b, []byte("PK\x01\x02")); i >= 0; {
		if n := binary.LittleEndian.Uint16(b[i+28:]); string(b[i+46:i+46+int(n)]) == member {
			binary.LittleEndian.PutUint32(b[i+24:], size)
			found = true
		}
		j := bytes.Index(b[i+4:], []byte("PK\x01\x02"))
		if j < 0 {
			break
		}
		i += 4 + j
	}
	if !found {
		t.Fatalf("no member %s in %s", member, path)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// storedZip writes an archive of members without compression, as a zip
// tool stores ZIPs inside ZIPs.
func storedZip(t *testing.T, path string, members ...uploadtest.Member) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.Name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.Data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// zipBytes is the archive of members, in memory.
func zipBytes(t *testing.T, members ...uploadtest.Member) []byte {
	t.Helper()
	p := uploadtest.Zip(t, filepath.Join(t.TempDir(), "m.zip"), members...)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// nothingWritten fails when the output holds any file at all: no table,
// media, manifest, or staged copy of one.
func nothingWritten(t *testing.T, out string) {
	t.Helper()
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("a refused upload left %s", p)
		}
		return nil
	})
}

var meta = uploadtest.Member{Name: "c.csv", Data: []byte(oneRow)}

// TestZipBombsRefusedBeforeWriting: every bound refuses its archive with
// an error naming the archive, the member and the option, and the run
// leaves no file behind.
func TestZipBombsRefusedBeforeWriting(t *testing.T) {
	wav := uploadtest.WAV(1, 50)
	for _, tc := range []struct {
		name  string
		build func(t *testing.T, dir string) []string
		opts  map[string]string
		err   string
	}{
		{"4 GiB of zeros in a 4 MB archive", func(t *testing.T, dir string) []string {
			return []string{uploadtest.ZerosBomb(t, filepath.Join(dir, "bomb.zip"), "x.wav", 4<<30, meta)}
		}, nil, "bomb.zip: member x.wav is 4294967296 bytes uncompressed, over the limit of 2147483648 (max_member_bytes)"},
		{"4 GiB of zeros, member limit raised", func(t *testing.T, dir string) []string {
			return []string{uploadtest.ZerosBomb(t, filepath.Join(dir, "bomb.zip"), "x.wav", 4<<30, meta)}
		}, map[string]string{"max_member_bytes": "8589934592"}, "bomb.zip: member x.wav expands"},
		{"64 MiB of zeros", func(t *testing.T, dir string) []string {
			return []string{uploadtest.ZerosBomb(t, filepath.Join(dir, "bomb.zip"), "x.wav", 64<<20, meta)}
		}, nil, "a ratio over 200:1 (max_zip_ratio)"},
		{"many members of zeros each under the ratio floor", func(t *testing.T, dir string) []string {
			ms := []uploadtest.Member{meta}
			for i := range 40 {
				ms = append(ms, uploadtest.Member{Name: strings.Repeat("z", i+1) + ".wav", Data: make([]byte, 512<<10)})
			}
			return []string{uploadtest.Zip(t, filepath.Join(dir, "small.zip"), ms...)}
		}, nil, "small.zip: its members up to"},
		{"a member declaring 3 GiB", func(t *testing.T, dir string) []string {
			p := uploadtest.Zip(t, filepath.Join(dir, "huge.zip"), meta, uploadtest.Member{Name: "x.wav", Data: wav})
			declareSize(t, p, "x.wav", 3<<30)
			return []string{p}
		}, nil, "huge.zip: member x.wav is 3221225472 bytes uncompressed, over the limit of 2147483648 (max_member_bytes)"},
		{"a member declaring 100 bytes that inflates to 4 MiB", func(t *testing.T, dir string) []string {
			return []string{lyingZip(t, filepath.Join(dir, "liar.zip"))}
		}, nil, "member x.wav: its data does not match the 100 bytes and checksum its archive declares"},
		{"a ZIP inside the ZIP", func(t *testing.T, dir string) []string {
			return []string{uploadtest.Zip(t, filepath.Join(dir, "outer.zip"), meta,
				uploadtest.Member{Name: "deeper/inner.zip", Data: zipBytes(t, uploadtest.Member{Name: "x.wav", Data: wav})})}
		}, nil, "outer.zip: member deeper/inner.zip is a ZIP inside a ZIP, 2 deep, over the limit of 1 (max_zip_depth)"},
		{"ZIPs three deep, two allowed", func(t *testing.T, dir string) []string {
			in2 := zipBytes(t, uploadtest.Member{Name: "in3.zip", Data: zipBytes(t, uploadtest.Member{Name: "x.wav", Data: wav})})
			return []string{uploadtest.Zip(t, filepath.Join(dir, "outer.zip"), meta, uploadtest.Member{Name: "in2.zip", Data: in2})}
		}, map[string]string{"max_zip_depth": "2"}, "outer.zip!in2.zip: member in3.zip is a ZIP inside a ZIP, 3 deep, over the limit of 2 (max_zip_depth)"},
		{"a bomb inside an allowed inner ZIP", func(t *testing.T, dir string) []string {
			inner := uploadtest.ZerosBomb(t, filepath.Join(dir, "in", "inner.zip"), "x.wav", 256<<20)
			data, _ := os.ReadFile(inner)
			return []string{storedZip(t, filepath.Join(dir, "outer.zip"), meta, uploadtest.Member{Name: "inner.zip", Data: data})}
		}, map[string]string{"max_zip_depth": "2"}, "outer.zip!inner.zip: member x.wav expands"},
		{"too many members", func(t *testing.T, dir string) []string {
			ms := []uploadtest.Member{meta}
			for i := range 11 {
				ms = append(ms, uploadtest.Member{Name: strings.Repeat("y", i+1) + ".wav", Data: wav})
			}
			return []string{uploadtest.Zip(t, filepath.Join(dir, "many.zip"), ms...)}
		}, map[string]string{"max_zip_entries": "10"}, "many.zip: more than 10 members in the upload's ZIPs (max_zip_entries)"},
		{"members too large together", func(t *testing.T, dir string) []string {
			a := uploadtest.Zip(t, filepath.Join(dir, "a.zip"), meta, uploadtest.Member{Name: "x.wav", Data: noise(700 << 10)})
			b := uploadtest.Zip(t, filepath.Join(dir, "b.zip"), uploadtest.Member{Name: "y.wav", Data: noise(700 << 10)})
			return []string{a, b}
		}, map[string]string{"max_zip_bytes": "1048576"}, "more than 1048576 bytes uncompressed at member y.wav (max_zip_bytes)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inputs := tc.build(t, t.TempDir())
			start := time.Now()
			_, out, err := uploadtest.Run(t, Kind(), tc.opts, inputs...)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("got %v, want an error containing %q", err, tc.err)
			}
			t.Logf("refused in %v: %v", time.Since(start).Round(time.Millisecond), err)
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
	p := uploadtest.Zip(t, filepath.Join(dir, "ok.zip"), meta,
		uploadtest.Member{Name: "x.wav", Data: append(uploadtest.WAV(1, 50), noise(3<<20)...)})
	res, _ := uploadtest.MustRun(t, Kind(), nil, p)
	if res.Tables[TableName].RowsOut != 1 {
		t.Errorf("rows out %d, want 1", res.Tables[TableName].RowsOut)
	}
}

// With max_zip_depth 2, the recordings of a ZIP inside the upload's ZIP
// (stored or deflated) are read and copied like any other, and the
// inflated inner archive leaves no temporary file behind.
func TestNestedZipWithinDepth(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := t.TempDir()
	wav := append(uploadtest.WAV(2, 50), noise(64<<10)...)
	const two = "AgentId,ContactStartTimeMs,Recording1\n2,1447100000000,x.wav\n3,1447100000000,y.wav\n"
	deflated := zipBytes(t, uploadtest.Member{Name: "x.wav", Data: wav})
	stored := storedZip(t, filepath.Join(dir, "stored.zip"), uploadtest.Member{Name: "y.wav", Data: wav})
	storedData, _ := os.ReadFile(stored)
	p := storedZip(t, filepath.Join(dir, "outer.zip"), uploadtest.Member{Name: "c.csv", Data: []byte(two)},
		uploadtest.Member{Name: "a/in.zip", Data: deflated}, uploadtest.Member{Name: "b/st.zip", Data: storedData})
	res, out := uploadtest.MustRun(t, Kind(), map[string]string{"max_zip_depth": "2"}, p)
	if res.Tables[TableName].RowsOut != 2 || res.Tables[TableName].RowsRejected != 0 {
		t.Errorf("rows out %d, rejected %d, want 2 and 0", res.Tables[TableName].RowsOut, res.Tables[TableName].RowsRejected)
	}
	for _, name := range []string{"x.wav", "y.wav"} {
		got, _ := filepath.Glob(filepath.Join(out, "media", "*", name))
		if len(got) != 1 {
			t.Fatalf("%s copied to %v", name, got)
		}
		if b, _ := os.ReadFile(got[0]); !bytes.Equal(b, wav) {
			t.Errorf("%s: the copy differs from the recording", name)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestLimitOptions(t *testing.T) {
	_, err := ParseOptions(map[string]string{"max_zip_ratio": "NaN", "max_zip_entries": "none", "max_zip_depth": "0",
		"max_zip_bytes": "-1", "max_member_bytes": "1e9"})
	for _, w := range []string{"max_zip_ratio", "max_zip_entries", "max_zip_depth", "max_zip_bytes", "max_member_bytes"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not name %s", err, w)
		}
	}
	o, err := ParseOptions(map[string]string{"max_zip_ratio": "50.5", "max_zip_entries": "7", "max_zip_depth": "3",
		"max_zip_bytes": "1000", "max_member_bytes": "10"})
	if err != nil {
		t.Fatal(err)
	}
	if l := o.Limits; l.MaxRatio != 50.5 || l.MaxEntries != 7 || l.MaxDepth != 3 || l.MaxTotalBytes != 1000 || l.MaxMemberBytes != 10 {
		t.Errorf("limits %+v", l)
	}
}
