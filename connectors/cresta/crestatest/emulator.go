package crestatest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/emutest"
)

// The reference's response examples (see testdata/README.md).
var (
	//go:embed testdata/get_coaching_plan.verbatim.txt
	VerbatimExample []byte
	//go:embed testdata/get_coaching_plan.repaired.json
	RepairedExample []byte
)

// DefaultToken is the bearer token an emulator accepts by default.
const DefaultToken = "cresta-test-token"

var (
	planPattern      = regexp.MustCompile(`^customers/[^/]+/profiles/[^/]+/coachingPlans/[^/:]+$`)
	scorecardPattern = regexp.MustCompile(`^customers/[^/]+/profiles/[^/]+/scorecards/[^/]+$`)
)

// Config shapes an emulator.
type Config struct {
	// Token is the only bearer token accepted (default DefaultToken).
	Token string
	// Limits are request windows; past them the emulator answers 429
	// with Retry-After. None by default.
	Limits []Window
	// Latency delays every answer, as the round trip to the real service
	// does. None by default.
	Latency time.Duration
}

// Window allows Requests requests in any span of length Per.
type Window = emutest.Window

// Counts are the requests received.
type Counts struct {
	Requests     int // every request
	Plans        int // coaching plans served (200)
	NotFound     int // 404 answers
	TooMany      int // 429 answers
	Unauthorized int // 401 answers
	Faults       int // injected faults
	Adds         int // addScorecard requests that linked a scorecard (200)
	Removes      int // removeScorecard requests answered 200
}

// Writes is the number of write requests answered 200.
func (c Counts) Writes() int { return c.Adds + c.Removes }

// Fault is an answer injected in place of the real one.
type Fault struct {
	Path       string // request path; a trailing "*" makes it a prefix, "" matches all
	After      int    // matching requests let through first
	Times      int    // matching requests that get the fault (default 1)
	Status     int    // answer with this status and a google.rpc.Status body
	RetryAfter time.Duration
	Drop       bool // half the real body, then the connection is cut
}

// Emulator is the Cresta coaching service excerpt on an httptest server.
type Emulator struct {
	cfg Config
	srv *httptest.Server

	mu         sync.Mutex
	plans      map[string]json.RawMessage // name -> coachingPlan object
	scorecards map[string][]string        // plan name -> scorecard names
	limits     *emutest.Windows
	faults     emutest.Faults[Fault]
	counts     Counts
}

// New starts an emulator; the server closes with the test.
func New(t testing.TB, cfg Config) *Emulator {
	if cfg.Token == "" {
		cfg.Token = DefaultToken
	}
	e := &Emulator{cfg: cfg, plans: map[string]json.RawMessage{}, scorecards: map[string][]string{},
		limits: emutest.NewWindows(cfg.Limits)}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(e.srv.Close)
	return e
}

// URL is the API base (the kind's base_url).
func (e *Emulator) URL() string { return e.srv.URL }

// Counts returns the requests so far.
func (e *Emulator) Counts() Counts {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.counts
}

// AddPlan stores a coachingPlan object, served verbatim under name.
func (e *Emulator) AddPlan(name string, plan json.RawMessage) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.plans[name] = plan
}

// RemovePlan deletes a plan and its links: it answers 404 from then on.
func (e *Emulator) RemovePlan(name string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.plans, name)
	delete(e.scorecards, name)
}

// AddExamplePlan stores the reference's example plan (repaired) under
// name, with its placeholder "name": "string" set to name.
func (e *Emulator) AddExamplePlan(name string) {
	var resp struct {
		Plan map[string]json.RawMessage `json:"coachingPlan"`
	}
	if err := json.Unmarshal(RepairedExample, &resp); err != nil {
		panic("crestatest: repaired example: " + err.Error())
	}
	resp.Plan["name"], _ = json.Marshal(name)
	b, _ := json.Marshal(resp.Plan)
	e.AddPlan(name, b)
}

// Scorecards lists the scorecards added to a plan.
func (e *Emulator) Scorecards(plan string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.scorecards[plan]...)
}

// LinkScorecards links scorecards to a plan, as earlier addScorecard
// calls would have.
func (e *Emulator) LinkScorecards(plan string, scorecards ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.scorecards[plan] = append(e.scorecards[plan], scorecards...)
}

