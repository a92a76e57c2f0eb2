package maestroqa

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/connectors/maestroqa/maestroqatest"
)

// faultFixture is 40 generated sessions, one a day from 2021-11-29 (the
// start of a 10-day grid window), each point also listed under the next
// session, so points cross window boundaries.
func faultFixture(t *testing.T, cfg maestroqatest.Config) (*maestroqatest.Emulator, map[string]string) {
	t.Helper()
	e := maestroqatest.New(t, cfg)
	e.MustAddSessions(maestroqatest.Generate(maestroqatest.Generated{N: 40, First: date("2021-11-29").Add(9 * time.Hour),
		Every: 24 * time.Hour, SharePrevious: true}))
	return e, apiOptions(t, e, "start", "2021-11-29", "end", "2022-01-08", "window_days", "10")
}

// wholeFixture checks the lake holds the 40 sessions, points and to-dos,
// each once.
func wholeFixture(t *testing.T, out string) {
	t.Helper()
	tables := exactlyOnce(t, out)
	for _, name := range []string{SessionTableName, ActivityLogTableName, PointTableName, PointFormTableName, TodoTableName, TodoFormTableName} {
		if n := len(tables[name]); n != 40 {
			t.Errorf("%s: %d rows, want 40", name, n)
		}
	}
}

func Test429Storm(t *testing.T) {
	e, opts := faultFixture(t, maestroqatest.Config{NoLimits: true})
	e.Inject(maestroqatest.Fault{Status: 429, Times: 4, Window: "second"})
	e.Inject(maestroqatest.Fault{After: 1, Status: 429, Times: 3, Window: "minute"})
	r := mustRun(t, opts, "", nil, noon("2022-03-01"))
	wholeFixture(t, r.out)
	c := e.Counts()
	if c.TooMany != 7 || c.Served != 4 || c.Requests != 11 {
		t.Fatalf("counts %+v", c)
	}
	rep := r.res.Report["maestroqa_api"].(map[string]any)
	if rep["too_many_requests"] != int64(7) || rep["retries"] != int64(7) || rep["requests"] != int64(11) {
		t.Fatalf("report %v", rep)
	}
}

func Test500sAreRetried(t *testing.T) {
	e, opts := faultFixture(t, maestroqatest.Config{NoLimits: true})
	e.Inject(maestroqatest.Fault{After: 2, Status: 500, Times: 3})
	e.Inject(maestroqatest.Fault{Status: 503})
	r := mustRun(t, opts, "", nil, noon("2022-03-01"))
	wholeFixture(t, r.out)
	if c := e.Counts(); c.Faults != 4 || c.Served != 4 {
		t.Fatalf("counts %+v", c)
	}
}

// A 500 that does not go away fails the run after max_attempts, and
// nothing is committed, not even the windows before it.
func TestPersistent500FailsCleanly(t *testing.T) {
	e, opts := faultFixture(t, maestroqatest.Config{NoLimits: true})
	opts["max_attempts"] = "3"
	e.Inject(maestroqatest.Fault{After: 2, Status: 500, Times: 1000})
	r := runWithState(t, opts, "", nil, noon("2022-03-01"))
	if r.err == nil || !strings.Contains(r.err.Error(), "500 Internal Server Error") || !strings.Contains(r.err.Error(), "after 3 attempts") ||
		!strings.Contains(r.err.Error(), "window 2021-12-19..2021-12-28") {
		t.Fatalf("err %v", r.err)
	}
	committedNothing(t, r.out)
	emptyDir(t, opts["spool_dir"])
	if r.cursors != nil {
		t.Fatal("a failed run reported cursors")
	}
}

func TestRetryBudgetStopsTheRun(t *testing.T) {
	e, opts := faultFixture(t, maestroqatest.Config{NoLimits: true})
	opts["retry_budget"] = "2"
	e.Inject(maestroqatest.Fault{Status: 502, Times: 1000})
	r := runWithState(t, opts, "", nil, noon("2022-03-01"))
	if !errors.Is(r.err, httpx.ErrRetryBudgetExhausted) {
		t.Fatalf("err %v", r.err)
	}
	if n := e.Counts().Requests; n != 3 {
		t.Fatalf("%d requests, want 3 (one and two retries)", n)
	}
	committedNothing(t, r.out)
}

