package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/jobs/temporal"
)

// backfillTemporal starts the backfill as a Temporal workflow that ccetl
// workers run; with wait it shows progress until the workflow ends and
// prints the summary, as a local backfill does.
func (e *env) backfillTemporal(ctx context.Context, tf temporalFlags, in temporal.BackfillInput, wait, asJSON bool, log *slog.Logger) error {
	c, err := tf.dial(ctx, log, "")
	if err != nil {
		return err
	}
	defer c.Close()
	run, err := temporal.StartBackfill(ctx, c, *tf.queue, in)
	if err != nil {
		return err
	}
	if !wait {
		if asJSON {
			return writeJSON(e.stdout, map[string]string{"job": in.Job, "workflow_id": run.GetID(), "run_id": run.GetRunID(), "task_queue": *tf.queue})
		}
		fmt.Fprintf(e.stdout, "backfill %s started on Temporal: workflow %s (run %s), task queue %s\n", in.Job, run.GetID(), run.GetRunID(), *tf.queue)
		return nil
	}
	start := time.Now()
	done := make(chan error, 1)
	var res temporal.BackfillResult
	go func() { done <- run.Get(ctx, &res) }()
	var bar func(backfillSummary, time.Duration)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for waiting := true; waiting; {
		select {
		case err = <-done:
			waiting = false
		case <-tick.C:
			p, perr := temporal.Progress(ctx, c, run.GetID(), run.GetRunID())
			if perr != nil {
				continue
			}
			if bar == nil {
				bar = backfillProgress(e.stderr, p.Todo)
			}
			bar(summaryOf(p, in), time.Since(start))
		}
	}
	if err != nil {
		return fmt.Errorf("backfill %s on Temporal (workflow %s): %w", in.Job, run.GetID(), err)
	}
	sum := summaryOf(res, in)
	sum.Seconds = time.Since(start).Seconds()
	if asJSON {
		if err := writeJSON(e.stdout, sum); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "backfill %s %s..%s on Temporal: %d of %d windows of %d days committed (%d before), rows_in %d, rows_out %d, rows_rejected %d, %d requests, %.1fs\n",
			sum.Job, sum.From, sum.To, sum.Done+sum.AlreadyDone, sum.Windows, sum.WindowDays, sum.AlreadyDone, sum.RowsIn, sum.RowsOut,
			sum.RowsRejected, sum.Requests, sum.Seconds)
	}
	switch {
	case res.Outcome == jobs.OutcomeFailed:
		return fmt.Errorf("backfill %s: %s", in.Job, res.Error)
	case sum.RowsRejected > 0:
		return errRejected
	}
	return nil
}

// summaryOf is a workflow's result as `ccetl backfill --json` prints it.
func summaryOf(r temporal.BackfillResult, in temporal.BackfillInput) backfillSummary {
	s := backfillSummary{Job: r.Job, From: in.From.Format(time.DateOnly), To: in.To.Format(time.DateOnly), WindowDays: r.Days,
		Windows: r.Windows, AlreadyDone: r.AlreadyDone, Done: r.Done, Outcome: r.Outcome, Error: r.Error, Runs: []backfillWindow{}}
	for _, w := range r.Runs {
		s.Runs = append(s.Runs, backfillWindow{Start: w.Window.Start.Format(time.DateOnly), End: w.Window.End.Format(time.DateOnly),
			RunID: w.RunID, Outcome: w.Outcome, RowsIn: w.RowsIn, RowsOut: w.RowsOut, RowsRejected: w.RowsRejected,
			Requests: w.Requests, Seconds: w.Seconds, Error: w.Error, Worker: w.Worker, Attempt: w.Attempt})
		s.RowsIn += w.RowsIn
		s.RowsOut += w.RowsOut
		s.RowsRejected += w.RowsRejected
		s.Requests += w.Requests
	}
	return s
}
