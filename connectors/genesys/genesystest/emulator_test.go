package genesystest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

var day = time.Date(2024, 1, 4, 0, 0, 0, 0, time.UTC)

func login(t *testing.T, e *Emulator, id, secret, contentType, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.LoginURL()+"/oauth/token", strings.NewReader(body))
	req.SetBasicAuth(id, secret)
	req.Header.Set("Content-Type", contentType)
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %v", req.Method, req.URL.Path, err)
	}
	return resp.StatusCode, m
}

func newToken(t *testing.T, e *Emulator) string {
	t.Helper()
	code, m := login(t, e, "client-id", "client-secret", "application/x-www-form-urlencoded", "grant_type=client_credentials")
	if code != http.StatusOK || m["token_type"] != "bearer" {
		t.Fatalf("login %d %v", code, m)
	}
	return m["access_token"].(string)
}

func get(t *testing.T, e *Emulator, tok, path string, q url.Values) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.APIURL()+path+"?"+q.Encode(), nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return do(t, req)
}

func TestTokenEndpoint(t *testing.T) {
	e := New(t, Config{TokenTTL: time.Hour})
	if code, m := login(t, e, "client-id", "nope", "application/x-www-form-urlencoded", "grant_type=client_credentials"); code != 401 || m["error"] != "invalid_client" {
		t.Fatalf("wrong secret: %d %v", code, m)
	}
	if code, m := login(t, e, "client-id", "client-secret", "application/json", `{"grant_type":"client_credentials"}`); code != 400 || m["error"] != "invalid_request" {
		t.Fatalf("JSON body: %d %v", code, m)
	}
	if code, m := login(t, e, "client-id", "client-secret", "application/x-www-form-urlencoded", "grant_type=password"); code != 400 || m["error"] != "unsupported_grant_type" {
		t.Fatalf("grant type: %d %v", code, m)
	}
	code, m := login(t, e, "client-id", "client-secret", "application/x-www-form-urlencoded", "grant_type=client_credentials")
	if code != 200 || m["expires_in"] != float64(3600) || m["access_token"] == "" {
		t.Fatalf("login: %d %v", code, m)
	}
}

func TestAPIAuthAndTokenUses(t *testing.T) {
	e := New(t, Config{TokenUses: 2})
	e.Add(Appointment("A1", day.Add(9*time.Hour), "f", "u"), nil, nil)
	if code, m := get(t, e, "", "/api/v2/coaching/appointments/A1", nil); code != 401 || m["code"] != "authentication.required" {
		t.Fatalf("no token: %d %v", code, m)
	}
	tok := newToken(t, e)
	for range 2 {
		if code, _ := get(t, e, tok, "/api/v2/coaching/appointments/A1", nil); code != 200 {
			t.Fatalf("good token: %d", code)
		}
	}
	if code, m := get(t, e, tok, "/api/v2/coaching/appointments/A1", nil); code != 401 || m["code"] != "bad.credentials" || m["status"] != float64(401) {
		t.Fatalf("used-up token: %d %v", code, m)
	}
}

func TestTokenTTL(t *testing.T) {
	e := New(t, Config{TokenTTL: 50 * time.Millisecond})
	e.Add(Appointment("A1", day, "f", "u"), nil, nil)
	tok := newToken(t, e)
	if code, _ := get(t, e, tok, "/api/v2/coaching/appointments/A1", nil); code != 200 {
		t.Fatalf("fresh token: %d", code)
	}
	time.Sleep(80 * time.Millisecond)
	if code, m := get(t, e, tok, "/api/v2/coaching/appointments/A1", nil); code != 401 || m["code"] != "bad.credentials" {
		t.Fatalf("expired token: %d %v", code, m)
	}
}

