package maestroqatest

import (
	"net/http"
	"strconv"
	"time"
)

// Window allows Requests requests in any span of length Per. Name is the
// word the 429 message uses for it ("second", "minute").
type Window struct {
	Requests int
	Per      time.Duration
	Name     string
}

// DocumentedLimits are the "Hard Endpoints" limits of the reference: 1
// request a second and 30 a minute.
func DocumentedLimits() []Window {
	return ScaledLimits(time.Second)
}

// ScaledLimits are the documented limits with the second scaled to second
// (and the minute to 60 of them): 1 request per second, 30 per 60*second.
// ScaledLimits(20*time.Millisecond) runs the limits 50 times faster.
func ScaledLimits(second time.Duration) []Window {
	return []Window{{Requests: 1, Per: second, Name: "second"}, {Requests: 30, Per: 60 * second, Name: "minute"}}
}

// RateLimit is the kind's rate_limit option matching limits, such as
// "1/20ms,30/1.2s".
func RateLimit(limits []Window) string {
	s := ""
	for i, w := range limits {
		if i > 0 {
			s += ","
		}
		s += strconv.Itoa(w.Requests) + "/" + w.Per.String()
	}
	return s
}

// admit records a request at now when every window has room, or returns
// the name of the first window that is full.
func (e *Emulator) admit(now time.Time) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var span time.Duration
	for _, w := range e.cfg.Limits {
		span = max(span, w.Per)
	}
	cut := 0
	for cut < len(e.sent) && !e.sent[cut].After(now.Add(-span)) {
		cut++
	}
	e.sent = e.sent[cut:]
	for _, w := range e.cfg.Limits {
		n := 0
		for _, t := range e.sent {
			if t.After(now.Add(-w.Per)) {
				n++
			}
		}
		if n >= w.Requests {
			return w.Name, false
		}
	}
	e.sent = append(e.sent, now)
	return "", true
}

// tooMany answers the documented 429, "Too many requests in the past
// [second/minute].", without Retry-After (the reference has none).
func (e *Emulator) tooMany(w http.ResponseWriter, window string) {
	e.count(func(c *Counts) { c.TooMany++ })
	if window == "" {
		window = "second"
	}
	writeError(w, http.StatusTooManyRequests, "Too many requests in the past "+window+".")
}
