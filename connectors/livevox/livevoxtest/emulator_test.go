package livevoxtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// api is a bare HTTP client of the emulator for the conformance tests.
type api struct {
	t       *testing.T
	e       *Emulator
	session string
}

func login(t *testing.T, e *Emulator, u User) *api {
	t.Helper()
	a := &api{t: t, e: e}
	body, _ := json.Marshal(map[string]any{"clientName": u.ClientName, "userName": u.UserName, "password": u.Password, "agent": u.Role == RoleAgent})
	req, _ := http.NewRequest("POST", e.URL+"/session/login", bytes.NewReader(body))
	req.Header.Set("LV-Access", DefaultToken)
	status, resp := a.send(req)
	if status != 200 {
		t.Fatalf("login: %d %s", status, resp)
	}
	var out struct{ SessionID string }
	json.Unmarshal(resp, &out)
	a.session = out.SessionID
	return a
}

func (a *api) send(req *http.Request) (int, []byte) {
	a.t.Helper()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if a.session != "" {
		req.Header.Set("LV-Session", a.session)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// do sends the reference's request line ("GET /configuration/agents/324515")
// with body.
func (a *api) do(line string, body []byte) (int, []byte) {
	a.t.Helper()
	method, target, _ := strings.Cut(line, " ")
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, a.e.URL+target, r)
	if err != nil {
		a.t.Fatal(err)
	}
	return a.send(req)
}

func sameJSON(t *testing.T, what string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: response is not JSON: %v: %s", what, err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: fixture is not JSON: %v", what, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

// Each example of the reference, in the reference's order of methods, gets
// the example's status and body.
func TestReferenceExamples(t *testing.T) {
	e := New(t, Options{})
	a := login(t, e, DefaultUser)
	requestID := regexp.MustCompile(`^1-[0-9a-f]{8}-[0-9a-f]{24}$`)
	cases := []struct {
		line, req string
		status    int
		resp      string // fixture; "" expects an empty body
		gateway   bool   // compare the third shape without its request id
	}{
		{"GET /configuration/agents?count=4&client=49551&offset=2", "", 200, "list_agents_response.json", false},
		{"GET /configuration/agents/324515", "", 200, "read_agent_response.json", false},
		{"GET /configuration/agents/111111", "", 404, "error_agent_not_found.json", false},
		{"GET /configuration/agents/skills?count=5&client=4199&offset=0", "", 200, "list_agent_skills_response.json", false},
		{"GET /configuration/agents/skills/8945", "", 200, "read_agent_skill_response.repaired.json", false},
		{"GET /configuration/agents/skills/111111", "", 404, "error_agent_skill_not_found.json", false},
		{"POST /configuration/agents/search?client=1005018&offset=0&count=4", "search_agents_request.json", 200, "search_agents_response.json", false},
		{"POST /configuration/agents/search?count=10&client=4199&offset=0", "search_agents_two_criteria_request.json", 400, "error_search_two_criteria.json", false},
		{"GET /configuration/agents/99057/related", "", 200, "related_response.json", false},
		{"POST /configuration/agents", "create_agent_request.json", 201, "create_agent_response.json", false},
		{"POST /configuration/agents", "create_agent_invalid_password_request.json", 400, "error_missing_required_field.json", false},
		{"POST /configuration/agents", "create_agent_invalid_service_request.json", 403, "error_access_denied.json", true},
		{"POST /configuration/agents/skills?=4199", "create_agent_skill_request.json", 201, "create_agent_skill_response.json", false},
		{"PUT /configuration/agents/skills/74281", "update_agent_skill_request.json", 204, "", false},
		{"DELETE /configuration/agents/311907", "", 204, "", false},
		{"DELETE /configuration/agents/1234", "", 404, "", false},
		{"DELETE /configuration/agents/skills/74280", "", 204, "", false},
		{"DELETE /configuration/agents/skills/74280", "", 404, "", false},
		{"PUT /configuration/agents/312433", "update_agent_request.repaired.json", 204, "", false},
		{"PUT /configuration/agents/312433", "update_agent_unlock_request.json", 204, "", false},
		{"PUT /configuration/agents/312433", "update_agent_invalid_password_request.json", 400, "error_invalid_password.json", false},
		{"PUT /configuration/agents/312012/skills/1022?proficiency=4", "", 204, "", false},
		{"PUT /configuration/agents/312012/services/17885", "", 204, "", false},
		{"PUT /configuration/agents/312012/services/38184", "", 400, "error_cannot_assign_service.json", false},
		{"DELETE /configuration/agents/312012/skills/1022", "", 204, "", false},
		{"DELETE /configuration/agents/312012/services/17885", "", 204, "", false},
	}
	for _, c := range cases {
		var body []byte
		if c.req != "" {
			body = Fixture(c.req)
		}
		status, got := a.do(c.line, body)
		if status != c.status {
			t.Errorf("%s %s: status %d, want %d (%s)", c.line, c.req, status, c.status, got)
			continue
		}
		switch {
		case c.resp == "":
			if len(got) != 0 {
				t.Errorf("%s: body %s, want none", c.line, got)
			}
		case c.gateway:
			var g map[string]any
			json.Unmarshal(got, &g)
			id, _ := g["Request Id"].(string)
			if !requestID.MatchString(id) || g["code"] != 403.0 || g["Message"] != "Access denied" || len(g) != 3 {
				t.Errorf("%s: got %s, want the shape of %s", c.line, got, Fixture(c.resp))
			}
		default:
			sameJSON(t, c.line, got, Fixture(c.resp))
		}
	}
}

// The reference's update example has a trailing comma: strict JSON refuses
// it (doc error 74); the repaired copy passes (see above).
func TestUpdateExampleVerbatimIsRefused(t *testing.T) {
	e := New(t, Options{})
	a := login(t, e, DefaultUser)
	status, body := a.do("PUT /configuration/agents/312433", Fixture("update_agent_request.json"))
	if status != 400 || !strings.Contains(string(body), `"errorMessage":"Invalid input [malformed JSON]"`) {
		t.Errorf("status %d body %s", status, body)
	}
}

// Updates show in later reads, and the update's password rule is the
// previous 4 passwords.
func TestUpdateThenRead(t *testing.T) {
	e := New(t, Options{})
	a := login(t, e, DefaultUser)
	if s, b := a.do("PUT /configuration/agents/312433", []byte(`{"password":"B12345678"}`)); s != 400 ||
		!strings.Contains(string(b), "previous 4 passwords") {
		t.Errorf("reused password: %d %s", s, b)
	}
	a.do("PUT /configuration/agents/312433", Fixture("update_agent_unlock_request.json"))
	a.do("PUT /configuration/agents/312012/skills/1022?proficiency=4", nil)
	_, b := a.do("GET /configuration/agents/312433", nil)
	var got map[string]any
	json.Unmarshal(b, &got)
	if got["locked"] != false || got["phone"] != "2023467700" {
		t.Errorf("312433 after unlock: %s", b)
	}
	_, b = a.do("GET /configuration/agents/312012", nil)
	if !strings.Contains(string(b), `{"id":1022,"proficiency":4}`) {
		t.Errorf("312012 after add skill: %s", b)
	}
	if s, _ := a.do("PUT /configuration/agents/312012/skills/1022?proficiency=6", nil); s != 400 {
		t.Errorf("proficiency 6: %d", s)
	}
}

// Paging follows the reference: item offsets, next in the example's form,
// and the last page's next per LastPage.
func TestPagingForms(t *testing.T) {
	for _, c := range []struct {
		o        Options
		wantNext string
		wantLast string
	}{
		{Options{}, `"next":"configuration/agents/?client=49551&offset=4&count=4"`, `"agent":[{"id":311907`},
		{Options{LastPage: LastPageBlank, NextLink: LinkRooted}, `"next":"/configuration/agents?client=49551&offset=4&count=4"`, `"next":""`},
		{Options{LastPage: LastPageNull, ConfigurationPrefix: "/configuration/v6.0"}, `"next":"configuration/v6.0/agents/?client=49551&offset=4&count=4"`, `"next":null`},
	} {
		e := New(t, c.o)
		a := login(t, e, DefaultUser)
		_, first := a.do("GET "+e.o.ConfigurationPrefix+"/agents?client=49551&count=4&offset=0", nil)
		if !strings.Contains(string(first), c.wantNext) {
			t.Errorf("%+v: first page %s, want %s", c.o, first, c.wantNext)
		}
		_, last := a.do("GET "+e.o.ConfigurationPrefix+"/agents/?client=49551&count=4&offset=8", nil)
		if !strings.Contains(string(last), c.wantLast) || (c.o.LastPage == LastPageDoc && strings.Contains(string(last), "next")) {
			t.Errorf("%+v: last page %s, want %s", c.o, last, c.wantLast)
		}
	}
}

// Sessions: a wrong token is refused, a session idle past the window is
// refused, logout ends it, and roles limit the methods.
func TestSessionsAndRoles(t *testing.T) {
	agentUser := User{ClientName: "LVDOCS", UserName: "agent1", Password: "Passw0rd2", ClientID: 49551, Role: RoleAgent}
	manager := User{ClientName: "LVDOCS", UserName: "mgr", Password: "Passw0rd3", ClientID: 49551, Role: RoleManager}
	e := New(t, Options{SessionIdle: 50 * time.Millisecond, Users: []User{DefaultUser, agentUser, manager}})

	req, _ := http.NewRequest("POST", e.URL+"/session/login", strings.NewReader(`{}`))
	req.Header.Set("LV-Access", "wrong")
	resp, _ := http.DefaultClient.Do(req)
	if resp.StatusCode != 401 {
		t.Errorf("wrong token: %d", resp.StatusCode)
	}
	resp.Body.Close()

	a := login(t, e, DefaultUser)
	if again := login(t, e, DefaultUser); again.session != a.session {
		t.Errorf("a second login got another session while the first is valid")
	}
	time.Sleep(80 * time.Millisecond)
	if s, b := a.do("GET /configuration/agents/324515", nil); s != 401 || !strings.Contains(string(b), `"message":"Invalid session"`) {
		t.Errorf("idle session: %d %s", s, b)
	}

	ag := login(t, e, agentUser)
	if s, _ := ag.do("GET /configuration/agents?count=10&offset=0", nil); s != 200 {
		t.Errorf("agent role, list agents: %d", s)
	}
	for _, u := range []*api{ag, login(t, e, manager)} {
		if s, b := u.do("GET /configuration/agents/skills?count=10&offset=0", nil); s != 403 || !strings.Contains(string(b), `"Message":"Access denied"`) {
			t.Errorf("list skills without the power: %d %s", s, b)
		}
	}
	if s, _ := ag.do("DELETE /session/logout", nil); s != 204 {
		t.Errorf("logout: %d", s)
	}
	if s, _ := ag.do("GET /configuration/agents?count=10&offset=0", nil); s != 401 {
		t.Errorf("after logout: %d", s)
	}
}

// The rate limit answers 429 with the gateway body past its window.
func TestRateLimit(t *testing.T) {
	e := New(t, Options{Limits: []Window{{Requests: 3, Per: time.Second}}, RetryAfter: "1"})
	a := login(t, e, DefaultUser) // 1
	a.do("GET /configuration/agents/324515", nil)
	a.do("GET /configuration/agents/324515", nil)
	req, _ := http.NewRequest("GET", e.URL+"/configuration/agents/324515", nil)
	req.Header.Set("LV-Session", a.session)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" || !strings.Contains(string(b), `"Message":"Too Many Requests"`) {
		t.Errorf("4th request in a window of 3: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
	if st := e.Stats(); st.TooManyRequests != 1 || st.Requests != 4 {
		t.Errorf("stats %+v", st)
	}
}
