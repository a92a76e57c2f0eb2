package s3

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// writer streams one staged object. An object that fits in one part is sent
// with a single PutObject on Commit; a larger one becomes a multipart upload
// as soon as its first part is full, and its parts go up in the background
// while the caller keeps writing. Nothing is visible before Commit: a
// multipart upload's parts are not an object until it is completed.
//
// A writer is used from one goroutine.
type writer struct {
	s      *Store
	rel    string
	ctx    context.Context // bounds Write and Close; cancelled on failure
	cancel context.CancelFunc

	buf      []byte // the part being filled
	uploadID string // "" until the first part is full
	nparts   int32
	staged   int // bytes kept for a PutObject on Commit (partPool.stage)
	state    writerState
	wg       sync.WaitGroup // part uploads in flight

	mu    sync.Mutex
	parts []types.CompletedPart
	err   error // first failure
}

type writerState int

const (
	writerOpen writerState = iota
	writerClosed
	writerCommitted
	writerAborted
)

// abortTimeout bounds the cleanup of a failed or cancelled upload, which runs
// even when the caller's context is already done.
const abortTimeout = 30 * time.Second

func (s *Store) newWriter(ctx context.Context, rel string) *writer {
	ctx, cancel := context.WithCancel(ctx)
	return &writer{s: s, rel: rel, ctx: ctx, cancel: cancel}
}

func (w *writer) Key() string { return w.rel }

// Write buffers p and uploads every part it fills. It blocks while the
// store's part uploads are all in flight.
func (w *writer) Write(p []byte) (int, error) {
	if w.state != writerOpen {
		return 0, fmt.Errorf("s3 write %s: writer is closed", w.s.url(w.rel))
	}
	if err := w.failed(); err != nil {
		return 0, err
	}
	size := w.s.parts.size
	n := 0
	for len(p) > 0 {
		c := min(size-len(w.buf), len(p))
		if cap(w.buf)-len(w.buf) < c {
			if w.uploadID != "" && w.buf == nil {
				w.buf = w.s.parts.get(size) // a large object: take a whole part
			} else {
				w.buf = w.s.parts.grow(w.buf, len(w.buf)+c)
			}
		}
		w.buf = append(w.buf, p[:c]...)
		p, n = p[c:], n+c
		if len(w.buf) == size {
			if err := w.flush(); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// flush starts the upload of the filled buffer as the next part.
func (w *writer) flush() error {
	if w.uploadID == "" {
		in := &s3.CreateMultipartUploadInput{Bucket: aws.String(w.s.name), Key: aws.String(w.s.key(w.rel))}
		w.s.applySSE(&in.ServerSideEncryption, &in.SSEKMSKeyId)
		in.StorageClass = types.StorageClass(w.s.cfg.StorageClass)
		out, err := w.s.client.CreateMultipartUpload(w.ctx, in)
		if err != nil {
			return w.fail(fmt.Errorf("s3 create upload %s: %w", w.s.url(w.rel), err))
		}
		w.uploadID = aws.ToString(out.UploadId)
	}
	if w.nparts == maxParts {
		return w.fail(fmt.Errorf("s3 upload %s: more than %d parts of %d bytes: raise part_size",
			w.s.url(w.rel), maxParts, w.s.parts.size))
	}
	select {
	case w.s.parts.sem <- struct{}{}:
	case <-w.ctx.Done():
		return w.fail(fmt.Errorf("s3 upload %s: %w", w.s.url(w.rel), context.Cause(w.ctx)))
	}
	if err := w.failed(); err != nil {
		<-w.s.parts.sem
		return err
	}
	w.nparts++
	num, buf := w.nparts, w.buf
	w.buf = nil
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		defer func() { <-w.s.parts.sem }()
		defer w.s.parts.put(buf)
		out, err := w.s.client.UploadPart(w.ctx, &s3.UploadPartInput{
			Bucket:        aws.String(w.s.name),
			Key:           aws.String(w.s.key(w.rel)),
			UploadId:      aws.String(w.uploadID),
			PartNumber:    aws.Int32(num),
			Body:          bytes.NewReader(buf),
			ContentLength: aws.Int64(int64(len(buf))),
		})
		if err != nil {
			w.fail(fmt.Errorf("s3 upload part %d of %s: %w", num, w.s.url(w.rel), err))
			return
		}
		w.mu.Lock()
		w.parts = append(w.parts, types.CompletedPart{PartNumber: aws.Int32(num), ETag: out.ETag})
		w.mu.Unlock()
	}()
	return nil
}

// fail records err unless a failure came first, stops the other parts and
// returns the first failure.
func (w *writer) fail(err error) error {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	err = w.err
	w.mu.Unlock()
	w.cancel()
	return err
}

func (w *writer) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Close uploads the last part and waits for every part. The object is
// still not visible. A small object stays in memory for one PutObject on
// Commit while the store's budget for such objects allows; past it, it is
// uploaded now as a one-part multipart upload. On failure the upload is
// aborted.
func (w *writer) Close() error {
	if w.state != writerOpen {
		return w.failed()
	}
	w.state = writerClosed
	var err error
	switch n := len(w.buf); {
	case w.uploadID == "" && w.s.parts.stage(n):
		w.staged = n
		if cap(w.buf) > n+n/4 { // do not keep growth slack
			small := append(w.s.parts.get(n), w.buf...)
			w.s.parts.put(w.buf)
			w.buf = small
		}
	case n > 0:
		err = w.flush()
	}
	w.wg.Wait()
	if err = cmp.Or(w.failed(), err); err != nil {
		return errors.Join(err, w.Abort(w.ctx))
	}
	slices.SortFunc(w.parts, func(a, b types.CompletedPart) int {
		return cmp.Compare(aws.ToInt32(a.PartNumber), aws.ToInt32(b.PartNumber))
	})
	return nil
}

// Commit makes the object visible under its key, replacing any object there.
// On failure the staged data is discarded.
func (w *writer) Commit(ctx context.Context) error {
	if w.state != writerClosed {
		return fmt.Errorf("s3 commit %s: writer not closed, or already committed or aborted", w.s.url(w.rel))
	}
	var err error
	if w.uploadID == "" {
		in := &s3.PutObjectInput{
			Bucket:        aws.String(w.s.name),
			Key:           aws.String(w.s.key(w.rel)),
			Body:          bytes.NewReader(w.buf),
			ContentLength: aws.Int64(int64(len(w.buf))),
			StorageClass:  types.StorageClass(w.s.cfg.StorageClass),
		}
		w.s.applySSE(&in.ServerSideEncryption, &in.SSEKMSKeyId)
		if _, err = w.s.client.PutObject(ctx, in); err != nil {
			err = fmt.Errorf("s3 put %s: %w", w.s.url(w.rel), err)
		}
	} else {
		_, err = w.s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket:          aws.String(w.s.name),
			Key:             aws.String(w.s.key(w.rel)),
			UploadId:        aws.String(w.uploadID),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: w.parts},
		})
		if err != nil {
			err = fmt.Errorf("s3 complete upload %s: %w", w.s.url(w.rel), err)
		}
	}
	if err != nil {
		return errors.Join(err, w.Abort(ctx))
	}
	w.state = writerCommitted
	w.release()
	return nil
}

