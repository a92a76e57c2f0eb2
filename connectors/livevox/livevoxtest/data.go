package livevoxtest

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"strconv"
)

//go:embed testdata/*.json
var fixtures embed.FS

// Fixture returns a file of testdata/ (the reference's examples, verbatim).
func Fixture(name string) []byte {
	b, err := fixtures.ReadFile("testdata/" + name)
	if err != nil {
		panic("livevoxtest: " + err.Error())
	}
	return b
}

// agent is one stored agent. fields is the Read Agent body; raw, when set,
// is served instead (tests store malformed bodies that way); listOnly is a
// List Agents entry with no agent behind it.
type agent struct {
	clientID, id int64
	fields       map[string]json.RawMessage
	raw          []byte
	listOnly     []byte
	callCenters  []int64
	passwords    []string
}

type skill struct {
	clientID, id      int64
	name, description string
}

// tenant is the emulator's data, in list order.
type tenant struct {
	agents     []*agent
	agentByID  map[int64]*agent
	skills     []*skill
	skillByID  map[int64]*skill
	acd        map[int64]bool // known services: true for ACD services
	nextAgent  int64
	nextSkill  int64
	agentsMod  int64 // lastModified of the agent list, epoch ms
	skillsMod  int64
	generation int64 // bumps on every agent write
}

// Ids the reference's create examples return, and the lastModified of its
// list info examples.
const (
	firstNewAgentID = 311918
	firstNewSkillID = 74281
	docLastModified = 1369249675000
)

func loadDataset() (*tenant, error) {
	var ds struct {
		Services []struct {
			ID  int64 `json:"id"`
			ACD bool  `json:"acd"`
		} `json:"services"`
		Skills []struct {
			ClientID    int64  `json:"clientId"`
			ID          int64  `json:"id"`
			Name        string `json:"name"`
			Description string `json:"description"`
			ListFile    string `json:"listFile"`
			ReadFile    string `json:"readFile"`
		} `json:"skills"`
		Agents []struct {
			ClientID   int64           `json:"clientId"`
			ID         int64           `json:"id"`
			ReadFile   string          `json:"readFile"`
			ListFile   string          `json:"listFile"`
			ListIndex  int             `json:"listIndex"`
			Read       json.RawMessage `json:"read"`
			CallCenter []int64         `json:"callCenter"`
			Passwords  []string        `json:"passwords"`
		} `json:"agents"`
	}
	if err := json.Unmarshal(Fixture("dataset.json"), &ds); err != nil {
		return nil, fmt.Errorf("dataset.json: %w", err)
	}
	t := &tenant{agentByID: map[int64]*agent{}, skillByID: map[int64]*skill{}, acd: map[int64]bool{},
		nextAgent: firstNewAgentID, nextSkill: firstNewSkillID, agentsMod: docLastModified, skillsMod: docLastModified}
	for _, s := range ds.Services {
		t.acd[s.ID] = s.ACD
	}
	for _, s := range ds.Skills {
		sk := &skill{clientID: s.ClientID, id: s.ID, name: s.Name, description: s.Description}
		if s.ListFile != "" {
			var page struct {
				AgentSkill []struct {
					ID   int64
					Name string
				}
			}
			if err := json.Unmarshal(Fixture(s.ListFile), &page); err != nil {
				return nil, fmt.Errorf("%s: %w", s.ListFile, err)
			}
			for _, x := range page.AgentSkill {
				if x.ID == s.ID {
					sk.name = x.Name
				}
			}
			if sk.name == "" {
				return nil, fmt.Errorf("dataset.json: %s has no skill %d", s.ListFile, s.ID)
			}
		}
		if s.ReadFile != "" {
			var read struct{ Name, Description string }
			if err := json.Unmarshal(Fixture(s.ReadFile), &read); err != nil {
				return nil, fmt.Errorf("%s: %w", s.ReadFile, err)
			}
			sk.name, sk.description = read.Name, read.Description
		}
		t.putSkill(sk)
	}
	for _, a := range ds.Agents {
		fields := map[string]json.RawMessage{}
		if a.ListFile != "" { // the example's list fields, verbatim
			item, err := exampleItem(a.ListFile, a.ListIndex, a.ID)
			if err != nil {
				return nil, err
			}
			for k, v := range item {
				if k != "id" {
					fields[k] = v
				}
			}
		}
		read := a.Read
		if a.ReadFile != "" {
			read = Fixture(a.ReadFile)
		}
		var extra map[string]json.RawMessage
		if err := json.Unmarshal(read, &extra); err != nil {
			return nil, fmt.Errorf("dataset.json agent %d: %w", a.ID, err)
		}
		for k, v := range extra {
			fields[k] = v
		}
		t.putAgent(&agent{clientID: a.ClientID, id: a.ID, fields: fields, callCenters: a.CallCenter, passwords: a.Passwords})
	}
	return t, nil
}

