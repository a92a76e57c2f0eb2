package push

import (
	"strings"
	"testing"
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
		if got := Hash(c.wire); got != c.want {
			t.Errorf("Hash(%v) = %s, want %s", c.wire, got, c.want)
		}
	}
	long := map[string]string{"note": strings.Repeat("x", 5000)}
	if Hash(long) == Hash(map[string]string{"note": strings.Repeat("x", 4999)}) {
		t.Error("a long cell's last byte is not hashed")
	}
}
