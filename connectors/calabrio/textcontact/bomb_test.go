package textcontact

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/calabrio/internal/upload/uploadtest"
)

// A text upload's ZIPs are bound like a recording upload's: a TXT body of
// zeros, a ZIP inside the ZIP and too many members are refused with the
// option named, and the run leaves no file behind.
func TestZipBombsRefused(t *testing.T) {
	meta := uploadtest.Member{Name: "t.csv", Data: []byte("textType,filename,time,username\nchat,a.txt,1439993633000,u\n")}
	body := uploadtest.Member{Name: "a.txt", Data: []byte("hello")}
	for _, tc := range []struct {
		name  string
		build func(t *testing.T, dir string) string
		opts  map[string]string
		err   string
	}{
		{"a body of 1 GiB of zeros", func(t *testing.T, dir string) string {
			return uploadtest.ZerosBomb(t, filepath.Join(dir, "bomb.zip"), "a.txt", 1<<30, meta)
		}, nil, "bomb.zip: member a.txt expands"},
		{"a ZIP inside the ZIP", func(t *testing.T, dir string) string {
			inner := uploadtest.Zip(t, filepath.Join(dir, "in", "inner.zip"), body)
			data, err := os.ReadFile(inner)
			if err != nil {
				t.Fatal(err)
			}
			return uploadtest.Zip(t, filepath.Join(dir, "outer.zip"), meta, uploadtest.Member{Name: "inner.zip", Data: data})
		}, nil, "member inner.zip is a ZIP inside a ZIP, 2 deep, over the limit of 1 (max_zip_depth)"},
		{"too many members", func(t *testing.T, dir string) string {
			return uploadtest.Zip(t, filepath.Join(dir, "many.zip"), meta, body, uploadtest.Member{Name: "b.txt", Data: []byte("x")})
		}, map[string]string{"max_zip_entries": "2"}, "many.zip: more than 2 members in the upload's ZIPs (max_zip_entries)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, out, err := uploadtest.Run(t, Kind(), tc.opts, tc.build(t, t.TempDir()))
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("got %v, want an error containing %q", err, tc.err)
			}
			filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					t.Errorf("a refused upload left %s", p)
				}
				return nil
			})
		})
	}
}
