// Package schedule runs jobs on cron schedules: standard five-field
// expressions and descriptors (@daily, @every 15m) parsed by
// github.com/robfig/cron/v3, a time zone per job, a deterministic jitter,
// an overlap policy per job, catch-up of ticks missed during downtime and
// pause/resume.
//
// The Scheduler decides; it does not run jobs itself. It calls a RunFunc
// for each run it starts and reports every decision (a run started,
// finished, skipped, delayed or a tick missed) as an Event. Time comes from
// a Clock, so tests drive it with a FakeClock.
package schedule
