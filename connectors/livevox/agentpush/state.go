package agentpush

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/ccetl/ccetl/connectors/internal/push"
)

// remote is one agent of the client as the target found it.
type remote struct {
	id    int64
	login string
	// wire holds the compared keys as the plan writes them; filled by a
	// read (Read Agent), nil for an agent only listed.
	wire     map[string]string
	skills   map[int64]int64 // skill id -> proficiency
	services map[int64]bool
}

// state is the client's agents and skills when the plan was made.
type state struct {
	byLogin map[string]*remote // by upper-cased login id
	skills  map[int64]bool     // the client's agent skills
}

// loginKey is how login ids are compared: LiveVox treats them without
// case (SPEC.md 5.1).
func loginKey(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// list reads the client's agents (List Agents) and skills (List Agent
// Skills).
func (t *target) list(ctx context.Context) (*state, error) {
	st := &state{byLogin: map[string]*remote{}, skills: map[int64]bool{}}
	err := t.conn.List(ctx, "agents", "agent", func(raw json.RawMessage) error {
		var it struct {
			ID      int64  `json:"id"`
			LoginID string `json:"loginId"`
		}
		if err := json.Unmarshal(raw, &it); err != nil || it.ID == 0 || it.LoginID == "" {
			return fmt.Errorf("an agent without id or loginId")
		}
		st.byLogin[loginKey(it.LoginID)] = &remote{id: it.ID, login: it.LoginID}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	err = t.conn.List(ctx, "agents/skills", "agentSkill", func(raw json.RawMessage) error {
		var it struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(raw, &it); err != nil || it.ID == 0 {
			return fmt.Errorf("a skill without id")
		}
		st.skills[it.ID] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list agent skills: %w", err)
	}
	return st, nil
}

// read completes r with Read Agent: the compared keys, skills and
// services.
func (t *target) read(ctx context.Context, r *remote) error {
	resp, err := t.conn.Do(ctx, "GET", "agents/"+strconv.FormatInt(r.id, 10), nil, nil)
	if err != nil {
		return fmt.Errorf("read agent %s: %w", r.login, err)
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(resp.Body, &body); err != nil {
		return fmt.Errorf("read agent %s: the answer is not a JSON object", r.login)
	}
	r.wire = map[string]string{}
	for _, k := range compared {
		v, ok := body[k]
		if !ok || string(v) == "null" {
			continue
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			s = string(v) // numbers and booleans as JSON writes them
		}
		r.wire[k] = s
	}
	var refs []struct {
		ID          int64  `json:"id"`
		Proficiency *int64 `json:"proficiency"`
	}
	r.skills, r.services = map[int64]int64{}, map[int64]bool{}
	if v, ok := body["assignedAgentSkill"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &refs); err != nil {
			return fmt.Errorf("read agent %s: assignedAgentSkill is not a list of {id, proficiency}", r.login)
		}
		for _, x := range refs {
			if x.Proficiency != nil {
				r.skills[x.ID] = *x.Proficiency
			}
		}
	}
	refs = nil
	if v, ok := body["assignedService"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &refs); err != nil {
			return fmt.Errorf("read agent %s: assignedService is not a list of {id}", r.login)
		}
		for _, x := range refs {
			r.services[x.ID] = true
		}
	}
	return nil
}

// fingerprint is the state's fingerprint for Plan.State: the agents with
// their ids and, where read, their keys, skills and services.
func (st *state) fingerprint() string {
	cur := map[string]push.Current{}
	for k, r := range st.byLogin {
		w := maps.Clone(r.wire)
		if w == nil {
			w = map[string]string{}
		}
		for _, id := range slices.Sorted(maps.Keys(r.skills)) {
			w["skill "+strconv.FormatInt(id, 10)] = strconv.FormatInt(r.skills[id], 10)
		}
		for _, id := range slices.Sorted(maps.Keys(r.services)) {
			w["service "+strconv.FormatInt(id, 10)] = "1"
		}
		cur[k] = push.Current{ID: strconv.FormatInt(r.id, 10), Wire: w}
	}
	return push.Fingerprint(cur)
}
