package rowbuild

import (
	"context"
	"math/bits"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
)

// Recycler is an Arrow allocator that keeps the buffers freed to it and
// hands them out again. A source whose batches are released by a consumer
// that copies their values (a Parquet writer does) builds every batch in the
// memory of the batches before it: no fresh, zeroed pages and no garbage for
// each batch, so the heap stays at about the batches in flight.
//
// Buffers of 4 KiB or more come from the parent allocator in power-of-two
// sizes and are kept by size, up to a total of max bytes; smaller ones, and
// everything past the bound, go straight back to the parent. The bytes of a
// reused buffer are zeroed as they are handed out, as fresh memory is. It is safe for concurrent use: a batch is
// built on one goroutine and released on another.
type Recycler struct {
	parent memory.Allocator
	max    int64

	mu     sync.Mutex
	free   [maxClass + 1][][]byte
	held   int64 // bytes in free
	closed bool
}

const (
	minClass = 12 // 4 KiB
	maxClass = 34 // 16 GiB
)

var _ memory.Allocator = (*Recycler)(nil)

// NewRecycler returns a recycler over parent that keeps at most max bytes
// of freed buffers.
func NewRecycler(parent memory.Allocator, max int64) *Recycler {
	return &Recycler{parent: parent, max: max}
}

// class returns the size class of n bytes (the power of two that holds
// them) and whether such buffers are recycled.
func class(n int) (int, bool) {
	if n < 1<<minClass {
		return 0, false
	}
	c := bits.Len(uint(n - 1))
	return c, c <= maxClass
}

// recycled reports whether b is one of the recycler's buffers: its capacity
// is a power-of-two size class.
func recycled(b []byte) bool {
	c := cap(b)
	_, ok := class(c)
	return ok && c&(c-1) == 0
}

// Allocate returns a zeroed buffer of size bytes.
func (r *Recycler) Allocate(size int) []byte {
	c, ok := class(size)
	if !ok {
		return r.parent.Allocate(size)
	}
	r.mu.Lock()
	if n := len(r.free[c]); n > 0 {
		b := r.free[c][n-1]
		r.free[c][n-1] = nil
		r.free[c] = r.free[c][:n-1]
		r.held -= int64(cap(b))
		r.mu.Unlock()
		b = b[:size]
		clear(b) // only what is handed out: the rest may never have been touched
		return b
	}
	r.mu.Unlock()
	b := r.parent.Allocate(1 << c)
	return b[: size : 1<<c]
}

// Reallocate resizes b to size bytes, in place when its capacity allows.
func (r *Recycler) Reallocate(size int, b []byte) []byte {
	if !recycled(b) {
		if _, ok := class(size); !ok {
			return r.parent.Reallocate(size, b)
		}
	} else if cap(b) >= size {
		if size > len(b) {
			clear(b[len(b):size]) // may hold an earlier user's bytes
		}
		return b[:size]
	}
	nb := r.Allocate(size)
	copy(nb, b)
	r.Free(b)
	return nb
}

// Free keeps b for reuse, or gives it back to the parent when it is small or
// the recycler is full or closed.
func (r *Recycler) Free(b []byte) {
	if !recycled(b) {
		r.parent.Free(b)
		return
	}
	b = b[:cap(b)]
	c, _ := class(cap(b))
	r.mu.Lock()
	if !r.closed && r.held+int64(cap(b)) <= r.max {
		r.free[c] = append(r.free[c], b)
		r.held += int64(cap(b))
		b = nil
	}
	r.mu.Unlock()
	if b != nil {
		r.parent.Free(b)
	}
}

// Close gives every kept buffer back to the parent; buffers freed later go
// straight back too.
func (r *Recycler) Close() {
	r.mu.Lock()
	free := r.free
	r.free = [maxClass + 1][][]byte{}
	r.held, r.closed = 0, true
	r.mu.Unlock()
	for _, list := range free {
		for _, b := range list {
			r.parent.Free(b)
		}
	}
}

// Held returns the bytes of freed buffers kept for reuse.
func (r *Recycler) Held() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.held
}

// RecycleBytes bounds the memory of released batches a source keeps for
// building the next ones: a few batches of the default policy.
const RecycleBytes = 64 << 20

// ForRun returns the allocator a source builds its batches with: when the
// run reads batches only until it releases them (pipeline.BatchesReusable),
// a Recycler over mem, which the source closes with itself; otherwise mem
// and a nil Recycler.
func ForRun(ctx context.Context, mem memory.Allocator) (memory.Allocator, *Recycler) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	if !pipeline.BatchesReusable(ctx) {
		return mem, nil
	}
	r := NewRecycler(mem, RecycleBytes)
	return r, r
}
