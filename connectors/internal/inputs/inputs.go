package inputs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/klauspost/compress/zip"

	"github.com/ccetl/ccetl/pipeline"
)

// DefaultMaxMemberBytes bounds one decompressed ZIP member (zip bombs).
// See Limits.
const DefaultMaxMemberBytes = 2 << 30

// File is one readable input: a plain file or a ZIP member.
type File struct {
	// Input is the top-level input (absolute path) the file belongs to;
	// output names derive from it.
	Input string
	// Name is the file's own name for messages and rejects: the path, or
	// "archive.zip!dir/member.csv".
	Name string
	// Base is the flattened base name, the key other rows reference.
	Base string
	Size int64

	open func() (io.ReadCloser, error)
}

// Open reads the file.
func (f File) Open() (io.ReadCloser, error) { return f.open() }

// Ext is the lower-case extension of the base name, without the dot.
func (f File) Ext() string { return strings.ToLower(strings.TrimPrefix(path.Ext(f.Base), ".")) }

// Set is every file of a run, with the hashes of the top-level inputs.
type Set struct {
	Files []File
	// Skipped counts remote objects left out as already processed.
	Skipped int
	inputs  []string

	mu     sync.Mutex
	closer []io.Closer
	hashes map[string]*inputHash
	// archives: entries and declared uncompressed bytes of every ZIP so far
	entries int
	unzip   int64
}

type inputHash struct {
	h    hash.Hash
	n    int64
	done bool
	path string
	// remote inputs: the object, and no re-reading just to hash it
	remote *pipeline.RemoteFile
}

// Options bound what Resolve accepts.
type Options struct {
	// MaxMemberBytes bounds one decompressed ZIP member; 0 takes
	// Limits.MaxMemberBytes, or the default.
	MaxMemberBytes int64
	// Limits bound ZIP archives (zero fields take the defaults).
	Limits Limits
	// Remote reads inputs given as URLs, by scheme.
	Remote map[string]pipeline.RemoteFiles
	// Skip leaves out remote objects already processed at this ETag.
	Skip func(url, etag string) bool
	// Context bounds remote listing and reads (default Background).
	Context context.Context
}

// FromConfig is the inputs options a source config implies.
func FromConfig(cfg pipeline.SourceConfig) Options {
	return Options{Remote: cfg.Remote, Skip: cfg.Skip}
}

// Resolve expands paths (files, folders, ZIP archives) into a Set. Folders
// are walked recursively in name order; hidden files are skipped.
func Resolve(paths []string, opts Options) (*Set, error) {
	if opts.MaxMemberBytes > 0 && opts.Limits.MaxMemberBytes <= 0 {
		opts.Limits.MaxMemberBytes = opts.MaxMemberBytes
	}
	opts.Limits = opts.Limits.withDefaults()
	opts.MaxMemberBytes = opts.Limits.MaxMemberBytes
	if len(paths) == 0 {
		return nil, errors.New("no input given")
	}
	if opts.Context == nil {
		opts.Context = context.Background()
	}
	s := &Set{hashes: map[string]*inputHash{}}
	var files []string
	for _, p := range paths {
		if scheme, _, ok := strings.Cut(p, "://"); ok {
			if err := s.addRemote(scheme, p, opts); err != nil {
				s.Close()
				return nil, err
			}
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		st, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", p, errors.Unwrap(err))
		}
		if !st.IsDir() {
			files = append(files, abs)
			continue
		}
		err = filepath.WalkDir(abs, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), ".") && q != abs {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				files = append(files, q)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", p, err)
		}
	}
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f] {
			continue
		}
		seen[f] = true
		if err := s.add(f, opts); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *Set) add(p string, opts Options) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	s.inputs = append(s.inputs, p)
	s.hashes[p] = &inputHash{h: sha256.New(), path: p}
	if strings.EqualFold(filepath.Ext(p), ".zip") {
		return s.addZip(p, st.Size(), opts)
	}
	s.Files = append(s.Files, File{Input: p, Name: p, Base: filepath.Base(p), Size: st.Size(),
		open: func() (io.ReadCloser, error) { return s.openHashed(p) }})
	return nil
}

func (s *Set) addZip(p string, size int64, opts Options) error {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return fmt.Errorf("zip %s: %w", p, err)
	}
	s.closer = append(s.closer, zr)
	return s.addMembers(p, p, size, zr.File, opts)
}

// addMembers adds the members of a top-level ZIP archive.
func (s *Set) addMembers(input, archive string, size int64, zfiles []*zip.File, opts Options) error {
	files, err := s.members(input, archive, size, zfiles, 1, opts)
	if err != nil {
		return err
	}
	s.Files = append(s.Files, files...)
	return nil
}

