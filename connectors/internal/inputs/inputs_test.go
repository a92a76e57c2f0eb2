package inputs

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeZip(t *testing.T, path string, members map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range members {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	zw.Close()
	f.Close()
}

func TestResolveFoldersAndZips(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "b.csv"), []byte("b"), 0o644)
	os.WriteFile(filepath.Join(dir, "sub", "a.csv"), []byte("a"), 0o644)
	os.WriteFile(filepath.Join(dir, ".hidden.csv"), []byte("h"), 0o644)
	writeZip(t, filepath.Join(dir, "c.zip"), map[string]string{"batch/batch.csv": "x", "call1.wav": "RIFF", "__MACOSX/._call1.wav": "junk", `win\dir\call2.wav`: "RIFF2"})
	s, err := Resolve([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var bases []string
	for _, f := range s.Files {
		bases = append(bases, f.Base)
	}
	if got := strings.Join(bases, ","); got != "b.csv,batch.csv,call1.wav,call2.wav,a.csv" {
		t.Errorf("files %s", got)
	}
	f := s.Files[1]
	if f.Input != filepath.Join(dir, "c.zip") || !strings.HasSuffix(f.Name, "c.zip!batch/batch.csv") || f.Ext() != "csv" {
		t.Errorf("member %+v", f)
	}
	rc, err := s.Files[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(rc)
	rc.Close()
	in := s.Inputs()
	sum := sha256.Sum256([]byte("b"))
	if len(in) != 3 || in[0].SHA256 != hex.EncodeToString(sum[:]) || in[0].Bytes != 1 || in[1].Bytes == 0 {
		t.Errorf("inputs %+v", in)
	}
}

func TestHostileZips(t *testing.T) {
	dir := t.TempDir()
	dup := filepath.Join(dir, "dup.zip")
	writeZip(t, dup, map[string]string{"a/call.wav": "1", "b/call.wav": "2"})
	if _, err := Resolve([]string{dup}, Options{}); err == nil || !strings.Contains(err.Error(), "same base name call.wav") {
		t.Errorf("duplicate base names: %v", err)
	}
	esc := filepath.Join(dir, "escape.zip")
	writeZip(t, esc, map[string]string{"../../etc/passwd.csv": "x"})
	s, err := Resolve([]string{esc}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Files[0].Base != "passwd.csv" {
		t.Errorf("base %q", s.Files[0].Base)
	}
	s.Close()
	big := filepath.Join(dir, "big.zip")
	writeZip(t, big, map[string]string{"big.csv": strings.Repeat("a", 10000)})
	if _, err := Resolve([]string{big}, Options{MaxMemberBytes: 100}); err == nil || !strings.Contains(err.Error(), "over the limit") {
		t.Errorf("size limit: %v", err)
	}
	notZip := filepath.Join(dir, "fake.zip")
	os.WriteFile(notZip, []byte("not a zip"), 0o644)
	if _, err := Resolve([]string{notZip}, Options{}); err == nil || !strings.Contains(err.Error(), "zip") {
		t.Errorf("corrupt zip: %v", err)
	}
	if _, err := Resolve([]string{filepath.Join(dir, "missing.csv")}, Options{}); err == nil {
		t.Error("missing input accepted")
	}
}

func TestFromReader(t *testing.T) {
	s := FromReader("calabrio:https://x/api/export/teams", strings.NewReader("a,b\n"))
	if len(s.Files) != 1 || s.Files[0].Name != "calabrio:https://x/api/export/teams" || s.Files[0].Input != s.Files[0].Name {
		t.Fatalf("files %+v", s.Files)
	}
	rc, err := s.Files[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	if string(b) != "a,b\n" || len(s.Inputs()) != 0 || len(s.Names()) != 0 || s.Close() != nil {
		t.Errorf("read %q, inputs %v", b, s.Inputs())
	}
}
