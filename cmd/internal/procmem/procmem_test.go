package procmem

import (
	"runtime"
	"testing"
)

// The peak grows with memory touched, and a process that does not exist
// has none.
func TestPeakRSSMB(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("read from /proc")
	}
	before := PeakRSSMB("self")
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	after := PeakRSSMB("self")
	runtime.KeepAlive(buf)
	if before <= 0 || after < before+60 {
		t.Fatalf("peak %v MiB before touching 64 MiB, %v after", before, after)
	}
	if got := PeakRSSMB("0"); got != 0 {
		t.Fatalf("pid 0: %v, want 0", got)
	}
}
