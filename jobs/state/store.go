package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/ccetl/ccetl/pipeline"
)

// Store keeps job states and leases in a pipeline.StateStore: a Dir, or the
// S3 state store the command wires in. Per job it uses two keys,
// "<job>/state.json" and "<job>/lease.json".
type Store struct {
	backend pipeline.StateStore
	now     func() time.Time
	self    Process
	alive   func(Process) Liveness
}

// New returns a job-state store on backend.
func New(backend pipeline.StateStore) *Store {
	return &Store{backend: backend, now: time.Now, self: Self(), alive: liveness}
}

var jobName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

func checkJob(job string) error {
	if !jobName.MatchString(job) {
		return fmt.Errorf("state: bad job name %q: want letters, digits, '.', '_' and '-'", job)
	}
	return nil
}

func stateKey(job string) string { return job + "/state.json" }
func leaseKey(job string) string { return job + "/lease.json" }

// Load returns the job's committed state; a job that never committed gets
// an empty state at revision 0.
func (s *Store) Load(ctx context.Context, job string) (*State, error) {
	if err := checkJob(job); err != nil {
		return nil, err
	}
	data, ver, err := s.backend.Get(ctx, stateKey(job))
	if errors.Is(err, pipeline.ErrStateNotFound) {
		return &State{Job: job}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state: load %s: %w", job, err)
	}
	st := &State{}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("state: load %s: %w", job, err)
	}
	if st.Job != job {
		return nil, fmt.Errorf("state: load %s: the stored state is for job %q", job, st.Job)
	}
	st.version = ver
	return st, nil
}

// Commit stores st as the job's state. Call it only after the data st
// describes is committed. It refuses without the job's lease: it renews the
// lease first (failing with ErrLeaseLost if another runner took it), then
// writes st on condition that the stored state is still the one st was
// loaded from (else ErrStateConflict). On success st is at the new revision.
func (s *Store) Commit(ctx context.Context, lease *Lease, st *State) error {
	if lease == nil || lease.st != s || lease.job != st.Job {
		return fmt.Errorf("state: commit %s: not holding this job's lease", st.Job)
	}
	if err := lease.Renew(ctx); err != nil {
		return fmt.Errorf("state: commit %s: %w", st.Job, err)
	}
	next := *st
	next.Revision++
	next.Committed = s.now().UTC()
	next.Holder = lease.holder
	data, err := json.MarshalIndent(&next, "", "  ")
	if err != nil {
		return fmt.Errorf("state: commit %s: %w", st.Job, err)
	}
	ver, err := s.backend.Put(ctx, stateKey(st.Job), data, st.version)
	if errors.Is(err, pipeline.ErrStateConflict) {
		return fmt.Errorf("state: commit %s: the state changed since revision %d was loaded: %w", st.Job, st.Revision, err)
	}
	if err != nil {
		return fmt.Errorf("state: commit %s: %w", st.Job, err)
	}
	next.version = ver
	*st = next
	return nil
}

// Report is what `ccetl state show` prints.
type Report struct {
	Job   string     `json:"job"`
	State *State     `json:"state"` // nil before the first commit
	Lease *LeaseInfo `json:"lease"` // nil if never leased
}

// LeaseInfo describes the stored lease.
type LeaseInfo struct {
	Holder   string    `json:"holder,omitempty"`
	Acquired time.Time `json:"acquired"`
	Renewed  time.Time `json:"renewed,omitzero"`
	Expires  time.Time `json:"expires"`
	Active   bool      `json:"active"`
	// Process is the holder's process and whether it still runs: alive or
	// gone on this host, remote (only the expiry tells), unknown.
	Process Process  `json:"process,omitzero"`
	Status  Liveness `json:"process_status,omitempty"`
}

// Inspect reads the job's state and lease without taking the lease.
func (s *Store) Inspect(ctx context.Context, job string) (Report, error) {
	r := Report{Job: job}
	st, err := s.Load(ctx, job)
	if err != nil {
		return r, err
	}
	if st.version != "" {
		r.State = st
	}
	data, _, err := s.backend.Get(ctx, leaseKey(job))
	switch {
	case errors.Is(err, pipeline.ErrStateNotFound):
	case err != nil:
		return r, fmt.Errorf("state: show %s: %w", job, err)
	default:
		var d leaseDoc
		if err := json.Unmarshal(data, &d); err != nil {
			return r, fmt.Errorf("state: show %s: lease: %w", job, err)
		}
		r.Lease = &LeaseInfo{Holder: d.Holder, Acquired: d.Acquired, Renewed: d.Renewed, Expires: d.Expires,
			Active: d.Holder != "" && s.now().Before(d.Expires)}
		if r.Lease.Active {
			r.Lease.Process, r.Lease.Status = d.Process, s.alive(d.Process)
		}
	}
	return r, nil
}

// Show writes the job's Report as indented JSON (`ccetl state show JOB`).
func (s *Store) Show(ctx context.Context, w io.Writer, job string) error {
	r, err := s.Inspect(ctx, job)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Reset deletes the job's state, so its next run starts from nothing
// (`ccetl state reset JOB`). It takes the job's lease for the deletion and
// fails with a *HeldError while a run holds it.
func (s *Store) Reset(ctx context.Context, job, holder string) error {
	lease, err := s.Acquire(ctx, job, holder, time.Minute)
	if err != nil {
		return err
	}
	// forget everything but when: a sink that keeps cursors with its data
	// must not bring back what the reset forgot
	st, err := s.Load(ctx, job)
	if err == nil {
		fresh := &State{Job: job, Revision: st.Revision, ResetAt: s.now().UTC(), version: st.version}
		err = s.Commit(ctx, lease, fresh)
	}
	if err != nil {
		err = fmt.Errorf("state: reset %s: %w", job, err)
	}
	return errors.Join(err, lease.Release(ctx))
}

// Unlock releases a job's lease by hand (`ccetl state unlock JOB`), for a
// holder on another host known to be dead. It refuses while the holder is
// a running process of this host unless force is set (that run then stops
// at its next renewal with ErrLeaseLost). The release is conditional on the
// lease read, so a renewal in between makes it fail rather than be undone.
// It returns the holder it released, "" when the lease was free.
func (s *Store) Unlock(ctx context.Context, job string, force bool) (string, error) {
	if err := checkJob(job); err != nil {
		return "", err
	}
	data, ver, err := s.backend.Get(ctx, leaseKey(job))
	if errors.Is(err, pipeline.ErrStateNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("state: unlock %s: %w", job, err)
	}
	var d leaseDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return "", fmt.Errorf("state: unlock %s: lease: %w", job, err)
	}
	if d.Holder == "" || !s.now().Before(d.Expires) {
		return "", nil
	}
	if s.alive(d.Process) == Alive && !force {
		return "", fmt.Errorf("state: unlock %s: its holder %s is a running process of this host (pid %d); stop it, or pass --force",
			job, d.Holder, d.Process.PID)
	}
	holder := d.Holder
	d.Holder, d.Expires, d.Seq = "", s.now(), d.Seq+1
	out, err := json.Marshal(d)
	if err != nil {
		return "", err
	}
	_, err = s.backend.Put(ctx, leaseKey(job), out, ver)
	if errors.Is(err, pipeline.ErrStateConflict) {
		return "", fmt.Errorf("state: unlock %s: the lease changed meanwhile (renewed or taken), so nothing was released; look again with 'ccetl state show': %w", job, err)
	}
	if err != nil {
		return "", fmt.Errorf("state: unlock %s: %w", job, err)
	}
	return holder, nil
}
