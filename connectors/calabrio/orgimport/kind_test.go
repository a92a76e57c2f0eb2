package orgimport

import (
	"strings"
	"testing"
	"time"

	"github.com/ccetl/ccetl/connectors/calabrio/api/calabriotest"
	"github.com/ccetl/ccetl/connectors/internal/push/pushtest"
	"github.com/ccetl/ccetl/pipeline"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// seed is a tenant with one group, one team and two persons, as the
// emulator's built-in exports show them.
func seed() calabriotest.Org {
	return calabriotest.Org{
		Groups: []calabriotest.OrgGroup{{ID: 2, Name: "Default Group", Activated: day(2016, 8, 17), Deactivated: day(2999, 12, 31)}},
		Teams: []calabriotest.OrgGroup{{ID: 3, Name: "Exported Team", Activated: day(2016, 8, 17), Deactivated: day(2999, 12, 31),
			Parent: "Default Group"}},
		Persons: []calabriotest.OrgPerson{
			{ID: 12, Fields: map[string]string{"email": "agent1@example.com", "firstName": "Ann", "lastName": "Agent",
				"timeZone": "America/Chicago", "memberGroup": "Exported Team", "activated": "08/17/2016",
				"deactivated": "12/31/2999", "roles": "Agent", "acdId": "1001", "acdServerId": "1"}},
			{ID: 13, Fields: map[string]string{"email": "agent2@example.com", "firstName": "Ben", "lastName": "Agent",
				"roles": "Agent;Supervisor"}},
		},
	}
}

// options are the target's options for e: no real rate limit, quick
// retries, two rows an upload so every entity takes several.
func emuOptions(e *calabriotest.Emulator) map[string]string {
	return map[string]string{"base_url": e.URL, "username": calabriotest.DefaultUsername,
		"password": calabriotest.DefaultPassword, "rate_limit": "10000/1s", "retry_delay": "1ms", "batch_rows": "2"}
}

func writes(e *calabriotest.Emulator) int {
	n := 0
	for route, c := range e.Stats().Routes {
		if strings.HasPrefix(route, "POST upload/") {
			n += c
		}
	}
	return n
}

func rec(entity, origin string, kv ...any) pipeline.Record {
	r := pipeline.Record{Entity: entity, Origin: origin, Values: map[string]any{}}
	for i := 0; i+1 < len(kv); i += 2 {
		r.Values[kv[i].(string)] = kv[i+1]
	}
	return r
}

func records() []pipeline.Record {
	return []pipeline.Record{
		rec("groups", "groups.csv:2", "name", "Sales", "activated_date", day(2018, 1, 4), "deactivated_date", day(2019, 1, 1)),
		rec("groups", "groups.csv:3", "name", "Finance", "activated_date", day(2018, 1, 4), "deactivated_date", day(2019, 1, 1)),
		rec("groups", "groups.csv:4", "name", "Default Group", "deactivated_date", day(2030, 6, 30)),
		rec("teams", "teams.csv:2", "name", "Car Sales", "parent_group_name", "Sales", "productivity_compilation", true,
			"activated_date", day(2018, 1, 4), "deactivated_date", day(2019, 1, 1)),
		rec("teams", "teams.csv:3", "name", "Parts Sales", "parent_group_name", "Sales", "productivity_compilation", false),
		rec("teams", "teams.csv:4", "name", "Exported Team", "parent_group_name", "Finance"),
		rec("persons", "persons.csv:2", "email", "agent1@example.com", "first_name", "Ann", "last_name", "Agent-Smith",
			"member_team_name", "Car Sales"),
		rec("persons", "persons.csv:3", "email", "new1@example.com", "first_name", "Nia", "last_name", "New",
			"roles", []string{"Agent", "Supervisor"}, "enable_scheduling", true, "acd_id", "2001", "acd_server_id", "1",
			"activated_date", day(2024, 5, 1)),
		rec("persons", "persons.csv:4", "email", "new2@example.com", "first_name", "Ola", "last_name", "New",
			"ad_login", `EXAMPLE\ola`, "member_team_name", "Parts Sales"),
		rec("persons", "persons.csv:5", "email", "agent2@example.com", "first_name", "Ben", "last_name", "Agent"),
	}
}

func TestConformance(t *testing.T) {
	pushtest.Run(t, pushtest.Harness{
		Kind: Kind(),
		Start: func(t *testing.T) pushtest.Env {
			e := calabriotest.New(t, calabriotest.Options{})
			e.UseOrg(seed())
			return pushtest.Env{Options: emuOptions(e), Writes: func() int { return writes(e) }, State: func() any { return e.Org() }}
		},
		Records: records(),
		Invalid: []pushtest.Invalid{
			{Record: rec("groups", "groups.csv:9", "name", strings.Repeat("g", 61)), Reason: "over the maximum of 60"},
			{Record: rec("teams", "teams.csv:9", "name", "Lost Team", "parent_group_name", "Nowhere"), Reason: `no group named "Nowhere"`},
			{Record: rec("persons", "persons.csv:9", "first_name", "No", "last_name", "Mail", "acd_id", "9"), Reason: "field email: required"},
			{Record: rec("persons", "persons.csv:10", "email", "agent2@example.com", "first_name", "Two", "last_name", "Keys",
				"acd_id", "1001"), Reason: "matches person"},
		},
	})
}

func TestPushReachesTheDocumentedState(t *testing.T) {
	e := calabriotest.New(t, calabriotest.Options{})
	e.UseOrg(seed())
	tg, err := Kind().Open(t.Context(), pipeline.TargetConfig{Options: emuOptions(e)})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	led := pushtest.NewLedger()
	p, err := tg.Plan(t.Context(), records(), led)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Sales": "create", "Finance": "create", "Default Group": "update", "Car Sales": "create",
		"Parts Sales": "create", "Exported Team": "update", "agent1@example.com": "update", "new1@example.com": "create",
		"new2@example.com": "create", "agent2@example.com": "unchanged"}
	for _, c := range p.Changes {
		if want[c.Key] != c.Action {
			t.Errorf("%s: %s, want %s (%v)", c.Key, c.Action, want[c.Key], c.Reason)
		}
	}
	if c := p.Changes[2]; len(c.Fields) != 1 || c.Fields[0] != (pipeline.FieldChange{Field: "deactivatedDate", Old: "12/31/2999", New: "06/30/2030"}) {
		t.Errorf("Default Group's update: %+v", c.Fields)
	}
	if c := p.Changes[0]; c.Wire.Get("id") != "0" || c.Wire.Get("activatedDate") != "01/04/2018" {
		t.Errorf("new group's row: %v", c.Wire)
	}
	j := &pushtest.Journal{Ledger: led, Plan: p}
	if err := tg.Apply(t.Context(), p, j); err != nil {
		t.Fatal(err)
	}
	// 3 group rows, 3 team rows and 3 person rows to write, two an upload.
	if n := writes(e); n != 6 {
		t.Errorf("%d uploads, want 6", n)
	}
	org := e.Org()
	var sales, parts calabriotest.OrgGroup
	for _, g := range org.Groups {
		if g.Name == "Sales" {
			sales = g
		}
	}
	for _, g := range org.Teams {
		if g.Name == "Parts Sales" {
			parts = g
		}
		if g.Name == "Exported Team" && g.Parent != "Finance" {
			t.Errorf("Exported Team was not moved to Finance: %+v", g)
		}
	}
	if sales.ID == 0 || !sales.Deactivated.Equal(day(2019, 1, 1)) || parts.Parent != "Sales" || parts.Productivity {
		t.Errorf("sales %+v, parts %+v", sales, parts)
	}
	for _, p := range org.Persons {
		switch p.Fields["email"] {
		case "agent1@example.com":
			if p.ID != 12 || p.Fields["lastName"] != "Agent-Smith" || p.Fields["acdId"] != "1001" || p.Fields["memberGroup"] != "Car Sales" ||
				p.Fields["timeZone"] != "America/Chicago" || p.Fields["roles"] != "Agent" {
				t.Errorf("agent1 after the update: %+v", p)
			}
		case "new1@example.com":
			if p.Fields["roles"] != "Agent;Supervisor" || p.Fields["enableScheduling"] != "True" || p.Fields["activated"] != "05/01/2024" {
				t.Errorf("new1: %+v", p)
			}
		}
	}
	if len(org.Persons) != 4 {
		t.Errorf("%d persons, want 4", len(org.Persons))
	}
	created := 0
	for _, o := range j.Outcomes {
		if o.Status == pipeline.StatusCreated {
			created++
			if o.TargetID == "" || o.TargetID == "0" {
				t.Errorf("created without the tenant's id: %+v", o)
			}
		}
	}
	if created != 6 {
		t.Errorf("%d created, want 6: %v", created, j.Outcomes)
	}
}

func TestRefusedUploadFailsItsRows(t *testing.T) {
	e := calabriotest.New(t, calabriotest.Options{})
	e.UseOrg(seed())
	e.Inject(calabriotest.Fault{Method: "POST", Path: "/api/upload/groups", Status: 400,
		Body: `{"errorMessage":"Line 2: the import is locked"}`, Times: 1})
	tg, err := Kind().Open(t.Context(), pipeline.TargetConfig{Options: emuOptions(e)})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	recs := records()[:2]
	p, err := tg.Plan(t.Context(), recs, pushtest.NewLedger())
	if err != nil {
		t.Fatal(err)
	}
	j := &pushtest.Journal{Ledger: pushtest.NewLedger(), Plan: p}
	if err := tg.Apply(t.Context(), p, j); err != nil {
		t.Fatal(err)
	}
	for _, o := range j.Outcomes {
		if o.Status != pipeline.StatusFailed || o.Code != "400" || !strings.Contains(o.Message, "the import is locked") {
			t.Errorf("outcome %+v", o)
		}
	}
	if len(j.Outcomes) != 2 || len(e.Org().Groups) != 1 {
		t.Errorf("outcomes %v, groups %v", j.Outcomes, e.Org().Groups)
	}
}
