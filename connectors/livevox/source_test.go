package livevox

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/connectors/livevox/livevoxtest"
)

// A pull of the reference's client 49551 in pages of 4: every agent, skill
// and assignment once, typed; the reference's Read Agent example exactly.
func TestPullReferenceTenant(t *testing.T) {
	e := livevoxtest.New(t, livevoxtest.Options{})
	want := e.Snapshot(49551)
	res, out := mustRun(t, options(e, "page_size", "4"))

	agents := unique(t, AgentTableName, lakecheck.Table(t, out, AgentTableName), "id")
	if got, w := keys(agents), wantKeys(want.AgentIDs, func(id int64) string { return fmt.Sprint(id) }); !slices.Equal(got, w) {
		t.Errorf("agents %v, want %v", got, w)
	}
	// GET /configuration/agents/324515 of the reference, with id from the
	// list and client_id from the login.
	a3 := agents["324515"]
	exp := map[string]any{
		"snapshot_at": testNow.UnixMilli(), "client_id": int64(49551), "id": int64(324515), "login_id": "AGENT3",
		"first_name": "AGENT", "last_name": "THREE", "phone": "5553231212", "wrap_up_time": int64(-1),
		"home_agent": true, "active": true, "locked": false, "last_login": int64(1495234211000),
		"last_login_ip": "189.146.225.138", "password_last_modified": int64(1495233693000), "last_modified": nil,
	}
	if len(a3) != len(exp) {
		t.Errorf("lv_agent has columns %v", keys(a3))
	}
	for k, v := range exp {
		if a3[k] != v {
			t.Errorf("agent 324515 %s = %#v, want %#v", k, a3[k], v)
		}
	}
	// A List Agents example agent: list values, completed by its read.
	if a := agents["513804"]; a["last_name"] != "password123" || a["last_login"] != int64(1481699421000) || a["wrap_up_time"] != int64(-1) {
		t.Errorf("agent 513804: %v", a)
	}

	skills := unique(t, SkillTableName, lakecheck.Table(t, out, SkillTableName), "id")
	if got, w := keys(skills), wantKeys(want.SkillIDs, func(id int64) string { return fmt.Sprint(id) }); !slices.Equal(got, w) {
		t.Errorf("skills %v, want %v", got, w)
	}
	if s := skills["12366"]; s["name"] != "ENGLISH" || s["client_id"] != int64(49551) || s["snapshot_at"] != testNow.UnixMilli() {
		t.Errorf("skill 12366: %v", s)
	}

	sa := unique(t, SkillAssignTableName, lakecheck.Table(t, out, SkillAssignTableName), "agent_id", "skill_id", "proficiency")
	if got, w := keys(sa), wantKeys(want.Skills, func(a livevoxtest.Assignment) string {
		return fmt.Sprintf("%d/%d/%d", a.AgentID, a.ID, a.Proficiency)
	}); !slices.Equal(got, w) || len(got) == 0 {
		t.Errorf("skill assignments %v, want %v", got, w)
	}
	if _, ok := sa["324515/12366/2"]; !ok {
		t.Errorf("the reference's assignedAgentSkill {12366, 2} of agent 324515 is missing")
	}
	svc := unique(t, ServiceAssignTableName, lakecheck.Table(t, out, ServiceAssignTableName), "agent_id", "service_id")
	if got, w := keys(svc), wantKeys(want.Services, func(a livevoxtest.Assignment) string {
		return fmt.Sprintf("%d/%d", a.AgentID, a.ID)
	}); !slices.Equal(got, w) || len(got) < 6 {
		t.Errorf("service assignments %v, want %v", got, w)
	}

	for _, tb := range Tables {
		if s := res.Tables[tb.Name]; s.RowsRejected != 0 || s.RowsMerged != 0 {
			t.Errorf("%s: %+v", tb.Name, s)
		}
	}
	st := e.Stats()
	if st.Logins != 1 || st.Logouts != 1 || e.ActiveSessions() != 0 {
		t.Errorf("logins %d logouts %d active %d, want 1 1 0", st.Logins, st.Logouts, e.ActiveSessions())
	}
	// 9 agents in pages of 4: offsets 0, 4, 8.
	if st.Routes["GET agents"] != 3 || st.Routes["GET agents/{id}"] != 9 || st.Routes["GET agents/skills"] != 1 {
		t.Errorf("routes %v", st.Routes)
	}
	if res.Report["requests"] != int64(st.Requests-1) { // the logout comes after the report
		t.Errorf("report requests %v, emulator saw %d", res.Report["requests"], st.Requests)
	}
}

