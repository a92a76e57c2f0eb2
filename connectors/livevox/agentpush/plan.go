package agentpush

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ccetl/ccetl/connectors/internal/push"
	"github.com/ccetl/ccetl/connectors/livevox"
	"github.com/ccetl/ccetl/pipeline"
)

type target struct {
	conn *livevox.Conn
	o    options
	log  *slog.Logger
	// passwords are the new agents' passwords by login key, kept out of
	// the plan (which is saved and printed).
	passwords map[string]string
	st        *state
	// created are the ids of agents this apply created, by login key.
	created map[string]int64
}

func (t *target) Close() error {
	t.conn.Close()
	return nil
}

// wanted is one valid agent of the input.
type wanted struct {
	change pipeline.Change
	create bool // absent from the client
}

// assign is one valid skill or service row.
type assign struct {
	login  string // login key
	id     int64
	prof   int64 // skills only
	origin string
}

// Plan lists the client's agents and skills, reads every agent the input
// names that the client has (one Read Agent each), and plans: the deletes
// of delete_missing first, then each agent (create, update of the fields
// that differ, unchanged), then the skills and services that differ. Rows
// that break the documented rules are refused before any request.
func (t *target) Plan(ctx context.Context, recs []pipeline.Record, _ pipeline.Ledger) (*pipeline.Plan, error) {
	ents := Entities()
	p := &pipeline.Plan{CreatedAt: time.Now().UTC()}
	var invalid []pipeline.Change
	refuse := func(r pipeline.Record, key, reason string) {
		invalid = append(invalid, pipeline.Change{Entity: r.Entity, Key: key, Action: pipeline.ActionInvalid,
			Origin: r.Origin, Reason: reason})
	}
	st, err := t.list(ctx)
	if err != nil {
		return nil, err
	}
	t.st = st
	t.passwords = map[string]string{}

	// agents
	var agents []*wanted
	byLogin := map[string]*wanted{}
	byInputID := map[int64]string{}
	refused := map[string]bool{} // logins of refused agents
	for _, r := range recs {
		if r.Entity != Agents {
			continue
		}
		login, _ := r.Values["login_id"].(string)
		key := loginKey(login)
		if id, ok := r.Values["id"].(int64); ok && key != "" {
			byInputID[id] = key // refused or not: its skill and service rows name it
		}
		if err := push.Check(ents[0], r.Values); err != nil {
			refuse(r, key, err.Error())
			refused[key] = key != ""
			continue
		}
		if w, dup := byLogin[key]; dup {
			refuse(r, key, fmt.Sprintf("login id %s appears twice in the input (first at %s)", login, w.change.Origin))
			continue
		}
		w, pw, err := t.agentChange(r, key)
		if err != nil {
			refuse(r, key, err.Error())
			refused[key] = true
			continue
		}
		if w.create {
			t.passwords[key] = pw
		}
		agents = append(agents, w)
		byLogin[key] = w
	}

	// skill and service rows
	skills, skillsFed := t.assignments(recs, Skills, ents[1], byInputID, refused, refuse)
	services, servicesFed := t.assignments(recs, Services, ents[2], byInputID, refused, refuse)

	// read every agent in scope the client has
	scope := map[string]bool{}
	for k := range byLogin {
		scope[k] = true
	}
	for _, a := range append(slices.Clone(skills), services...) {
		scope[a.login] = true
	}
	for _, k := range slices.Sorted(maps.Keys(scope)) {
		if r := st.byLogin[k]; r != nil {
			if err := t.read(ctx, r); err != nil {
				return nil, err
			}
		}
	}
	p.State = map[string]string{Agents: st.fingerprint()}
	// known only now: which agents the client has, the services its agents have
	known := func(rows []assign, entity string) []assign {
		kept := rows[:0]
		for _, a := range rows {
			reason := ""
			switch {
			case byLogin[a.login] == nil && st.byLogin[a.login] == nil:
				reason = "agent " + a.login + " is neither in the input nor on the client"
			case entity == Services && t.o.acd != nil && !t.o.acd[a.id] && !t.assigned(a.id):
				reason = fmt.Sprintf("service %d is not an ACD service (acd_services): only ACD services can be assigned", a.id)
			}
			if reason != "" {
				invalid = append(invalid, pipeline.Change{Entity: entity, Key: a.login + "|" + strconv.FormatInt(a.id, 10),
					Action: pipeline.ActionInvalid, Origin: a.origin, Reason: reason})
				continue
			}
			kept = append(kept, a)
		}
		return kept
	}
	skills, services = known(skills, Skills), known(services, Services)

	// deletes first
	if t.o.deleteMissing {
		var gone []*remote
		for k, r := range st.byLogin {
			if byLogin[k] == nil && !refused[k] && !scope[k] {
				gone = append(gone, r)
			}
		}
		slices.SortFunc(gone, func(a, b *remote) int { return int(a.id - b.id) })
		for _, r := range gone {
			p.Changes = append(p.Changes, pipeline.Change{Entity: Agents, Key: loginKey(r.login), Action: pipeline.ActionDelete,
				TargetID: strconv.FormatInt(r.id, 10), Reason: "not in the input (delete_missing)"})
		}
	}
	for _, w := range agents {
		c := w.change
		if !w.create {
			cur := st.byLogin[c.Key]
			c = push.Upsert(c, &push.Current{ID: strconv.FormatInt(cur.id, 10), Wire: cur.wire}, compared)
		} else {
			c = push.Upsert(c, nil, compared)
		}
		p.Changes = append(p.Changes, c)
	}
	p.Changes = append(p.Changes, t.reconcile(Skills, skills, skillsFed, byLogin)...)
	p.Changes = append(p.Changes, t.reconcile(Services, services, servicesFed, byLogin)...)
	p.Changes = append(p.Changes, invalid...)
	for i := range p.Changes {
		p.Changes[i].Seq = i
	}
	return p, nil
}

