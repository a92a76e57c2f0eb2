package pipeline

import (
	"runtime"
	"sync"
)

// Parallel calls f over [0, n) in contiguous parts of equal size, at most
// one per core and no more than n/minPart (a part of fewer items is not
// worth a goroutine), and returns when every part is done. With one part f runs on the caller's
// goroutine.
func Parallel(n, minPart int, f func(lo, hi int)) {
	parts := min(runtime.GOMAXPROCS(0), max(1, n/max(minPart, 1)))
	if parts <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	per := (n + parts - 1) / parts
	for p := range parts {
		lo, hi := p*per, min(n, (p+1)*per)
		wg.Go(func() { f(lo, hi) })
	}
	wg.Wait()
}
