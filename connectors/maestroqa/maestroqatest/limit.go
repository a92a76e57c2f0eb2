package maestroqatest

import (
	"net/http"
	"strconv"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/emutest"
)

// Window allows Requests requests in any span of length Per. Name is the
// word the 429 message uses for it ("second", "minute").
type Window = emutest.Window

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

// tooMany answers the documented 429, "Too many requests in the past
// [second/minute].", without Retry-After (the reference has none).
func (e *Emulator) tooMany(w http.ResponseWriter, window string) {
	e.count(func(c *Counts) { c.TooMany++ })
	if window == "" {
		window = "second"
	}
	writeError(w, http.StatusTooManyRequests, "Too many requests in the past "+window+".")
}
