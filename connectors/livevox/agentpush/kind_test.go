package agentpush

import (
	"context"
	"strings"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/push/pushtest"
	"github.com/ccetl/ccetl/connectors/livevox/livevoxtest"
	"github.com/ccetl/ccetl/pipeline"
)

const client = 49551 // the default user's client

// tenant is the emulator with three skills of the client and three
// generated agents (GEN900..GEN902, skills 501 and 502, service 40789).
func tenant(t *testing.T) *livevoxtest.Emulator {
	e := livevoxtest.New(t, livevoxtest.Options{})
	for _, id := range []int64{501, 502, 503} {
		e.PutSkill(client, id, "Skill", "")
	}
	e.AddAgents(client, 900, 3, []int64{501, 502})
	return e
}

func emuOptions(e *livevoxtest.Emulator, extra ...string) map[string]string {
	u := livevoxtest.DefaultUser
	m := map[string]string{"base_url": e.URL, "access_token": livevoxtest.DefaultToken, "client_name": u.ClientName,
		"username": u.UserName, "password": u.Password, "rate_limit": "none", "retry_delay": "2ms"}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

func rec(entity, origin string, kv ...any) pipeline.Record {
	r := pipeline.Record{Entity: entity, Origin: origin, Values: map[string]any{}}
	for i := 0; i+1 < len(kv); i += 2 {
		r.Values[kv[i].(string)] = kv[i+1]
	}
	return r
}

func newAgent(origin, login string, kv ...any) pipeline.Record {
	return rec(Agents, origin, append([]any{"login_id", login, "first_name", "New", "last_name", "Agent", "password", "Secret123",
		"phone", "5550100", "wrap_up_time", int64(30), "home_agent", false, "active", true}, kv...)...)
}

// records change GEN900 (a name, a proficiency, a new skill), keep GEN901
// as it is, create two agents (one with skills and a service in its
// Create), and drop skill 502 of GEN901.
func records() []pipeline.Record {
	return []pipeline.Record{
		rec(Agents, "agents.csv:2", "login_id", "gen900", "first_name", "Renamed"),
		rec(Agents, "agents.csv:3", "login_id", "GEN901"),
		newAgent("agents.csv:4", "NEW1"),
		newAgent("agents.csv:5", "NEW2", "id", int64(7)),
		rec(Skills, "skills.csv:2", "agent_login_id", "GEN900", "skill_id", int64(501), "proficiency", int64(5)),
		rec(Skills, "skills.csv:3", "agent_login_id", "GEN900", "skill_id", int64(502), "proficiency", int64(2)),
		rec(Skills, "skills.csv:4", "agent_login_id", "GEN900", "skill_id", int64(503), "proficiency", int64(4)),
		rec(Skills, "skills.csv:5", "agent_login_id", "GEN901", "skill_id", int64(501), "proficiency", int64(2)),
		rec(Skills, "skills.csv:6", "agent_id", int64(7), "skill_id", int64(503), "proficiency", int64(1)),
		rec(Services, "services.csv:2", "agent_id", int64(7), "service_id", int64(17798)),
		rec(Services, "services.csv:3", "agent_login_id", "GEN900", "service_id", int64(40789)),
		rec(Services, "services.csv:4", "agent_login_id", "GEN901", "service_id", int64(40789)),
		rec(Services, "services.csv:5", "agent_login_id", "NEW1", "service_id", int64(17885)),
	}
}

func invalid() []pushtest.Invalid {
	return []pushtest.Invalid{
		{Record: newAgent("bad.csv:2", "BAD1", "password", "short1"), Reason: "password"},
		{Record: newAgent("bad.csv:3", "BAD2", "password", "nodigitshere"), Reason: "digit"},
		{Record: rec(Agents, "bad.csv:4", "login_id", "BAD3", "first_name", "No"), Reason: "needs"},
		{Record: rec(Skills, "bad.csv:5", "agent_login_id", "GEN901", "skill_id", int64(501), "proficiency", int64(7)), Reason: "proficiency"},
		{Record: rec(Skills, "bad.csv:6", "agent_login_id", "GEN901", "skill_id", int64(999), "proficiency", int64(3)), Reason: "not an agent skill"},
		{Record: rec(Services, "bad.csv:7", "agent_login_id", "GEN901", "service_id", int64(113)), Reason: "ACD"},
		{Record: rec(Skills, "bad.csv:8", "agent_id", int64(12345), "skill_id", int64(501), "proficiency", int64(3)), Reason: "agent_id"},
		{Record: rec(Skills, "bad.csv:9", "agent_login_id", "BAD1", "skill_id", int64(501), "proficiency", int64(3)), Reason: "refused"},
		{Record: rec(Agents, "bad.csv:10", "login_id", "GEN902", "wrap_up_time", int64(-5)), Reason: "wrap_up_time"},
	}
}

func env(t *testing.T, extra ...string) pushtest.Env {
	e := tenant(t)
	return pushtest.Env{Options: emuOptions(e, append([]string{"acd_services", "40789,17798,17885"}, extra...)...),
		Writes: e.Writes, State: func() any { return e.Agents(client) }}
}

func TestConformance(t *testing.T) {
	pushtest.Run(t, pushtest.Harness{Kind: Kind(), Start: func(t *testing.T) pushtest.Env { return env(t) },
		Records: records(), Invalid: invalid()})
}

func openTarget(t *testing.T, opts map[string]string) pipeline.Target {
	tg, err := Kind().Open(context.Background(), pipeline.TargetConfig{Kind: KindName, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	return tg
}

// TestPlanAndState checks the plan change by change and the tenant after
// the apply.
func TestPlanAndState(t *testing.T) {
	e := tenant(t)
	tg := openTarget(t, emuOptions(e, "acd_services", "40789,17798,17885"))
	led := pushtest.NewLedger()
	p, err := tg.Plan(context.Background(), records(), led)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range p.Changes {
		s := c.Entity + " " + c.Action + " " + c.Key
		for _, f := range c.Fields {
			s += " " + f.Field + ":" + f.Old + "->" + f.New
		}
		got = append(got, s)
	}
	want := []string{
		"agents update GEN900 firstName:Gen->Renamed",
		"agents unchanged GEN901",
		"agents create NEW1",
		"agents create NEW2",
		"agent_skills delete GEN901|502",
		"agent_skills update GEN900|501 proficiency:1->5",
		"agent_skills unchanged GEN900|502",
		"agent_skills create GEN900|503",
		"agent_skills unchanged GEN901|501",
		"agent_skills create NEW2|503",
		"agent_services create NEW2|17798",
		"agent_services unchanged GEN900|40789",
		"agent_services unchanged GEN901|40789",
		"agent_services create NEW1|17885",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("plan:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	j := &pushtest.Journal{Ledger: led, Plan: p}
	if err := tg.Apply(context.Background(), p, j); err != nil {
		t.Fatal(err)
	}
	// 1 update, 2 creates (carrying NEW2's skill and service and NEW1's
	// service), 1 skill removed, 1 proficiency set, 1 skill added
	if n := e.Writes(); n != 6 {
		t.Errorf("%d writes, want 6", n)
	}
	agents := e.Agents(client)
	if a := agents["GEN900"]; a.Fields["firstName"] != `"Renamed"` || a.Skills[501] != 5 || a.Skills[503] != 4 || len(a.Skills) != 3 {
		t.Errorf("GEN900: %+v", a)
	}
	if a := agents["GEN901"]; len(a.Skills) != 1 || a.Skills[501] == 0 {
		t.Errorf("GEN901 skills: %v", a.Skills)
	}
	if a := agents["NEW2"]; a.Skills[503] != 1 || len(a.Services) != 1 || a.Services[0] != 17798 || a.Fields["wrapUpTime"] != "30" {
		t.Errorf("NEW2: %+v", a)
	}
	for seq, o := range j.Outcomes {
		if c := p.Changes[seq]; c.Action == pipeline.ActionCreate && c.Entity == Agents && o.TargetID == "" {
			t.Errorf("created %s without its id", c.Key)
		}
	}
}

// TestDeleteMissing deletes the client's agents the input lacks, first.
func TestDeleteMissing(t *testing.T) {
	e := tenant(t)
	before := len(e.Agents(client))
	tg := openTarget(t, emuOptions(e, "delete_missing", "true"))
	p, err := tg.Plan(context.Background(), []pipeline.Record{rec(Agents, "a.csv:2", "login_id", "GEN900")}, pushtest.NewLedger())
	if err != nil {
		t.Fatal(err)
	}
	dels := 0
	for i, c := range p.Changes {
		if c.Action == pipeline.ActionDelete {
			if i != dels {
				t.Errorf("delete at %d after other changes", i)
			}
			dels++
		}
	}
	if dels != before-1 {
		t.Fatalf("%d deletes, want %d", dels, before-1)
	}
	if err := tg.Apply(context.Background(), p, &pushtest.Journal{Ledger: pushtest.NewLedger(), Plan: p}); err != nil {
		t.Fatal(err)
	}
	if got := e.Agents(client); len(got) != 1 || got["GEN900"].LoginID == "" {
		t.Fatalf("after delete_missing: %v", got)
	}
}

// TestRefusalIsARowResult: a write LiveVox refuses fails its change with
// LiveVox's code and message; the push goes on.
func TestRefusalIsARowResult(t *testing.T) {
	e := tenant(t)
	tg := openTarget(t, emuOptions(e)) // no acd_services: the API judges the service
	recs := []pipeline.Record{
		rec(Services, "s.csv:2", "agent_login_id", "GEN900", "service_id", int64(113)),
		rec(Services, "s.csv:3", "agent_login_id", "GEN900", "service_id", int64(40789)),
		rec(Services, "s.csv:4", "agent_login_id", "GEN900", "service_id", int64(17798)),
	}
	led := pushtest.NewLedger()
	p, err := tg.Plan(context.Background(), recs, led)
	if err != nil {
		t.Fatal(err)
	}
	j := &pushtest.Journal{Ledger: led, Plan: p}
	if err := tg.Apply(context.Background(), p, j); err != nil {
		t.Fatal(err)
	}
	var failed, ok int
	for seq, o := range j.Outcomes {
		switch {
		case o.Status == pipeline.StatusFailed && p.Changes[seq].Key == "GEN900|113":
			if o.Code != "202" || !strings.Contains(o.Message, "incorrect service type") {
				t.Errorf("refusal: %+v", o)
			}
			failed++
		case o.Status == pipeline.StatusCreated:
			ok++
		}
	}
	if failed != 1 || ok != 1 {
		t.Fatalf("%d failed, %d created: %+v", failed, ok, j.Outcomes)
	}
	if s := e.Agents(client)["GEN900"].Services; len(s) != 2 {
		t.Errorf("services %v", s)
	}
}
