package calabriotest

import (
	"bytes"
	"flag"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var writeCorpus = flag.Bool("write-corpus", false, "rewrite testdata/fuzz/FuzzFileParts from multipartSeeds")

// multipartSeeds are upload bodies (after a boundary line "B") and the
// file names the emulator reads from them ("" for a body it refuses).
func multipartSeeds(t testing.TB) []struct{ name, body, files string } {
	form := func(parts ...[3]string) string { // field, file name, content
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		w.SetBoundary("B")
		for _, p := range parts {
			var err error
			if p[1] == "" {
				err = w.WriteField(p[0], p[2])
			} else {
				var fw interface{ Write([]byte) (int, error) }
				fw, err = w.CreateFormFile(p[0], p[1])
				if err == nil {
					_, err = fw.Write([]byte(p[2]))
				}
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		w.Close()
		return buf.String()
	}
	upload := form([3]string{"file", "batch.csv", "AgentId,ContactStartTimeMs,Recording1\n2,1447100000000,call1.wav\n"},
		[3]string{"file", "call1.wav", "RIFF\x00\x00--B\r\n"}, [3]string{"note", "", "not a file"})
	return []struct{ name, body, files string }{
		{"upload", upload, "batch.csv,call1.wav"},
		{"folders", form([3]string{"file", `in\dir\x.wav`, "1"}, [3]string{"file", "../../y.csv", "2"}), "x.wav,y.csv"},
		{"truncated", upload[:len(upload)/2], ""},
		{"no-closing-boundary", strings.TrimSuffix(upload, "--B--\r\n"), ""},
	}
}

// FuzzFileParts: any body, read as a multipart upload by the emulator,
// either fails with a message or yields file parts whose names are base
// names (folders dropped, as the API flattens them); never a panic.
func FuzzFileParts(f *testing.F) {
	f.Add([]byte("--B--\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/api/upload/contacts", bytes.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary=B")
		parts, err := fileParts(r)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		for _, p := range parts {
			if strings.ContainsAny(p.name, `/\`) || p.name == "" {
				t.Fatalf("file part name %q is not a base name", p.name)
			}
		}
	})
}

// TestFilePartsSeeds reads each seed of FuzzFileParts and checks the file
// names read; with -write-corpus it rewrites the corpus from them.
func TestFilePartsSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzFileParts")
	for _, s := range multipartSeeds(t) {
		t.Run(s.name, func(t *testing.T) {
			if *writeCorpus {
				os.MkdirAll(dir, 0o755)
				corpus := "go test fuzz v1\n[]byte(" + strconv.Quote(s.body) + ")\n"
				if err := os.WriteFile(filepath.Join(dir, s.name), []byte(corpus), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, s.name)); err != nil {
				t.Errorf("seed not in the corpus (go test -run TestFilePartsSeeds -write-corpus): %v", err)
			}
			r := httptest.NewRequest(http.MethodPost, "/api/upload/contacts", strings.NewReader(s.body))
			r.Header.Set("Content-Type", "multipart/form-data; boundary=B")
			parts, err := fileParts(r)
			var names []string
			for _, p := range parts {
				names = append(names, p.name)
			}
			if got := strings.Join(names, ","); got != s.files || (err == nil) != (s.files != "") {
				t.Errorf("files %q (error %v), want %q", got, err, s.files)
			}
		})
	}
}
