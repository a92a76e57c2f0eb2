package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// A conversion runs under its soft memory limit and puts the process's
// limit back afterwards; a bad limit is a usage error.
func TestConvertMemoryLimit(t *testing.T) {
	in := filepath.Join(repoRoot(t), "configs/samples/whit")
	before := debug.SetMemoryLimit(-1)
	dir := t.TempDir()
	prof, cpu, tr := filepath.Join(dir, "heap.pprof"), filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "run.trace")
	code, _, stderr := call(t, "convert", "--kind", "whit", "--out", t.TempDir(), "--memory-limit", "96MiB", "--memprofile", prof,
		"--cpuprofile", cpu, "--trace", tr, in)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Errorf("memory limit %d after the conversion, was %d", after, before)
	}
	if st, err := os.Stat(prof); err != nil || st.Size() == 0 {
		t.Errorf("no heap profile written: %v", err)
	}
	if b, err := os.ReadFile(cpu); err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b { // pprof files are gzipped
		t.Errorf("no CPU profile written: %v", err)
	}
	if b, err := os.ReadFile(tr); err != nil || !strings.HasPrefix(string(b), "go 1.") {
		t.Errorf("no execution trace written: %v", err)
	}
	// a trace that cannot be written fails the command and stops the CPU
	// profile it started, so the next run can profile again
	code, _, stderr = call(t, "convert", "--kind", "whit", "--out", t.TempDir(), "--cpuprofile", cpu,
		"--trace", filepath.Join(dir, "missing", "run.trace"), in)
	if code == exitOK || !strings.Contains(stderr, "trace") {
		t.Errorf("unwritable trace: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr = call(t, "convert", "--kind", "whit", "--out", t.TempDir(), "--cpuprofile", cpu, in); code != exitOK {
		t.Errorf("profiling after a failed start: exit %d: %s", code, stderr)
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

// The summary tells the process's peak memory where the system does
// (Linux's /proc): in the JSON and on the text summary's last line.
func TestSummaryPeakRSS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS is read from /proc")
	}
	in := filepath.Join(repoRoot(t), "configs/samples/whit")
	code, stdout, stderr := call(t, "convert", "--kind", "whit", "--json", "--out", t.TempDir(), in)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var sum struct {
		PeakRSSMB float64 `json:"peak_rss_mb"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil || sum.PeakRSSMB <= 1 || sum.PeakRSSMB > 1<<20 {
		t.Fatalf("peak_rss_mb %v (%v) in %s", sum.PeakRSSMB, err, stdout)
	}
	code, stdout, stderr = call(t, "convert", "--kind", "whit", "--out", t.TempDir(), in)
	if code != exitOK || !regexp.MustCompile(`, peak RSS [1-9][0-9]* MB, output `).MatchString(stdout) {
		t.Fatalf("exit %d, text summary without the peak RSS:\n%s%s", code, stdout, stderr)
	}
}
