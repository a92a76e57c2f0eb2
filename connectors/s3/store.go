package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ccetl/ccetl/connectors/internal/lake"
)

// Store keeps objects under an S3 prefix. It implements lake.Store for the
// Parquet sink and has the source-side helpers (Glob, OpenObject, ReaderAt).
// It is safe for concurrent use.
type Store struct {
	*bucket
	parts *partPool
}

var _ lake.Store = (*Store)(nil)

// New validates cfg and returns a store on its bucket and prefix. It makes no
// request; the first request resolves the credentials.
func New(ctx context.Context, cfg Config) (*Store, error) {
	b, err := newBucket(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &Store{bucket: b, parts: newPartPool(int(cfg.PartSize), cfg.Concurrency)}, nil
}

// URL is s3://bucket/prefix.
func (s *Store) URL() string { return s.cfg.URL() }

// Create starts a staged object. ctx bounds the writer's Write and Close
// (they upload parts); when it ends, the upload fails and is aborted.
func (s *Store) Create(ctx context.Context, key string) (lake.ObjectWriter, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	return s.newWriter(ctx, key), nil
}

// Open streams a visible object.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	return s.OpenObject(ctx, key, "")
}

// List returns the visible objects whose key starts with prefix, in key
// order, with keys relative to the store's prefix.
func (s *Store) List(ctx context.Context, prefix string) ([]lake.ObjectInfo, error) {
	var out []lake.ObjectInfo
	err := s.list(ctx, prefix, func(rel string, o types.Object) {
		out = append(out, objectInfo(rel, o))
	})
	return out, err
}

func objectInfo(rel string, o types.Object) lake.ObjectInfo {
	return lake.ObjectInfo{Key: rel, Size: aws.ToInt64(o.Size), ETag: etag(o.ETag), ModTime: aws.ToTime(o.LastModified)}
}

// deleteBatch is S3's limit of keys per DeleteObjects request.
const deleteBatch = 1000

// Delete removes visible objects; missing keys are not an error.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	var errs []error
	for chunk := range slices.Chunk(keys, deleteBatch) {
		ids := make([]types.ObjectIdentifier, len(chunk))
		for i, k := range chunk {
			ids[i] = types.ObjectIdentifier{Key: aws.String(s.key(k))}
		}
		out, err := s.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(s.name),
			Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return fmt.Errorf("s3 delete %s (%d keys): %w", s.url(chunk[0]), len(chunk), err)
		}
		for _, e := range out.Errors {
			if aws.ToString(e.Code) == "NoSuchKey" {
				continue
			}
			errs = append(errs, fmt.Errorf("s3 delete s3://%s/%s: %s: %s",
				s.name, aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message)))
		}
	}
	return errors.Join(errs...)
}

// AbortIncomplete aborts the multipart uploads under the store's prefix that
// were started more than olderThan ago, and returns how many it aborted.
// Uploads are normally aborted by the writer itself; this cleans up after a
// process that was killed or lost the server mid-upload. A bucket lifecycle
// rule (AbortIncompleteMultipartUpload) does the same on AWS.
func (s *Store) AbortIncomplete(ctx context.Context, olderThan time.Duration) (int, error) {
	cutoff := time.Now().Add(-olderThan)
	n := 0
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String(s.name), Prefix: aws.String(s.root)}
	for {
		out, err := s.client.ListMultipartUploads(ctx, in)
		if err != nil {
			return n, fmt.Errorf("s3 list uploads %s: %w", s.URL(), err)
		}
		for _, u := range out.Uploads {
			if aws.ToTime(u.Initiated).After(cutoff) {
				continue
			}
			_, err := s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
				Bucket: aws.String(s.name), Key: u.Key, UploadId: u.UploadId,
			})
			if err != nil && !isNoSuchUpload(err) {
				return n, fmt.Errorf("s3 abort s3://%s/%s: %w", s.name, aws.ToString(u.Key), err)
			}
			n++
		}
		if !aws.ToBool(out.IsTruncated) {
			return n, nil
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
}

func isNoSuchUpload(err error) bool {
	code, _ := errorCode(err)
	return code == "NoSuchUpload"
}
