package httpx

import (
	"errors"
	"testing"
)

func TestRetryBudgetSpend(t *testing.T) {
	b := NewRetryBudget(2)
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
	if !errors.Is(b.Spend(), ErrRetryBudgetExhausted) || b.take() {
		t.Error("a spent budget allowed a retry")
	}
	var none *RetryBudget
	if err := none.Spend(); err != nil {
		t.Errorf("nil budget: %v", err)
	}
}
