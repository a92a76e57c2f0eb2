package schedule

import (
	"time"

	"github.com/robfig/cron/v3"
)

// starBit marks a field written with a wildcard in a cron.SpecSchedule.
const starBit = 1 << 63

// dstSchedule gives fixed-time schedules (minute and hour both without a
// wildcard, such as "30 2 * * *") the behaviour of Vixie cron across
// daylight-saving changes: a time skipped by the spring change runs at the
// change, and a time repeated by the autumn change runs once. Schedules with
// a wildcard minute or hour ("*", "*/2") keep running on real time.
type dstSchedule struct{ *cron.SpecSchedule }

// withDST wraps a fixed-time schedule; wild says the expression's minute
// or hour was written with a wildcard.
func withDST(s cron.Schedule, wild bool) cron.Schedule {
	spec, ok := s.(*cron.SpecSchedule)
	if !ok || wild || spec.Minute&starBit != 0 || spec.Hour&starBit != 0 {
		return s
	}
	return dstSchedule{spec}
}

func (s dstSchedule) Next(t time.Time) time.Time {
	n := s.SpecSchedule.Next(t)
	if n.IsZero() {
		return n
	}
	if g, ok := s.gapTick(t.In(s.Location), n.In(s.Location)); ok {
		return g
	}
	if s.repeated(n.In(s.Location)) {
		return s.Next(n)
	}
	return n
}

// gapTick finds the first clock change moving forward between t and n
// whose skipped wall times the schedule matches, and returns its instant.
// A sparse schedule (once a year) may have several changes between two
// ticks: they are found a day at a time, then to the second.
func (s dstSchedule) gapTick(t, n time.Time) (time.Time, bool) {
	off := func(u int64) int { _, o := time.Unix(u, 0).In(s.Location).Zone(); return o }
	const day = 24 * 60 * 60
	for from, end := t.Unix(), n.Unix(); from < end; {
		to := min(from+day, end)
		before := off(from)
		if off(to) == before {
			from = to
			continue
		}
		lo, hi := from, to
		for hi-lo > 1 {
			mid := lo + (hi-lo)/2
			if off(mid) == before {
				lo = mid
			} else {
				hi = mid
			}
		}
		if shift := off(hi) - before; shift > 0 {
			wall := time.Unix(hi, 0).In(time.FixedZone("", before)) // the first skipped wall time
			for m := 0; m < shift/60; m++ {
				if s.matches(wall.Add(time.Duration(m) * time.Minute)) {
					return time.Unix(hi, 0).In(s.Location), true
				}
			}
		}
		from = hi
	}
	return time.Time{}, false
}

// repeated reports whether n's wall time already came an hour or so
// earlier, before the clock moved back.
func (s dstSchedule) repeated(n time.Time) bool {
	_, offN := n.Zone()
	_, offP := n.Add(-3 * time.Hour).Zone()
	if offP <= offN {
		return false
	}
	earlier := n.Add(-time.Duration(offP-offN) * time.Second)
	_, offE := earlier.Zone()
	return offE == offP && earlier.Hour() == n.Hour() && earlier.Minute() == n.Minute() && earlier.Day() == n.Day()
}

func (s dstSchedule) matches(w time.Time) bool {
	sp := s.SpecSchedule
	if 1<<uint(w.Minute())&sp.Minute == 0 || 1<<uint(w.Hour())&sp.Hour == 0 || 1<<uint(w.Month())&sp.Month == 0 {
		return false
	}
	dom := 1<<uint(w.Day())&sp.Dom != 0
	dow := 1<<uint(w.Weekday())&sp.Dow != 0
	if sp.Dom&starBit != 0 || sp.Dow&starBit != 0 {
		return dom && dow
	}
	return dom || dow
}
