package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
)

const tooMany = `{"errorMessage":"Too Many Requests"}`

// A storm of 429s and 500s on every endpoint: the run gets through and
// every row is written once.
func TestStormsOf429And500(t *testing.T) {
	e := contactsEmu(t, calabriotest.Options{}, 3, 5)
	for _, f := range []calabriotest.Fault{
		{Method: "POST", Path: AuthorizePath, Status: 503, Body: "<html>down</html>", Times: 2},
		{Method: "GET", Path: ContactPath, Status: 429, Body: tooMany, Times: 3},
		{Method: "POST", Path: "/media/", Status: 500, Body: `{"errorMessage":"boom"}`, Times: 2},
		{Method: "GET", Path: "/media/", Status: 502, Times: 2},
		{Method: "PUT", Path: TranscriptPath, Status: 429, Body: tooMany, Times: 2},
	} {
		e.Inject(f)
	}
	r := mustRun(t, ContactsKind(), contactRange(e, 0, 3, "media", "true", "transcripts", "true"), nil, now)
	for table, key := range map[string][]string{ContactTable: {"id"}, MediaTable: {"contact_id", "format"}, TranscriptTable: {"ccrid"}} {
		if n := len(uniqueBy(t, rows(t, r.out, table), key...)); n != 15 {
			t.Errorf("%s: %d rows, want 15", table, n)
		}
	}
	if st := e.Stats(); st.Faults != 11 || r.res.Report["retries"] != int64(11) {
		t.Errorf("faults %d, retries %v", st.Faults, r.res.Report["retries"])
	}
}

func TestReport429StormWithRetryAfter(t *testing.T) {
	e := reportEmu(t, &calabriotest.Report{Rows: reportRows(15000), Async: true}, calabriotest.Options{})
	e.Inject(calabriotest.Fault{Method: "POST", Path: "/export", Status: 429, Body: tooMany, Times: 4})
	e.Inject(calabriotest.Fault{Method: "GET", Path: "/export/request/", Status: 500, Times: 3})
	r := mustRun(t, ReportKind(), reportOpts(e), nil, now)
	checkReportRows(t, r.out, 15000)
	if n := len(rows(t, r.out, ExportJobTable)); n != 2 {
		t.Errorf("%d export jobs, want 2 (retried requests are not resubmits)", n)
	}
}

// Bodies cut off part way: the search and report pages (read whole, retried
// by httpx) and a media download (streamed, fetched again).
func TestDroppedBodies(t *testing.T) {
	e := contactsEmu(t, calabriotest.Options{}, 2, 3)
	e.Inject(calabriotest.Fault{Method: "GET", Path: ContactPath, Drop: true, Times: 1})
	e.Inject(calabriotest.Fault{Method: "GET", Path: "/media/", Drop: true, Times: 2})
	r := mustRun(t, ContactsKind(), contactRange(e, 0, 2, "media", "true"), nil, now)
	if n := len(uniqueBy(t, rows(t, r.out, ContactTable), "id")); n != 6 {
		t.Errorf("%d contacts, want 6", n)
	}
	media := uniqueBy(t, rows(t, r.out, MediaTable), "contact_id")
	if len(media) != 6 || media["100"]["bytes"] != int64(4096) {
		t.Errorf("media %v", media["100"])
	}

	re := reportEmu(t, &calabriotest.Report{Rows: reportRows(2000)}, calabriotest.Options{})
	re.Inject(calabriotest.Fault{Method: "POST", Path: "/export", Drop: true, Times: 2})
	rr := mustRun(t, ReportKind(), reportOpts(re), nil, now)
	checkReportRows(t, rr.out, 2000)
}

// A vendor failing past the retry budget ends the run cleanly: an error
// saying so, nothing committed.
func TestRetryBudgetExhausted(t *testing.T) {
	e := contactsEmu(t, calabriotest.Options{}, 5, 2)
	e.Inject(calabriotest.Fault{Method: "GET", Path: ContactPath, Status: 500, Times: 1000})
	r := run(t, ContactsKind(), contactRange(e, 0, 5, "retry_budget", "3"), nil, now)
	if !errors.Is(r.err, httpx.ErrRetryBudgetExhausted) {
		t.Fatalf("err %v, want the retry budget exhausted", r.err)
	}
	nothingCommitted(t, r.out)
	if n := e.Stats().Routes["GET contact"]; n != 4 {
		t.Errorf("%d searches, want 4 (1 + 3 retries)", n)
	}
	if e.ActiveSessions() != 0 {
		t.Errorf("the session was not ended after the failure")
	}
}

