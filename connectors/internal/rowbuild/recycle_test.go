package rowbuild

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestRecyclerReusesZeroedBuffers(t *testing.T) {
	parent := memory.NewCheckedAllocator(memory.NewGoAllocator())
	r := NewRecycler(parent, 1<<20)

	b := r.Allocate(5000)
	if len(b) != 5000 || cap(b) != 8192 {
		t.Fatalf("len %d cap %d, want 5000 and the 8 KiB class", len(b), cap(b))
	}
	for i := range b {
		b[i] = 0xff
	}
	r.Free(b)
	if r.Held() != 8192 {
		t.Fatalf("held %d after a free, want 8192", r.Held())
	}
	again := r.Allocate(6000)
	if &again[0] != &b[0] {
		t.Fatal("a freed buffer of the same class was not reused")
	}
	for i, c := range again {
		if c != 0 {
			t.Fatalf("reused byte %d is %#x, want zero", i, c)
		}
	}
	// Growing in place zeroes what the earlier user left past the length.
	grown := r.Reallocate(8000, again[:100])
	for i, c := range grown[100:] {
		if c != 0 {
			t.Fatalf("grown byte %d is %#x, want zero", 100+i, c)
		}
	}
	r.Free(grown)

	small := r.Allocate(100) // below the smallest class: the parent's own
	r.Free(small)
	if r.Held() != 8192 {
		t.Fatalf("held %d, a small buffer must not be kept", r.Held())
	}
	r.Close()
	if r.Held() != 0 {
		t.Fatalf("held %d after Close", r.Held())
	}
	late := r.Allocate(4096)
	r.Free(late) // after Close: straight back to the parent
	parent.AssertSize(t, 0)
}

func TestRecyclerBound(t *testing.T) {
	parent := memory.NewCheckedAllocator(memory.NewGoAllocator())
	r := NewRecycler(parent, 16<<10)
	bufs := [][]byte{r.Allocate(8192), r.Allocate(8192), r.Allocate(8192)}
	for _, b := range bufs {
		r.Free(b)
	}
	if r.Held() != 16<<10 {
		t.Fatalf("held %d, want the 16 KiB bound", r.Held())
	}
	if got := parent.CurrentAlloc(); got != 16<<10 {
		t.Fatalf("parent has %d bytes out, want only the kept 16 KiB", got)
	}
	r.Close()
	parent.AssertSize(t, 0)
}

// Batches built one after another in recycled memory hold their own values
// once the earlier ones are released.
func TestRecyclerBatches(t *testing.T) {
	parent := memory.NewCheckedAllocator(memory.NewGoAllocator())
	r := NewRecycler(parent, 64<<20)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := NewBuilder(r, schema)
	for round := 0; round < 3; round++ {
		for i := 0; i < 10000; i++ {
			if i%7 != 0 {
				b.SetInt(0, int64(round*100000+i))
			}
			if i%5 != 0 {
				b.SetString(1, string(rune('a'+round))+"-value")
			}
			b.Commit()
		}
		rec := b.NewBatch()
		n := rec.Column(0).(*array.Int64)
		s := rec.Column(1).(*array.String)
		for i := 0; i < 10000; i++ {
			if got, null := n.Value(i), n.IsNull(i); null != (i%7 == 0) || (!null && got != int64(round*100000+i)) {
				t.Fatalf("round %d row %d: n %d null %v", round, i, got, null)
			}
			if got, null := s.Value(i), s.IsNull(i); null != (i%5 == 0) || (!null && got != string(rune('a'+round))+"-value") {
				t.Fatalf("round %d row %d: s %q null %v", round, i, got, null)
			}
		}
		rec.Release()
	}
	b.Release()
	r.Close()
	parent.AssertSize(t, 0)
}
