package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"slices"

	"github.com/ccetl/ccetl/cmd/internal/procmem"
	"github.com/ccetl/ccetl/jobs"
)

func (e *env) runJob(ctx context.Context, args []string) (err error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print one JSON summary on stdout")
	lf := addLogFlags(fs, "info")
	limit := fs.Int("limit", 0, "push jobs: push only the first N records of each entity, for a trial")
	prof := addProfileFlags(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("run: give exactly one job file")
	}
	job, err := jobs.Load(pos[0], jobs.OSEnv())
	if err != nil {
		return err
	}
	stop, err := prof.start()
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stop()) }()
	if job.Target != nil { // a push job: plan and apply in one go
		return e.push(ctx, job, jobs.PushOptions{Limit: *limit}, *asJSON, lf)
	}
	if *limit > 0 {
		return usagef("run: --limit is for push jobs (a job with a target block)")
	}
	return e.execute(ctx, job, *asJSON, lf, e.openState)
}

// execute runs a job and prints its summary.
func (e *env) execute(ctx context.Context, job *jobs.Job, asJSON bool, lf logFlags, st jobs.StateOpener) error {
	log, err := lf.logger(e.stderr)
	if err != nil {
		return err
	}
	runOnce := func(id string) (jobs.Summary, error) {
		r := jobs.Runner{Registry: e.reg, Logger: log, Progress: progressFor(e.stderr), State: st, RunID: id}
		return r.Run(ctx, job)
	}
	var sum jobs.Summary
	var runErr error
	if st == nil { // one-shot conversion: no state, no run history
		sum, runErr = runOnce("")
	} else {
		sum, _, runErr = e.recorded(ctx, job, runMeta{trigger: jobs.TriggerManual}, log, runOnce)
	}
	if err := e.printRun(sum, asJSON); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	if sum.RowsRejected > 0 {
		if !asJSON {
			fmt.Fprintf(e.stderr, "ccetl: %d rows rejected; see the _rejects/ files listed above\n", sum.RowsRejected)
		}
		return errRejected
	}
	return nil
}

// printRun prints a run's summary, with the process's peak memory: one
// JSON document, or text (and the push's outcome, for a push).
func (e *env) printRun(sum jobs.Summary, asJSON bool) error {
	sum.PeakRSSMB = procmem.PeakRSSMB("self")
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	printSummary(e.stdout, sum)
	if sum.Push != nil {
		printPush(e.stdout, sum.Push)
	}
	return nil
}

func printSummary(w interface{ Write([]byte) (int, error) }, s jobs.Summary) {
	for _, st := range s.Steps {
		if st.Outcome == jobs.OutcomeSkipped {
			fmt.Fprintf(w, "source %d %s: skipped (not run)\n", st.Source, st.Kind)
			continue
		}
		label := st.Kind
		if st.Source > 0 {
			label = fmt.Sprintf("source %d %s", st.Source, st.Kind)
		}
		fmt.Fprintf(w, "%s (run %s): %s, %d files in %.1fs\n", label, st.RunID, orOK(st.Outcome), len(st.Files), st.Seconds)
		for _, name := range slices.Sorted(maps.Keys(st.Tables)) {
			t := st.Tables[name]
			fmt.Fprintf(w, "  %-40s rows_in %d  rows_out %d  rejected %d", name, t.RowsIn, t.RowsOut, t.RowsRejected)
			if t.RowsMerged > 0 {
				fmt.Fprintf(w, "  merged %d", t.RowsMerged)
			}
			fmt.Fprintln(w)
		}
		for _, r := range st.Rejects {
			fmt.Fprintf(w, "  rejects: %s\n", r)
		}
		if st.Error != "" {
			fmt.Fprintf(w, "  FAILED: %s\n  nothing of this source after its last checkpoint was committed\n", st.Error)
		}
	}
	fmt.Fprintf(w, "total: rows_in %d, rows_out %d, rows_rejected %d, rows_merged %d, %d files (median %s), %.1f MB/s", s.RowsIn,
		s.RowsOut, s.RowsRejected, s.RowsMerged, len(s.Files), humanBytes(s.MedianFileBytes), s.MBPerSecond)
	if s.PeakRSSMB > 0 {
		fmt.Fprintf(w, ", peak RSS %.0f MB", s.PeakRSSMB)
	}
	fmt.Fprintf(w, ", output %s\n", s.Output)
}

func orOK(outcome string) string {
	if outcome == "" {
		return jobs.OutcomeOK
	}
	return outcome
}

// humanBytes writes a size in B, KB or MB.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
