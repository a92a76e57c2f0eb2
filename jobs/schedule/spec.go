package schedule

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Overlap says what a tick does while the job's previous run still runs.
type Overlap string

// Overlap policies.
const (
	// OverlapSkip drops the tick (the default).
	OverlapSkip Overlap = "skip"
	// OverlapBufferOne runs the tick once the running run ends; further
	// ticks meanwhile are dropped.
	OverlapBufferOne Overlap = "buffer_one"
	// OverlapAllow starts the run at once. The job's lease still lets only
	// one run of a job write at a time, so the second one is refused by it.
	OverlapAllow Overlap = "allow"
)

// ParseOverlap checks an overlap policy; "" is OverlapSkip.
func ParseOverlap(s string) (Overlap, error) {
	switch o := Overlap(s); o {
	case "":
		return OverlapSkip, nil
	case OverlapSkip, OverlapBufferOne, OverlapAllow:
		return o, nil
	}
	return "", fmt.Errorf("want %s (the default), %s or %s", OverlapSkip, OverlapBufferOne, OverlapAllow)
}

// Job is one scheduled job.
type Job struct {
	Name string
	// Schedule is a cron expression: five fields, or a descriptor such as
	// @daily or @every 15m, optionally prefixed with CRON_TZ=Zone.
	Schedule string
	// TimeZone is the IANA zone of the expression when it has no CRON_TZ=
	// prefix; "" is UTC.
	TimeZone string
	// Jitter delays each tick by up to this much, by the same amount for
	// the same job and tick (so a restart does not move it).
	Jitter time.Duration
	// Overlap is the policy for ticks while a run is running.
	Overlap Overlap
	// CatchupWindow is how late a missed tick may still run, once, when
	// the scheduler comes back after downtime. Older ticks are reported
	// missed. Zero runs none of them.
	CatchupWindow time.Duration
	// Paused is the state a job starts in when the scheduler first gets
	// it (a pause kept from an earlier process); Pause and Resume change
	// it afterwards.
	Paused bool
}

// Parse parses a schedule with a time zone ("" for UTC, unless expr has a
// CRON_TZ= or TZ= prefix, which may not be combined with tz). A schedule at
// fixed times runs once on the days the clocks change: a time the spring
// change skips runs at the change, a time the autumn change repeats runs
// the first time.
func Parse(expr, tz string) (cron.Schedule, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return nil, fmt.Errorf("empty schedule")
	}
	prefixed := strings.HasPrefix(expr, "CRON_TZ=") || strings.HasPrefix(expr, "TZ=")
	switch {
	case prefixed && tz != "":
		return nil, fmt.Errorf("the schedule names its time zone with CRON_TZ= and time_zone gives another: give it once")
	case !prefixed:
		if tz == "" {
			tz = "UTC"
		}
		if _, err := time.LoadLocation(tz); err != nil {
			return nil, fmt.Errorf("time zone %q: not a known IANA zone", tz)
		}
		expr = "CRON_TZ=" + tz + " " + expr
	}
	s, err := cron.ParseStandard(expr)
	if err != nil {
		return nil, err
	}
	return withDST(s, wildTime(expr)), nil
}

// wildTime says whether a five-field expression's minute or hour is
// written with a wildcard ("*", "*/2"): the parsed schedule does not keep
// that for a step.
func wildTime(expr string) bool {
	f := strings.Fields(expr)
	if len(f) > 0 && (strings.HasPrefix(f[0], "CRON_TZ=") || strings.HasPrefix(f[0], "TZ=")) {
		f = f[1:]
	}
	return len(f) >= 2 && !strings.HasPrefix(f[0], "@") && (strings.HasPrefix(f[0], "*") || strings.HasPrefix(f[1], "*"))
}

// jitterFor is the job's delay for a tick: in [0, max), the same for the
// same job and tick.
func jitterFor(job string, tick time.Time, max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(job))
	var b [8]byte
	u := uint64(tick.Unix())
	for i := range b {
		b[i] = byte(u >> (8 * i))
	}
	h.Write(b[:])
	return time.Duration(h.Sum64() % uint64(max))
}
