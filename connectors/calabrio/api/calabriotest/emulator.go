package calabriotest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/emutest"
)

// Defaults of Options.
const (
	DefaultUsername = "user@test.com" // the userId of the reference's authorize answer
	DefaultPassword = "s3cret-Passw0rd"
)

// Window allows Requests requests in any span of length Per.
type Window = emutest.Window

// Fault is an injected failure for the next Times requests whose method
// and path match.
type Fault struct {
	Method string // "" matches every method
	Path   string // a substring of the URL path; "" matches every path
	// Status and Body are sent instead of the real answer...
	Status int
	Body   string
	// ...unless Drop is set: then the real answer's headers and the first
	// half of its body are sent and the connection is closed.
	Drop  bool
	Times int
}

// Options configure an Emulator; zero values take the defaults.
type Options struct {
	Username, Password string // the API user (DefaultUsername, DefaultPassword)
	// LoginKey is the key the user name must come under: "username" (the
	// POST example), "userId" (the field table) or "" for either.
	LoginKey string
	TenantID string // when set, the login must send this tenantId
	// AuthVerbatim answers logins with the reference's example as printed,
	// which is not valid JSON (doc error 7).
	AuthVerbatim bool
	// A session expires after SessionRequests authenticated requests or
	// SessionTTL, whichever comes first (0: never); the request that finds
	// it expired gets ExpiredStatus (401 by default, or 403).
	SessionRequests int
	SessionTTL      time.Duration
	ExpiredStatus   int
	// Limits are sliding windows over every request; past them the answer
	// is 429 with RetryAfter (seconds, may be fractional; "" sends none).
	Limits     []Window
	RetryAfter string

	Reports  map[string]*Report // by reportId
	Contacts []Contact
	// MediaReadyAfter is how many GETs after the export POST answer "does
	// not exist or may have expired" before the file is served (default 0:
	// ready at the first GET). MediaNotReadyStatus is their status (404 by
	// default; 200 sends the JSON as a success). MediaSize is the size of
	// every media file (default 4096 bytes).
	MediaReadyAfter     int
	MediaNotReadyStatus int
	MediaSize           int
	// NoTranscript lists ccrids whose transcript is not found (404).
	NoTranscript map[int64]bool
	// NoMedia lists contacts the media export does not know: "Requested
	// contact does not exist!" (404).
	NoMedia map[int64]bool
	// FileExports are the CSV exports by import type; nil serves the
	// built-in groups, teams (the reference's example) and persons.
	FileExports map[string]string

	// OnRequest runs before every request, outside the emulator's lock.
	OnRequest func(r *http.Request)
}

// Stats count what the emulator saw.
type Stats struct {
	Requests        int // every request received
	Logins          int // successful logins
	Logouts         int // sessions ended by DELETE /api/rest/authorize
	TooManyRequests int // 429s sent by the rate limit (not injected ones)
	Expired         int // requests refused for an expired or unknown session
	Faults          int // injected faults applied
	// Routes counts requests per route, such as "POST export".
	Routes map[string]int
	// First and Last are when the first and the last request arrived.
	First, Last time.Time
}

// Emulator is a running emulated Calabrio ONE API.
type Emulator struct {
	URL string

	srv *httptest.Server
	o   Options

	mu       sync.Mutex
	sessions map[string]*session
	nextID   int
	limits   *emutest.Windows
	faults   emutest.Faults[Fault]
	stats    Stats
	exports  map[string]*exportReq
	submits  map[string]int // POSTs per report
	media    map[string]*mediaState
	bodies   []string // export request bodies, in order
	org      *Org     // the org model of the import endpoints (UseOrg)
	issued   []string // every session id issued
	// intervals imported by the WHIT and GIS uploads (historical.go)
	intervals map[string]Interval
	// contacts imported by the bulk contact import (contactimport.go)
	imported []ImportedContact
	// text contacts imported by the text import (textimport.go)
	texts []ImportedText
}

// New starts an emulator; it stops when the test ends.
func New(t testing.TB, o Options) *Emulator {
	t.Helper()
	e := NewServer(o)
	t.Cleanup(e.Close)
	return e
}

