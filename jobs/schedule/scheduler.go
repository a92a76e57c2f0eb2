package schedule

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Memory keeps the last tick each job handled, so that the ticks missed
// while no scheduler ran are found when one starts. Nil keeps nothing: a
// new scheduler then starts every job from its next tick.
type Memory interface {
	LastTick(job string) (time.Time, error)
	SetLastTick(job string, tick time.Time) error
}

// RunFunc runs a job. It is called on a goroutine of its own and the job
// counts as running until it returns.
type RunFunc func(Run)

// Options configure a Scheduler.
type Options struct {
	Clock  Clock       // default RealClock
	Run    RunFunc     // required
	Memory Memory      // optional
	Events func(Event) // optional; called outside the scheduler's lock, in order
	// OnTime is how late a tick may start and still count as on time
	// rather than caught up (default one minute). A tick later than both
	// OnTime and the job's catch-up window is missed.
	OnTime time.Duration
}

// Scheduler runs jobs on their schedules. Its methods are safe for
// concurrent use.
type Scheduler struct {
	opt  Options
	mu   sync.Mutex
	jobs map[string]*entry
	// gone holds the jobs Set dropped while a run of theirs runs: a job
	// listed again meanwhile goes on counting that run.
	gone map[string]*entry
	wake chan struct{}
	wg   sync.WaitGroup
	// out queues events and memory writes made under mu, delivered in
	// order by flush.
	out    []func()
	flushM sync.Mutex
	// stopped: Stop was called, and no run starts any more.
	stopped bool
}

type entry struct {
	job      Job
	sched    cron.Schedule
	next     time.Time // the next tick, without jitter
	paused   bool
	running  int
	buffered *Run
}

// JobStatus is a job's schedule and what it is doing.
type JobStatus struct {
	Name     string    `json:"name"`
	Schedule string    `json:"schedule"`
	TimeZone string    `json:"time_zone,omitempty"`
	Overlap  Overlap   `json:"overlap"`
	Next     time.Time `json:"next,omitzero"` // when the next tick fires, jitter included
	Paused   bool      `json:"paused"`
	Running  int       `json:"running"`
	Waiting  bool      `json:"waiting"` // a delayed run waits for the running one
}

// ErrUnknownJob is returned for a job the scheduler does not have.
var ErrUnknownJob = errors.New("no such job")

// ErrStopped is returned by Trigger once the scheduler is stopped.
var ErrStopped = errors.New("the scheduler is stopping: no run starts any more")

// ErrRunning is returned by Trigger when the job runs and its overlap
// policy is skip.
var ErrRunning = errors.New("the job is running and its overlap policy is skip")

// New returns a scheduler with no jobs.
func New(opt Options) *Scheduler {
	if opt.Clock == nil {
		opt.Clock = RealClock{}
	}
	if opt.OnTime <= 0 {
		opt.OnTime = time.Minute
	}
	return &Scheduler{opt: opt, jobs: map[string]*entry{}, gone: map[string]*entry{}, wake: make(chan struct{}, 1)}
}

// Set replaces the scheduler's jobs. A job without a schedule runs only
// when triggered. A job kept by name keeps its running
// run, its pause and, when its schedule is unchanged, its next tick; a job
// no longer listed gets no new run (one running finishes). A new job
// resumes from the last tick Memory has for it, so ticks missed meanwhile
// are caught up or reported missed. A job whose schedule does not parse is
// left out and reported in the error; the others are set.
func (s *Scheduler) Set(jobs []Job) error {
	var errs []error
	type parsed struct {
		job   Job
		sched cron.Schedule
		last  time.Time
	}
	var ps []parsed
	for _, j := range jobs {
		var sc cron.Schedule
		if j.Schedule != "" { // a job without one runs only when triggered
			var err error
			if sc, err = Parse(j.Schedule, j.TimeZone); err != nil {
				errs = append(errs, fmt.Errorf("job %s: schedule: %w", j.Name, err))
				continue
			}
		}
		if j.Overlap == "" {
			j.Overlap = OverlapSkip
		}
		p := parsed{job: j, sched: sc}
		if s.opt.Memory != nil {
			last, err := s.opt.Memory.LastTick(j.Name)
			if err != nil {
				errs = append(errs, fmt.Errorf("job %s: last tick: %w", j.Name, err))
			}
			p.last = last
		}
		ps = append(ps, p)
	}
	now := s.opt.Clock.Now()
	s.mu.Lock()
	keep := map[string]bool{}
	for _, p := range ps {
		keep[p.job.Name] = true
		e, ok := s.jobs[p.job.Name]
		if ok && e.job.Schedule == p.job.Schedule && e.job.TimeZone == p.job.TimeZone {
			e.job = p.job
			continue
		}
		if !ok {
			e = &entry{paused: p.job.Paused}
			if g := s.gone[p.job.Name]; g != nil { // its run still runs: the overlap policy sees it
				e.running = g.running
				g.running = 0 // counted here now
				delete(s.gone, p.job.Name)
			}
			s.jobs[p.job.Name] = e
		}
		e.job, e.sched = p.job, p.sched
		from := now
		if !ok && !p.last.IsZero() && p.last.Before(now) {
			from = p.last
		}
		e.next = time.Time{}
		if p.sched != nil {
			e.next = p.sched.Next(from)
		}
	}
	for name, e := range s.jobs {
		if !keep[name] {
			delete(s.jobs, name)
			if e.running > 0 {
				e.buffered = nil // a job no longer listed gets no new run
				s.gone[name] = e
			}
		}
	}
	s.mu.Unlock()
	s.poke()
	return errors.Join(errs...)
}