// agentChange makes an agent's change (its action is set later) and
// checks what Create needs when the client lacks the agent.
func (t *target) agentChange(r pipeline.Record, key string) (*wanted, string, error) {
	c := pipeline.Change{Entity: Agents, Key: key, Origin: r.Origin, Wire: pipeline.WireMap(map[string]string{})}
	for _, f := range agentFields {
		v, ok := r.Values[f.Name]
		if !ok || f.wire == "" {
			continue
		}
		switch x := v.(type) {
		case string:
			c.Wire.Set(f.wire, strings.TrimSpace(x))
		case int64:
			c.Wire.Set(f.wire, strconv.FormatInt(x, 10))
		case bool:
			c.Wire.Set(f.wire, strconv.FormatBool(x))
		}
	}
	if n, ok := r.Values["wrap_up_time"].(int64); ok && n < -1 {
		return nil, "", fmt.Errorf("field wrap_up_time: %d; -1 (unlimited) or more", n)
	}
	w := &wanted{change: c, create: t.st.byLogin[key] == nil}
	if !w.create {
		return w, "", nil // a password is sent only to create
	}
	pw, _ := r.Values["password"].(string)
	if pw != "" {
		if err := checkPassword(pw); err != nil {
			return nil, "", err
		}
	}
	var missing []string
	for i, k := range createKeys {
		if c.Wire.Get(k) == "" {
			missing = append(missing, agentFieldName(createKeys[i]))
		}
	}
	if pw == "" {
		missing = append(missing, "password")
	}
	if len(missing) > 0 {
		return nil, "", fmt.Errorf("a new agent needs %s (Create Agent's mandatory keys)", strings.Join(missing, ", "))
	}
	return w, pw, nil
}

func agentFieldName(wire string) string {
	for _, f := range agentFields {
		if f.wire == wire {
			return f.Name
		}
	}
	return wire
}

// checkPassword applies the documented rules that can be checked without
// the agent's history: at least 8 characters, at least one digit. The
// message never holds the password.
func checkPassword(pw string) error {
	switch {
	case len([]rune(pw)) < 8:
		return fmt.Errorf("field password: shorter than 8 characters")
	case !strings.ContainsFunc(pw, unicode.IsDigit):
		return fmt.Errorf("field password: has no digit")
	}
	return nil
}

