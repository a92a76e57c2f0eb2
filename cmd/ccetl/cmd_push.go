package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/pipeline"
)

// plan prints (and with -o saves) what a push job would do, writing
// nothing to the target.
func (e *env) plan(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print the plan as JSON on stdout")
	out := fs.String("o", "", "save the plan to this file, for 'ccetl apply'")
	all := fs.Bool("all", false, "list every change, unchanged records included")
	limit := fs.Int("limit", 0, "plan only the first N records of each entity")
	lf := addLogFlags(fs, "warn")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("plan: give exactly one job file")
	}
	job, err := jobs.Load(pos[0], jobs.OSEnv())
	if err != nil {
		return err
	}
	if job.Target == nil {
		return usagef("plan: job %s has no target block: only push jobs are planned", job.Name)
	}
	log, err := lf.logger(e.stderr)
	if err != nil {
		return err
	}
	r := jobs.Runner{Registry: e.reg, Logger: log, State: e.openState}
	pl, err := r.Plan(ctx, job, jobs.PushOptions{Limit: *limit})
	if err != nil {
		return err
	}
	defer pl.Close()
	if *out != "" {
		if err := savePlan(*out, pl.Plan); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(pl.Plan)
	}
	printPlan(e.stdout, pl.Plan, *all)
	if *out != "" {
		fmt.Fprintf(e.stdout, "\nSaved to %s. Apply exactly this plan with: ccetl apply %s %s\n", *out, *out, pos[0])
	}
	return nil
}

// apply carries out a saved plan: the job is planned again and the saved
// plan applied only when both agree.
func (e *env) apply(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("apply", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print one JSON summary on stdout")
	lf := addLogFlags(fs, "info")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("apply: give the plan file and the job file (ccetl apply plan.json JOB.yaml)")
	}
	saved, err := loadPlan(pos[0])
	if err != nil {
		return err
	}
	job, err := jobs.Load(pos[1], jobs.OSEnv())
	if err != nil {
		return err
	}
	return e.push(ctx, job, jobs.PushOptions{Saved: saved}, *asJSON, lf)
}

// push runs a push job (plan and apply in one go, or a saved plan) and
// prints its summary.
func (e *env) push(ctx context.Context, job *jobs.Job, opts jobs.PushOptions, asJSON bool, lf logFlags) error {
	log, err := lf.logger(e.stderr)
	if err != nil {
		return err
	}
	sum, _, runErr := e.recorded(ctx, job, runMeta{trigger: jobs.TriggerManual}, log, func(id string) (jobs.Summary, error) {
		r := jobs.Runner{Registry: e.reg, Logger: log, State: e.openState, RunID: id}
		return r.Push(ctx, job, opts)
	})
	if err := e.printRun(sum, asJSON); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	if failed := sum.Push != nil && sum.Push.Failed() > 0; failed || sum.RowsRejected > 0 {
		if !asJSON && failed {
			fmt.Fprintf(e.stderr, "ccetl: %d changes failed; see push_results and the _rejects/ files listed above\n", sum.Push.Failed())
		}
		return errRejected
	}
	return nil
}

func savePlan(path string, p *pipeline.Plan) error {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".plan-*")
	if err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save plan: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

func loadPlan(path string) (*pipeline.Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("plan file: %w", err)
	}
	var p pipeline.Plan
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("plan file %s is not a ccetl plan: %w", path, err)
	}
	if p.Version == 0 || p.Target == "" {
		return nil, fmt.Errorf("plan file %s is not a ccetl plan (no version or target)", path)
	}
	return &p, nil
}

// planListMax is how many changes of one entity and action the text plan
// lists before it only counts them.
const planListMax = 50

var actionMarks = map[string]string{
	pipeline.ActionCreate: "+", pipeline.ActionUpdate: "~", pipeline.ActionDelete: "-",
	pipeline.ActionSend: ">", pipeline.ActionInvalid: "!", pipeline.ActionSkip: "=", pipeline.ActionUnchanged: " ",
}