// Pause stops starting runs of a job: its ticks are skipped until Resume.
func (s *Scheduler) Pause(name string) error { return s.setPaused(name, true) }

// Resume starts a paused job's runs again from its next tick; the ticks
// passed while it was paused are not run.
func (s *Scheduler) Resume(name string) error { return s.setPaused(name, false) }

func (s *Scheduler) setPaused(name string, paused bool) error {
	s.mu.Lock()
	e, ok := s.jobs[name]
	if ok {
		e.paused = paused
	}
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownJob, name)
	}
	s.poke()
	return nil
}

// Trigger starts a run of the job now, paused or not, under its overlap
// policy: with skip it fails with ErrRunning while a run runs, with
// buffer_one it waits for that run.
func (s *Scheduler) Trigger(name string) error {
	now := s.opt.Clock.Now()
	s.mu.Lock()
	e, ok := s.jobs[name]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("%w: %s", ErrUnknownJob, name)
	}
	r := Run{Job: name, Trigger: TriggerManual, Tick: now}
	var err error
	if s.stopped {
		err = ErrStopped
	} else if e.running > 0 && e.job.Overlap == OverlapSkip {
		err = ErrRunning
	} else if e.running > 0 && e.job.Overlap == OverlapBufferOne && e.buffered != nil {
		err = errors.New("the job is running and a run already waits for it")
	} else {
		s.dispatch(e, r, now)
	}
	s.mu.Unlock()
	s.flush()
	return err
}

// Status lists the jobs by name.
func (s *Scheduler) Status() []JobStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]JobStatus, 0, len(s.jobs))
	for name, e := range s.jobs {
		st := JobStatus{Name: name, Schedule: e.job.Schedule, TimeZone: e.job.TimeZone, Overlap: e.job.Overlap,
			Paused: e.paused, Running: e.running, Waiting: e.buffered != nil}
		if !e.next.IsZero() {
			st.Next = e.next.Add(jitterFor(name, e.next, e.job.Jitter))
		}
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b JobStatus) int {
		if a.Name < b.Name {
			return -1
		}
		return 1
	})
	return out
}

// Step starts the runs due at now and reports the ticks it skips or
// misses. Run calls it whenever the next tick comes; tests call it
// directly with the time they want.
func (s *Scheduler) Step(now time.Time) {
	s.mu.Lock()
	for name, e := range s.jobs {
		s.due(name, e, now)
	}
	s.mu.Unlock()
	s.flush()
}

