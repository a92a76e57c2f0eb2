package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// A conversion runs under its soft memory limit and puts the process's
// limit back afterwards; a bad limit is a usage error.
func TestConvertMemoryLimit(t *testing.T) {
	in := filepath.Join(repoRoot(t), "configs/samples/whit")
	before := debug.SetMemoryLimit(-1)
	prof := filepath.Join(t.TempDir(), "heap.pprof")
	code, _, stderr := call(t, "convert", "--kind", "whit", "--out", t.TempDir(), "--memory-limit", "96MiB", "--memprofile", prof, in)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Errorf("memory limit %d after the conversion, was %d", after, before)
	}
	if st, err := os.Stat(prof); err != nil || st.Size() == 0 {
		t.Errorf("no heap profile written: %v", err)
	}
	code, _, stderr = call(t, "convert", "--kind", "whit", "--out", t.TempDir(), "--memory-limit", "lots", in)
	if code != exitConfig || !strings.Contains(stderr, "--memory-limit") {
		t.Errorf("bad limit: exit %d, stderr %q", code, stderr)
	}
}

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]int64{"128MiB": 128 << 20, "2GiB": 2 << 30, "500MB": 500e6, "4096": 4096, " 64 KiB ": 64 << 10} {
		if got, err := parseByteSize(in); err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-5MiB", "1.5GiB", "MiB"} {
		if _, err := parseByteSize(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}
