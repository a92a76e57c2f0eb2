package livevoxtest

import (
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
	DefaultToken               = "lv-test-access-token-0001"
	DefaultConfigurationPrefix = "/configuration"
	DefaultSessionPrefix       = "/session"
	DefaultSessionIdle         = 2 * time.Hour
)

// Roles a User may have, as the reference names them.
const (
	RoleSysadmin    = "Sysadmin"
	RoleITUser      = "IT User"
	RoleSuperuser   = "Superuser"
	RoleManager     = "Manager"
	RoleAgent       = "Agent"
	PowerAdminister = "Administer Agents"
	PowerEditor     = "Access to Agent Editor"
)

// User is an API user who may log in.
type User struct {
	ClientName, UserName, Password string
	ClientID                       int64
	Role                           string
	Powers                         []string
}

// DefaultUser is the user the emulator accepts when Options.Users is empty:
// a Superuser of client 49551, the client of the List Agents example.
var DefaultUser = User{ClientName: "LVDOCS", UserName: "apiuser", Password: "Passw0rd1", ClientID: 49551, Role: RoleSuperuser}

// Window allows Requests requests in any span of length Per.
type Window = emutest.Window

// LastPage is how the last page of a list says there is no next page.
type LastPage int

const (
	LastPageDoc    LastPage = iota // as the examples: next absent for agents and searches, null for skills
	LastPageAbsent                 // no next key
	LastPageBlank                  // "next": ""
	LastPageNull                   // "next": null
)

// LinkStyle is the form of the next link of a page that has one.
type LinkStyle int

const (
	LinkDoc      LinkStyle = iota // "configuration/agents/?client=1&offset=6&count=4", as the example
	LinkRooted                    // "/configuration/agents?client=1&offset=6&count=4"
	LinkAbsolute                  // "http://host/configuration/agents?client=1&offset=6&count=4"
)

// Options configure an Emulator; zero values take the defaults.
type Options struct {
	Token               string // accepted LV-Access token (DefaultToken)
	Users               []User // users who may log in ([DefaultUser])
	ConfigurationPrefix string // DefaultConfigurationPrefix; may hold a version, "/configuration/v6.0"
	SessionPrefix       string // DefaultSessionPrefix
	SessionIdle         time.Duration
	Limits              []Window // none by default: LiveVox documents none
	RetryAfter          string   // Retry-After value sent with 429s ("" sends none)
	LastPage            LastPage
	NextLink            LinkStyle
	// OnRequest runs before every request, outside the emulator's lock.
	OnRequest func(r *http.Request)
	// Latency delays every answer, outside the emulator's lock, as the
	// round trip to the real service does. None by default.
	Latency time.Duration
}

// Stats count what the emulator saw.
type Stats struct {
	Requests        int // every request to the Session or Configuration API
	Logins          int // successful logins (new or reused session)
	NewSessions     int // logins that created a session
	Logouts         int
	TooManyRequests int // 429s sent by the rate limit (not injected ones)
	Unauthorized    int // 401s sent
	Faults          int // injected faults applied
	// Routes counts requests per route, such as "GET agents/{id}".
	Routes map[string]int
}

// Fault is an injected failure for the next Times requests whose method
// and path match.
type Fault struct {
	Method string // "" matches every method
	Path   string // a substring of the URL path; "" matches every path
	Exact  bool   // Path must be the whole URL path
	// Status and Body are sent instead of the real response...
	Status int
	Body   string
	// ...unless Drop is set: then the real response's headers and the first
	// half of its body are sent and the connection is closed.
	Drop  bool
	Times int
}

// Emulator is a running emulated LiveVox API.
type Emulator struct {
	URL string

	srv *httptest.Server
	o   Options

	mu          sync.Mutex
	data        *tenant
	sessions    map[string]*session
	limits      *emutest.Windows
	faults      emutest.Faults[Fault]
	expireAfter int      // configuration requests left before every session ends; -1: never
	expireEvery int      // when set, sessions end again every expireEvery requests
	issued      []string // every session id issued
	seq         int64
	stats       Stats
}