// due handles every tick of e whose time (jitter included) has come by
// now: the last may run, on time or caught up; the ones before it are
// missed. Caller holds mu.
func (s *Scheduler) due(name string, e *entry, now time.Time) {
	fire := func(t time.Time) time.Time { return t.Add(jitterFor(name, t, e.job.Jitter)) }
	var first, prev, last time.Time
	count := 0
	t := e.next
	for !t.IsZero() && !now.Before(fire(t)) {
		if count == 0 {
			first = t
		}
		prev, last = last, t
		count++
		t = e.sched.Next(t)
		if count >= 1_000_000 { // a schedule of seconds over a long downtime: skip ahead
			t = e.sched.Next(now)
			break
		}
	}
	if count == 0 {
		return
	}
	e.next = t
	late := now.Sub(fire(last))
	trigger := TriggerSchedule
	runIt := true
	switch {
	case late <= s.opt.OnTime:
	case late <= e.job.CatchupWindow:
		trigger = TriggerCatchup
	default:
		runIt = false
	}
	missed, end := count-1, prev
	if !runIt {
		missed, end = count, last
	}
	if missed > 0 {
		s.emit(Event{Kind: EventMissed, Job: name, Tick: end, First: first, Count: missed, At: now,
			Reason: fmt.Sprintf("older than the catch-up window (%v)", e.job.CatchupWindow)})
	}
	s.remember(name, last)
	if !runIt {
		return
	}
	if e.paused {
		s.emit(Event{Kind: EventSkipped, Job: name, Trigger: trigger, Tick: last, Reason: ReasonPaused, At: now})
		return
	}
	s.dispatch(e, Run{Job: name, Trigger: trigger, Tick: last}, now)
}

// Stop starts no run any more: a tick that comes and a run that waits
// for the running one (buffer_one) are skipped. The runs running go on
// (Wait waits for them).
func (s *Scheduler) Stop() {
	now := s.opt.Clock.Now()
	s.mu.Lock()
	s.stopped = true
	for _, e := range s.jobs {
		if b := e.buffered; b != nil {
			e.buffered = nil
			s.emit(Event{Kind: EventSkipped, Job: b.Job, Trigger: b.Trigger, Tick: b.Tick, Reason: ReasonStopping, At: now})
		}
	}
	s.mu.Unlock()
	s.flush()
}

// dispatch starts r or applies the overlap policy. Caller holds mu.
func (s *Scheduler) dispatch(e *entry, r Run, now time.Time) {
	if s.stopped {
		s.emit(Event{Kind: EventSkipped, Job: r.Job, Trigger: r.Trigger, Tick: r.Tick, Reason: ReasonStopping, At: now})
		return
	}
	if e.running > 0 {
		switch e.job.Overlap {
		case OverlapBufferOne:
			if e.buffered == nil {
				r.Delayed = true
				e.buffered = &r
				s.emit(Event{Kind: EventDelayed, Job: r.Job, Trigger: r.Trigger, Tick: r.Tick, Reason: ReasonOverlap, At: now})
				return
			}
			s.emit(Event{Kind: EventSkipped, Job: r.Job, Trigger: r.Trigger, Tick: r.Tick, Reason: ReasonBuffer, At: now})
			return
		case OverlapAllow:
		default:
			s.emit(Event{Kind: EventSkipped, Job: r.Job, Trigger: r.Trigger, Tick: r.Tick, Reason: ReasonOverlap, At: now})
			return
		}
	}
	e.running++
	s.emit(Event{Kind: EventStarted, Job: r.Job, Trigger: r.Trigger, Tick: r.Tick, At: now})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.opt.Run(r)
		s.finished(e, r)
	}()
}

func (s *Scheduler) finished(e *entry, r Run) {
	now := s.opt.Clock.Now()
	s.mu.Lock()
	// The entry that counts the run: e, or the job's entry listed again
	// after Set dropped it while the run ran (then e counts nothing).
	live := e
	if e.running == 0 {
		if live = s.jobs[r.Job]; live == nil || live.running == 0 {
			live = s.gone[r.Job]
		}
	}
	if live != nil {
		live.running--
		if s.gone[r.Job] == live && live.running == 0 {
			delete(s.gone, r.Job)
		}
	}
	s.emit(Event{Kind: EventFinished, Job: r.Job, Trigger: r.Trigger, Tick: r.Tick, At: now})
	if live != nil && live.buffered != nil && live.running == 0 && s.jobs[r.Job] == live {
		b := live.buffered
		live.buffered = nil
		s.dispatch(live, *b, now)
	}
	s.mu.Unlock()
	s.flush()
}

// emit and remember queue an event or a memory write. Caller holds mu.
func (s *Scheduler) emit(ev Event) {
	if s.opt.Events != nil {
		s.out = append(s.out, func() { s.opt.Events(ev) })
	}
}

func (s *Scheduler) remember(job string, tick time.Time) {
	if s.opt.Memory != nil {
		s.out = append(s.out, func() { _ = s.opt.Memory.SetLastTick(job, tick) })
	}
}
