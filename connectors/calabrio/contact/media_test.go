package contact

import (
	"path"
	"strings"
	"testing"
)

// mediaTypeRef is the rule mediaType implements: path.Ext, lower-cased
// with Unicode case mapping, looked up among the documented types.
func mediaTypeRef(name string) (bool, bool) {
	audioOnly, ok := mediaExt[strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))]
	return audioOnly, ok
}

var mediaNames = []string{
	"call.wav", "CALL.WAV", "a.WeBmA", "a.webmv", "a.WMV", "a.spx", "a.webm",
	"a.wav.txt", "a.txt.wav", "wav", ".wav", "a.", "a..wav", "", ".",
	"dir.wav/file", "dir/file.wav", "dir.x/file.webm", "a.webmaa", "a.wa", "a.wavv",
	"a.W\u0130V", "a.\u212Aav", "a.wäv", "a.WAV\u0301", "a.w\xffv", "a.\xff", "é.wav",
	"a.webmvvvvvvvv", "a.abcdefghij",
}

func TestMediaType(t *testing.T) {
	for _, n := range mediaNames {
		a, ok := mediaType([]byte(n))
		ra, rok := mediaTypeRef(n)
		if a != ra || ok != rok {
			t.Errorf("mediaType(%q) = %v, %v; want %v, %v", n, a, ok, ra, rok)
		}
	}
}

func FuzzMediaType(f *testing.F) {
	for _, n := range mediaNames {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n string) {
		a, ok := mediaType([]byte(n))
		ra, rok := mediaTypeRef(n)
		if a != ra || ok != rok {
			t.Fatalf("mediaType(%q) = %v, %v; want %v, %v", n, a, ok, ra, rok)
		}
	})
}
