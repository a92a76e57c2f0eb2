package state

import (
	"fmt"
	"os"
	"strings"
)

// Process identifies the process holding a lease well enough to tell, from
// the same host, whether it still runs. Host alone does not make "the same
// host": two machines or containers may share a name, so the boot id and the
// PID namespace must match too; and the process's start time (clock ticks
// since boot) must match, so that a PID reused by another process is not
// mistaken for the holder. Boot, PIDNS and Start come from /proc and are
// empty where there is none.
type Process struct {
	Host  string `json:"host,omitempty"`
	PID   int    `json:"pid,omitempty"`
	Boot  string `json:"boot,omitempty"`
	PIDNS string `json:"pid_ns,omitempty"`
	Start string `json:"start,omitempty"`
}

// Self is the running process.
func Self() Process {
	p := here()
	p.PID = os.Getpid()
	p.Start, _ = procStat(p.PID)
	return p
}

// here is this host as a Process records it, without a process.
func here() Process {
	host, _ := os.Hostname()
	boot, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	ns, _ := os.Readlink("/proc/self/ns/pid")
	return Process{Host: host, Boot: strings.TrimSpace(string(boot)), PIDNS: ns}
}

// Liveness says what is known of a lease holder's process.
type Liveness string

const (
	// Alive is a process of this host that still runs.
	Alive Liveness = "alive"
	// Gone is a process of this host that no longer runs (or is a zombie).
	Gone Liveness = "gone"
	// Remote is a process this host cannot see: another host, another PID
	// namespace, or this host before a reboot. Only the lease's expiry tells.
	Remote Liveness = "remote"
	// Unknown is a lease written without a process, or a host without /proc.
	Unknown Liveness = "unknown"
)

// liveness checks p from this host.
func liveness(p Process) Liveness {
	if p.Host == "" || p.PID <= 0 {
		return Unknown
	}
	me := here()
	switch {
	case p.Host != me.Host:
		return Remote
	case p.Boot == "" || me.Boot == "" || p.Start == "":
		return Unknown
	case p.Boot != me.Boot || p.PIDNS != me.PIDNS:
		return Remote
	}
	start, zombie := procStat(p.PID)
	if start != p.Start || zombie {
		return Gone
	}
	return Alive
}

// procStat reads a process's start time and whether it is a zombie
// (exited, not yet reaped); start is "" when there is no such process or
// no /proc.
func procStat(pid int) (start string, zombie bool) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", false
	}
	// The command name (field 2) is in parentheses and may hold spaces and
	// parentheses: the fields after the last ')' start with field 3, the
	// state; field 22 is the start time.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return "", false
	}
	return f[19], f[0] == "Z" || f[0] == "X"
}

func (p Process) String() string {
	if p.Host == "" {
		return "an unknown process"
	}
	return fmt.Sprintf("%s:%d", p.Host, p.PID)
}