// exampleItem is entry i of the "agent" array of an example response; it
// must have the id the dataset gives it.
func exampleItem(file string, i int, id int64) (map[string]json.RawMessage, error) {
	var page struct{ Agent []map[string]json.RawMessage }
	if err := json.Unmarshal(Fixture(file), &page); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if i < 0 || i >= len(page.Agent) || string(page.Agent[i]["id"]) != strconv.FormatInt(id, 10) {
		return nil, fmt.Errorf("dataset.json: %s has no agent %d at %d", file, id, i)
	}
	return page.Agent[i], nil
}

// putAgent adds a or replaces the agent with its id, keeping its place.
func (t *tenant) putAgent(a *agent) {
	t.generation++
	if old, ok := t.agentByID[a.id]; ok && a.listOnly == nil {
		*old = *a
		return
	}
	t.agents = append(t.agents, a)
	if a.listOnly == nil {
		t.agentByID[a.id] = a
	}
}

func (t *tenant) deleteAgent(id int64) bool {
	a, ok := t.agentByID[id]
	if !ok {
		return false
	}
	delete(t.agentByID, id)
	for i, x := range t.agents {
		if x == a {
			t.agents = append(t.agents[:i], t.agents[i+1:]...)
			break
		}
	}
	t.generation++
	return true
}

func (t *tenant) putSkill(s *skill) {
	if old, ok := t.skillByID[s.id]; ok {
		*old = *s
		return
	}
	t.skills = append(t.skills, s)
	t.skillByID[s.id] = s
}

func (t *tenant) deleteSkill(id int64) bool {
	s, ok := t.skillByID[id]
	if !ok {
		return false
	}
	delete(t.skillByID, id)
	for i, x := range t.skills {
		if x == s {
			t.skills = append(t.skills[:i], t.skills[i+1:]...)
			break
		}
	}
	return true
}

// listKeys are the keys of a List Agents / Find Matching Agents entry, in
// the order of the examples.
var listKeys = []string{"loginId", "firstName", "lastName", "phone", "active", "lastLogin", "lastLoginIp"}

// listItem is a's List Agents entry.
func (a *agent) listItem() []byte {
	if a.listOnly != nil {
		return a.listOnly
	}
	fields := a.fields
	if a.raw != nil {
		fields = nil
		_ = json.Unmarshal(a.raw, &fields) // a malformed body lists as its id alone
	}
	var b bytes.Buffer
	b.WriteString(`{"id":`)
	b.WriteString(strconv.FormatInt(a.id, 10))
	for _, k := range listKeys {
		if v, ok := fields[k]; ok {
			kb, _ := json.Marshal(k)
			b.WriteByte(',')
			b.Write(kb)
			b.WriteByte(':')
			b.Write(v)
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

// readBody is a's Read Agent body.
func (a *agent) readBody() []byte {
	if a.raw != nil {
		return a.raw
	}
	b, err := json.Marshal(a.fields)
	if err != nil {
		panic("livevoxtest: " + err.Error())
	}
	return b
}

// ref is an {"id": n} or {"id": n, "proficiency": p} element.
type ref struct {
	ID          int64 `json:"id"`
	Proficiency *int  `json:"proficiency,omitempty"`
}

// refs decodes an assignedService or assignedAgentSkill field.
func (a *agent) refs(key string) []ref {
	var out []ref
	if a.fields != nil {
		_ = json.Unmarshal(a.fields[key], &out)
	}
	return out
}

func (a *agent) setRefs(key string, rs []ref) {
	if len(rs) == 0 {
		delete(a.fields, key)
		return
	}
	b, _ := json.Marshal(rs)
	a.fields[key] = b
}

func (a *agent) str(key string) string {
	var s string
	if a.fields != nil {
		_ = json.Unmarshal(a.fields[key], &s)
	}
	return s
}
