package livevoxtest

import (
	"net/http"
)

// skill finds the skill of the first path id, answering 404 when missing.
func (e *Emulator) skill(c *call) *skill {
	s := e.data.skillByID[c.ids[0]]
	if s == nil {
		skillNotFound(c.w, c.ids[0])
	}
	return s
}

func (e *Emulator) createSkill(c *call) {
	client, ok := clientOf(c)
	if !ok {
		return
	}
	var body struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
	}
	if !decodeStrict(c, &body) {
		return
	}
	if body.Name == nil || *body.Name == "" {
		missingField(c.w, "name")
		return
	}
	s := &skill{clientID: client, id: e.data.nextSkill, name: *body.Name}
	if body.Description != nil {
		s.description = *body.Description
	}
	e.data.nextSkill++
	e.data.putSkill(s)
	e.data.skillsMod = nowMillis()
	writeJSON(c.w, http.StatusCreated, map[string]int64{"id": s.id})
}

// readSkill answers {agent, name, description, clientId}; agent lists the
// agents holding the skill, in list order, and is left out when none do.
func (e *Emulator) readSkill(c *call) {
	s := e.skill(c)
	if s == nil {
		return
	}
	var holders []ref
	for _, a := range e.data.agents {
		for _, r := range a.refs("assignedAgentSkill") {
			if r.ID == s.id {
				holders = append(holders, ref{ID: a.id, Proficiency: r.Proficiency})
			}
		}
	}
	out := map[string]any{"name": s.name, "description": s.description, "clientId": s.clientID}
	if len(holders) > 0 {
		out["agent"] = holders
	}
	writeJSON(c.w, http.StatusOK, out)
}

func (e *Emulator) updateSkill(c *call) {
	s := e.skill(c)
	if s == nil {
		return
	}
	var body struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
	}
	if !decodeStrict(c, &body) {
		return
	}
	if body.Name != nil {
		s.name = *body.Name
	}
	if body.Description != nil {
		s.description = *body.Description
	}
	e.data.skillsMod = nowMillis()
	noContent(c.w)
}

func (e *Emulator) deleteSkill(c *call) {
	if !e.data.deleteSkill(c.ids[0]) {
		notFoundEmpty(c.w)
		return
	}
	e.data.skillsMod = nowMillis()
	noContent(c.w)
}