var actionOrder = []string{pipeline.ActionCreate, pipeline.ActionUpdate, pipeline.ActionDelete, pipeline.ActionSend,
	pipeline.ActionUnchanged, pipeline.ActionSkip, pipeline.ActionInvalid}

func printPlan(w io.Writer, p *pipeline.Plan, all bool) {
	fmt.Fprintf(w, "Plan for job %s -> %s (made %s)\n", p.Job, p.Target, p.CreatedAt.Format("2006-01-02T15:04:05Z"))
	var entities []string
	by := map[string][]pipeline.Change{}
	for _, c := range p.Changes {
		if _, seen := by[c.Entity]; !seen {
			entities = append(entities, c.Entity)
		}
		by[c.Entity] = append(by[c.Entity], c)
	}
	for _, ent := range entities {
		counts := map[string]int{}
		for _, c := range by[ent] {
			counts[c.Action]++
		}
		fmt.Fprintf(w, "\n%s: %s\n", ent, countLine(counts))
		listed := map[string]int{}
		for _, c := range by[ent] {
			if (c.Action == pipeline.ActionUnchanged || c.Action == pipeline.ActionSkip) && !all {
				continue
			}
			if listed[c.Action]++; listed[c.Action] > planListMax && !all {
				continue
			}
			line := fmt.Sprintf("  %s %-9s %s", actionMarks[c.Action], c.Action, orDash(c.Key))
			if c.TargetID != "" {
				line += "  [id " + c.TargetID + "]"
			}
			if c.Origin != "" {
				line += "  (" + c.Origin + ")"
			}
			if c.Reason != "" {
				line += "  " + c.Reason
			}
			fmt.Fprintln(w, line)
			for _, f := range c.Fields {
				fmt.Fprintf(w, "        %s: %q -> %q\n", f.Field, f.Old, f.New)
			}
		}
		for _, a := range actionOrder {
			if n := listed[a] - planListMax; n > 0 && !all {
				fmt.Fprintf(w, "  ... and %d more to %s (--all or --json lists them)\n", n, a)
			}
		}
	}
	fmt.Fprintf(w, "\nPlan: %s.\n", countLine(p.Counts()))
}

func countLine(counts map[string]int) string {
	words := map[string]string{pipeline.ActionCreate: "to create", pipeline.ActionUpdate: "to update",
		pipeline.ActionDelete: "to delete", pipeline.ActionSend: "to send", pipeline.ActionUnchanged: "unchanged",
		pipeline.ActionSkip: "skipped (sent before)", pipeline.ActionInvalid: "invalid"}
	var parts []string
	for _, a := range actionOrder {
		if counts[a] > 0 || a == pipeline.ActionCreate || a == pipeline.ActionUpdate || a == pipeline.ActionUnchanged {
			parts = append(parts, fmt.Sprintf("%d %s", counts[a], words[a]))
		}
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func printPush(w io.Writer, ps *jobs.PushSummary) {
	fmt.Fprintf(w, "push %s:", ps.Target)
	for _, s := range []string{pipeline.StatusCreated, pipeline.StatusUpdated, pipeline.StatusDeleted, pipeline.StatusSent,
		pipeline.StatusUnchanged, pipeline.StatusSkipped, pipeline.StatusFailed} {
		if n := ps.Status[s]; n > 0 {
			fmt.Fprintf(w, " %d %s", n, s)
		}
	}
	if ps.Windows > 1 { // planning and applying overlapped
		fmt.Fprintf(w, " (%d requests; read and planned in %.1f s, applied in %d windows in %.1f s)\n", len(ps.Batches),
			ps.PlanSeconds, ps.Windows, ps.ApplySeconds)
	} else {
		fmt.Fprintf(w, " (%d requests; planned in %.1f s, applied in %.1f s)\n", len(ps.Batches), ps.PlanSeconds, ps.ApplySeconds)
	}
	if ps.Limited > 0 {
		fmt.Fprintf(w, "  --limit left %d records out\n", ps.Limited)
	}
	if ps.Stopped != "" {
		fmt.Fprintf(w, "  STOPPED: %s\n", ps.Stopped)
	}
}
