package rowbuild

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestSetMapBytes checks that map values staged as bytes and as strings
// give the same column, mixed row by row.
func TestSetMapBytes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "m", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.BinaryTypes.String), Nullable: true},
	}, nil)
	b := NewBuilder(mem, schema)
	buf := []byte("xyz")
	b.SetMapBytes(0, []string{"a", "b"}, [][]byte{buf[:1], buf[1:]})
	b.Commit()
	buf[0] = 'q' // values are copied at Commit
	b.SetMap(0, []string{"c"}, []string{"w"})
	b.Commit()
	b.Commit() // null
	b.SetMapBytes(0, []string{"d"}, [][]byte{{}})
	b.Commit()
	b.SetMapBytes(0, nil, nil)
	b.Commit()
	rec := b.NewBatch()
	m := rec.Column(0).(*array.Map)
	keys, items := m.Keys().(*array.String), m.Items().(*array.String)
	want := []map[string]string{{"a": "x", "b": "yz"}, {"c": "w"}, nil, {"d": ""}, {}}
	for i, w := range want {
		if m.IsNull(i) != (w == nil) {
			t.Fatalf("row %d: null %v", i, m.IsNull(i))
		}
		start, end := m.ValueOffsets(i)
		got := map[string]string{}
		for j := start; j < end; j++ {
			got[keys.Value(int(j))] = items.Value(int(j))
		}
		if w != nil && len(got) != len(w) {
			t.Fatalf("row %d: %v, want %v", i, got, w)
		}
		for k, v := range w {
			if got[k] != v {
				t.Fatalf("row %d: %v, want %v", i, got, w)
			}
		}
	}
	rec.Release()
	b.Release()
	mem.AssertSize(t, 0)
}
