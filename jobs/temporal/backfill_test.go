package temporal

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/ccetl/ccetl/jobs"
)

func day(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }

// fakeJob plans n one-day windows from 2024-01-01 and runs each window
// with run; it counts the windows running at once.
type fakeJob struct {
	n        int
	cooldown time.Duration
	done     int // windows the plan reports as committed before
	run      func(in WindowInput, attempt int) (WindowResult, error)
	mu       sync.Mutex
	tries    map[time.Time]int
	running  atomic.Int32
	peak     atomic.Int32
}

func (f *fakeJob) activities() *Activities {
	f.tries = map[time.Time]int{}
	return &Activities{
		Identity:       "test-worker",
		HeartbeatEvery: 10 * time.Millisecond,
		Plan: func(_ context.Context, in BackfillInput) (Plan, error) {
			p := Plan{Days: 1, Windows: f.n, Cooldown: f.cooldown}
			for d := f.done; d < f.n; d++ {
				p.Todo = append(p.Todo, jobs.Window{Start: day(1 + d), End: day(2 + d)})
			}
			return p, nil
		},
		Window: func(_ context.Context, in WindowInput) (WindowResult, error) {
			now := f.running.Add(1)
			defer f.running.Add(-1)
			for {
				p := f.peak.Load()
				if now <= p || f.peak.CompareAndSwap(p, now) {
					break
				}
			}
			f.mu.Lock()
			f.tries[in.Window.Start]++
			attempt := f.tries[in.Window.Start]
			f.mu.Unlock()
			time.Sleep(20 * time.Millisecond)
			return f.run(in, attempt)
		},
	}
}

func ok(in WindowInput, _ int) (WindowResult, error) {
	return WindowResult{Outcome: jobs.OutcomeOK, RowsIn: 10, RowsOut: 10, RunID: "r-" + in.Window.Start.Format(time.DateOnly)}, nil
}

func runBackfill(t *testing.T, f *fakeJob, in BackfillInput) BackfillResult {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quiet())
	env := s.NewTestWorkflowEnvironment()
	Register(env, f.activities())
	env.ExecuteWorkflow(BackfillWorkflowName, in)
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res BackfillResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

// TestBackfillFansOutWithinLimit runs 12 windows, 3 at a time: all commit,
// in window order in the result, and never more than 3 run at once.
func TestBackfillFansOutWithinLimit(t *testing.T) {
	f := &fakeJob{n: 12, done: 2, run: ok}
	res := runBackfill(t, f, BackfillInput{Job: "j", From: day(1), To: day(13), MaxInFlight: 3})
	if res.Outcome != jobs.OutcomeOK || res.Windows != 12 || res.AlreadyDone != 2 || res.Done != 10 || len(res.Runs) != 10 {
		t.Fatalf("result %+v", res)
	}
	for i, r := range res.Runs {
		if !r.Window.Start.Equal(day(3+i)) || r.Worker != "test-worker" || r.RowsOut != 10 || r.Attempt != 1 {
			t.Fatalf("run %d: %+v", i, r)
		}
	}
	if p := f.peak.Load(); p > 3 || p < 2 {
		t.Fatalf("%d windows ran at once, want at most 3 (and more than 1)", p)
	}
}

// TestBackfillCooldown: a rate-limited job's windows run one at a time,
// each starting at least the cooldown after the previous one ended, even
// when more are allowed in flight.
func TestBackfillCooldown(t *testing.T) {
	f := &fakeJob{n: 4, cooldown: time.Minute, run: ok}
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quiet())
	env := s.NewTestWorkflowEnvironment()
	Register(env, f.activities())
	var starts []time.Time
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		if info.ActivityType.Name == WindowActivityName {
			starts = append(starts, env.Now())
		}
	})
	env.ExecuteWorkflow(BackfillWorkflowName, BackfillInput{Job: "j", From: day(1), To: day(5), MaxInFlight: 4})
	var res BackfillResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Done != 4 || f.peak.Load() != 1 || len(starts) != 4 {
		t.Fatalf("done %d, peak %d, starts %v", res.Done, f.peak.Load(), starts)
	}
	for i := 1; i < len(starts); i++ {
		if d := starts[i].Sub(starts[i-1]); d < time.Minute {
			t.Fatalf("window %d started %v after the one before, want at least the 1m cooldown", i+1, d)
		}
	}
	// --window-gap replaces the cooldown
	f = &fakeJob{n: 3, cooldown: time.Minute, run: ok}
	none := time.Duration(0)
	res = runBackfill(t, f, BackfillInput{Job: "j", From: day(1), To: day(4), MaxInFlight: 3, WindowGap: &none})
	if res.Done != 3 || f.peak.Load() < 2 {
		t.Fatalf("result %+v, peak %d: with no gap the windows should be in flight together", res, f.peak.Load())
	}
}

