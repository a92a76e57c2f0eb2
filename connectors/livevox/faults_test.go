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

// exactlyOnce checks that out holds client's agents, skills and
// assignments once each, as the emulator has them.
func exactlyOnce(t *testing.T, e *livevoxtest.Emulator, client int64, out string) {
	t.Helper()
	want := e.Snapshot(client)
	ids := func(v []int64) []string {
		return wantKeys(v, func(id int64) string { return fmt.Sprint(id) })
	}
	if got := keys(unique(t, AgentTableName, lakecheck.Table(t, out, AgentTableName), "id")); !slices.Equal(got, ids(want.AgentIDs)) {
		t.Errorf("agents: %d rows, want %d", len(got), len(want.AgentIDs))
	}
	if got := keys(unique(t, SkillTableName, lakecheck.Table(t, out, SkillTableName), "id")); !slices.Equal(got, ids(want.SkillIDs)) {
		t.Errorf("skills %v, want %v", got, want.SkillIDs)
	}
	sa := keys(unique(t, SkillAssignTableName, lakecheck.Table(t, out, SkillAssignTableName), "agent_id", "skill_id", "proficiency"))
	if w := wantKeys(want.Skills, func(a livevoxtest.Assignment) string { return fmt.Sprintf("%d/%d/%d", a.AgentID, a.ID, a.Proficiency) }); !slices.Equal(sa, w) {
		t.Errorf("skill assignments: %d rows, want %d", len(sa), len(w))
	}
	svc := keys(unique(t, ServiceAssignTableName, lakecheck.Table(t, out, ServiceAssignTableName), "agent_id", "service_id"))
	if w := wantKeys(want.Services, func(a livevoxtest.Assignment) string { return fmt.Sprintf("%d/%d", a.AgentID, a.ID) }); !slices.Equal(svc, w) {
		t.Errorf("service assignments: %d rows, want %d", len(svc), len(w))
	}
}

func gatewayBody(status int, msg string) string {
	return fmt.Sprintf(`{"code":%d,"Request Id":"1-66ebf497-fe3e993cfcde32bbd27ae102","Message":%q}`, status, msg)
}

// Transient failures are retried and every row lands once: a 429 storm on
// a list page, 500s on reads, connections dropped half way through a list
// page and a read.
func TestTransientFaultsRetried(t *testing.T) {
	for _, c := range []struct {
		name   string
		faults []livevoxtest.Fault
	}{
		{"429 storm", []livevoxtest.Fault{{Method: "GET", Path: "/configuration/agents", Exact: true, Status: 429, Body: gatewayBody(429, "Too Many Requests"), Times: 4}}},
		{"500s", []livevoxtest.Fault{
			{Path: "/configuration/agents/324515", Status: 500, Body: `{"code":500,"message":"Internal Server Error"}`, Times: 2},
			{Path: "/configuration/agents/skills", Status: 503, Body: "", Times: 1}}},
		{"dropped mid-body", []livevoxtest.Fault{
			{Method: "GET", Path: "/configuration/agents", Exact: true, Drop: true, Times: 2},
			{Path: "/configuration/agents/521092", Drop: true, Times: 1}}},
		{"login 503", []livevoxtest.Fault{{Path: "/session/login", Status: 503, Body: gatewayBody(503, "Service Unavailable"), Times: 2}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := livevoxtest.New(t, livevoxtest.Options{})
			n := 0
			for _, f := range c.faults {
				e.Inject(f)
				n += f.Times
			}
			res, out := mustRun(t, options(e, "page_size", "4"))
			exactlyOnce(t, e, 49551, out)
			if st := e.Stats(); st.Faults != n || res.Report["retries"] != int64(n) {
				t.Errorf("faults %d retries %v, want %d each", st.Faults, res.Report["retries"], n)
			}
		})
	}
}

// A session that expires mid-run is renewed by logging in again once; the
// request it refused is retried and no row is lost or repeated.
func TestSessionExpiresMidRun(t *testing.T) {
	e := livevoxtest.New(t, livevoxtest.Options{})
	e.ExpireSessionsAfter(6)
	res, out := mustRun(t, options(e, "page_size", "4"))
	exactlyOnce(t, e, 49551, out)
	st := e.Stats()
	if st.NewSessions != 2 || st.Unauthorized != 1 || res.Report["reauths"] != int64(1) || st.Logouts != 1 {
		t.Errorf("sessions %d, 401s %d, reauths %v, logouts %d; want 2 1 1 1", st.NewSessions, st.Unauthorized, res.Report["reauths"], st.Logouts)
	}
}

// The rolling two-hour window, scaled down to 150ms: a rate limit of 3
// requests per 300ms makes the run idle past it between windows, so the
// first request of a window is refused, logs in again and is retried in
// the same window. No row is lost or repeated. (Client 4199: four agents,
// four idle gaps.) One agent at a time, so exactly one request meets each
// gap: the scaled-down idle time is shorter than a rate-limit window,
// which the real two hours never are.
func TestSessionIdleWindow(t *testing.T) {
	e := livevoxtest.New(t, livevoxtest.Options{SessionIdle: 150 * time.Millisecond})
	res, out := mustRun(t, options(e, "rate_limit", "3/300ms", "client_id", "4199", "concurrency", "1"))
	exactlyOnce(t, e, 4199, out)
	st := e.Stats()
	if st.NewSessions < 4 || res.Report["reauths"] != int64(st.NewSessions-1) {
		t.Errorf("new sessions %d, reauths %v: each idle gap should cost one 401 and one login", st.NewSessions, res.Report["reauths"])
	}
}

// A request that keeps failing fails the run cleanly after its attempts,
// however much of the run's retry budget is left (2,200 requests allow
// 220 retries): nothing committed, the error names the request and the
// vendor's answer, the session is closed.
func TestRequestFailingEveryAttempt(t *testing.T) {
	e := livevoxtest.New(t, livevoxtest.Options{})
	e.AddAgents(49551, 500000, 2500, []int64{12366})
	e.Inject(livevoxtest.Fault{Path: "/configuration/agents/502200", Status: 500, Body: `{"code":500,"message":"Internal Server Error"}`, Times: 100})
	_, out, err := run(t, testNow, options(e, "retry_budget", "3", "max_attempts", "10"), "")
	if err == nil || !strings.Contains(err.Error(), "GET /configuration/agents/502200: 500 Internal Server Error") ||
		!strings.Contains(err.Error(), "after 10 attempts") {
		t.Fatalf("err = %v", err)
	}
	committedNothing(t, out) // 2,200 agent rows had reached the sink
	if st := e.Stats(); st.Faults != 10 || st.Logouts != 1 {
		t.Errorf("faults %d logouts %d, want 10 (the attempts) and 1", st.Faults, st.Logouts)
	}
}

// An agent listed twice (the list shifted between pages) is merged: read
// and written once.
func TestRepeatedAgentMerges(t *testing.T) {
	e := livevoxtest.New(t, livevoxtest.Options{})
	e.PutListItem(49551, `{"id":324515,"loginId":"AGENT3"}`)
	res, out := mustRun(t, options(e, "page_size", "4"))
	if st := res.Tables[AgentTableName]; st.RowsMerged != 1 || st.RowsOut != 9 || st.RowsIn != 10 {
		t.Errorf("agents %+v, want 10 in, 9 written, 1 merged", st)
	}
	exactlyOnce(t, e, 49551, out)
	if res.Report["duplicate_agents"] != int64(1) || e.Stats().Routes["GET agents/{id}"] != 9 {
		t.Errorf("report %v, reads %d", res.Report, e.Stats().Routes["GET agents/{id}"])
	}
}
