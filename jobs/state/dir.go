package state

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/ccetl/ccetl/pipeline"
)

// Dir keeps state documents as plain files under a local directory: key
// "nightly/state.json" is the file <root>/nightly/state.json. A write goes to
// a temporary file that is synced and renamed over the old one, so a reader
// or a crash sees the old document or the new one, never part of either.
// Conditional writes hold an exclusive flock on <root>/.lock while they
// compare and replace, so several processes on one host may share a
// directory. A version is the document's content hash, as an ETag is on S3.
type Dir struct{ root string }

var _ pipeline.StateStore = (*Dir)(nil)

// OpenDir returns the state directory at root, creating it if needed.
func OpenDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("state dir %s: %w", root, err)
	}
	return &Dir{root: root}, nil
}

// path checks key and returns its file. Names starting with "." are
// reserved for the lock and temporary files.
func (d *Dir) path(key string) (string, error) {
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || strings.HasPrefix(seg, ".") || strings.ContainsRune(seg, '\\') {
			return "", fmt.Errorf("state: bad key %q: want slash-separated names not starting with a dot", key)
		}
	}
	return filepath.Join(d.root, filepath.FromSlash(key)), nil
}

func version(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// Get reads the document at key.
func (d *Dir) Get(_ context.Context, key string) ([]byte, string, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, "", err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("state get %s: %w", p, pipeline.ErrStateNotFound)
	}
	if err != nil {
		return nil, "", fmt.Errorf("state get: %w", err)
	}
	return data, version(data), nil
}

// Put replaces the document at key if its version is ifVersion ("" = only
// if there is none).
func (d *Dir) Put(_ context.Context, key string, data []byte, ifVersion string) (string, error) {
	p, err := d.path(key)
	if err != nil {
		return "", err
	}
	err = d.locked(func() error {
		cur, err := current(p)
		switch {
		case err != nil:
			return err
		case ifVersion == "" && cur != "":
			return fmt.Errorf("%w: it exists", pipeline.ErrStateConflict)
		case ifVersion != "" && cur != ifVersion:
			return fmt.Errorf("%w: version %q, want %q", pipeline.ErrStateConflict, cur, ifVersion)
		}
		return writeAtomic(p, data)
	})
	if err != nil {
		return "", fmt.Errorf("state put %s: %w", p, err)
	}
	return version(data), nil
}

// Delete removes the document at key; with ifVersion set, only at that
// version.
func (d *Dir) Delete(_ context.Context, key, ifVersion string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	err = d.locked(func() error {
		cur, err := current(p)
		switch {
		case err != nil:
			return err
		case cur == "":
			return nil
		case ifVersion != "" && cur != ifVersion:
			return fmt.Errorf("%w: version %q, want %q", pipeline.ErrStateConflict, cur, ifVersion)
		}
		if err := os.Remove(p); err != nil {
			return err
		}
		return syncDir(filepath.Dir(p))
	})
	if err != nil {
		return fmt.Errorf("state delete %s: %w", p, err)
	}
	return nil
}

// current is the version stored at p, "" if none.
func current(p string) (string, error) {
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return version(data), nil
}

// List returns the keys under prefix, in key order.
func (d *Dir) List(_ context.Context, prefix string) ([]string, error) {
	var keys []string
	err := filepath.WalkDir(d.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != d.root && strings.HasPrefix(e.Name(), ".") {
			if e.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if e.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(d.root, p)
		if err != nil {
			return err
		}
		if k := filepath.ToSlash(rel); strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("state list %s: %w", d.root, err)
	}
	slices.Sort(keys)
	return keys, nil
}

// locked runs fn holding the directory's exclusive flock. Each call opens
// the lock file anew, so goroutines exclude each other as processes do.
func (d *Dir) locked(fn func() error) error {
	f, err := os.OpenFile(filepath.Join(d.root, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn()
}

// writeAtomic replaces p with data: temporary file, fsync, rename, fsync of
// the directory.
func writeAtomic(p string, data []byte) error {
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly after the rename
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err == nil {
		err = syncDir(dir)
	}
	return err
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
