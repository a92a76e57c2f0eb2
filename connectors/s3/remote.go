package s3

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/ccetl/ccetl/connectors/internal/lake"
	"github.com/ccetl/ccetl/pipeline"
)

// Remote reads s3:// inputs for every file kind (pipeline.RemoteFiles). An
// input URL names one object, a "folder" (every object under it), or a glob
// ("s3://bucket/drops/**/*.zip"). Settings come from the environment as for
// `convert --out s3://...`.
type Remote struct {
	getenv func(string) string
	mu     sync.Mutex
	stores map[string]*Store // by bucket
}

// NewRemote makes the s3:// input reader.
func NewRemote(getenv func(string) string) *Remote {
	return &Remote{getenv: getenv, stores: map[string]*Store{}}
}

func (r *Remote) store(ctx context.Context, bucket string) (*Store, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.stores[bucket]; ok {
		return s, nil
	}
	cfg, err := ConfigFromEnv("s3://"+bucket, r.getenv)
	if err != nil {
		return nil, err
	}
	s, err := New(ctx, cfg)
	if err != nil {
		return nil, err
	}
	r.stores[bucket] = s
	return s, nil
}

// List returns the objects url names.
func (r *Remote) List(ctx context.Context, url string) ([]pipeline.RemoteFile, error) {
	bucket, key, err := ParseURL(url)
	if err != nil {
		return nil, err
	}
	s, err := r.store(ctx, bucket)
	if err != nil {
		return nil, err
	}
	var objs []lake.ObjectInfo
	switch {
	case strings.ContainsAny(key, "*?["):
		objs, err = s.Glob(ctx, key)
	case key == "":
		objs, err = s.Glob(ctx, "**")
	default:
		if objs, err = s.List(ctx, key); err == nil {
			exact := objs[:0:0]
			for _, o := range objs {
				if o.Key == key {
					exact = append(exact, o)
				}
			}
			if len(exact) == 1 {
				objs = exact
			} else {
				objs, err = s.Glob(ctx, key+"/**")
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("s3 list %s: %w", url, err)
	}
	out := make([]pipeline.RemoteFile, 0, len(objs))
	for _, o := range objs {
		if strings.HasSuffix(o.Key, "/") {
			continue // folder markers
		}
		out = append(out, pipeline.RemoteFile{URL: "s3://" + bucket + "/" + o.Key, Size: o.Size, ETag: o.ETag})
	}
	return out, nil
}

func (r *Remote) resolve(ctx context.Context, f pipeline.RemoteFile) (*Store, lake.ObjectInfo, error) {
	bucket, key, err := ParseURL(f.URL)
	if err != nil {
		return nil, lake.ObjectInfo{}, err
	}
	s, err := r.store(ctx, bucket)
	return s, lake.ObjectInfo{Key: key, Size: f.Size, ETag: f.ETag}, err
}

// Open streams an object, pinned to the ETag it was listed with.
func (r *Remote) Open(ctx context.Context, f pipeline.RemoteFile) (io.ReadCloser, error) {
	s, o, err := r.resolve(ctx, f)
	if err != nil {
		return nil, err
	}
	return s.OpenObject(ctx, o.Key, o.ETag)
}

// ReaderAt gives ranged reads of an object (ZIP archives).
func (r *Remote) ReaderAt(ctx context.Context, f pipeline.RemoteFile) (io.ReaderAt, error) {
	s, o, err := r.resolve(ctx, f)
	if err != nil {
		return nil, err
	}
	return s.ReaderAt(ctx, o)
}

// Put writes one object whole; it becomes visible only once complete.
func (r *Remote) Put(ctx context.Context, url string, data []byte) error {
	bucket, key, err := ParseURL(url)
	if err != nil {
		return err
	}
	s, err := r.store(ctx, bucket)
	if err != nil {
		return err
	}
	w, err := s.Create(ctx, key)
	if err != nil {
		return fmt.Errorf("s3 put %s: %w", url, err)
	}
	if _, err := w.Write(data); err != nil {
		w.Abort(ctx)
		return fmt.Errorf("s3 put %s: %w", url, err)
	}
	if err := w.Close(); err != nil {
		w.Abort(ctx)
		return fmt.Errorf("s3 put %s: %w", url, err)
	}
	if err := w.Commit(ctx); err != nil {
		return fmt.Errorf("s3 put %s: %w", url, err)
	}
	return nil
}

var _ pipeline.RemoteWriter = (*Remote)(nil)
