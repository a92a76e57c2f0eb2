package pipeline

import (
	"sync"
	"testing"
)

// Parallel covers every item once, in no more parts than n/minPart (one
// for fewer).
func TestParallelCoversEveryItemOnce(t *testing.T) {
	for _, n := range []int{0, 1, 511, 512, 1024, 5000, 100003} {
		seen := make([]int, n)
		var mu sync.Mutex
		var parts [][2]int
		Parallel(n, 512, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				seen[i]++
			}
			mu.Lock()
			parts = append(parts, [2]int{lo, hi})
			mu.Unlock()
		})
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: item %d done %d times", n, i, c)
			}
		}
		if len(parts) < 1 || len(parts) > max(1, n/512) {
			t.Errorf("n=%d: %d parts, want 1 to %d", n, len(parts), max(1, n/512))
		}
	}
}
