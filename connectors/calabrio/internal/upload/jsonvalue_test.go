package upload

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestObjectMembers(t *testing.T) {
	raw := []byte(` { "a" : "x,}\"]" , "b\u00e9":[1,{"c":"]"}], "d":{"e":[]},"f":-1.5e3,"g":null,"a":true } `)
	var keys, vals []string
	if err := Object(raw, func(k string, v []byte) error {
		keys, vals = append(keys, k), append(vals, string(v))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	wantK := []string{"a", "bé", "d", "f", "g", "a"}
	wantV := []string{`"x,}\"]"`, `[1,{"c":"]"}]`, `{"e":[]}`, `-1.5e3`, `null`, `true`}
	if !reflect.DeepEqual(keys, wantK) || !reflect.DeepEqual(vals, wantV) {
		t.Errorf("got %q %q", keys, vals)
	}
	stop := errors.New("stop")
	if err := Object([]byte(`{"a":1,"b":2}`), func(string, []byte) error { return stop }); err != stop {
		t.Errorf("fn's error must stop the walk: %v", err)
	}
	for _, bad := range []string{``, `[]`, `"a"`, `{"a" 1}`, `{"a":`, `{1:2}`} {
		if err := Object([]byte(bad), func(string, []byte) error { return nil }); !errors.Is(err, ErrNotObject) {
			t.Errorf("%q: got %v", bad, err)
		}
	}
}

func TestValues(t *testing.T) {
	for _, tc := range []struct {
		in      string
		numbers bool
		want    string
		ok      bool
		err     error
	}{
		{`"a\nb"`, false, "a\nb", true, nil},
		{`null`, false, "", false, nil},
		{`12`, true, "12", true, nil},
		{`12`, false, "", false, ErrWantString},
		{`{}`, true, "", false, ErrWantText},
	} {
		s, ok, err := Text([]byte(tc.in), tc.numbers)
		if s != tc.want || ok != tc.ok || !errors.Is(err, tc.err) {
			t.Errorf("Text(%s): %q %v %v", tc.in, s, ok, err)
		}
	}
	if ms, ok, err := Millis([]byte(`"1447100000000"`)); ms != 1447100000000 || !ok || err != nil {
		t.Errorf("Millis string: %d %v %v", ms, ok, err)
	}
	if _, _, err := Millis([]byte(`-1`)); err == nil {
		t.Error("Millis(-1) must fail")
	}
	if l, ok, err := List([]byte(`"a||b|"`)); !reflect.DeepEqual(l, []string{"a", "b"}) || !ok || err != nil {
		t.Errorf("List pipes: %q %v %v", l, ok, err)
	}
	if l, ok, err := List([]byte(`["x", 2, null, ""]`)); !reflect.DeepEqual(l, []string{"x", "2"}) || !ok || err != nil {
		t.Errorf("List array: %q %v %v", l, ok, err)
	}
	if _, _, err := List([]byte(`[[1]]`)); !errors.Is(err, ErrWantList) {
		t.Errorf("List nested: %v", err)
	}
	k, v, ok, err := Map([]byte(`{"a":"1","b":2,"c":false,"d":null}`))
	if !reflect.DeepEqual(k, []string{"a", "b", "c"}) || !reflect.DeepEqual(v, []string{"1", "2", "false"}) || !ok || err != nil {
		t.Errorf("Map: %q %q %v %v", k, v, ok, err)
	}
	if _, _, _, err := Map([]byte(`{"a":"1","a":"2"}`)); err == nil {
		t.Error("Map: a repeated name must fail")
	}
	n, ok, err := Elements([]byte(`{"Location":"a.wav"}`), func(int, []byte) error { return nil })
	if n != 1 || !ok || err != nil {
		t.Errorf("Elements of a lone object: %d %v %v", n, ok, err)
	}
}

// FuzzObject compares Object's scan with encoding/json on valid objects:
// the same members, with values that decode alike. Records are checked
// for valid UTF-8 before Object sees them (encoding/json would replace bad
// bytes in keys), so such input is out of scope.
func FuzzObject(f *testing.F) {
	f.Add([]byte(`{"a":"x,}\"]","b":[1,{"c":"]"}],"d":{"e":[]},"f":-1.5e3,"g":null}`))
	f.Add([]byte(`{"\u0041":"\\","":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var want map[string]json.RawMessage
		if !utf8.Valid(data) || json.Unmarshal(data, &want) != nil || want == nil {
			return
		}
		got := map[string][]byte{}
		err := Object(data, func(k string, v []byte) error {
			got[k] = v // the last of repeated keys wins, as in encoding/json
			return nil
		})
		if err != nil {
			t.Fatalf("Object failed on a valid object: %v", err)
		}
		if len(got) != len(want) {
			t.Fatalf("got %d members, want %d", len(got), len(want))
		}
		for k, w := range want {
			var a, b any
			if json.Unmarshal(got[k], &a) != nil || json.Unmarshal(w, &b) != nil || !reflect.DeepEqual(a, b) {
				t.Fatalf("member %q: got %s, want %s", k, got[k], bytes.TrimSpace(w))
			}
		}
	})
}
