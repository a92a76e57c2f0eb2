package lake

import (
	"context"
	"errors"
	"io"
	"time"
)

// Store is where a lake sink keeps its objects: a local directory or an S3
// prefix. Keys are slash-separated and relative to the store's root.
//
// Objects are written in two steps so that a run can make many of them
// visible together: Create returns a writer whose data is staged; Close on
// the writer finishes the data; Commit makes it visible under its key,
// replacing any object there; Abort discards it. Nothing a writer wrote is
// visible before its Commit, and a process killed at any point leaves no
// partial object visible.
type Store interface {
	// Create starts a staged object for key.
	Create(ctx context.Context, key string) (ObjectWriter, error)
	// Open reads a visible object. A missing object gives an error matching
	// ErrNotExist.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// List returns every visible object whose key starts with prefix, in
	// key order.
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)
	// Delete removes visible objects; a missing key is not an error.
	Delete(ctx context.Context, keys ...string) error
	// URL names the store's root for messages and manifests
	// (for example "/data/out" or "s3://bucket/prefix").
	URL() string
}

// ObjectWriter stages one object.
type ObjectWriter interface {
	io.Writer
	// Close finishes the staged data. The object is still not visible.
	Close() error
	// Commit makes the finished object visible under its key.
	Commit(ctx context.Context) error
	// Abort discards the staged object; safe after Close and more than once.
	Abort(ctx context.Context) error
	// Key is the key the object will have once committed.
	Key() string
}

// ObjectInfo describes a visible object.
type ObjectInfo struct {
	Key     string
	Size    int64
	ETag    string
	ModTime time.Time
}

// ErrNotExist is matched (errors.Is) by Open's error for a missing object.
var ErrNotExist = errors.New("object does not exist")
