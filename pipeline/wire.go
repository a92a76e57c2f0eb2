package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
)

// Wire is what a target sends for one record, in the target's own terms:
// cells by name (CSV columns, JSON keys). A cell is either set (possibly to
// "") or absent.
//
// A wire is a map (WireMap, or Set on the zero Wire), or a row of a
// WireLayout: a target that sends many records of the same columns (an
// upload's CSV) keeps each as a slice of its layout's cells instead of a map
// of its own, which costs a fraction of the memory and time. Both forms
// read, hash and encode alike: as JSON, a wire is an object with its set
// cells in name order (a wire that was never given cells is null).
//
// A Wire is a small value whose copies share their cells: set cells only
// on the wire that is kept (a change's), and Clone one to change a copy.
type Wire struct {
	m    map[string]string
	l    *WireLayout
	vals []string
	set  uint64 // bit i: cell i of the layout is set
}

// WireLayout names the cells of layout wires, at most 64.
type WireLayout struct {
	names  []string
	index  map[string]int
	byName []int // cell indexes in name order
}

// maxWireCells is how many cells a layout may name (a bit each in Wire.set).
const maxWireCells = 64

// NewWireLayout makes the layout of the given cell names, which must be
// distinct and at most 64.
func NewWireLayout(names ...string) *WireLayout {
	if len(names) > maxWireCells {
		panic(fmt.Sprintf("pipeline: a wire layout of %d cells (at most %d)", len(names), maxWireCells))
	}
	l := &WireLayout{names: slices.Clone(names), index: make(map[string]int, len(names))}
	for i, n := range names {
		if _, dup := l.index[n]; dup {
			panic("pipeline: wire layout names " + n + " twice")
		}
		l.index[n] = i
		l.byName = append(l.byName, i)
	}
	slices.SortFunc(l.byName, func(a, b int) int { return strings.Compare(names[a], names[b]) })
	return l
}

// Index returns the position of the cell name in the layout, or -1.
func (l *WireLayout) Index(name string) int {
	if i, ok := l.index[name]; ok {
		return i
	}
	return -1
}

// New returns an empty wire of the layout.
func (l *WireLayout) New() Wire { return Wire{l: l, vals: make([]string, len(l.names))} }

// WireMap returns the wire of m's cells; the wire uses m, not a copy.
func WireMap(m map[string]string) Wire { return Wire{m: m} }

// SetAt sets the layout wire's cell i.
func (w *Wire) SetAt(i int, v string) {
	w.vals[i] = v
	w.set |= 1 << i
}

// Set sets the named cell. On a layout wire the name must be the layout's.
func (w *Wire) Set(name, v string) {
	if w.l != nil {
		i, ok := w.l.index[name]
		if !ok {
			panic("pipeline: wire cell " + name + " is not in the layout")
		}
		w.SetAt(i, v)
		return
	}
	if w.m == nil {
		w.m = map[string]string{}
	}
	w.m[name] = v
}

// At returns the layout wire's cell i ("" when absent).
func (w Wire) At(i int) string { return w.vals[i] }

// Get returns the named cell, "" when absent.
func (w Wire) Get(name string) string {
	v, _ := w.Lookup(name)
	return v
}

// Lookup returns the named cell and whether it is set.
func (w Wire) Lookup(name string) (string, bool) {
	if w.l == nil {
		v, ok := w.m[name]
		return v, ok
	}
	i, ok := w.l.index[name]
	if !ok || w.set&(1<<i) == 0 {
		return "", false
	}
	return w.vals[i], true
}

// Len returns how many cells are set.
func (w Wire) Len() int {
	if w.l == nil {
		return len(w.m)
	}
	n := 0
	for s := w.set; s != 0; s &= s - 1 {
		n++
	}
	return n
}

// IsZero reports whether no cell is set (json's omitzero).
func (w Wire) IsZero() bool { return w.Len() == 0 }

// Layout returns the wire's layout, nil for a map wire.
func (w Wire) Layout() *WireLayout { return w.l }

// All yields the set cells: a layout wire's in layout order, a map wire's
// in no particular order.
func (w Wire) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		if w.l == nil {
			for k, v := range w.m {
				if !yield(k, v) {
					return
				}
			}
			return
		}
		for i, n := range w.l.names {
			if w.set&(1<<i) != 0 && !yield(n, w.vals[i]) {
				return
			}
		}
	}
}

// Sorted yields the set cells in name order.
func (w Wire) Sorted() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		if w.l == nil {
			for _, k := range slices.Sorted(maps.Keys(w.m)) {
				if !yield(k, w.m[k]) {
					return
				}
			}
			return
		}
		for _, i := range w.l.byName {
			if w.set&(1<<i) != 0 && !yield(w.l.names[i], w.vals[i]) {
				return
			}
		}
	}
}

// Map returns the set cells as a new map.
func (w Wire) Map() map[string]string {
	m := make(map[string]string, w.Len())
	for k, v := range w.All() {
		m[k] = v
	}
	return m
}

// Clone returns a copy that shares nothing with w.
func (w Wire) Clone() Wire {
	c := w
	c.m = maps.Clone(w.m)
	c.vals = slices.Clone(w.vals)
	return c
}

// String is the wire as JSON.
func (w Wire) String() string {
	b, _ := w.MarshalJSON()
	return string(b)
}

// MarshalJSON writes the set cells as an object in name order (as
// encoding/json writes a map).
func (w Wire) MarshalJSON() ([]byte, error) {
	if w.l == nil && w.m == nil {
		return []byte("null"), nil // as a nil map encodes
	}
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for k, v := range w.Sorted() {
		if !first {
			b.WriteByte(',')
		}
		first = false
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads an object of string cells (or null) into a map wire.
func (w *Wire) UnmarshalJSON(data []byte) error {
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*w = Wire{m: m}
	return nil
}