// New starts an emulator seeded with testdata/dataset.json; it stops when
// the test ends.
func New(t testing.TB, o Options) *Emulator {
	t.Helper()
	if o.Token == "" {
		o.Token = DefaultToken
	}
	if len(o.Users) == 0 {
		o.Users = []User{DefaultUser}
	}
	if o.ConfigurationPrefix == "" {
		o.ConfigurationPrefix = DefaultConfigurationPrefix
	}
	if o.SessionPrefix == "" {
		o.SessionPrefix = DefaultSessionPrefix
	}
	if o.SessionIdle == 0 {
		o.SessionIdle = DefaultSessionIdle
	}
	o.ConfigurationPrefix = "/" + strings.Trim(o.ConfigurationPrefix, "/")
	o.SessionPrefix = "/" + strings.Trim(o.SessionPrefix, "/")
	data, err := loadDataset()
	if err != nil {
		t.Fatalf("livevoxtest: %v", err)
	}
	e := &Emulator{o: o, data: data, sessions: map[string]*session{}, expireAfter: -1,
		stats: Stats{Routes: map[string]int{}}, limits: emutest.NewWindows(o.Limits)}
	e.srv = httptest.NewServer(e)
	e.URL = e.srv.URL
	t.Cleanup(e.srv.Close)
	return e
}

// Stats returns the counts so far.
func (e *Emulator) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.stats
	s.Routes = maps.Clone(e.stats.Routes)
	return s
}

// Inject queues a fault.
func (e *Emulator) Inject(f Fault) {
	e.faults.Add(f, 0, f.Times)
}

// ExpireSessionsAfter ends every session once n more Configuration API
// requests have been served, as if they timed out.
func (e *Emulator) ExpireSessionsAfter(n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.expireAfter = n
}

// ExpireSessionsEvery ends every session after each n Configuration API
// requests, for the whole run.
func (e *Emulator) ExpireSessionsEvery(n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.expireAfter, e.expireEvery = n, n
}

// IssuedSessions lists every session id issued.
func (e *Emulator) IssuedSessions() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.issued)
}

// ActiveSessions counts sessions that are still valid.
func (e *Emulator) ActiveSessions() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	now := time.Now()
	for _, s := range e.sessions {
		if s.valid(now, e.o.SessionIdle) {
			n++
		}
	}
	return n
}

func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if e.o.OnRequest != nil {
		e.o.OnRequest(r)
	}
	if e.o.Latency > 0 {
		time.Sleep(e.o.Latency)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	if !e.isAPI(r.URL.Path) {
		e.count(r.Method + " ?")
		w.WriteHeader(http.StatusNotFound) // not an API path: not counted, not limited
		return
	}
	e.stats.Requests++
	if _, ok := e.limits.Admit(now); !ok {
		e.stats.TooManyRequests++
		if e.o.RetryAfter != "" {
			w.Header().Set("Retry-After", e.o.RetryAfter)
		}
		e.gateway(w, http.StatusTooManyRequests, "Too Many Requests")
		return
	}
	if f, ok := e.fault(r); ok {
		e.stats.Faults++
		if !f.Drop {
			writeRaw(w, f.Status, []byte(f.Body))
			return
		}
		rec := httptest.NewRecorder()
		e.route(rec, r, now)
		emutest.DropRecorded(w, rec)
		return
	}
	e.route(w, r, now)
}

// isAPI reports whether p is a Session or Configuration API path.
func (e *Emulator) isAPI(p string) bool {
	return strings.HasPrefix(p, e.o.SessionPrefix+"/") || strings.HasPrefix(p, e.o.ConfigurationPrefix+"/")
}

// fault takes the first queued fault matching r.
func (e *Emulator) fault(r *http.Request) (Fault, bool) {
	return e.faults.Take(func(f Fault) bool {
		hit := strings.Contains(r.URL.Path, f.Path)
		if f.Exact {
			hit = r.URL.Path == f.Path
		}
		return (f.Method == "" || f.Method == r.Method) && hit
	})
}

// route dispatches r to the Session or Configuration API.
func (e *Emulator) route(w http.ResponseWriter, r *http.Request, now time.Time) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, e.o.SessionPrefix+"/"):
		e.sessionAPI(w, r, strings.Trim(strings.TrimPrefix(p, e.o.SessionPrefix), "/"), now)
	case strings.HasPrefix(p, e.o.ConfigurationPrefix+"/"):
		e.configurationAPI(w, r, strings.Trim(strings.TrimPrefix(p, e.o.ConfigurationPrefix), "/"), now)
	}
}

func (e *Emulator) count(route string) { e.stats.Routes[route]++ }

// requestID makes an API-gateway style request id, "1-<8 hex>-<24 hex>".
func (e *Emulator) requestID() string {
	e.seq++
	return fmt.Sprintf("1-%08x-%024x", time.Now().Unix(), e.seq)
}
