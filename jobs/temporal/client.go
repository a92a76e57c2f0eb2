package temporal

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// BackfillID is the workflow id of a job's backfill of [from, to) on a
// task queue: starting the same backfill again while it runs attaches to
// the running one.
func BackfillID(queue, job string, from, to time.Time) string {
	return fmt.Sprintf("ccetl-backfill/%s/%s/%s/%s", queue, job, from.Format(time.DateOnly), to.Format(time.DateOnly))
}

// StartBackfill starts a backfill workflow on the task queue, or returns
// the one of the same job and range that is already running.
func StartBackfill(ctx context.Context, c client.Client, queue string, in BackfillInput) (client.WorkflowRun, error) {
	if queue == "" {
		queue = DefaultTaskQueue
	}
	opts := client.StartWorkflowOptions{
		ID:                       BackfillID(queue, in.Job, in.From, in.To),
		TaskQueue:                queue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}
	run, err := c.ExecuteWorkflow(ctx, opts, BackfillWorkflowName, in)
	if err != nil {
		return nil, fmt.Errorf("start backfill of %s on Temporal: %w", in.Job, err)
	}
	return run, nil
}

// Progress asks a running backfill how far it is.
func Progress(ctx context.Context, c client.Client, workflowID, runID string) (BackfillResult, error) {
	var r BackfillResult
	v, err := c.QueryWorkflow(ctx, workflowID, runID, ProgressQuery)
	if err != nil {
		return r, err
	}
	return r, v.Get(&r)
}
