package maestroqatest

import (
	"net/http"
	"net/http/httptest"

	"github.com/ccetl/ccetl/connectors/internal/emutest"
)

// Fault is an answer injected in place of the real one, for requests with
// a valid apiToken. Injected answers do not count against the limits.
type Fault struct {
	// After lets this many requests through first.
	After int
	// Times is how many requests get the fault (default 1).
	Times int
	// Status answers with this status and an {"error": ...} body: Message,
	// or for a 429 the documented message naming Window ("second" by
	// default), or a generic one.
	Status  int
	Message string
	Window  string
	// Drop sends the real answer's headers and half its body, then cuts
	// the connection.
	Drop bool
}

// Inject queues a fault. Faults form a queue: the first one not used up
// decides each request (letting it through while its After lasts).
func (e *Emulator) Inject(f Fault) {
	e.faults.Add(f, f.After, f.Times)
}

func (e *Emulator) fault() *Fault {
	f, ok := e.faults.Take(nil)
	if !ok {
		return nil
	}
	e.count(func(c *Counts) { c.Faults++ })
	return &f
}

func (f *Fault) message() string {
	if f.Message != "" {
		return f.Message
	}
	if t := http.StatusText(f.Status); t != "" {
		return t
	}
	return "Error"
}

// drop serves the real answer's headers and the first half of its body,
// then cuts the connection, as a network failure mid-body would.
// The call is recorded with Dropped set and is not counted as served.
func (e *Emulator) drop(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	e.mu.Lock()
	if n := len(e.calls); n > 0 && rec.Code == http.StatusOK {
		e.calls[n-1].Dropped = true
		e.counts.Served--
	}
	e.mu.Unlock()
	emutest.DropRecorded(w, rec)
}
