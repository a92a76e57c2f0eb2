package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ccetl/ccetl/jobs"
	"github.com/ccetl/ccetl/jobs/schedule"
)

// defaultAddr is where `ccetl serve` listens unless --addr says otherwise:
// loopback only.
const defaultAddr = "127.0.0.1:8377"

// serve runs jobs on their schedules (ccetl serve DIR|JOB.yaml...), or
// talks to a running server (ccetl serve status|pause|resume|trigger).
func (e *env) serve(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "status", "pause", "resume", "trigger":
			return e.serveClient(ctx, args[0], args[1:])
		}
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	addr := fs.String("addr", defaultAddr, "listen address for /healthz, /readyz, /metrics, the status page and the control API")
	grace := fs.Duration("grace", 5*time.Minute, "on SIGTERM or SIGINT, how long running runs may take to reach their next checkpoint (or finish) before they are cancelled")
	level := fs.String("log-level", "info", "log level: debug, info, warn, error")
	format := logFormatFlag(fs)
	keepRuns := fs.Int("keep-runs", 1000, "run reports kept per job; older ones are deleted after each run (0: keep all)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("serve: give job files or folders of job files")
	}
	if _, err := jobFiles(pos); err != nil {
		return usagef("serve: %v", err)
	}
	log, err := newLogger(e.stderr, *level, *format)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	s := &server{e: e, log: log, paths: pos, runCtx: runCtx, drain: make(chan struct{}), keepRuns: *keepRuns, byFile: map[string]*jobs.Job{},
		recent: map[string][]jobs.RunReport{}, running: map[string]int{}, metrics: newMetrics()}
	s.sched = schedule.New(schedule.Options{Run: s.run, Memory: tickMemory{s}, Events: s.event})
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	s.reload()
	if len(s.jobNames()) == 0 {
		ln.Close()
		return usagef("serve: no valid job file; the problems are logged above")
	}
	srv := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err)
		}
	}()
	log.Info("listening", "addr", "http://"+ln.Addr().String())
	loopCtx, stopLoop := context.WithCancel(ctx)
	defer stopLoop()
	loopDone := make(chan struct{})
	go func() { s.sched.Run(loopCtx); close(loopDone) }()
	for ctx.Err() == nil {
		select {
		case <-hup:
			log.Info("SIGHUP: reading the job files again")
			s.reload()
		case <-ctx.Done():
		}
	}
	s.stop()
	<-loopDone
	s.sched.Stop() // a run waiting for the running one (buffer_one) does not start either
	close(s.drain)
	log.Info("stopping: no new runs; the running ones stop at their next checkpoint or finish", "grace", grace.String())
	done := make(chan struct{})
	go func() { s.sched.Wait(); close(done) }()
	var runErr error
	select {
	case <-done:
	case <-time.After(*grace):
		log.Warn("grace period over: cancelling the runs still running; each resumes from its last checkpoint on its next run")
		cancelRuns()
		select {
		case <-done:
		case <-time.After(cancelledRunsWait): // a run deaf to its cancellation does not hold the server
			log.Error("runs still running after their cancellation; stopping without them (the next run of each takes its lease over)",
				"waited", cancelledRunsWait.String())
		}
		runErr = fmt.Errorf("serve: runs cancelled after the grace period: %w", context.Canceled)
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutCtx)
	log.Info("stopped")
	return runErr
}

// cancelledRunsWait is how long a stopping server waits for the runs it
// cancelled after the grace period.
const cancelledRunsWait = 30 * time.Second

func (s *server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
}

func (s *server) jobNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, j := range s.list() {
		out = append(out, j.Name)
	}
	return out
}