// Every form of next link (the reference's relative "agents/?" form,
// rooted, absolute, behind a version segment) and every form of last page
// (absent, blank, null) pages through every agent once.
func TestNextLinkForms(t *testing.T) {
	for _, link := range []livevoxtest.LinkStyle{livevoxtest.LinkDoc, livevoxtest.LinkRooted, livevoxtest.LinkAbsolute} {
		for _, last := range []livevoxtest.LastPage{livevoxtest.LastPageAbsent, livevoxtest.LastPageBlank, livevoxtest.LastPageNull} {
			t.Run(fmt.Sprintf("link%d-last%d", link, last), func(t *testing.T) {
				prefix := "/configuration"
				if link == livevoxtest.LinkDoc {
					prefix = "/configuration/v6.0"
				}
				e := livevoxtest.New(t, livevoxtest.Options{NextLink: link, LastPage: last, ConfigurationPrefix: prefix})
				e.PutSkill(49551, 1, "S1", "")
				e.PutSkill(49551, 2, "S2", "")
				c, err := lakecheck.Drain(t, kindAt(testNow), options(e, "page_size", "2", "configuration_path", prefix))
				if err != nil {
					t.Fatal(err)
				}
				if c.Written != 9+5+len64(e.Snapshot(49551).Skills)+len64(e.Snapshot(49551).Services) || c.Merged != 0 || c.Rejected != 0 {
					t.Errorf("counts %+v", c)
				}
				if r := e.Stats().Routes; r["GET agents"] != 5 || r["GET agents/skills"] != 3 {
					t.Errorf("pages: %v", r)
				}
			})
		}
	}
}

func len64[T any](s []T) int64 { return int64(len(s)) }

// Rerunning the same snapshot replaces its files; a later snapshot adds
// its own, told apart by snapshot_at.
func TestRerunReplacesSameSnapshot(t *testing.T) {
	e := livevoxtest.New(t, livevoxtest.Options{})
	out := t.TempDir()
	for range 2 {
		if _, _, err := run(t, testNow, options(e), out); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(lakecheck.Table(t, out, AgentTableName)); n != 9 {
		t.Errorf("after a rerun: %d agent rows, want 9", n)
	}
	later := testNow.Add(3 * time.Hour)
	if _, _, err := run(t, later, options(e), out); err != nil {
		t.Fatal(err)
	}
	bySnap := map[any]int{}
	for _, r := range lakecheck.Table(t, out, AgentTableName) {
		bySnap[r["snapshot_at"]]++
	}
	if bySnap[testNow.UnixMilli()] != 9 || bySnap[later.UnixMilli()] != 9 || len(bySnap) != 2 {
		t.Errorf("rows by snapshot: %v", bySnap)
	}
}

// With client_id the list names the client and rows carry it; the
// Agent-role skills list is not needed for that.
func TestClientOption(t *testing.T) {
	e := livevoxtest.New(t, livevoxtest.Options{})
	_, out := mustRun(t, options(e, "client_id", "4199"))
	agents := lakecheck.Table(t, out, AgentTableName)
	if len(agents) != 4 {
		t.Fatalf("client 4199: %d agents, want the 4 SPANISH agents", len(agents))
	}
	for _, a := range agents {
		if a["client_id"] != int64(4199) {
			t.Errorf("client_id %v", a["client_id"])
		}
	}
	skills := unique(t, SkillTableName, lakecheck.Table(t, out, SkillTableName), "id")
	if got := keys(skills); !slices.Equal(got, []string{"1021", "1022", "1023", "8945"}) {
		t.Errorf("skills of the List Agent Skills example: %v", got)
	}
	sa := lakecheck.Table(t, out, SkillAssignTableName)
	if len(sa) != 4 {
		t.Errorf("skill 8945 holders: %v", sa)
	}
}

// The kind refuses inputs and bad options, naming every problem.
func TestOpenChecks(t *testing.T) {
	e := livevoxtest.New(t, livevoxtest.Options{})
	all := options(e, "client_id", "1", "configuration_path", "/c", "session_path", "/s", "page_size", "10", "timeout", "5s",
		"max_attempts", "3", "retry_budget", "9")
	if err := Kind().CheckOptions(all); err != nil {
		t.Errorf("documented options refused: %v", err)
	}
	if err := Kind().CheckOptions(options(e, "clientId", "1")); err == nil {
		t.Errorf("an unknown option was accepted")
	}
	if _, err := lakecheck.Drain(t, Kind(), options(e), "some/file.json"); err == nil || !strings.Contains(err.Error(), "takes no inputs") {
		t.Errorf("inputs: %v", err)
	}
	_, err := lakecheck.Drain(t, Kind(), options(e, "page_size", "1001", "rate_limit", "fast", "base_url", "ftp://x"))
	for _, want := range []string{"page_size", "rate_limit", "base_url"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}
