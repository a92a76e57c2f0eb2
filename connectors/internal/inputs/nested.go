package inputs

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/zip"
)

// nested lists the members of a member that is itself a ZIP archive
// (allowed by Limits.MaxDepth), depth ZIPs deep. Its members are named
// "outer.zip!inner.zip!member" and bound like any other; the inner
// archive's size for its ratio is its declared (and already bound) size.
func (s *Set) nested(input, outer, name string, zf *zip.File, depth int, opts Options) ([]File, error) {
	label := outer + "!" + name
	ra, err := s.randomAccess(label, zf)
	if err != nil {
		return nil, err
	}
	size := int64(zf.UncompressedSize64)
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, fmt.Errorf("zip %s: %w", label, err)
	}
	return s.members(input, label, size, zr.File, depth, opts)
}

// randomAccess gives a member's bytes as an io.ReaderAt, as a ZIP reader
// needs: a stored member in place, a compressed one inflated into a
// temporary file, held to its declared size and removed when the set
// closes (at once where the system allows, so that a killed run leaves
// nothing behind).
func (s *Set) randomAccess(label string, zf *zip.File) (io.ReaderAt, error) {
	if zf.Method == zip.Store {
		if zf.CompressedSize64 != zf.UncompressedSize64 {
			return nil, fmt.Errorf("zip %s: a stored member declaring %d bytes compressed and %d uncompressed (a forged archive)",
				label, zf.CompressedSize64, zf.UncompressedSize64)
		}
		raw, err := zf.OpenRaw()
		if err != nil {
			return nil, fmt.Errorf("zip %s: %w", label, err)
		}
		if ra, ok := raw.(io.ReaderAt); ok {
			return ra, nil
		}
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, fmt.Errorf("zip %s: %w", label, err)
	}
	defer rc.Close()
	f, err := os.CreateTemp("", "ccetl-zip-*")
	if err != nil {
		return nil, fmt.Errorf("zip %s: %w", label, err)
	}
	t := &tempFile{File: f, unlinked: os.Remove(f.Name()) == nil}
	s.closer = append(s.closer, t)
	size := int64(zf.UncompressedSize64)
	n, err := io.Copy(f, &limitedReadCloser{rc: rc, left: size, size: size, name: label})
	if err == nil && n != size {
		err = fmt.Errorf("zip member %s: %d bytes, not the %d its archive declares (a forged archive)", label, n, size)
	}
	if err != nil {
		return nil, fmt.Errorf("zip %s: %w", label, err)
	}
	return f, nil
}

// tempFile is an inflated inner archive, removed on Close.
type tempFile struct {
	*os.File
	unlinked bool
}

func (t *tempFile) Close() error {
	err := t.File.Close()
	if !t.unlinked {
		err = errors.Join(err, os.Remove(t.Name()))
	}
	return err
}
