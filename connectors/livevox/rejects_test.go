package livevox

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ccetl/ccetl/connectors/internal/lakecheck"
	"github.com/ccetl/ccetl/connectors/livevox/livevoxtest"
	"github.com/ccetl/ccetl/pipeline"
)

const secret = "Hunter2secret9"

// malformed agents of client 777, one problem each.
var malformed = []struct {
	id   int64
	read string
}{
	// proficiency 7, 0, missing and 6 are rejects; 2 and 5 are written.
	{900001, `{"loginId":"P1","assignedAgentSkill":[{"id":1,"proficiency":7},{"id":2,"proficiency":0},{"id":3},{"id":4,"proficiency":2},{"id":5,"proficiency":6},{"id":6,"proficiency":5}]}`},
	// no loginId: the agent and its assignments are rejected.
	{900002, `{"firstName":"No","assignedAgentSkill":[{"id":1,"proficiency":1},{"id":2,"proficiency":2}],"assignedService":[{"id":40789}]}`},
	// lastLogin as a date string.
	{900003, `{"loginId":"P3","lastLogin":"2024-01-01"}`},
	// a password and a bad wrapUpTime: rejected, without the password.
	{900004, `{"loginId":"P4","password":"` + secret + `","wrapUpTime":-5}`},
	// a password but otherwise fine: written, without it.
	{900005, `{"loginId":"P5","password":"` + secret + `","passwordHash":"` + secret + `","wrapUpTime":30,"active":true}`},
	// not an object.
	{900006, `[1,2]`},
	// assignedService is not an array: the agent is written, the list rejected.
	{900007, `{"loginId":"P7","assignedService":"40789"}`},
	// repeats: the same skill and proficiency merges, another proficiency is
	// rejected, a repeated service merges.
	{900008, `{"loginId":"P8","assignedAgentSkill":[{"id":1,"proficiency":3},{"id":1,"proficiency":3},{"id":1,"proficiency":4}],"assignedService":[{"id":5},{"id":5},"x",{"id":-1}]}`},
	// active as a string.
	{900009, `{"loginId":"P9","active":"true"}`},
}

