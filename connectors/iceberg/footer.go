package iceberg

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"time"

	icebergio "github.com/apache/iceberg-go/io"
)

// footerTail is how much of a data file's end is kept while it is written:
// registering the file reads its footer, which then comes from memory
// instead of a second fetch from the warehouse (a GET per file on S3). A
// larger footer is read from the warehouse.
var footerTail = 1 << 20

// tail keeps the last footerTail bytes written, and the count of all.
type tail struct {
	buf []byte
	n   int64
}

func (t *tail) write(p []byte) {
	t.n += int64(len(p))
	if len(p) >= footerTail {
		t.buf = append(t.buf[:0], p[len(p)-footerTail:]...)
		return
	}
	if len(t.buf)+len(p) > 2*footerTail { // keep the last footerTail, amortized
		keep := footerTail - len(p)
		t.buf = t.buf[:copy(t.buf, t.buf[len(t.buf)-keep:])]
	}
	t.buf = append(t.buf, p...)
}

// footerIO opens a data file just written from its kept tail; every other
// file, and any read before the tail, goes to the warehouse.
type footerIO struct {
	icebergio.IO
	obj *dataObject
}

func (f footerIO) Open(name string) (icebergio.File, error) {
	if name != f.obj.path {
		return f.IO.Open(name)
	}
	return &tailFile{io: f.IO, name: name, t: &f.obj.tail}, nil
}

// tailFile reads a file of known size: bytes within its tail from memory,
// others from the warehouse (opened at the first such read).
type tailFile struct {
	io   icebergio.IO
	name string
	t    *tail
	off  int64
	full icebergio.File
}

func (f *tailFile) ReadAt(p []byte, off int64) (int, error) {
	start := f.t.n - int64(len(f.t.buf))
	if off >= start && off <= f.t.n {
		n := copy(p, f.t.buf[off-start:])
		if n < len(p) {
			return n, io.EOF
		}
		return n, nil
	}
	if f.full == nil {
		full, err := f.io.Open(f.name)
		if err != nil {
			return 0, err
		}
		f.full = full
	}
	return f.full.ReadAt(p, off)
}

func (f *tailFile) Read(p []byte) (int, error) {
	n, err := f.ReadAt(p, f.off)
	f.off += int64(n)
	return n, err
}

func (f *tailFile) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += f.off
	case io.SeekEnd:
		offset += f.t.n
	default:
		return 0, errors.New("seek: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("seek: negative position")
	}
	f.off = offset
	return offset, nil
}

func (f *tailFile) Stat() (fs.FileInfo, error) { return tailInfo{f}, nil }

func (f *tailFile) Close() error {
	if f.full != nil {
		return f.full.Close()
	}
	return nil
}

type tailInfo struct{ f *tailFile }

func (i tailInfo) Name() string       { return path.Base(i.f.name) }
func (i tailInfo) Size() int64        { return i.f.t.n }
func (i tailInfo) Mode() fs.FileMode  { return 0o444 }
func (i tailInfo) ModTime() time.Time { return time.Time{} }
func (i tailInfo) IsDir() bool        { return false }
func (i tailInfo) Sys() any           { return nil }
