package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/ccetl/ccetl/connectors/internal/lake"
)

func TestUploadMemoryBounded(t *testing.T) {
	cfg := testConfig(t)
	cfg.PartSize, cfg.Concurrency = MinPartSize, 2
	s := newTestStore(t, cfg)
	const size = 96 * mib // about 10 x PartSize x Concurrency
	bound := int64(cfg.Concurrency+1) * cfg.PartSize

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	put(t, s, "big.bin", data(7, size))
	runtime.ReadMemStats(&after)

	if peak := s.parts.peakBytes(); peak > bound {
		t.Errorf("part buffers peaked at %d bytes, want at most (concurrency+1) x part size = %d", peak, bound)
	}
	// Independent of the pool's own count: everything allocated during the
	// upload, garbage included (the first part's buffer grows from 64 KiB),
	// does not grow with the object.
	limit := uint64(bound + cfg.PartSize + 4*mib)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > limit {
		t.Errorf("allocated %d MiB to upload %d MiB, want at most %d MiB", alloc/mib, size/mib, limit/mib)
	}
	t.Logf("uploaded %d MiB: part buffers peaked at %.1f MiB, %.1f MiB allocated in all",
		size/mib, float64(s.parts.peakBytes())/mib, float64(after.TotalAlloc-before.TotalAlloc)/mib)
	if got, want := objectSum(t, s, "big.bin"), sum(data(7, size)); got != want {
		t.Fatal("uploaded content differs")
	}
	s.parts.mu.Lock()
	defer s.parts.mu.Unlock()
	if spare := int64(len(s.parts.free)) * cfg.PartSize; s.parts.held != spare {
		t.Fatalf("after commit the pool holds %d bytes, want only its %d spare", s.parts.held, spare)
	}
}

func TestSmallObjectsShareLittleMemory(t *testing.T) {
	cfg := testConfig(t)
	s := newTestStore(t, cfg)
	ctx := context.Background()
	var ws []lake.ObjectWriter
	for i := range 20 {
		w, err := s.Create(ctx, "small/"+string(rune('a'+i)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, data(uint64(i), 10_000)); err != nil {
			t.Fatal(err)
		}
		ws = append(ws, w)
	}
	if peak := s.parts.peakBytes(); peak > 20*firstBuffer {
		t.Errorf("20 open 10 kB objects hold %d bytes, want at most %d", peak, 20*firstBuffer)
	}
	for _, w := range ws {
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStagedSmallObjectsBounded: closed small objects wait for Commit in
// memory only up to the budget; past it they are uploaded on Close.
func TestStagedSmallObjectsBounded(t *testing.T) {
	cfg := testConfig(t)
	s := newTestStore(t, cfg)
	s.parts.stagedMax = 25_000 // room for two of the objects below
	ctx := context.Background()
	var ws []lake.ObjectWriter
	for i := range 5 {
		w, err := s.Create(ctx, fmt.Sprintf("staged/%d.json", i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, data(uint64(i), 10_000)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		ws = append(ws, w)
	}
	if got := len(uploads(t, cfg)); got != 3 {
		t.Errorf("%d objects uploaded on Close, want 3 (past the budget)", got)
	}
	s.parts.mu.Lock()
	held, staged := s.parts.held, s.parts.staged
	s.parts.mu.Unlock()
	if staged != 20_000 || held != 20_000 {
		t.Errorf("closed objects hold %d bytes (%d staged), want 20000 (the two kept)", held, staged)
	}
	if infos, _ := s.List(ctx, "staged/"); len(infos) != 0 {
		t.Fatalf("visible before Commit: %v", infos)
	}
	for i, w := range ws {
		if err := w.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if got, want := objectSum(t, s, w.Key()), sum(data(uint64(i), 10_000)); got != want {
			t.Fatalf("%s: content differs", w.Key())
		}
	}
	if u := uploads(t, cfg); len(u) != 0 {
		t.Fatalf("uploads left: %v", u)
	}
}

// failPart makes UploadPart number n fail before it is sent.
func failPart(n int32) func(*middleware.Stack) error {
	return func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("failPart",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if p, ok := in.Parameters.(*s3.UploadPartInput); ok && aws.ToInt32(p.PartNumber) == n {
					return middleware.InitializeOutput{}, middleware.Metadata{}, errors.New("injected part failure")
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	}
}

func TestFailedPartAbortsUpload(t *testing.T) {
	cfg := testConfig(t)
	cfg.PartSize = MinPartSize
	s := newTestStore(t, cfg)
	s.client = s3.New(s.client.Options(), func(o *s3.Options) { o.APIOptions = append(o.APIOptions, failPart(2)) })
	ctx := context.Background()
	w, err := s.Create(ctx, "fail.bin")
	if err != nil {
		t.Fatal(err)
	}
	_, werr := io.Copy(w, data(1, 4*MinPartSize))
	cerr := w.Close()
	if err := errors.Join(werr, cerr); err == nil || !containsAll(err.Error(), "injected part failure", "fail.bin") {
		t.Fatalf("write/close error = %v, want the injected failure naming the key", err)
	}
	if err := w.Commit(ctx); err == nil {
		t.Fatal("commit after a failed part succeeded")
	}
	if err := w.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, "fail.bin"); !errors.Is(err, lake.ErrNotExist) {
		t.Fatalf("open after failure: %v, want ErrNotExist", err)
	}
	if u := uploads(t, cfg); len(u) != 0 {
		t.Fatalf("failed upload left parts behind: %v", u)
	}
}

func TestCancelAbortsUpload(t *testing.T) {
	cfg := testConfig(t)
	cfg.PartSize = MinPartSize
	s := newTestStore(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	w, err := s.Create(ctx, "cancelled.bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, data(1, 2*MinPartSize)); err != nil {
		t.Fatal(err)
	}
	cancel()
	_, werr := io.Copy(w, data(2, 2*MinPartSize))
	if err := errors.Join(werr, w.Close()); !errors.Is(err, context.Canceled) {
		t.Fatalf("write/close after cancel: %v, want context.Canceled", err)
	}
	if err := w.Abort(ctx); err != nil {
		t.Fatalf("abort with a cancelled context: %v", err)
	}
	if u := uploads(t, cfg); len(u) != 0 {
		t.Fatalf("cancelled upload left parts behind: %v", u)
	}
}

func TestAbortIncomplete(t *testing.T) {
	cfg := testConfig(t)
	cfg.PartSize = MinPartSize
	s := newTestStore(t, cfg)
	w, err := s.Create(context.Background(), "orphan.bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, data(1, MinPartSize+1)); err != nil {
		t.Fatal(err)
	}
	// The writer is dropped, as by a killed process.
	w.(*writer).wg.Wait()
	if n, err := s.AbortIncomplete(context.Background(), time.Hour); err != nil || n != 0 {
		t.Fatalf("AbortIncomplete(1h) = %d, %v; want 0 (the upload is new)", n, err)
	}
	if n, err := s.AbortIncomplete(context.Background(), 0); err != nil || n != 1 {
		t.Fatalf("AbortIncomplete(0) = %d, %v; want 1", n, err)
	}
	if u := uploads(t, cfg); len(u) != 0 {
		t.Fatalf("uploads left: %v", u)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
