package livevoxtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"
)

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("livevoxtest: " + err.Error())
	}
	return b
}

// decodeStrict decodes the body as JSON, answering 400 when it is not.
func decodeStrict(c *call, v any) bool {
	if err := json.NewDecoder(c.r.Body).Decode(v); err != nil {
		invalid(c.w, "malformed JSON")
		return false
	}
	return true
}

func agentNotFound(w http.ResponseWriter, id int64) {
	codeMessage(w, http.StatusNotFound, codeNotFound, fmt.Sprintf("Agent not found [ID:%d]", id))
}

func skillNotFound(w http.ResponseWriter, id int64) {
	codeMessage(w, http.StatusNotFound, codeNotFound, fmt.Sprintf("Agent skill not found [ID:%d]", id))
}

// agent finds the agent of the first path id, answering 404 when missing.
func (e *Emulator) agent(c *call) *agent {
	a := e.data.agentByID[c.ids[0]]
	if a == nil {
		agentNotFound(c.w, c.ids[0])
	}
	return a
}

func (e *Emulator) readAgent(c *call) {
	if a := e.agent(c); a != nil {
		writeRaw(c.w, http.StatusOK, a.readBody())
	}
}

// passwordProblem checks the rules of the reference: at least 8
// characters, a digit, none of the last `history` passwords.
func passwordProblem(p string, old []string, history int) string {
	switch {
	case len([]rune(p)) < 8:
		return "Password must be at least 8 characters long"
	case !strings.ContainsFunc(p, unicode.IsDigit):
		return "Password must contain at least 1 digit"
	}
	for i := max(0, len(old)-history); i < len(old); i++ {
		if old[i] == p {
			return "Password cannot match any of the previous " + strconv.Itoa(history) + " passwords"
		}
	}
	return ""
}

func invalidPassword(w http.ResponseWriter, problem string) {
	errorCode(w, http.StatusBadRequest, codeInvalid, "Invalid password ["+problem+"]")
}

// createMandatory are the Create Agent keys marked mandatory, with their
// JSON types.
var createMandatory = []struct{ key, typ string }{
	{"clientId", "int"}, {"loginId", "string"}, {"firstName", "string"}, {"lastName", "string"},
	{"password", "string"}, {"phone", "string"}, {"wrapUpTime", "int"}, {"homeAgent", "bool"}, {"active", "bool"},
}

func (e *Emulator) createAgent(c *call) {
	var body map[string]json.RawMessage
	if !decodeStrict(c, &body) {
		return
	}
	for _, m := range createMandatory {
		v, ok := body[m.key]
		if !ok || string(v) == "null" || string(v) == `""` {
			missingField(c.w, m.key)
			return
		}
		if !hasType(v, m.typ) {
			invalid(c.w, m.key)
			return
		}
	}
	var services, skills []ref
	if json.Unmarshal(orNull(body["assignedService"]), &services) != nil ||
		json.Unmarshal(orNull(body["assignedAgentSkill"]), &skills) != nil {
		invalid(c.w, "assignedService and assignedAgentSkill must be arrays of {id}")
		return
	}
	var pw string
	json.Unmarshal(body["password"], &pw)
	if p := passwordProblem(pw, nil, 3); p != "" {
		invalidPassword(c.w, p)
		return
	}
	for _, s := range services {
		if !e.data.acd[s.ID] {
			e.gateway(c.w, http.StatusForbidden, "Access denied") // as the reference's "invalid Service type" example
			return
		}
	}
	for _, s := range skills {
		if e.data.skillByID[s.ID] == nil {
			skillNotFound(c.w, s.ID)
			return
		}
		if s.Proficiency == nil || *s.Proficiency < 1 || *s.Proficiency > 5 {
			invalid(c.w, "proficiency must be between 1 and 5")
			return
		}
	}
	var clientID int64
	json.Unmarshal(body["clientId"], &clientID)
	loginID := strings.ToUpper(stringOf(body["loginId"]))
	for _, a := range e.data.agents {
		if a.clientID == clientID && strings.ToUpper(a.str("loginId")) == loginID {
			invalid(c.w, "loginId already exists")
			return
		}
	}
	a := &agent{clientID: clientID, id: e.data.nextAgent, fields: map[string]json.RawMessage{}, passwords: []string{pw}}
	e.data.nextAgent++
	for k, v := range body {
		if k != "clientId" && k != "password" {
			a.fields[k] = v
		}
	}
	a.fields["locked"] = json.RawMessage("false")
	e.data.putAgent(a)
	e.data.agentsMod = nowMillis()
	writeJSON(c.w, http.StatusCreated, map[string]int64{"id": a.id})
}

