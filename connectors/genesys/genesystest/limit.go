package genesystest

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"
)

// Fault is an answer injected in place of the real one.
type Fault struct {
	// Path is the request path it applies to; a trailing "*" makes it a
	// prefix, and "" matches every API request.
	Path string
	// After lets this many matching requests through first.
	After int
	// Times is how many matching requests get the fault (default 1).
	Times int
	// Status answers with the status and the Genesys ErrorBody; a 429
	// carries RetryAfter.
	Status     int
	RetryAfter time.Duration
	// Drop sends the real answer's headers and half its body, then cuts
	// the connection.
	Drop bool
}

// Inject queues a fault. Faults are matched in the order injected.
func (e *Emulator) Inject(f Fault) {
	if f.Times == 0 {
		f.Times = 1
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = append(e.faults, &f)
}

func (e *Emulator) fault(path string) *Fault {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, f := range e.faults {
		if f.Times == 0 || !pathMatches(path, f.Path) {
			continue
		}
		if f.After > 0 {
			f.After--
			continue
		}
		f.Times--
		e.counts.Faults++
		return f
	}
	return nil
}

func pathMatches(path, pattern string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(path, prefix)
	}
	return pattern == "" || path == pattern
}

// admit records an API request at now when every window has room, or
// returns how long until one does.
func (e *Emulator) admit(now time.Time) (time.Duration, bool) {
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
	var wait time.Duration
	for _, w := range e.cfg.Limits {
		n := 0
		for _, t := range e.sent {
			if t.After(now.Add(-w.Per)) {
				n++
			}
		}
		if n >= w.Requests {
			oldest := e.sent[len(e.sent)-n] // the oldest request inside this window
			wait = max(wait, oldest.Add(w.Per).Sub(now))
		}
	}
	if wait > 0 {
		return wait, false
	}
	e.sent = append(e.sent, now)
	return 0, true
}

// tooMany answers 429 with Retry-After and the documented message "Retry
// the request in [%s] seconds". Real Genesys sends whole seconds; waits
// under a second (fast test windows) are sent as decimal seconds.
func (e *Emulator) tooMany(w http.ResponseWriter, wait time.Duration) {
	e.mu.Lock()
	e.counts.TooMany++
	e.mu.Unlock()
	secs := strconv.FormatFloat(math.Ceil(wait.Seconds()), 'f', 0, 64)
	header := secs
	if wait < time.Second {
		header = strconv.FormatFloat(math.Ceil(float64(wait.Milliseconds()+1))/1000, 'f', 3, 64)
	}
	w.Header().Set("Retry-After", header)
	body := errorBody(http.StatusTooManyRequests, "too.many.requests.retry.after",
		fmt.Sprintf("Rate limit exceeded the maximum. Retry the request in [%s] seconds", secs))
	body["messageWithParams"] = "Rate limit exceeded the maximum. Retry the request in [%s] seconds"
	body["messageParams"] = map[string]string{"0": secs}
	writeJSON(w, http.StatusTooManyRequests, body)
}

// drop serves the real answer's headers and the first half of its body,
// then aborts the connection, as a network failure mid-body would.
func drop(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	w.Write(body[:len(body)/2])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler)
}