// NewServer starts an emulator outside a test (benchmarks manage it).
func NewServer(o Options) *Emulator {
	if o.Username == "" {
		o.Username = DefaultUsername
	}
	if o.Password == "" {
		o.Password = DefaultPassword
	}
	if o.ExpiredStatus == 0 {
		o.ExpiredStatus = http.StatusUnauthorized
	}
	if o.MediaNotReadyStatus == 0 {
		o.MediaNotReadyStatus = http.StatusNotFound
	}
	if o.MediaSize == 0 {
		o.MediaSize = 4096
	}
	o.NoTranscript, o.NoMedia = maps.Clone(o.NoTranscript), maps.Clone(o.NoMedia)
	if o.FileExports == nil {
		o.FileExports = DefaultFileExports()
	}
	e := &Emulator{o: o, sessions: map[string]*session{}, exports: map[string]*exportReq{},
		submits: map[string]int{}, media: map[string]*mediaState{}, intervals: map[string]Interval{}, stats: Stats{Routes: map[string]int{}},
		limits: emutest.NewWindows(o.Limits)}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	e.URL = e.srv.URL
	return e
}

// Close stops the server.
func (e *Emulator) Close() { e.srv.Close() }

// Inject adds a fault.
func (e *Emulator) Inject(f Fault) {
	e.faults.Add(f, 0, f.Times)
}

// Provide makes the media and the transcripts of contacts available that
// NoMedia and NoTranscript held back (a transcript done, say).
func (e *Emulator) Provide(ids ...int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, id := range ids {
		delete(e.o.NoTranscript, id)
		delete(e.o.NoMedia, id)
	}
}

// Stats returns the counts so far.
func (e *Emulator) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.stats
	s.Routes = maps.Clone(e.stats.Routes)
	return s
}

// ExportBodies returns the bodies of the export POSTs received, in order.
func (e *Emulator) ExportBodies() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.bodies...)
}

// IssuedSessions lists every session id issued.
func (e *Emulator) IssuedSessions() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.issued)
}

// ActiveSessions counts sessions not logged out (expired ones included
// until a request finds them expired).
func (e *Emulator) ActiveSessions() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.sessions)
}

func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) {
	if e.o.OnRequest != nil {
		e.o.OnRequest(r)
	}
	e.mu.Lock()
	now := time.Now()
	e.stats.Requests++
	if e.stats.First.IsZero() {
		e.stats.First = now
	}
	e.stats.Last = now
	route, handler := e.route(r)
	e.stats.Routes[route]++
	if f, ok := e.fault(r); ok {
		e.stats.Faults++
		if !f.Drop {
			e.mu.Unlock()
			writeRaw(w, f.Status, "application/json", []byte(f.Body))
			return
		}
		ans := e.answer(r, now, handler)
		e.mu.Unlock()
		drop(w, ans)
		return
	}
	ans := e.answer(r, now, handler)
	e.mu.Unlock()
	ans.write(w)
}

// answer runs the limiter, the session check and the handler; e.mu is held.
func (e *Emulator) answer(r *http.Request, now time.Time, h handler) reply {
	if _, ok := e.limits.Admit(now); !ok {
		e.stats.TooManyRequests++
		rep := errorReply(http.StatusTooManyRequests, "Too Many Requests")
		if e.o.RetryAfter != "" {
			rep.header = http.Header{"Retry-After": {e.o.RetryAfter}}
		}
		return rep
	}
	if h.auth {
		if rep, ok := e.checkSession(r, now); !ok {
			return rep
		}
	}
	return h.fn(r)
}

func (e *Emulator) fault(r *http.Request) (Fault, bool) {
	return e.faults.Take(func(f Fault) bool {
		return (f.Method == "" || f.Method == r.Method) && strings.Contains(r.URL.Path, f.Path)
	})
}

// handler is a route: its function and whether it needs a session.
type handler struct {
	fn   func(r *http.Request) reply
	auth bool
}

// reply is an answer to write.
type reply struct {
	status int
	ctype  string
	header http.Header
	body   []byte
}

func (rep reply) write(w http.ResponseWriter) {
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	writeRaw(w, rep.status, rep.ctype, rep.body)
}

func writeRaw(w http.ResponseWriter, status int, ctype string, body []byte) {
	if ctype != "" {
		w.Header().Set("Content-Type", ctype)
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// drop sends the headers and half the body, then closes the connection.
func drop(w http.ResponseWriter, rep reply) {
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	if rep.ctype != "" {
		w.Header().Set("Content-Type", rep.ctype)
	}
	emutest.DropBody(w, rep.status, rep.body)
}

func jsonReply(status int, v any) reply {
	b, _ := json.Marshal(v)
	return reply{status: status, ctype: "application/json", body: b}
}

// errorReply is the emulator's error body, shaped like the one error the
// reference shows ({"errorMessage": ..., "requestId": ...}).
func errorReply(status int, msg string) reply {
	return jsonReply(status, map[string]string{"errorMessage": msg})
}
