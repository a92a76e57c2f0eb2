package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"slices"

	"go.temporal.io/sdk/client"

	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/jobs/schedule"
	"github.com/ccetl/ccetl/jobs/temporal"
)

// engineTemporal reports whether a serve command line asks for
// --engine temporal (in either flag form).
func engineTemporal(args []string) bool {
	for i, a := range args {
		switch a {
		case "--engine=temporal", "-engine=temporal":
			return true
		case "--engine", "-engine":
			if i+1 < len(args) && args[i+1] == "temporal" {
				return true
			}
		}
	}
	return false
}

// serveTemporal registers each job's schedule as a Temporal Schedule that
// `ccetl worker` processes run, instead of ticking itself, and returns.
// Run it again after changing the job files: it updates the schedules.
func (e *env) serveTemporal(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.String("engine", "temporal", "temporal: register the schedules on Temporal")
	tf := addTemporalFlags(fs)
	addr := fs.String("addr", "", "after registering the schedules, serve their health, status page, control API and metrics on HOST:PORT until interrupted")
	lf := addLogFlags(fs, "warn")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("serve: give job files or folders of job files")
	}
	levelSet := false
	fs.Visit(func(f *flag.Flag) { levelSet = levelSet || f.Name == "log-level" })
	if *addr != "" && !levelSet {
		*lf.level = "info" // a server says when it listens and what it is asked to do
	}
	log, err := lf.logger(e.stderr)
	if err != nil {
		return err
	}
	byName, err := e.jobIndex(pos)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	var opts []scheduleOpts
	var scheduled []*jobs.Job
	for _, n := range names {
		j, err := jobs.Load(byName[n], jobs.OSEnv())
		if err != nil {
			return err
		}
		if j.Schedule == "" {
			continue
		}
		scheduled = append(scheduled, j)
		o, err := temporal.ScheduleOptions(*tf.queue, schedule.Job{Name: j.Name, Schedule: j.Schedule, TimeZone: j.TimeZone,
			Jitter: j.Jitter, Overlap: schedule.Overlap(j.Overlap), CatchupWindow: j.CatchupWindow})
		if err != nil {
			return usagef("serve: %v", err)
		}
		quotas, cooldown := jobs.Quotas(j, e.reg)
		o = temporal.WithQuotas(o, quotas, cooldown)
		opts = append(opts, scheduleOpts{job: j.Name, opts: o})
	}
	if len(opts) == 0 {
		return usagef("serve: no job has a schedule:")
	}
	c, err := tf.dial(ctx, log, "")
	if err != nil {
		return err
	}
	defer c.Close()
	var errs []error
	for _, o := range opts {
		created, err := temporal.PutSchedule(ctx, c, o.opts)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		verb := "updated"
		if created {
			verb = "created"
		}
		fmt.Fprintf(e.stdout, "%s Temporal Schedule %s (%s)\n", verb, o.opts.ID, o.opts.Spec.CronExpressions[0])
	}
	if err := errors.Join(errs...); err != nil || *addr == "" {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ts := &temporalStatus{e: e, c: c, queue: *tf.queue, log: log, metrics: newMetrics(), jobs: scheduled,
		files: map[string]string{}, recent: map[string][]jobs.RunReport{}, seen: map[string]bool{}}
	for _, j := range scheduled {
		ts.files[j.Name] = byName[j.Name]
	}
	return ts.serve(ctx, ln)
}

type scheduleOpts struct {
	job  string
	opts client.ScheduleOptions
}

// runActivity runs a job once for a tick of its Temporal Schedule and
// records its run report, as `ccetl serve` does.
func (e *env) runActivity(ctx context.Context, byName map[string]string, in temporal.RunInput, log *slog.Logger) (temporal.RunResult, error) {
	path, ok := byName[in.Job]
	if !ok {
		return temporal.RunResult{}, temporal.Config(fmt.Errorf("job %s is not among this worker's job files", in.Job))
	}
	job, err := jobs.Load(path, jobs.OSEnv())
	if err != nil {
		return temporal.RunResult{}, temporal.Config(err)
	}
	if err := jobs.Check(job, e.reg); err != nil {
		return temporal.RunResult{}, temporal.Config(err)
	}
	trigger := in.Trigger
	if trigger == "" {
		trigger = jobs.TriggerSchedule
	}
	_, rep, err := e.runAny(ctx, job, runMeta{trigger: trigger}, log)
	res := temporal.RunResult{RunID: rep.RunID, Outcome: rep.Outcome, RowsIn: rep.RowsIn, RowsOut: rep.RowsOut,
		RowsRejected: rep.RowsRejected, Error: rep.Error}
	switch {
	case err == nil:
		return res, nil
	case jobs.IsLeaseHeld(err), ctx.Err() != nil:
		return res, err // another run holds the job, or this worker is stopping: try again
	}
	return res, temporal.RunFailed(err)
}
