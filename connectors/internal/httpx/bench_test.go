package httpx

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// The limiter's cost when it does not make a request wait: a lock, a map
// lookup per key level and a few comparisons. Compare with BenchmarkDo.
func BenchmarkLimiterWait(b *testing.B) {
	for _, bc := range []struct {
		name   string
		limits Limits
		key    string
	}{
		{"unconfigured key", Limits{"other": {{Requests: 1, Per: time.Second}}}, "maestroqa:export"},
		{"two windows, two levels", Limits{
			"maestroqa":        {{Requests: 1 << 30, Per: time.Millisecond}},
			"maestroqa:export": {{Requests: 1 << 30, Per: time.Millisecond}, {Requests: 1 << 30, Per: 2 * time.Millisecond}},
		}, "maestroqa:export"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			l, err := NewLimiter(bc.limits)
			if err != nil {
				b.Fatal(err)
			}
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.Wait(ctx, bc.key); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A whole request against a local server, with and without a limiter
// that never has to wait: the difference is the limiter's overhead.
func BenchmarkDo(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true}`)) }))
	defer srv.Close()
	for _, bc := range []struct {
		name   string
		limits Limits
	}{
		{"no limiter", nil},
		{"limiter", Limits{"test": {{Requests: 1 << 30, Per: time.Millisecond}, {Requests: 1 << 30, Per: time.Second}}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c, _ := newTestClient(b, Config{Limits: bc.limits, Logger: discardLogger()})
			b.ReportAllocs()
			for b.Loop() {
				req, _ := http.NewRequestWithContext(b.Context(), "GET", srv.URL, nil)
				if _, err := c.Do(req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(c.Stats().Requests)/float64(b.N), "requests/op")
		})
	}
}