// Abort discards the staged object: it stops the part uploads and aborts
// the multipart upload, even when ctx is already done. It is a no-op after
// Commit or a previous Abort.
func (w *writer) Abort(ctx context.Context) error {
	if w.state == writerCommitted || w.state == writerAborted {
		return nil
	}
	w.state = writerAborted
	w.cancel()
	w.wg.Wait()
	w.release()
	if w.uploadID == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	// A part whose request the server was still handling when we gave up
	// on it can land after the abort and keep the upload alive, so the
	// abort is repeated until the server no longer knows the upload (as
	// AWS advises for uploads with parts in progress).
	for try := 0; ; try++ {
		_, err := w.s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
			Bucket:   aws.String(w.s.name),
			Key:      aws.String(w.s.key(w.rel)),
			UploadId: aws.String(w.uploadID),
		})
		switch {
		case err != nil && isNoSuchUpload(err):
			return nil
		case err != nil:
			return fmt.Errorf("s3 abort upload %s: %w", w.s.url(w.rel), err)
		case try == abortRepeats:
			return nil
		}
		select {
		case <-time.After(abortRecheck):
		case <-ctx.Done():
			return nil
		}
	}
}

// abortRepeats and abortRecheck bound the repeated aborts of an upload.
const (
	abortRepeats = 3
	abortRecheck = 100 * time.Millisecond
)

// release gives the buffer and the staged bytes back.
func (w *writer) release() {
	w.s.parts.put(w.buf)
	w.s.parts.unstage(w.staged)
	w.buf, w.staged = nil, 0
	w.cancel()
}
