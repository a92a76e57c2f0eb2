package maestroqa

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
)

// FuzzDecode feeds arbitrary bodies to a Decoder, twice (prescanned, then
// one pass with the same de-duplication state): it must not panic, every
// row read must be written, rejected or merged, and no Arrow memory may
// leak.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	verbatim, _ := filepath.Glob(filepath.Join("testdata", "*.verbatim.txt"))
	for _, p := range append(files, verbatim...) {
		if b, err := os.ReadFile(p); err == nil && !bytes.HasSuffix([]byte(p), []byte(".golden.json")) {
			f.Add(b)
		}
	}
	for _, s := range []string{`[]`, `[{}]`, `[{"_id":"a","coachingPoints":[{"_id":"p","coachingFormIds":["a","a"]}]},{"_id":"a"}]`,
		`[{"_id":"a","activityLog":[1,{"timestamp":{"$date":1}}],"todos":[{"_id":"t","completedAt":"2021-12-01"}]}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		d := NewDecoder(mem, pipeline.BatchPolicy{MaxRows: 2, MaxBytes: 1 << 20})
		defer d.Release()
		col := newCollector()
		if d.Prescan(context.Background(), bytes.NewReader(body), "fuzz") != nil {
			return
		}
		if err := d.Decode(bytes.NewReader(body), "fuzz", col.emit); err != nil {
			t.Fatalf("Prescan accepted what Decode refused: %v", err)
		}
		if err := d.Decode(bytes.NewReader(body), "again", col.emit); err != nil {
			t.Fatalf("second decode: %v", err)
		}
		col.balanced(t)
		// The second pass writes nothing new for the keyed tables.
		for _, r := range col.rejectList {
			if r.Record < 0 || r.Err == nil {
				t.Fatalf("reject without record index or reason: %+v", r)
			}
		}
	})
}
