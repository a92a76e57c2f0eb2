package genesys

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/genesys/genesystest"
	"github.com/ccetl/ccetl/connectors/internal/httpx"
)

// complete checks that a run wrote every seeded row exactly once.
func complete(t *testing.T, o outcome, ids []string) {
	t.Helper()
	if o.err != nil {
		t.Fatalf("run: %v", o.err)
	}
	if n := len(keyed(t, o.out, AppointmentTableName, "id")); n != len(ids) {
		t.Fatalf("%d appointments, want %d", n, len(ids))
	}
	if n := len(keyed(t, o.out, AttendeeTableName, "appointment_id", "user_id")); n != len(ids) {
		t.Fatalf("%d attendee rows, want %d", n, len(ids))
	}
	if n := len(keyed(t, o.out, StatusTableName, "appointment_id", "date_created", "status")); n != 3*len(ids) {
		t.Fatalf("%d status rows, want %d", n, 3*len(ids))
	}
	if n := len(keyed(t, o.out, AnnotationTableName, "id", "appointment_id")); n != 2*len(ids) {
		t.Fatalf("%d annotations, want %d", n, 2*len(ids))
	}
}

// failedClean checks that a failed run committed nothing.
func failedClean(t *testing.T, o outcome) {
	t.Helper()
	if o.err == nil {
		t.Fatal("run succeeded")
	}
	if files := committedFiles(t, o.out); len(files) != 0 {
		t.Fatalf("a failed run left %v", files)
	}
	if o.cursors != nil {
		t.Fatalf("a failed run reported cursors %v", o.cursors)
	}
}

func now0() time.Time { return day0.AddDate(0, 1, 0) }

func Test429StormHonoursRetryAfter(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	ids := seed(e)
	e.Inject(genesystest.Fault{Path: appointmentsPath, Status: http.StatusTooManyRequests, RetryAfter: 150 * time.Millisecond, Times: 4})
	start := time.Now()
	o := run(t, options(e, users, "page_size", "5"), now0(), nil, "")
	complete(t, o, ids)
	if c := e.Counts(); c.TooMany != 4 {
		t.Fatalf("%d 429s, want 4", c.TooMany)
	}
	// Four Retry-After waits of ~150ms, not the backoff's random ones.
	if el := time.Since(start); el < 4*150*time.Millisecond {
		t.Fatalf("run took %v: Retry-After was not honoured", el)
	}
	if r := report(t, o); r["too_many_requests"] != int64(4) || r["retries"] != int64(4) {
		t.Fatalf("report %v", r)
	}
}

func TestServerErrorsRetried(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	ids := seed(e)
	e.Inject(genesystest.Fault{Path: "/api/v2/coaching/appointments/appt-0003-01/statuses", Status: http.StatusInternalServerError, Times: 2})
	e.Inject(genesystest.Fault{Path: "/api/v2/coaching/appointments/appt-0004*", Status: http.StatusServiceUnavailable, After: 1})
	complete(t, run(t, options(e, users), now0(), nil, ""), ids)
	if c := e.Counts(); c.Faults != 3 {
		t.Fatalf("%d faults served, want 3", c.Faults)
	}
}

func TestConnectionDroppedMidBody(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	ids := seed(e)
	e.Inject(genesystest.Fault{Path: appointmentsPath, After: 2, Drop: true})
	e.Inject(genesystest.Fault{Path: "/api/v2/coaching/appointments/appt-0002-02/annotations", Drop: true})
	complete(t, run(t, options(e, users, "page_size", "5"), now0(), nil, ""), ids)
	if c := e.Counts(); c.Faults != 2 {
		t.Fatalf("%d faults served, want 2", c.Faults)
	}
}

func TestTokenExpiresMidRun(t *testing.T) {
	// Each token serves 5 API requests although it announces a day. One
	// appointment at a time, so exactly one request meets each expiry.
	e := genesystest.New(t, genesystest.Config{TokenUses: 5, ExpiresIn: 86400})
	ids := seed(e)
	o := run(t, options(e, users, "concurrency", "1"), now0(), nil, "")
	complete(t, o, ids)
	c := e.Counts()
	if c.Logins < 10 || c.Unauthorized != c.Logins-1 {
		t.Fatalf("logins %d, 401s %d: want a login after every expiry", c.Logins, c.Unauthorized)
	}
	if r := report(t, o); r["reauths"] != int64(c.Unauthorized) {
		t.Fatalf("report %v, emulator %+v", r, c)
	}
}

