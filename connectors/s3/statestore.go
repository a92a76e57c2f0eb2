package s3

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ccetl/ccetl/pipeline"
)

// StateStore keeps job state under an S3 prefix. Versions are ETags and
// every condition is an S3 conditional write: Put with "" sends
// If-None-Match: *, Put with a version sends If-Match, so two writers can
// never both win. It uses the config's encryption but never its storage
// class (state is read on every run).
type StateStore struct{ b *bucket }

var _ pipeline.StateStore = (*StateStore)(nil)

// NewStateStore validates cfg and returns a state store under its prefix.
func NewStateStore(ctx context.Context, cfg Config) (*StateStore, error) {
	b, err := newBucket(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &StateStore{b: b}, nil
}

// getAttempts bounds the reads of one Get whose body fails to arrive whole;
// getPause is the pause before the second read (doubled each time), long
// enough for a write in progress to finish.
const (
	getAttempts = 4
	getPause    = 25 * time.Millisecond
)

// Get returns the document at key and its ETag. A body that fails to
// arrive whole is read again: a read racing a write may be torn on some
// servers (the checksum of one version, the bytes of another, which the
// SDK's checksum validation refuses), and a state document is small.
func (s *StateStore) Get(ctx context.Context, key string) ([]byte, string, error) {
	pause := getPause
	for attempt := 1; ; attempt++ {
		data, etag, retry, err := s.get(ctx, key)
		if err == nil || !retry || attempt == getAttempts {
			return data, etag, err
		}
		select {
		case <-ctx.Done():
			return nil, "", err
		case <-time.After(pause):
		}
		pause *= 2
	}
}

// get reads key once; retry says whether the failure was in the body.
func (s *StateStore) get(ctx context.Context, key string) (data []byte, etag string, retry bool, err error) {
	out, err := s.b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.b.name), Key: aws.String(s.b.key(key))})
	if err != nil {
		if isNotFound(err) {
			return nil, "", false, fmt.Errorf("s3 get %s: %w", s.b.url(key), pipeline.ErrStateNotFound)
		}
		return nil, "", false, fmt.Errorf("s3 get %s: %w", s.b.url(key), err)
	}
	defer out.Body.Close()
	data, err = io.ReadAll(out.Body)
	if err != nil {
		return nil, "", true, fmt.Errorf("s3 get %s: %w", s.b.url(key), err)
	}
	return data, aws.ToString(out.ETag), false, nil
}

// Put writes data at key if its ETag is ifVersion ("" = only if absent).
func (s *StateStore) Put(ctx context.Context, key string, data []byte, ifVersion string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	in := &s3.PutObjectInput{
		Bucket:        aws.String(s.b.name),
		Key:           aws.String(s.b.key(key)),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
		ContentType:   aws.String("application/json"),
	}
	if ifVersion == "" {
		in.IfNoneMatch = aws.String("*")
	} else {
		in.IfMatch = aws.String(ifVersion)
	}
	s.b.applySSE(&in.ServerSideEncryption, &in.SSEKMSKeyId)
	out, err := s.b.client.PutObject(ctx, in)
	switch {
	case err == nil:
	case isPrecondition(err), ifVersion != "" && isNotFound(err):
		return "", fmt.Errorf("s3 put %s: %w", s.b.url(key), pipeline.ErrStateConflict)
	default:
		return "", fmt.Errorf("s3 put %s: %w", s.b.url(key), err)
	}
	if out.ETag == nil {
		return "", fmt.Errorf("s3 put %s: the server returned no ETag", s.b.url(key))
	}
	return aws.ToString(out.ETag), nil
}

// Delete removes key, with If-Match when ifVersion is set. S3 checks that
// condition but, unlike Put's, not always atomically with the delete
// (versitygw v1.8.0 does not); the job state never relies on it to decide
// between two writers.
func (s *StateStore) Delete(ctx context.Context, key, ifVersion string) error {
	in := &s3.DeleteObjectInput{Bucket: aws.String(s.b.name), Key: aws.String(s.b.key(key))}
	if ifVersion != "" {
		in.IfMatch = aws.String(ifVersion)
	}
	_, err := s.b.client.DeleteObject(ctx, in)
	switch {
	case err == nil, isNotFound(err):
		return nil
	case isPrecondition(err):
		return fmt.Errorf("s3 delete %s: %w", s.b.url(key), pipeline.ErrStateConflict)
	default:
		return fmt.Errorf("s3 delete %s: %w", s.b.url(key), err)
	}
}

// List returns the keys under prefix, in key order.
func (s *StateStore) List(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	err := s.b.list(ctx, prefix, func(rel string, _ types.Object) { keys = append(keys, rel) })
	return keys, err
}