// A connection dropped half-way through a body: the window is asked for
// again, nothing of the broken body is written, and every row is there
// once.
func TestDroppedConnectionMidBody(t *testing.T) {
	e, opts := faultFixture(t, maestroqatest.Config{NoLimits: true})
	e.Inject(maestroqatest.Fault{After: 1, Drop: true})
	e.Inject(maestroqatest.Fault{After: 1, Drop: true})
	r := mustRun(t, opts, "", nil, noon("2022-03-01"))
	wholeFixture(t, r.out)
	calls := e.Calls()
	if len(calls) != 6 || !calls[1].Dropped || calls[2].StartDate != calls[1].StartDate || !calls[3].Dropped ||
		calls[4].StartDate != calls[3].StartDate || calls[2].Dropped || calls[4].Dropped {
		t.Fatalf("calls %+v", calls)
	}
	rep := r.res.Report["maestroqa_api"].(map[string]any)
	if rep["body_restarts"] != int64(2) || rep["requests"] != int64(6) {
		t.Fatalf("report %v", rep)
	}
	emptyDir(t, opts["spool_dir"])
}

func TestDroppedEveryTimeFailsCleanly(t *testing.T) {
	e, opts := faultFixture(t, maestroqatest.Config{NoLimits: true})
	opts["max_attempts"] = "3"
	e.Inject(maestroqatest.Fault{After: 1, Drop: true, Times: 1000})
	r := runWithState(t, opts, "", nil, noon("2022-03-01"))
	if r.err == nil || !strings.Contains(r.err.Error(), "read response body") || !strings.Contains(r.err.Error(), "after 3 attempts") {
		t.Fatalf("err %v", r.err)
	}
	if n := e.Counts().Requests; n != 4 {
		t.Fatalf("%d requests", n)
	}
	committedNothing(t, r.out)
	emptyDir(t, opts["spool_dir"])
}

// A 400 is final: one request, the vendor's message in the error. Here
// the client reads endDate exclusively with 90-day windows, which an API
// reading it inclusively counts as 91 days.
func Test400FailsFastWithTheMessage(t *testing.T) {
	e := emulator(t, maestroqatest.Config{NoLimits: true})
	opts := apiOptions(t, e, "start", "2021-12-01", "end", "2022-02-01", "window_days", "90", "end_date", "exclusive")
	r := runWithState(t, opts, "", nil, noon("2022-03-01"))
	if r.err == nil || !strings.Contains(r.err.Error(), "400 Bad Request: endDate must be within 90 days of the start date") {
		t.Fatalf("err %v", r.err)
	}
	if c := e.Counts(); c.Requests != 1 || c.BadRequest != 1 {
		t.Fatalf("counts %+v", c)
	}
	committedNothing(t, r.out)
}

func TestWrongTokenFailsFast(t *testing.T) {
	e := emulator(t, maestroqatest.Config{NoLimits: true})
	opts := apiOptions(t, e, "start", "2021-12-01", "end", "2022-02-01", "api_token", "s3cret-wrong-token")
	r := runWithState(t, opts, "", nil, noon("2022-03-01"))
	if r.err == nil || !strings.Contains(r.err.Error(), "403 Forbidden") {
		t.Fatalf("err %v", r.err)
	}
	if strings.Contains(r.err.Error(), "s3cret") {
		t.Fatal("the error shows the token")
	}
	if c := e.Counts(); c.Requests != 1 || c.Forbidden != 1 {
		t.Fatalf("counts %+v", c)
	}
	committedNothing(t, r.out)
}

// A 200 whose body is not the session array (a proxy's error object)
// fails the run without quoting it.
func TestErrorObjectWith200FailsCleanly(t *testing.T) {
	e, opts := faultFixture(t, maestroqatest.Config{NoLimits: true})
	e.Inject(maestroqatest.Fault{After: 1, Status: 200, Message: "maintenance personal@example.com"})
	r := runWithState(t, opts, "", nil, noon("2022-03-01"))
	if r.err == nil || !strings.Contains(r.err.Error(), "JSON object, not the array") || strings.Contains(r.err.Error(), "personal@") {
		t.Fatalf("err %v", r.err)
	}
	committedNothing(t, r.out)
	emptyDir(t, opts["spool_dir"])
}

// Asking for a window again after its body broke off spends the run's
// retry budget: past it the run fails cleanly.
func TestBodyRestartsSpendTheRetryBudget(t *testing.T) {
	e, opts := faultFixture(t, maestroqatest.Config{NoLimits: true})
	opts["retry_budget"] = "1"
	e.Inject(maestroqatest.Fault{After: 1, Drop: true, Times: 1000})
	r := runWithState(t, opts, "", nil, noon("2022-03-01"))
	if !errors.Is(r.err, httpx.ErrRetryBudgetExhausted) || !strings.Contains(r.err.Error(), "read response body") {
		t.Fatalf("err %v", r.err)
	}
	if n := e.Counts().Requests; n != 3 {
		t.Fatalf("%d requests, want 3 (a whole first window, then a broken body asked for twice)", n)
	}
	committedNothing(t, r.out)
	emptyDir(t, opts["spool_dir"])
}
