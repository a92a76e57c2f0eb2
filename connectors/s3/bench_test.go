package s3

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"runtime/metrics"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// BenchmarkUpload compares the store's streaming multipart upload with one
// raw PutObject of the same bytes on the test server. MB/s is throughput;
// peak-buf-MiB is the upload memory: the part buffers for the store, the
// whole object for PutObject (which needs it all to sign and retry);
// peak-heap-MiB is the sampled peak of the heap above where it stood before
// the loop (the source bytes are already in it), garbage included.
//
//	eval "$(.ci/s3server.sh start)"
//	go test ./connectors/s3 -run '^$' -bench Upload -benchtime 5x
func BenchmarkUpload(b *testing.B) {
	const size = 256 * mib
	cfg := testConfig(b)
	payload, _ := io.ReadAll(data(42, size))
	ctx := context.Background()

	b.Run("multipart", func(b *testing.B) {
		s := newTestStore(b, cfg)
		b.SetBytes(size)
		b.ReportAllocs()
		defer sampleHeap(b)()
		for b.Loop() {
			w, err := s.Create(ctx, "bench/multipart.bin")
			if err != nil {
				b.Fatal(err)
			}
			for chunk := range slices.Chunk(payload, 1*mib) {
				if _, err := w.Write(chunk); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			if err := w.Commit(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(s.parts.peakBytes())/mib, "peak-buf-MiB")
	})

	b.Run("putobject", func(b *testing.B) {
		s := newTestStore(b, cfg)
		b.SetBytes(size)
		b.ReportAllocs()
		defer sampleHeap(b)()
		for b.Loop() {
			_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
				Bucket:        aws.String(s.name),
				Key:           aws.String(s.key("bench/put.bin")),
				Body:          bytes.NewReader(payload),
				ContentLength: aws.Int64(size),
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(size/mib, "peak-buf-MiB")
	})
}

// sampleHeap samples the heap every 5 ms until the returned function is
// called, which reports the peak above the starting point.
func sampleHeap(b *testing.B) (stop func()) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() int64 { metrics.Read(sample); return int64(sample[0].Value.Uint64()) }
	runtime.GC()
	base := read()
	var peak atomic.Int64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			peak.Store(max(peak.Load(), read()-base))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		b.ReportMetric(float64(peak.Load())/mib, "peak-heap-MiB")
	}
}
