package rowbuild

import (
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ccetl/ccetl/pipeline"
)

// Batcher accumulates one table's rows and rejects for one input and cuts
// them into batches by the batch policy.
type Batcher struct {
	Table  pipeline.Table
	B      *Builder
	policy pipeline.BatchPolicy

	rejects []pipeline.Reject
	read    int64
	merged  int64
	bytes   int64
}

// NewBatcher makes a batcher for table t.
func NewBatcher(mem memory.Allocator, t pipeline.Table, policy pipeline.BatchPolicy) *Batcher {
	return &Batcher{Table: t, B: NewBuilder(mem, t.Schema), policy: policy}
}

// Commit appends the staged row; size is its input bytes.
func (t *Batcher) Commit(size int) {
	t.B.Commit()
	t.read++
	t.bytes += int64(size)
}

// Reject drops the staged row and records why.
func (t *Batcher) Reject(r pipeline.Reject) {
	t.B.Discard()
	t.rejects = append(t.rejects, r)
	t.read++
	t.bytes += int64(len(r.Raw))
}

// Merge counts a row folded into an earlier one with the same key.
func (t *Batcher) Merge() {
	t.B.Discard()
	t.read++
	t.merged++
}

// Full reports whether the batch should be cut.
func (t *Batcher) Full() bool {
	return t.policy.Full(t.B.Rows()+len(t.rejects), t.bytes)
}

// Pending reports whether anything is waiting to be flushed.
func (t *Batcher) Pending() bool { return t.read > 0 }

// Flush returns what accumulated as a batch of input and resets.
func (t *Batcher) Flush(input string) pipeline.Batch {
	b := pipeline.Batch{Table: t.Table.Name, Rec: t.B.NewBatch(), Rejects: t.rejects,
		RowsRead: t.read, Merged: t.merged, Input: input}
	t.rejects, t.read, t.merged, t.bytes = nil, 0, 0, 0
	return b
}

// Release frees the builder.
func (t *Batcher) Release() { t.B.Release() }
