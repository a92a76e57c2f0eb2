package upload

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/inputs"
)

// stream opens content as a JSON metadata file and reads every record.
func stream(t *testing.T, content string) (int, error) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.json")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := inputs.Resolve([]string{p}, inputs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	rc, err := set.Files[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	s, err := newJSONStream(set.Files[0], rc)
	if err != nil {
		return 0, err
	}
	n := 0
	for {
		rec, idx, err := s.next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if idx != int64(n) || len(rec) == 0 {
			t.Fatalf("record %d has index %d", n, idx)
		}
		n++
	}
}

func TestJSONStream(t *testing.T) {
	for _, tc := range []struct {
		in  string
		n   int
		err string // "" for no error
	}{
		{"\xef\xbb\xbf{\"a\":1}\n", 1, ""},
		{" [ {\"a\":1} ,\r\n {\"b\":[2]} ] \n", 2, ""},
		{"[]", 0, ""},
		{"[1, \"x\"]", 2, ""}, // not objects: records the row loop rejects
		{"\xff\xfe{\x00}\x00", 0, "UTF-16"},
		{"", 0, "empty file"},
		{"  \n 42", 0, "line 2, column 2: a JSON metadata file holds an object or an array of objects"},
		{"[{},", 1, "record 1: the input ends inside the record"},
		{"[{}\n {}]", 1, "record 1: invalid JSON at line 2, column 2"},
		{"{}{}", 1, "line 1, column 3: unexpected data after the top-level JSON value"},
		{"{},\n{}", 1, "line 1, column 3: a comma follows the top-level object"},
		{"[{}] x", 1, "unexpected data after the top-level JSON value"},
		{"[", 0, "the ] that closes the array"},
		{"[{}", 1, "the ] that closes the array"},
		{"[\"" + strings.Repeat("x", MaxRecordBytes+1) + "\"]", 0, "record 0: the record is larger than"},
	} {
		n, err := stream(t, tc.in)
		name := tc.in
		if len(name) > 20 {
			name = name[:20]
		}
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: got %v, want %q", name, err, tc.err)
		case n != tc.n:
			t.Errorf("%q: %d records, want %d", name, n, tc.n)
		}
	}
}
