package temporal

import (
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// grant is one grant the quota workflow signalled, at workflow time.
type grant struct {
	to, token string
	at        time.Duration
}

// TestQuotaWorkflowServesOneHolderAtATime: holders are served first come
// first served, the next only after the current one releases (a release
// with another token is ignored), the cooldown apart; a holder that never
// releases loses the quota when its hold runs out; an idle quota ends.
func TestQuotaWorkflowServesOneHolderAtATime(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(quiet())
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(QuotaWorkflow, workflow.RegisterOptions{Name: QuotaWorkflowName})
	var start time.Time
	var grants []grant
	env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, mock.Anything, quotaGrantSignal, mock.Anything).Return(
		func(_, workflowID, _, _ string, arg any) error {
			grants = append(grants, grant{workflowID, arg.(string), env.Now().Sub(start)})
			return nil
		})
	ask := func(at time.Duration, who string, hold time.Duration) {
		env.RegisterDelayedCallback(func() {
			env.SignalWorkflow(quotaAcquireSignal, QuotaRequest{WorkflowID: who, RunID: "r" + who, Token: who + "|1",
				Hold: hold, Cooldown: 10 * time.Second})
		}, at)
	}
	release := func(at time.Duration, token string) {
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(quotaReleaseSignal, token) }, at)
	}
	ask(time.Second, "a", time.Hour)
	ask(2*time.Second, "b", 5*time.Minute) // b never releases
	ask(3*time.Second, "c", time.Hour)
	release(30*time.Second, "b|1") // not a's: ignored
	release(time.Minute, "a|1")
	release(20*time.Minute, "c|1")
	start = env.Now()
	env.ExecuteWorkflow(QuotaWorkflowName, []QuotaRequest(nil))
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	want := []grant{
		{"a", "a|1", time.Second},
		{"b", "b|1", time.Minute + 10*time.Second},                                  // a released at 1m, then the cooldown
		{"c", "c|1", time.Minute + 10*time.Second + 5*time.Minute + 10*time.Second}, // b's hold ran out, then the cooldown
	}
	if len(grants) != len(want) {
		t.Fatalf("grants %+v, want %+v", grants, want)
	}
	for i, g := range grants {
		if g.to != want[i].to || g.token != want[i].token || g.at.Round(time.Second) != want[i].at {
			t.Errorf("grant %d: %+v, want %+v", i, g, want[i])
		}
	}
}
