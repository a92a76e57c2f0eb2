package inputs

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzZip feeds arbitrary bytes as a ZIP archive: Resolve either refuses it
// with an error or yields members whose reads end (in data or an error)
// within the size limit; it never panics and never yields a base name that
// is a path.
func FuzzZip(f *testing.F) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"batch/batch.csv", "call1.wav", `win\call2.wav`} {
		w, _ := zw.Create(name)
		w.Write([]byte("AgentId,ContactStartTimeMs,Recording1\n2,1447100000000,call1.wav\n"))
	}
	zw.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "in.zip")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Resolve([]string{p}, Options{MaxMemberBytes: 1 << 20})
		if err != nil {
			return
		}
		defer s.Close()
		for _, f := range s.Files {
			if f.Base == "" || f.Base == "." || f.Base == ".." || bytes.ContainsAny([]byte(f.Base), `/\`) {
				t.Fatalf("member base name %q", f.Base)
			}
			rc, err := f.Open()
			if err != nil {
				continue
			}
			n, _ := io.Copy(io.Discard, io.LimitReader(rc, 2<<20))
			rc.Close()
			if n > 1<<20+32<<10 {
				t.Fatalf("member read %d bytes past the 1 MiB limit", n)
			}
		}
	})
}
