package livevoxtest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// PutAgent stores (or replaces) agent id of client with read as its Read
// Agent body, served as it is: it may be malformed on purpose. Its List
// Agents entry holds the id and the list keys read has.
func (e *Emulator) PutAgent(clientID, id int64, read string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := &agent{clientID: clientID, id: id, raw: []byte(read)}
	var fields map[string]json.RawMessage
	if json.Unmarshal(a.raw, &fields) == nil && fields != nil {
		a.fields, a.raw = fields, nil
	}
	e.data.putAgent(a)
}

// PutListItem adds a raw List Agents entry with no agent behind it.
func (e *Emulator) PutListItem(clientID int64, item string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.data.putAgent(&agent{clientID: clientID, listOnly: []byte(item)})
}

// PutSkill stores (or replaces) a skill.
func (e *Emulator) PutSkill(clientID, id int64, name, description string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.data.putSkill(&skill{clientID: clientID, id: id, name: name, description: description})
}

// DeleteAgent removes an agent, reporting whether it existed.
func (e *Emulator) DeleteAgent(id int64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.data.deleteAgent(id)
}

// AddAgents adds n generated agents to client, ids from firstID, each with
// the given skills (proficiency 1 to 5 in turn) and one service, and
// returns their ids.
func (e *Emulator) AddAgents(clientID, firstID int64, n int, skills []int64) []int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	ids := make([]int64, n)
	for i := range n {
		id := firstID + int64(i)
		var rs []ref
		for j, s := range skills {
			p := (i+j)%5 + 1
			rs = append(rs, ref{ID: s, Proficiency: &p})
		}
		read := map[string]any{
			"loginId": fmt.Sprintf("GEN%d", id), "firstName": "Gen", "lastName": fmt.Sprintf("Agent%d", id),
			"phone": "5550100000", "wrapUpTime": i % 120, "homeAgent": i%2 == 0, "active": i%7 != 0, "locked": false,
			"lastLogin": 1700000000000 + int64(i)*1000, "lastLoginIp": "10.0.0.1",
			"assignedService": []ref{{ID: 40789}},
		}
		if len(rs) > 0 {
			read["assignedAgentSkill"] = rs
		}
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(mustJSON(read), &fields)
		e.data.putAgent(&agent{clientID: clientID, id: id, fields: fields})
		ids[i] = id
	}
	return ids
}

// Assignment is one agent's skill or service as the emulator holds it;
// Proficiency is 0 for services.
type Assignment struct {
	AgentID, ID int64
	Proficiency int
}

// Snapshot is what a pull of one client should find.
type Snapshot struct {
	AgentIDs, SkillIDs []int64
	Skills, Services   []Assignment
}

// Snapshot returns client's agents, skills and assignments, sorted, from
// well-formed agents only.
func (e *Emulator) Snapshot(clientID int64) Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	var s Snapshot
	for _, a := range e.data.agents {
		if a.clientID != clientID || a.listOnly != nil || a.fields == nil {
			continue
		}
		s.AgentIDs = append(s.AgentIDs, a.id)
		for _, r := range a.refs("assignedAgentSkill") {
			p := 0
			if r.Proficiency != nil {
				p = *r.Proficiency
			}
			s.Skills = append(s.Skills, Assignment{a.id, r.ID, p})
		}
		for _, r := range a.refs("assignedService") {
			s.Services = append(s.Services, Assignment{AgentID: a.id, ID: r.ID})
		}
	}
	for _, sk := range e.data.skills {
		if sk.clientID == clientID {
			s.SkillIDs = append(s.SkillIDs, sk.id)
		}
	}
	sort.Slice(s.AgentIDs, func(i, j int) bool { return s.AgentIDs[i] < s.AgentIDs[j] })
	sort.Slice(s.SkillIDs, func(i, j int) bool { return s.SkillIDs[i] < s.SkillIDs[j] })
	less := func(x []Assignment) func(i, j int) bool {
		return func(i, j int) bool {
			if x[i].AgentID != x[j].AgentID {
				return x[i].AgentID < x[j].AgentID
			}
			return x[i].ID < x[j].ID
		}
	}
	sort.Slice(s.Skills, less(s.Skills))
	sort.Slice(s.Services, less(s.Services))
	return s
}

// AgentState is one agent as a push should leave it: its Read Agent keys
// (but locked and the login times), skills by id with their proficiency
// and services, without the ids the emulator chose.
type AgentState struct {
	LoginID  string
	Fields   map[string]string
	Skills   map[int64]int
	Services []int64
}

// Agents returns client's well-formed agents by upper-cased login id.
func (e *Emulator) Agents(clientID int64) map[string]AgentState {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]AgentState{}
	for _, a := range e.data.agents {
		if a.clientID != clientID || a.listOnly != nil || a.fields == nil {
			continue
		}
		s := AgentState{LoginID: a.str("loginId"), Fields: map[string]string{}, Skills: map[int64]int{}}
		for k, v := range a.fields {
			switch k {
			case "loginId", "locked", "lastLogin", "lastLoginIp", "passwordLastModified", "assignedAgentSkill", "assignedService":
				continue
			}
			s.Fields[k] = string(v)
		}
		for _, r := range a.refs("assignedAgentSkill") {
			if r.Proficiency != nil {
				s.Skills[r.ID] = *r.Proficiency
			}
		}
		for _, r := range a.refs("assignedService") {
			s.Services = append(s.Services, r.ID)
		}
		sort.Slice(s.Services, func(i, j int) bool { return s.Services[i] < s.Services[j] })
		out[strings.ToUpper(s.LoginID)] = s
	}
	return out
}

// Writes counts the write requests served: every POST, PUT and DELETE of
// the Configuration API but searches.
func (e *Emulator) Writes() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for route, c := range e.stats.Routes {
		if (strings.HasPrefix(route, "POST ") || strings.HasPrefix(route, "PUT ") || strings.HasPrefix(route, "DELETE ")) &&
			!strings.Contains(route, "search") && !strings.Contains(route, "login") && !strings.Contains(route, "logout") {
			n += c
		}
	}
	return n
}

// CallCenters returns the call centers of client's well-formed agents as
// "agent:call center" pairs, sorted.
func (e *Emulator) CallCenters(clientID int64) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, a := range e.data.agents {
		if a.clientID != clientID || a.listOnly != nil || a.fields == nil {
			continue
		}
		for _, c := range a.callCenters {
			out = append(out, fmt.Sprintf("%d:%d", a.id, c))
		}
	}
	sort.Strings(out)
	return out
}
