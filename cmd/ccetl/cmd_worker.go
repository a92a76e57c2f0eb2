package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/jobs/temporal"
)

// temporalFlags are how a command reaches Temporal.
type temporalFlags struct{ addr, namespace, queue *string }

func addTemporalFlags(fs *flag.FlagSet) temporalFlags {
	return temporalFlags{
		addr:      fs.String("temporal", "127.0.0.1:7233", "Temporal frontend HOST:PORT"),
		namespace: fs.String("namespace", "default", "Temporal namespace"),
		queue:     fs.String("task-queue", temporal.DefaultTaskQueue, "Temporal task queue the workers poll"),
	}
}

// dial connects to Temporal, logging the SDK's messages at warn and above.
func (f temporalFlags) dial(ctx context.Context, log *slog.Logger, identity string) (client.Client, error) {
	sdkLog := slog.New(log.Handler().WithAttrs([]slog.Attr{slog.String("component", "temporal")}))
	c, err := client.DialContext(ctx, client.Options{HostPort: *f.addr, Namespace: *f.namespace, Identity: identity,
		Logger: tlog.NewStructuredLogger(sdkLog)})
	if err != nil {
		return nil, fmt.Errorf("temporal %s: %w", *f.addr, err)
	}
	return c, nil
}

func workerIdentity() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("ccetl-worker:%s:%d", host, os.Getpid())
}

// worker runs backfill windows handed out by Temporal until interrupted.
func (e *env) worker(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	tf := addTemporalFlags(fs)
	concurrency := fs.Int("concurrency", 4, "windows this worker runs at once")
	leaseWait := fs.Duration("lease-wait", time.Hour, "how long a window waits for the job's lease (held by another window or run) before failing its attempt")
	lf := addLogFlags(fs, "info")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("worker: give the job files (or folders of them) this worker may run")
	}
	if *concurrency < 1 {
		return usagef("worker: --concurrency must be at least 1")
	}
	log, err := lf.logger(e.stderr)
	if err != nil {
		return err
	}
	byName, err := e.jobIndex(pos)
	if err != nil {
		return err
	}
	id := workerIdentity()
	c, err := tf.dial(ctx, log, id)
	if err != nil {
		return err
	}
	defer c.Close()
	w := worker.New(c, *tf.queue, worker.Options{Identity: id, MaxConcurrentActivityExecutionSize: *concurrency})
	acts := &temporal.Activities{
		Identity: id,
		Client:   c,
		Plan: func(ctx context.Context, in temporal.BackfillInput) (temporal.Plan, error) {
			return e.planActivity(ctx, byName, in)
		},
		Window: func(ctx context.Context, in temporal.WindowInput) (temporal.WindowResult, error) {
			return e.windowActivity(ctx, byName, in, log.With("worker", id), *leaseWait)
		},
		Run: func(ctx context.Context, in temporal.RunInput) (temporal.RunResult, error) {
			return e.runActivity(ctx, byName, in, log.With("worker", id))
		},
	}
	temporal.Register(w, acts)
	temporal.RegisterRun(w, acts)
	if err := w.Start(); err != nil {
		return fmt.Errorf("temporal worker: %w", err)
	}
	log.Info("worker polling", "temporal", *tf.addr, "namespace", *tf.namespace, "task_queue", *tf.queue, "jobs", len(byName), "identity", id)
	<-ctx.Done()
	w.Stop()
	return ctx.Err()
}

// jobIndex maps the job names of the files (or folders) to their paths;
// each file must load and two files may not name the same job.
func (e *env) jobIndex(paths []string) (map[string]string, error) {
	files, err := jobFiles(paths)
	if err != nil {
		return nil, err
	}
	byName := map[string]string{}
	for _, f := range files {
		job, err := jobs.Load(f, jobs.OSEnv())
		if err != nil {
			return nil, err
		}
		if prev, ok := byName[job.Name]; ok {
			return nil, usagef("job %s is in both %s and %s", job.Name, prev, f)
		}
		byName[job.Name] = f
	}
	return byName, nil
}

// loadPull loads and checks a pull job this worker knows by name.
func (e *env) loadPull(byName map[string]string, name string) (*jobs.Job, error) {
	path, ok := byName[name]
	if !ok {
		return nil, temporal.Config(fmt.Errorf("job %s is not among this worker's job files", name))
	}
	job, err := jobs.Load(path, jobs.OSEnv())
	if err != nil {
		return nil, temporal.Config(err)
	}
	if job.Target != nil {
		return nil, temporal.Config(fmt.Errorf("job %s is a push job; backfill pulls", name))
	}
	if err := jobs.Check(job, e.reg); err != nil {
		return nil, temporal.Config(err)
	}
	return job, nil
}

func (e *env) planActivity(ctx context.Context, byName map[string]string, in temporal.BackfillInput) (temporal.Plan, error) {
	job, err := e.loadPull(byName, in.Job)
	if err != nil {
		return temporal.Plan{}, err
	}
	plan, err := jobs.PlanBackfill(ctx, job, e.reg, e.openState, in.From, in.To, in.WindowDays, in.Again)
	if err != nil {
		return temporal.Plan{}, err
	}
	quotas, cooldown := jobs.Quotas(job, e.reg)
	return temporal.Plan{Days: plan.Days, Windows: len(plan.Windows), Todo: plan.Todo, Cooldown: max(plan.Cooldown, cooldown),
		Quotas: quotas}, nil
}

// windowActivity runs one window as `ccetl backfill` does, unless the job
// state already records it as committed.
func (e *env) windowActivity(ctx context.Context, byName map[string]string, in temporal.WindowInput, log *slog.Logger, leaseWait time.Duration) (temporal.WindowResult, error) {
	job, err := e.loadPull(byName, in.Job)
	if err != nil {
		return temporal.WindowResult{}, err
	}
	plan, err := jobs.PlanBackfill(ctx, job, e.reg, e.openState, in.Window.Start, in.Window.End, in.Days, false)
	if err != nil {
		return temporal.WindowResult{}, err
	}
	if len(plan.Todo) == 0 {
		log.Info("window already committed", "job", job.Name, "start", in.Window.Start.Format(time.DateOnly))
		return temporal.WindowResult{Outcome: jobs.OutcomeOK, AlreadyDone: true}, nil
	}
	log.Info("window started", "job", job.Name, "start", in.Window.Start.Format(time.DateOnly), "end", in.Window.End.Format(time.DateOnly))
	by := runMeta{worker: workerIdentity(), attempt: int(activity.GetInfo(ctx).Attempt)}
	rep, err := e.runWindow(ctx, job, plan, in.Window, log, leaseWait, time.Second, by)
	res := temporal.WindowResult{RunID: rep.RunID, Outcome: rep.Outcome, RowsIn: rep.RowsIn, RowsOut: rep.RowsOut,
		RowsRejected: rep.RowsRejected, Requests: rep.Requests, Seconds: rep.Seconds, Error: rep.Error}
	log.Info("window finished", "job", job.Name, "start", in.Window.Start.Format(time.DateOnly), "outcome", rep.Outcome, "rows_out", rep.RowsOut)
	return res, err
}
