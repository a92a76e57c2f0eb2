package calabriotest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// client talks to an emulator with a session of its own.
type client struct {
	t      *testing.T
	e      *Emulator
	cookie string
}

func (c *client) do(method, path, body string) (int, http.Header, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.e.URL+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.cookie != "" {
		req.Header.Set("Cookie", CookieName+"="+c.cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func login(t *testing.T, e *Emulator) *client {
	c := &client{t: t, e: e}
	st, _, body := c.do("POST", authorizePath, `{"username":"`+DefaultUsername+`","password":"`+DefaultPassword+`","language":"en"}`)
	var a struct{ SessionID string }
	if st != 200 || json.Unmarshal([]byte(body), &a) != nil || !strings.HasPrefix(a.SessionID, "HZ") {
		t.Fatalf("login: %d %s", st, body)
	}
	c.cookie = a.SessionID
	return c
}

func TestFixturesAreTheReferenceExamples(t *testing.T) {
	for name, pair := range map[string][2][]byte{
		"authorize": {AuthorizeResponseVerbatim, AuthorizeResponse}, "contact": {ContactExampleVerbatim, ContactExample},
		"media not ready": {MediaNotReadyVerbatim, MediaNotReady}, "report request": {ReportPostRequestVerbatim, ReportPostRequest},
	} {
		if json.Valid(pair[0]) {
			t.Errorf("%s: the verbatim example is valid JSON; the reference's is not", name)
		}
		if !json.Valid(pair[1]) {
			t.Errorf("%s: the repaired example is not valid JSON", name)
		}
	}
	if !bytes.Contains(TranscriptRequestVerbatim, []byte(`"isRootRecording":"false"`)) {
		t.Error("transcript request fixture lost the string boolean")
	}
}

func TestSessionRules(t *testing.T) {
	e := New(t, Options{SessionRequests: 1})
	anon := &client{t: t, e: e}
	if st, _, _ := anon.do("GET", fileExport+"teams", ""); st != 401 {
		t.Errorf("no session: %d, want 401", st)
	}
	if st, _, _ := anon.do("POST", authorizePath, `{"userId":"`+DefaultUsername+`","password":"wrong"}`); st != 401 {
		t.Errorf("wrong password: %d", st)
	}
	c := login(t, e)
	if st, _, body := c.do("GET", fileExport+"teams", ""); st != 200 || body != TeamsExport {
		t.Errorf("teams export: %d %q", st, body)
	}
	if st, _, _ := c.do("GET", fileExport+"teams", ""); st != 401 {
		t.Errorf("expired session: %d, want 401", st)
	}
	c = login(t, e)
	if st, _, _ := c.do("DELETE", authorizePath, ""); st != 200 || e.ActiveSessions() != 0 {
		t.Errorf("logout: %d, %d sessions left", st, e.ActiveSessions())
	}
}

func TestExportRules(t *testing.T) {
	e := New(t, Options{Reports: map[string]*Report{"r": {Header: []string{"a", "b"}, Rows: [][]string{{"1", "2"}, {"3", "4"}},
		Async: true, Scripts: [][]string{{Queued, Canceled}}}}})
	c := login(t, e)
	body := func(limit int) string {
		return `{"schemaName":"` + SchemaExport + `","action":"EXPORT_CSV","state":{"schemaName":"` + SchemaSpec + `","qname":"r"},` +
			`"paramValues":{"encodedParamValues":"[]","qnameContent":"r"},"pageSpecification":[{"offset":1,"limit":` +
			itoa(limit) + `},{"offset":1,"limit":5}]}`
	}
	if st, _, msg := c.do("POST", exportPrefix+"r/export", body(10001)); st != 400 || !strings.Contains(msg, "10,000") {
		t.Errorf("limit 10001: %d %s", st, msg)
	}
	if st, _, msg := c.do("POST", exportPrefix+"r/export", `{"action":"EXPORT_CSV"}`); st != 400 || !strings.Contains(msg, "schemaName") {
		t.Errorf("no schema name: %d %s", st, msg)
	}
	st, _, ans := c.do("POST", exportPrefix+"r/export", body(10))
	var a struct{ RequestID, Status string }
	if st != 200 || json.Unmarshal([]byte(ans), &a) != nil || a.Status != Queued {
		t.Fatalf("async POST: %d %s", st, ans)
	}
	for range 2 { // Canceled is terminal: it stays
		if _, _, ans := c.do("GET", requestPrefix+a.RequestID, ""); !strings.Contains(ans, Canceled) {
			t.Errorf("poll: %s, want Canceled", ans)
		}
	}
	st, h, csv := c.do("POST", exportPrefix+"r/export", body(10)) // second submission: default script
	json.Unmarshal([]byte(csv), &a)
	for _, want := range []string{Processing, "b\n4\n"} {
		_, h, csv = c.do("GET", requestPrefix+a.RequestID, "")
		if !strings.Contains(csv, want) {
			t.Errorf("poll: %q, want %q", csv, want)
		}
	}
	if st != 200 || h.Get("Content-Extent") != "2,2" {
		t.Errorf("Content-Extent %q", h.Get("Content-Extent"))
	}
}

func TestMediaReadiness(t *testing.T) {
	e := New(t, Options{Contacts: ExampleContacts(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), 1, 1, 7), MediaReadyAfter: 1})
	c := login(t, e)
	if st, _, msg := c.do("GET", mediaPrefix+"8?type=WAV", ""); st != 404 || !strings.Contains(msg, "Requested contact does not exist!") {
		t.Errorf("unknown contact: %d %s", st, msg)
	}
	if st, _, msg := c.do("POST", mediaPrefix+"7?type=WAV", ""); st != 200 || !json.Valid([]byte(msg)) || !strings.Contains(msg, `"encoding": "true"`) {
		t.Errorf("POST: %d %s", st, msg)
	}
	if st, _, msg := c.do("GET", mediaPrefix+"7?type=WAV", ""); st != 404 || !strings.Contains(msg, "does not exist or may have expired: c7.wav") {
		t.Errorf("first GET: %d %s", st, msg)
	}
	if st, h, body := c.do("GET", mediaPrefix+"7?type=WAV", ""); st != 200 || h.Get("Content-Type") != "audio/wav" || body != string(e.MediaBytes(7, "WAV")) {
		t.Errorf("second GET: %d %s", st, h.Get("Content-Type"))
	}
	if st, _, msg := c.do("PUT", transcriptURL, `{"ccrid":7,"isRootRecording":"false"}`); st != 200 || !strings.Contains(msg, `"ccrid":7`) {
		t.Errorf("transcript: %d %s", st, msg)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
