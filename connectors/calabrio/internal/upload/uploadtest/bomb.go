package uploadtest

import (
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zip"
)

// bombChunk is the size of the zeros one repeated deflate block encodes.
const bombChunk = 1 << 20

// ZerosBomb writes a ZIP archive at path holding members, then name: a
// true deflate stream of n zero bytes (n a multiple of 1 MiB), built in
// milliseconds: a first block of 1 MiB of zeros, then one block that
// encodes the next 1 MiB purely by reference to the zeros before it,
// repeated. 4 GiB of zeros come to about 4 MB, as a real zip bomb.
func ZerosBomb(t testing.TB, path, name string, n int64, members ...Member) string {
	t.Helper()
	if n <= 0 || n%bombChunk != 0 {
		t.Fatalf("ZerosBomb: %d is not a positive multiple of %d", n, bombChunk)
	}
	first, repeat, last := zeroBlocks(t)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, m := range members {
		w, err := zw.Create(m.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.Data)
	}
	chunks := n / bombChunk
	zeros := make([]byte, bombChunk)
	var crc uint32
	for range chunks {
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64:   uint64(len(first) + int(chunks-1)*len(repeat) + len(last)),
		UncompressedSize64: uint64(n)})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(first)
	for range chunks - 1 {
		w.Write(repeat)
	}
	w.Write(last)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// zeroBlocks compresses 2 MiB of zeros, flushed after each MiB, into the
// first MiB's blocks, the second's (which depends only on the zeros in
// the window before it, so it repeats) and the final empty block. It
// checks that first + 3 x repeat + last inflates to 4 MiB of zeros.
func zeroBlocks(t testing.TB) (first, repeat, last []byte) {
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, bombChunk)
	fw.Write(zeros)
	fw.Flush()
	first = bytes.Clone(buf.Bytes())
	buf.Reset()
	fw.Write(zeros)
	fw.Flush()
	repeat = bytes.Clone(buf.Bytes())
	buf.Reset()
	fw.Close()
	last = bytes.Clone(buf.Bytes())
	stream := bytes.Join([][]byte{first, repeat, repeat, repeat, last}, nil)
	got, err := io.ReadAll(flate.NewReader(bytes.NewReader(stream)))
	if err != nil || len(got) != 4*bombChunk || bytes.ContainsFunc(got, func(r rune) bool { return r != 0 }) {
		t.Fatalf("the repeated deflate block does not inflate to zeros: %d bytes, %v", len(got), err)
	}
	return first, repeat, last
}
