package emutest

import (
	"math"
	"strconv"
	"sync"
	"time"
)

// Window allows Requests requests in any span of length Per. Name is an
// optional word for it, such as "second" or "minute", for emulators whose
// 429 names the window.
type Window struct {
	Requests int
	Per      time.Duration
	Name     string
}

// Over says why a request was refused: Window is the first full window, in
// the order given, and Wait how long until every full window has room.
type Over struct {
	Window Window
	Wait   time.Duration
}

// Windows is a sliding-window limiter over every admitted request. Its
// methods are safe for concurrent use.
type Windows struct {
	limits []Window

	mu   sync.Mutex
	sent []time.Time // admitted requests still inside the longest window
}

// NewWindows returns a limiter with limits; with none it admits every
// request.
func NewWindows(limits []Window) *Windows {
	return &Windows{limits: append([]Window(nil), limits...)}
}

// Admit records a request at now and reports true when every window has
// room. Otherwise it records nothing and reports which window is over.
func (l *Windows) Admit(now time.Time) (Over, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.limits) == 0 {
		return Over{}, true
	}
	var span time.Duration
	for _, w := range l.limits {
		span = max(span, w.Per)
	}
	keep := l.sent[:0]
	for _, t := range l.sent {
		if now.Sub(t) < span {
			keep = append(keep, t)
		}
	}
	l.sent = keep
	var over Over
	full := false
	for _, w := range l.limits {
		n := 0
		oldest := now
		for _, t := range l.sent {
			if now.Sub(t) < w.Per {
				n++
				if t.Before(oldest) {
					oldest = t
				}
			}
		}
		if n < w.Requests {
			continue
		}
		if !full {
			over.Window, full = w, true
		}
		over.Wait = max(over.Wait, oldest.Add(w.Per).Sub(now))
	}
	if full {
		return over, false
	}
	l.sent = append(l.sent, now)
	return Over{}, true
}

// Reset forgets every request admitted so far.
func (l *Windows) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent = nil
}

// RetryAfter is a Retry-After value for wait: whole seconds, rounded up,
// or for waits under a second (fast test windows) decimal seconds with
// millisecond precision, a millisecond over so a client waiting that long
// finds room.
func RetryAfter(wait time.Duration) string {
	if wait < time.Second {
		return strconv.FormatFloat(float64(wait.Milliseconds()+1)/1000, 'f', 3, 64)
	}
	return strconv.FormatFloat(math.Ceil(wait.Seconds()), 'f', 0, 64)
}
