package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/jobs/temporal"
)

// backfillWindow is one window of a backfill in its JSON summary.
type backfillWindow struct {
	Start        string  `json:"start"`
	End          string  `json:"end"` // exclusive
	RunID        string  `json:"run_id"`
	Outcome      string  `json:"outcome"`
	RowsIn       int64   `json:"rows_in"`
	RowsOut      int64   `json:"rows_out"`
	RowsRejected int64   `json:"rows_rejected"`
	Requests     int64   `json:"requests"`
	Seconds      float64 `json:"seconds"`
	Error        string  `json:"error,omitempty"`
	// Worker and Attempt: which `ccetl worker` committed the window, on
	// which attempt (--engine temporal).
	Worker  string `json:"worker,omitempty"`
	Attempt int32  `json:"attempt,omitempty"`
}

// backfillSummary is what `ccetl backfill --json` prints.
type backfillSummary struct {
	Job          string           `json:"job"`
	From         string           `json:"from"`
	To           string           `json:"to"` // exclusive
	WindowDays   int              `json:"window_days"`
	Windows      int              `json:"windows"`         // of the whole range
	AlreadyDone  int              `json:"windows_already"` // committed by an earlier backfill, not run again
	Done         int              `json:"windows_done"`    // committed by this one
	RowsIn       int64            `json:"rows_in"`
	RowsOut      int64            `json:"rows_out"`
	RowsRejected int64            `json:"rows_rejected"`
	Requests     int64            `json:"requests"`
	Seconds      float64          `json:"seconds"`
	Outcome      string           `json:"outcome"`
	Error        string           `json:"error,omitempty"`
	Runs         []backfillWindow `json:"runs"`
}

// backfill pulls a range of days window by window, checkpointing each
// committed window, and resumes after the last one when run again.
func (e *env) backfill(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("backfill", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fromS := fs.String("from", "", "first day to pull, YYYY-MM-DD (UTC)")
	toS := fs.String("to", "", "first day NOT to pull, YYYY-MM-DD (exclusive, as the kinds' end option)")
	asJSON := fs.Bool("json", false, "print one JSON summary on stdout")
	days := fs.Int("window-days", 0, "days per window (default: the largest window_days of the job's sources)")
	again := fs.Bool("again", false, "pull the windows an earlier backfill committed too")
	leaseWait := fs.Duration("lease-wait", 10*time.Minute, "how long to wait for a scheduled run holding the job's lease before giving up")
	engine := fs.String("engine", "local", "local (this process runs the windows) or temporal (ccetl workers run them)")
	tf := addTemporalFlags(fs)
	wait := fs.Bool("wait", false, "with --engine temporal: wait for the backfill to finish, showing progress, and print its summary")
	inFlight := fs.Int("max-in-flight", 1, "with --engine temporal: windows of the job handed out at once")
	heartbeat := fs.Duration("heartbeat", 30*time.Second, "with --engine temporal: how long a window may go without a heartbeat before another worker takes it")
	gap := fs.Duration("window-gap", -1, "with --engine temporal: pause between windows, 0 for none (default: the longest span of the job's rate limits)")
	lf := addLogFlags(fs, "warn")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("backfill: give exactly one job file")
	}
	from, err1 := time.Parse(time.DateOnly, *fromS)
	to, err2 := time.Parse(time.DateOnly, *toS)
	if err1 != nil || err2 != nil {
		return usagef("backfill: give --from and --to as dates YYYY-MM-DD")
	}
	job, err := jobs.Load(pos[0], jobs.OSEnv())
	if err != nil {
		return err
	}
	if job.Target != nil {
		return usagef("backfill: job %s is a push job; backfill pulls", job.Name)
	}
	if err := jobs.Check(job, e.reg); err != nil {
		return err
	}
	log, err := lf.logger(e.stderr)
	if err != nil {
		return err
	}
	switch *engine {
	case "local":
	case "temporal":
		// the workers read the job state; here the plan only checks the range
		if _, err := jobs.PlanBackfill(ctx, job, e.reg, nil, from, to, *days, *again); err != nil {
			return usagef("%v", err)
		}
		if *inFlight < 1 || *heartbeat < time.Second {
			return usagef("backfill: --max-in-flight must be at least 1 and --heartbeat at least 1s")
		}
		in := temporal.BackfillInput{Job: job.Name, From: from, To: to, WindowDays: *days, Again: *again,
			MaxInFlight: *inFlight, Heartbeat: *heartbeat}
		if *gap >= 0 {
			in.WindowGap = gap
		}
		return e.backfillTemporal(ctx, tf, in, *wait, *asJSON, log)
	default:
		return usagef("backfill: --engine must be local or temporal")
	}
	plan, err := jobs.PlanBackfill(ctx, job, e.reg, e.openState, from, to, *days, *again)
	if err != nil {
		return usagef("%v", err)
	}
	sum := backfillSummary{Job: job.Name, From: *fromS, To: *toS, WindowDays: plan.Days, Windows: len(plan.Windows),
		AlreadyDone: len(plan.Windows) - len(plan.Todo), Outcome: jobs.OutcomeOK, Runs: []backfillWindow{}}
	bar := backfillProgress(e.stderr, len(plan.Todo))
	start := time.Now()
	var runErr error
	for _, w := range plan.Todo {
		var rep jobs.RunReport
		rep, runErr = e.runWindow(ctx, job, plan, w, log, *leaseWait, min(5*time.Second, max(*leaseWait/10, 100*time.Millisecond)), runMeta{})
		bw := backfillWindow{Start: w.Start.Format(time.DateOnly), End: w.End.Format(time.DateOnly), RunID: rep.RunID,
			Outcome: rep.Outcome, RowsIn: rep.RowsIn, RowsOut: rep.RowsOut, RowsRejected: rep.RowsRejected,
			Requests: rep.Requests, Seconds: rep.Seconds, Error: rep.Error}
		sum.Runs = append(sum.Runs, bw)
		sum.RowsIn += rep.RowsIn
		sum.RowsOut += rep.RowsOut
		sum.RowsRejected += rep.RowsRejected
		sum.Requests += rep.Requests
		if runErr != nil {
			sum.Outcome, sum.Error = rep.Outcome, rep.Error
			break
		}
		sum.Done++
		if rep.Outcome == jobs.OutcomeRejected {
			sum.Outcome = jobs.OutcomeRejected
		}
		bar(sum, time.Since(start))
	}
	sum.Seconds = time.Since(start).Seconds()
	if *asJSON {
		if err := writeJSON(e.stdout, sum); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "backfill %s %s..%s: %d of %d windows of %d days committed (%d before), rows_in %d, rows_out %d, rows_rejected %d, %d requests, %.1fs\n",
			job.Name, sum.From, sum.To, sum.Done+sum.AlreadyDone, sum.Windows, sum.WindowDays, sum.AlreadyDone, sum.RowsIn, sum.RowsOut,
			sum.RowsRejected, sum.Requests, sum.Seconds)
		if runErr != nil {
			fmt.Fprintln(e.stdout, "run it again to resume after the last committed window")
		}
	}
	if runErr != nil {
		return runErr
	}
	if sum.RowsRejected > 0 {
		return errRejected
	}
	return nil
}

