package s3

import "sync"

// partPool hands out part buffers and bounds a store's upload memory: at most
// cap(sem) parts are in flight at once across the store's writers, each open
// writer fills at most one buffer, and closed small objects kept for a
// single PutObject on Commit hold at most stagedMax bytes together. A
// writer's first buffer grows from small, so a store with many small objects
// open does not hold a full part for each. Up to cap(sem)+1 full-size
// buffers are kept for reuse for the store's life (a store lives as long
// as its sink).
type partPool struct {
	size      int           // bytes per part
	sem       chan struct{} // one token per part upload in flight
	stagedMax int64

	mu     sync.Mutex
	free   [][]byte
	staged int64 // bytes of closed objects waiting for Commit
	held   int64 // bytes of buffers given out or on the free list
	peak   int64 // largest held seen (tests and benchmarks read it)
}

// firstBuffer is the initial capacity of a writer's first buffer.
const firstBuffer = 64 << 10

func newPartPool(size, concurrency int) *partPool {
	return &partPool{size: size, sem: make(chan struct{}, concurrency), stagedMax: int64(size) * int64(concurrency)}
}

// stage reserves n bytes for a closed object kept until Commit; false when
// that would pass the budget.
func (p *partPool) stage(n int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.staged+int64(n) > p.stagedMax {
		return false
	}
	p.staged += int64(n)
	return true
}

// unstage ends a reservation of stage.
func (p *partPool) unstage(n int) {
	p.mu.Lock()
	p.staged -= int64(n)
	p.mu.Unlock()
}

// get returns an empty buffer with capacity n (n <= size).
func (p *partPool) get(n int) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n == p.size && len(p.free) > 0 {
		b := p.free[len(p.free)-1]
		p.free = p.free[:len(p.free)-1]
		return b[:0]
	}
	p.held += int64(n)
	p.peak = max(p.peak, p.held)
	return make([]byte, 0, n)
}

// grow returns b with room for at least need bytes (need <= size).
func (p *partPool) grow(b []byte, need int) []byte {
	nb := p.get(min(max(4*cap(b), need, firstBuffer), p.size))
	nb = append(nb, b...)
	p.put(b)
	return nb
}

// put returns a buffer; nil is ignored.
func (p *partPool) put(b []byte) {
	if b == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// Keep a full buffer for the next part: the in-flight parts plus one
	// being filled per writer.
	if cap(b) == p.size && len(p.free) < cap(p.sem)+1 {
		p.free = append(p.free, b)
		return
	}
	p.held -= int64(cap(b))
}

// peakBytes is the most buffer memory held at once so far.
func (p *partPool) peakBytes() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peak
}
