package temporal

import (
	"context"
	"errors"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/jobs/schedule"
)

func TestScheduleOptions(t *testing.T) {
	o, err := ScheduleOptions("q", schedule.Job{Name: "nightly", Schedule: "30 2 * * *", TimeZone: "America/Chicago",
		Jitter: 5 * time.Minute, Overlap: schedule.OverlapBufferOne, CatchupWindow: 6 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	act, _ := o.Action.(*client.ScheduleWorkflowAction)
	if o.ID != "ccetl-schedule/q/nightly" || o.Spec.CronExpressions[0] != "30 2 * * *" || o.Spec.TimeZoneName != "America/Chicago" ||
		o.Spec.Jitter != 5*time.Minute || o.Overlap != enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE || o.CatchupWindow != 6*time.Hour ||
		act == nil || act.Workflow != RunWorkflowName || act.TaskQueue != "q" || act.Args[0].(RunInput).Job != "nightly" {
		t.Fatalf("options %+v, action %+v", o, act)
	}
	for overlap, want := range map[schedule.Overlap]enumspb.ScheduleOverlapPolicy{
		"": enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, schedule.OverlapSkip: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		schedule.OverlapAllow: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
	} {
		o, err := ScheduleOptions("q", schedule.Job{Name: "j", Schedule: "@every 15m", Overlap: overlap})
		if err != nil || o.Overlap != want || o.CatchupWindow != MinCatchupWindow {
			t.Errorf("overlap %q: %v %v, catch-up %v", overlap, o.Overlap, err, o.CatchupWindow)
		}
	}
	if _, err := ScheduleOptions("q", schedule.Job{Name: "j"}); err == nil {
		t.Error("a job without a schedule was accepted")
	}
}

// TestRunWorkflowRetries: a run that fails on its own is not retried (the
// next tick runs the job); one that fails otherwise (its worker stopping)
// is.
func TestRunWorkflowRetries(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		tries int
	}{
		{"run failed", RunFailed(errors.New("source 1 (maestroqa-coaching-api): HTTP 500")), 1},
		{"worker stopping", context.Canceled, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			s.SetLogger(quiet())
			env := s.NewTestWorkflowEnvironment()
			tries := 0
			RegisterRun(env, &Activities{Identity: "w", Run: func(context.Context, RunInput) (RunResult, error) {
				tries++
				return RunResult{Outcome: jobs.OutcomeFailed}, tc.err
			}})
			env.ExecuteWorkflow(RunWorkflowName, RunInput{Job: "j", Trigger: "schedule"})
			if env.GetWorkflowError() == nil || tries != tc.tries {
				t.Fatalf("error %v after %d tries, want %d", env.GetWorkflowError(), tries, tc.tries)
			}
		})
	}
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quiet())
	env := s.NewTestWorkflowEnvironment()
	RegisterRun(env, &Activities{Identity: "w", Run: func(context.Context, RunInput) (RunResult, error) {
		return RunResult{Outcome: jobs.OutcomeOK, RowsOut: 7}, nil
	}})
	env.ExecuteWorkflow(RunWorkflowName, RunInput{Job: "j"})
	var res RunResult
	if err := env.GetWorkflowResult(&res); err != nil || res.RowsOut != 7 || res.Worker != "w" {
		t.Fatalf("%+v %v", res, err)
	}
}
