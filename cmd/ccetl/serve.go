package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/jobs/schedule"
	"github.com/ccetl/ccetl/pipeline"
)

// server is a running `ccetl serve`: the job files it read, the scheduler
// running them and the recent runs it keeps for its status page.
type server struct {
	e      *env
	log    *slog.Logger
	paths  []string
	sched  *schedule.Scheduler
	runCtx context.Context // ends when the grace period after a stop is over
	// drain is closed when the server stops: running pulls stop at their
	// next checkpoint.
	drain chan struct{}
	// keepRuns is how many run reports a job keeps (0: all).
	keepRuns int

	mu      sync.Mutex
	jobs    map[string]*jobs.Job // by name
	byFile  map[string]*jobs.Job // the last version of each file that loaded
	bad     map[string]string    // file -> its problems, from the last load
	recent  map[string][]jobs.RunReport
	running map[string]int
	loaded  bool
	stopped bool
	metrics *metrics
}

// recentRuns is how many runs per job the server keeps for its status page.
const recentRuns = 20

// load reads the job files: a file that fails is reported with its
// problems (each with file:line:col) and its last good version, if any,
// stays; the others replace theirs. It returns the jobs to schedule.
func (s *server) load() []*jobs.Job {
	files, err := jobFiles(s.paths)
	if err != nil {
		s.log.Error("reading the job files failed; the jobs stay as they were", "err", err)
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.list()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next := map[string]*jobs.Job{}
	s.bad = map[string]string{}
	names := map[string]string{} // job name -> file
	var failed []string
	for _, f := range files {
		job, err := jobs.Load(f, jobs.OSEnv())
		if err == nil {
			err = jobs.Check(job, s.e.reg)
		}
		if err == nil {
			if other, dup := names[job.Name]; dup {
				err = fmt.Errorf("%s: job name %s is also the name of %s", f, job.Name, other)
			}
		}
		if err != nil {
			s.bad[f] = err.Error()
			failed = append(failed, f)
			continue
		}
		next[f] = job
		names[job.Name] = f
	}
	// A file that fails keeps its last good version, unless a valid file
	// now has its job's name: one name, one job.
	for _, f := range failed {
		old := s.byFile[f]
		if old == nil {
			s.log.Error("job file not valid", "file", f, "problems", s.bad[f])
			continue
		}
		if other, taken := names[old.Name]; taken {
			s.log.Error("job file not valid; its previous version is dropped, the job now being "+other+"'s", "file", f, "problems", s.bad[f])
			continue
		}
		s.log.Error("job file not valid; its previous version keeps running", "file", f, "problems", s.bad[f])
		next[f] = old
		names[old.Name] = f
	}
	s.byFile = next
	s.jobs = map[string]*jobs.Job{}
	for _, j := range next {
		s.jobs[j.Name] = j
	}
	s.loaded = true
	return s.list()
}

// list returns the jobs by name. Caller holds mu.
func (s *server) list() []*jobs.Job {
	out := make([]*jobs.Job, 0, len(s.jobs))
	for _, j := range s.jobs {
		out = append(out, j)
	}
	slices.SortFunc(out, func(a, b *jobs.Job) int {
		if a.Name < b.Name {
			return -1
		}
		return 1
	})
	return out
}

// reload re-reads the job files and hands the jobs to the scheduler.
func (s *server) reload() {
	js := s.load()
	s.seedRecent(js)
	specs := make([]schedule.Job, len(js))
	for i, j := range js {
		specs[i] = schedule.Job{Name: j.Name, Schedule: j.Schedule, TimeZone: j.TimeZone, Jitter: j.Jitter,
			Overlap: schedule.Overlap(j.Overlap), CatchupWindow: j.CatchupWindow, Paused: tickMemory{s}.paused(j.Name)}
	}
	if err := s.sched.Set(specs); err != nil {
		s.log.Error("scheduling", "err", err)
	}
	s.log.Info("job files read", "jobs", len(js), "invalid_files", len(s.badFiles()))
}

// seedRecent reads the last runs of the jobs it has none of from their
// history, so the status page shows them after a restart.
func (s *server) seedRecent(js []*jobs.Job) {
	for _, j := range js {
		s.mu.Lock()
		_, have := s.recent[j.Name]
		s.mu.Unlock()
		if have {
			continue
		}
		reps, err := (jobs.History{Open: s.e.openState}).List(s.runCtx, j, recentRuns)
		if err != nil {
			s.log.Warn("reading the run history", "job", j.Name, "err", err)
		}
		for i := range reps {
			reps[i].Summary = nil
		}
		s.mu.Lock()
		if _, have := s.recent[j.Name]; !have {
			s.recent[j.Name] = reps
		}
		s.mu.Unlock()
	}
}

func (s *server) badFiles() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bad
}

