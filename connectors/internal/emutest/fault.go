package emutest

import "sync"

// Faults is a queue of injected faults of a vendor's type F, taken in the
// order added. The zero value is an empty queue; its methods are safe for
// concurrent use.
type Faults[F any] struct {
	// Blocking makes the first fault not used up decide every request it
	// matches: while its After lasts such requests go through untouched,
	// whatever later faults say. Otherwise a fault still letting requests
	// through passes them on to the faults queued after it.
	Blocking bool

	mu sync.Mutex
	q  []*queued[F]
}

type queued[F any] struct {
	fault        F
	after, times int
}

// Add queues f: it lets the first after matching requests through, then
// answers the next times of them (at least one).
func (q *Faults[F]) Add(f F, after, times int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.q = append(q.q, &queued[F]{fault: f, after: after, times: max(times, 1)})
}

// Take returns the fault that answers a request, using up one of its
// times, or false when the request goes through. match tells which queued
// faults apply to the request; nil matches all.
func (q *Faults[F]) Take(match func(F) bool) (F, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, f := range q.q {
		if match != nil && !match(f.fault) {
			continue
		}
		if f.after > 0 {
			f.after--
			if q.Blocking {
				break
			}
			continue
		}
		f.times--
		if f.times == 0 {
			q.q = append(q.q[:i], q.q[i+1:]...)
		}
		return f.fault, true
	}
	var zero F
	return zero, false
}
