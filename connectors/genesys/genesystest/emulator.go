package genesystest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/emutest"
)

// Config shapes an emulator. Zero fields take the defaults named on them.
type Config struct {
	// ClientID and ClientSecret are the only credentials the token
	// endpoint accepts. Default "client-id" / "client-secret".
	ClientID, ClientSecret string
	// TokenTTL is how long a token really works. Default 24h.
	TokenTTL time.Duration
	// ExpiresIn is the expires_in (seconds) the token endpoint announces.
	// Default: TokenTTL in whole seconds (at least 1). A token that dies
	// before its announced expiry (revoked, or a clock off) is what makes
	// a client re-authenticate after a 401.
	ExpiresIn int64
	// TokenUses, when set, makes a token stop working after it served this
	// many API requests: a session expiring mid-run, deterministically.
	TokenUses int
	// Limits are the API request windows of the OAuth client; past them the
	// emulator answers 429 with Retry-After. None by default.
	Limits []Window
	// MaxPageSize is the largest pageSize accepted (400 above). Default 100.
	MaxPageSize int
	// OmitPageCount leaves pageCount out of list envelopes, so a client
	// must stop at an empty or short page.
	OmitPageCount bool
	// OnRequest, when set, sees every API request before it is served
	// (tests hold a write in flight with it).
	OnRequest func(*http.Request)
	// Latency delays every API answer, as the round trip to the real
	// service does. None by default.
	Latency time.Duration
}

// Window allows Requests API requests in any span of length Per.
type Window = emutest.Window

// Counts are the requests the emulator received.
type Counts struct {
	Logins       int // token requests, good or bad
	API          int // API requests, whatever their answer
	Lists        int // appointments list pages served (200)
	Statuses     int // statuses pages served (200)
	Annotations  int // annotations pages served (200)
	TooMany      int // 429 answers (limits and injected)
	Unauthorized int // 401 answers of the API
	Faults       int // injected faults
	Users        int // users pages served (200)
	Creates      int // appointments created (201)
	Updates      int // appointments updated (200)

	AnnotationsAdded int // annotations created (201)
}

// Writes is how many writes the emulator carried out.
func (c Counts) Writes() int { return c.Creates + c.Updates + c.AnnotationsAdded }

// correlationHeader carries the id of every API answer; an ErrorBody's
// contextId is the same id [ext].
const correlationHeader = "ININ-Correlation-Id"

// Emulator is a Genesys Cloud coaching API on two httptest servers: the
// login host (POST /oauth/token) and the API host (/api/v2/coaching/...).
type Emulator struct {
	cfg   Config
	login *httptest.Server
	api   *httptest.Server

	mu     sync.Mutex
	store  store
	tokens map[string]*token
	limits *emutest.Windows // over admitted API requests
	faults emutest.Faults[Fault]
	counts Counts
	users  []User
}

// New starts an emulator; the servers close with the test.
func New(t testing.TB, cfg Config) *Emulator {
	if cfg.ClientID == "" {
		cfg.ClientID = "client-id"
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = "client-secret"
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = 24 * time.Hour
	}
	if cfg.ExpiresIn == 0 {
		cfg.ExpiresIn = max(int64(cfg.TokenTTL/time.Second), 1)
	}
	if cfg.MaxPageSize == 0 {
		cfg.MaxPageSize = 100
	}
	e := &Emulator{cfg: cfg, tokens: map[string]*token{}, store: store{byID: map[string]*appt{}},
		limits: emutest.NewWindows(cfg.Limits)}
	lm := http.NewServeMux()
	lm.HandleFunc("/oauth/token", e.token)
	e.login = httptest.NewServer(lm)
	am := http.NewServeMux()
	am.HandleFunc("GET /api/v2/coaching/appointments", e.listAppointments)
	am.HandleFunc("GET /api/v2/coaching/appointments/{id}", e.getAppointment)
	am.HandleFunc("GET /api/v2/coaching/appointments/{id}/statuses", e.listStatuses)
	am.HandleFunc("GET /api/v2/coaching/appointments/{id}/annotations", e.listAnnotations)
	am.HandleFunc("POST /api/v2/coaching/appointments", e.createAppointment)
	am.HandleFunc("PATCH /api/v2/coaching/appointments/{id}", e.patchAppointment)
	am.HandleFunc("POST /api/v2/coaching/appointments/{id}/annotations", e.addAnnotation)
	am.HandleFunc("GET /api/v2/users", e.listUsers)
	am.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not.found", "The requested resource was not found.")
	})
	e.api = httptest.NewServer(e.guard(am))
	t.Cleanup(func() {
		e.api.Close()
		e.login.Close()
	})
	return e
}

// LoginURL is the login host (the kind's login_url).
func (e *Emulator) LoginURL() string { return e.login.URL }

// APIURL is the API host (the kind's api_url).
func (e *Emulator) APIURL() string { return e.api.URL }

// Counts returns the requests so far.
func (e *Emulator) Counts() Counts {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.counts
}

// ResetCounts zeroes the counts and forgets the limiter's history.
func (e *Emulator) ResetCounts() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.counts = Counts{}
	e.limits.Reset()
}

// guard applies, in order, what every API request meets: Accept, the
// bearer token, injected faults and the rate limits.
func (e *Emulator) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e.cfg.Latency > 0 {
			time.Sleep(e.cfg.Latency)
		}
		e.mu.Lock()
		e.counts.API++
		e.mu.Unlock()
		w.Header().Set(correlationHeader, newID())
		if e.cfg.OnRequest != nil {
			e.cfg.OnRequest(r)
		}
		if a := r.Header.Get("Accept"); a != "" && !strings.Contains(a, "application/json") && !strings.Contains(a, "*/*") {
			writeError(w, http.StatusNotAcceptable, "not.acceptable", "The requested media type is not acceptable.")
			return
		}
		if !e.authorized(w, r) {
			return
		}
		if f := e.fault(r.Method, r.URL.Path); f != nil {
			if f.Drop {
				drop(w, r, next)
				return
			}
			if f.Status == http.StatusTooManyRequests {
				e.tooMany(w, f.RetryAfter)
				return
			}
			writeError(w, f.Status, codeFor(f.Status), messageFor(f.Status))
			return
		}
		if over, ok := e.limits.Admit(time.Now()); !ok {
			e.tooMany(w, over.Wait)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// writeError writes a Genesys ErrorBody (SPEC 3.3 [ext]).
// Its contextId is the answer's correlation id.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	body := errorBody(status, code, msg)
	if id := w.Header().Get(correlationHeader); id != "" {
		body["contextId"] = id
	}
	writeJSON(w, status, body)
}

func errorBody(status int, code, msg string) map[string]any {
	return map[string]any{"message": msg, "code": code, "status": status, "messageWithParams": msg, "messageParams": map[string]string{},
		"contextId": "00000000-0000-4000-8000-000000000000", "details": []any{}, "errors": []any{}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

func codeFor(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad.request"
	case http.StatusForbidden:
		return "missing.any.permissions"
	case http.StatusNotFound:
		return "not.found"
	case http.StatusServiceUnavailable:
		return "service.unavailable"
	case http.StatusGatewayTimeout:
		return "authentication.request.timeout"
	}
	return "internal.server.error"
}

func messageFor(status int) string {
	switch status {
	case http.StatusForbidden:
		return "Unable to perform the requested action. You are missing the following permission(s): coaching:appointment:view"
	case http.StatusNotFound:
		return "The requested resource was not found."
	}
	return "The server encountered an unexpected condition which prevented it from fulfilling the request."
}
