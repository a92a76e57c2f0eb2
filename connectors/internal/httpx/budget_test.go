package httpx

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRetryBudgetSpend(t *testing.T) {
	b := NewRetryBudgetRatio(2, 0)
	b.outageWindow = 0
	for i := range 2 {
		if err := b.Spend(); err != nil {
			t.Fatalf("spend %d: %v", i+1, err)
		}
	}
	if err := b.Spend(); !errors.Is(err, ErrRetryBudgetExhausted) {
		t.Fatalf("third spend = %v, want ErrRetryBudgetExhausted", err)
	}
	if b.Used() != 2 || b.Remaining() != 0 {
		t.Errorf("used %d, remaining %d", b.Used(), b.Remaining())
	}
	// Spending is shared with the client's own retries.
	if !errors.Is(b.Spend(), ErrRetryBudgetExhausted) || b.take() == nil {
		t.Error("a spent budget allowed a retry")
	}
	var none *RetryBudget
	if err := none.Spend(); err != nil {
		t.Errorf("nil budget: %v", err)
	}
}

// The budget grows with the work: retries may reach the floor plus a
// share of the requests made so far.
func TestRetryBudgetIsProportional(t *testing.T) {
	b := NewRetryBudgetRatio(5, 0.1)
	b.outageWindow = 0
	for range 1000 {
		b.request()
	}
	if got := b.Remaining(); got != 5+100 {
		t.Fatalf("after 1000 requests %d retries left, want 105", got)
	}
	for i := range 105 {
		if err := b.take(); err != nil {
			t.Fatalf("retry %d: %v", i+1, err)
		}
	}
	err := b.take()
	if !errors.Is(err, ErrRetryBudgetExhausted) || !strings.Contains(err.Error(), "105 retries for 1000 requests") {
		t.Fatalf("retry 106: %v", err)
	}
	for range 10 {
		b.request()
	}
	if err := b.take(); err != nil {
		t.Fatalf("10 more requests allow one more retry: %v", err)
	}
}

func TestRetryBudgetStopsAnOutage(t *testing.T) {
	b := NewRetryBudget(1000)
	for range DefaultOutageWindow - 1 {
		b.attempt(true)
	}
	if err := b.take(); err != nil {
		t.Fatalf("before a full window: %v", err)
	}
	b.attempt(true)
	err := b.take()
	if !errors.Is(err, ErrRetryBudgetExhausted) || !strings.Contains(err.Error(), "50 of the last 50 attempts failed") {
		t.Fatalf("in an outage: %v", err)
	}
	// Successes push the failures out of the window.
	for range 20 {
		b.attempt(false)
	}
	if err := b.take(); err != nil {
		t.Fatalf("after 20 successes in 50: %v", err)
	}
}

// A client against a server that is down stops after about one window of
// attempts, whatever the floor.
func TestClientStopsQuicklyInAnOutage(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	b := NewRetryBudget(100000)
	c, err := New(Config{Vendor: "v", Budget: b, Retry: RetryPolicy{BaseDelay: time.Microsecond, MaxDelay: time.Microsecond}})
	if err != nil {
		t.Fatal(err)
	}
	var last error
	for range 100 {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		if _, last = c.Do(req); errors.Is(last, ErrRetryBudgetExhausted) {
			break
		}
	}
	if !errors.Is(last, ErrRetryBudgetExhausted) || !strings.Contains(last.Error(), "the vendor looks down") {
		t.Fatalf("last error %v", last)
	}
	if n := hits.Load(); n > DefaultOutageWindow+5 {
		t.Fatalf("%d attempts before stopping, want about %d", n, DefaultOutageWindow)
	}
}
