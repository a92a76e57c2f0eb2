package maestroqatest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "export.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// post sends an export request; token "" sends no apiToken header.
func post(t *testing.T, e *Emulator, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.URL()+Path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("apitoken", token) // header names are case-insensitive
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func errorOf(t *testing.T, b []byte) string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil || len(m) != 1 {
		t.Fatalf("error body %q is not {\"error\": ...}", b)
	}
	return m["error"]
}

// The reference's own request example (2021-12-01..2022-01-25 on
// meetingDate) against the repaired response example: both sessions meet
// inside the range, the second on its last day, which an inclusive endDate
// keeps and an exclusive one does not.
func TestReferenceExample(t *testing.T) {
	const body = `{"startDate": "2021-12-01", "endDate": "2022-01-25", "timeAxis": "meetingDate"}`
	for _, c := range []struct {
		exclusive bool
		want      int
	}{{false, 2}, {true, 1}} {
		e := New(t, Config{NoLimits: true, EndExclusive: c.exclusive})
		e.MustAddSessions(fixture(t))
		status, b := post(t, e, e.Token(), body)
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, b)
		}
		var got []json.RawMessage
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != c.want {
			t.Fatalf("exclusive=%v: %d sessions, want %d", c.exclusive, len(got), c.want)
		}
		var all []json.RawMessage
		json.Unmarshal(fixture(t), &all)
		if !bytes.Equal(got[0], all[0]) {
			t.Fatal("the session is not served byte for byte as loaded")
		}
	}
}

func TestTimeAxisFilters(t *testing.T) {
	e := New(t, Config{NoLimits: true})
	e.MustAddSessions(fixture(t))
	// Session 2 was created 2022-01-20 and meets 2022-01-25.
	for _, c := range []struct {
		axis string
		want int
	}{{"createdAt", 1}, {"meetingDate", 0}} {
		_, b := post(t, e, e.Token(), `{"startDate":"2022-01-20","endDate":"2022-01-24","timeAxis":"`+c.axis+`"}`)
		var got []json.RawMessage
		json.Unmarshal(b, &got)
		if len(got) != c.want {
			t.Errorf("%s: %d sessions, want %d", c.axis, len(got), c.want)
		}
	}
	if calls := e.Calls(); len(calls) != 2 || calls[0].Sessions != 1 || calls[1].TimeAxis != "meetingDate" {
		t.Fatalf("calls %+v", calls)
	}
}

func TestAuthAndBodyErrors(t *testing.T) {
	e := New(t, Config{NoLimits: true})
	good := `{"startDate":"2021-12-01","endDate":"2021-12-31","timeAxis":"createdAt"}`
	for _, c := range []struct {
		name, token, body string
		status            int
		msg               string
	}{
		{"no token", "", good, 401, "apiToken"},
		{"wrong token", "nope", good, 403, "invalid API token"},
		{"not JSON", e.Token(), `{startDate: "2021-12-01"}`, 400, "JSON"},
		{"no startDate", e.Token(), `{"endDate":"2021-12-31","timeAxis":"createdAt"}`, 400, "startDate is required"},
		{"no endDate", e.Token(), `{"startDate":"2021-12-01","timeAxis":"createdAt"}`, 400, "endDate is required"},
		{"no timeAxis", e.Token(), `{"startDate":"2021-12-01","endDate":"2021-12-31"}`, 400, "timeAxis is required"},
		{"bad start", e.Token(), `{"startDate":"12/01/2021","endDate":"2021-12-31","timeAxis":"createdAt"}`, 400, "startDate must be formatted"},
		{"bad end", e.Token(), `{"startDate":"2021-12-01","endDate":"2021-12-31T00:00:00Z","timeAxis":"createdAt"}`, 400, "endDate must be formatted"},
		{"bad axis", e.Token(), `{"startDate":"2021-12-01","endDate":"2021-12-31","timeAxis":"updatedAt"}`, 400, "timeAxis must be"},
		{"reversed", e.Token(), `{"startDate":"2021-12-31","endDate":"2021-12-01","timeAxis":"createdAt"}`, 400, "before startDate"},
		{"91 days", e.Token(), `{"startDate":"2021-01-01","endDate":"2021-04-01","timeAxis":"createdAt"}`, 400, "within 90 days"},
		{"90 days", e.Token(), `{"startDate":"2021-01-01","endDate":"2021-03-31","timeAxis":"createdAt"}`, 200, ""},
	} {
		status, b := post(t, e, c.token, c.body)
		if status != c.status {
			t.Errorf("%s: status %d, want %d (%s)", c.name, status, c.status, b)
			continue
		}
		if c.msg != "" && !strings.Contains(errorOf(t, b), c.msg) {
			t.Errorf("%s: error %q does not say %q", c.name, errorOf(t, b), c.msg)
		}
	}
	if c := e.Counts(); c.Unauthorized != 1 || c.Forbidden != 1 || c.BadRequest != 9 || c.Served != 1 {
		t.Fatalf("counts %+v", c)
	}
	req, _ := http.NewRequest(http.MethodGet, e.URL()+Path, nil)
	req.Header.Set("apiToken", e.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: status %d", resp.StatusCode)
	}
}

