package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/pipeline"
)

// runs lists a job's run reports (ccetl runs JOB.yaml) or prints one
// (ccetl runs show RUN_ID JOB.yaml|DIR...).
func (e *env) runs(ctx context.Context, args []string) error {
	show := len(args) > 0 && args[0] == "show"
	if show {
		args = args[1:]
	}
	fs := flag.NewFlagSet("runs", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 20, "list at most this many runs, newest first (0: all)")
	addr := fs.String("addr", defaultAddr, "runs show without a job file: ask the ccetl serve at this address")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	h := jobs.History{Open: e.openState}
	if show && len(pos) == 1 {
		return e.showServedRun(ctx, *addr, pos[0])
	}
	if show {
		return e.showRun(ctx, h, pos)
	}
	if len(pos) != 1 {
		return usagef("runs: give exactly one job file (or 'runs show RUN_ID JOB.yaml')")
	}
	job, err := jobs.Load(pos[0], jobs.OSEnv())
	if err != nil {
		return err
	}
	reps, err := h.List(ctx, job, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		for i := range reps {
			reps[i].Summary = nil // the list is the headline numbers; runs show has the rest
		}
		return writeJSON(e.stdout, reps)
	}
	printRuns(e.stdout, reps)
	return nil
}

// showServedRun asks a running ccetl serve for a run of any of its jobs.
func (e *env) showServedRun(ctx context.Context, addr, id string) error {
	if strings.ContainsAny(id, "/?#") {
		return usagef("runs show: %q is not a run id", id)
	}
	base := strings.TrimRight(addr, "/")
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	body, err := apiCall(ctx, &http.Client{Timeout: 30 * time.Second}, http.MethodGet, base+"/api/runs/"+id, nil)
	if err != nil {
		return fmt.Errorf("runs show %s: %w (or give the job file: ccetl runs show RUN_ID JOB.yaml)", id, err)
	}
	_, err = e.stdout.Write(body)
	return err
}

func (e *env) showRun(ctx context.Context, h jobs.History, pos []string) error {
	if len(pos) < 2 {
		return usagef("runs show: give the run id, with the job file or a folder of job files (or --addr of a running ccetl serve)")
	}
	id := pos[0]
	files, err := jobFiles(pos[1:])
	if err != nil {
		return usagef("runs show: %v", err)
	}
	for _, f := range files {
		job, err := jobs.Load(f, jobs.OSEnv())
		if err != nil {
			return err
		}
		rep, err := h.Get(ctx, job, id)
		if errors.Is(err, pipeline.ErrStateNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		return writeJSON(e.stdout, rep)
	}
	return fmt.Errorf("runs show: no run %s in the state of %s", id, strings.Join(pos[1:], ", "))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printRuns(w io.Writer, reps []jobs.RunReport) {
	if len(reps) == 0 {
		fmt.Fprintln(w, "no runs recorded")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN ID\tTRIGGER\tSTARTED\tSECONDS\tOUTCOME\tROWS IN\tOUT\tREJECTED\tFILES\tREQUESTS\tERROR")
	for _, r := range reps {
		msg := r.Error
		if msg == "" {
			msg = r.Reason
		}
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i] + " ..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", r.RunID, r.Trigger, r.Started.Format("2006-01-02 15:04:05Z"),
			r.Seconds, r.Outcome, r.RowsIn, r.RowsOut, r.RowsRejected, r.Files, r.Requests, msg)
	}
	tw.Flush()
}
