package maestroqatest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/emutest"
)

// Path is the export endpoint ([ext], SPEC.md section 2).
const Path = "/api/v1/coaching-sessions"

// MaxRangeDays is the longest range a request may ask for ("must be within
// 90 days of the start date").
const MaxRangeDays = 90

// Config shapes an emulator. Zero fields take the defaults named on them.
type Config struct {
	// Token is the only apiToken accepted. Default "test-api-token".
	Token string
	// Limits are the request windows; past them the emulator answers 429.
	// Nil means the documented ones, DocumentedLimits. Tests scale them
	// down with ScaledLimits.
	Limits []Window
	// NoLimits turns the rate limits off.
	NoLimits bool
	// EndExclusive reads endDate as the first day not exported; by default
	// it is the last day exported.
	EndExclusive bool
}

// Counts are the requests the emulator received.
type Counts struct {
	Requests     int // every request, whatever its answer
	Served       int // 200 answers sent whole
	TooMany      int // 429 answers, limits and injected
	Unauthorized int // 401 answers (no apiToken)
	Forbidden    int // 403 answers (a wrong apiToken)
	BadRequest   int // 400 answers
	Faults       int // injected faults
}

// Call is one request that reached the body check: what it asked for and
// the status it got (Sessions counts the sessions of a 200; Dropped: the
// connection was cut after half of the body).
type Call struct {
	StartDate, EndDate, TimeAxis string
	Status                       int
	Sessions                     int
	Dropped                      bool
}

// Emulator is the MaestroQA coaching export API on an httptest server.
type Emulator struct {
	cfg Config
	srv *httptest.Server

	mu       sync.Mutex
	sessions []session
	limits   *emutest.Windows // over admitted requests
	faults   emutest.Faults[Fault]
	counts   Counts
	calls    []Call
}

// New starts an emulator; the server closes with the test.
func New(t testing.TB, cfg Config) *Emulator {
	if cfg.Token == "" {
		cfg.Token = "test-api-token"
	}
	if cfg.Limits == nil {
		cfg.Limits = DocumentedLimits()
	}
	if cfg.NoLimits {
		cfg.Limits = nil
	}
	e := &Emulator{cfg: cfg, limits: emutest.NewWindows(cfg.Limits), faults: emutest.Faults[Fault]{Blocking: true}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+Path, e.export)
	mux.HandleFunc(Path, func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusMethodNotAllowed, "Method not allowed")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "Not found")
	})
	e.srv = httptest.NewServer(e.guard(mux))
	t.Cleanup(e.srv.Close)
	return e
}

// URL is the server's base URL (the kind's base_url).
func (e *Emulator) URL() string { return e.srv.URL }

// Token is the accepted apiToken.
func (e *Emulator) Token() string { return e.cfg.Token }

// Counts returns the requests so far.
func (e *Emulator) Counts() Counts {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.counts
}

// Calls returns the requests that reached the body check, in order.
func (e *Emulator) Calls() []Call {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Call(nil), e.calls...)
}

// ResetCounts zeroes the counts and calls and forgets the limits' history
// (a fresh client may then start at once).
func (e *Emulator) ResetCounts() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.counts = Counts{}
	e.calls = nil
	e.limits.Reset()
}

