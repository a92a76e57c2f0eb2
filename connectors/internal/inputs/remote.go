package inputs

import (
	"crypto/sha256"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/klauspost/compress/zip"
)

// addRemote lists the objects a URL names and adds them like local files:
// ZIP archives through ranged reads, everything else streamed.
func (s *Set) addRemote(scheme, url string, opts Options) error {
	rf, ok := opts.Remote[scheme]
	if !ok {
		return fmt.Errorf("input %s: no reader for %s:// inputs", url, scheme)
	}
	objs, err := rf.List(opts.Context, url)
	if err != nil {
		return fmt.Errorf("input %s: %w", url, err)
	}
	if len(objs) == 0 {
		return fmt.Errorf("input %s: no object matches", url)
	}
	for _, o := range objs {
		if opts.Skip != nil && opts.Skip(o.URL, o.ETag) {
			s.Skipped++
			continue
		}
		o := o
		if _, dup := s.hashes[o.URL]; dup {
			continue
		}
		s.inputs = append(s.inputs, o.URL)
		h := &inputHash{h: sha256.New(), path: o.URL, remote: &o}
		s.hashes[o.URL] = h
		base := path.Base(o.URL)
		if strings.EqualFold(path.Ext(base), ".zip") {
			ra, err := rf.ReaderAt(opts.Context, o)
			if err != nil {
				return fmt.Errorf("zip %s: %w", o.URL, err)
			}
			zr, err := zip.NewReader(ra, o.Size)
			if err != nil {
				return fmt.Errorf("zip %s: %w", o.URL, err)
			}
			if err := s.addMembers(o.URL, o.URL, o.Size, zr.File, opts); err != nil {
				return err
			}
			continue
		}
		s.Files = append(s.Files, File{Input: o.URL, Name: o.URL, Base: base, Size: o.Size,
			open: func() (io.ReadCloser, error) {
				rc, err := rf.Open(opts.Context, o)
				if err != nil {
					return nil, err
				}
				if h.done || h.n > 0 {
					return rc, nil
				}
				return &hashingReader{r: rc, h: h}, nil
			}})
	}
	return nil
}
