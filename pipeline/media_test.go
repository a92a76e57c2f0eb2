package pipeline

import "testing"

func TestMediaKey(t *testing.T) {
	for rel, want := range map[string]string{
		"a.wav":              "media/run/a.wav",
		"2024/05/call 1.wav": "media/run/2024/05/call 1.wav",
		"./x/../b.webm":      "media/run/b.webm",
		"x/../../escape.wav": "",
		"../escape.wav":      "",
		"/abs.wav":           "",
		"..":                 "",
		".":                  "",
		"":                   "",
	} {
		got, err := MediaKey("run", rel)
		if want == "" {
			if err == nil {
				t.Errorf("MediaKey(%q) = %q, want an error", rel, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("MediaKey(%q) = %q, %v; want %q", rel, got, err, want)
		}
	}
	if got, err := MediaKey("", "a.wav"); err != nil || got != "media/a.wav" {
		t.Errorf("MediaKey without a scope = %q, %v", got, err)
	}
}
