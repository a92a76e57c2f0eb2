package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/jobs/schedule"
	"github.com/ccetl/ccetl/jobs/temporal"
)

// temporalStatus serves, for the schedules `serve --engine temporal`
// registered, what the embedded scheduler's server does: health, the
// status page, the jobs as JSON, pause, resume and trigger, and metrics.
// The schedules' state (next tick, paused, running) comes from Temporal;
// runs come from the jobs' run reports, which every worker writes into
// the job state, read again every refresh.
type temporalStatus struct {
	e       *env
	c       client.Client
	queue   string
	log     *slog.Logger
	metrics *metrics

	mu     sync.Mutex
	jobs   []*jobs.Job // with a schedule, by name
	files  map[string]string
	recent map[string][]jobs.RunReport
	seen   map[string]bool // run ids counted in the metrics
}

// temporalRefresh is how often the run reports are read again.
const temporalRefresh = 5 * time.Second

// serveStatus serves ts on ln until ctx ends.
func (ts *temporalStatus) serve(ctx context.Context, ln net.Listener) error {
	ts.refresh(ctx, false) // runs before the server started are shown, not counted
	srv := &http.Server{Handler: ts.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			ts.log.Error("http server", "err", err)
		}
	}()
	ts.log.Info("listening", "addr", "http://"+ln.Addr().String(), "engine", "temporal")
	t := time.NewTicker(temporalRefresh)
	defer t.Stop()
	for ctx.Err() == nil {
		select {
		case <-t.C:
			ts.refresh(ctx, true)
		case <-ctx.Done():
		}
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutCtx)
	ts.log.Info("stopped")
	return nil
}

// refresh reads each job's recent run reports; with count, the runs not
// seen before go into the metrics.
func (ts *temporalStatus) refresh(ctx context.Context, count bool) {
	ts.mu.Lock()
	js := slices.Clone(ts.jobs)
	ts.mu.Unlock()
	for _, j := range js {
		reps, err := (jobs.History{Open: ts.e.openState}).List(ctx, j, 20)
		if err != nil {
			ts.log.Warn("read run reports", "job", j.Name, "err", err)
			continue
		}
		ts.mu.Lock()
		for i := len(reps) - 1; i >= 0; i-- { // oldest first
			if r := reps[i]; !ts.seen[r.RunID] {
				ts.seen[r.RunID] = true
				if count {
					ts.metrics.observe(r)
				}
			}
		}
		ts.recent[j.Name] = reps
		ts.mu.Unlock()
	}
}

// status is each job's schedule as Temporal has it.
func (ts *temporalStatus) status() []schedule.JobStatus {
	ts.mu.Lock()
	js := slices.Clone(ts.jobs)
	ts.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out := make([]schedule.JobStatus, 0, len(js))
	for _, j := range js {
		st := schedule.JobStatus{Name: j.Name, Schedule: j.Schedule, TimeZone: j.TimeZone, Overlap: schedule.Overlap(j.Overlap)}
		if st.Overlap == "" {
			st.Overlap = schedule.OverlapSkip
		}
		d, err := ts.c.ScheduleClient().GetHandle(ctx, temporal.ScheduleID(ts.queue, j.Name)).Describe(ctx)
		if err != nil {
			ts.log.Warn("describe the Temporal Schedule", "job", j.Name, "err", err)
		} else {
			if len(d.Info.NextActionTimes) > 0 {
				st.Next = d.Info.NextActionTimes[0]
			}
			st.Paused = d.Schedule.State != nil && d.Schedule.State.Paused
			st.Running = len(d.Info.RunningWorkflows)
		}
		out = append(out, st)
	}
	return out
}

func (ts *temporalStatus) views() []jobView {
	st := ts.status()
	ts.mu.Lock()
	defer ts.mu.Unlock()
	out := make([]jobView, 0, len(st))
	for i, s := range st {
		v := jobView{JobStatus: s, File: ts.files[s.Name], Recent: ts.recent[s.Name]}
		for _, src := range ts.jobs[i].Sources {
			v.Kinds = append(v.Kinds, src.Kind)
		}
		if v.Recent == nil {
			v.Recent = []jobs.RunReport{}
		}
		out = append(out, v)
	}
	return out
}