// Links returns a copy of every plan's linked scorecards, in the order
// they were added (a scorecard added twice is listed twice); plans
// without a link are left out.
func (e *Emulator) Links() map[string][]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string][]string{}
	for plan, list := range e.scorecards {
		if len(list) > 0 {
			out[plan] = append([]string(nil), list...)
		}
	}
	return out
}

// Inject queues a fault; faults are matched in the order injected.
func (e *Emulator) Inject(f Fault) {
	e.faults.Add(f, f.After, f.Times)
}

func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) {
	if e.cfg.Latency > 0 {
		time.Sleep(e.cfg.Latency)
	}
	e.mu.Lock()
	e.counts.Requests++
	e.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+e.cfg.Token {
		e.count(&e.counts.Unauthorized)
		rpcError(w, http.StatusUnauthorized, 16, "unauthenticated: missing or invalid bearer token")
		return
	}
	if f := e.fault(r.URL.Path); f != nil {
		switch {
		case f.Drop:
			drop(w, r, e.route)
		case f.Status == http.StatusTooManyRequests:
			e.tooMany(w, f.RetryAfter)
		default:
			rpcError(w, f.Status, rpcCode(f.Status), http.StatusText(f.Status))
		}
		return
	}
	if over, ok := e.limits.Admit(time.Now()); !ok {
		e.tooMany(w, over.Wait)
		return
	}
	e.route(w, r)
}

// route serves the three operations of the reference:
//
//	GET  /v1/{name=customers/*/profiles/*/coachingPlans/*}
//	POST /v1/{name=customers/*/profiles/*/coachingPlans/*}:addScorecard
//	POST /v1/{name=customers/*/profiles/*/coachingPlans/*}:removeScorecard
func (e *Emulator) route(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.URL.Path, "/v1/")
	verb := ""
	if i := strings.LastIndexByte(name, ':'); ok && i >= 0 {
		name, verb = name[:i], name[i+1:]
	}
	if !ok || !planPattern.MatchString(name) || (verb != "" && verb != "addScorecard" && verb != "removeScorecard") {
		e.count(&e.counts.NotFound)
		rpcError(w, http.StatusNotFound, 5, "Not Found")
		return
	}
	if (verb == "" && r.Method != http.MethodGet) || (verb != "" && r.Method != http.MethodPost) {
		rpcError(w, http.StatusMethodNotAllowed, 12, "Method Not Allowed")
		return
	}
	e.mu.Lock()
	plan, found := e.plans[name]
	e.mu.Unlock()
	if !found {
		e.count(&e.counts.NotFound)
		rpcError(w, http.StatusNotFound, 5, "coaching plan not found")
		return
	}
	if verb == "" {
		e.count(&e.counts.Plans)
		var b bytes.Buffer
		b.WriteString(`{"coachingPlan":`)
		b.Write(plan)
		b.WriteString("}")
		w.Header().Set("Content-Type", "application/json")
		w.Write(b.Bytes())
		return
	}
	var body struct {
		ScorecardName string `json:"scorecardName"`
	}
	if json.NewDecoder(r.Body).Decode(&body) != nil || !scorecardPattern.MatchString(body.ScorecardName) {
		rpcError(w, http.StatusBadRequest, 3, "scorecardName: want customers/{customer_id}/profiles/{profile_id}/scorecards/{scorecard_id}")
		return
	}
	e.mu.Lock()
	list := e.scorecards[name]
	if verb == "addScorecard" {
		e.scorecards[name] = append(list, body.ScorecardName)
		e.counts.Adds++
	} else {
		e.scorecards[name] = removeAll(list, body.ScorecardName)
		e.counts.Removes++
	}
	e.mu.Unlock()
	if verb == "addScorecard" {
		writeJSON(w, http.StatusOK, map[string]string{"coachingPlanName": name, "scorecardName": body.ScorecardName})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{})
}

func (e *Emulator) count(n *int) {
	e.mu.Lock()
	*n++
	e.mu.Unlock()
}

func removeAll(list []string, v string) []string {
	out := list[:0]
	for _, s := range list {
		if s != v {
			out = append(out, s)
		}
	}
	return out
}