// With rate_limit equal to the emulator's windows no 429 is provoked.
func TestNoTooManyRequestsWithMatchingLimits(t *testing.T) {
	e := contactsEmu(t, calabriotest.Options{Limits: []calabriotest.Window{{Requests: 5, Per: 100 * time.Millisecond}},
		RetryAfter: "0.1"}, 12, 2)
	r := mustRun(t, ContactsKind(), contactRange(e, 0, 12, "rate_limit", "5/100ms", "transcripts", "true"), nil, now)
	if st := e.Stats(); st.TooManyRequests != 0 || r.res.Report["too_many_requests"] != int64(0) {
		t.Errorf("%d 429s with matching limits", st.TooManyRequests)
	}
	if n := len(rows(t, r.out, TranscriptTable)); n != 24 {
		t.Errorf("%d transcripts, want 24", n)
	}
	// The same run with twice the emulator's rate is refused and recovers.
	e2 := contactsEmu(t, calabriotest.Options{Limits: []calabriotest.Window{{Requests: 5, Per: 100 * time.Millisecond}},
		RetryAfter: "0.1"}, 12, 2)
	mustRun(t, ContactsKind(), contactRange(e2, 0, 12, "rate_limit", "10/100ms", "transcripts", "true"), nil, now)
	if e2.Stats().TooManyRequests == 0 {
		t.Errorf("no 429 when the configured limits exceed the emulator's: the test proves nothing")
	}
}

// A rate-limited backfill takes within 10% of the time its windows imply:
// at 4 requests per 100ms, the login and 40 searches (41 requests) span 10
// full windows from the first request to the last (the logout, sent on
// Close, is not counted).
func TestRateLimitedBackfillTiming(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("timing: not under -short or -race")
	}
	var mu sync.Mutex
	var sent []time.Time
	e := contactsEmu(t, calabriotest.Options{OnRequest: func(r *http.Request) {
		if r.Method != http.MethodDelete {
			mu.Lock()
			sent = append(sent, time.Now())
			mu.Unlock()
		}
	}}, 40, 1)
	// Drained without a sink, so that the Parquet writer's pace on a busy
	// machine does not hold the source back.
	if _, err := lakecheck.Drain(t, ContactsKind(), only(ContactsKind(), contactRange(e, 0, 40, "rate_limit", "4/100ms"))); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 41 {
		t.Fatalf("%d requests, want 41", len(sent))
	}
	implied := 10 * 100 * time.Millisecond
	got := sent[len(sent)-1].Sub(sent[0])
	if got < implied || got > implied*110/100 {
		t.Errorf("backfill took %v, the limits imply %v (within 10%%)", got, implied)
	}
}

func TestPerContactErrors(t *testing.T) {
	mk := func(code int) error { return &httpx.StatusError{StatusCode: code} }
	for code, want := range map[int]bool{400: true, 404: true, 409: true, 401: false, 403: false, 429: false, 500: false} {
		if got := perContact(mk(code)); got != want {
			t.Errorf("%d: perContact %v", code, got)
		}
	}
	if perContact(fmt.Errorf("wrapped: %w", mk(404))) != true || perContact(errors.New("x")) {
		t.Error("perContact does not unwrap or accepts non-status errors")
	}
	_ = http.StatusOK
	_ = strings.Contains
}

// A media download or org export that keeps breaking off is fetched again
// only while the run's retry budget lasts: its floor plus a quarter of the
// requests made (here a handful, so one more).
func TestDroppedBodiesSpendTheRetryBudget(t *testing.T) {
	e := contactsEmu(t, calabriotest.Options{}, 1, 1)
	e.Inject(calabriotest.Fault{Method: "GET", Path: "/media/", Drop: true, Times: 1000})
	r := run(t, ContactsKind(), contactRange(e, 0, 1, "media", "true", "retry_budget", "2"), nil, now)
	if !errors.Is(r.err, httpx.ErrRetryBudgetExhausted) || !errors.Is(r.err, errBodyBroken) {
		t.Fatalf("media: err %v", r.err)
	}
	if n := e.Stats().Faults; n != 4 {
		t.Errorf("media: %d downloads, want 4 (the first, two retries of the floor, one of the proportional part)", n)
	}
	nothingCommitted(t, r.out)

	oe := calabriotest.New(t, calabriotest.Options{})
	oe.Inject(calabriotest.Fault{Method: "GET", Path: FileExportPath + "persons", Drop: true, Times: 1000})
	r = run(t, OrgExportKind(), opts(oe, "retry_budget", "1"), nil, now)
	if !errors.Is(r.err, httpx.ErrRetryBudgetExhausted) || !errors.Is(r.err, errBodyBroken) {
		t.Fatalf("org export: err %v", r.err)
	}
	if n := oe.Stats().Faults; n != 3 {
		t.Errorf("org export: %d downloads, want 3 (the first, one of the floor, one proportional)", n)
	}
	nothingCommitted(t, r.out)
}