// assignments checks the rows of a skill or service entity and resolves
// their agents; fed says the entity has rows at all.
func (t *target) assignments(recs []pipeline.Record, entity string, e pipeline.Entity, byInputID map[int64]string,
	refused map[string]bool, refuse func(pipeline.Record, string, string)) (out []assign, fed bool) {
	idField, what := "skill_id", "skill"
	if entity == Services {
		idField, what = "service_id", "service"
	}
	seen := map[string]string{}
	for _, r := range recs {
		if r.Entity != entity {
			continue
		}
		fed = true
		login := ""
		if s, ok := r.Values["agent_login_id"].(string); ok && strings.TrimSpace(s) != "" {
			login = loginKey(s)
		} else if id, ok := r.Values["agent_id"].(int64); ok {
			login = byInputID[id]
			if login == "" {
				refuse(r, "", fmt.Sprintf("agent_id %d is not the id of an agent of the input", id))
				continue
			}
		}
		id, _ := r.Values[idField].(int64)
		key := login + "|" + strconv.FormatInt(id, 10)
		if err := push.Check(e, r.Values); err != nil {
			refuse(r, key, err.Error())
			continue
		}
		switch {
		case login == "":
			refuse(r, key, "agent_login_id or agent_id is required")
			continue
		case refused[login]:
			refuse(r, key, "its agent "+login+" was refused")
			continue
		}
		a := assign{login: login, id: id, origin: r.Origin}
		if entity == Skills {
			a.prof = r.Values["proficiency"].(int64)
			switch {
			case a.prof < 1 || a.prof > 5:
				refuse(r, key, fmt.Sprintf("field proficiency: %d; 1 to 5", a.prof))
				continue
			case !t.st.skills[id]:
				refuse(r, key, fmt.Sprintf("skill %d is not an agent skill of the client", id))
				continue
			}
		}
		if first, dup := seen[key]; dup {
			refuse(r, key, fmt.Sprintf("%s %d of agent %s appears twice in the input (first at %s)", what, id, login, first))
			continue
		}
		seen[key] = r.Origin
		out = append(out, a)
	}
	return out, fed
}

// assigned reports whether a service is assigned to an agent the plan read:
// only ACD services can be.
func (t *target) assigned(id int64) bool {
	for _, r := range t.st.byLogin {
		if r.services[id] {
			return true
		}
	}
	return false
}

// reconcile plans one entity's assignments: for every agent in scope, the
// rows become its set; those it has and the rows lack are removed (first),
// those missing added, skills of another proficiency set again. Without
// rows (fed false) nothing of the entity changes.
func (t *target) reconcile(entity string, rows []assign, fed bool, agents map[string]*wanted) []pipeline.Change {
	if !fed {
		return nil
	}
	want := map[string]map[int64]assign{}
	for _, a := range rows {
		if want[a.login] == nil {
			want[a.login] = map[int64]assign{}
		}
		want[a.login][a.id] = a
	}
	logins := map[string]bool{}
	for k := range agents {
		logins[k] = true
	}
	for k := range want {
		logins[k] = true
	}
	var dels, rest []pipeline.Change
	for _, login := range slices.Sorted(maps.Keys(logins)) {
		r := t.st.byLogin[login]
		var have map[int64]int64
		if r != nil && entity == Skills {
			have = r.skills
		} else if r != nil {
			have = map[int64]int64{}
			for id := range r.services {
				have[id] = 0
			}
		}
		agentID := ""
		if r != nil {
			agentID = strconv.FormatInt(r.id, 10)
		}
		for _, id := range slices.Sorted(maps.Keys(have)) {
			if _, ok := want[login][id]; !ok {
				dels = append(dels, assignChange(entity, login, id, have[id], agentID, pipeline.ActionDelete, ""))
			}
		}
	}
	for _, a := range rows { // in input order
		r := t.st.byLogin[a.login]
		agentID := ""
		var cur int64
		ok := false
		if r != nil {
			agentID = strconv.FormatInt(r.id, 10)
			if entity == Skills {
				cur, ok = r.skills[a.id]
			} else {
				ok = r.services[a.id]
			}
		}
		act := pipeline.ActionCreate
		var fields []pipeline.FieldChange
		switch {
		case ok && cur == a.prof:
			act = pipeline.ActionUnchanged
		case ok:
			act = pipeline.ActionUpdate
			fields = []pipeline.FieldChange{{Field: "proficiency", Old: strconv.FormatInt(cur, 10), New: strconv.FormatInt(a.prof, 10)}}
		}
		c := assignChange(entity, a.login, a.id, a.prof, agentID, act, a.origin)
		c.Fields = fields
		rest = append(rest, c)
	}
	return append(dels, rest...)
}

func assignChange(entity, login string, id, prof int64, agentID, action, origin string) pipeline.Change {
	c := pipeline.Change{Entity: entity, Key: login + "|" + strconv.FormatInt(id, 10), Action: action, TargetID: agentID,
		Origin: origin, Wire: pipeline.WireMap(map[string]string{"agent": login, "id": strconv.FormatInt(id, 10)})}
	if entity == Skills {
		c.Wire.Set("proficiency", strconv.FormatInt(prof, 10))
	}
	c.Hash = push.Hash(c.Wire)
	return c
}