// Every record received is written, merged or rejected with its reason;
// password fields reach neither the tables nor the rejects.
func TestRejects(t *testing.T) {
	e := livevoxtest.New(t, livevoxtest.Options{})
	for _, m := range malformed {
		e.PutAgent(777, m.id, m.read)
	}
	e.PutListItem(777, `{"loginId":"NOID"}`)
	e.PutListItem(777, `{"id":"12","loginId":"STRID"}`)
	e.PutListItem(777, `"oops"`)
	e.PutListItem(777, `{"id":777777,"loginId":"GHOST","password":"`+secret+`"}`) // listed, but Read says 404
	e.Inject(livevoxtest.Fault{Method: "GET", Path: "/configuration/agents/skills", Exact: true, Status: 200,
		Body: `{"agentSkill":[{"id":1,"name":"ok"},{"name":"no id"},{"id":-3,"name":"neg"},"z",{"id":1,"name":"dup"},{"id":2,"name":7}],"next":null}`})

	res, out := mustRun(t, options(e, "client_id", "777", "page_size", "5"))

	agents := unique(t, AgentTableName, lakecheck.Table(t, out, AgentTableName), "id")
	if got := strings.Join(keys(agents), ","); got != "900001,900005,900007,900008" {
		t.Errorf("agents written: %s", got)
	}
	if a := agents["900005"]; a["wrap_up_time"] != int64(30) || a["active"] != true || a["client_id"] != int64(777) {
		t.Errorf("900005: %v", a)
	}
	sa := unique(t, SkillAssignTableName, lakecheck.Table(t, out, SkillAssignTableName), "agent_id", "skill_id")
	if got := strings.Join(keys(sa), ","); got != "900001/4,900001/6,900008/1" {
		t.Errorf("skill assignments written: %s", got)
	}
	svc := unique(t, ServiceAssignTableName, lakecheck.Table(t, out, ServiceAssignTableName), "agent_id", "service_id")
	if got := strings.Join(keys(svc), ","); got != "900008/5" {
		t.Errorf("service assignments written: %s", got)
	}
	if got := strings.Join(keys(unique(t, SkillTableName, lakecheck.Table(t, out, SkillTableName), "id")), ","); got != "1" {
		t.Errorf("skills written: %s", got)
	}

	want := map[string]pipeline.TableStats{
		AgentTableName:         {RowsIn: 12, RowsOut: 4, RowsRejected: 8}, // and one gone before it was read
		SkillAssignTableName:   {RowsIn: 11, RowsOut: 3, RowsRejected: 7, RowsMerged: 1},
		ServiceAssignTableName: {RowsIn: 6, RowsOut: 1, RowsRejected: 4, RowsMerged: 1},
		SkillTableName:         {RowsIn: 6, RowsOut: 1, RowsRejected: 4, RowsMerged: 1},
	}
	for table, w := range want {
		if g := res.Tables[table]; g != w {
			t.Errorf("%s: %+v, want %+v", table, g, w)
		}
	}

	reasons := map[string]bool{}
	for _, tb := range Tables {
		for _, r := range lakecheck.Rejects(t, out, tb.Name) {
			if strings.Contains(r.Raw, secret) || strings.Contains(r.Reason, secret) || strings.Contains(strings.ToLower(r.Raw), `"password"`) {
				t.Errorf("%s reject keeps a password: %+v", tb.Name, r)
			}
			reasons[fmt.Sprintf("%s|%s|%s|%s", tb.Name, r.Source, r.Column, r.Reason)] = true
		}
	}
	for _, w := range []string{
		"lv_agent_skill_assignment|GET /configuration/agents/900001|proficiency|assignedAgentSkill[0]: out of range: proficiency is 1 to 5",
		"lv_agent_skill_assignment|GET /configuration/agents/900001|proficiency|assignedAgentSkill[2]: required value is missing",
		"lv_agent_skill_assignment|GET /configuration/agents/900001|proficiency|assignedAgentSkill[4]: out of range: proficiency is 1 to 5",
		"lv_agent|GET /configuration/agents/900002|loginId|required value is missing",
		"lv_agent_skill_assignment|GET /configuration/agents/900002||assignedAgentSkill[1]: its agent record was rejected (see lv_agent)",
		"lv_agent_service_assignment|GET /configuration/agents/900002||assignedService[0]: its agent record was rejected (see lv_agent)",
		"lv_agent|GET /configuration/agents/900003|lastLogin|want epoch milliseconds (a number), got a string",
		"lv_agent|GET /configuration/agents/900004|wrapUpTime|out of range: wrapUpTime is -1 (unlimited) or more",
		"lv_agent|GET /configuration/agents/900006||record is not a JSON object (got an array)",
		"lv_agent_service_assignment|GET /configuration/agents/900007|assignedService|want an array, got a string",
		"lv_agent_skill_assignment|GET /configuration/agents/900008|proficiency|assignedAgentSkill[2]: skill assigned twice with different proficiencies",
		"lv_agent_service_assignment|GET /configuration/agents/900008|id|assignedService[3]: not a positive whole number",
		"lv_agent|GET /configuration/agents/900009|active|want a boolean, got a string",
		"lv_agent|GET /configuration/agents page 2|id|required value is missing",
		"lv_agent|GET /configuration/agents page 3|id|want a number, got a string",
		"lv_agent|GET /configuration/agents page 3||record is not a JSON object (got a string)",
		"lv_agent_skill|GET /configuration/agents/skills page 1|id|required value is missing",
		"lv_agent_skill|GET /configuration/agents/skills page 1|name|want a string, got a number",
	} {
		if !reasons[w] {
			t.Errorf("missing reject %s", w)
		}
	}
	if res.Report["agents_gone_before_read"] != int64(1) || res.Report["duplicate_skills"] != int64(1) {
		t.Errorf("report %v", res.Report)
	}
}

// An agent deleted between its list page and its read is no bad data: it
// is not in the snapshot, the report counts it, nothing is rejected; the
// others are written.
func TestAgentDeletedBeforeRead(t *testing.T) {
	var emu atomic.Pointer[livevoxtest.Emulator]
	var deleted atomic.Bool
	e := livevoxtest.New(t, livevoxtest.Options{OnRequest: func(r *http.Request) {
		// While the first agent is read, the third of its page goes.
		if r.URL.Path == "/configuration/agents/324515" && !deleted.Load() {
			deleted.Store(emu.Load().DeleteAgent(521091))
		}
	}})
	emu.Store(e)
	// one read at a time, so the third agent is read after the first
	// (with several in flight it may be read before the deletion)
	res, out := mustRun(t, options(e, "concurrency", "1"))
	if n := len(lakecheck.Table(t, out, AgentTableName)); n != 8 || res.Tables[AgentTableName].RowsRejected != 0 {
		t.Errorf("%d agents written, %+v", n, res.Tables[AgentTableName])
	}
	if rj := lakecheck.Rejects(t, out, AgentTableName); len(rj) != 0 {
		t.Errorf("rejects %+v", rj)
	}
	if res.Report["agents_gone_before_read"] != int64(1) {
		t.Errorf("report %v", res.Report)
	}
}
