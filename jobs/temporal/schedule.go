package temporal

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdk "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/ccetl/ccetl/jobs/schedule"
)

// Names of the workflow a Temporal Schedule starts at each tick of a job's
// schedule, and of its activity.
const (
	RunWorkflowName = "ccetl.run"
	RunActivityName = "ccetl.run.job"
	// ErrRunFailed is the error type of a run that failed on its own
	// (a vendor error, bad rows past the limit): the next tick runs the
	// job again, Temporal does not retry it. A worker that dies mid-run is
	// retried.
	ErrRunFailed = "ccetl.run_failed"
	// MinCatchupWindow is the shortest catch-up window Temporal accepts;
	// a job with a shorter one (or none) gets it.
	MinCatchupWindow = 10 * time.Second
)

// RunInput is one scheduled run of a job.
type RunInput struct {
	Job     string
	Trigger string
	// Heartbeat is how long the run may go without a heartbeat before
	// Temporal gives it to another worker (default 30s).
	Heartbeat time.Duration
	// Quotas and Cooldown are the job's vendor credentials and the pause
	// their rate limits need between holders (jobs.Quotas): the run holds
	// them as a backfill window does.
	Quotas   []string
	Cooldown time.Duration
}

// RunResult is the outcome of a run.
type RunResult struct {
	RunID        string
	Outcome      string
	RowsIn       int64
	RowsOut      int64
	RowsRejected int64
	Error        string `json:",omitempty"`
	Worker       string
}

// RunWorkflow runs a job once, on whichever worker takes it.
func RunWorkflow(ctx workflow.Context, in RunInput) (RunResult, error) {
	if in.Heartbeat <= 0 {
		in.Heartbeat = 30 * time.Second
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 24 * time.Hour,
		HeartbeatTimeout:    in.Heartbeat,
		RetryPolicy:         &sdk.RetryPolicy{MaximumAttempts: 3, NonRetryableErrorTypes: []string{ErrConfig, ErrRunFailed}},
	})
	var res RunResult
	holds := 0
	release, err := holdQuotas(ctx, in.Quotas, 3*24*time.Hour+time.Minute, in.Cooldown, &holds)
	if err != nil {
		return res, err
	}
	defer release()
	err = workflow.ExecuteActivity(ctx, RunActivityName, in).Get(ctx, &res)
	return res, err
}

// WithQuotas sets the credentials a scheduled run holds (jobs.Quotas).
func WithQuotas(o client.ScheduleOptions, quotas []string, cooldown time.Duration) client.ScheduleOptions {
	if a, ok := o.Action.(*client.ScheduleWorkflowAction); ok && len(a.Args) == 1 {
		if in, ok := a.Args[0].(RunInput); ok {
			in.Quotas, in.Cooldown = quotas, cooldown
			c := *a
			c.Args = []any{in}
			o.Action = &c
		}
	}
	return o
}

// RunFailed marks a run's own failure: the activity is not retried.
func RunFailed(err error) error {
	var ae *sdk.ApplicationError
	if errors.As(err, &ae) {
		return err
	}
	return sdk.NewNonRetryableApplicationError(err.Error(), ErrRunFailed, nil)
}

// RunJob is the run activity: it runs the job while heartbeating.
func (a *Activities) RunJob(ctx context.Context, in RunInput) (RunResult, error) {
	stop := heartbeat(ctx, a.HeartbeatEvery)
	defer stop()
	res, err := a.Run(ctx, in)
	res.Worker = a.Identity
	return res, err
}

// RegisterRun registers the scheduled-run workflow and its activity on w.
func RegisterRun(w worker.Registry, a *Activities) {
	w.RegisterWorkflowWithOptions(RunWorkflow, workflow.RegisterOptions{Name: RunWorkflowName})
	w.RegisterActivityWithOptions(a.RunJob, activity.RegisterOptions{Name: RunActivityName})
}

// ScheduleID is the id of a job's Temporal Schedule on a task queue.
func ScheduleID(queue, job string) string { return fmt.Sprintf("ccetl-schedule/%s/%s", queue, job) }

// ScheduleOptions is a job's schedule as a Temporal Schedule that starts
// RunWorkflow on the task queue: the same cron expression (with its
// CRON_TZ= prefix or the job's time zone), jitter, overlap policy and
// catch-up window. Temporal differs from the embedded scheduler in three
// ways: its jitter is random rather than the same for the same tick, it
// takes a day-of-month and day-of-week both given as both required, and
// its shortest catch-up window is MinCatchupWindow.
func ScheduleOptions(queue string, j schedule.Job) (client.ScheduleOptions, error) {
	spec := client.ScheduleSpec{CronExpressions: []string{j.Schedule}, TimeZoneName: j.TimeZone, Jitter: j.Jitter}
	var overlap enumspb.ScheduleOverlapPolicy
	switch j.Overlap {
	case schedule.OverlapSkip, "":
		overlap = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP
	case schedule.OverlapBufferOne:
		overlap = enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE
	case schedule.OverlapAllow:
		overlap = enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL
	default:
		return client.ScheduleOptions{}, fmt.Errorf("job %s: overlap %q", j.Name, j.Overlap)
	}
	if j.Schedule == "" {
		return client.ScheduleOptions{}, fmt.Errorf("job %s has no schedule", j.Name)
	}
	return client.ScheduleOptions{
		ID:            ScheduleID(queue, j.Name),
		Spec:          spec,
		Overlap:       overlap,
		CatchupWindow: max(j.CatchupWindow, MinCatchupWindow),
		Paused:        j.Paused,
		Action: &client.ScheduleWorkflowAction{
			ID:        fmt.Sprintf("ccetl-run/%s/%s", queue, j.Name),
			Workflow:  RunWorkflowName,
			Args:      []any{RunInput{Job: j.Name, Trigger: "schedule"}},
			TaskQueue: queue,
		},
	}, nil
}

// PutSchedule creates the job's Temporal Schedule, or updates it to opts
// when it exists (keeping whether it is paused). It reports whether it
// created it.
func PutSchedule(ctx context.Context, c client.Client, opts client.ScheduleOptions) (created bool, err error) {
	sc := c.ScheduleClient()
	if _, err := sc.Create(ctx, opts); err == nil {
		return true, nil
	} else if !errors.Is(err, sdk.ErrScheduleAlreadyRunning) {
		return false, fmt.Errorf("create schedule %s: %w", opts.ID, err)
	}
	spec := opts.Spec
	err = sc.GetHandle(ctx, opts.ID).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := in.Description.Schedule
			s.Spec, s.Action = &spec, opts.Action
			s.Policy = &client.SchedulePolicies{Overlap: opts.Overlap, CatchupWindow: opts.CatchupWindow}
			return &client.ScheduleUpdate{Schedule: &s}, nil
		},
	})
	if err != nil {
		return false, fmt.Errorf("update schedule %s: %w", opts.ID, err)
	}
	return false, nil
}
