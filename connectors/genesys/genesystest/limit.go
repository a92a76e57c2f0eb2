package genesystest

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/emutest"
)

// Fault is an answer injected in place of the real one.
type Fault struct {
	// Path is the request path it applies to; a trailing "*" makes it a
	// prefix, and "" matches every API request.
	Path string
	// Method, when set, limits the fault to requests of this method.
	Method string
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
	e.faults.Add(f, f.After, f.Times)
}

func (e *Emulator) fault(method, path string) *Fault {
	f, ok := e.faults.Take(func(f Fault) bool { return pathMatches(path, f.Path) && (f.Method == "" || f.Method == method) })
	if !ok {
		return nil
	}
	e.mu.Lock()
	e.counts.Faults++
	e.mu.Unlock()
	return &f
}

func pathMatches(path, pattern string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(path, prefix)
	}
	return pattern == "" || path == pattern
}

// tooMany answers 429 with Retry-After and the documented message "Retry
// the request in [%s] seconds". Real Genesys sends whole seconds; waits
// under a second (fast test windows) are sent as decimal seconds.
func (e *Emulator) tooMany(w http.ResponseWriter, wait time.Duration) {
	e.mu.Lock()
	e.counts.TooMany++
	e.mu.Unlock()
	secs := strconv.FormatFloat(math.Ceil(wait.Seconds()), 'f', 0, 64)
	w.Header().Set("Retry-After", emutest.RetryAfter(wait))
	body := errorBody(http.StatusTooManyRequests, "too.many.requests.retry.after",
		fmt.Sprintf("Rate limit exceeded the maximum. Retry the request in [%s] seconds", secs))
	body["messageWithParams"] = "Rate limit exceeded the maximum. Retry the request in [%s] seconds"
	body["messageParams"] = map[string]string{"0": secs}
	if id := w.Header().Get(correlationHeader); id != "" {
		body["contextId"] = id
	}
	writeJSON(w, http.StatusTooManyRequests, body)
}

// drop serves the real answer's headers and the first half of its body,
// then cuts the connection, as a network failure mid-body would.
func drop(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	emutest.DropRecorded(w, rec)
}
