package temporal

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	sdk "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// A vendor's rate limit belongs to its credential. In one process the
// connectors share a limiter per credential; across workers, a quota
// workflow per credential (QuotaWorkflow, id QuotaID) hands the credential
// to one window or scheduled run at a time, whichever job and worker it
// belongs to, and keeps the job's cooldown between two holders. Jobs that
// share a MaestroQA token thus never send at twice its rate, however many
// workers run them.
const (
	QuotaWorkflowName   = "ccetl.quota"
	QuotaAskActivity    = "ccetl.quota.ask"
	quotaAcquireSignal  = "ccetl.quota.acquire"
	quotaReleaseSignal  = "ccetl.quota.release"
	quotaGrantSignal    = "ccetl.quota.grant"
	quotaIdle           = time.Minute // a quota workflow nobody asks for ends after this
	quotaContinueAfter  = 500         // grants before a quota workflow continues as new
	quotaAskTimeout     = time.Minute
	quotaReleaseTimeout = 30 * time.Second
)

// QuotaID is the workflow id of a credential's quota on a task queue.
func QuotaID(queue, key string) string { return fmt.Sprintf("ccetl-quota/%s/%s", queue, key) }

// QuotaRequest asks a quota workflow for its credential.
type QuotaRequest struct {
	// WorkflowID and RunID are the asking workflow's: the grant is
	// signalled to it.
	WorkflowID, RunID string
	// Token names this hold in the grant and the release.
	Token string
	// Hold bounds the hold: a holder that neither releases nor finishes
	// in time (a workflow terminated by hand) loses it.
	Hold time.Duration
	// Cooldown is the pause after this hold before the next one starts:
	// the longest span of the job's rate limit, so the next holder's
	// burst cannot add to this one's requests in any of the vendor's spans.
	Cooldown time.Duration
}

// QuotaAsk is the input of the activity that asks a quota workflow
// (starting it if it does not run).
type QuotaAsk struct {
	Queue, Key string
	Request    QuotaRequest
}

// QuotaWorkflow serves one credential's holds, first come first served.
// waiting carries the requests across a continue-as-new.
func QuotaWorkflow(ctx workflow.Context, waiting []QuotaRequest) error {
	acquire := workflow.GetSignalChannel(ctx, quotaAcquireSignal)
	release := workflow.GetSignalChannel(ctx, quotaReleaseSignal)
	take := func() {
		var r QuotaRequest
		for acquire.ReceiveAsync(&r) {
			waiting = append(waiting, r)
		}
	}
	for grants := 0; ; grants++ {
		take()
		if len(waiting) == 0 {
			// idle: wait for an ask, or end (an ask after the end starts
			// a new run of the workflow)
			timer, cancel := workflow.WithCancel(ctx)
			sel := workflow.NewSelector(ctx)
			idle := false
			sel.AddReceive(acquire, func(c workflow.ReceiveChannel, _ bool) {
				var r QuotaRequest
				c.Receive(ctx, &r)
				waiting = append(waiting, r)
			})
			sel.AddFuture(workflow.NewTimer(timer, quotaIdle), func(workflow.Future) { idle = true })
			sel.Select(ctx)
			cancel()
			if idle {
				take()
				if len(waiting) == 0 {
					return nil
				}
			}
		}
		if grants >= quotaContinueAfter {
			take()
			return workflow.NewContinueAsNewError(ctx, QuotaWorkflowName, waiting)
		}
		r := waiting[0]
		waiting = waiting[1:]
		err := workflow.SignalExternalWorkflow(ctx, r.WorkflowID, r.RunID, quotaGrantSignal, r.Token).Get(ctx, nil)
		if err != nil {
			continue // the asker is gone
		}
		held(ctx, r, release, acquire, &waiting)
		if r.Cooldown > 0 {
			if err := workflow.Sleep(ctx, r.Cooldown); err != nil {
				return err
			}
		}
	}
}

// held waits for the holder of r to release it (or for its hold to run
// out), queueing the asks that come meanwhile.
func held(ctx workflow.Context, r QuotaRequest, release, acquire workflow.ReceiveChannel, waiting *[]QuotaRequest) {
	timerCtx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	expired := false
	timer := workflow.NewTimer(timerCtx, r.Hold)
	for !expired {
		done := false
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(release, func(c workflow.ReceiveChannel, _ bool) {
			var tok string
			c.Receive(ctx, &tok)
			done = tok == r.Token // a stale release is dropped
		})
		sel.AddReceive(acquire, func(c workflow.ReceiveChannel, _ bool) {
			var q QuotaRequest
			c.Receive(ctx, &q)
			*waiting = append(*waiting, q)
		})
		sel.AddFuture(timer, func(workflow.Future) { expired = true })
		sel.Select(ctx)
		if done {
			return
		}
	}
}

// Ask is the quota-ask activity: it signals the credential's quota
// workflow, starting it if it does not run.
func (a *Activities) Ask(ctx context.Context, in QuotaAsk) error {
	if a.Client == nil {
		return Config(fmt.Errorf("this worker has no Temporal client to ask for quota %s", in.Key))
	}
	_, err := a.Client.SignalWithStartWorkflow(ctx, QuotaID(in.Queue, in.Key), quotaAcquireSignal, in.Request,
		client.StartWorkflowOptions{TaskQueue: in.Queue}, QuotaWorkflowName, []QuotaRequest(nil))
	return err
}

// holdQuotas takes the credentials' quotas (in key order, so two holders
// of the same two never wait for each other) and returns the function
// that gives them back. Tokens name the asking workflow's n-th hold.
func holdQuotas(ctx workflow.Context, keys []string, hold, cooldown time.Duration, n *int) (release func(), err error) {
	if len(keys) == 0 {
		return func() {}, nil
	}
	info := workflow.GetInfo(ctx)
	queue := info.TaskQueueName
	keys = slices.Sorted(slices.Values(keys))
	askCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: quotaAskTimeout,
		RetryPolicy:         &sdk.RetryPolicy{InitialInterval: time.Second, MaximumInterval: 30 * time.Second},
	})
	grants := workflow.GetSignalChannel(ctx, quotaGrantSignal)
	var held []string // tokens
	release = func() {
		for _, tok := range held {
			key, _, _ := strings.Cut(tok, "|")
			// a quota workflow that ended no longer holds anything
			_ = workflow.SignalExternalWorkflow(ctx, QuotaID(queue, key), "", quotaReleaseSignal, tok).Get(ctx, nil)
		}
	}
	for _, key := range keys {
		*n++
		tok := fmt.Sprintf("%s|%s|%d", key, info.WorkflowExecution.RunID, *n)
		req := QuotaRequest{WorkflowID: info.WorkflowExecution.ID, RunID: info.WorkflowExecution.RunID, Token: tok,
			Hold: hold, Cooldown: cooldown}
		if err := workflow.ExecuteActivity(askCtx, QuotaAskActivity, QuotaAsk{Queue: queue, Key: key, Request: req}).Get(ctx, nil); err != nil {
			release()
			return nil, fmt.Errorf("ask for quota %s: %w", key, err)
		}
		for {
			var got string
			grants.Receive(ctx, &got)
			if got == tok {
				break
			}
			// a grant of an earlier hold this workflow gave up: hand it back
			k, _, _ := strings.Cut(got, "|")
			_ = workflow.SignalExternalWorkflow(ctx, QuotaID(queue, k), "", quotaReleaseSignal, got).Get(ctx, nil)
		}
		held = append(held, tok)
	}
	return release, nil
}
