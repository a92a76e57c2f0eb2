package schedule

import (
	"context"
	"time"
)

// flush delivers the queued events and memory writes in order, outside mu.
func (s *Scheduler) flush() {
	s.flushM.Lock()
	defer s.flushM.Unlock()
	for {
		s.mu.Lock()
		out := s.out
		s.out = nil
		s.mu.Unlock()
		if len(out) == 0 {
			return
		}
		for _, f := range out {
			f()
		}
	}
}

func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// nextFire is the earliest time a job's tick fires, zero without jobs.
func (s *Scheduler) nextFire() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var first time.Time
	for name, e := range s.jobs {
		if e.next.IsZero() {
			continue
		}
		f := e.next.Add(jitterFor(name, e.next, e.job.Jitter))
		if first.IsZero() || f.Before(first) {
			first = f
		}
	}
	return first
}

// Run starts runs as their ticks come until ctx ends. It returns without
// waiting for the runs that are running; Wait does.
func (s *Scheduler) Run(ctx context.Context) {
	for {
		now := s.opt.Clock.Now()
		s.Step(now)
		at := now.Add(time.Hour)
		if f := s.nextFire(); !f.IsZero() && f.Before(at) {
			at = f
		}
		select {
		case <-ctx.Done():
			return
		case <-s.opt.Clock.At(at):
		case <-s.wake:
		}
	}
}

// Wait waits for every started run to return.
func (s *Scheduler) Wait() { s.wg.Wait() }