func TestExclusiveRangeCount(t *testing.T) {
	e := New(t, Config{NoLimits: true, EndExclusive: true})
	if status, b := post(t, e, e.Token(), `{"startDate":"2021-01-01","endDate":"2021-04-01","timeAxis":"createdAt"}`); status != 200 {
		t.Fatalf("90 days exclusive: %d %s", status, b)
	}
	if status, _ := post(t, e, e.Token(), `{"startDate":"2021-01-01","endDate":"2021-04-02","timeAxis":"createdAt"}`); status != 400 {
		t.Fatalf("91 days exclusive: %d", status)
	}
}

func TestLimitsNameTheWindow(t *testing.T) {
	const second = 10 * time.Millisecond
	e := New(t, Config{Limits: ScaledLimits(second)})
	good := `{"startDate":"2021-12-01","endDate":"2021-12-31","timeAxis":"createdAt"}`
	if s, _ := post(t, e, e.Token(), good); s != 200 {
		t.Fatalf("first request: %d", s)
	}
	s, b := post(t, e, e.Token(), good)
	if s != http.StatusTooManyRequests || errorOf(t, b) != "Too many requests in the past second." {
		t.Fatalf("second request at once: %d %s", s, b)
	}
	// 29 more, a "second" apart, fill the "minute"; the next one is refused
	// for the minute.
	for i := range 29 {
		time.Sleep(second + 2*time.Millisecond)
		if s, b := post(t, e, e.Token(), good); s != 200 {
			t.Fatalf("request %d: %d %s", i+2, s, b)
		}
	}
	time.Sleep(second + 2*time.Millisecond)
	s, b = post(t, e, e.Token(), good)
	if s != http.StatusTooManyRequests || errorOf(t, b) != "Too many requests in the past minute." {
		t.Fatalf("31st request in a minute: %d %s", s, b)
	}
	if c := e.Counts(); c.TooMany != 2 || c.Served != 30 {
		t.Fatalf("counts %+v", c)
	}
	if got := RateLimit(ScaledLimits(second)); got != "1/10ms,30/600ms" {
		t.Fatalf("RateLimit %q", got)
	}
}

func TestFaults(t *testing.T) {
	e := New(t, Config{NoLimits: true})
	e.MustAddSessions(fixture(t))
	e.Inject(Fault{Status: 500, Times: 2})
	e.Inject(Fault{Status: 429, Window: "minute"})
	e.Inject(Fault{Drop: true})
	good := `{"startDate":"2021-12-01","endDate":"2022-01-31","timeAxis":"createdAt"}`
	for _, want := range []int{500, 500} {
		if s, b := post(t, e, e.Token(), good); s != want || errorOf(t, b) == "" {
			t.Fatalf("status %d, want %d", s, want)
		}
	}
	if s, b := post(t, e, e.Token(), good); s != 429 || errorOf(t, b) != "Too many requests in the past minute." {
		t.Fatalf("injected 429: %d %s", s, b)
	}
	req, _ := http.NewRequest(http.MethodPost, e.URL()+Path, strings.NewReader(good))
	req.Header.Set("apiToken", e.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil {
		t.Fatal("dropped body read without error")
	}
	if s, _ := post(t, e, e.Token(), good); s != 200 {
		t.Fatalf("after the faults: %d", s)
	}
	calls := e.Calls()
	if c := e.Counts(); c.Faults != 4 || c.Served != 1 || len(calls) != 2 || !calls[0].Dropped || calls[1].Dropped {
		t.Fatalf("counts %+v calls %+v", c, calls)
	}
}

func TestAddSessionsReplacesByID(t *testing.T) {
	e := New(t, Config{NoLimits: true})
	e.MustAddSessions(Generate(Generated{N: 3, First: time.Date(2021, 12, 1, 9, 0, 0, 0, time.UTC), Every: 24 * time.Hour, Notes: "v1"}))
	e.MustAddSessions(Generate(Generated{N: 1, First: time.Date(2021, 12, 1, 9, 0, 0, 0, time.UTC), Every: 24 * time.Hour, Notes: "v2"}))
	_, b := post(t, e, e.Token(), `{"startDate":"2021-12-01","endDate":"2021-12-31","timeAxis":"createdAt"}`)
	var got []struct {
		ID    string `json:"_id"`
		Notes string `json:"coachNotes"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ID != "s-00000" || got[0].Notes != "v2" || got[1].Notes != "v1" {
		t.Fatalf("sessions %+v", got)
	}
	if err := e.AddSessions([]byte(`{"_id": "x"}`)); err == nil {
		t.Fatal("an object was accepted as the session array")
	}
}
