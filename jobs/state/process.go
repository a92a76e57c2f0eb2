package state

import (
	"fmt"
	"os"
	"runtime"
	"strings"
)

// Process identifies the process holding a lease well enough to tell, on
// the same host, whether it is still running: its host name, its PID and
// its start (the boot id and the process's start time in clock ticks since
// boot, read from /proc on Linux), so that a PID reused by another process
// after a reboot or a wrap is not mistaken for the holder.
type Process struct {
	Host  string `json:"host,omitempty"`
	PID   int    `json:"pid,omitempty"`
	Start string `json:"start,omitempty"`
}

// Self is the running process.
func Self() Process {
	host, _ := os.Hostname()
	pid := os.Getpid()
	return Process{Host: host, PID: pid, Start: processStart(pid)}
}

// Liveness says what is known of a lease holder's process.
type Liveness string

const (
	Alive   Liveness = "alive"   // a process of this host, still running
	Gone    Liveness = "gone"    // a process of this host that no longer runs
	Remote  Liveness = "remote"  // a process of another host: only its lease's expiry tells
	Unknown Liveness = "unknown" // a lease written without a process, or a host where this cannot be read
)

// liveness checks p from this host.
func liveness(p Process) Liveness {
	if p.Host == "" || p.PID <= 0 || p.Start == "" {
		return Unknown
	}
	host, _ := os.Hostname()
	if p.Host != host {
		return Remote
	}
	if runtime.GOOS != "linux" {
		return Unknown
	}
	if processStart(p.PID) == p.Start {
		return Alive
	}
	return Gone
}

// processStart reads a process's boot id and start time; "" where /proc
// cannot tell (another OS, a process that is gone).
func processStart(pid int) string {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// The command name (field 2) is in parentheses and may hold spaces:
	// the fields after the last ')' start with field 3.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return ""
	}
	return strings.TrimSpace(string(boot)) + "/" + f[19] // field 22, starttime
}

func (p Process) String() string {
	if p.Host == "" {
		return "an unknown process"
	}
	return fmt.Sprintf("%s:%d", p.Host, p.PID)
}