// TestBackfillOneAtATimeByDefault: without MaxInFlight one window runs at a time.
func TestBackfillOneAtATimeByDefault(t *testing.T) {
	f := &fakeJob{n: 5, run: ok}
	res := runBackfill(t, f, BackfillInput{Job: "j", From: day(1), To: day(6)})
	if res.Done != 5 || f.peak.Load() != 1 {
		t.Fatalf("done %d, peak %d", res.Done, f.peak.Load())
	}
}

// TestBackfillRetriesAWindow: a window that fails once is retried and
// commits on the second attempt.
func TestBackfillRetriesAWindow(t *testing.T) {
	f := &fakeJob{n: 3, run: func(in WindowInput, attempt int) (WindowResult, error) {
		if in.Window.Start.Equal(day(2)) && attempt == 1 {
			return WindowResult{}, errors.New("connection reset")
		}
		return ok(in, attempt)
	}}
	res := runBackfill(t, f, BackfillInput{Job: "j", From: day(1), To: day(4), MaxAttempts: 3})
	if res.Outcome != jobs.OutcomeOK || res.Done != 3 || res.Runs[1].Attempt != 2 || f.tries[day(2)] != 2 {
		t.Fatalf("result %+v, tries %v", res, f.tries)
	}
}

// TestBackfillStopsAfterAFailedWindow: a window failing every attempt
// fails the backfill; no later window starts.
func TestBackfillStopsAfterAFailedWindow(t *testing.T) {
	f := &fakeJob{n: 5, run: func(in WindowInput, attempt int) (WindowResult, error) {
		if in.Window.Start.Equal(day(2)) {
			return WindowResult{}, errors.New("HTTP 500")
		}
		return ok(in, attempt)
	}}
	res := runBackfill(t, f, BackfillInput{Job: "j", From: day(1), To: day(6), MaxAttempts: 2})
	if res.Outcome != jobs.OutcomeFailed || res.Done != 1 || len(res.Runs) != 2 || res.Runs[1].Outcome != jobs.OutcomeFailed || res.Error == "" {
		t.Fatalf("result %+v", res)
	}
	if f.tries[day(2)] != 2 || f.tries[day(3)] != 0 {
		t.Fatalf("tries %v: want 2 attempts at the failing window and none after it", f.tries)
	}
}

// TestBackfillConfigErrorIsNotRetried: a window that cannot run on any
// worker fails at once.
func TestBackfillConfigErrorIsNotRetried(t *testing.T) {
	f := &fakeJob{n: 2, run: func(in WindowInput, attempt int) (WindowResult, error) {
		return WindowResult{}, Config(errors.New("job j is not among this worker's job files"))
	}}
	res := runBackfill(t, f, BackfillInput{Job: "j", From: day(1), To: day(3), MaxAttempts: 5})
	if res.Outcome != jobs.OutcomeFailed || f.tries[day(1)] != 1 {
		t.Fatalf("result %+v, tries %v", res, f.tries)
	}
}

// TestWindowHeartbeats: a window activity heartbeats while it runs, so
// Temporal sees it alive past its heartbeat timeout.
func TestWindowHeartbeats(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quiet())
	env := s.NewTestWorkflowEnvironment()
	var beats atomic.Int32
	env.SetOnActivityHeartbeatListener(func(*activity.Info, converter.EncodedValues) { beats.Add(1) })
	f := &fakeJob{n: 1, run: func(in WindowInput, attempt int) (WindowResult, error) {
		time.Sleep(600 * time.Millisecond)
		return ok(in, attempt)
	}}
	Register(env, f.activities())
	env.ExecuteWorkflow(BackfillWorkflowName, BackfillInput{Job: "j", From: day(1), To: day(2), Heartbeat: 200 * time.Millisecond, MaxAttempts: 1})
	var res BackfillResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Outcome != jobs.OutcomeOK || res.Done != 1 || f.tries[day(1)] != 1 {
		t.Fatalf("result %+v, tries %v", res, f.tries)
	}
	if n := beats.Load(); n < 2 {
		t.Fatalf("%d heartbeats in 600ms with a 200ms heartbeat timeout", n)
	}
}

// quiet is a logger that drops the SDK's debug lines.
func quiet() log.Logger {
	return log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
}