func (s *server) job(name string) *jobs.Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.jobs[name]
}

// run is the scheduler's RunFunc: it runs the job and records it.
func (s *server) run(r schedule.Run) {
	job := s.job(r.Job)
	if job == nil {
		return
	}
	log := s.log.With("job", job.Name)
	if r.Trigger == schedule.TriggerSchedule || r.Trigger == schedule.TriggerCatchup {
		won, err := tickMemory{s}.claim(job.Name, r.Tick)
		if err != nil { // the job's lease still keeps two runs apart
			log.Warn("could not claim the tick; running it", "scheduled_for", r.Tick, "err", err)
		} else if !won {
			log.Info("tick run by another server sharing the job's state", "scheduled_for", r.Tick)
			return
		}
	}
	s.mu.Lock()
	s.running[r.Job]++
	s.mu.Unlock()
	log.Info("run starting", "trigger", string(r.Trigger), "scheduled_for", r.Tick, "delayed", r.Delayed)
	_, rep, err := s.e.runAny(s.runCtx, job, runMeta{trigger: string(r.Trigger), tick: r.Tick, delayed: r.Delayed, drain: s.drain}, s.log)
	s.mu.Lock()
	s.running[r.Job]--
	s.mu.Unlock()
	switch {
	case err == nil:
		log.Info("run finished", "job_run", rep.RunID, "outcome", rep.Outcome, "rows_in", rep.RowsIn, "rows_out", rep.RowsOut,
			"rows_rejected", rep.RowsRejected, "seconds", rep.Seconds)
	case jobs.IsLeaseHeld(err):
		log.Info("run skipped: another runner holds the job's lease", "job_run", rep.RunID, "err", err)
	default:
		log.Error("run failed", "job_run", rep.RunID, "outcome", rep.Outcome, "err", err)
	}
	s.remember(rep)
	s.prune(job)
}

// prune deletes a job's oldest run reports past --keep-runs.
func (s *server) prune(job *jobs.Job) {
	if s.keepRuns <= 0 {
		return
	}
	n, err := (jobs.History{Open: s.e.openState}).Prune(s.runCtx, job, s.keepRuns)
	if err != nil {
		s.log.Warn("pruning the run history", "job", job.Name, "err", err)
	} else if n > 0 {
		s.log.Debug("old run reports deleted", "job", job.Name, "deleted", n)
	}
}

func (s *server) remember(rep jobs.RunReport) {
	s.metrics.observe(rep)
	s.mu.Lock()
	defer s.mu.Unlock()
	rep.Summary = nil
	rs := append([]jobs.RunReport{rep}, s.recent[rep.Job]...)
	if len(rs) > recentRuns {
		rs = rs[:recentRuns]
	}
	s.recent[rep.Job] = rs
}

// event logs a scheduler decision; a tick that is not run gets a run
// report saying why.
func (s *server) event(ev schedule.Event) {
	log := s.log.With("job", ev.Job)
	switch ev.Kind {
	case schedule.EventSkipped:
		if ev.Reason == schedule.ReasonPaused { // the pause is the record
			log.Debug("tick skipped", "scheduled_for", ev.Tick, "reason", ev.Reason)
			return
		}
		log.Warn("tick skipped", "scheduled_for", ev.Tick, "reason", ev.Reason)
		s.notRun(ev, jobs.OutcomeSkipped, ev.Reason)
	case schedule.EventDelayed:
		log.Warn("tick delayed until the running run ends", "scheduled_for", ev.Tick, "reason", ev.Reason)
	case schedule.EventMissed:
		reason := fmt.Sprintf("%d ticks from %s to %s passed while no scheduler ran (%s)", ev.Count,
			ev.First.UTC().Format(time.RFC3339), ev.Tick.UTC().Format(time.RFC3339), ev.Reason)
		log.Warn("ticks missed", "count", ev.Count, "first", ev.First, "last", ev.Tick, "reason", ev.Reason)
		s.notRun(ev, jobs.OutcomeMissed, reason)
	}
}

