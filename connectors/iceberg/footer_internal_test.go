package iceberg

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	icebergio "github.com/apache/iceberg-go/io"
)

// TestTailFileReadsFromMemoryAndWarehouse writes a file in chunks of every
// size through a small tail: reads within the tail come from memory (the
// file on disk is changed to prove it), reads before it from the file.
func TestTailFileReadsFromMemoryAndWarehouse(t *testing.T) {
	defer func(n int) { footerTail = n }(footerTail)
	footerTail = 64
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 5000)
	for i := range data {
		data[i] = byte(rng.IntN(256))
	}
	var tl tail
	for off := 0; off < len(data); {
		n := min(len(data)-off, rng.IntN(150))
		tl.write(data[off : off+n])
		off += n
		if want := data[max(0, off-footerTail):off]; tl.n != int64(off) || len(tl.buf) < len(want) || !bytes.Equal(tl.buf[len(tl.buf)-len(want):], want) {
			t.Fatalf("after %d bytes the tail holds %d bytes, not the last ones", off, len(tl.buf))
		}
	}
	dir := t.TempDir()
	name := filepath.Join(dir, "f.parquet")
	disk := bytes.Clone(data)
	disk[len(disk)-1] ^= 0xff // memory, not the disk, answers for the tail
	if err := os.WriteFile(name, disk, 0o644); err != nil {
		t.Fatal(err)
	}
	obj := &dataObject{path: name, tail: tl}
	f, err := footerIO{IO: icebergio.LocalFS{}, obj: obj}.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if st, _ := f.Stat(); st.Size() != int64(len(data)) {
		t.Fatalf("size %d, want %d", st.Size(), len(data))
	}
	end := make([]byte, 10)
	if _, err := f.ReadAt(end, int64(len(data)-10)); err != nil || !bytes.Equal(end, data[len(data)-10:]) {
		t.Fatalf("tail read: %v", err)
	}
	head := make([]byte, 100)
	if _, err := f.ReadAt(head, 0); err != nil || !bytes.Equal(head, data[:100]) {
		t.Fatalf("read before the tail: %v", err)
	}
	if _, err := f.Seek(-4, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(f); err != nil || !bytes.Equal(b, data[len(data)-4:]) {
		t.Fatalf("read to the end: %v %v", b, err)
	}
}
