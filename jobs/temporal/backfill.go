package temporal

import (
	"errors"
	"fmt"
	"time"

	sdk "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ccetl/ccetl/jobs"
)

// Names under which workers register the workflow and activities; clients
// start workflows by these names.
const (
	BackfillWorkflowName = "ccetl.backfill"
	PlanActivityName     = "ccetl.backfill.plan"
	WindowActivityName   = "ccetl.backfill.window"
	// ProgressQuery answers a running backfill's BackfillResult so far.
	ProgressQuery = "progress"
	// DefaultTaskQueue is the task queue workers poll and clients use
	// unless told otherwise.
	DefaultTaskQueue = "ccetl"
)

// BackfillInput is what a backfill workflow covers: the job (by its name,
// which every worker finds among its job files) and the days [From, To).
type BackfillInput struct {
	Job      string
	From, To time.Time
	// WindowDays overrides the window size when above zero.
	WindowDays int
	// Again pulls the windows an earlier backfill committed too.
	Again bool
	// MaxInFlight is how many windows are handed out at once (default 1).
	// They still run one at a time, under the job's lease; a rate-limited
	// job (Plan.Cooldown above zero) always gets one at a time.
	MaxInFlight int
	// WindowGap, when set, replaces the plan's Cooldown: the pause between
	// one window ending and the next starting (zero: none). Temporal's
	// timers fire to about a second.
	WindowGap *time.Duration
	// Heartbeat is how long a window may go without a heartbeat before
	// Temporal gives it to another worker (default 30s).
	Heartbeat time.Duration
	// WindowTimeout bounds one attempt at a window (default 6h).
	WindowTimeout time.Duration
	// MaxAttempts is how often a failing window is tried (default 3).
	MaxAttempts int32
}

func (in BackfillInput) withDefaults() BackfillInput {
	if in.MaxInFlight < 1 {
		in.MaxInFlight = 1
	}
	if in.Heartbeat <= 0 {
		in.Heartbeat = 30 * time.Second
	}
	if in.WindowTimeout <= 0 {
		in.WindowTimeout = 6 * time.Hour
	}
	if in.MaxAttempts < 1 {
		in.MaxAttempts = 3
	}
	return in
}

// Plan is the windows of a backfill: their size, how many the range has
// and those still to do.
type Plan struct {
	Days    int
	Windows int
	Todo    []jobs.Window
	// Cooldown is jobs.BackfillPlan.Cooldown: the pause between windows
	// that keeps the vendor's rate limits across windows and workers.
	Cooldown time.Duration
	// Quotas are the vendor credentials the job draws on (jobs.Quotas):
	// each window holds them, so windows of jobs sharing a credential run
	// one at a time across all workers, Cooldown apart.
	Quotas []string
}

// WindowInput is one window of a job to run.
type WindowInput struct {
	Job    string
	Days   int
	Window jobs.Window
}

// WindowResult is the outcome of one window.
type WindowResult struct {
	Window       jobs.Window
	RunID        string
	Outcome      string
	RowsIn       int64
	RowsOut      int64
	RowsRejected int64
	Requests     int64
	Seconds      float64
	Error        string `json:",omitempty"`
	// Worker is the identity of the worker that ran the window.
	Worker string
	// Attempt is which attempt committed it (1 on the first try).
	Attempt int32
	// AlreadyDone is set when the job state recorded the window as
	// committed before this attempt ran it (a retry after its worker died
	// between the commit and the report).
	AlreadyDone bool
}

// BackfillResult is the outcome of a backfill workflow (and its progress
// while it runs).
type BackfillResult struct {
	Job         string
	Days        int
	Windows     int // of the whole range
	AlreadyDone int // committed by an earlier backfill, not run again
	Todo        int
	Done        int // committed by this one
	Outcome     string
	Error       string `json:",omitempty"`
	// Runs are the finished windows, in window order.
	Runs []WindowResult
}