func TestAppointmentListParameters(t *testing.T) {
	e := New(t, Config{})
	ids := e.Seed(Seed{Users: []string{"u1", "u2"}, From: day, Days: 3, PerDay: 2})
	tok := newToken(t, e)
	path := "/api/v2/coaching/appointments"
	if code, m := get(t, e, tok, path, url.Values{"interval": {"2024-01-04T00:00:00/2024-01-05T00:00:00"}}); code != 400 || m["code"] != "bad.request" {
		t.Fatalf("without userIds: %d %v", code, m)
	}
	// The reference's own example values.
	if code, _ := get(t, e, tok, path, url.Values{"userIds": {"user_ids_example"}, "interval": {"interval_example"}}); code != 400 {
		t.Fatalf("interval_example: %d", code)
	}
	if code, _ := get(t, e, tok, path, url.Values{"userIds": {"u1"}, "pageSize": {"101"}}); code != 400 {
		t.Fatalf("pageSize 101: %d", code)
	}
	// userIds repeat; the interval has no zone (UTC) and excludes its end.
	q := url.Values{"userIds": {"u1", "u2"}, "interval": {"2024-01-04T00:00:00/2024-01-05T09:10:00"}, "pageSize": {"2"}}
	code, m := get(t, e, tok, path, q)
	if code != 200 || m["total"] != float64(3) || m["pageCount"] != float64(2) || m["pageNumber"] != float64(1) || m["nextUri"] == nil || m["previousUri"] != nil {
		t.Fatalf("page 1: %d %v", code, m)
	}
	ents := m["entities"].([]any)
	if len(ents) != 2 || ents[0].(map[string]any)["id"] != ids[0] || ents[1].(map[string]any)["id"] != ids[1] {
		t.Fatalf("page 1 entities %v", ents)
	}
	q.Set("pageNumber", "2")
	if _, m := get(t, e, tok, path, q); len(m["entities"].([]any)) != 1 || m["nextUri"] != nil {
		t.Fatalf("page 2: %v", m)
	}
	q.Set("pageNumber", "3")
	if _, m := get(t, e, tok, path, q); len(m["entities"].([]any)) != 0 {
		t.Fatalf("page past the end: %v", m)
	}
	if code, m := get(t, e, tok, path, url.Values{"userIds": {"u1"}}); code != 200 || m["pageSize"] != float64(25) || m["total"] != float64(3) {
		t.Fatalf("defaults: %v", m)
	}
	if code, m := get(t, e, tok, path+"/nope/statuses", nil); code != 404 || m["code"] != "not.found" {
		t.Fatalf("unknown appointment: %d %v", code, m)
	}
	e2 := New(t, Config{OmitPageCount: true})
	e2.Seed(Seed{Users: []string{"u1"}, From: day, Days: 1, PerDay: 1})
	if _, m := get(t, e2, newToken(t, e2), path, url.Values{"userIds": {"u1"}}); m["pageCount"] != nil || m["total"] != float64(1) {
		t.Fatalf("OmitPageCount: %v", m)
	}
}

func TestRateLimitAnswer(t *testing.T) {
	e := New(t, Config{Limits: []Window{{Requests: 1, Per: 300 * time.Millisecond}}})
	e.Add(Appointment("A1", day, "f", "u"), nil, nil)
	tok := newToken(t, e)
	get(t, e, tok, "/api/v2/coaching/appointments/A1", nil)
	req, _ := http.NewRequest(http.MethodGet, e.APIURL()+"/api/v2/coaching/appointments/A1", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var m map[string]any
	json.Unmarshal(b, &m)
	ra := resp.Header.Get("Retry-After")
	if resp.StatusCode != 429 || m["code"] != "too.many.requests.retry.after" || !strings.Contains(m["message"].(string), "Retry the request in [1] seconds") ||
		ra == "" || ra > "0.301" || ra < "0.2" {
		t.Fatalf("429: %d %s Retry-After %q", resp.StatusCode, b, ra)
	}
	if e.Counts().TooMany != 1 {
		t.Fatalf("counts %+v", e.Counts())
	}
}

func TestDroppedBody(t *testing.T) {
	e := New(t, Config{})
	e.Add(Appointment("A1", day, "f", "u"), nil, nil)
	e.Inject(Fault{Path: "/api/v2/coaching/appointments/A1", Drop: true})
	req, _ := http.NewRequest(http.MethodGet, e.APIURL()+"/api/v2/coaching/appointments/A1", nil)
	req.Header.Set("Authorization", "Bearer "+newToken(t, e))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil {
		t.Fatal("a dropped body read without error")
	}
}
