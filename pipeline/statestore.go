package pipeline

import (
	"context"
	"errors"
)

// StateStore keeps small documents (job state, leases) under slash-separated
// keys, with optimistic concurrency. Every stored document has an opaque
// version that changes whenever the document is written with different
// bytes; callers make every write unique (a revision counter, a holder id),
// because a backend may derive the version from the content (an S3 ETag).
//
// Implementations: a local directory (jobs/state) and an S3 prefix
// (connectors/s3). Both must be safe for concurrent use by several processes.
type StateStore interface {
	// Get returns the document at key and its version. A missing key gives
	// an error matching ErrStateNotFound.
	Get(ctx context.Context, key string) (data []byte, version string, err error)
	// Put stores data at key if the stored version is ifVersion and returns
	// the new version. ifVersion "" means create only: Put fails if key
	// exists. A failed condition gives an error matching ErrStateConflict.
	Put(ctx context.Context, key string, data []byte, ifVersion string) (version string, err error)
	// Delete removes key. With ifVersion set it fails with ErrStateConflict
	// when another version is stored. A missing key is not an error.
	Delete(ctx context.Context, key, ifVersion string) error
	// List returns the keys that start with prefix, in key order.
	List(ctx context.Context, prefix string) ([]string, error)
}

var (
	// ErrStateNotFound is matched by Get's error for a missing key.
	ErrStateNotFound = errors.New("state not found")
	// ErrStateConflict is matched by the error of a Put or Delete whose
	// version condition failed: another writer got there first.
	ErrStateConflict = errors.New("state changed by another writer")
)
