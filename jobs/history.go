package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ccetl/ccetl/pipeline"
)

// Triggers of a run, in its run report.
const (
	TriggerManual   = "manual"   // ccetl run, or ccetl serve trigger
	TriggerSchedule = "schedule" // a tick of the job's schedule
	TriggerCatchup  = "catchup"  // a tick missed during downtime, run within catchup_window
	TriggerBackfill = "backfill" // a window of ccetl backfill
)

// Outcomes of a tick that did not run, in its run report.
const (
	OutcomeMissed = "missed" // passed while no scheduler ran, older than catchup_window
)

// RunReport is the record of one run of a job, or of a tick that did not
// run: what `ccetl runs` lists. It is written into the job's state and
// next to its output.
type RunReport struct {
	Job     string `json:"job"`
	RunID   string `json:"run_id"`
	Trigger string `json:"trigger"`
	// ScheduledFor is the tick a scheduled run was for.
	ScheduledFor time.Time `json:"scheduled_for,omitzero"`
	// Window is the days a backfill run pulled, [start, end).
	Window *Window `json:"window,omitempty"`
	Host   string  `json:"host,omitempty"`
	// Worker and Attempt name the Temporal worker that ran a window of a
	// backfill spread over workers, and which try of the window it was.
	Worker   string    `json:"worker,omitempty"`
	Attempt  int       `json:"attempt,omitempty"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Seconds  float64   `json:"seconds"`
	// Outcome is ok, rejected, failed, cancelled, skipped or missed.
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
	// Reason says why a tick was skipped, delayed or missed.
	Reason string `json:"reason,omitempty"`
	// Delayed is set on a run that waited for the job's previous run.
	Delayed bool `json:"delayed,omitempty"`
	// Tables sums each table's counts over the job's sources.
	Tables       map[string]pipeline.TableStats `json:"tables,omitempty"`
	RowsIn       int64                          `json:"rows_in"`
	RowsOut      int64                          `json:"rows_out"`
	RowsRejected int64                          `json:"rows_rejected"`
	RowsMerged   int64                          `json:"rows_merged"`
	Files        int                            `json:"files"`
	BytesRead    int64                          `json:"bytes_read"`
	// Requests, Retries and TooManyRequests add up what the API sources
	// report.
	Requests        int64 `json:"requests"`
	Retries         int64 `json:"retries"`
	TooManyRequests int64 `json:"too_many_requests"`
	// Summary is the run's full summary, each source's included.
	Summary *Summary `json:"summary,omitempty"`
}

// Window is the days [Start, End) of a backfill run.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// NewRunReport makes the report of a finished run from its summary and
// error.
func NewRunReport(job *Job, trigger string, started time.Time, sum Summary, runErr error) RunReport {
	now := time.Now().UTC()
	host, _ := os.Hostname()
	r := RunReport{Job: job.Name, RunID: sum.RunID, Trigger: trigger, Host: host, Started: started.UTC(), Finished: now,
		Seconds: now.Sub(started).Seconds(), Tables: map[string]pipeline.TableStats{}}
	if r.RunID == "" {
		r.RunID = NewRunID()
	}
	for _, st := range sum.Steps {
		for name, t := range st.Tables {
			a := r.Tables[name]
			a.RowsIn += t.RowsIn
			a.RowsOut += t.RowsOut
			a.RowsRejected += t.RowsRejected
			a.RowsMerged += t.RowsMerged
			r.Tables[name] = a
			r.RowsIn += t.RowsIn
			r.RowsOut += t.RowsOut
			r.RowsRejected += t.RowsRejected
			r.RowsMerged += t.RowsMerged
		}
		r.Files += len(st.Files)
		r.BytesRead += st.Bytes
		r.Requests += ReportCount(st.Report, "requests")
		r.Retries += ReportCount(st.Report, "retries")
		r.TooManyRequests += ReportCount(st.Report, "too_many_requests")
	}
	r.Outcome = OutcomeOK
	if r.RowsRejected > 0 || (sum.Push != nil && sum.Push.Failed() > 0) {
		r.Outcome = OutcomeRejected
	}
	switch {
	case errors.Is(runErr, context.Canceled):
		r.Outcome = OutcomeCancelled
	case IsLeaseHeld(runErr):
		r.Outcome = OutcomeSkipped
		r.Reason = "another runner holds the job's lease"
	case runErr != nil:
		r.Outcome = OutcomeFailed
	}
	if runErr != nil {
		r.Error = runErr.Error()
	}
	sum.Job = job.Name
	r.Summary = &sum
	return r
}

// ReportCount adds up the numbers under key at any depth of a source's
// report (the API kinds report requests, retries and too_many_requests).
func ReportCount(m map[string]any, key string) int64 {
	var n int64
	for k, v := range m {
		switch v := v.(type) {
		case map[string]any:
			n += ReportCount(v, key)
		case int64:
			if k == key {
				n += v
			}
		case int:
			if k == key {
				n += int64(v)
			}
		case float64:
			if k == key {
				n += int64(v)
			}
		}
	}
	return n
}

// History reads and writes a job's run reports: in the job's state under
// "<job>/runs/<run id>.json", and next to its output under
// "_runs/<job>/<run id>.json".
type History struct{ Open StateOpener }

func runKey(job, id string) string { return job + "/runs/" + id + ".json" }

// Write stores the report in the job's state and next to its output. A
// failure to write either is returned; the run itself is not affected.
func (h History) Write(ctx context.Context, job *Job, r RunReport) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	ctx = context.WithoutCancel(ctx) // a cancelled run still gets its report
	var errs []error
	if st, err := h.Open(ctx, StateURL(job)); err != nil {
		errs = append(errs, err)
	} else if _, err := st.Put(ctx, runKey(job.Name, r.RunID), data, ""); err != nil {
		errs = append(errs, err)
	}
	if job.Sink.URL != "" {
		if out, err := h.Open(ctx, OutputBase(job.Sink.URL)+"/_runs"); err != nil {
			errs = append(errs, err)
		} else if _, err := out.Put(ctx, job.Name+"/"+r.RunID+".json", data, ""); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("run report %s: %w", r.RunID, err)
	}
	return nil
}

// List returns the job's run reports, newest first, at most limit (0: all).
func (h History) List(ctx context.Context, job *Job, limit int) ([]RunReport, error) {
	st, err := h.Open(ctx, StateURL(job))
	if err != nil {
		return nil, err
	}
	keys, err := st.List(ctx, job.Name+"/runs/")
	if err != nil {
		return nil, fmt.Errorf("run reports of %s: %w", job.Name, err)
	}
	// run ids sort by their second; reports of the same second are put in
	// order by their start, so a few more than asked are read
	slices.Sort(keys)
	slices.Reverse(keys)
	if limit > 0 && len(keys) > limit+16 {
		keys = keys[:limit+16]
	}
	out := make([]RunReport, 0, len(keys))
	for _, k := range keys {
		r, err := readReport(ctx, st, k)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b RunReport) int { return b.Started.Compare(a.Started) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Get returns one run report of the job.
func (h History) Get(ctx context.Context, job *Job, runID string) (RunReport, error) {
	st, err := h.Open(ctx, StateURL(job))
	if err != nil {
		return RunReport{}, err
	}
	if strings.ContainsAny(runID, "/.") || runID == "" {
		return RunReport{}, fmt.Errorf("run %q: not a run id", runID)
	}
	return readReport(ctx, st, runKey(job.Name, runID))
}

func readReport(ctx context.Context, st pipeline.StateStore, key string) (RunReport, error) {
	var r RunReport
	data, _, err := st.Get(ctx, key)
	if errors.Is(err, pipeline.ErrStateNotFound) {
		return r, fmt.Errorf("no run report %s: %w", key, err)
	}
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("run report %s: %w", key, err)
	}
	return r, nil
}

// TableNames lists a report's tables in order.
func (r RunReport) TableNames() []string { return slices.Sorted(maps.Keys(r.Tables)) }

// Prune deletes the job's oldest run reports beyond the newest keep, in
// the job's state and next to its output. It returns how many it deleted.
func (h History) Prune(ctx context.Context, job *Job, keep int) (int, error) {
	st, err := h.Open(ctx, StateURL(job))
	if err != nil {
		return 0, err
	}
	keys, err := st.List(ctx, job.Name+"/runs/")
	if err != nil || len(keys) <= keep {
		return 0, err
	}
	slices.Sort(keys)
	old := keys[:len(keys)-keep]
	var out pipeline.StateStore
	if job.Sink.URL != "" {
		out, _ = h.Open(ctx, OutputBase(job.Sink.URL)+"/_runs")
	}
	for _, k := range old {
		if err := st.Delete(ctx, k, ""); err != nil {
			return 0, err
		}
		if out != nil {
			_ = out.Delete(ctx, job.Name+"/"+strings.TrimPrefix(k, job.Name+"/runs/"), "")
		}
	}
	return len(old), nil
}
