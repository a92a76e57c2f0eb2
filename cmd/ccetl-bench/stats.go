package main

import (
	"math"
	"slices"
)

// median is the middle value of xs (the mean of the two middle values for
// an even count), or NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// pairedRatios divides each a by the b of the same pair. Pairs ran back to
// back, so each ratio sees the same machine load on both sides; their
// median is steadier on a shared machine than the ratio of the medians.
func pairedRatios(a, b []float64) []float64 {
	n := min(len(a), len(b))
	r := make([]float64, 0, n)
	for i := range n {
		if b[i] > 0 {
			r = append(r, a[i]/b[i])
		}
	}
	return r
}
