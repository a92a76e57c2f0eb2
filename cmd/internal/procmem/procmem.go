// Package procmem reads a process's peak resident memory from /proc.
//
// Unlike getrusage's maxrss, /proc's high-water mark counts the process's
// own memory only: Linux carries the maxrss of the process a child was
// started from over the child's exec, so a child of a large process reports
// at least its parent's size.
package procmem

import (
	"os"
	"strconv"
	"strings"
)

// PeakRSSMB is the peak resident memory (VmHWM) of the process pid ("self"
// for this one) in MiB, or 0 where /proc does not tell.
func PeakRSSMB(pid string) float64 {
	data, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			if err != nil {
				return 0
			}
			return kb / 1024
		}
	}
	return 0
}