// members lists the members of a ZIP archive named archive (within the
// top-level input), depth ZIPs deep, flattened to unique base names and
// sorted by name, the members of ZIPs inside it included. Every member is
// bound (Limits) before any is read.
func (s *Set) members(input, archive string, size int64, zfiles []*zip.File, depth int, opts Options) ([]File, error) {
	byBase := map[string]string{}
	tally := archiveTally{size: size}
	var members []File
	for _, zf := range zfiles {
		name := strings.ReplaceAll(zf.Name, "\\", "/")
		if zf.FileInfo().IsDir() || strings.HasPrefix(name, "__MACOSX/") {
			continue
		}
		if !zf.Mode().IsRegular() {
			return nil, fmt.Errorf("zip %s: member %s is not a regular file", archive, name)
		}
		base := path.Base(name)
		if base == "." || base == ".." || base == "/" || base == "" {
			return nil, fmt.Errorf("zip %s: member %q has no usable file name", archive, name)
		}
		if prev, ok := byBase[base]; ok {
			return nil, fmt.Errorf("zip %s: members %s and %s have the same base name %s; folders are flattened, so base names must be unique", archive, prev, name, base)
		}
		byBase[base] = name
		if err := s.bound(archive, name, zf, opts.Limits, &tally); err != nil {
			return nil, err
		}
		if isZip(name) {
			if depth >= opts.Limits.MaxDepth {
				return nil, fmt.Errorf("zip %s: member %s is a ZIP inside a ZIP, %d deep, over the limit of %d (max_zip_depth)",
					archive, name, depth+1, opts.Limits.MaxDepth)
			}
			inner, err := s.nested(input, archive, name, zf, depth+1, opts)
			if err != nil {
				return nil, err
			}
			members = append(members, inner...)
			continue
		}
		zf := zf
		label := archive + "!" + name
		limit := int64(zf.UncompressedSize64) // the reader also refuses a member longer than it says
		members = append(members, File{Input: input, Name: label, Base: base, Size: limit,
			open: func() (io.ReadCloser, error) {
				rc, err := zf.Open()
				if err != nil {
					return nil, fmt.Errorf("zip %s member %s: %w", archive, name, err)
				}
				return &limitedReadCloser{rc: rc, left: limit, size: limit, name: name}, nil
			}})
	}
	sort.SliceStable(members, func(i, j int) bool { return members[i].Name < members[j].Name })
	return members, nil
}

// limitedReadCloser fails a member that inflates past its declared size.
type limitedReadCloser struct {
	rc         io.ReadCloser
	left, size int64
	name       string
}

func (l *limitedReadCloser) Read(p []byte) (int, error) {
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, fmt.Errorf("zip member %s: inflates past the %d bytes its archive declares (a forged archive)", l.name, l.size)
	}
	if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) {
		// the reader's own check: more data than declared, or other data
		err = fmt.Errorf("zip member %s: its data does not match the %d bytes and checksum its archive declares (a forged or damaged archive): %w",
			l.name, l.size, err)
	}
	return n, err
}

func (l *limitedReadCloser) Close() error { return l.rc.Close() }

// openHashed opens a plain file and hashes it as it is read to the end.
func (s *Set) openHashed(p string) (io.ReadCloser, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	h := s.hashes[p]
	s.mu.Unlock()
	if h.done || h.n > 0 { // read before: hash already known or being computed
		return f, nil
	}
	return &hashingReader{r: f, h: h}, nil
}

type hashingReader struct {
	r io.ReadCloser
	h *inputHash
}

func (r *hashingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.h.h.Write(p[:n])
	r.h.n += int64(n)
	if err == io.EOF {
		r.h.done = true
	}
	return n, err
}

func (r *hashingReader) Close() error { return r.r.Close() }

// Inputs returns the top-level inputs with their sizes and sha256. Inputs
// not read to the end (ZIP archives, files a decoder stopped early) are
// hashed here.
func (s *Set) Inputs() []pipeline.InputInfo {
	out := make([]pipeline.InputInfo, 0, len(s.inputs))
	for _, p := range s.inputs {
		h := s.hashes[p]
		if h.remote != nil {
			info := pipeline.InputInfo{Name: p, Bytes: h.remote.Size, ETag: h.remote.ETag}
			if h.done {
				info.SHA256 = hex.EncodeToString(h.h.Sum(nil))
			}
			out = append(out, info)
			continue
		}
		if !h.done {
			h.h.Reset()
			h.n = 0
			if f, err := os.Open(p); err == nil {
				h.n, _ = io.Copy(h.h, f)
				f.Close()
			}
		}
		out = append(out, pipeline.InputInfo{Name: p, Bytes: h.n, SHA256: hex.EncodeToString(h.h.Sum(nil))})
	}
	return out
}

// Names returns the top-level input names in order (for pipeline.RunKey).
func (s *Set) Names() []string { return append([]string(nil), s.inputs...) }

// Close closes opened archives.
func (s *Set) Close() error {
	var errs []error
	for _, c := range s.closer {
		errs = append(errs, c.Close())
	}
	s.closer = nil
	return errors.Join(errs...)
}

// FromReader is a set of one file read from r once, named name (for
// output inputs and rejects): a response body, say. The set reports no
// inputs and closes nothing; the caller describes and closes r.
func FromReader(name string, r io.Reader) *Set {
	f := File{Input: name, Name: name, Base: path.Base(name), Size: -1,
		open: func() (io.ReadCloser, error) { return io.NopCloser(r), nil }}
	return &Set{Files: []File{f}, hashes: map[string]*inputHash{}}
}
