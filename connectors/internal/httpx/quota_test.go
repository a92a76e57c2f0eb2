package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestQuotaKeyHidesTheCredential(t *testing.T) {
	k := QuotaKey("maestroqa", "https://x.maestroqa.com", "tok-secret-123")
	if strings.Contains(k, "tok-secret") || !strings.HasPrefix(k, "maestroqa:") {
		t.Errorf("key %q", k)
	}
	if k != QuotaKey("maestroqa", "https://x.maestroqa.com", "tok-secret-123") {
		t.Error("the same quota gives two keys")
	}
	if k == QuotaKey("maestroqa", "https://x.maestroqa.com", "another") {
		t.Error("two credentials give one key")
	}
}

// Two clients on one quota (two jobs with one token) keep its limit
// together: their requests are spaced as one client's would be. Another
// quota, or other limits, is limited on its own.
func TestClientsOfOneQuotaShareItsLimit(t *testing.T) {
	var mu sync.Mutex
	var arrivals []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
	}))
	defer srv.Close()
	const per = 300 * time.Millisecond
	limits := Limits{"test": {{Requests: 1, Per: per, Margin: -1}}}
	quota := QuotaKey("test", srv.URL, t.Name())
	a, _ := newTestClient(t, Config{Limits: limits, Quota: quota})
	b, _ := newTestClient(t, Config{Limits: limits, Quota: quota})
	other, _ := newTestClient(t, Config{Limits: limits, Quota: QuotaKey("test", srv.URL, "other")})
	looser, _ := newTestClient(t, Config{Limits: Limits{"test": {{Requests: 5, Per: per}}}, Quota: quota})
	own, _ := newTestClient(t, Config{Limits: limits})
	if a.limiter != b.limiter {
		t.Fatal("two clients of one quota have two limiters")
	}
	for _, c := range []*Client{other, looser, own} {
		if c.limiter == a.limiter {
			t.Fatal("a client of another quota, other limits or no quota shares the limiter")
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range []*Client{a, b, a, b} {
		wg.Go(func() {
			if _, err := c.Do(newReq(t, t.Context(), "GET", srv.URL, "")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	// four requests at one per 300ms: the last goes out no sooner than
	// 900ms after the first
	if got := time.Since(start); got < 3*per {
		t.Errorf("four requests of one quota took %v, want at least %v", got, 3*per)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(arrivals); i++ {
		if gap := arrivals[i].Sub(arrivals[i-1]); gap < per-20*time.Millisecond {
			t.Errorf("requests %d and %d of one quota %v apart, want at least %v", i, i+1, gap, per)
		}
	}
}
