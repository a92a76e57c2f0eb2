package temporal

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Activities are the two steps of a backfill, given by the command that
// knows job files, the registry and the job state.
type Activities struct {
	// Plan splits the job's range into windows and returns those the job
	// state does not record as committed (all of them when in.Again).
	// An error wrapped by Config is not retried.
	Plan func(ctx context.Context, in BackfillInput) (Plan, error)
	// Window runs one window of a job; it returns AlreadyDone without
	// running it when the job state records it as committed.
	Window func(ctx context.Context, in WindowInput) (WindowResult, error)
	// Run runs a job once (a tick of its Temporal Schedule). Wrap a run's
	// own failure with RunFailed: only a dead worker's run is retried.
	Run func(ctx context.Context, in RunInput) (RunResult, error)
	// Identity names this worker in window results.
	Identity string
	// Client is the worker's Temporal client, with which it asks for a
	// credential's quota (QuotaWorkflow).
	Client client.Client
	// HeartbeatEvery is how often a running window heartbeats (default
	// 1s; the SDK sends at most one per 80% of the heartbeat timeout).
	HeartbeatEvery time.Duration
}

// Config marks err as a configuration error: Temporal does not retry the
// activity that returned it.
func Config(err error) error { return configError(err) }

// PlanBackfill is the plan activity.
func (a *Activities) PlanBackfill(ctx context.Context, in BackfillInput) (Plan, error) {
	return a.Plan(ctx, in)
}

// RunWindow is the window activity: it runs the window while heartbeating.
func (a *Activities) RunWindow(ctx context.Context, in WindowInput) (WindowResult, error) {
	stop := heartbeat(ctx, a.HeartbeatEvery)
	defer stop()
	res, err := a.Window(ctx, in)
	res.Window, res.Worker, res.Attempt = in.Window, a.Identity, activity.GetInfo(ctx).Attempt
	return res, err
}

// heartbeat records a heartbeat every interval until stop is called.
func heartbeat(ctx context.Context, every time.Duration) (stop func()) {
	if every <= 0 {
		every = time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		activity.RecordHeartbeat(ctx)
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() { cancel(); <-done }
}

// Register registers the backfill workflow and its activities on w.
func Register(w worker.Registry, a *Activities) {
	w.RegisterWorkflowWithOptions(BackfillWorkflow, workflow.RegisterOptions{Name: BackfillWorkflowName})
	w.RegisterActivityWithOptions(a.PlanBackfill, activity.RegisterOptions{Name: PlanActivityName})
	w.RegisterActivityWithOptions(a.RunWindow, activity.RegisterOptions{Name: WindowActivityName})
	w.RegisterWorkflowWithOptions(QuotaWorkflow, workflow.RegisterOptions{Name: QuotaWorkflowName})
	w.RegisterActivityWithOptions(a.Ask, activity.RegisterOptions{Name: QuotaAskActivity})
}
