package pipeline

import (
	"encoding/json"
	"maps"
	"testing"
)

// A layout wire and a map wire of the same cells read, count and encode
// alike; a cell set to "" is set.
func TestWireForms(t *testing.T) {
	cells := map[string]string{"date": "2024-05-01", "serviceName": "Queue \"1\"", "empty": ""}
	l := NewWireLayout("serviceName", "unset", "date", "empty")
	lw := l.New()
	for k, v := range cells {
		lw.Set(k, v)
	}
	for _, w := range []Wire{WireMap(cells), lw} {
		if w.Len() != 3 || w.IsZero() {
			t.Errorf("%v: %d cells", w, w.Len())
		}
		if v, ok := w.Lookup("empty"); !ok || v != "" {
			t.Errorf("%v: the empty cell is not set", w)
		}
		if _, ok := w.Lookup("unset"); ok || w.Get("nowhere") != "" {
			t.Errorf("%v: an absent cell is set", w)
		}
		if !maps.Equal(w.Map(), cells) {
			t.Errorf("%v: cells %v", w, w.Map())
		}
		b, err := json.Marshal(w)
		if err != nil || string(b) != `{"date":"2024-05-01","empty":"","serviceName":"Queue \"1\""}` {
			t.Errorf("%v: JSON %s, %v", w, b, err)
		}
		var back Wire
		if err := json.Unmarshal(b, &back); err != nil || !maps.Equal(back.Map(), cells) {
			t.Errorf("%s read back as %v: %v", b, back, err)
		}
		var keys []string
		for k := range w.Sorted() {
			keys = append(keys, k)
		}
		if len(keys) != 3 || keys[0] != "date" || keys[1] != "empty" || keys[2] != "serviceName" {
			t.Errorf("%v: sorted cells %v", w, keys)
		}
	}
	if l.Index("date") != 2 || l.Index("nowhere") != -1 || lw.At(l.Index("unset")) != "" {
		t.Error("layout positions")
	}
	c := lw.Clone()
	c.Set("date", "2024-05-02")
	if lw.Get("date") != "2024-05-01" {
		t.Error("a clone shares its cells")
	}
}

// A change without wire cells has no "wire" in its JSON; one with cells
// has them whatever the form. A wire alone encodes as its map would.
func TestChangeWireJSON(t *testing.T) {
	for _, c := range []struct {
		w    Wire
		want string
	}{{Wire{}, "null"}, {WireMap(map[string]string{}), "{}"}, {NewWireLayout("a").New(), "{}"}} {
		if b, err := json.Marshal(c.w); err != nil || string(b) != c.want {
			t.Errorf("%#v encodes as %s (%v), want %s", c.w, b, err, c.want)
		}
	}
	b, _ := json.Marshal(Change{Entity: "e", Action: ActionSkip})
	var m map[string]any
	json.Unmarshal(b, &m)
	if _, ok := m["wire"]; ok {
		t.Errorf("an empty wire is written: %s", b)
	}
	w := NewWireLayout("a").New()
	b, _ = json.Marshal(Change{Entity: "e", Wire: w})
	m = nil
	json.Unmarshal(b, &m)
	if _, ok := m["wire"]; ok {
		t.Errorf("a layout wire with no cell set is written: %s", b)
	}
	w.Set("a", "1")
	b, _ = json.Marshal(Change{Entity: "e", Wire: w})
	var back Change
	if err := json.Unmarshal(b, &back); err != nil || back.Wire.Get("a") != "1" {
		t.Errorf("%s read back as %v: %v", b, back.Wire, err)
	}
}

func TestWireLayoutRefusesDuplicatesAndOverflow(t *testing.T) {
	for _, names := range [][]string{{"a", "b", "a"}, make([]string, 65)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("layout of %d names did not panic", len(names))
				}
			}()
			for i := range names {
				if names[i] == "" {
					names[i] = string(rune('A' + i))
				}
			}
			NewWireLayout(names...)
		}()
	}
	defer func() {
		if recover() == nil {
			t.Error("setting a cell outside the layout did not panic")
		}
	}()
	w := NewWireLayout("a").New()
	w.Set("b", "x")
}