// BackfillWorkflow plans the job's windows and runs them as activities,
// at most MaxInFlight at a time. After a window fails for good no new
// window starts; those in flight finish, and the result says which failed.
func BackfillWorkflow(ctx workflow.Context, in BackfillInput) (BackfillResult, error) {
	in = in.withDefaults()
	res := BackfillResult{Job: in.Job, Outcome: jobs.OutcomeOK}
	done := map[int]WindowResult{}
	var order []jobs.Window
	progress := func() BackfillResult {
		r := res
		r.Runs = nil
		for i := range order {
			if w, ok := done[i]; ok {
				r.Runs = append(r.Runs, w)
			}
		}
		return r
	}
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, func() (BackfillResult, error) { return progress(), nil }); err != nil {
		return res, err
	}
	planCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &sdk.RetryPolicy{MaximumAttempts: 5},
	})
	var plan Plan
	if err := workflow.ExecuteActivity(planCtx, PlanActivityName, in).Get(ctx, &plan); err != nil {
		return res, fmt.Errorf("plan backfill of %s: %w", in.Job, err)
	}
	res.Days, res.Windows, res.Todo, res.AlreadyDone = plan.Days, plan.Windows, len(plan.Todo), plan.Windows-len(plan.Todo)
	order = plan.Todo
	gap := plan.Cooldown
	if in.WindowGap != nil {
		gap = *in.WindowGap
	}
	if gap > 0 || len(plan.Quotas) > 0 {
		in.MaxInFlight = 1
	}
	cooldown := time.Duration(0)
	if len(plan.Quotas) > 0 {
		// the quotas keep the pause, between this job's windows and other
		// jobs' alike
		cooldown, gap = gap, 0
	}
	holds := 0
	winCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: in.WindowTimeout,
		HeartbeatTimeout:    in.Heartbeat,
		RetryPolicy: &sdk.RetryPolicy{
			InitialInterval:        time.Second,
			MaximumInterval:        time.Minute,
			MaximumAttempts:        in.MaxAttempts,
			NonRetryableErrorTypes: []string{ErrConfig},
		},
	})
	sel := workflow.NewSelector(ctx)
	next, inFlight := 0, 0
	var failed error
	for next < len(order) || inFlight > 0 {
		for failed == nil && next < len(order) && inFlight < in.MaxInFlight {
			if gap > 0 && next > 0 {
				if err := workflow.Sleep(ctx, gap); err != nil {
					return progress(), err
				}
			}
			i := next
			next++
			inFlight++
			release, err := holdQuotas(ctx, plan.Quotas, in.WindowTimeout*time.Duration(in.MaxAttempts)+time.Minute,
				cooldown, &holds)
			if err != nil {
				return progress(), err
			}
			f := workflow.ExecuteActivity(winCtx, WindowActivityName, WindowInput{Job: in.Job, Days: plan.Days, Window: order[i]})
			sel.AddFuture(f, func(f workflow.Future) {
				release()
				inFlight--
				var wr WindowResult
				if err := f.Get(ctx, &wr); err != nil {
					wr = WindowResult{Window: order[i], Outcome: jobs.OutcomeFailed, Error: err.Error()}
					if failed == nil {
						failed = err
					}
				} else {
					res.Done++
				}
				if wr.Outcome == jobs.OutcomeRejected && res.Outcome == jobs.OutcomeOK {
					res.Outcome = jobs.OutcomeRejected
				}
				done[i] = wr
			})
		}
		if inFlight == 0 {
			break
		}
		sel.Select(ctx)
	}
	if failed != nil {
		res.Outcome, res.Error = jobs.OutcomeFailed, failed.Error()
	}
	return progress(), nil
}

// ErrConfig is the error type of a window that cannot run on any worker
// (the job is not valid): Temporal does not retry it.
const ErrConfig = "ccetl.config"

// configError marks err as one no retry can fix.
func configError(err error) error {
	var ae *sdk.ApplicationError
	if errors.As(err, &ae) {
		return err
	}
	return sdk.NewNonRetryableApplicationError(err.Error(), ErrConfig, nil)
}
