package lake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// stagingDir is where a LocalStore keeps staged files: inside the root, so a
// commit is a rename on one file system, and hidden, so readers of the lake
// never see it.
const stagingDir = ".ccetl-staging"

// LocalStore is a Store over a local directory. Staged files live in a
// per-process folder under root/.ccetl-staging and become visible by rename,
// which is atomic: a kill at any moment leaves either the old file or the new
// one under a key, never a partial one. Staging folders left by a killed
// process are removed by the next LocalStore opened on the same root.
type LocalStore struct {
	root    string
	staging string
	lock    *os.File
}

// NewLocalStore opens (creating if needed) a store rooted at dir.
func NewLocalStore(dir string) (*LocalStore, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("output directory %s: %w", dir, err)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	base := filepath.Join(root, stagingDir)
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	removeAbandonedStaging(base)
	id := randomID()
	staging := filepath.Join(base, id)
	if err := os.Mkdir(staging, 0o755); err != nil {
		return nil, fmt.Errorf("staging directory: %w", err)
	}
	lock, err := os.Create(staging + ".lock")
	if err != nil {
		return nil, fmt.Errorf("staging lock: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("staging lock: %w", err)
	}
	return &LocalStore{root: root, staging: staging, lock: lock}, nil
}

// removeAbandonedStaging deletes staging folders whose owner is gone (its
// lock is free).
func removeAbandonedStaging(base string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".lock") {
			continue
		}
		lp := filepath.Join(base, e.Name())
		f, err := os.OpenFile(lp, os.O_RDWR, 0)
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			os.RemoveAll(strings.TrimSuffix(lp, ".lock"))
			os.Remove(lp)
		}
		f.Close()
	}
}

// Close releases the store's staging folder. Staged objects not committed are
// discarded.
func (s *LocalStore) Close() error {
	err := os.RemoveAll(s.staging)
	os.Remove(s.lock.Name())
	s.lock.Close()
	return err
}

// URL returns the root directory.
func (s *LocalStore) URL() string { return s.root }

// Root returns the root directory.
func (s *LocalStore) Root() string { return s.root }

func (s *LocalStore) path(key string) (string, error) {
	clean := path.Clean("/" + key)[1:]
	if clean == "" || clean != key || strings.HasPrefix(clean, stagingDir) {
		return "", fmt.Errorf("invalid key %q", key)
	}
	return filepath.Join(s.root, filepath.FromSlash(clean)), nil
}

// Create stages a new object.
func (s *LocalStore) Create(_ context.Context, key string) (ObjectWriter, error) {
	final, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(s.staging, "obj-*")
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w", key, err)
	}
	return &localWriter{f: f, key: key, final: final}, nil
}

// Open reads a visible object.
func (s *LocalStore) Open(_ context.Context, key string) (io.ReadCloser, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open %s: %w", key, ErrNotExist)
	}
	return f, err
}

// List returns visible objects under prefix in key order.
func (s *LocalStore) List(_ context.Context, prefix string) ([]ObjectInfo, error) {
	var out []ObjectInfo
	err := filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(s.root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == stagingDir {
				return filepath.SkipDir
			}
			if rel != "." && !strings.HasPrefix(rel+"/", prefix) && !strings.HasPrefix(prefix, rel+"/") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasPrefix(rel, prefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // removed while listing
		}
		out = append(out, ObjectInfo{Key: rel, Size: info.Size(), ModTime: info.ModTime()})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, err
}

// Delete removes visible objects and the folders they leave empty.
func (s *LocalStore) Delete(_ context.Context, keys ...string) error {
	for _, k := range keys {
		p, err := s.path(k)
		if err != nil {
			return err
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("delete %s: %w", k, err)
		}
		for dir := filepath.Dir(p); dir != s.root && strings.HasPrefix(dir, s.root); dir = filepath.Dir(dir) {
			if os.Remove(dir) != nil { // not empty
				break
			}
		}
	}
	return nil
}

type localWriter struct {
	f      *os.File
	key    string
	final  string
	closed bool
	done   bool
}

func (w *localWriter) Write(p []byte) (int, error) { return w.f.Write(p) }
func (w *localWriter) Key() string                 { return w.key }

func (w *localWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if err := w.f.Sync(); err != nil {
		w.f.Close()
		return fmt.Errorf("stage %s: %w", w.key, err)
	}
	return w.f.Close()
}

func (w *localWriter) Commit(context.Context) error {
	if !w.closed {
		if err := w.Close(); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(w.final), 0o755); err != nil {
		return fmt.Errorf("commit %s: %w", w.key, err)
	}
	if err := os.Rename(w.f.Name(), w.final); err != nil {
		return fmt.Errorf("commit %s: %w", w.key, err)
	}
	w.done = true
	return syncDir(filepath.Dir(w.final))
}

func (w *localWriter) Abort(context.Context) error {
	if w.done {
		return nil
	}
	if !w.closed {
		w.closed = true
		w.f.Close()
	}
	w.done = true
	if err := os.Remove(w.f.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
