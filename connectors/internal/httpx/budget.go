package httpx

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// Defaults of a RetryBudget's proportional part and outage detector.
const (
	// DefaultRetryRatio lets retries reach this share of the requests made
	// so far, on top of the floor (as gRPC's retry throttling and Finagle's
	// RetryBudget do): a run of 100,000 requests may retry 25,000 times,
	// one of 10 requests only its floor. A quarter carries a run through a
	// steady 20% of failed attempts (0.2/0.8 retries a request); beyond
	// that the outage detector, not the budget, is what should stop it.
	DefaultRetryRatio = 0.25
	// DefaultOutageWindow and DefaultOutageRatio stop a run at once when
	// more than DefaultOutageRatio of the last DefaultOutageWindow attempts
	// failed: that is an outage, not a light fault rate, and retrying it
	// to the end of the budget only delays the on-call page.
	DefaultOutageWindow = 50
	DefaultOutageRatio  = 0.8
)

// RetryBudget caps the retries of a whole run, across every request and
// every Client that shares it. A retry is allowed while the retries spent
// stay within the floor plus Ratio times the requests made so far, and
// while the vendor is not in an outage (more than OutageRatio of the last
// OutageWindow attempts failed). Otherwise a request that needs a retry
// fails with an error matching ErrRetryBudgetExhausted, so a run against a
// failing vendor stops early and cleanly rather than retrying every
// request to its own limit. First attempts are never refused. A nil
// *RetryBudget allows any number of retries.
type RetryBudget struct {
	floor    int64
	ratio    float64
	used     atomic.Int64
	requests atomic.Int64

	outageWindow int
	outageRatio  float64
	mu           sync.Mutex
	recent       []bool // the last attempts' outcomes, true for a failure (a ring)
	next, failed int
}

// NewRetryBudget allows n retries in any case (0 allows none beyond the
// proportional part) plus DefaultRetryRatio of the requests made, and
// detects outages with the default window.
func NewRetryBudget(n int) *RetryBudget {
	return NewRetryBudgetRatio(n, DefaultRetryRatio)
}

// NewRetryBudgetRatio is NewRetryBudget with another ratio (0: a fixed
// budget of n).
func NewRetryBudgetRatio(n int, ratio float64) *RetryBudget {
	return &RetryBudget{floor: int64(max(n, 0)), ratio: max(ratio, 0),
		outageWindow: DefaultOutageWindow, outageRatio: DefaultOutageRatio}
}

// allowed is how many retries the requests made so far allow.
func (b *RetryBudget) allowed() int64 {
	return b.floor + int64(b.ratio*float64(b.requests.Load()))
}

// request counts a request's first attempt.
func (b *RetryBudget) request() {
	if b != nil {
		b.requests.Add(1)
	}
}

// attempt records one attempt's outcome for the outage detector.
func (b *RetryBudget) attempt(failed bool) {
	if b == nil || b.outageWindow <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.recent) < b.outageWindow {
		b.recent = append(b.recent, failed)
	} else {
		if b.recent[b.next] {
			b.failed--
		}
		b.recent[b.next] = failed
		b.next = (b.next + 1) % b.outageWindow
	}
	if failed {
		b.failed++
	}
}

// outage reports a full window of attempts whose failures are over the
// outage ratio.
func (b *RetryBudget) outage() (failed, of int, yes bool) {
	if b.outageWindow <= 0 {
		return 0, 0, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(b.recent)
	return b.failed, n, n >= b.outageWindow && float64(b.failed) > b.outageRatio*float64(n)
}

// take spends one retry, or says why none is left.
func (b *RetryBudget) take() error {
	if b == nil {
		return nil
	}
	if failed, of, yes := b.outage(); yes {
		return fmt.Errorf("%w: the vendor looks down: %d of the last %d attempts failed", ErrRetryBudgetExhausted, failed, of)
	}
	for {
		u := b.used.Load()
		if u >= b.allowed() {
			return fmt.Errorf("%w: %d retries for %d requests (allowed: %d plus %g of the requests)",
				ErrRetryBudgetExhausted, u, b.requests.Load(), b.floor, b.ratio)
		}
		if b.used.CompareAndSwap(u, u+1) {
			return nil
		}
	}
}

// Used returns how many retries were spent.
func (b *RetryBudget) Used() int {
	if b == nil {
		return 0
	}
	return int(b.used.Load())
}

// Requests returns how many requests were made (first attempts).
func (b *RetryBudget) Requests() int {
	if b == nil {
		return 0
	}
	return int(b.requests.Load())
}

// Remaining returns how many retries are left now; -1 for a nil budget.
func (b *RetryBudget) Remaining() int {
	if b == nil {
		return -1
	}
	return int(max(b.allowed()-b.used.Load(), 0))
}

// Spend spends one retry for a repeat the caller makes itself, such as
// asking again for a body that broke off after the headers (Stream leaves
// that to the caller). It returns an error matching ErrRetryBudgetExhausted
// when none is left. A nil budget always allows.
func (b *RetryBudget) Spend() error {
	if b != nil {
		b.attempt(true) // the body that broke off was a failed attempt
	}
	return b.take()
}
