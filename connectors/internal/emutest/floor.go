package emutest

import (
	"fmt"
	"testing"
	"time"
)

// BenchLatency is the emulators' answer delay in the rate-limit
// benchmarks: at 1000 requests a second, 2ms stands for a round trip of
// 400ms at a vendor's 5 requests a second.
const BenchLatency = 2 * time.Millisecond

// RateFloor is when the last of n requests may leave under a limit of
// requests per per, the first at 0: a window's count goes out at once, so
// request i leaves i/requests periods after the first. It is the least
// time a pull of n requests can take at the limit.
func RateFloor(n, requests int, per time.Duration) time.Duration {
	if n < 1 || requests < 1 {
		return 0
	}
	return time.Duration((n-1)/requests) * per
}

// AtRateLimit runs a rate-limited pull benchmark with the emulator
// answering at once and after BenchLatency, one item at a time and conc at
// once: one at a time the round trips add up; many at once the limit
// bounds the pull.
func AtRateLimit(b *testing.B, conc int, pull func(b *testing.B, latency time.Duration, conc int)) {
	for _, latency := range []time.Duration{0, BenchLatency} {
		for _, c := range []int{1, conc} {
			b.Run(fmt.Sprintf("latency=%v/concurrency=%d", latency, c), func(b *testing.B) { pull(b, latency, c) })
		}
	}
}

// ReportFloor reports a rate-limited pull: its requests (each pull's), the
// floor the limit implies for them, its time over the floor (took is the
// sum over b.N pulls) and its 429s, which the benchmark has checked are
// none.
func ReportFloor(b *testing.B, requests int, floor, took time.Duration) {
	b.ReportMetric(float64(requests), "requests/op")
	b.ReportMetric(floor.Seconds(), "floor-s")
	b.ReportMetric(float64(took)/float64(b.N)/float64(floor), "x-floor")
	b.ReportMetric(0, "429s")
}

// TimePulls runs pull b.N times and returns the time the pulls took,
// pausing gap between two (the previous pull's limit window passes, out
// of the timer); pull checks its own outcome.
func TimePulls(b *testing.B, gap time.Duration, pull func()) time.Duration {
	var took time.Duration
	b.ResetTimer()
	for i := range b.N {
		if i > 0 {
			b.StopTimer()
			time.Sleep(gap)
			b.StartTimer()
		}
		start := time.Now()
		pull()
		took += time.Since(start)
	}
	return took
}
