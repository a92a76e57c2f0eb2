package livevox

import (
	"errors"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/httpx"
	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/connectors/livevox/livevoxtest"
)

// Each of the reference's three error bodies fails the run with the
// vendor's code, message (and request id) in the error, commits nothing,
// and still logs out.
func TestVendorErrorShapesSurface(t *testing.T) {
	for _, c := range []struct {
		name, path, fixture string
		status              int
		want                []string
	}{
		{"code,message", "/configuration/agents", "error_missing_required_field.json", 400,
			[]string{"GET /configuration/agents: 400 Bad Request (code 202): Missing required field [password]"}},
		{"errorCode,errorMessage", "/configuration/agents/324515", "error_search_two_criteria.json", 400,
			[]string{"400 Bad Request (code 202): Invalid input [exactly one of phone, loginId or lastName is required]"}},
		{"errorCode,errorMessage (password)", "/configuration/agents/skills", "error_invalid_password.json", 400,
			[]string{"(code 202): Invalid password [Password must be at least 8 characters long]"}},
		{"code,Request Id,Message", "/configuration/agents", "error_access_denied.json", 403,
			[]string{"403 Forbidden (code 403): Access denied [request id 1-66ebf497-fe3e993cfcde32bbd27ae102]"}},
		{"code,message 404 on a list", "/configuration/agents/skills", "error_agent_skill_not_found.json", 404,
			[]string{"404 Not Found (code 203): Agent skill not found [ID:111111]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := livevoxtest.New(t, livevoxtest.Options{})
			e.Inject(livevoxtest.Fault{Method: "GET", Path: c.path, Exact: true, Status: c.status, Body: string(livevoxtest.Fixture(c.fixture))})
			_, out, err := run(t, testNow, options(e), "")
			if err == nil {
				t.Fatal("the run succeeded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if !httpx.IsPermanent(err) {
				t.Errorf("a %d is not permanent: %v", c.status, err)
			}
			committedNothing(t, out)
			if st := e.Stats(); st.Logouts != 1 || st.Faults != 1 {
				t.Errorf("logouts %d faults %d, want 1 1 (no retry of a 4xx)", st.Logouts, st.Faults)
			}
		})
	}
}

// The emulator's own 403 for a role that may not list skills (an Agent,
// a Manager without the power) reaches the error as the third shape.
func TestRoleWithoutPowerIsDenied(t *testing.T) {
	mgr := livevoxtest.User{ClientName: "LVDOCS", UserName: "mgr", Password: "Passw0rd3", ClientID: 49551, Role: livevoxtest.RoleManager}
	e := livevoxtest.New(t, livevoxtest.Options{Users: []livevoxtest.User{mgr}})
	_, out, err := run(t, testNow, options(e, "username", "mgr", "password", "Passw0rd3"), "")
	if err == nil || !strings.Contains(err.Error(), "GET /configuration/agents/skills: 403 Forbidden (code 403): Access denied [request id 1-") {
		t.Errorf("err = %v", err)
	}
	committedNothing(t, out)

	// With the power the same user pulls everything.
	mgr.Powers = []string{livevoxtest.PowerAdminister}
	e = livevoxtest.New(t, livevoxtest.Options{Users: []livevoxtest.User{mgr}})
	if _, out, err = run(t, testNow, options(e, "username", "mgr", "password", "Passw0rd3"), ""); err != nil ||
		len(lakecheck.Table(t, out, AgentTableName)) != 9 {
		t.Errorf("manager with Administer Agents: %v", err)
	}
}

// A wrong token or password fails at the login with the vendor's message,
// once: a refused login is not retried.
func TestLoginRefused(t *testing.T) {
	for _, c := range []struct{ opt, val, want string }{
		{"access_token", "wrong-token", "Invalid access token"},
		{"password", "wrong-password", "Invalid login credentials"},
	} {
		e := livevoxtest.New(t, livevoxtest.Options{})
		_, out, err := run(t, testNow, options(e, c.opt, c.val), "")
		if err == nil || !strings.Contains(err.Error(), "livevox login: POST /session/login: 401 Unauthorized (code 401): "+c.want) {
			t.Errorf("%s: err = %v", c.opt, err)
		}
		if err != nil && strings.Contains(err.Error(), c.val) {
			t.Errorf("the error shows the secret: %v", err)
		}
		var se *httpx.StatusError
		if !errors.As(err, &se) || se.StatusCode != 401 {
			t.Errorf("%s: not a 401 StatusError: %v", c.opt, err)
		}
		committedNothing(t, out)
		if st := e.Stats(); st.Requests != 1 {
			t.Errorf("%s: %d requests, want the one login", c.opt, st.Requests)
		}
	}
}

// A vendor message that echoes the password loses it.
func TestEchoedPasswordRedacted(t *testing.T) {
	e := livevoxtest.New(t, livevoxtest.Options{})
	pw := livevoxtest.DefaultUser.Password
	e.Inject(livevoxtest.Fault{Path: "/session/login", Status: 400, Body: `{"errorCode":202,"errorMessage":"Invalid input [password ` + pw + ` expired]"}`})
	_, _, err := run(t, testNow, options(e), "")
	if err == nil || strings.Contains(err.Error(), pw) || !strings.Contains(err.Error(), "Invalid input [password **redacted** expired]") {
		t.Errorf("err = %v", err)
	}
}
