package main

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/jobs/schedule"
)

// jobView is a job as the control API and the status page show it.
type jobView struct {
	schedule.JobStatus
	File    string           `json:"file"`
	Kinds   []string         `json:"kinds"`
	Target  string           `json:"target,omitempty"`
	Recent  []jobs.RunReport `json:"recent_runs"`
	Invalid string           `json:"invalid,omitempty"`
}

func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		ready := s.loaded && !s.stopped
		s.mu.Unlock()
		if !ready {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	mux.HandleFunc("GET /api/jobs", func(w http.ResponseWriter, _ *http.Request) { writeJSONStatus(w, http.StatusOK, s.views()) })
	mux.HandleFunc("GET /api/invalid", func(w http.ResponseWriter, _ *http.Request) { writeJSONStatus(w, http.StatusOK, s.badFiles()) })
	mux.HandleFunc("POST /api/jobs/{name}/{action}", s.control)
	mux.HandleFunc("GET /api/jobs/{name}/runs", func(w http.ResponseWriter, r *http.Request) {
		job := s.job(r.PathValue("name"))
		if job == nil {
			writeJSONStatus(w, http.StatusNotFound, apiError{"no such job"})
			return
		}
		reps, err := (jobs.History{Open: s.e.openState}).List(r.Context(), job, 50)
		if err != nil {
			writeJSONStatus(w, http.StatusInternalServerError, apiError{err.Error()})
			return
		}
		writeJSONStatus(w, http.StatusOK, reps)
	})
	mux.HandleFunc("GET /api/runs/{id}", func(w http.ResponseWriter, r *http.Request) {
		rep, ok := s.findRun(r, r.PathValue("id"))
		if !ok {
			writeJSONStatus(w, http.StatusNotFound, apiError{"no such run"})
			return
		}
		writeJSONStatus(w, http.StatusOK, rep)
	})
	mux.Handle("GET /metrics", s.metrics.handler(s.sched.Status))
	mux.HandleFunc("GET /{$}", s.statusPage)
	mux.HandleFunc("GET /runs/{id}", s.runPage)
	return guarded(mux)
}

// guarded refuses a browser's cross-site request that would change
// something (a page elsewhere posting to the control API on localhost);
// ccetl serve's own commands and other clients that send no Origin or
// Sec-Fetch-Site header pass.
func guarded(h http.Handler) http.Handler { return http.NewCrossOriginProtection().Handler(h) }

type apiError struct {
	Error string `json:"error"`
}

func writeJSONStatus(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// control pauses, resumes or triggers a job.
func (s *server) control(w http.ResponseWriter, r *http.Request) {
	name, action := r.PathValue("name"), r.PathValue("action")
	s.mu.Lock()
	stopped := s.stopped
	s.mu.Unlock()
	if stopped {
		writeJSONStatus(w, http.StatusServiceUnavailable, apiError{"the server is stopping"})
		return
	}
	var err error
	switch action {
	case "pause", "resume":
		if action == "pause" {
			err = s.sched.Pause(name)
		} else {
			err = s.sched.Resume(name)
		}
		if err == nil { // kept in the job's state, so a restart keeps it
			if werr := (tickMemory{s}).setPaused(name, action == "pause"); werr != nil {
				s.log.Warn("the pause is not kept across restarts", "job", name, "err", werr)
			}
		}
	case "trigger":
		err = s.sched.Trigger(name)
	default:
		writeJSONStatus(w, http.StatusNotFound, apiError{"unknown action " + action + ": want pause, resume or trigger"})
		return
	}
	switch {
	case errors.Is(err, schedule.ErrUnknownJob):
		writeJSONStatus(w, http.StatusNotFound, apiError{err.Error()})
		return
	case err != nil:
		writeJSONStatus(w, http.StatusConflict, apiError{err.Error()})
		return
	}
	done := map[string]string{"pause": "paused", "resume": "resumed", "trigger": "triggered"}[action]
	s.log.Info("job "+done, "job", name, "from", r.RemoteAddr)
	writeJSONStatus(w, http.StatusOK, map[string]string{"job": name, "action": action})
}

// views lists every job with its schedule state and recent runs.
func (s *server) views() []jobView {
	st := s.sched.Status()
	s.mu.Lock()
	defer s.mu.Unlock()
	file := map[string]string{}
	for f, j := range s.byFile {
		file[j.Name] = f
	}
	out := make([]jobView, 0, len(st))
	for _, js := range st {
		v := jobView{JobStatus: js, File: file[js.Name], Recent: s.recent[js.Name]}
		if j := s.jobs[js.Name]; j != nil {
			for _, src := range j.Sources {
				v.Kinds = append(v.Kinds, src.Kind)
			}
			if j.Target != nil {
				v.Target = j.Target.Kind
			}
		}
		if v.Recent == nil {
			v.Recent = []jobs.RunReport{}
		}
		out = append(out, v)
	}
	return out
}

// findRun looks a run report up in every job's history.
func (s *server) findRun(r *http.Request, id string) (jobs.RunReport, bool) {
	s.mu.Lock()
	js := s.list()
	s.mu.Unlock()
	h := jobs.History{Open: s.e.openState}
	for _, j := range js {
		if rep, err := h.Get(r.Context(), j, id); err == nil {
			return rep, true
		}
	}
	return jobs.RunReport{}, false
}
