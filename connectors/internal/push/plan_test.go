package push

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/pipeline"
)

// TestHashIsStable: ledgers keep hashes across versions, so the bytes a
// record hashes to must never change.
func TestHashIsStable(t *testing.T) {
	for _, c := range []struct {
		wire map[string]string
		want string
	}{
		{map[string]string{"b": "2", "a": "1", "serviceName": "Queue 1", "date": "2024-05-01", "": "x", "z\x00": ""},
			"4f32b1efe292cfe2ec106b1b8a92bd89f4249a7de598f686e27525feb48ff72a"},
		{map[string]string{}, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	} {
		if got := Hash(pipeline.WireMap(c.wire)); got != c.want {
			t.Errorf("Hash(%v) = %s, want %s", c.wire, got, c.want)
		}
		// the same cells in a layout wire, whose layout names more cells
		// in another order, hash alike
		names := append(slices.Sorted(maps.Keys(c.wire)), "unset", "0")
		slices.Reverse(names)
		w := pipeline.NewWireLayout(names...).New()
		for k, v := range c.wire {
			w.Set(k, v)
		}
		if got := Hash(w); got != c.want {
			t.Errorf("Hash of layout wire %v = %s, want %s", w, got, c.want)
		}
	}
	long := map[string]string{"note": strings.Repeat("x", 5000)}
	if Hash(pipeline.WireMap(long)) == Hash(pipeline.WireMap(map[string]string{"note": strings.Repeat("x", 4999)})) {
		t.Error("a long cell's last byte is not hashed")
	}
	// a cell set to "" is not an absent cell
	if Hash(pipeline.WireMap(map[string]string{"a": ""})) == Hash(pipeline.WireMap(nil)) {
		t.Error("an empty cell hashes as no cell")
	}
}

// CutWhole ends a window after the sends that make whole uploads of n;
// changes that send nothing go with the sends around them.
func TestCutWhole(t *testing.T) {
	of := func(actions ...string) []pipeline.Change {
		out := make([]pipeline.Change, len(actions))
		for i, a := range actions {
			out[i] = pipeline.Change{Seq: i, Action: a}
		}
		return out
	}
	send, skip := pipeline.ActionSend, pipeline.ActionSkip
	for _, tc := range []struct {
		name    string
		changes []pipeline.Change
		n, want int
	}{
		{"fewer sends than an upload", of(send, skip, send), 3, 0},
		{"whole uploads: all of them", of(send, send, skip, send, send, skip), 2, 6},
		{"the last send waits", of(send, skip, send, send, skip), 2, 3},
		{"nothing to send", of(skip, skip), 2, 2},
	} {
		if got := CutWhole(tc.changes, tc.n); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}
