package jobs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"
	"time"

	"github.com/ccetl/ccetl/jobs/state"
	"github.com/ccetl/ccetl/pipeline"
)

// StateOpener opens the state backend at a URL: a directory, or an
// s3://bucket/prefix the command knows how to reach.
type StateOpener func(ctx context.Context, url string) (pipeline.StateStore, error)

// LeaseTTL is how long a job's lease lasts without renewal; a running job
// renews it every third of that.
const LeaseTTL = 2 * time.Minute

// StateURL is where a job keeps its state: the job's `state:` value, or
// `_state` under the sink's output (so state and data share one place and
// one lifetime).
func StateURL(job *Job) string {
	if job.State != "" {
		return job.State
	}
	return OutputBase(job.Sink.URL) + "/_state"
}

// OutputBase is where a sink's files are, for the job state and run
// reports beside them: the URL itself for a lake (a directory or s3://),
// the warehouse of an Iceberg sink (iceberg:///dir is /dir,
// iceberg+s3://bucket/prefix is s3://bucket/prefix).
func OutputBase(sinkURL string) string {
	u := strings.TrimRight(sinkURL, "/")
	switch {
	case strings.HasPrefix(u, "iceberg+"):
		return strings.TrimPrefix(u, "iceberg+")
	case strings.HasPrefix(u, "iceberg://"):
		return strings.TrimPrefix(u, "iceberg://")
	}
	return u
}

// OpenLocalState is the StateOpener for directories.
func OpenLocalState(_ context.Context, url string) (pipeline.StateStore, error) {
	if strings.Contains(url, "://") {
		return nil, fmt.Errorf("state %s: only local directories here", url)
	}
	return state.OpenDir(url)
}

// session is a job run's hold on its state: the lease and the loaded state.
type session struct {
	store *state.Store
	lease *state.Lease
	st    *state.State
	stop  func()
}

func holderID() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), NewRunID())
}

// begin takes the job's lease (a second runner of the same job gets a clear
// error) and loads its state. ctx is replaced by one that ends if the lease
// is lost.
func (r Runner) begin(ctx context.Context, job *Job) (context.Context, *session, error) {
	if r.State == nil {
		return ctx, nil, nil
	}
	backend, err := r.State(ctx, StateURL(job))
	if err != nil {
		return ctx, nil, fmt.Errorf("job state: %w", err)
	}
	store := state.New(backend)
	lease, err := store.Acquire(ctx, job.Name, holderID(), LeaseTTL)
	if err != nil {
		return ctx, nil, err
	}
	if prev := lease.TookOver(); prev != "" {
		r.logger().Warn("took over the lease of "+prev+", whose process is gone (killed or crashed); its uncommitted work is redone",
			"job", job.Name, "previous_holder", prev)
	}
	st, err := store.Load(ctx, job.Name)
	if err != nil {
		lease.Release(context.WithoutCancel(ctx))
		return ctx, nil, err
	}
	held, stop := lease.Hold(ctx)
	return held, &session{store: store, lease: lease, st: st, stop: stop}, nil
}

// hold takes the job's lease for a run (begin) and returns the release
// to defer, which logs a failure to release rather than failing the run.
func (r Runner) hold(ctx context.Context, job *Job) (context.Context, *session, func(), error) {
	ctx, sess, err := r.begin(ctx, job)
	if err != nil {
		return ctx, nil, nil, err
	}
	return ctx, sess, func() {
		if err := sess.end(ctx); err != nil {
			r.logger().Warn("release job lease", "job", job.Name, "err", err)
		}
	}, nil
}

// cursors returns step i's saved cursors.
func (s *session) cursors(i int, kind string) map[string]string {
	if s == nil {
		return nil
	}
	prefix := stepPrefix(i, kind)
	out := map[string]string{}
	for k, v := range s.st.Cursors {
		if name, ok := strings.CutPrefix(k, prefix); ok {
			out[name] = v
		}
	}
	return out
}

// resume returns the cursors a step starts from: the job state's, or the
// sink's when its last commit for the step is newer than what the state
// recorded (a run stopped between committing its data and saving its
// state), so data and progress never disagree.
func (s *session) resume(ctx context.Context, i int, kind string, sk pipeline.SinkKind, sc pipeline.SinkConfig) (map[string]string, bool, error) {
	saved := s.cursors(i, kind)
	if s == nil || sk.Resume == nil {
		return saved, false, nil
	}
	c, ok, err := sk.Resume(ctx, sc, sc.Step)
	if err != nil {
		return nil, false, fmt.Errorf("read the cursors of the sink's last commit: %w", err)
	}
	if !ok {
		return saved, false, nil
	}
	// the state is saved after the data: a commit after the state's last
	// save (or reset) is progress the state missed
	if c.At.After(s.st.Committed) && !maps.Equal(c.Cursors, saved) {
		return c.Cursors, true, nil
	}
	return saved, false, nil
}

// skip is the only_new filter of a source: objects processed before at the
// same ETag are left out.
func (s *session) skip(spec SourceSpec) func(url, etag string) bool {
	if s == nil || !spec.OnlyNew {
		return nil
	}
	return func(url, etag string) bool { return etag != "" && s.st.Seen(url, etag) }
}

// commit records step i's new cursors and, for only_new sources, the
// objects it read, after its data committed.
func (s *session) commit(ctx context.Context, i int, spec SourceSpec, inputs []pipeline.InputInfo, src pipeline.Source) error {
	if s == nil {
		return nil
	}
	changed := false
	if cr, ok := src.(pipeline.CursorReporter); ok {
		for k, v := range cr.Cursors() {
			s.st.SetCursor(stepPrefix(i, spec.Kind)+k, v)
			changed = true
		}
	}
	if spec.OnlyNew {
		for _, in := range inputs {
			if in.ETag != "" {
				s.st.MarkProcessed(in.Name, in.ETag)
				changed = true
			}
		}
	}
	if !changed {
		return nil
	}
	if err := s.store.Commit(ctx, s.lease, s.st); err != nil {
		return fmt.Errorf("commit job state (the data is committed; the next run re-does this step): %w", err)
	}
	return nil
}

// onCheckpoint saves step i's cursors each time the run commits part way
// (an API window done), so a run that fails later keeps that progress. Nil
// without job state: the run then commits once, at the end.
func (s *session) onCheckpoint(i int, kind string) func(context.Context, map[string]string) error {
	if s == nil {
		return nil
	}
	return func(ctx context.Context, cursors map[string]string) error {
		for k, v := range cursors {
			s.st.SetCursor(stepPrefix(i, kind)+k, v)
		}
		if err := s.store.Commit(ctx, s.lease, s.st); err != nil {
			return fmt.Errorf("commit job state: %w", err)
		}
		return nil
	}
}

// markDone records a backfill window as committed, after its data.
func (s *session) markDone(ctx context.Context, w Window) error {
	if s == nil {
		return nil
	}
	s.st.MarkDone(state.Window{Start: w.Start, End: w.End})
	if err := s.store.Commit(ctx, s.lease, s.st); err != nil {
		return fmt.Errorf("commit job state (the window's data is committed; the next backfill re-does it): %w", err)
	}
	return nil
}

func (s *session) end(ctx context.Context) error {
	if s == nil {
		return nil
	}
	s.stop()
	return s.lease.Release(context.WithoutCancel(ctx))
}

func stepPrefix(i int, kind string) string { return fmt.Sprintf("%d.%s.", i, kind) }

// IsLeaseHeld reports whether err says another runner holds the job.
func IsLeaseHeld(err error) bool {
	var he *state.HeldError
	return errors.As(err, &he)
}