func (ts *temporalStatus) handler() http.Handler {
	mux := http.NewServeMux()
	ok := func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) }
	mux.HandleFunc("GET /healthz", ok)
	mux.HandleFunc("GET /readyz", ok)
	mux.HandleFunc("GET /api/jobs", func(w http.ResponseWriter, _ *http.Request) { writeJSONStatus(w, http.StatusOK, ts.views()) })
	mux.HandleFunc("POST /api/jobs/{name}/{action}", ts.control)
	mux.HandleFunc("GET /api/jobs/{name}/runs", func(w http.ResponseWriter, r *http.Request) {
		ts.mu.Lock()
		reps, ok := ts.recent[r.PathValue("name")]
		known := ts.files[r.PathValue("name")] != ""
		ts.mu.Unlock()
		if !known {
			writeJSONStatus(w, http.StatusNotFound, apiError{"no such job"})
			return
		}
		if !ok {
			reps = []jobs.RunReport{}
		}
		writeJSONStatus(w, http.StatusOK, reps)
	})
	mux.HandleFunc("GET /api/runs/{id}", func(w http.ResponseWriter, r *http.Request) {
		rep, found := ts.findRun(r.PathValue("id"))
		if !found {
			writeJSONStatus(w, http.StatusNotFound, apiError{"no such run"})
			return
		}
		writeJSONStatus(w, http.StatusOK, rep)
	})
	mux.Handle("GET /metrics", ts.metrics.handler(ts.status))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		render(w, pageData{Title: "ccetl serve (Temporal, task queue " + ts.queue + ")", Now: time.Now(), Jobs: ts.views()})
	})
	mux.HandleFunc("GET /runs/{id}", func(w http.ResponseWriter, r *http.Request) {
		rep, found := ts.findRun(r.PathValue("id"))
		if !found {
			http.Error(w, "no such run", http.StatusNotFound)
			return
		}
		data, _ := json.MarshalIndent(rep, "", "  ")
		render(w, pageData{Title: "run " + rep.RunID, Now: time.Now(), Run: &rep, JSON: string(data)})
	})
	return guarded(mux)
}

func (ts *temporalStatus) findRun(id string) (jobs.RunReport, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, reps := range ts.recent {
		for _, r := range reps {
			if r.RunID == id {
				return r, true
			}
		}
	}
	return jobs.RunReport{}, false
}

// control pauses, resumes or triggers a job's Temporal Schedule.
func (ts *temporalStatus) control(w http.ResponseWriter, r *http.Request) {
	name, action := r.PathValue("name"), r.PathValue("action")
	ts.mu.Lock()
	known := ts.files[name] != ""
	ts.mu.Unlock()
	if !known {
		writeJSONStatus(w, http.StatusNotFound, apiError{schedule.ErrUnknownJob.Error()})
		return
	}
	h := ts.c.ScheduleClient().GetHandle(r.Context(), temporal.ScheduleID(ts.queue, name))
	var err error
	switch action {
	case "pause":
		err = h.Pause(r.Context(), client.SchedulePauseOptions{Note: "paused from ccetl serve"})
	case "resume":
		err = h.Unpause(r.Context(), client.ScheduleUnpauseOptions{Note: "resumed from ccetl serve"})
	case "trigger":
		err = h.Trigger(r.Context(), client.ScheduleTriggerOptions{})
	default:
		writeJSONStatus(w, http.StatusNotFound, apiError{"unknown action " + action + ": want pause, resume or trigger"})
		return
	}
	if err != nil {
		writeJSONStatus(w, http.StatusConflict, apiError{err.Error()})
		return
	}
	ts.log.Info("Temporal Schedule "+action, "job", name, "from", r.RemoteAddr)
	writeJSONStatus(w, http.StatusOK, map[string]string{"job": name, "action": action})
}