// updateKeys are the Update Agent keys and their JSON types.
var updateKeys = map[string]string{
	"firstName": "string", "lastName": "string", "password": "string", "phone": "string",
	"wrapUpTime": "int", "homeAgent": "bool", "active": "bool", "unlock": "bool",
}

func (e *Emulator) updateAgent(c *call) {
	a := e.agent(c)
	if a == nil {
		return
	}
	var body map[string]json.RawMessage
	if !decodeStrict(c, &body) {
		return
	}
	if len(body) == 0 {
		invalid(c.w, "at least one field is required")
		return
	}
	for k, v := range body {
		typ, ok := updateKeys[k]
		if !ok {
			invalid(c.w, k+" cannot be updated")
			return
		}
		if !hasType(v, typ) {
			invalid(c.w, k)
			return
		}
	}
	if v, ok := body["password"]; ok {
		pw := stringOf(v)
		if p := passwordProblem(pw, a.passwords, 4); p != "" {
			invalidPassword(c.w, p)
			return
		}
		a.passwords = append(a.passwords, pw)
		a.fields["passwordLastModified"] = mustJSON(nowMillis())
	}
	for k, v := range body {
		switch k {
		case "password":
		case "unlock":
			if string(v) == "true" {
				a.fields["locked"] = json.RawMessage("false")
			}
		default:
			a.fields[k] = v
		}
	}
	e.data.generation++
	e.data.agentsMod = nowMillis()
	noContent(c.w)
}

func (e *Emulator) deleteAgent(c *call) {
	if !e.data.deleteAgent(c.ids[0]) {
		notFoundEmpty(c.w)
		return
	}
	e.data.agentsMod = nowMillis()
	noContent(c.w)
}

func (e *Emulator) related(c *call) {
	a := e.agent(c)
	if a == nil {
		return
	}
	cc := []ref{}
	for _, id := range a.callCenters {
		cc = append(cc, ref{ID: id})
	}
	sv := append([]ref{}, a.refs("assignedService")...)
	writeJSON(c.w, http.StatusOK, map[string][]ref{"callCenter": cc, "service": sv})
}

func (e *Emulator) addAgentSkill(c *call) {
	a := e.agent(c)
	if a == nil {
		return
	}
	if e.data.skillByID[c.ids[1]] == nil {
		skillNotFound(c.w, c.ids[1])
		return
	}
	p, err := strconv.Atoi(c.r.URL.Query().Get("proficiency"))
	if err != nil || p < 1 || p > 5 {
		invalid(c.w, "proficiency must be between 1 and 5")
		return
	}
	rs := a.refs("assignedAgentSkill")
	found := false
	for i := range rs {
		if rs[i].ID == c.ids[1] {
			rs[i].Proficiency, found = &p, true
		}
	}
	if !found {
		rs = append(rs, ref{ID: c.ids[1], Proficiency: &p})
	}
	a.setRefs("assignedAgentSkill", rs)
	e.data.generation++
	noContent(c.w)
}

func (e *Emulator) removeAgentSkill(c *call) { e.removeRef(c, "assignedAgentSkill") }
func (e *Emulator) removeService(c *call)    { e.removeRef(c, "assignedService") }

func (e *Emulator) removeRef(c *call, key string) {
	a := e.agent(c)
	if a == nil {
		return
	}
	var keep []ref
	for _, r := range a.refs(key) {
		if r.ID != c.ids[1] {
			keep = append(keep, r)
		}
	}
	a.setRefs(key, keep)
	e.data.generation++
	noContent(c.w)
}

func (e *Emulator) addService(c *call) {
	a := e.agent(c)
	if a == nil {
		return
	}
	if !e.data.acd[c.ids[1]] {
		errorCode(c.w, http.StatusBadRequest, codeInvalid, "Cannot assign service [incorrect service type]")
		return
	}
	rs := a.refs("assignedService")
	for _, r := range rs {
		if r.ID == c.ids[1] {
			noContent(c.w)
			return
		}
	}
	a.setRefs("assignedService", append(rs, ref{ID: c.ids[1]}))
	e.data.generation++
	noContent(c.w)
}

// hasType reports whether a raw JSON value has type typ: string, int or bool.
func hasType(v json.RawMessage, typ string) bool {
	switch typ {
	case "string":
		var s string
		return json.Unmarshal(v, &s) == nil
	case "int":
		var n int64
		return json.Unmarshal(v, &n) == nil
	case "bool":
		var b bool
		return json.Unmarshal(v, &b) == nil
	}
	return false
}

func stringOf(v json.RawMessage) string {
	var s string
	json.Unmarshal(v, &s)
	return s
}

func orNull(v json.RawMessage) json.RawMessage {
	if v == nil {
		return json.RawMessage("null")
	}
	return v
}