// runWindow runs one window of a backfill plan and records its run
// report; while another run holds the job's lease it waits, up to
// leaseWait, trying again every poll. The window gets one report, however
// many tries it took.
func (e *env) runWindow(ctx context.Context, job *jobs.Job, plan jobs.BackfillPlan, w jobs.Window, log *slog.Logger, leaseWait, poll time.Duration,
	by runMeta) (jobs.RunReport, error) {
	wjob := plan.WindowJob(job, w)
	meta := runMeta{trigger: jobs.TriggerBackfill, window: &w, worker: by.worker, attempt: by.attempt}
	_, rep, err := e.recorded(ctx, wjob, meta, log, func(id string) (jobs.Summary, error) {
		for waited := time.Duration(0); ; waited += poll {
			r := jobs.Runner{Registry: e.reg, Logger: log, State: e.openState, RunID: id, Only: plan.Runs, Window: &w}
			sum, err := r.Run(ctx, wjob)
			if !jobs.IsLeaseHeld(err) || waited >= leaseWait || ctx.Err() != nil {
				return sum, err
			}
			if waited == 0 {
				log.Warn("another run holds the job's lease; waiting", "job", job.Name, "err", err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(poll):
			}
		}
	})
	return rep, err
}

// backfillProgress draws windows done of total, rows, requests and an ETA
// on a terminal; elsewhere it draws nothing.
func backfillProgress(w io.Writer, total int) func(backfillSummary, time.Duration) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || total == 0 {
		return func(backfillSummary, time.Duration) {}
	}
	return func(s backfillSummary, took time.Duration) {
		eta := time.Duration(0)
		if s.Done > 0 {
			eta = took / time.Duration(s.Done) * time.Duration(total-s.Done)
		}
		fmt.Fprintf(w, "\rbackfill %s: %d/%d windows, %d rows in, %d out, %d requests, ETA %s   ",
			s.Job, s.Done, total, s.RowsIn, s.RowsOut, s.Requests, eta.Round(time.Second))
		if s.Done == total {
			fmt.Fprintln(w)
		}
	}
}
