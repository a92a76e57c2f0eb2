package schedule

import (
	"sync"
	"time"
)

// Clock is the scheduler's time: the real one, or a FakeClock in tests.
type Clock interface {
	Now() time.Time
	// At returns a channel that receives once the time t has come.
	At(t time.Time) <-chan time.Time
}

// RealClock is the system clock.
type RealClock struct{}

// Now is time.Now.
func (RealClock) Now() time.Time { return time.Now() }

// At is time.After until t.
func (RealClock) At(t time.Time) <-chan time.Time { return time.After(time.Until(t)) }

// FakeClock is a Clock that moves only when told.
type FakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeWaiter
}

type fakeWaiter struct {
	at time.Time
	c  chan time.Time
}

// NewFakeClock returns a FakeClock at now.
func NewFakeClock(now time.Time) *FakeClock { return &FakeClock{now: now} }

// Now returns the fake time.
func (f *FakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// At returns a channel that receives when the fake time reaches t.
func (f *FakeClock) At(t time.Time) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := make(chan time.Time, 1)
	if !t.After(f.now) {
		c <- f.now
		return c
	}
	f.waiters = append(f.waiters, fakeWaiter{at: t, c: c})
	return c
}

// Set moves the fake time to t (forward or back) and fires the waiters
// whose time has come.
func (f *FakeClock) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = t
	kept := f.waiters[:0]
	for _, w := range f.waiters {
		if w.at.After(t) {
			kept = append(kept, w)
			continue
		}
		w.c <- t
	}
	f.waiters = kept
}

// Advance moves the fake time forward by d.
func (f *FakeClock) Advance(d time.Duration) { f.Set(f.Now().Add(d)) }

// Waiters returns how many At channels wait to fire.
func (f *FakeClock) Waiters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiters)
}