func TestTokenExpiresMidRunConcurrently(t *testing.T) {
	// The same with 8 appointments in flight and tokens that serve 20
	// requests: every request in flight when a token dies meets a 401, the
	// client logs in again once and sends each of them again.
	e := genesystest.New(t, genesystest.Config{TokenUses: 20, ExpiresIn: 86400})
	ids := seed(e)
	complete(t, run(t, options(e, users, "concurrency", "8"), now0(), nil, ""), ids)
	if c := e.Counts(); c.Logins < 3 || c.Logins > c.Unauthorized+1 {
		t.Fatalf("logins %d, 401s %d: want a login only after a 401", c.Logins, c.Unauthorized)
	}
}

func TestPermanentErrorFailsClean(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	seed(e)
	// The OAuth client lacks the annotation permission: a 403 half way.
	e.Inject(genesystest.Fault{Path: "/api/v2/coaching/appointments/appt-0005-00/annotations", Status: http.StatusForbidden})
	o := run(t, options(e, users), now0(), nil, "")
	failedClean(t, o)
	var se *httpx.StatusError
	if !errors.As(o.err, &se) || se.StatusCode != http.StatusForbidden || !httpx.IsPermanent(o.err) ||
		!strings.Contains(o.err.Error(), "missing the following permission") {
		t.Fatalf("error %v: want the vendor's 403 message", o.err)
	}
}

func TestRetryBudgetStopsRun(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	seed(e)
	e.Inject(genesystest.Fault{Status: http.StatusBadGateway, After: 3, Times: 1000})
	// One appointment at a time, so the failed attempts are counted
	// exactly (with more in flight, each of them fails too).
	o := run(t, options(e, users, "retry_budget", "2", "concurrency", "1"), now0(), nil, "")
	failedClean(t, o)
	if !errors.Is(o.err, httpx.ErrRetryBudgetExhausted) {
		t.Fatalf("error %v: want the retry budget exhausted", o.err)
	}
	// The floor's two retries plus a quarter of the four requests made.
	if c := e.Counts(); c.Faults != 4 {
		t.Fatalf("%d requests failed, want 4 (first attempt and three retries)", c.Faults)
	}
}

func TestBadCredentialsFailWithoutSecret(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	seed(e)
	opts := options(e, users)
	opts["client_secret"] = "wrong-secret-value"
	o := run(t, opts, now0(), nil, "")
	failedClean(t, o)
	msg := o.err.Error()
	if !strings.Contains(msg, "client not found") || !strings.Contains(msg, "401") {
		t.Fatalf("error %q: want the token endpoint's message", msg)
	}
	if strings.Contains(msg, "wrong-secret-value") || strings.Contains(msg, "Basic") {
		t.Fatalf("error %q carries the secret", msg)
	}
	if c := e.Counts(); c.Logins != 1 || c.API != 0 {
		t.Fatalf("counts %+v: a refused login must stop the run", c)
	}
}

func TestAppointmentDeletedDuringRun(t *testing.T) {
	e := genesystest.New(t, genesystest.Config{})
	ids := seed(e)
	e.Inject(genesystest.Fault{Path: "/api/v2/coaching/appointments/appt-0001-01/statuses", Status: http.StatusNotFound})
	o := run(t, options(e, users), now0(), nil, "")
	if o.err != nil {
		t.Fatal(o.err)
	}
	if n := len(keyed(t, o.out, AppointmentTableName, "id")); n != len(ids) {
		t.Fatalf("%d appointments", n)
	}
	if n := len(keyed(t, o.out, StatusTableName, "appointment_id", "date_created", "status")); n != 3*(len(ids)-1) {
		t.Fatalf("%d status rows", n)
	}
	if r := report(t, o); r["appointments_gone"] != int64(1) {
		t.Fatalf("report %v: the vanished appointment is not counted", r)
	}
}
