package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/ccetl/ccetl/jobs"
)

// runMeta is what a run report says besides the run's summary.
type runMeta struct {
	trigger string
	tick    time.Time
	window  *jobs.Window
	delayed bool
	// drain, once closed, stops the run at its next checkpoint.
	drain <-chan struct{}
	// worker and attempt name the Temporal worker running a window, and
	// its try.
	worker  string
	attempt int
}

// recorded runs a job under a new run id and writes its run report into
// the job's state and next to its output. A report that cannot be written
// is logged; the run's own error is returned.
func (e *env) recorded(ctx context.Context, job *jobs.Job, meta runMeta, log *slog.Logger,
	run func(runID string) (jobs.Summary, error)) (jobs.Summary, jobs.RunReport, error) {
	id := jobs.NewRunID()
	start := time.Now()
	sum, err := recovered(id, run, log)
	sum.RunID = id
	rep := jobs.NewRunReport(job, meta.trigger, start, sum, err)
	rep.ScheduledFor, rep.Window, rep.Delayed = meta.tick, meta.window, meta.delayed
	rep.Worker, rep.Attempt = meta.worker, meta.attempt
	if werr := (jobs.History{Open: e.openState}).Write(ctx, job, rep); werr != nil {
		log.Warn("run report not written", "job", job.Name, "run_id", id, "err", werr)
	}
	return sum, rep, err
}

// recovered calls run, turning a panic on its goroutine (a bug) into the
// run's error, so that the run is recorded as failed and a server's other
// jobs go on.
func recovered(id string, run func(string) (jobs.Summary, error), log *slog.Logger) (sum jobs.Summary, err error) {
	defer func() {
		if p := recover(); p != nil {
			log.Error("the run panicked: this is a bug in ccetl", "run_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("the run panicked (a bug in ccetl, please report it): %v", p)
		}
	}()
	return run(id)
}

// runAny runs a pull or a push job once and records it.
func (e *env) runAny(ctx context.Context, job *jobs.Job, meta runMeta, log *slog.Logger) (jobs.Summary, jobs.RunReport, error) {
	return e.recorded(ctx, job, meta, log, func(id string) (jobs.Summary, error) {
		r := jobs.Runner{Registry: e.reg, Logger: log.With("job_run", id), State: e.openState, RunID: id, Drain: meta.drain}
		if job.Target != nil {
			return r.Push(ctx, job, jobs.PushOptions{})
		}
		return r.Run(ctx, job)
	})
}

// jobFiles expands folders to the job files in them (*.yaml, *.yml, in
// name order); files pass through.
func jobFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, en := range ents {
			if n := en.Name(); !en.IsDir() && !strings.HasPrefix(n, ".") && (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
				names = append(names, filepath.Join(p, n))
			}
		}
		slices.Sort(names)
		out = append(out, names...)
	}
	return out, nil
}
