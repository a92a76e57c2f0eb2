package s3

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/lake"
)

func TestGlob(t *testing.T) {
	s := newTestStore(t, testConfig(t))
	ctx := context.Background()
	for _, k := range []string{
		"exports/2024-01-01/agents.csv", "exports/2024-01-02/agents.csv", "exports/2024-01-02/contacts.json",
		"exports/top.csv", "exports/deep/a/b/c.zip", "other/x.csv",
	} {
		put(t, s, k, strings.NewReader(k))
	}
	for _, tc := range []struct {
		pattern string
		want    []string
	}{
		{"exports/*/*.csv", []string{"exports/2024-01-01/agents.csv", "exports/2024-01-02/agents.csv"}},
		{"exports/**/*.csv", []string{"exports/2024-01-01/agents.csv", "exports/2024-01-02/agents.csv", "exports/top.csv"}},
		{"**/*.zip", []string{"exports/deep/a/b/c.zip"}},
		{"exports/2024-01-0[2]/*", []string{"exports/2024-01-02/agents.csv", "exports/2024-01-02/contacts.json"}},
		{"*.csv", nil},
		{"other/x.csv", []string{"other/x.csv"}},
	} {
		infos, err := s.Glob(ctx, tc.pattern)
		if err != nil {
			t.Fatalf("Glob(%q): %v", tc.pattern, err)
		}
		var got []string
		for _, o := range infos {
			got = append(got, o.Key)
			if o.Size != int64(len(o.Key)) || o.ETag == "" || strings.Contains(o.ETag, `"`) {
				t.Errorf("Glob(%q): %+v: want size %d and an unquoted ETag", tc.pattern, o, len(o.Key))
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Glob(%q) = %v, want %v", tc.pattern, got, tc.want)
		}
	}
	if _, err := s.Glob(ctx, "exports/[a"); err == nil {
		t.Error("Glob accepted a malformed pattern")
	}
}

func TestOpenObjectPinsETag(t *testing.T) {
	s := newTestStore(t, testConfig(t))
	ctx := context.Background()
	put(t, s, "in.csv", strings.NewReader("a,b\n1,2\n"))
	listed, err := s.Glob(ctx, "in.csv")
	if err != nil || len(listed) != 1 {
		t.Fatalf("Glob = %v, %v", listed, err)
	}
	r, err := s.OpenObject(ctx, "in.csv", listed[0].ETag)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	r.Close()
	if err != nil || string(b) != "a,b\n1,2\n" {
		t.Fatalf("read %q, %v", b, err)
	}
	put(t, s, "in.csv", strings.NewReader("a,b\n3,4\n"))
	if _, err := s.OpenObject(ctx, "in.csv", listed[0].ETag); !errors.Is(err, ErrChanged) {
		t.Fatalf("open a replaced object by its old ETag: %v, want ErrChanged", err)
	}
	if _, err := s.OpenObject(ctx, "gone.csv", ""); !errors.Is(err, lake.ErrNotExist) {
		t.Fatalf("open missing: %v, want ErrNotExist", err)
	}
}

func TestReaderAtZip(t *testing.T) {
	cfg := testConfig(t)
	s := newTestStore(t, cfg)
	ctx := context.Background()

	// Members: small CSVs, and one stored (uncompressed) member larger
	// than a read block, so reads cross blocks.
	files := map[string][]byte{
		"agents.csv":   []byte("id,name\n1,Ana\n2,Bo\n"),
		"contacts.csv": bytes.Repeat([]byte("c-1,2024-01-01T00:00:00Z,queue\n"), 5000),
	}
	big, _ := io.ReadAll(data(3, readBlock+readBlock/2))
	files["media/big.bin"] = big
	var archive bytes.Buffer
	zw := zip.NewWriter(&archive)
	for _, name := range []string{"agents.csv", "contacts.csv", "media/big.bin"} {
		method := zip.Deflate
		if name == "media/big.bin" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	put(t, s, "in/export.zip", bytes.NewReader(archive.Bytes()))

	listed, err := s.Glob(ctx, "in/*.zip")
	if err != nil || len(listed) != 1 {
		t.Fatalf("Glob = %v, %v", listed, err)
	}
	ra, err := s.ReaderAt(ctx, listed[0])
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(ra, ra.Size())
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != len(files) {
		t.Fatalf("%d members, want %d", len(zr.File), len(files))
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, files[f.Name]) {
			t.Fatalf("member %s: %d bytes, %v; want %d bytes as written", f.Name, len(got), err, len(files[f.Name]))
		}
	}
	blocks := (ra.Size() + readBlock - 1) / readBlock
	if ra.gets > int(2*blocks)+2 {
		t.Errorf("%d ranged GETs for a %d-block archive, want about one per block", ra.gets, blocks)
	}
	t.Logf("read a %d-byte archive with %d ranged GETs", ra.Size(), ra.gets)

	// Past the end: fewer bytes and io.EOF.
	p := make([]byte, 10)
	if n, err := ra.ReadAt(p, ra.Size()-4); n != 4 || err != io.EOF {
		t.Fatalf("ReadAt across the end = %d, %v; want 4, io.EOF", n, err)
	}

	small := cfg
	small.ZipMaxBytes = 1000
	ls := newTestStore(t, small)
	if _, err := ls.ReaderAt(ctx, listed[0]); err == nil || !strings.Contains(err.Error(), "zip_max_bytes") {
		t.Fatalf("ReaderAt past the limit: %v, want an error naming zip_max_bytes", err)
	}

	// The archive replaced after listing: reads fail instead of mixing versions.
	put(t, s, "in/export.zip", strings.NewReader(fmt.Sprint("not a zip any more")))
	ra2, _ := s.ReaderAt(ctx, listed[0])
	if _, err := zip.NewReader(ra2, ra2.Size()); !errors.Is(err, ErrChanged) {
		t.Fatalf("zip over a replaced object: %v, want ErrChanged", err)
	}
}
