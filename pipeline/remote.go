package pipeline

import (
	"context"
	"io"
)

// RemoteFile is an object an input URL names (s3://bucket/key).
type RemoteFile struct {
	URL  string
	Size int64
	ETag string
}

// RemoteFiles lists and reads the objects of one URL scheme, so every file
// kind reads s3:// inputs as it reads local files.
type RemoteFiles interface {
	// List returns the objects a URL names: one object, or every object
	// matching a glob (* within a path segment, ** across segments).
	List(ctx context.Context, url string) ([]RemoteFile, error)
	// Open streams an object; it fails if the object changed since it was
	// listed (its ETag).
	Open(ctx context.Context, f RemoteFile) (io.ReadCloser, error)
	// ReaderAt gives random access (for ZIP archives), bounded in size.
	ReaderAt(ctx context.Context, f RemoteFile) (io.ReaderAt, error)
}

// RemoteWriter is implemented by remotes that also write objects, for push
// targets that drop files into a folder a vendor's agent collects (an S3
// prefix). Put makes the whole object visible at once.
type RemoteWriter interface {
	Put(ctx context.Context, url string, data []byte) error
}