func (s *server) notRun(ev schedule.Event, outcome, reason string) {
	job := s.job(ev.Job)
	if job == nil {
		return
	}
	now := time.Now().UTC()
	rep := jobs.RunReport{Job: job.Name, RunID: jobs.NewRunID(), Trigger: string(ev.Trigger), ScheduledFor: ev.Tick,
		Started: now, Finished: now, Outcome: outcome, Reason: reason}
	if rep.Trigger == "" {
		rep.Trigger = jobs.TriggerSchedule
	}
	if err := (jobs.History{Open: s.e.openState}).Write(s.runCtx, job, rep); err != nil {
		s.log.Warn("run report not written", "job", job.Name, "err", err)
	}
	s.remember(rep)
}

// tickMemory keeps each job's last handled tick in its state, under
// "<job>/schedule.json", so a restarted server finds the ticks it missed.
type tickMemory struct{ s *server }

type tickDoc struct {
	Job      string    `json:"job"`
	LastTick time.Time `json:"last_tick,omitzero"`
	// Paused keeps a pause across restarts of the server.
	Paused bool `json:"paused,omitempty"`
	// Claimed is the latest tick a server started a run for: servers
	// sharing the job's state run each tick once.
	Claimed time.Time `json:"claimed,omitzero"`
}

func tickKey(job string) string { return job + "/schedule.json" }

func (m tickMemory) store(name string) (pipeline.StateStore, error) {
	job := m.s.job(name)
	if job == nil {
		return nil, fmt.Errorf("no job %s", name)
	}
	return m.s.e.openState(context.Background(), jobs.StateURL(job))
}

func (m tickMemory) read(name string) (tickDoc, error) {
	st, err := m.store(name)
	if err != nil {
		return tickDoc{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), tickStateTimeout)
	defer cancel()
	data, _, err := st.Get(ctx, tickKey(name))
	if errors.Is(err, pipeline.ErrStateNotFound) {
		return tickDoc{Job: name}, nil
	}
	if err != nil {
		return tickDoc{}, err
	}
	var d tickDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return tickDoc{}, fmt.Errorf("%s: %w", tickKey(name), err)
	}
	return d, nil
}

func (m tickMemory) LastTick(name string) (time.Time, error) {
	d, err := m.read(name)
	return d.LastTick, err
}

// paused says whether the job was left paused; false when unknown.
func (m tickMemory) paused(name string) bool {
	d, err := m.read(name)
	if err != nil {
		m.s.log.Warn("reading the job's schedule state", "job", name, "err", err)
	}
	return d.Paused
}

// SetLastTick records the tick; a later tick another server recorded
// stays.
func (m tickMemory) SetLastTick(name string, tick time.Time) error {
	return m.update(name, func(d *tickDoc) bool {
		if !d.LastTick.Before(tick) {
			return false
		}
		d.LastTick = tick.UTC()
		return true
	})
}

// claim takes the tick for this server; false when another server
// sharing the job's state took it (or a later one) first.
func (m tickMemory) claim(name string, tick time.Time) (bool, error) {
	won := false
	err := m.update(name, func(d *tickDoc) bool {
		if won = d.Claimed.Before(tick); won {
			d.Claimed = tick.UTC()
		}
		return won
	})
	return won, err
}

func (m tickMemory) setPaused(name string, paused bool) error {
	return m.update(name, func(d *tickDoc) bool { d.Paused = paused; return true })
}

// tickStateTimeout bounds a read or an update of a job's schedule state:
// the scheduler's loop waits on them, so a stalled store must not stop
// every job's ticks.
const tickStateTimeout = 30 * time.Second

// update changes the job's document with a conditional write, again when
// another server wrote it in between.
func (m tickMemory) update(name string, change func(*tickDoc) bool) error {
	st, err := m.store(name)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), tickStateTimeout)
	defer cancel()
	for range 5 {
		old, ver, err := st.Get(ctx, tickKey(name))
		if err != nil && !errors.Is(err, pipeline.ErrStateNotFound) {
			return err
		}
		d := tickDoc{Job: name}
		if err == nil {
			if err := json.Unmarshal(old, &d); err != nil {
				return fmt.Errorf("%s: %w", tickKey(name), err)
			}
		}
		if !change(&d) {
			return nil
		}
		data, _ := json.Marshal(d)
		if _, err = st.Put(ctx, tickKey(name), data, ver); !errors.Is(err, pipeline.ErrStateConflict) {
			return err
		}
	}
	return fmt.Errorf("%s: changed by another writer at every try", tickKey(name))
}