// guard applies what every request meets, in order: the apiToken header,
// injected faults and the rate limits.
func (e *Emulator) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.count(func(c *Counts) { c.Requests++ })
		switch tok := r.Header.Get("apiToken"); {
		case tok == "":
			e.count(func(c *Counts) { c.Unauthorized++ })
			writeError(w, http.StatusUnauthorized, "Unauthorized: include your API token in the apiToken request header")
			return
		case tok != e.cfg.Token:
			e.count(func(c *Counts) { c.Forbidden++ })
			writeError(w, http.StatusForbidden, "Forbidden: invalid API token")
			return
		}
		if f := e.fault(); f != nil {
			switch {
			case f.Drop:
				e.drop(w, r, next)
			case f.Status == http.StatusTooManyRequests:
				e.tooMany(w, f.Window)
			default:
				writeError(w, f.Status, f.message())
			}
			return
		}
		if over, ok := e.limits.Admit(time.Now()); !ok {
			e.tooMany(w, over.Window.Name)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (e *Emulator) count(f func(*Counts)) {
	e.mu.Lock()
	f(&e.counts)
	e.mu.Unlock()
}

// request is the documented body.
type request struct {
	StartDate *string `json:"startDate"`
	EndDate   *string `json:"endDate"`
	TimeAxis  *string `json:"timeAxis"`
}

// export answers one export request.
func (e *Emulator) export(w http.ResponseWriter, r *http.Request) {
	var q request
	b, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err == nil {
		err = json.Unmarshal(b, &q)
	}
	if err != nil {
		e.bad(w, Call{}, "Request body must be a JSON object with startDate, endDate and timeAxis")
		return
	}
	call := Call{StartDate: deref(q.StartDate), EndDate: deref(q.EndDate), TimeAxis: deref(q.TimeAxis)}
	from, to, msg := e.window(q)
	if msg != "" {
		e.bad(w, call, msg)
		return
	}
	e.mu.Lock()
	var out []json.RawMessage
	for _, s := range e.sessions {
		if t, ok := s.at(call.TimeAxis); ok && !t.Before(from) && t.Before(to) {
			out = append(out, s.raw)
		}
	}
	e.counts.Served++
	call.Status, call.Sessions = http.StatusOK, len(out)
	e.calls = append(e.calls, call)
	e.mu.Unlock()
	writeArray(w, out)
}

// window checks the body and returns the instants [from, to) it asks
// for, or the 400 message.
func (e *Emulator) window(q request) (from, to time.Time, msg string) {
	for _, f := range []struct {
		name string
		v    *string
	}{{"startDate", q.StartDate}, {"endDate", q.EndDate}, {"timeAxis", q.TimeAxis}} {
		if f.v == nil || *f.v == "" {
			return from, to, f.name + " is required"
		}
	}
	var err error
	if from, err = time.Parse(time.DateOnly, *q.StartDate); err != nil {
		return from, to, "startDate must be formatted [year]-[month]-[day], e.g. 2021-12-01"
	}
	if to, err = time.Parse(time.DateOnly, *q.EndDate); err != nil {
		return from, to, "endDate must be formatted [year]-[month]-[day], e.g. 2022-01-25"
	}
	if *q.TimeAxis != "meetingDate" && *q.TimeAxis != "createdAt" {
		return from, to, "timeAxis must be meetingDate or createdAt"
	}
	if to.Before(from) {
		return from, to, "endDate must not be before startDate"
	}
	if !e.cfg.EndExclusive {
		to = to.AddDate(0, 0, 1)
	}
	if to.Sub(from) > MaxRangeDays*24*time.Hour {
		return from, to, "endDate must be within " + strconv.Itoa(MaxRangeDays) + " days of the start date"
	}
	return from, to, ""
}

func (e *Emulator) bad(w http.ResponseWriter, call Call, msg string) {
	e.mu.Lock()
	e.counts.BadRequest++
	call.Status = http.StatusBadRequest
	e.calls = append(e.calls, call)
	e.mu.Unlock()
	writeError(w, http.StatusBadRequest, msg)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// writeArray streams the sessions as one JSON array.
func writeArray(w http.ResponseWriter, sessions []json.RawMessage) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriter(w)
	bw.WriteByte('[')
	for i, s := range sessions {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.Write(s)
	}
	bw.WriteByte(']')
	bw.Flush()
}

// writeError writes the documented error body {"error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

var errNotArray = errors.New("maestroqatest: sessions must be a JSON array of objects")

func wrap(err error) error { return fmt.Errorf("%w: %v", errNotArray, err) }
