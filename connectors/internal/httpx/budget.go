package httpx

import "sync/atomic"

// RetryBudget caps the retries of a whole run, across every request and
// every Client that shares it. When it is spent, a request that needs a
// retry fails with an error matching ErrRetryBudgetExhausted instead, so a
// run against a failing vendor stops early and cleanly rather than
// retrying every request to its own limit. First attempts are never
// refused. A nil *RetryBudget allows any number of retries.
type RetryBudget struct {
	max  int64
	used atomic.Int64
}

// NewRetryBudget allows n retries in total (0 allows none).
func NewRetryBudget(n int) *RetryBudget {
	return &RetryBudget{max: int64(max(n, 0))}
}

// take spends one retry, reporting false when none is left.
func (b *RetryBudget) take() bool {
	if b == nil {
		return true
	}
	for {
		u := b.used.Load()
		if u >= b.max {
			return false
		}
		if b.used.CompareAndSwap(u, u+1) {
			return true
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

// Remaining returns how many retries are left; -1 for a nil budget.
func (b *RetryBudget) Remaining() int {
	if b == nil {
		return -1
	}
	return int(b.max - b.used.Load())
}

// Spend spends one retry for a repeat the caller makes itself, such as
// asking again for a body that broke off after the headers (Stream leaves
// that to the caller). It returns ErrRetryBudgetExhausted when none is
// left. A nil budget always allows.
func (b *RetryBudget) Spend() error {
	if !b.take() {
		return ErrRetryBudgetExhausted
	}
	return nil
}
