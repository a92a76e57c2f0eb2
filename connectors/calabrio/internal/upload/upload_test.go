package upload

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func isWAV(ext string) bool { return ext == "wav" }

func TestResolveSortsFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a/meta.csv", "x")
	write(t, dir, "a/b.JSON", "{}")
	write(t, dir, "a/one.wav", "w")
	write(t, dir, "a/readme.md", "r")
	u, err := Resolve([]string{filepath.Join(dir, "a")}, Options{Content: isWAV})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	var meta []string
	for _, f := range u.Meta {
		meta = append(meta, Name(f))
	}
	if !reflect.DeepEqual(meta, []string{"b.JSON", "meta.csv"}) || len(u.Contents()) != 1 || u.Contents()[0].Name != "one.wav" {
		t.Errorf("meta %v, contents %v", meta, u.Contents())
	}
	if _, ok := u.Lookup([]byte("one.wav")); !ok {
		t.Error("one.wav not found by base name")
	}
	if _, ok := u.Lookup([]byte("ONE.wav")); ok {
		t.Error("names match exactly, as multipart keys do")
	}
	rep := u.Report("recordings")
	if !reflect.DeepEqual(rep["unreferenced_recordings"], []string{"one.wav"}) || !reflect.DeepEqual(rep["unsupported_files"], []string{"readme.md"}) {
		t.Errorf("report %v", rep)
	}
}

// Loose files in different folders are one upload too: their base names
// must differ.
func TestResolveRefusesDuplicateLooseNames(t *testing.T) {
	dir := t.TempDir()
	a := write(t, dir, "x/c.csv", "x")
	b := write(t, dir, "y/c.csv", "x")
	_, err := Resolve([]string{a, b}, Options{Content: isWAV})
	if err == nil || !strings.Contains(err.Error(), "more than one file named c.csv") {
		t.Fatalf("got %v", err)
	}
}

func TestRefCountsOncePerRow(t *testing.T) {
	dir := t.TempDir()
	u, err := Resolve([]string{write(t, dir, "m.csv", "x"), write(t, dir, "r.wav", "w")}, Options{Content: isWAV})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	c := u.Contents()[0]
	u.Ref(c)
	u.Ref(c)
	u.settle(true)
	u.Ref(c)
	u.settle(false)
	if c.Written != 1 || c.Rejected != 1 {
		t.Errorf("written %d rejected %d", c.Written, c.Rejected)
	}
	if _, err := u.Store(t.Context(), c); err == nil {
		t.Error("Store without a file store must fail")
	}
	n, sum, err := c.Digest()
	if err != nil || n != 1 || sum != "50e721e49c013f00c62cf59f2163542a9d8df02464efeb615d31051b0fddc326" {
		t.Errorf("digest %d %s %v", n, sum, err)
	}
}

func TestSplitPipes(t *testing.T) {
	for in, want := range map[string][]string{"": {}, "a": {"a"}, "a|b": {"a", "b"}, "|a||b|": {"a", "b"}, "a b|c": {"a b", "c"}} {
		if got := SplitPipes([]byte(in)); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %q", in, got)
		}
	}
}
