package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ccetl/ccetl/pipeline"
)

// ErrLeaseLost is matched when a lease was taken over by another runner
// after it expired, or was released (by its holder, or by hand with
// `ccetl state unlock`).
var ErrLeaseLost = errors.New("lease lost")

// HeldError is Acquire's error when another runner holds the job's lease.
type HeldError struct {
	Job    string
	Holder string
	Until  time.Time
	// Process is what is known of the holder's process.
	Process Liveness
}

func (e *HeldError) Error() string {
	msg := fmt.Sprintf("job %s is being run by %s (lease held until %s); not starting a second run",
		e.Job, e.Holder, e.Until.UTC().Format(time.RFC3339))
	switch e.Process {
	case Alive:
		msg += "; its process runs on this host"
	case Remote, Unknown:
		msg += "; if that run is dead, 'ccetl state unlock JOB.yaml' releases the lease now"
	}
	return msg
}

// leaseDoc is the stored lease. Seq makes every write's bytes unique, so
// content-derived versions (ETags) change on every write.
type leaseDoc struct {
	Job      string    `json:"job"`
	Holder   string    `json:"holder,omitempty"` // "" once released
	Acquired time.Time `json:"acquired"`
	Renewed  time.Time `json:"renewed,omitzero"`
	Expires  time.Time `json:"expires"`
	Seq      int64     `json:"seq"`
	// Process is the holder's process, for taking over the lease of a
	// process of this host that is gone.
	Process Process `json:"process,omitzero"`
}

// Lease is a runner's exclusive right to commit a job's state until it
// expires. Renew extends it; Hold renews it in the background. Every
// change is a conditional write, so two runners never both hold it.
// Runners' clocks are assumed to agree to well within the TTL.
type Lease struct {
	st     *Store
	job    string
	holder string
	ttl    time.Duration

	mu       sync.Mutex
	doc      leaseDoc
	version  string
	released bool
	tookOver string
}

// TookOver names the holder whose lease Acquire took over because its
// process, on this host, is gone ("" when the lease was free or expired).
func (l *Lease) TookOver() string { return l.tookOver }

// Job is the job the lease is for.
func (l *Lease) Job() string { return l.job }

// Holder is the runner holding the lease.
func (l *Lease) Holder() string { return l.holder }

// Expires is when the lease ends unless renewed.
func (l *Lease) Expires() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.doc.Expires
}

// Acquire takes the job's lease for holder (unique per runner, for example
// host:pid:random) for ttl. It fails with a *HeldError if another holder has
// an unexpired lease, unless that holder's process ran on this host and is
// gone (killed, crashed): then it takes the lease over at once and
// Lease.TookOver names the previous holder.
func (s *Store) Acquire(ctx context.Context, job, holder string, ttl time.Duration) (*Lease, error) {
	if err := checkJob(job); err != nil {
		return nil, err
	}
	if holder == "" || ttl <= 0 {
		return nil, fmt.Errorf("state: acquire %s: want a holder and a positive ttl", job)
	}
	for range 3 { // a lost race is re-read once or twice to name the winner
		data, ver, err := s.backend.Get(ctx, leaseKey(job))
		var cur leaseDoc
		switch {
		case errors.Is(err, pipeline.ErrStateNotFound):
			ver = ""
		case err != nil:
			return nil, fmt.Errorf("state: acquire %s: %w", job, err)
		default:
			if err := json.Unmarshal(data, &cur); err != nil {
				return nil, fmt.Errorf("state: acquire %s: lease: %w", job, err)
			}
		}
		now := s.now()
		tookOver := ""
		if cur.Holder != "" && cur.Holder != holder && now.Before(cur.Expires) {
			if alive := s.alive(cur.Process); alive != Gone {
				return nil, &HeldError{Job: job, Holder: cur.Holder, Until: cur.Expires, Process: alive}
			}
			// Its process, on this host, is gone: no need to wait for the
			// expiry. The write below is conditional on the version read, so
			// of several runners taking over at once only one wins.
			tookOver = cur.Holder
		}
		l := &Lease{st: s, job: job, holder: holder, ttl: ttl, tookOver: tookOver}
		doc := leaseDoc{Job: job, Holder: holder, Acquired: now, Expires: now.Add(ttl), Seq: cur.Seq + 1, Process: s.self}
		switch err := l.write(ctx, doc, ver); {
		case err == nil:
			return l, nil
		case !errors.Is(err, pipeline.ErrStateConflict):
			return nil, fmt.Errorf("state: acquire %s: %w", job, err)
		}
	}
	return nil, fmt.Errorf("state: acquire %s: %w: the lease keeps changing", job, pipeline.ErrStateConflict)
}

// write stores doc if the lease is still at version; l.mu is held or l is
// not shared yet.
func (l *Lease) write(ctx context.Context, doc leaseDoc, version string) error {
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	v, err := l.st.backend.Put(ctx, leaseKey(l.job), data, version)
	if err != nil {
		return err
	}
	l.doc, l.version = doc, v
	return nil
}

// Renew extends the lease by its TTL from now. It fails with ErrLeaseLost if
// another runner took the lease or it was released.
func (l *Lease) Renew(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return fmt.Errorf("state: renew %s: %w: released", l.job, ErrLeaseLost)
	}
	doc := l.doc
	now := l.st.now()
	doc.Renewed, doc.Expires, doc.Seq = now, now.Add(l.ttl), doc.Seq+1
	err := l.write(ctx, doc, l.version)
	if errors.Is(err, pipeline.ErrStateConflict) {
		l.released = true
		return fmt.Errorf("state: renew %s: %w: it expired or was unlocked, and another runner may hold it", l.job, ErrLeaseLost)
	}
	if err != nil {
		return fmt.Errorf("state: renew %s: %w", l.job, err)
	}
	return nil
}

// Release gives the lease up, so the next runner need not wait for it to
// expire. It is a no-op after the first call or once the lease is lost.
func (l *Lease) Release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return nil
	}
	l.released = true
	doc := l.doc
	doc.Holder, doc.Expires, doc.Seq = "", l.st.now(), doc.Seq+1
	err := l.write(ctx, doc, l.version)
	if errors.Is(err, pipeline.ErrStateConflict) {
		return fmt.Errorf("state: release %s: %w", l.job, ErrLeaseLost)
	}
	if err != nil {
		return fmt.Errorf("state: release %s: %w", l.job, err)
	}
	return nil
}

// Hold renews the lease every third of its TTL until stop is called or ctx
// ends. The returned context is cancelled, with a cause matching
// ErrLeaseLost, when the lease is lost or runs out before a renewal gets
// through; a run uses it so that it stops instead of racing a new holder.
func (l *Lease) Hold(ctx context.Context) (held context.Context, stop func()) {
	held, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	var once sync.Once
	go func() {
		t := time.NewTicker(l.ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-held.Done():
				return
			case <-t.C:
			}
			err := l.Renew(held)
			switch {
			case errors.Is(err, ErrLeaseLost):
				cancel(err)
				return
			case err != nil && !l.st.now().Before(l.Expires()):
				cancel(fmt.Errorf("state: %s: %w: it expired while renewals failed: %w", l.job, ErrLeaseLost, err))
				return
			}
		}
	}()
	return held, func() {
		once.Do(func() { close(done) })
		cancel(context.Canceled)
	}
}
