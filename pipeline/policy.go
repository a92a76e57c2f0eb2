package pipeline

import "fmt"

// BatchPolicy bounds the batches a source emits: a batch is cut when it holds
// MaxRows rows or about MaxBytes bytes of input, whichever comes first.
type BatchPolicy struct {
	MaxRows  int
	MaxBytes int64
}

// DefaultBatchPolicy keeps a batch around 8 MiB: large enough for columnar
// encoding to pay off, small enough that a few in flight stay cheap.
func DefaultBatchPolicy() BatchPolicy {
	return BatchPolicy{MaxRows: 64 * 1024, MaxBytes: 8 << 20}
}

// Full reports whether a batch of rows rows and bytes bytes must be cut.
func (p BatchPolicy) Full(rows int, bytes int64) bool {
	return (p.MaxRows > 0 && rows >= p.MaxRows) || (p.MaxBytes > 0 && bytes >= p.MaxBytes)
}

// Validate checks the policy.
func (p BatchPolicy) Validate() error {
	if p.MaxRows < 0 || p.MaxBytes < 0 {
		return fmt.Errorf("batch policy: negative bound")
	}
	if p.MaxRows == 0 && p.MaxBytes == 0 {
		return fmt.Errorf("batch policy: at least one of max rows and max bytes must be set")
	}
	return nil
}
