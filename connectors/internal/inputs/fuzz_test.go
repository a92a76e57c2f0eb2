package inputs

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var writeCorpus = flag.Bool("write-corpus", false, "rewrite testdata/fuzz/FuzzZip from the archives of TestHostileCorpus")

// fuzzLimits are small, so that the fuzzer's bombs are cheap: 1 MiB a
// member, 4 MiB in all, ZIPs two deep.
var fuzzLimits = Limits{MaxMemberBytes: 1 << 20, MaxTotalBytes: 4 << 20, MaxRatio: 200, MaxEntries: 64, MaxDepth: 2}

// FuzzZip feeds arbitrary bytes as a ZIP archive: Resolve either refuses it
// with an error or yields members whose reads end (in data or an error)
// within their declared size, itself within the limits; it never panics
// and never yields a base name that is a path. The seeds are the hostile
// archives of TestHostileCorpus, in testdata/fuzz/FuzzZip.
func FuzzZip(f *testing.F) {
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "in.zip")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Resolve([]string{p}, Options{Limits: fuzzLimits})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		defer s.Close()
		var total int64
		for _, f := range s.Files {
			if f.Base == "" || f.Base == "." || f.Base == ".." || strings.ContainsAny(f.Base, `/\`) {
				t.Fatalf("member base name %q", f.Base)
			}
			if f.Size < 0 || f.Size > fuzzLimits.MaxMemberBytes {
				t.Fatalf("member %s declares %d bytes, past the limit", f.Name, f.Size)
			}
			rc, err := f.Open()
			if err != nil {
				continue
			}
			n, _ := io.Copy(io.Discard, io.LimitReader(rc, 2<<20))
			rc.Close()
			if n > f.Size {
				t.Fatalf("member %s read %d bytes, past the %d it declares", f.Name, n, f.Size)
			}
			total += n
		}
		if total > fuzzLimits.MaxTotalBytes {
			t.Fatalf("members read %d bytes in all, past the limit", total)
		}
	})
}

// TestHostileCorpus resolves each hostile archive of the fuzz corpus
// under fuzzLimits and checks its outcome: refused with the bound named,
// or accepted with the members listed (and a forged member failing when
// read). With -write-corpus it rewrites the corpus from these archives.
func TestHostileCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzZip")
	for _, c := range hostileArchives(t) {
		t.Run(c.name, func(t *testing.T) {
			if *writeCorpus {
				body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(c.data)) + ")\n"
				if err := os.WriteFile(filepath.Join(dir, c.name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			p := filepath.Join(t.TempDir(), "in.zip")
			if err := os.WriteFile(p, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := Resolve([]string{p}, Options{Limits: fuzzLimits})
			if c.refused != "" {
				if err == nil || !strings.Contains(err.Error(), c.refused) {
					t.Fatalf("got %v, want an error containing %q", err, c.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var names, readErrs []string
			for _, f := range s.Files {
				names = append(names, strings.TrimPrefix(f.Name, p))
				rc, err := f.Open()
				if err == nil {
					_, err = io.Copy(io.Discard, rc)
					rc.Close()
				}
				if err != nil {
					readErrs = append(readErrs, err.Error())
				}
			}
			if got := strings.Join(names, ","); got != c.members {
				t.Errorf("members %s, want %s", got, c.members)
			}
			if got := strings.Join(readErrs, "; "); !strings.Contains(got, c.readErr) || (c.readErr == "") != (got == "") {
				t.Errorf("read errors %q, want %q", got, c.readErr)
			}
		})
	}
}

// TestCorpusCommitted: every archive of TestHostileCorpus is a seed of
// FuzzZip in the repository.
func TestCorpusCommitted(t *testing.T) {
	for _, c := range hostileArchives(t) {
		b, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzZip", c.name))
		if err != nil || !bytes.HasPrefix(b, []byte("go test fuzz v1\n[]byte(")) {
			t.Errorf("corpus file %s: %v (go test -run TestHostileCorpus -write-corpus writes it)", c.name, err)
		}
	}
}
